"""Names garbled by a wrong encoding, holding digits or an encoded e-mail header: refused alike in a CSV, an .xlsx and at the desk."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from generator.errors import RosterError
from generator.i18n import use_language
from generator.people.person import make_person
from generator.people.roster import read_roster
from generator.procedure.model import Procedure

GARBLED = [
    "NGUY?N",
    "Nguy\ufffdn",
    "LefÃ¨vre",
    "FranÃ§ois",
    "BÃ©rÃ©nice",
    "ZoÃ«",
    "CÃ´me",
    "Å‚ukasz",
    "PiÄ\u2122tka",
]
ENCODED = ["=?UTF-8?B?SmVhbg==?=", "=?iso-8859-1?q?Fran=E7ois?=", "Dupont =?utf-8?Q?L=C3=A9a?="]
DIGITS = ["Dupont2", "Louis 14", "Marie-3"]
FIELDS = [("first_name", "Prénom"), ("last_name", "Nom"), ("birth_name", "Nom de naissance")]
# Names that look close but are names: they must pass.
FINE = ["JOÃO", "ÅSA", "Ängström", "ANDRÉ–MARTIN", "Ébène"]


def _values(field: str, value: str) -> dict[str, str]:
    values = {"first_name": "Marie", "last_name": "Dupont", "birth_name": ""}
    values[field] = value
    return values


def _csv(tmp_path: Path, field: str, value: str) -> Path:
    v = _values(field, value)
    path = tmp_path / "roster.csv"
    path.write_text(
        f"Prénom;Nom;Nom de naissance\n{v['first_name']};{v['last_name']};{v['birth_name']}\n",
        encoding="utf-8",
    )
    return path


def _xlsx(tmp_path: Path, field: str, value: str) -> Path:
    v = _values(field, value)
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Prénom", "Nom", "Nom de naissance"])
    for column, key in enumerate(("first_name", "last_name", "birth_name"), start=1):
        if v[key]:
            cell = sheet.cell(row=2, column=column, value=v[key])
            cell.data_type = "s"  # text as typed: openpyxl would take "=?…" for a formula
    path = tmp_path / "roster.xlsx"
    book.save(path)
    return path


def _refusals(tmp_path: Path, procedure: Procedure, way: str, field: str, value: str) -> str:
    """The refusal of the one row (or the desk's message), in English."""
    with use_language("en"):
        if way == "desk":
            with pytest.raises(RosterError) as refused:
                make_person(procedure, **_values(field, value))
            return str(refused.value)
        path = (_csv if way == "csv" else _xlsx)(tmp_path, field, value)
        roster = read_roster(path, procedure)
        assert len(roster.people) == 0 and len(roster.invalid) == 1
        return roster.invalid[0]


@pytest.mark.parametrize("way", ["csv", "xlsx", "desk"])
@pytest.mark.parametrize(("field", "header"), FIELDS)
@pytest.mark.parametrize("value", GARBLED)
def test_garbled_names_are_refused_with_the_advice(
    tmp_path: Path, procedure: Procedure, way: str, field: str, header: str, value: str
) -> None:
    message = _refusals(tmp_path, procedure, way, field, value)
    assert "wrong encoding" in message and "CSV UTF-8" in message
    assert value not in message  # the cell is not echoed
    if way != "desk":
        assert f"line 2: {header} holds garbled characters" in message


@pytest.mark.parametrize("way", ["csv", "xlsx", "desk"])
@pytest.mark.parametrize(("field", "header"), FIELDS)
@pytest.mark.parametrize("value", ENCODED)
def test_encoded_words_are_no_name(
    tmp_path: Path, procedure: Procedure, way: str, field: str, header: str, value: str
) -> None:
    message = _refusals(tmp_path, procedure, way, field, value)
    assert "encoded e-mail header" in message and value not in message


@pytest.mark.parametrize("way", ["csv", "xlsx", "desk"])
@pytest.mark.parametrize(("field", "header"), FIELDS)
@pytest.mark.parametrize("value", DIGITS)
def test_digits_are_refused_in_names(
    tmp_path: Path, procedure: Procedure, way: str, field: str, header: str, value: str
) -> None:
    message = _refusals(tmp_path, procedure, way, field, value)
    assert "holds a digit: a name has none" in message


@pytest.mark.parametrize("value", FINE)
def test_names_close_to_mojibake_pass(procedure: Procedure, value: str) -> None:
    person = make_person(procedure, first_name="Marie", last_name=value)
    assert person.last_name == value


def test_the_french_message_gives_the_advice_in_french(procedure: Procedure) -> None:
    with use_language("fr"), pytest.raises(RosterError) as refused:
        make_person(procedure, first_name="Marie", last_name="LefÃ¨vre")
    text = str(refused.value).replace("\u00a0", " ")
    assert "mauvais encodage" in text and "« CSV UTF-8 »" in text and "« nom »" in text
