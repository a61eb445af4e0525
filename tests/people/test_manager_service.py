"""A service per person: the roster's "Service gestionnaire" names one service of the data, by id or name, accents and case aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import Procedure
from generator.errors import RosterError
from generator.i18n import use_language
from generator.people.person import make_person
from generator.people.roster import read_roster


@pytest.mark.parametrize(
    ("typed", "service"),
    [
        ("vieljeux", "vieljeux"),
        ("LYCEE VIELJEUX", "vieljeux"),
        ("lycée vieljeux", "vieljeux"),
        ("Pôle académique de gestion des AESH", "aesh17"),
        ("pole academique de gestion des aesh", "aesh17"),
        ("AESH17", "aesh17"),
        ("", ""),
    ],
)
def test_a_service_is_found_by_id_or_name(procedure: Procedure, typed: str, service: str) -> None:
    person = make_person(procedure, first_name="Marie", last_name="Dupont", manager=typed)
    assert person.manager == service


def test_an_unknown_service_is_refused_naming_the_known_ones(procedure: Procedure) -> None:
    """In French: the value is not a service of the procedure; the known ones are listed."""
    with use_language("fr"), pytest.raises(RosterError) as caught:
        make_person(procedure, first_name="Marie", last_name="Dupont", manager="Lycée Inconnu")
    message = caught.value.problems[0]
    assert "Lycée Inconnu" in message
    assert (
        "vieljeux (Lycée Vieljeux)" in message and "aesh17 (Pôle académique de gestion des AESH)" in message
    )
    assert caught.value.details[0].field == "manager"


def test_a_roster_row_naming_an_unknown_service_is_refused(procedure: Procedure, tmp_path: Path) -> None:
    """The column "Service gestionnaire": a known name is kept as the service's id; an unknown one refuses its row."""
    roster = tmp_path / "liste.csv"
    roster.write_text(
        "Prénom;Nom;Service gestionnaire\nMarie;Dupont;Lycée Vieljeux\nJean;Martin;Lycée Inconnu\n",
        encoding="utf-8",
    )
    with use_language("fr"):
        read = read_roster(roster, procedure)
    people = list(read.people)
    assert [(p.first_name, p.manager) for p in people] == [("Marie", "vieljeux")]
    assert len(read.invalid) == 1
    assert (
        "ligne 3" in read.invalid[0]
        and "Lycée Inconnu" in read.invalid[0]
        and "Service gestionnaire" in read.invalid[0]
    )
