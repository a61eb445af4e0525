"""A signing session in the browser: upload a roster, check it, make every sheet, download the ZIP.

Each session of work has a private folder (``tempfile.mkdtemp``: owner-only),
in the app's one parent folder and locked by this server (``folders``),
holding the uploaded list and what ``personalise`` writes; it is removed
once the ZIP is downloaded, after ``session_minutes`` (15), or when the
server stops, whichever comes first; a killed server's folders are removed
when the next server starts. Its id is random and tied to the
browser session that made it: another browser gets "page not found".
"""

from __future__ import annotations

import datetime
import logging
import re
import secrets
import threading
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
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
    send_file,
    session,
    url_for,
)

from .. import row_limit
from ..i18n import _
from . import folders, service, signing, state
from .batch import Batch
from .forms import SessionForm
from .works import Busy, Work, Works

sessions = Blueprint("sessions", __name__, url_prefix="/session")
# The rows a signing session's list may have, CSV or workbook alike. A session is 20 to 300
# people; 10 000 make their ZIP in about 25 s. The command line has no such limit (it streams
# 200 000 people): a 1 MB CSV of 100 000 rows made 5.7 GB of sheets in 88 s here.
MAX_ROWS = 10_000
QUICK_WAIT = 2.0  # seconds the "Créer les fiches" answer waits before showing the progress page
# Flask's app.logger is this logger (named after the app's import name), as the desk's 500 handler uses.
log = logging.getLogger("generator.web")


def install(app: Flask) -> None:
    web = state(app)
    works = Works(web.extra.get("work_dir"), web.session_minutes)  # type: ignore[arg-type]
    web.extra["works"] = works
    # The folders a killed server left (names, sheets): its lock died with it.
    folders.sweep(works.root, older_than=works.lifetime)
    web.cleanups.append(works.close)
    app.register_blueprint(sessions)


def _works() -> Works:
    works = state(current_app).extra["works"]
    assert isinstance(works, Works)
    return works


def _owner() -> str:
    """A random id for this browser session (the session cookie); works are tied to it."""
    if "owner" not in session:
        session["owner"] = secrets.token_urlsafe(18)
    return str(session["owner"])


ENDED_KEPT = 5  # ids of this browser's sessions ended by their ZIP, remembered in its session cookie


def _work(work_id: str) -> Work:
    work = _works().get(work_id, _owner())
    if work is None:
        if work_id in session.get("ended", []):
            abort(_ended_page())  # this browser's own session, ended by its ZIP: said plainly
        abort(404)  # another browser's work, or one already removed: never said which
    return work


def _sending(work_id: str) -> bool:
    """A sending of this session's e-mails is under way (the pages send only with --mail-settings)."""
    sendings = state(current_app).extra.get("sendings")
    job = sendings.get(work_id) if sendings is not None else None  # type: ignore[attr-defined]
    return bool(job is not None and job.running)


def _ended_page() -> Response:
    page = render_template(
        "erreur.html",
        title=_("This session has ended"),
        text=_(
            "The ZIP of this session was downloaded, so its list and sheets were removed from the server. "
            "The file to print is in the ZIP too. To make the sheets again, send the list anew."
        ),
    )
    return Response(page, 410)


def _upload_page(
    form: SessionForm, problems: list[service.FieldProblem], status: int = 200
) -> tuple[str, int]:
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field:
            errors.setdefault(problem.field, []).append(problem.message)
    chosen = request.form.getlist("formats") if request.method == "POST" else ["pdf", "docx"]
    return (
        render_template(
            "session.html",
            form=form,
            problems=problems,
            errors=errors,
            chosen=chosen or [],
            headers=signing.accepted_headers(),
            limit=_size(current_app.config["MAX_CONTENT_LENGTH"]),
            minutes=state(current_app).session_minutes,
        ),
        status,
    )


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.0f}"


@sessions.get("")
def upload() -> tuple[str, int]:
    return _upload_page(SessionForm(), [])


@sessions.post("")
def check() -> Any:
    form = SessionForm()
    problems: list[service.FieldProblem] = []
    upload = request.files.get("roster")
    formats = tuple(f for f in service.FORMATS if f in request.form.getlist("formats"))
    if upload is None or not upload.filename:
        problems.append(service.FieldProblem("roster", _("Choose the file of the list (CSV or XLSX).")))
    if not formats:
        problems.append(service.FieldProblem("formats", _("Choose at least one format: PDF or DOCX.")))
    if problems:
        return _upload_page(form, problems, 422)
    assert upload is not None
    works = _works()
    try:
        work = works.new(_owner())
    except Busy:
        return _busy_page()
    work.formats, work.eml, work.skip_invalid = formats, bool(form.eml.data), bool(form.skip_invalid.data)
    work.roster = work.folder / signing.roster_file_name(upload.filename or "")
    work.list_name = list_slug(upload.filename or "")
    upload.save(work.roster)
    try:
        work.procedure = state(current_app).procedure  # an editor's save later changes neither check nor run
        with row_limit(MAX_ROWS):  # a CSV as a workbook: the list stops here, not at the disk's end
            work.check = signing.check_roster(work.procedure, work.roster, upload.filename or "")
    except signing.RosterProblem as exc:
        works.remove(work.id)  # nothing kept of a file that cannot be used
        return _upload_page(form, [service.FieldProblem("roster", p) for p in exc.problems], 422)
    except BaseException:
        works.remove(work.id)  # an unforeseen failure (the error page follows) keeps no upload either
        raise
    return redirect(url_for("sessions.checked", work_id=work.id), code=303)


def _busy_page() -> Response:
    page = render_template(
        "erreur.html",
        title=_("The server is busy"),
        text=_("Too many sessions are under way on this server. Try again in a few minutes."),
    )
    response = Response(page, 503)
    response.headers["Retry-After"] = "120"
    return response


def _check_page(work: Work, problems: list[service.FieldProblem], status: int = 200) -> tuple[str, int]:
    assert work.check is not None
    return (
        render_template(
            "session_verification.html",
            work=work,
            check=work.check,
            problems=problems,
            flag_names=signing.flag_names,
            minutes=state(current_app).session_minutes,
        ),
        status,
    )


@sessions.get("/<work_id>")
def checked(work_id: str) -> Any:
    work = _work(work_id)
    if work.batch is not None:
        return redirect(url_for("sessions.progress", work_id=work.id), code=303)
    return _check_page(work, [])


@sessions.post("/<work_id>/creer")
def make(work_id: str) -> Any:
    work = _work(work_id)
    if work.batch is not None:
        return redirect(url_for("sessions.progress", work_id=work.id), code=303)
    assert work.check is not None and work.roster is not None and work.procedure is not None
    work.skip_invalid = work.skip_invalid or bool(request.form.get("skip_invalid"))
    if work.check.refused and not work.skip_invalid:
        problem = _(
            "Tick “Leave out the refused rows” to make the sheets of the others, or correct the list and send it again."
        )
        return _check_page(work, [service.FieldProblem("skip_invalid", problem)], 422)
    if not work.check.rows:
        return _check_page(
            work, [service.FieldProblem(None, _("No valid person in the list: nothing was made."))], 422
        )
    work.batch = Batch(
        work.procedure,  # the sheets shown on the check page, whatever was saved since
        work.check.roster,  # the list as checked: the run makes exactly the sheets shown
        work.out,
        formats=work.formats,
        eml=work.eml,
        skip_invalid=work.skip_invalid,
        total=len(work.check.rows),
        folder=work.folder,  # measured against the session's disk budget as the run writes
        budget=state(current_app).session_bytes,
    )
    thread = threading.Thread(target=_run, args=(work,), name="generator-session-batch", daemon=True)
    thread.start()
    thread.join(QUICK_WAIT)  # a short list is ready at once: no progress page
    target = "sessions.result" if work.finished else "sessions.progress"
    return redirect(url_for(target, work_id=work.id), code=303)


def _run(work: Work) -> None:
    batch = work.batch
    assert batch is not None
    try:
        batch.start()
        if batch.wait() == 0 and work.out.is_dir():
            signing.zip_folder(work.out, work.zip_path)
    except Exception as exc:  # the run could not start, or the ZIP not be written: told on the result page
        # The kind only, as the desk's 500 handler logs: the message may quote a name of the list.
        log.error("signing session: the run failed with %s", type(exc).__name__)
        work.failed = True
    finally:
        work.finished = True


def _progress_state(work: Work) -> dict[str, Any]:
    batch = work.batch
    total = batch.total if batch else 0
    done = batch.done() if batch else 0
    return {
        "done": done,
        "total": total,
        "finished": work.finished,
        "text": _("{done} sheets made out of {total}").format(done=done, total=total),
        "next": url_for("sessions.result", work_id=work.id),
    }


@sessions.get("/<work_id>/avancement")
def progress(work_id: str) -> Any:
    work = _work(work_id)
    if work.batch is None:
        return redirect(url_for("sessions.checked", work_id=work.id), code=303)
    if work.finished:
        return redirect(url_for("sessions.result", work_id=work.id), code=303)
    return render_template("session_avancement.html", work=work, progress=_progress_state(work))


@sessions.get("/<work_id>/avancement.json")
def progress_json(work_id: str) -> Response:
    return jsonify(_progress_state(_work(work_id)))


@sessions.get("/<work_id>/resultat")
def result(work_id: str) -> Any:
    work = _work(work_id)
    if not work.finished:
        return redirect(url_for("sessions.progress", work_id=work.id), code=303)
    assert work.batch is not None
    made, drafts = work.batch.counts
    # Told here, in the request's language (the run's thread has none).
    errors, skipped = work.batch.problems(work.check.name if work.check else "")
    if work.failed and not errors:
        errors = [
            _(
                "The sheets could not be made. Nothing was kept. Try again; if it happens again, tell the IT team."
            )
        ]
    return render_template(
        "session_resultat.html",
        work=work,
        skipped=skipped,
        problems=[service.FieldProblem(None, e) for e in errors],
        made=made,
        drafts=drafts,
        ready=work.zip_path.is_file(),
        print_files=[name for name in work.batch.print_files if (work.out / name).is_file()],
        minutes=state(current_app).session_minutes,
    )


@sessions.get("/<work_id>/fiches.zip")
def zip_file(work_id: str) -> Response:
    work = _work(work_id)
    if not work.zip_path.is_file():
        abort(404)
    if _sending(work.id):
        # The ZIP ends the session and its record of what went: never while e-mails are going.
        page = render_template(
            "erreur.html",
            title=_("The emails are being sent"),
            text=_(
                "Downloading the ZIP ends the session: wait until the sending is over, "
                "then download it from the result page."
            ),
        )
        abort(Response(page, 409))
    works = _works()
    # Said in the cookie now (the body is sent after the response's headers): a later link of the
    # result page (the file to print) then says the session ended, not "page not found".
    session["ended"] = [*session.get("ended", [])[-(ENDED_KEPT - 1) :], work.id]
    # Once sent, nothing of the session stays on the server: the server closes
    # the body after the last byte (or when the browser goes away).
    body = _ThenRemove(work.zip_path, lambda: works.remove(work.id))
    response = Response(body, mimetype="application/zip", direct_passthrough=True)
    response.headers["Content-Length"] = str(work.zip_path.stat().st_size)
    response.headers["Content-Disposition"] = f'attachment; filename="{zip_name(work.list_name)}"'
    return response


_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss"})  # NFKD keeps these whole


def list_slug(filename: str) -> str:
    """The list's file name as ASCII for the ZIP's name: ``Liste rentrée (2).xlsx`` → ``liste-rentree-2``.

    The name is the office's own (never a person's, which stays inside the file).
    """
    stem = Path(filename.replace("\\", "/")).stem.translate(_LIGATURES)
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_stem.lower()).strip("-")[:40].strip("-")


def zip_name(list_name: str, day: datetime.date | None = None) -> str:
    """``fiches-2026-09-01-liste-rentree.zip``: the day of the download and the list it was made from."""
    parts = ["fiches", (day or datetime.date.today()).isoformat(), list_name]
    return "-".join(part for part in parts if part) + ".zip"


class _ThenRemove:
    """A file sent in chunks; closing it (the WSGI server does, once sent) runs ``then``."""

    def __init__(self, path: Path, then: Callable[[], None]) -> None:
        self._file = path.open("rb")
        self._then = then

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._file.read(256 * 1024):
            yield chunk

    def close(self) -> None:
        self._file.close()
        self._then()


@sessions.get("/<work_id>/<name>.pdf")
def print_file(work_id: str, name: str) -> Response:
    """all.pdf, or one of its volumes (all-001.pdf, …): only a print file the run says it wrote."""
    work = _work(work_id)
    file_name = f"{name}.pdf"
    if work.batch is None or file_name not in work.batch.print_files:
        abort(404)
    path = work.out / file_name
    if not path.is_file():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=False, download_name=file_name)


@sessions.post("/<work_id>/supprimer")
def remove(work_id: str) -> Any:
    work = _work(work_id)
    _works().remove(work.id)
    return redirect(url_for("sessions.upload"), code=303)
