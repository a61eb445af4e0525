"""Rosters as offices export them: encodings, separators, XLSX, headers, bad rows, NUMEN, homonyms."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl
import pytest

from generator.errors import RosterError
from generator.people.cells import MAX_EMAIL, MAX_FAMILY_NAME, MAX_FIRST_NAME, MAX_IDENTIFIER
from generator.people.person import Person, make_person
from generator.people.roster import Roster, read_roster
from generator.procedure.model import Procedure
from generator.resources import example_roster

HEADER = ["Prénom", "Nom", "Nom de naissance", "Courriel", "Gestionnaire"]
ROWS = [
    ["Marie", "Dupont", "", "marie.dupont@example.org", "vieljeux"],
    ["Jean-Pierre", "Le Dupond", "", "jp@example.fr", "Lycée Vieljeux"],
    ["Françoise", "Martin", "Lefèvre", "", "aesh17"],
    ["Éloïse", "D’Artagnan-Œuvray", "", "eloise@example.org", ""],
    ["Mathieu", "Dupont", "", "", ""],
]
EXPECTED = [
    # (row, identifier, flags, manager)
    (2, "mdupont", ("homonym",), "vieljeux"),
    (3, "jle-dupond", (), "vieljeux"),
    (4, "flefevre", ("birth-name",), "aesh17"),
    (5, "edartagnan-oeuvray", (), ""),
    (6, "mdupont", ("homonym",), ""),
]
NUMENS = ["17E0123456ABC", "05E9876543XYZ"]


def write_csv(
    path: Path,
    rows: list[list[str]],
    sep: str = ";",
    encoding: str = "utf-8",
    quoting: int = csv.QUOTE_MINIMAL,
) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=sep, quoting=quoting, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value not in ("", None):
                sheet.cell(row=r, column=c, value=value)
    book.save(path)
    return path


def where(path: Path) -> str:
    """A roster file as messages name it: a workbook with its sheet (openpyxl's default one here)."""
    return f"{path}, sheet 'Sheet'" if path.suffix == ".xlsx" else str(path)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def summary(roster: Roster) -> list[tuple[int | None, str, tuple[str, ...], str]]:
    return [(p.row, p.identifier, p.flags, p.manager) for p in roster.people]


VARIANTS = {
    "utf8-semicolon": lambda p, rows: write_csv(p / "r.csv", rows),
    "utf8-bom-semicolon": lambda p, rows: write_csv(p / "r.csv", rows, encoding="utf-8-sig"),
    "cp1252-semicolon": lambda p, rows: write_csv(p / "r.csv", rows, encoding="cp1252"),
    "utf8-comma": lambda p, rows: write_csv(p / "r.csv", rows, sep=","),
    "cp1252-comma-quoted": lambda p, rows: write_csv(p / "r.csv", rows, ",", "cp1252", csv.QUOTE_ALL),
    "utf16-tab": lambda p, rows: write_csv(p / "r.txt", rows, sep="\t", encoding="utf-16"),
    "xlsx": lambda p, rows: write_xlsx(p / "r.xlsx", rows),
}


def test_reference_roster_gives_the_expected_people(tmp_path: Path, procedure: Procedure) -> None:
    """The UTF-8 ; roster gives the expected identifiers, rows, flags and managers, in file order."""
    roster = read_roster(write_csv(tmp_path / "r.csv", [HEADER, *ROWS]), procedure)
    assert summary(roster) == EXPECTED
    assert roster.invalid == ()
    assert roster.people[3] == Person(
        first_name="Éloïse",
        last_name="D’Artagnan-Œuvray",
        identifier="edartagnan-oeuvray",
        email="eloise@example.org",
        row=5,
    )


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_same_roster_in_every_format_gives_identical_people(
    tmp_path: Path, procedure: Procedure, variant: str
) -> None:
    """UTF-8 with or without BOM, cp1252, ; or , or tab, quoted fields and xlsx all read the same."""
    reference = read_roster(write_csv(tmp_path / "ref.csv", [HEADER, *ROWS]), procedure)
    roster = read_roster(VARIANTS[variant](tmp_path, [HEADER, *ROWS]), procedure)
    assert roster.people == reference.people
    assert roster.invalid == ()


def test_headers_in_english_odd_case_and_spacing(tmp_path: Path, procedure: Procedure) -> None:
    """English aliases, capitals, stray spaces and punctuation in headers are recognised."""
    header = ["  FIRST NAME ", "last-name", "Maiden Name", "E-Mail", "MANAGER", " LOGIN "]
    rows = [
        header,
        ["Zoé", "Martin", "Lefèvre", "zoe@example.org", "AESH17", ""],
        ["Paul", "Durand", "", "", "", "pdurand2"],
    ]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows, sep=","), procedure)
    assert summary(roster) == [
        (2, "zlefevre", ("birth-name",), "aesh17"),
        (3, "pdurand2", ("identifier-given", "unsure"), ""),
    ]
    assert roster.people[0].email == "zoe@example.org"
    assert roster.warnings == ()


def test_french_headers_with_accents_dropped_and_apostrophes(tmp_path: Path, procedure: Procedure) -> None:
    """PRENOM, nom d'usage, Nom de famille, Adresse électronique, Service gestionnaire are recognised."""
    header = ["PRENOM", "nom d’usage", "Nom de famille", "Adresse électronique", "Service gestionnaire"]
    rows = [header, ["Zoé", "Martin", "Lefèvre", "zoe@example.org", "Pôle académique de gestion des AESH"]]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows), procedure)
    assert summary(roster) == [(2, "zlefevre", ("birth-name",), "aesh17")]


def test_nom_beside_nom_d_usage_is_read_as_the_birth_name(tmp_path: Path, procedure: Procedure) -> None:
    """A plain Nom column beside Nom d'usage is the birth name, as on French forms, with a warning."""
    rows = [["Prénom", "Nom", "Nom d'usage"], ["Zoé", "Lefèvre", "Martin"]]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows), procedure)
    assert [(p.last_name, p.birth_name, p.identifier) for p in roster.people] == [
        ("Martin", "Lefèvre", "zlefevre")
    ]
    assert any("'Nom' read as the birth name" in w for w in roster.warnings)


def test_nom_de_famille_alone_is_the_family_name(tmp_path: Path, procedure: Procedure) -> None:
    """A roster whose only family-name column is Nom de famille uses it as the family name."""
    roster = read_roster(
        write_csv(tmp_path / "r.csv", [["Prénom", "Nom de famille"], ["Zoé", "Martin"]]), procedure
    )
    assert [(p.last_name, p.identifier) for p in roster.people] == [("Martin", "zmartin")]


def test_bad_rows_are_named_by_line_number_with_field_and_expectation(
    tmp_path: Path, procedure: Procedure
) -> None:
    """Each bad row gives one message FILE: line N: naming the column and what was expected."""
    header = ["Prénom", "Nom", "Identifiant", "Courriel", "Gestionnaire"]
    rows = [
        header,
        ["Marie", "Dupont", "", "", ""],  # line 2: fine
        ["", "Dupont", "", "", ""],  # line 3
        ["Marie", "", "", "", ""],  # line 4
        ["Marie", "Dupont", "m dupont!", "", ""],  # line 5
        ["Marie", "Dupont", "", "marie.dupont@", ""],  # line 6
        ["Ivan", "Иванов", "", "", ""],  # line 7
        ["Marie", "Dupont", "", "", "Lycée inconnu"],  # line 8
        ["", "", "", "pas-une-adresse", ""],  # line 9: two problems, one message
    ]
    path = write_csv(tmp_path / "roster.csv", rows)
    roster = read_roster(path, procedure)
    assert [p.row for p in roster.people] == [2]
    assert roster.invalid == (
        f"{path}: line 3: Prénom is empty (expected the person's first name)",
        f"{path}: line 4: Nom is empty (expected the person's family name)",
        f"{path}: line 5: Identifiant 'm dupont!' is not a valid identifier "
        "(expected lower-case letters a-z, digits and single hyphens, like mdupont)",
        f"{path}: line 6: Courriel 'marie.dupont@' is not an email address (expected a personal address like "
        "prenom.nom@example.fr)",
        f"{path}: line 7: Nom has letters outside the Latin alphabet (expected the person's family name in "
        "Latin letters, as on the contract)",
        f"{path}: line 8: Gestionnaire 'Lycée inconnu' is not a managing office of the procedure "
        "(expected one of vieljeux (Lycée Vieljeux), aesh17 (Pôle académique de gestion des AESH))",
        f"{path}: line 9: Prénom is empty (expected the person's first name); Nom is empty (expected the "
        "person's family name); Courriel 'pas-une-adresse' is not an email address (expected a personal "
        "address like prenom.nom@example.fr)",
    )


def test_first_name_without_a_latin_letter_is_invalid(tmp_path: Path, procedure: Procedure) -> None:
    """A first name in another alphabet cannot be printed nor give an initial: the row is invalid, naming Prénom."""
    roster = read_roster(write_csv(tmp_path / "r.csv", [HEADER[:2], ["Иван", "Dupont"]]), procedure)
    assert roster.people == ()
    assert "line 2: Prénom has letters outside the Latin alphabet" in roster.invalid[0]
    assert "Иван" not in roster.invalid[0]


def test_empty_rows_are_skipped_but_still_counted(tmp_path: Path, procedure: Procedure) -> None:
    """Blank lines and rows of empty cells are skipped silently; later rows keep their file line number."""
    text = "Prénom;Nom\n\nMarie;Dupont\n;;\n  ;  \nPaul;Durand\n\n"
    roster = read_roster(write_text(tmp_path / "r.csv", text), procedure)
    assert summary(roster) == [(3, "mdupont", (), ""), (6, "pdurand", (), "")]
    assert roster.invalid == () and roster.warnings == ()


def test_empty_rows_in_xlsx_keep_sheet_row_numbers(tmp_path: Path, procedure: Procedure) -> None:
    """In a workbook, rows are numbered as the sheet numbers them, empty rows included."""
    rows: list[list[object]] = [["Prénom", "Nom"], [], ["Marie", "Dupont"], [], [], ["", "Sans prénom"]]
    roster = read_roster(write_xlsx(tmp_path / "r.xlsx", rows), procedure)
    assert summary(roster) == [(3, "mdupont", (), "")]
    assert roster.invalid == (
        f"{where(tmp_path / 'r.xlsx')}: line 6: Prénom is empty (expected the person's first name)",
    )


def test_xlsx_numbers_become_text(tmp_path: Path, procedure: Procedure) -> None:
    """Numeric cells are read as text: 3.0 is '3', an identifier typed as a number stays digits."""
    rows: list[list[object]] = [
        ["Prénom", "Nom", "Identifiant"],
        ["Marie", 3.0, ""],
        ["Paul", "Durand", 1234],
    ]
    path = write_xlsx(tmp_path / "r.xlsx", rows)
    roster = read_roster(path, procedure)
    assert roster.invalid == (
        f"{where(path)}: line 2: Nom holds a digit: a name has none (expected the person's family name)",
    )
    assert summary(roster) == [(3, "1234", ("identifier-given", "unsure"), "")]


def test_stray_spaces_are_stripped(tmp_path: Path, procedure: Procedure) -> None:
    """Leading, trailing, doubled and non-breaking spaces are removed from every cell."""
    rows = [HEADER, ["  Marie\u00a0 ", " Le   Dupond ", "", " marie@example.org\u00a0", " vieljeux "]]
    person = read_roster(write_csv(tmp_path / "r.csv", rows), procedure).people[0]
    assert (person.first_name, person.last_name, person.email, person.manager, person.identifier) == (
        "Marie",
        "Le Dupond",
        "marie@example.org",
        "vieljeux",
        "mle-dupond",
    )


def test_numen_column_is_ignored_and_its_values_appear_nowhere(tmp_path: Path, procedure: Procedure) -> None:
    """A NUMEN column is ignored with a warning that says so; no NUMEN is in the repr of the Roster."""
    header = ["Prénom", "Nom", "N° NUMEN", "Courriel"]
    rows = [header, ["Marie", "Dupont", NUMENS[0], "marie@example.org"], ["", "Durand", NUMENS[1], "bad@"]]
    for path in (write_csv(tmp_path / "r.csv", rows), write_xlsx(tmp_path / "r.xlsx", rows)):
        roster = read_roster(path, procedure)
        assert summary(roster) == [(2, "mdupont", (), "")]
        assert len(roster.invalid) == 1
        assert any("'N° NUMEN' (C) ignored" in w and "password" in w for w in roster.warnings)
        for numen in NUMENS:
            assert numen not in repr(roster) and numen.lower() not in repr(roster).lower()


def test_numen_typed_in_a_used_column_is_refused_and_not_echoed(tmp_path: Path, procedure: Procedure) -> None:
    """A NUMEN in the Identifiant or Courriel column makes the row invalid without showing the value."""
    rows = [
        ["Prénom", "Nom", "Identifiant", "Courriel"],
        ["Marie", "Dupont", NUMENS[0], ""],
        ["Paul", "Durand", "", NUMENS[1]],
    ]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows), procedure)
    assert roster.people == ()
    assert "line 2: Identifiant looks like it holds a NUMEN (a password)" in roster.invalid[0]
    assert "line 3: Courriel looks like it holds a NUMEN (a password)" in roster.invalid[1]
    assert not any(numen in repr(roster) for numen in NUMENS)


def test_headerless_roster_error_does_not_echo_a_numen(tmp_path: Path, procedure: Procedure) -> None:
    """When the first row is data, the error quoting it hides a NUMEN it holds."""
    path = write_csv(tmp_path / "r.csv", [["Marie", "Nom", NUMENS[0]]])
    with pytest.raises(RosterError) as caught:
        read_roster(path, procedure)
    assert "no column for the first name" in str(caught.value)
    assert NUMENS[0] not in str(caught.value)


def test_homonyms_are_all_flagged(tmp_path: Path, procedure: Procedure) -> None:
    """Every person whose identifier collides gets "homonym", a given identifier included; others do not."""
    rows = [
        ["Prénom", "Nom", "Identifiant"],
        ["Marie", "Dupont", ""],
        ["Paul", "Martin", ""],
        ["Mathieu", "Dupont", ""],
        ["Michel", "Durand", "mdupont"],
        ["Marc", "Dupont", "mdupont1"],
    ]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows), procedure)
    assert summary(roster) == [
        (2, "mdupont", ("homonym",), ""),
        (3, "pmartin", (), ""),
        (4, "mdupont", ("homonym",), ""),
        (5, "mdupont", ("identifier-given", "unsure", "homonym"), ""),
        (6, "mdupont1", ("identifier-given", "unsure"), ""),
    ]
    assert any("lines 2, 4 and 5 give the same identifier 'mdupont'" in w for w in roster.warnings)


def test_given_identifier_wins_and_its_case_is_normalised(tmp_path: Path, procedure: Procedure) -> None:
    """An Identifiant cell wins over the rule; capitals are lowered, with a warning saying so."""
    rows = [["Prénom", "Nom", "Identifiant"], ["Marie", "Dupont", " MDupont3 "]]
    path = write_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path, procedure)
    assert summary(roster) == [(2, "mdupont3", ("identifier-given", "unsure"), "")]
    assert roster.warnings == (f"{path}: line 2: Identifiant 'MDupont3' read as 'mdupont3'",)


@pytest.mark.parametrize(
    "cell", ["vieljeux", "VIELJEUX", "Lycée Vieljeux", "lycee vieljeux", " Lycée  VIELJEUX "]
)
def test_manager_matches_group_id_or_name(tmp_path: Path, procedure: Procedure, cell: str) -> None:
    """The Gestionnaire cell names a contact group by id or name, without regard to case or accents."""
    rows = [["Prénom", "Nom", "Gestionnaire"], ["Marie", "Dupont", cell]]
    roster = read_roster(write_csv(tmp_path / "r.csv", rows), procedure)
    assert [p.manager for p in roster.people] == ["vieljeux"]


def test_unknown_columns_are_named_in_one_warning(tmp_path: Path, procedure: Procedure) -> None:
    """Columns the tool does not use are ignored and listed, with their letter, in a single warning."""
    rows = [
        ["N°", "Prénom", "Nom", "Date de naissance", "Établissement"],
        ["1", "Marie", "Dupont", "1990", "X"],
    ]
    path = write_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path, procedure)
    assert summary(roster) == [(2, "mdupont", (), "")]
    assert roster.warnings == (
        f"{path}: line 1: columns ignored: 'N°' (A), 'Date de naissance' (D), 'Établissement' (E)",
    )


def test_rows_with_only_ignored_columns_are_skipped_with_one_warning(
    tmp_path: Path, procedure: Procedure
) -> None:
    """A pre-numbered template row with no name is skipped, and said so once for all such lines."""
    rows = [["N°", "Prénom", "Nom"], ["1", "Marie", "Dupont"], ["2", "", ""], ["3", "", ""], ["4", "", ""]]
    path = write_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path, procedure)
    assert roster.invalid == ()
    assert (
        f"{path}: lines 3-5 skipped: nothing in the name, identifier, email or manager columns"
        in roster.warnings
    )


def test_professional_address_gives_a_warning(tmp_path: Path, procedure: Procedure) -> None:
    """An address in the académie's own domain is kept but warned about: the person cannot open it yet."""
    rows = [["Prénom", "Nom", "Courriel"], ["Marie", "Dupont", "marie.dupont@AC-POITIERS.FR"]]
    path = write_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path, procedure)
    assert [p.email for p in roster.people] == ["marie.dupont@AC-POITIERS.FR"]
    assert roster.warnings == (
        f"{path}: line 2: Courriel 'marie.dupont@AC-POITIERS.FR' is a professional address the person "
        "cannot open yet (expected a personal address like prenom.nom@example.fr)",
    )


def test_header_without_rows_gives_an_empty_roster_and_a_warning(
    tmp_path: Path, procedure: Procedure
) -> None:
    """A roster with a header and no person is not an error, but the warning says it is empty."""
    path = write_text(tmp_path / "r.csv", "Prénom;Nom\n;\n")
    roster = read_roster(path, procedure)
    assert roster == Roster(people=(), warnings=(f"{path}: no person below the header row (line 1)",))


def test_title_row_above_the_header_is_ignored(tmp_path: Path, procedure: Procedure) -> None:
    """A title line above the header row is skipped with a warning; line numbers still count it."""
    path = write_text(tmp_path / "r.csv", "Session du 2 septembre;;\nPrénom;Nom\nMarie;Dupont\n")
    roster = read_roster(path, procedure)
    assert summary(roster) == [(3, "mdupont", (), "")]
    assert roster.warnings == (f"{path}: line 1 above the header row (line 2) ignored",)


def test_excel_sep_hint_line_sets_the_separator(tmp_path: Path, procedure: Procedure) -> None:
    """Excel's "sep=," first line is obeyed and is not taken for the header."""
    path = write_text(tmp_path / "r.csv", "sep=,\nPrénom,Nom\nMarie,Dupont;Martin\n")
    roster = read_roster(path, procedure)
    assert [(p.row, p.last_name) for p in roster.people] == [(3, "Dupont;Martin")]


def test_quoted_field_with_a_newline_keeps_later_line_numbers(tmp_path: Path, procedure: Procedure) -> None:
    """A quoted cell spanning two lines is refused as one row; the next row keeps its line in the file."""
    path = write_text(tmp_path / "r.csv", 'Prénom;Nom\n"Marie\nClaire";Dupont\n;Durand\nPaul;Martin\n')
    roster = read_roster(path, procedure)
    assert [(p.row, p.first_name) for p in roster.people] == [(5, "Paul")]
    assert roster.invalid == (
        f"{path}: line 2: Prénom holds a line break (expected the person's first name, on one line)",
        f"{path}: line 4: Prénom is empty (expected the person's first name)",
    )


def test_example_roster_is_valid_and_shows_the_hard_cases(procedure: Procedure) -> None:
    """data/roster.example.csv loads without a bad row, with its two homonyms and a birth name."""
    roster = read_roster(example_roster(), procedure)
    assert roster.invalid == ()
    assert len(roster.people) >= 8
    assert sum("homonym" in p.flags for p in roster.people) == 2
    assert any("birth-name" in p.flags for p in roster.people)
    assert all(p.email.endswith(("@example.org", "@example.fr")) for p in roster.people if p.email)


# --- file-level problems -----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "file not found"),
        ("roster.pdf", b"%PDF-1.7", "unknown extension '.pdf'"),
        ("roster.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx or as CSV"),
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b" \r\n;;;\r\n\r\n", "the file is empty"),
        ("data.csv", b"Marie;Dupont\nPaul;Durand\n", "no header row"),
        ("names.csv", b"Nom;Courriel\nDupont;m@example.org\n", "no column for the first name"),
        (
            "names2.csv",
            "Prénom Nom;Courriel\n".encode(),
            "no column for the first name (Prénom, First name) and the family name (Nom, Last name)",
        ),
        ("twice.csv", "Prénom;Nom;First name\n".encode(), "'Prénom' (A) and 'First name' (C) both give"),
        (
            "fake.xlsx",
            b"Prenom;Nom\nMarie;Dupont\n",
            "this is CSV text, not an .xlsx workbook: rename it to .csv",
        ),
        ("broken.xlsx", b"PK\x03\x04not really a zip", "not a readable .xlsx workbook"),
        ("binary.xlsx", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a readable .xlsx workbook"),
        ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "password-protected"),
        ("garbage.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "not a text file"),
        ("controls.csv", b"Pr\x01nom;Nom\x02\n", "not a text file"),
        ("undefined.csv", b"Pr\x81nom;Nom\n\x8d\x8f", "neither UTF-8 nor Windows-1252"),
        ("zipped.csv", b"PK\x03\x04rest", "rename it to .xlsx"),
    ],
)
def test_file_level_problems_raise_roster_error(
    tmp_path: Path, procedure: Procedure, name: str, content: bytes | None, message: str
) -> None:
    """A file the tool cannot use as a whole raises RosterError naming the file and the problem."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    with pytest.raises(RosterError) as caught:
        read_roster(path, procedure)
    text = str(caught.value)
    assert text.startswith(f"{path}: ") and message in text


def test_folder_instead_of_file_raises(tmp_path: Path, procedure: Procedure) -> None:
    """A folder given as roster raises RosterError saying so."""
    (tmp_path / "r.csv").mkdir()
    with pytest.raises(RosterError, match="is a folder"):
        read_roster(tmp_path / "r.csv", procedure)


# --- one person typed at the desk ---------------------------------------------


def test_make_person_checks_like_a_row(procedure: Procedure) -> None:
    """make_person computes the identifier, flags the birth name and resolves the manager."""
    person = make_person(
        procedure, first_name=" Zoé ", last_name="Martin", birth_name="Lefèvre", manager="Lycée Vieljeux"
    )
    assert person == Person(
        first_name="Zoé",
        last_name="Martin",
        identifier="zlefevre",
        birth_name="Lefèvre",
        manager="vieljeux",
        flags=("birth-name",),
    )


def test_make_person_raises_with_every_problem(procedure: Procedure) -> None:
    """Invalid fields raise RosterError listing each problem by field name; a NUMEN is not echoed."""
    with pytest.raises(RosterError) as caught:
        make_person(
            procedure, first_name="", last_name="Dupont", identifier=NUMENS[0], email="x@", manager="rectorat"
        )
    assert caught.value.problems == [
        "identifier looks like it holds a NUMEN (a password): remove it and type the value alone",
        "first name is empty (expected the person's first name)",
        "email 'x@' is not an email address (expected a personal address like prenom.nom@example.fr)",
        "manager 'rectorat' is not a managing office of the procedure (expected one of vieljeux (Lycée "
        "Vieljeux), aesh17 (Pôle académique de gestion des AESH))",
    ]
    assert NUMENS[0] not in str(caught.value)


# --- regressions: a NUMEN anywhere in a cell ----------------------------------

NUMEN_CELLS = [
    # (column, cell): the NUMEN 17E0912345ABC hidden in a value the tool uses
    ("Nom", "Dupont 17E0912345ABC"),
    ("Nom", "Dupont17E0912345ABC"),
    ("Prénom", "Marie (17E0912345ABC)"),
    ("Courriel", "17E0912345ABC@example.org"),
    ("Courriel", "marie.17e0912345abc@example.org"),
    ("Identifiant", "17E0912345ABCX"),
    ("Identifiant", "17e0912345ab"),
    ("Nom", "Dupont 17E 0912345 ABC"),
    ("Nom", "Dupont 17E-0912345-ABC"),
    ("Nom", "Dupont 17E\u200b0912345ABC"),
    ("Nom", "Dupont \uff11\uff17E0912345ABC"),  # fullwidth digits
    ("Gestionnaire", "vieljeux 17E0912345ABC"),
]


@pytest.mark.parametrize(("column", "cell"), NUMEN_CELLS)
def test_numen_inside_a_name_cell_refuses_the_row(
    tmp_path: Path, procedure: Procedure, column: str, cell: str
) -> None:
    """A NUMEN inside any used cell refuses the row, naming line and column, and is echoed nowhere."""
    header = ["Prénom", "Nom", "Identifiant", "Courriel", "Gestionnaire"]
    row = ["Marie", "Dupont", "", "m@example.org", ""]
    row[header.index(column)] = cell
    for path in (
        write_csv(tmp_path / "n.csv", [header, row, ["Paul", "Durand", "", "", ""]]),
        write_xlsx(tmp_path / "n.xlsx", [header, row, ["Paul", "Durand", "", "", ""]]),
    ):
        roster = read_roster(path, procedure)
        assert roster.invalid == (
            f"{where(path)}: line 2: {column} looks like it holds a NUMEN (a password): remove it from the roster",
        )
        assert [p.row for p in roster.people] == [3]
        shown = repr(roster).lower()
        assert "0912345" not in shown and "\uff11\uff17" not in shown


@pytest.mark.parametrize("field", ["first_name", "last_name", "birth_name", "identifier", "email", "manager"])
def test_numen_typed_at_the_desk_inside_any_value_is_refused(procedure: Procedure, field: str) -> None:
    """make_person refuses a NUMEN inside any value, naming the field and not the value."""
    fields = {"first_name": "Marie", "last_name": "Dupont"}
    fields[field] = "x 17E0912345ABC@example.org" if field == "email" else "Dupont 17E0912345ABC"
    with pytest.raises(RosterError) as caught:
        make_person(procedure, **fields)
    label = field.replace("_", " ")
    assert caught.value.problems[0] == (
        f"{label} looks like it holds a NUMEN (a password): remove it and type the value alone"
    )
    assert "0912345" not in str(caught.value)


@pytest.mark.parametrize(
    "value",
    [
        "Marie-Amélie",
        "Jean-Pierre Le Dupond de La Tour",
        "marie.dupont1985@example.org",
        "jean-pierre.martin75017@example.fr",
        "m0612345678@example.org",
        "mdupont12",
        "Louis XIV",
    ],
)
def test_real_names_and_addresses_with_digits_are_not_taken_for_a_numen(
    procedure: Procedure, value: str
) -> None:
    """No false NUMEN: real names have no digits, and ordinary addresses or identifiers pass."""
    if "@" in value:
        person = make_person(procedure, first_name="Marie", last_name="Dupont", email=value)
        assert person.email == value
    elif value.islower():
        assert (
            make_person(procedure, first_name="Marie", last_name="Dupont", identifier=value).identifier
            == value
        )
    else:
        assert make_person(procedure, first_name=value, last_name=value).first_name == value


def test_numen_in_a_name_stops_the_personalise_command_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reviewer's repro: personalise exits non-zero, writes nothing and prints no NUMEN."""
    from generator.cli import main

    path = write_text(tmp_path / "n.csv", "Prénom;Nom;Courriel\nMarie;Dupont 17E0912345ABC;m@example.org\n")
    out = tmp_path / "out"
    assert main(["personalise", str(path), "--out", str(out)]) != 0
    assert not out.exists() or not any(out.iterdir())
    captured = capsys.readouterr()
    assert f"{path}: line 2: Nom looks like it holds a NUMEN (a password)" in captured.err
    assert "0912345" not in captured.out + captured.err


# --- regressions: quotes, line breaks, separators -------------------------------


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (
            'Prénom;Nom;Courriel\nMarie;"Dupont;m@example.org\nPaul;Durand;p@example.org\nAnne;Petit;a@example.org\n',
            2,
        ),
        ('Prénom;Nom\nMarie;Dupont\nPaul;"Durand\nAnne;Petit\n', 3),
        ('Prénom;Nom\nMarie;Dupont\n"Paul\nDurand";Martin\nAnne;"Petit\n', 5),  # the last row, at the end
        ('Prénom;Nom\nMarie;Dupont\nAnne;"Petit', 3),  # no final line break
        ('Prénom,Nom\r\nMarie,"Dupont\r\nPaul,Durand\r\n', 2),
    ],
)
def test_unclosed_quote_refuses_the_whole_file(
    tmp_path: Path, procedure: Procedure, text: str, line: int
) -> None:
    """A quote opened and never closed is a file-level error naming the line, not one swallowing row."""
    path = write_text(tmp_path / "q.csv", text)
    with pytest.raises(RosterError) as caught:
        read_roster(path, procedure)
    assert str(caught.value) == (
        f'{path}: line {line}: a quote (") opens here and is never closed; the rest of the file was read '
        "as one cell"
    )


def test_closed_quotes_and_stray_quotes_inside_a_cell_still_read(
    tmp_path: Path, procedure: Procedure
) -> None:
    """Properly closed quotes and a quote inside an unquoted cell are not taken for an unclosed quote."""
    path = write_text(tmp_path / "r.csv", 'Prénom;Nom\n"Marie";"Dupont"\nPaul;Du"rand\n')
    roster = read_roster(path, procedure)
    assert [(p.first_name, p.last_name) for p in roster.people] == [("Marie", "Dupont"), ("Paul", 'Du"rand')]


def test_line_break_in_a_workbook_cell_refuses_the_row(tmp_path: Path, procedure: Procedure) -> None:
    """A cell typed with Alt+Enter holds two lines: the row is refused, naming the column."""
    path = write_xlsx(
        tmp_path / "r.xlsx", [["Prénom", "Nom"], ["Marie", "Dupont\nMartin"], ["Paul", "Durand"]]
    )
    roster = read_roster(path, procedure)
    assert roster.invalid == (
        f"{where(path)}: line 2: Nom holds a line break (expected the person's family name, on one line)",
    )
    assert [p.row for p in roster.people] == [3]


def test_separator_inside_a_quoted_cell_refuses_the_row(tmp_path: Path, procedure: Procedure) -> None:
    """A cell holding the separator (a misplaced quote) refuses the row instead of merging two cells."""
    path = write_text(tmp_path / "r.csv", 'Prénom;Nom;Courriel\nMarie;"Dupont;m@example.org"\n')
    roster = read_roster(path, procedure)
    assert roster.invalid == (
        f"{path}: line 2: Nom holds the separator ';': a quote may be misplaced (expected the person's "
        "family name)",
    )


def test_address_in_a_name_cell_refuses_the_row(tmp_path: Path, procedure: Procedure) -> None:
    """An '@' in a name cell (columns shifted) refuses the row rather than making an identifier of it."""
    path = write_csv(tmp_path / "r.csv", [["Prénom", "Nom"], ["Marie", "m.dupont@example.org"]])
    roster = read_roster(path, procedure)
    assert roster.invalid == (
        f"{path}: line 2: Nom holds an '@': the columns may be shifted (expected the person's family name)",
    )


# --- regressions: lengths --------------------------------------------------------


@pytest.mark.parametrize(
    ("column", "limit", "unit"),
    [
        ("Prénom", MAX_FIRST_NAME, "fit on the sheet"),
        ("Nom", MAX_FAMILY_NAME, "fit on the sheet"),
        ("Nom de naissance", MAX_FAMILY_NAME, "fit on the sheet"),
        ("Identifiant", MAX_IDENTIFIER, "fit on the sheet"),
        ("Courriel", MAX_EMAIL, "in an email address"),
    ],
)
def test_value_too_long_for_the_sheet_refuses_the_row(
    tmp_path: Path, procedure: Procedure, column: str, limit: int, unit: str
) -> None:
    """A value at the limit passes; one character more refuses the row, giving the length and the limit."""
    header = ["Prénom", "Nom", "Nom de naissance", "Identifiant", "Courriel"]

    def value(length: int) -> str:
        if column == "Courriel":
            return "m" * (length - len("@example.org")) + "@example.org"
        return ("d" if column == "Identifiant" else "D") + "u" * (length - 1)

    rows = [header, ["Marie", "Dupont", "", "", ""], ["Marie", "Dupont", "", "", ""]]
    rows[1][header.index(column)] = value(limit)
    rows[2][header.index(column)] = value(limit + 1)
    path = write_csv(tmp_path / "r.csv", rows)
    roster = read_roster(path, procedure)
    assert [p.row for p in roster.people] == [2]
    assert roster.invalid == (
        f"{path}: line 3: {column} is {limit + 1} characters long (at most {limit} {unit})",
    )


def test_too_long_values_are_refused_at_the_desk_too(procedure: Procedure) -> None:
    """make_person applies the same limits, and to the identifier the rule computes."""
    with pytest.raises(RosterError) as caught:
        make_person(procedure, first_name="M" * (MAX_FIRST_NAME + 1), last_name="D" * (MAX_FAMILY_NAME + 1))
    assert caught.value.problems == [
        f"first name is {MAX_FIRST_NAME + 1} characters long (at most {MAX_FIRST_NAME} fit on the sheet)",
        f"last name is {MAX_FAMILY_NAME + 1} characters long (at most {MAX_FAMILY_NAME} fit on the sheet)",
    ]
    with pytest.raises(RosterError) as caught:
        make_person(
            procedure, first_name="Marie", last_name="Œ" * MAX_FAMILY_NAME
        )  # spelt oe: 121 characters
    assert caught.value.problems == [
        f"the identifier computed from first name and last name is {1 + 2 * MAX_FAMILY_NAME} characters "
        f"long (at most {MAX_IDENTIFIER} fit on the sheet: give a shorter one as identifier)"
    ]


# --- regressions: invisible and control characters ------------------------------


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("\u202eNOD\u202c", "NOD"),  # right-to-left override
        ("Ma\u00adrie", "Marie"),  # soft hyphen
        ("\ufeffMa\u200brie\u200d", "Marie"),  # BOM, zero-width space and joiner
        ("Zoe\u0301", "Zoé"),  # decomposed accent: NFC
        ("Marie\tClaire", "Marie Claire"),
        ("Marie\u00a0\u202f Claire", "Marie Claire"),
    ],
)
def test_invisible_characters_are_cleaned_the_same_in_a_roster_and_at_the_desk(
    tmp_path: Path, procedure: Procedure, typed: str, kept: str
) -> None:
    """Format characters go, text is NFC and spaces fold, in load_roster and make_person alike."""
    roster = read_roster(
        write_csv(tmp_path / "r.csv", [["Prénom", "Nom"], [typed, typed]], sep=","), procedure
    )
    desk = make_person(procedure, first_name=typed, last_name=typed)
    assert roster.invalid == ()
    assert (roster.people[0].first_name, roster.people[0].last_name) == (kept, kept)
    assert (desk.first_name, desk.last_name) == (kept, kept)
    assert desk.identifier == roster.people[0].identifier


def test_control_character_typed_at_the_desk_is_refused_as_in_a_roster(
    tmp_path: Path, procedure: Procedure
) -> None:
    """person --first-name $'Ma\\x01rie' is refused, as the same control character in a roster cell is."""
    with pytest.raises(RosterError) as caught:
        make_person(procedure, first_name="Ma\x01rie", last_name="Dupont")
    assert caught.value.problems == [
        "first name holds a control character (U+0001), which no document can show: retype it "
        "(expected the person's first name)"
    ]
    path = write_text(tmp_path / "r.csv", "Prénom;Nom\nMa\u009brie;Dupont\n")
    assert read_roster(path, procedure).invalid == (
        f"{path}: line 2: Prénom holds a control character (U+009B), which no document can show: retype it "
        "(expected the person's first name)",
    )


# --- regressions: file types and formula-looking names ------------------------------


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "cp1252", "utf-16"])
def test_csv_renamed_xlsx_is_named_as_csv_text(tmp_path: Path, procedure: Procedure, encoding: str) -> None:
    """A CSV saved with the .xlsx extension is told apart from a broken workbook: rename it to .csv."""
    path = write_csv(tmp_path / "r.xlsx", [["Prénom", "Nom"], ["Françoise", "Dupont"]], encoding=encoding)
    with pytest.raises(RosterError) as caught:
        read_roster(path, procedure)
    assert str(caught.value) == f"{path}: this is CSV text, not an .xlsx workbook: rename it to .csv"


def test_names_starting_with_formula_characters_do_not_break_reading(
    tmp_path: Path, procedure: Procedure
) -> None:
    """Cells starting with =, +, - or @ are read as text: kept, or refused with a message, never a crash."""
    rows = [
        ["Prénom", "Nom", "Identifiant"],
        ["=Marie", "+Dupont", ""],
        ["-Paul", '=HYPERLINK("http://x.example","Durand")', ""],
        ["Anne", "@Petit", ""],
        ["Luc", "Martin", "=1+1"],
    ]
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            if value:
                sheet.cell(row=r, column=c, value=value).data_type = "s"  # text, as typed after a quote
    book.save(tmp_path / "r.xlsx")
    for path in (write_csv(tmp_path / "r.csv", rows), tmp_path / "r.xlsx"):
        roster = read_roster(path, procedure)
        assert [(p.row, p.first_name, p.last_name, p.identifier) for p in roster.people][0] == (
            2,
            "=Marie",
            "+Dupont",
            "mdupont",
        )
        assert any("line 4: Nom holds an '@'" in message for message in roster.invalid)
        assert any("line 5: Identifiant '=1+1' is not a valid identifier" in m for m in roster.invalid)


def test_issue12_long_lists_of_homonyms_stay_readable(tmp_path: Path, procedure: Procedure) -> None:
    """Found by review: 240 000 homonym rows printed one warning of 1.8 MB; now 10 lines named, the rest counted."""
    path = tmp_path / "r.csv"
    # Distinct e-mails: homonyms, not one person entered twice.
    rows = (
        ["Prénom;Nom;Courriel"]
        + [f"Marie;Dupont;m{i}@example.org" for i in range(30)]
        + [
            f"Jean;Martin{chr(97 + i % 26)}{chr(97 + i // 26)};j{i}-{n}@example.org"
            for n in (1, 2)
            for i in range(60)
        ]
    )
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    roster = read_roster(path, procedure)
    assert all(len(w) < 400 for w in roster.warnings), max(map(len, roster.warnings))
    dupont = [w for w in roster.warnings if "'mdupont'" in w]
    assert len(dupont) == 1 and "and 20 more" in dupont[0]
    assert len(roster.warnings) == 21  # 20 identifiers named, one line counting the other 41
    assert "41 more identifiers" in roster.warnings[-1]
    assert sum("homonym" in p.flags for p in roster.people) == 150
