"""Two saves close together: the desk ends with the procedure the file ends with, never the older one."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from editor_tools import data_copy, editing_app, form_fields
from flask.testing import FlaskClient

from generator import Procedure
from generator.web import editor, state


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
