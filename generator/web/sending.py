"""E-mail from the browser: send each person of a signing session, or the desk's person, their sheet once.

Sending is set up by ``serve --mail-settings FILE`` (IT's TOML); without it
the pages say so and offer the drafts. A session's messages go in a
background job (``sendjobs``), one at a time per session; the library's
record in the session's private folder makes sure that nobody gets a
message twice. The desk's person is sent within the request, under a token
made with the sheet.
"""

from __future__ import annotations

import time
from typing import Any

from flask import (
    Blueprint,
    Flask,
    Response,
    abort,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from .. import MANIFEST, DeliveryError, MailSettings, Outcome, Person, Procedure, attachment_name, report_csv
from .. import SEND_FAILURES as FAILURES
from .. import read_manifest as read_rows
from ..i18n import _, ngettext
from . import messages, service, state
from .sendjobs import DeskRecords, Job, Recipient, Sendings, SessionSend, outcomes
from .works import Work

sending = Blueprint("sending", __name__)
QUICK_WAIT = (
    1.0  # seconds "Confirmer l'envoi" waits before showing the progress page (a refused login: at once)
)
REFRESH = 3  # seconds between two loads of the progress page without JavaScript


def install(app: Flask) -> None:
    """The pages, the jobs and the desk's records; after ``session.install`` (its folders are shared)."""
    web = state(app)
    sendings = Sendings()
    key = app.secret_key if isinstance(app.secret_key, bytes) else str(app.secret_key).encode()
    desk = DeskRecords(web.extra["works"].root, web.session_minutes * 60.0, key)  # type: ignore[attr-defined]
    web.extra["sendings"], web.extra["desk_records"] = sendings, desk
    web.cleanups.insert(0, sendings.close)  # the jobs stop before the sessions' folders go
    web.cleanups.append(desk.close)
    app.register_blueprint(sending)

    @app.context_processor
    def buttons() -> dict[str, Any]:
        return {
            "mail_ready": web.mail_settings is not None,
            "desk_send_token": lambda fields: desk.new_token(fields),
            "session_send": _session_button,
        }


def _settings() -> MailSettings | None:
    return state(current_app).mail_settings


def _sendings() -> Sendings:
    value = state(current_app).extra["sendings"]
    assert isinstance(value, Sendings)
    return value


def _not_set_up() -> Response:
    page = render_template(
        "erreur.html",
        title=_("Sending email is not set up"),
        text=_("Sending email is not set up on this computer: download the drafts."),
    )
    return Response(page, 409)


# --- a signing session -------------------------------------------------------------------


def _work(work_id: str) -> Work:
    from .session import _work as owned

    return owned(work_id)


def recipients(work: Work) -> tuple[list[Recipient], list[Person]]:
    """The people the session made a PDF for: those with an address (and their PDF), those without."""
    if work.check is None or not (work.out / MANIFEST).is_file():
        return [], []
    pdf = {}
    for row in read_rows(work.out / MANIFEST):
        name = row.get("pdf") or ""
        if name and "/" not in name and "\\" not in name:  # a file of the session's folder, nothing else
            pdf[row.get("row") or ""] = name
    people = [p for p in work.check.roster.people if str(p.row) in pdf]
    with_address = [Recipient(p, work.out / pdf[str(p.row)]) for p in people if p.email.strip()]
    return with_address, [p for p in people if not p.email.strip()]


def _session_button(work: Work) -> dict[str, Any]:
    """What the session's result page says about sending: how many have an address."""
    ready = work.finished and work.zip_path.is_file()
    sendable, without = recipients(work) if ready else ([], [])
    return {"count": len(sendable), "without": len(without), "made": ready}


@sending.get("/session/<work_id>/envoi")
def session_confirm(work_id: str) -> Any:
    work = _work(work_id)
    if not work.finished or not work.zip_path.is_file():
        return redirect(url_for("sessions.result", work_id=work.id), code=303)
    if _settings() is None:
        return _not_set_up()
    job = _sendings().get(work.id)
    if job is not None and job.running:
        return redirect(url_for("sending.session_progress", work_id=work.id), code=303)
    sendable, without = recipients(work)
    if any(
        o.status for o in outcomes(work.folder, sendable, job)
    ):  # sent already: the outcome, not a new try
        return redirect(url_for("sending.session_result", work_id=work.id), code=303)
    rows = [(r.person, attachment_name(r.person)) for r in sendable]
    return render_template("envoi_session.html", work=work, rows=rows, without=without)


@sending.post("/session/<work_id>/envoi")
def session_send(work_id: str) -> Any:
    work = _work(work_id)
    settings = _settings()
    if settings is None:
        return _not_set_up()
    if not work.finished or not work.zip_path.is_file():
        return redirect(url_for("sessions.result", work_id=work.id), code=303)
    sendable, _without = recipients(work)
    task = SessionSend(
        work.procedure or state(current_app).procedure,  # the one its sheets were made with
        settings,
        work.folder,
        sendable,
        failures_only=request.form.get("quoi") == "echecs",
        keep_alive=lambda: _keep(work),
    )
    job = _sendings().start(work.id, task)  # the one running, if any: never a second job
    if job.thread is not None:
        job.thread.join(QUICK_WAIT)
    target = "sending.session_progress" if job.running else "sending.session_result"
    return redirect(url_for(target, work_id=work.id), code=303)


def _keep(work: Work) -> None:
    """The session's life starts again: never reaped while it sends, nor just after."""
    work.created = time.monotonic()


def _progress_state(work: Work, job: Job | None) -> dict[str, Any]:
    done, total = (job.done, job.total) if job is not None else (0, 0)
    if job is not None and job.running and not total:
        text = _("Preparing the messages…")
    else:
        text = ngettext(
            "{done} message handled out of {total}", "{done} messages handled out of {total}", done
        ).format(done=done, total=total)
    return {
        "done": done,
        "total": total,
        "finished": job is None or not job.running,
        "text": text,
        "next": url_for("sending.session_result", work_id=work.id),
    }


@sending.get("/session/<work_id>/envoi/avancement")
def session_progress(work_id: str) -> Any:
    work = _work(work_id)
    job = _sendings().get(work.id)
    if job is None or not job.running:
        return redirect(url_for("sending.session_result", work_id=work.id), code=303)
    page = render_template("envoi_avancement.html", work=work, progress=_progress_state(work, job))
    response = Response(page)
    # Without JavaScript the page loads itself again (the script, when on, follows the JSON instead).
    response.headers["Refresh"] = str(REFRESH)
    return response


@sending.get("/session/<work_id>/envoi/avancement.json")
def session_progress_json(work_id: str) -> Response:
    work = _work(work_id)
    return jsonify(_progress_state(work, _sendings().get(work.id)))


def _all_outcomes(work: Work) -> tuple[list[Outcome], list[Person], Job | None]:
    sendable, without = recipients(work)
    job = _sendings().get(work.id)
    return outcomes(work.folder, sendable, job), without, job


@sending.get("/session/<work_id>/envoi/resultat")
def session_result(work_id: str) -> Any:
    work = _work(work_id)
    if _settings() is None:
        return _not_set_up()
    found, without, job = _all_outcomes(work)
    if job is not None and job.running:
        return redirect(url_for("sending.session_progress", work_id=work.id), code=303)
    problems = [service.FieldProblem(None, job.error)] if job is not None and job.error else []
    counts = {
        "sent": sum(o.status == "sent" for o in found),
        "failed": sum(o.status in FAILURES for o in found),
        "unsent": sum(o.status == "" for o in found),
    }
    return render_template(
        "envoi_resultat.html", work=work, outcomes=found, without=without, problems=problems, counts=counts
    )


@sending.get("/session/<work_id>/envoi/rapport.csv")
def session_report(work_id: str) -> Response:
    work = _work(work_id)
    found, without, _job = _all_outcomes(work)
    if not found and not without:
        abort(404)
    missing = [Outcome(f"row-{p.row}", p, "", _("no email address in the list")) for p in without]
    response = Response(report_csv([*found, *missing]), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="rapport-envoi.csv"'
    return response


# --- the desk ----------------------------------------------------------------------------


def _desk_records() -> DeskRecords:
    value = state(current_app).extra["desk_records"]
    assert isinstance(value, DeskRecords)
    return value


def _desk_fields() -> dict[str, str]:
    return {name: request.form.get(name, "") for name in service.FIELDS}


def _desk_person(fields: dict[str, str], procedure: Procedure) -> Person | Response:
    """The person the posted fields make, or the page saying why not (never the fields shown back)."""
    try:
        person = service.check_person(procedure, fields)
    except service.PersonProblems as exc:
        text = " ".join(p.message for p in exc.problems)
        return Response(render_template("erreur.html", title=_("The sheet cannot be made"), text=text), 422)
    if not person.email.strip():
        abort(400)  # the button is offered only with an address
    return person


@sending.post("/fiche/envoi")
def desk_confirm() -> Any:
    """The desk's "Envoyer la fiche par courriel": the recipient, to confirm; nothing is sent yet."""
    if _settings() is None:
        return _not_set_up()
    fields = _desk_fields()
    person = _desk_person(fields, state(current_app).procedure)
    if isinstance(person, Response):
        return person
    token = request.form.get("envoi", "")
    return render_template(
        "envoi_fiche.html", person=person, fields=fields, token=token, attachment=attachment_name(person)
    )


@sending.post("/fiche/envoi/confirmer")
def desk_send() -> Any:
    """Send the desk's person their sheet, once per sheet made: a refresh or a double click sends nothing more."""
    settings = _settings()
    if settings is None:
        return _not_set_up()
    fields = _desk_fields()
    documents = state(
        current_app
    ).documents  # read once: the person, the sheet and the message of one procedure
    person = _desk_person(fields, documents.procedure)
    if isinstance(person, Response):
        return person
    folder = _desk_records().folder(request.form.get("envoi", ""), fields)
    if folder is None:
        page = render_template(
            "erreur.html",
            title=_("This sheet has expired"),
            text=_("Nothing was sent. Make the sheet again, then send it."),
        )
        return Response(page, 410)
    outcome, problem = _send_desk(folder, person, settings, documents)
    title = ""
    if outcome is not None:  # « Fiche d'Anne : envoyé »: the French elision, as the desk's own title
        title = messages.with_name(_("Sheet of {name}: {status}"), person.display_name, status=outcome.label)
    return render_template(
        "envoi_fiche_resultat.html", outcome=outcome, person=person, problem=problem, title=title
    )


def _send_desk(
    folder: Any, person: Person, settings: MailSettings, documents: service.Documents
) -> tuple[Outcome | None, str]:
    from .. import build_message, outgoing, send_once

    try:
        pdf = documents.sheet(person, "pdf")
        message = build_message(documents.procedure, person, pdf, attachment_name(person), settings=settings)
        found = send_once(folder, [outgoing(person, message, key="desk")], settings)
    except DeliveryError as exc:
        return None, _("Nothing was sent: {reason}").format(reason=exc)
    except service.PersonProblems as exc:
        return None, " ".join(p.message for p in exc.problems)
    return found[0], ""
