"""The pages of the desk: home, one person's sheet (/fiche), the generic flyer (/affiche).

A person's sheet is made from the posted fields and sent back in the same
response; its files are made again from the same fields when a download
button posts them. Nothing personal is written, logged or put in a URL.
"""

from __future__ import annotations

import base64
from typing import Any

from flask import Blueprint, Flask, Response, abort, current_app, jsonify, render_template, request

from .. import Procedure
from ..i18n import _, ngettext
from . import messages, service, state
from .forms import DeskForm

desk = Blueprint("desk", __name__)

MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "eml": "message/rfc822",
}


def install(app: Flask) -> None:
    app.jinja_env.add_extension("jinja2.ext.i18n")
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=_, ngettext=ngettext, newstyle=True
    )
    app.register_blueprint(desk)
    from . import session
    from .legal import legal

    app.register_blueprint(legal)
    session.install(app)

    @app.context_processor
    def pages() -> dict[str, Any]:
        return {
            "has_sessions": "sessions.upload" in app.view_functions,
            "session_minutes": state(app).session_minutes,
            # The header's tagline on every page, error pages too: the académie that publishes the procedure.
            "desk_author": state(app).procedure.meta.author,
        }


def _web() -> Any:
    return state(current_app)


def _procedure_facts(procedure: Procedure | None = None) -> dict[str, str]:
    meta = (procedure or _web().procedure).meta
    return {"title": meta.title, "author": meta.author, "audience": meta.audience}


@desk.get("/")
def home() -> str:
    return render_template("accueil.html", procedure=_procedure_facts())


def _desk_form() -> DeskForm:
    form = DeskForm()
    choices = [("", _("Not given (the sheet names no office)"))]
    form.manager.choices = choices + service.managers(_web().procedure)
    return form


def _fields(form: DeskForm) -> dict[str, str]:
    return {name: (form[name].data or "") for name in service.FIELDS}


def _render_desk(
    form: DeskForm, problems: list[service.FieldProblem], result: dict[str, Any] | None, status: int = 200
) -> tuple[str, int]:
    by_field: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field:
            by_field.setdefault(problem.field, []).append(problem.message)
        if problem.numen and problem.field:
            form[problem.field].data = ""  # a NUMEN is never shown back
    labels = service.field_labels()
    return (
        render_template(
            "fiche.html",
            form=form,
            labels=labels,
            limits=service.LIMITS,
            problems=problems,
            errors=by_field,
            result=result,
            procedure=_procedure_facts(),
            example=service.example_identifier(_web().procedure),
        ),
        status,
    )


@desk.route("/fiche", methods=["GET", "POST"])
def sheet() -> tuple[str, int]:
    """GET: an empty form. POST: the sheet made, shown with its downloads and no field left to type over."""
    form = _desk_form()
    if request.method == "GET":
        return _render_desk(form, [], None)
    documents = _web().documents  # read once: its procedure and its writers, even during an editor's save
    try:
        person = service.check_person(documents.procedure, _fields(form))
        pdf = documents.sheet(person, "pdf")
    except service.PersonProblems as exc:
        return _render_desk(form, exc.problems, None, 422)
    return _render_desk(form, [], _result(form, person, pdf))


def _result(form: DeskForm, person: Any, pdf: bytes) -> dict[str, Any]:
    """What the result shows: the person as read back (never in a field to type over), the picture, the files."""
    name = person.display_name
    to_confirm, unsure_note = service.unsure_words(person.flags)
    labels = service.field_labels()
    offices = dict(form.manager.choices or [])
    manager = form.manager.data or ""
    shown = {**_fields(form), "manager": offices.get(manager, "") if manager else ""}
    return {
        "title": messages.with_name(_("Sheet of {name}"), name),
        "alt": messages.with_name(
            _(
                "Picture of the sheet of {name}, identifier {identifier}. "
                "The PDF holds the same text, readable by screen readers."
            ),
            name,
            identifier=person.identifier,
        ),
        "identifier": person.identifier,
        "to_confirm": to_confirm,
        "unsure_note": unsure_note,
        "flags": person.flags,
        "identifier_note": service.identifier_note(person.identifier),
        "picture": base64.b64encode(service.page_picture(pdf)).decode("ascii"),
        "summary": [
            (_("{label}:").format(label=labels[key]), value) for key, value in shown.items() if value.strip()
        ],
        "email": bool(person.email),
        "fields": _fields(form),
    }


@desk.post("/fiche/modifier")
def edit() -> tuple[str, int]:
    """The result's "Modify": the same person's fields back in the form, to correct a typo; nothing is made.

    The fields come from the page's hidden ones; whatever is posted, a NUMEN is never put back in a field.
    """
    form = _desk_form()
    try:
        service.check_person(_web().procedure, _fields(form))
    except service.PersonProblems as exc:
        numen = [p for p in exc.problems if p.numen]
        if numen:
            return _render_desk(form, numen, None, 422)
    return _render_desk(form, [], None)


@desk.post("/fiche/identifiant")
def live_identifier() -> Response:
    """The identifier while a name is typed (POST: names never go into a URL).

    It answers as soon as the names make one, whatever the other fields hold;
    a NUMEN typed anywhere is said (its field's message, never the value).
    """
    fields = _fields(_desk_form())
    preview = service.preview_identifier(_web().procedure, fields)
    numen = [p.message for p in preview.problems if p.numen]
    if preview.identifier:
        to_confirm, why = service.unsure_words(preview.flags)
        note = " ".join(filter(None, [why, service.identifier_note(preview.identifier)]))
        return jsonify(
            identifier=preview.identifier,
            to_confirm=to_confirm,
            note=note,
            birth_name="birth-name" in preview.flags,
            message=numen[0] if numen else "",
        )
    message = numen[0] if numen else ""
    named = fields["first_name"].strip() and (fields["last_name"].strip() or fields["birth_name"].strip())
    if not message and (named or fields["identifier"].strip()):
        message = next((p.message for p in preview.problems if p.field in service.IDENTITY), "")
    return jsonify(
        identifier="",
        to_confirm="",
        note="",
        birth_name=False,
        message=message or _("The identifier appears once the first name and the family name are typed."),
    )


@desk.post("/fiche/telecharger")
def download() -> Response:
    """One file of the sheet just shown, made again from the same fields."""
    fmt = request.form.get("format", "")
    if fmt not in MIME:
        abort(400)
    form = _desk_form()
    documents = _web().documents  # read once, as the sheet page does
    try:
        person = service.check_person(documents.procedure, _fields(form))
        if fmt == "eml":
            if not person.email:
                abort(400)
            data = documents.draft(person, documents.sheet(person, "pdf"))
        else:
            data = documents.sheet(person, fmt)
    except service.PersonProblems as exc:
        return Response(
            render_template(
                "erreur.html",
                title=_("The sheet cannot be made"),
                text=" ".join(p.message for p in exc.problems),
                status=422,
            ),
            422,
        )
    return _file(data, f"{service.file_stem(person)}.{fmt}", fmt)


def _file(data: bytes, name: str, fmt: str) -> Response:
    # The PDF opens in the browser (to print it); the others download.
    disposition = "inline" if fmt == "pdf" else "attachment"
    response = Response(data, mimetype=MIME[fmt])
    response.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response


@desk.get("/affiche")
def flyer() -> str:
    documents = _web().documents  # read once: the picture and the facts of one procedure
    picture = base64.b64encode(documents.flyer_picture()).decode("ascii")
    return render_template("affiche.html", picture=picture, procedure=_procedure_facts(documents.procedure))


@desk.get("/affiche/flyer.<fmt>")
def flyer_file(fmt: str) -> Response:
    if fmt not in ("pdf", "docx"):
        abort(404)
    return _file(_web().documents.flyer(fmt), f"flyer.{fmt}", fmt)
