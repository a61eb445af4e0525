"""A signing session makes its sheets with the procedure its list was checked with, whatever is saved meanwhile."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from helpers import ROOT
from pypdf import PdfReader
from sendtools import Recorder, made_session, make_checked, roster, settings_for, smtp_server, wait_sent
from webtools import token, upload

from generator import Procedure, load_procedure
from generator.web import create_app, shutdown, swap_procedure

ROSTER = "Prénom;Nom\nAnne;Dupont\nZoé;Martin\n".encode()


@pytest.fixture
def app(procedure: Procedure, tmp_path: Path) -> Iterator[Flask]:
    work_dir = tmp_path / "server-tmp"
    work_dir.mkdir()
    app = create_app(procedure, secret_key=b"s" * 32, work_dir=work_dir)
    yield app
    shutdown(app)


def _other(tmp_path: Path) -> Procedure:
    path = tmp_path / "other.yaml"
    path.write_text(
        (ROOT / "data" / "procedure.yaml")
        .read_text(encoding="utf-8")
        .replace("05 16 52 66 86", "05 16 52 66 99"),
        "utf-8",
    )
    return load_procedure(path)


def test_a_save_between_check_and_make_changes_no_sheet(app: Flask, tmp_path: Path) -> None:
    client = app.test_client()
    answer = upload(client, ROSTER, "liste.csv", formats=["pdf"])
    assert answer.status_code == 303
    work = re.fullmatch(r"/session/([\w-]+)", answer.headers["Location"]).group(1)  # type: ignore[union-attr]
    swap_procedure(app, _other(tmp_path))  # an editor's save, after the check
    make_checked(client, work)
    response = client.get(f"/session/{work}/fiches.zip")
    data = response.data
    response.close()  # the server closes the body once sent
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [
            archive.read(n) for n in archive.namelist() if n.endswith(".pdf") and not n.startswith("all")
        ]
    assert len(sheets) == 2
    for sheet in sheets:
        text = PdfReader(io.BytesIO(sheet)).pages[0].extract_text().replace("\u00a0", " ")
        assert "05 16 52 66 86" in text and "05 16 52 66 99" not in text


def test_a_save_before_sending_changes_no_message(procedure: Procedure, tmp_path: Path) -> None:
    """The e-mails of a session speak of the procedure its sheets were made with, not one saved since."""
    recorder = Recorder()
    with smtp_server(recorder) as port:
        app = create_app(procedure, secret_key=b"m" * 32, work_dir=tmp_path, mail_settings=settings_for(port))
        try:
            client = app.test_client()
            work = made_session(client, roster(2))
            swap_procedure(app, _other(tmp_path))  # an editor's save, after the sheets were made
            csrf = token(client, "/session")
            assert (
                client.post(f"/session/{work}/envoi", data={"csrf_token": csrf, "quoi": "tout"}).status_code
                == 303
            )
            assert "2 messages envoyés" in wait_sent(client, work)
        finally:
            shutdown(app)
    assert len(recorder.received) == 2
    for _sender, _recipients, message in recorder.received:
        body = message.get_body(("plain",)).get_content().replace("\u00a0", " ")
        assert "05 16 52 66 86" in body and "05 16 52 66 99" not in body
