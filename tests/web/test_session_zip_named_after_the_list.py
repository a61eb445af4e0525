"""The session's ZIP is named after the day and the list (fiches-2026-09-01-liste-rentree.zip), in ASCII."""

from __future__ import annotations

import datetime
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from webtools import token, upload

from generator import Procedure
from generator.web import create_app, shutdown
from generator.web.session import list_slug, zip_name


@pytest.fixture
def client(procedure: Procedure, tmp_path: Path) -> Iterator[FlaskClient]:
    app: Flask = create_app(procedure, secret_key=b"z" * 32, work_dir=tmp_path / "works")
    yield app.test_client()
    shutdown(app)


def _finished(client: FlaskClient, work_id: str) -> None:
    client.post(f"/session/{work_id}/creer", data={"csrf_token": token(client, "/session")})
    deadline = time.monotonic() + 60
    while not client.get(f"/session/{work_id}/avancement.json").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_the_zip_downloaded_carries_the_day_and_the_list_s_name(client: FlaskClient) -> None:
    """A list "Liste rentrée.csv" gives fiches-<today>-liste-rentree.zip; no name of a person is in it."""
    response = upload(client, "Prénom;Nom\nŒdipe;Dupont\n".encode(), "Liste rentrée.csv", formats=["pdf"])
    work_id = response.headers["Location"].rsplit("/", 1)[1]
    _finished(client, work_id)
    today = datetime.date.today().isoformat()
    zipped = client.get(f"/session/{work_id}/fiches.zip")
    disposition = zipped.headers["Content-Disposition"]
    zipped.close()
    assert disposition == f'attachment; filename="fiches-{today}-liste-rentree.zip"'
    assert "dupont" not in disposition.lower() and "oedipe" not in disposition.lower()


@pytest.mark.parametrize(
    ("filename", "slug"),
    [
        ("Liste rentrée.xlsx", "liste-rentree"),
        ("C:\\Users\\secrétariat\\Œuvres  sociales (2).csv", "oeuvres-sociales-2"),
        ("../../etc/passwd", "passwd"),
        ("ــــ.csv", ""),
        ("", ""),
    ],
)
def test_list_slug(filename: str, slug: str) -> None:
    """The file's stem only (no folder), accents dropped, ligatures spelled out, anything else a hyphen."""
    assert list_slug(filename) == slug


def test_zip_name_without_a_usable_list_name_is_the_day_alone() -> None:
    day = datetime.date(2026, 9, 1)
    assert zip_name("liste-rentree", day) == "fiches-2026-09-01-liste-rentree.zip"
    assert zip_name("", day) == "fiches-2026-09-01.zip"


@given(st.text())
def test_a_list_slug_is_safe_in_a_file_name_and_a_header(filename: str) -> None:
    """Lower-case ASCII letters, digits and single inner hyphens, 40 characters at most, whatever the name."""
    slug = list_slug(filename)
    assert re.fullmatch(r"([a-z0-9]+(-[a-z0-9]+)*)?", slug) and len(slug) <= 40
    assert not slug or list_slug(slug + ".csv") == slug  # stable when applied again
