"""The live identifier answers from the names alone: what the other fields hold never blanks it with a false message."""

from __future__ import annotations

import pytest
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from webtools import post_desk

from generator import Procedure
from generator.web import service


@pytest.mark.parametrize(
    "other",
    [
        {"email": "pas-une-adresse"},
        {"email": "marie@"},
        {"email": "x" * 300 + "@a.fr"},
        {"manager": "inconnu"},
        {"email": "m@exemple", "manager": "nulle-part"},
    ],
)
def test_identifier_shown_whatever_the_address_or_office(client: FlaskClient, other: dict[str, str]) -> None:
    """First and family names valid: the identifier and its note, no message, however wrong the rest."""
    answer = post_desk(
        client, "/fiche/identifiant", first_name="Marie", last_name="Dupont", **other
    ).get_json()
    assert answer["identifier"] == "mdupont"
    assert "mdupont1" in answer["note"]
    assert answer["message"] == "" and answer["to_confirm"] == ""


def test_a_numen_in_the_address_is_still_said_beside_the_identifier(client: FlaskClient) -> None:
    """A NUMEN typed as the address: the identifier stays, the warning says NUMEN, the value is never echoed."""
    answer = post_desk(
        client, "/fiche/identifiant", first_name="Marie", last_name="Dupont", email="17E0912345ABC@example.fr"
    ).get_json()
    assert answer["identifier"] == "mdupont"
    assert "NUMEN" in answer["message"] and "0912345" not in str(answer)


def test_a_bad_name_still_says_why(client: FlaskClient) -> None:
    """The names themselves wrong: no identifier, the name's own message."""
    answer = post_desk(
        client, "/fiche/identifiant", first_name="Marie", last_name="Ωμέγα", email="pas-une-adresse"
    ).get_json()
    assert answer["identifier"] == "" and "alphabet latin" in answer["message"]


def test_unsure_identifier_is_shown_to_confirm(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """A person the library flags "unsure": the live line says "(à confirmer)" and why, in French."""
    real = service.check_person

    def flagged(procedure: Procedure, fields: dict[str, str]) -> object:
        person = real(procedure, fields)
        from dataclasses import replace

        return replace(person, flags=(*person.flags, "unsure"))

    monkeypatch.setattr(service, "check_person", flagged)
    answer = post_desk(client, "/fiche/identifiant", first_name="Marie", last_name="Dupont").get_json()
    assert answer["identifier"] == "mdupont" and answer["to_confirm"] == "(à confirmer)"
    assert "une lettre du nom n'a pas d'équivalent sûr : vérifiez l'identifiant auprès du service" in (
        answer["note"].replace("\u00a0", " ").lower()
    )


@settings(max_examples=40, deadline=None)
@given(email=st.text(max_size=40), manager=st.text(max_size=12))
def test_other_fields_never_change_the_identifier(procedure: Procedure, email: str, manager: str) -> None:
    """Property: for any address and office typed, the preview gives the identifier the names give."""
    preview = service.preview_identifier(
        procedure, {"first_name": "Jean-Pierre", "last_name": "Le Dupond", "email": email, "manager": manager}
    )
    if any(p.numen for p in preview.problems):  # a NUMEN in the address is said; the identifier still shows
        assert all(p.numen for p in preview.problems)
    assert preview.identifier == "jle-dupond"


def test_live_identifier_needs_its_token(client: FlaskClient) -> None:
    """Still a POST under CSRF: without the page's token, no answer."""
    assert client.post("/fiche/identifiant", data={"first_name": "Marie"}).status_code == 400
    assert post_desk(client, "/fiche/identifiant", first_name="Marie").status_code == 200
