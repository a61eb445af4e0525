"""Trust, second round, on the desk: damaged workbooks, NUMEN sheet names, the sheet read, lists past the row cap."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hostile_books import NUMEN_SHEETS, bad_crc, book_bytes, corrupt_deflate, laughs_after_comment, truncated
from webtools import upload

from generator import Procedure
from generator.web import create_app, shutdown
from generator.web.session import MAX_ROWS


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    return folder


@pytest.fixture
def app(procedure: Procedure, work_dir: Path) -> Iterator[Flask]:
    app = create_app(procedure, secret_key=b"s" * 32, work_dir=work_dir)
    yield app
    shutdown(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _check_page(client: FlaskClient, data: bytes, name: str = "liste.xlsx") -> str:
    response = upload(client, data, name)
    assert response.status_code == 303, _text(response.get_data(as_text=True))
    return client.get(response.headers["Location"]).get_data(as_text=True)


DAMAGED = {
    "corrupt-deflate": (corrupt_deflate, "liste.xlsx : le classeur est endommagé"),
    "bad-crc": (bad_crc, "liste.xlsx : le classeur est endommagé"),
    "truncated": (truncated, "liste.xlsx : classeur .xlsx illisible"),
    "late-dtd": (
        lambda data: laughs_after_comment(5_000),
        "liste.xlsx : une partie du classeur déclare une DTD",
    ),
}


@pytest.mark.parametrize("kind", sorted(DAMAGED))
def test_a_damaged_workbook_gets_a_french_message_and_its_upload_is_removed(
    client: FlaskClient, work_dir: Path, kind: str
) -> None:
    """A corrupt deflate stream left the upload in a session folder: now a 422 in French, and the folder gone."""
    damage, said = DAMAGED[kind]
    response = upload(client, damage(book_bytes()), "liste.xlsx")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert said in _text(page) and "Traceback" not in page and "zlib" not in page
    assert str(work_dir) not in page
    assert list(work_dir.iterdir()) == []


@pytest.mark.parametrize("title", NUMEN_SHEETS)
def test_a_numen_as_a_sheet_name_is_never_on_the_check_page(client: FlaskClient, title: str) -> None:
    """« Feuille lue : « 17E1234567ABC » » showed the NUMEN: now the page says a NUMEN name is withheld."""
    rows = [["Prénom", "Nom"], ["Marie", "Dupont"], ["Jean", ""]]
    page = _check_page(client, book_bytes(rows, (title, "Consignes")))
    words = _text(page)
    assert "Feuille lue : « (une feuille dont le nom contient un NUMEN, non affiché) »" in words
    assert "ligne 3" in words  # a refused row: its message names the sheet, withheld too
    squeezed = "".join(words.split())
    assert "17E1234567ABC" not in squeezed and "1234567" not in squeezed


def test_the_check_page_names_the_sheet_actually_read(client: FlaskClient) -> None:
    """The first sheet holds instructions, the second the list: the page named the first; now the one read."""
    import io

    import openpyxl

    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Consignes"
    notes["A1"] = "Remplir la feuille Liste"
    listing = book.create_sheet("Liste")
    for row in (["Prénom", "Nom"], ["Marie", "Dupont"]):
        listing.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    words = _text(_check_page(client, buffer.getvalue()))
    assert "Feuille lue : « Liste », l'une des 2 feuilles du classeur" in words
    assert "Feuille lue : « Consignes »" not in words


def test_100_000_csv_rows_are_refused_with_the_limit_named(client: FlaskClient, work_dir: Path) -> None:
    """A 1.1 MB CSV of 100 000 rows made 5.7 GB of sheets: refused at the check, naming the file and the limit.

    The rows are short: past 500 KB Flask's test client leaves its request body's temporary file open.
    """
    text = "Prénom;Nom\n" + "a;b\n" * 100_000
    response = upload(client, text.encode(), "grande liste.csv")
    assert response.status_code == 422
    words = _text(response.get_data(as_text=True))
    limit = f"{MAX_ROWS:,}".replace(",", " ")
    assert f"grande liste.csv : non lu : plus de {limit} lignes" in words
    assert "partagez-la en plusieurs fichiers" in words
    assert list(work_dir.iterdir()) == []


def test_a_list_at_the_row_limit_is_read(client: FlaskClient) -> None:
    """Exactly MAX_ROWS people (and blank lines, which do not count): every one of them on the check page."""
    text = "Prénom;Nom\n" + "".join(
        # Names hold no digit (refused as not a name): the number spelled in letters.
        f"Zoé;N{str(n).translate(str.maketrans('0123456789', 'abcdefghij'))}\n"
        + ("\n" if n % 100 == 0 else "")
        for n in range(MAX_ROWS - 1)
    )
    words = _text(_check_page(client, text.encode(), "liste.csv"))
    assert f"{MAX_ROWS - 1} personnes peuvent recevoir une fiche" in words


def test_a_workbook_past_the_row_limit_is_refused_too(client: FlaskClient, work_dir: Path) -> None:
    """The same cap for a workbook sent to the desk (the command line reads up to 250 000 rows)."""
    rows = [["Prénom", "Nom"]] + [["Zoé", f"N{n}"] for n in range(MAX_ROWS + 1)]
    response = upload(client, book_bytes(rows), "liste.xlsx")
    assert response.status_code == 422
    words = _text(response.get_data(as_text=True))
    assert "liste.xlsx, feuille 'Liste' : non lu : plus de" in words
    assert list(work_dir.iterdir()) == []
