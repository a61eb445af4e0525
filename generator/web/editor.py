"""/procedure: the procedure edited by the people who own it — the form, its preview, saving, the history, the edit code.

The form posts to itself: its buttons add, remove and move a service, show
the preview, or save; nothing needs JavaScript. Every value is checked by
``check`` itself (the candidate YAML loaded and built in memory) and each
problem is put beside its field. A save names the version the form was
loaded from: a file changed since is never overwritten. After a save the
desk uses the new procedure at once.
"""

from __future__ import annotations

import base64
import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Blueprint, Flask, current_app, redirect, render_template, request, session, url_for

from .. import DataError, GeneratorError, Procedure, ProcedureStore
from .. import ProcedureConflict as Conflict
from .. import check_procedure_text as check_text
from .. import dump_procedure as dump
from .. import parse_procedure as parse
from ..i18n import _
from . import procedure_form as fields
from . import service, state, swap_procedure
from .security import WrongTries, client_key, code_matches

editor = Blueprint("editor", __name__)


@dataclass
class EditorConfig:
    """Who may edit which file: ``store`` None means editing is off (no ``serve --data``)."""

    store: ProcedureStore | None
    code: str | None
    open: bool  # the desk on loopback: whoever uses it may edit
    tries: WrongTries


def install(app: Flask, data_path: Path | None, code: str | None, open_: bool) -> None:
    web = state(app)
    store = ProcedureStore(data_path) if data_path is not None else None
    tries = WrongTries(web.wrong_code_delay, web.wrong_per_minute)
    web.extra["editor"] = EditorConfig(store, code, open_, tries)
    app.register_blueprint(editor)

    @app.context_processor
    def editing() -> dict[str, Any]:
        return {"editing_on": store is not None}


def _config() -> EditorConfig:
    config = state(current_app).extra["editor"]
    assert isinstance(config, EditorConfig)
    return config


def _refusal() -> Any:
    """None when this browser may edit; else the page that says why not (off, or the edit code)."""
    config = _config()
    if config.store is None:
        return render_template("procedure_off.html", reason="no-data"), 403
    if config.open or session.get("edit"):
        return None
    if config.code is None:
        return render_template("procedure_off.html", reason="no-code"), 403
    return redirect(url_for("editor.code"), code=303)


def _store() -> ProcedureStore:
    store = _config().store
    assert store is not None  # _refusal let the request through
    return store


@editor.route("/procedure/code", methods=["GET", "POST"])
def code() -> Any:
    """The edit code, asked once per browser session, within its own budget of wrong tries."""
    config = _config()
    if config.store is None or config.open or config.code is None or session.get("edit"):
        return redirect(url_for("editor.edit"), code=303)
    if request.method != "POST":
        return render_template("procedure_code.html", error="")
    client = client_key(request.remote_addr or "?")
    wait = config.tries.attempt(client)
    if wait > 0:
        error = _("Too many wrong edit codes were typed. Wait {seconds} s, then type it again.").format(
            seconds=max(1, round(wait))
        )
        response = current_app.make_response((render_template("procedure_code.html", error=error), 429))
        response.headers["Retry-After"] = str(max(1, round(wait)))
        return response
    if not code_matches(request.form.get("code", ""), config.code):
        return render_template("procedure_code.html", error=_("The edit code is not the right one.")), 401
    config.tries.succeeded(client)
    session["edit"] = True
    return redirect(url_for("editor.edit"), code=303)


@editor.get("/procedure")
def edit() -> Any:
    refused = _refusal()
    if refused is not None:
        return refused
    data, version = _store().current()
    values = fields.from_data(parse(data))
    return _page(values, version)


@editor.post("/procedure")
def post() -> Any:
    refused = _refusal()
    if refused is not None:
        return refused
    values = fields.from_form(request.form)
    version = request.form.get("version", "")
    action = request.form.get("action", "preview")
    kind, _sep, number = action.partition("-")
    index = int(number) if number.isdigit() else -1
    numen = fields.numen_problems(values)  # before anything shows a value back
    if numen:
        return _page(values, version, problems=numen, status=422)
    if kind in ("add", "remove", "up", "down"):
        _rearrange(values, kind, index)
        return _page(values, version, focus=_focus_after(values, kind, index))
    if kind == "save":
        return _save(values, version)
    return _preview(values, version)


def _rearrange(values: fields.FormValues, kind: str, index: int) -> None:
    if kind == "add":
        fields.add_service(values)
    elif kind == "remove":
        fields.remove_service(values, index)
    else:
        fields.move_service(values, index, -1 if kind == "up" else 1)


def _focus_after(values: fields.FormValues, kind: str, index: int) -> str:
    """Where the page puts the focus after a button moved the services: the service it is about."""
    last = len(values.services) - 1
    target = {"add": last, "remove": min(index, last), "up": index - 1, "down": index + 1}[kind]
    return f"service-{max(target, 0)}-name" if last >= 0 else "services"


def _candidate(values: fields.FormValues) -> str:
    """The YAML the form's values make, on top of the file as it is now (its other fields kept)."""
    data, _version = _store().current()
    return dump(fields.apply(parse(data), values))


def _checked(text: str) -> tuple[Procedure | None, list[fields.FieldProblem]]:
    path = _store().path
    try:
        return check_text(text, path), []
    except DataError as exc:
        return None, fields.field_problems(exc.problems, str(path))


def _preview(values: fields.FormValues, version: str) -> Any:
    procedure, problems = _checked(_candidate(values))
    if procedure is None:
        return _page(values, version, problems=problems, status=422)
    return _page(values, version, preview=_pictures(procedure))


def _pictures(procedure: Procedure) -> dict[str, str]:
    """The flyer and the example person's sheet as they will print, PNG in the page (nothing on disk)."""
    documents = service.Documents(procedure)
    rule = procedure.identifier
    example = {"first_name": rule.example_first_name, "last_name": rule.example_last_name}
    if procedure.contacts:
        example["manager"] = procedure.contacts[0].id
    pictures = {"flyer": documents.flyer("pdf")}
    try:
        person = service.check_person(procedure, example)
        pictures["sheet"] = documents.sheet(person, "pdf")
    except (service.PersonProblems, GeneratorError):
        pass  # check_text made this very sheet: it cannot fail here
    return {
        name: base64.b64encode(service.page_picture(pdf, width=600)).decode("ascii")
        for name, pdf in pictures.items()
    }


_WRITING = threading.Lock()


def _written(write: Callable[[], tuple[Procedure, Any]]) -> tuple[Procedure, Any]:
    """``write`` (a save or a restore) and the desk's swap to its result, together: two saves made at
    once reach the desk in the order the file got them, never the older one last."""
    with _WRITING:
        procedure, saved = write()
        swap_procedure(current_app, procedure)
    return procedure, saved


def _save(values: fields.FormValues, version: str) -> Any:
    try:
        procedure, saved = _written(lambda: _store().save(_candidate(values), version))  # checked there
    except Conflict as exc:
        # The fields this person changed keep their values, the others take the other's change;
        # the version becomes the current one: saving again is a choice made with it in sight.
        merged = _merged(values, version, exc.current)
        other = fields.summary(exc.changes)
        return _page(merged, exc.version, conflict=other, status=409)
    except DataError as exc:
        return _page(
            values, version, problems=fields.field_problems(exc.problems, str(_store().path)), status=422
        )
    except GeneratorError as exc:  # the file or its history cannot be written (a read-only folder)
        problems = [fields.FieldProblem(None, text) for text in exc.problems]
        return _page(values, version, problems=problems, status=500)
    data, current = _store().current()
    return _page(
        fields.from_data(parse(data)), current, saved=fields.summary(saved.changes) or [_("Nothing changed.")]
    )


def _merged(mine: fields.FormValues, base: str, current: str) -> fields.FormValues:
    started = _store().version_text(base)
    if started is None:  # the version they started from is not kept: their values as typed
        return mine
    return fields.merge(fields.from_data(parse(started)), mine, fields.from_data(parse(current)))


def _page(
    values: fields.FormValues,
    version: str,
    *,
    problems: list[fields.FieldProblem] | None = None,
    preview: dict[str, str] | None = None,
    conflict: list[str] | None = None,
    saved: list[str] | None = None,
    focus: str = "",
    status: int = 200,
) -> tuple[str, int]:
    problems = problems or []
    errors: dict[str, list[str]] = {}
    for problem in problems:
        if problem.field:
            errors.setdefault(problem.field, []).append(problem.text)
    page = render_template(
        "procedure.html",
        values=values,
        version=version,
        problems=problems,
        errors=errors,
        preview=preview,
        conflict=conflict,
        saved=saved,
        focus=focus,
        path=_store().path.name,
    )
    return page, status


def _when(saved: str) -> str:
    """A version's time as the server's clock says it (the office's), to the second."""
    try:
        moment = datetime.datetime.fromisoformat(saved).astimezone()
    except ValueError:
        return saved
    return moment.strftime("%d/%m/%Y %H:%M:%S")


@editor.get("/procedure/historique")
def history() -> Any:
    refused = _refusal()
    if refused is not None:
        return refused
    store = _store()
    _data, version = store.current()
    kept = store.history()
    when = {v.name: _when(v.saved) for v in kept}
    # The newest version with the file's bytes is the current one (a restore repeats an older one).
    current = next((v.name for v in kept if v.version == version), "")
    versions = [
        {
            "name": v.name,
            "saved": when[v.name],
            "lines": fields.summary(v.changes),
            "first": v.first,
            "restored_from": when.get(v.restored_from, v.restored_from),
            "current": v.name == current,
            "same": v.version == version,
        }
        for v in kept
    ]
    restored = session.pop("restored", "")
    message = when.get(restored, restored)
    return render_template("procedure_historique.html", versions=versions, version=version, message=message)


@editor.post("/procedure/historique/retablir")
def restore() -> Any:
    refused = _refusal()
    if refused is not None:
        return refused
    store = _store()
    name = request.form.get("name", "")
    try:
        _written(lambda: store.restore(name, request.form.get("version", "")))
    except KeyError:
        return _history_error(_("This version is no longer kept."), 404)
    except Conflict:
        return _history_error(
            _("The procedure was changed by someone else since this page was shown. Look at the list again."),
            409,
        )
    except DataError as exc:
        return _history_error(
            " ".join(p.text for p in fields.field_problems(exc.problems, str(store.path))), 422
        )
    session["restored"] = name
    return redirect(url_for("editor.history"), code=303)


def _history_error(text: str, status: int) -> tuple[str, int]:
    return render_template(
        "erreur.html", title=_("The version cannot be brought back"), text=text, status=status
    ), status
