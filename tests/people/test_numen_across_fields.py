"""A NUMEN split across fields, neighbouring cells or neighbouring headers is refused and never shown back."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from generator.errors import RosterError
from generator.i18n import use_language
from generator.numen import adjacent_numen, holds_numen, holds_numen_together
from generator.people.person import make_person
from generator.people.roster import read_roster
from generator.procedure.model import Procedure

HALVES = ("17E123", "4567ABC")  # each alone passes holds_numen; together a NUMEN
FIELDS = ("first_name", "last_name", "birth_name", "identifier", "email")
NORMAL = {
    "first_name": "Marie",
    "last_name": "Dupont",
    "birth_name": "",
    "identifier": "",
    "email": "marie@example.org",
}


def test_the_halves_alone_are_no_numen() -> None:
    """Without this, the tests below would pass for the wrong reason."""
    assert not any(holds_numen(h) for h in HALVES)
    assert holds_numen("".join(HALVES)) and holds_numen(" ".join(HALVES))


def _place(field: str, half: str) -> str:
    return f"{half}@example.org" if field == "email" else half


def _shown(text: str) -> bool:
    folded = text.casefold()
    return any(h.casefold() in folded for h in HALVES)


@pytest.mark.parametrize(("one", "other"), list(itertools.permutations(FIELDS, 2)))
def test_each_pair_of_fields_at_the_desk(procedure: Procedure, one: str, other: str) -> None:
    """Every ordered pair of fields holding the two halves: refused as a NUMEN, neither half in the message."""
    values = dict(NORMAL)
    values[one], values[other] = _place(one, HALVES[0]), _place(other, HALVES[1])
    with use_language("en"), pytest.raises(RosterError) as refused:
        make_person(procedure, **values)
    problems = refused.value.details
    assert len(problems) == 1 and problems[0].numen, [p.text for p in problems]
    assert "looks like it holds a NUMEN" in str(refused.value)
    assert not _shown(str(refused.value))


def test_a_name_and_the_email_local_part(procedure: Procedure) -> None:
    """The brief's example: last name ``Dupont 17E1``, e-mail ``234567abc@x.fr``."""
    with pytest.raises(RosterError) as refused:
        make_person(procedure, first_name="Marie", last_name="Dupont 17E1", email="234567abc@x.fr")
    assert refused.value.details[0].numen
    assert "17E1" not in str(refused.value) and "234567" not in str(refused.value)


def test_ordinary_values_read_together_pass(procedure: Procedure) -> None:
    """An e-mail with a year and a typed identifier with a digit are not a NUMEN together."""
    person = make_person(
        procedure,
        first_name="Marie",
        last_name="Dupont",
        identifier="mdupont2",
        email="marie.dupont1985@example.org",
    )
    assert person.identifier == "mdupont2"
    assert not holds_numen_together(["Marie", "Dupont", "mdupont2", "marie.dupont1985"])


def _csv(tmp_path: Path, header: str, row: str) -> Path:
    path = tmp_path / "roster.csv"
    path.write_text(f"{header}\n{row}\nPaul;Martin;;;\n", encoding="utf-8")
    return path


HEADER = "Prénom;Nom;Nom de naissance;Identifiant;Courriel"


@pytest.mark.parametrize(("one", "other"), list(itertools.combinations(range(5), 2)))
def test_each_pair_of_cells_of_a_roster_row(
    tmp_path: Path, procedure: Procedure, one: int, other: int
) -> None:
    """Neighbouring or not, used columns holding the halves: the row is refused, never echoed, nowhere."""
    cells = ["Marie", "Dupont", "", "", "marie@example.org"]
    cells[one] = _place(FIELDS[one], HALVES[0])
    cells[other] = _place(FIELDS[other], HALVES[1])
    with use_language("en"):
        roster = read_roster(_csv(tmp_path, HEADER, ";".join(cells)), procedure)
    assert [p.row for p in roster.people] == [3]
    assert len(roster.invalid) == 1 and "looks like it holds a NUMEN" in roster.invalid[0]
    assert all(p.numen for p in roster.refusals)
    assert not _shown(" ".join([*roster.invalid, *roster.warnings, *(p.text for p in roster.refusals)]))


def test_neighbouring_ignored_cells(tmp_path: Path, procedure: Procedure) -> None:
    """Two columns the roster does not use, side by side: the row is refused, naming both columns."""
    path = tmp_path / "roster.csv"
    path.write_text("Prénom;Nom;Remarque;Autre\nMarie;Dupont;17E123;4567ABC\n", encoding="utf-8")
    with use_language("en"):
        roster = read_roster(path, procedure)
    assert roster.people == []
    assert "Remarque (C) and Autre (D) looks like it holds a NUMEN" in roster.invalid[0]
    assert not _shown(roster.invalid[0])


def test_neighbouring_header_cells_are_never_echoed(tmp_path: Path, procedure: Procedure) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Prénom;Nom;17E123;4567ABC;Divers\nMarie;Dupont;x;y;z\n", encoding="utf-8")
    with use_language("en"):
        roster = read_roster(path, procedure)
    assert [p.identifier for p in roster.people] == ["mdupont"]
    assert not _shown(" ".join(roster.warnings))
    assert sum("its header looks like a NUMEN" in w for w in roster.warnings) == 2
    assert any("'Divers' (E)" in w for w in roster.warnings)  # the other headers are still named


def test_neighbouring_headers_hiding_a_needed_column(tmp_path: Path, procedure: Procedure) -> None:
    """The error listing the headers found leaves the halves out."""
    path = tmp_path / "roster.csv"
    path.write_text("Prénom;17E123;4567ABC\nMarie;x;y\n", encoding="utf-8")
    with pytest.raises(RosterError) as refused:
        read_roster(path, procedure)
    assert not _shown(str(refused.value)) and "Prénom" in str(refused.value)


def test_adjacent_numen_reads_pairs_only() -> None:
    assert adjacent_numen(["a", "17E123", "4567ABC", "b"]) == [1]
    assert adjacent_numen(["17E123", "b", "4567ABC"]) == []  # not neighbours
    assert adjacent_numen(["17E1234567ABC", "x"]) == []  # one cell alone: found by holds_numen itself
