"""In a real browser: after one person's sheet, "Fiche suivante" gives an empty form and the next sheet is theirs alone."""

from __future__ import annotations

import email
from collections.abc import Iterator
from email import policy
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, needs_chromium, served, shoot
from flask import Flask

pytestmark = [pytest.mark.browser, needs_chromium]
FIELDS = ("first_name", "last_name", "birth_name", "identifier", "email")


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def page(browser: Any, javascript: bool) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1100, "height": 900},
        accept_downloads=True,
        locale="fr-FR",
        java_script_enabled=javascript,
    )
    yield context.new_page()
    context.close()


def _create(page: Any, **typed: str) -> None:
    labels = {"first_name": "Prénom", "last_name": "Nom d'usage", "birth_name": "Nom de naissance"}
    labels |= {"email": "Courriel personnel"}
    for name, value in typed.items():
        page.get_by_label(labels[name], exact=True).fill(value)
    page.get_by_role("button", name="Créer la fiche").click()
    page.locator("#resultat").wait_for()


def _assert_axe_clean(page: Any, javascript: bool) -> None:
    """axe runs as a script: checked where the page's scripts run (with JavaScript off it cannot run)."""
    if javascript:
        assert axe_violations(page) == []


def _identifier(page: Any) -> str:
    return page.locator("#resultat .result-identifier strong").inner_text()


def _draft_to(page: Any, tmp_path: Path) -> str:
    with page.expect_download() as info:
        page.get_by_role("button", name="Télécharger le courriel prêt à envoyer (fiche jointe)").click()
    target = tmp_path / "draft.eml"
    info.value.save_as(target)
    return str(email.message_from_bytes(target.read_bytes(), policy=policy.default)["To"])


def test_next_sheet_starts_empty_and_is_the_new_person_s(
    page: Any, base_url: str, tmp_path: Path, javascript: bool
) -> None:
    """Sheet with birth name and address; Fiche suivante: every field empty; two names only: theirs alone."""
    page.goto(base_url + "/fiche")
    _create(page, first_name="Karim", last_name="Benali", birth_name="Martin", email="mh.dupont@orange.fr")
    assert _identifier(page) == "kmartin"
    assert "mh.dupont@orange.fr" in _draft_to(page, tmp_path)
    assert page.locator("#resultat input:not([type=hidden])").count() == 0
    _assert_axe_clean(page, javascript)
    shoot(page, f"30-fiche-resultat-{'js' if javascript else 'sans-js'}")

    page.get_by_role("link", name="Fiche suivante").click()
    page.wait_for_url("**/fiche")
    page.locator("#desk").wait_for()
    for name in FIELDS:
        assert page.locator(f"#{name}").input_value() == "", name
    assert page.locator("#manager").input_value() == ""
    _assert_axe_clean(page, javascript)
    shoot(page, f"31-fiche-suivante-vide-{'js' if javascript else 'sans-js'}")

    _create(page, first_name="Anne", last_name="Dupont")
    assert _identifier(page) == "adupont"
    assert page.get_by_role("heading", name="Fiche d'Anne Dupont").count() == 1
    assert (
        page.get_by_role("button", name="Télécharger le courriel prêt à envoyer (fiche jointe)").count() == 0
    )
    _assert_axe_clean(page, javascript)

    page.get_by_role("link", name="Fiche suivante").click()
    page.locator("#desk").wait_for()
    _create(page, first_name="Luc", last_name="Moreau", email="luc.moreau@example.fr")
    assert _identifier(page) == "lmoreau"
    assert _draft_to(page, tmp_path) == "Luc Moreau <luc.moreau@example.fr>"


def test_modify_brings_the_same_person_back(page: Any, base_url: str) -> None:
    """Modifier cette fiche: the form again with this person's fields, to correct a typo, then a new sheet."""
    page.goto(base_url + "/fiche")
    _create(page, first_name="Marie", last_name="Dupnot", email="marie@example.org")
    page.get_by_role("button", name="Modifier cette fiche").click()
    page.locator("#desk").wait_for()
    assert page.locator("#last_name").input_value() == "Dupnot"
    assert page.locator("#email").input_value() == "marie@example.org"
    page.get_by_label("Nom d'usage", exact=True).fill("Dupont")
    page.get_by_role("button", name="Créer la fiche").click()
    page.locator("#resultat").wait_for()
    assert _identifier(page) == "mdupont"


def test_history_back_does_not_refill_the_form(page: Any, base_url: str) -> None:
    """Back from the result to the form the names were typed in: the browser does not put them back."""
    page.goto(base_url + "/fiche")
    _create(page, first_name="Karim", last_name="Benali", birth_name="Martin")
    page.go_back()
    page.locator("#desk").wait_for()
    for name in FIELDS:
        assert page.locator(f"#{name}").input_value() == "", name
