"""Two saves close together: the desk ends with the procedure the file ends with, never the older one."""

from __future__ import annotations

import io
import re
import threading
from pathlib import Path

import pytest
from editor_tools import data_copy, editing_app, form_fields
from flask.testing import FlaskClient
from pypdf import PdfReader
from webtools import token

from generator import Procedure, load_procedure
from generator.web import editor, service, state, swap_procedure


def _save(client: FlaskClient, phone: str) -> int:
    fields = form_fields(client.get("/procedure").get_data(as_text=True))
    fields.update({"help-phone": phone}, action="save")
    return client.post("/procedure", data=fields).status_code


def _phone(procedure: Procedure) -> str:
    return procedure.help.phone.replace("\u00a0", " ")  # the typography's no-break spaces


def test_the_later_save_reaches_the_desk_last(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A's file is written, its swap is slow; B saves on top of A meanwhile: the desk shows B's number."""
    app = editing_app(data_copy(tmp_path))
    written, release = threading.Event(), threading.Event()
    swap = editor.swap_procedure

    def slow_for_a(app_, procedure):  # noqa: ANN001, ANN202
        if _phone(procedure) == "05 16 52 66 01":
            written.set()  # A's file is on disk, its swap not done
            release.wait(10)
        swap(app_, procedure)

    monkeypatch.setattr(editor, "swap_procedure", slow_for_a)
    statuses: dict[str, int] = {}
    first = threading.Thread(target=lambda: statuses.update(a=_save(app.test_client(), "05 16 52 66 01")))
    first.start()
    assert written.wait(10)
    second = threading.Thread(target=lambda: statuses.update(b=_save(app.test_client(), "05 16 52 66 02")))
    second.start()
    second.join(0.5)  # B either waits for A (ordered) or, unordered, swaps first
    release.set()
    first.join(10)
    second.join(10)
    assert statuses == {"a": 200, "b": 200}
    assert "05 16 52 66 02" in (tmp_path / "procedure.yaml").read_text(encoding="utf-8")
    assert _phone(state(app).procedure) == "05 16 52 66 02"
    assert _phone(state(app).documents.procedure) == "05 16 52 66 02"


def _pdf_text(data: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).replace("\u00a0", " ")


def test_a_download_uses_one_procedure_even_if_a_save_lands_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save swapped in just after the person is checked: the sheet is still the first procedure's."""
    path = data_copy(tmp_path)
    app = editing_app(path)
    other_path = tmp_path / "other.yaml"
    other_path.write_text(
        path.read_text(encoding="utf-8").replace("05 16 52 66 86", "05 16 52 66 99"), "utf-8"
    )
    other = load_procedure(other_path)
    check = service.check_person

    def check_then_swap(procedure, fields):  # noqa: ANN001, ANN202
        person = check(procedure, fields)
        swap_procedure(app, other)  # an editor's save, between the check and the render
        return person

    monkeypatch.setattr(service, "check_person", check_then_swap)
    client = app.test_client()
    fields = {"csrf_token": token(client), "format": "pdf", "first_name": "Anne", "last_name": "Dupont"}
    data = client.post("/fiche/telecharger", data=fields).data
    assert "05 16 52 66 86" in _pdf_text(data)
    assert _phone(state(app).procedure) == "05 16 52 66 99"  # the swap did happen


def test_the_flyer_picture_follows_a_save(tmp_path: Path) -> None:
    """/affiche's picture is cached per procedure: after a save it is the new flyer's."""
    app = editing_app(data_copy(tmp_path))
    client = app.test_client()
    before = client.get("/affiche").get_data(as_text=True)
    assert _save(client, "05 16 52 66 03") == 200
    after = client.get("/affiche").get_data(as_text=True)
    picture = re.compile(r'src="data:image/png;base64,([^"]+)"')
    assert picture.search(before) and picture.search(after)
    assert picture.search(before).group(1) != picture.search(after).group(1)  # type: ignore[union-attr]
