"""Where the desk and the check page show an identifier: "(à confirmer)" for a guess; the homonym note said once."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import post_desk, upload

from generator import Procedure, make_person
from generator.web import create_app, service, shutdown, signing

WHY = "Une lettre du nom n'a pas d'équivalent sûr : vérifiez l'identifiant auprès du service."


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _flag_unsure(monkeypatch: pytest.MonkeyPatch, letters: str = "əŋ") -> None:
    """Stand in for the people branch: persons whose names hold one of ``letters`` carry "unsure"."""

    def flagged(person):  # noqa: ANN001, ANN202
        names = f"{person.first_name} {person.last_name}".lower()
        return replace(person, flags=(*person.flags, "unsure")) if set(names) & set(letters) else person

    real_check = service.check_person
    monkeypatch.setattr(service, "check_person", lambda *a: flagged(real_check(*a)))
    real_read = signing.read_roster

    def read(path, procedure):  # noqa: ANN001, ANN202
        roster = real_read(path, procedure)
        return replace(roster, people=[flagged(p) for p in roster.people])

    monkeypatch.setattr(signing, "read_roster", read)


def _library_flags_unsure(procedure: Procedure) -> bool:
    person = make_person(procedure, first_name="Ərəstun", last_name="Məmmədov")
    return "unsure" in person.flags


def test_desk_result_says_to_confirm_and_why(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """An unsure identifier: "(à confirmer)" right after it, and the reason in plain words."""
    _flag_unsure(monkeypatch)
    text = _text(post_desk(client, first_name="Ərəstun", last_name="Məmmədov").get_data(as_text=True))
    assert re.search(r"Identifiant : \w+ \(à confirmer\)", text)
    assert WHY in text
    sure = _text(post_desk(client, first_name="Marie", last_name="Dupont").get_data(as_text=True))
    assert "à confirmer" not in sure and WHY not in sure


def test_a_typed_identifier_against_the_rule_says_so(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Unsure because the typed identifier is not the rule's: the reason says that, not a letter."""
    _flag_unsure(monkeypatch, letters="m")
    text = _text(
        post_desk(client, first_name="Marie", last_name="Dupont", identifier="mdup").get_data(as_text=True)
    )
    assert "Identifiant : mdup (à confirmer)" in text
    assert "L'identifiant saisi n'est pas celui que donne la règle" in text and WHY not in text


def test_desk_says_a_guessed_letter_makes_the_identifier_to_confirm(
    client: FlaskClient, procedure: Procedure
) -> None:
    """With the library's own flag : Ərəstun Məmmədov's identifier is "(à confirmer)"."""
    assert _library_flags_unsure(procedure)
    text = _text(post_desk(client, first_name="Ərəstun", last_name="Məmmədov").get_data(as_text=True))
    assert re.search(r"Identifiant : \w+ \(à confirmer\)", text) and WHY in text
    live = post_desk(client, "/fiche/identifiant", first_name="Ərəstun", last_name="Məmmədov").get_json()
    assert live["to_confirm"] == "(à confirmer)"


@pytest.fixture
def session_client(procedure: Procedure, tmp_path: Path) -> Iterator[FlaskClient]:
    app: Flask = create_app(procedure, secret_key=b"s" * 32, work_dir=tmp_path)
    yield app.test_client()
    shutdown(app)


ROSTER = "Prénom;Nom;Courriel\nMarie;Dupont;marie@example.org\nMathieu;Dupont;mathieu@example.fr\nƏrəstun;Məmmədov;\n"


def _check_page(client: FlaskClient, text: str = ROSTER) -> str:
    response = upload(client, text.encode(), "liste.csv")
    return client.get(response.headers["Location"]).get_data(as_text=True)


def test_homonym_note_once_in_plain_words(session_client: FlaskClient) -> None:
    """Two Dupont: one section, headed, its note plain (no "session"), the identifier and lines listed once."""
    page = _check_page(session_client)
    text = _text(page)
    note = (
        "Ces personnes ont le même identifiant. L'annuaire de l'académie ajoute un chiffre à l'un d'eux : "
        "chacune vérifie le sien à sa première connexion."
    )
    assert text.count(note) == 1
    assert '<h2 id="homonyms-title">Homonymes à vérifier</h2>' in page
    assert text.count("mdupont —") == 1
    assert "donnent le même identifiant" not in text  # the library's warning would say it a second time
    assert "votre session" not in text
    assert "mdupont — ligne 2 Marie Dupont ; ligne 3 Mathieu Dupont" in text


def test_other_warnings_are_kept(session_client: FlaskClient) -> None:
    """Dropping the homonym warning leaves the file's other warnings (a NUMEN column) in place."""
    roster = "Prénom;Nom;NUMEN\nMarie;Dupont;17E0912345ABC\nMathieu;Dupont;\n"
    text = _text(_check_page(session_client, roster))
    assert "colonne « NUMEN » (C) ignorée" in text
    assert "donnent le même identifiant" not in text and "Homonymes à vérifier" in text


def test_check_page_marks_unsure_identifiers(
    session_client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An unsure row: "(à confirmer)" beside its identifier in the table, a flag, and the note why."""
    _flag_unsure(monkeypatch)
    page = _check_page(session_client)
    cell = re.search(r'<td class="identifier-cell">([^<]+)<span class="to-confirm">([^<]+)</span></td>', page)
    assert cell and cell.group(2) == "(à confirmer)"
    assert '<span class="flag">à confirmer</span>' in page
    assert "vérifiez ces identifiants auprès du service" in _text(page)
    assert page.count('class="to-confirm"') == 1  # the Dupont are sure


def test_check_page_says_a_guessed_letter_makes_the_identifier_to_confirm(
    session_client: FlaskClient, procedure: Procedure
) -> None:
    """With the library's own flag : Ərəstun Məmmədov's row is "(à confirmer)"."""
    assert _library_flags_unsure(procedure)
    page = _check_page(session_client)
    assert re.search(
        r'<td class="identifier-cell">\w+ <span class="to-confirm">\(à confirmer\)</span></td>', page
    )
