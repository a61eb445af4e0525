"""Messages of people/ quote values « like this » in French, 'like this' in English; a NUMEN is never quoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import RosterError
from generator.i18n import use_language
from generator.numen import quoted, shown
from generator.people.person import make_person
from generator.people.roster import read_roster
from generator.procedure.model import Procedure


def _message(procedure: Procedure, lang: str, **fields: str) -> str:
    with use_language(lang), pytest.raises(RosterError) as refused:
        make_person(procedure, **{"first_name": "Marie", "last_name": "Dupont", **fields})
    return str(refused.value).replace("\u00a0", " ")


def test_a_bad_email_is_quoted_the_french_way(procedure: Procedure) -> None:
    assert "« pas-une-adresse »" in _message(procedure, "fr", email="pas-une-adresse")
    assert "'pas-une-adresse'" in _message(procedure, "en", email="pas-une-adresse")


def test_a_bad_identifier_and_an_unknown_manager(procedure: Procedure) -> None:
    assert "« m dupont! »" in _message(procedure, "fr", identifier="m dupont!")
    assert "« inconnu »" in _message(procedure, "fr", manager="inconnu")


def test_an_apostrophe_in_a_value_is_not_escaped(procedure: Procedure) -> None:
    """repr() wrote "d'Arc" with other quotes; the message now shows the value as typed."""
    assert "« d'arc@ »" in _message(procedure, "fr", email="d'arc@")


def test_a_numen_is_never_quoted() -> None:
    with use_language("fr"):
        for say in (shown, quoted):
            assert "17E0912345ABC" not in say("17E0912345ABC") and "NUMEN" in say("17E0912345ABC")
        assert shown("Dupont").replace("\u00a0", " ") == "« Dupont »"
        assert quoted("Dupont") == "'Dupont'"  # the procedure's messages keep Python's quotes


def test_roster_warnings_in_french(tmp_path: Path, procedure: Procedure) -> None:
    path = tmp_path / "roster.csv"
    path.write_text("Prénom;Nom;Identifiant;Remarque\nMarie;Dupont;MDupont;\n", encoding="utf-8")
    with use_language("fr"):
        roster = read_roster(path, procedure)
    text = " ".join(roster.warnings).replace("\u00a0", " ")
    assert "« MDupont »" in text and "« mdupont »" in text and "« Remarque » (D)" in text
