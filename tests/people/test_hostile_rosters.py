"""Issue 12, rosters: NUMENs never shown nor written, files as offices save them read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from helpers import ROOT, assert_one_clear_error, run_cli

from generator.errors import RosterError
from generator.people import make_person, read_roster

REPO = ROOT
PROCEDURE = REPO / "data" / "procedure.yaml"


# --- rosters ---------------------------------------------------------------------------------------


def _roster(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_numen_with_a_colon_in_the_email_column_is_not_printed_back(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Courriel = 13E1812345:ABC: line and column named, the value shown nowhere."""
    roster = _roster(tmp_path, "Prénom;Nom;Courriel\nMarie;Dupont;13E1812345:ABC\n")
    code, out, err = run_cli(["personalise", str(roster), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "line 2: Courriel looks like it holds a NUMEN" in err
    assert "12345" not in out + err


def test_a_numen_in_a_family_name_never_reaches_the_outputs(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Nom = 'Dupont 13E1812345–ABC': the row is refused, nothing written, nothing echoed."""
    roster = _roster(tmp_path, "Prénom;Nom\nMarie;Dupont 13E1812345\u2013ABC\n")
    out = tmp_path / "out"
    code, stdout, err = run_cli(["personalise", str(roster), "--out", str(out), "--formats", "pdf"], capsys)
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file()) if out.exists() else b""
    names = " ".join(str(p) for p in out.rglob("*")) if out.exists() else ""
    assert b"12345" not in written and "12345" not in names
    assert code == 1 and "12345" not in stdout + err
    assert "line 2: Nom looks like it holds a NUMEN" in err


def test_a_numen_in_a_free_text_column_refuses_its_row(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """A column the tool does not use (Remarques) holding a NUMEN still refuses the row, naming line and column."""
    path = _roster(
        tmp_path,
        "Prénom;Nom;Remarques;;\nMarie;Dupont;numen 13 E18 12345 ABC;;\nPaul;Durand;ok;;17e1812345abc\n",
    )
    roster = read_roster(path, procedure)
    assert roster.people == ()
    assert roster.invalid == (
        f"{path}: line 2: Remarques (C) looks like it holds a NUMEN (a password): remove it from the roster",
        f"{path}: line 3: column E looks like it holds a NUMEN (a password): remove it from the roster",
    )
    assert "12345" not in repr(roster)


def test_a_numen_only_in_an_ignored_column_is_not_skipped_silently(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """A row with nothing in the used columns but a NUMEN elsewhere is refused, not skipped."""
    path = _roster(tmp_path, "Prénom;Nom;Remarques\n;;13E1812345ABC\nPaul;Durand;\n")
    roster = read_roster(path, procedure)
    assert [p.row for p in roster.people] == [3]
    assert roster.invalid == (
        f"{path}: line 2: Remarques (C) looks like it holds a NUMEN (a password): remove it from the roster",
    )


def test_a_header_holding_a_numen_is_ignored_and_never_shown(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """A NUMEN typed as a column header: the column is ignored with a warning naming its letter only."""
    path = _roster(tmp_path, "Prénom;Nom;17E1812345ABC\nMarie;Dupont;x\n")
    roster = read_roster(path, procedure)
    assert [p.identifier for p in roster.people] == ["mdupont"]
    assert any("column C ignored: its header looks like a NUMEN" in w for w in roster.warnings)
    assert "12345" not in repr(roster)


def test_a_numen_column_is_ignored_with_a_warning(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """A column named NUMEN (any spelling) is never read: its NUMENs refuse nothing and show nowhere."""
    path = _roster(tmp_path, "Prénom;Nom;N° de numen\nMarie;Dupont;17E1812345ABC\n")
    roster = read_roster(path, procedure)
    assert [p.identifier for p in roster.people] == ["mdupont"] and roster.invalid == ()
    assert any("'N° de numen' (C) ignored: the NUMEN is a password" in w for w in roster.warnings)
    assert "12345" not in repr(roster)


@pytest.mark.parametrize("field", ["first_name", "last_name", "birth_name", "identifier", "email", "manager"])
def test_make_person_refuses_a_numen_without_showing_it(procedure, field: str) -> None:  # type: ignore[no-untyped-def]
    """The desk: a NUMEN-shaped field (en dash, colon) is refused; the message names the field, not the value."""
    fields = {"first_name": "Marie", "last_name": "Dupont", field: "Dupont 13E1812345\u2013ABC"}
    with pytest.raises(RosterError) as caught:
        make_person(procedure, **fields)
    assert "looks like it holds a NUMEN (a password): remove it and type the value alone" in str(caught.value)
    assert "12345" not in str(caught.value)


@pytest.mark.parametrize("separator", [",", ";"])
def test_a_quoted_csv_field_holding_the_separator_is_read(tmp_path: Path, procedure, separator: str) -> None:  # type: ignore[no-untyped-def]
    """Hélène,"Bérénger, épouse Martin": one person, the separator kept in the name."""
    text = f'Prénom{separator}Nom\nHélène{separator}"Bérénger{separator} épouse Martin"\n'
    roster = read_roster(_roster(tmp_path, text), procedure)
    assert roster.invalid == ()
    assert [p.last_name for p in roster.people] == [f"Bérénger{separator} épouse Martin"]


@pytest.mark.parametrize("separator", ["|", ":"])
def test_an_unrecognised_separator_is_named(tmp_path: Path, procedure, separator: str) -> None:  # type: ignore[no-untyped-def]
    """Prénom|Nom: the message says the separator was not recognised and which ones are read."""
    text = (
        separator.join(["Prénom", "Nom", "Courriel"]) + "\n" + separator.join(["Marie", "Dupont", "m@x.org"])
    )
    with pytest.raises(RosterError) as caught:
        read_roster(_roster(tmp_path, text + "\n"), procedure)
    message = str(caught.value)
    assert "the separator was not recognised" in message and f"seems to use {separator!r}" in message
    assert "expected ; or , or a tab" in message


def test_a_title_row_without_separator_above_the_header_still_reads(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """The separator is looked for over the first lines, not only the first one."""
    roster = read_roster(_roster(tmp_path, "Session du 2 septembre\nPrénom;Nom\nMarie;Dupont\n"), procedure)
    assert [p.identifier for p in roster.people] == ["mdupont"]


# --- workbooks with several sheets ---------------------------------------------------------------


def _book(path: Path, hidden_first: bool = True, active_list: bool = False) -> Path:
    """Sheet 1 'Consignes' (instructions, hidden or not), sheet 2 'Liste' with the header row and a bad row."""
    book = openpyxl.Workbook()
    notes = book.active
    assert notes is not None
    notes.title = "Consignes"
    notes["A1"] = "Remplissez l'onglet Liste, une ligne par personne."
    listing = book.create_sheet("Liste")
    for row in (["Prénom", "Nom"], ["Marie", "Dupont"], ["", "Martin"]):
        listing.append(row)
    if hidden_first:
        notes.sheet_state = "hidden"
        book.active = 1
    elif active_list:
        book.active = 1
    book.save(path)
    return path


@pytest.mark.parametrize(("hidden_first", "active_list"), [(True, True), (False, False), (False, True)])
def test_the_sheet_with_the_header_row_is_read_and_named(
    tmp_path: Path, procedure, hidden_first, active_list
) -> None:  # type: ignore[no-untyped-def]
    """A first sheet hidden or holding instructions: the list on 'Liste' is read; messages and a warning name it."""
    path = _book(tmp_path / "r.xlsx", hidden_first, active_list)
    roster = read_roster(path, procedure)
    assert [p.identifier for p in roster.people] == ["mdupont"]
    assert roster.invalid == (
        f"{path}, sheet 'Liste': line 3: Prénom is empty (expected the person's first name)",
    )
    assert any(
        f"{path}: read sheet 'Liste', the first with a header row" in w and "'Consignes'" in w
        for w in roster.warnings
    )


def test_sheet_option_chooses_the_sheet(tmp_path: Path, procedure, capsys) -> None:  # type: ignore[no-untyped-def]
    """--sheet NAME reads that sheet; a sheet without header row says so, naming the sheet."""
    path = _book(tmp_path / "r.xlsx", hidden_first=False)
    with pytest.raises(RosterError) as caught:
        read_roster(path, procedure, sheet="Consignes")
    assert str(caught.value).startswith(f"{path}, sheet 'Consignes': no header row")
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        [
            "personalise",
            str(path),
            "--sheet",
            "Liste",
            "--skip-invalid",
            "--formats",
            "pdf",
            "--out",
            str(out),
        ],
        capsys,
    )
    assert code == 0, err
    assert (out / "mdupont.pdf").exists()
    code, _, err = run_cli(["personalise", str(path), "--sheet", "Nope", "--out", str(out)], capsys)
    assert code == 1 and "no worksheet named 'Nope' (found 'Consignes', 'Liste')" in err


def test_no_sheet_with_a_header_row_names_the_sheets(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """Two sheets, neither with a header row: the error lists the sheets looked at."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first["A1"] = "rien"
    book.create_sheet("Autre")["A1"] = "toujours rien"
    book.save(tmp_path / "r.xlsx")
    with pytest.raises(RosterError) as caught:
        read_roster(tmp_path / "r.xlsx", procedure)
    assert "no sheet has a header row (looked at 'Sheet', 'Autre'" in str(caught.value)


# --- size -------------------------------------------------------------------------------------------

MEASURE_CLI = """
import json, resource, sys, time
started = time.perf_counter()
from generator.cli import main
from generator.errors import RosterError
from generator.people import make_person, read_roster
code = main(["personalise", sys.argv[1], "--out", sys.argv[2]])
seconds = time.perf_counter() - started
try:
    peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"code": code, "seconds": seconds, "peak_mb": peak}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="measures with /proc or the resource module")
def test_a_zip_bomb_roster_is_refused_by_personalise_fast_and_small(tmp_path: Path) -> None:
    """personalise on the 1.5 MB bomb (1.5 GB of XML): exit 1 with one error line, under 2 s and 200 MB."""
    from test_xlsx_guard import _bomb_sheet, _workbook

    bomb = _workbook(tmp_path / "roster.xlsx", _bomb_sheet())
    result = subprocess.run(
        [sys.executable, "-c", MEASURE_CLI, str(bomb), str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    figures = json.loads(result.stdout.splitlines()[-1])
    assert figures["code"] == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith(f"error: {bomb}: not read: one part expands to"), result.stderr
    assert figures["seconds"] < 2 and figures["peak_mb"] < 200, figures


@pytest.mark.parametrize("last_name", ["Dupont 1312345678ABC", "Dupont 131812345ABCD", "Martin-1234567"])
def test_a_name_holding_a_numen_in_two_blocks_is_refused(tmp_path: Path, capsys, last_name: str) -> None:  # type: ignore[no-untyped-def]
    """Found by review: a 13-character value in two blocks passed as a family name into file names and sheets."""
    out = tmp_path / "out"
    code, stdout, err = run_cli(
        ["person", "--first-name", "Marie", "--last-name", last_name, "--out", str(out)], capsys
    )
    assert_one_clear_error(code, err)
    assert "NUMEN" in err and "1234" not in stdout + err
    assert not out.exists() or not any(out.iterdir())
