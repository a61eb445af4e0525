"""The procedure edited in a real browser: preview, save, the desk's flyer, history, restore, refusals, two people at once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, needs_chromium, served, shoot, wait_until
from editor_tools import data_copy, editing_app
from pypdf import PdfReader

pytestmark = [pytest.mark.browser, needs_chromium]


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return data_copy(tmp_path)


@pytest.fixture
def base_url(data: Path) -> Iterator[str]:
    with served(editing_app(data)) as url:
        yield url


def _page(browser: Any, width: int = 1366) -> Any:
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="fr-FR")
    return context.new_page()


def _clean(page: Any, name: str) -> None:
    """No axe violation in this state; a screenshot at 1366 px and at 390 px to look at."""
    assert axe_violations(page) == []
    shoot(page, f"procedure-{name}-1366")
    page.set_viewport_size({"width": 390, "height": 844})
    shoot(page, f"procedure-{name}-390")
    page.set_viewport_size({"width": 1366, "height": 900})


def _flyer_text(page: Any, base_url: str) -> str:
    pdf = page.request.get(f"{base_url}/affiche/flyer.pdf").body()
    return " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).replace("\u00a0", " ")


def _preview_picture(page: Any) -> str:
    page.get_by_role("button", name="Aperçu", exact=True).click()
    return str(page.locator("#apercu img").first.get_attribute("src"))


def test_change_preview_save_history_restore(browser: Any, base_url: str, data: Path) -> None:
    """The phone changed, seen in the preview, saved; the desk's flyer has it; history; restore brings the old one."""
    page = _page(browser)
    page.goto(f"{base_url}/procedure")
    _clean(page, "formulaire")
    before = _preview_picture(page)
    page.get_by_label("Téléphone de l'assistance").fill("05 16 52 66 87")
    after = _preview_picture(page)
    assert after != before  # the picture of the flyer changed with the number
    _clean(page, "apercu")
    page.get_by_role("button", name="Enregistrer").click()
    assert "05 16 52 66 86 → 05 16 52 66 87" in page.locator("#procedure-saved").inner_text()
    _clean(page, "enregistre")
    assert "05 16 52 66 87" in _flyer_text(page, base_url)

    page.get_by_role("link", name="Historique").click()
    rows = page.locator("tbody tr")
    assert rows.count() == 2
    assert "05 16 52 66 86 → 05 16 52 66 87" in rows.nth(0).inner_text()
    _clean(page, "historique")
    page.get_by_role("button", name="Rétablir cette version").click()
    assert "a été rétablie" in page.locator("[role=status]").inner_text()
    assert page.locator("tbody tr").count() == 3
    _clean(page, "retabli")
    assert "05 16 52 66 86" in _flyer_text(page, base_url)
    page.context.close()


def test_invalid_values_are_refused_beside_their_fields(browser: Any, base_url: str, data: Path) -> None:
    """An http:// address, an empty step, a phone with letters: French messages, focus on the summary, file unchanged."""
    before = data.read_bytes()
    page = _page(browser)
    page.goto(f"{base_url}/procedure")
    page.get_by_label("Adresse de la messagerie (ordinateur)").fill("http://webmail.ac-poitiers.fr")
    page.get_by_label("Étape 2 : phrases").fill("")
    page.get_by_label("Téléphone de l'assistance").fill("05 16 AB 66 86")
    page.get_by_role("button", name="Enregistrer").click()
    wait_until(page, "document.activeElement && document.activeElement.id === 'procedure-problems'")
    assert "pas une adresse https" in page.locator("#webmail-error").inner_text()
    assert "aucune phrase" in page.locator("#step-1-text-error").inner_text()
    assert "pas un numéro de téléphone" in page.locator("#help-phone-error").inner_text()
    assert page.locator("#procedure-problems a").count() == 3
    _clean(page, "erreurs")
    page.locator("#procedure-problems a[href='#help-phone']").click()
    assert page.evaluate("document.activeElement.id") == "help-phone"
    assert data.read_bytes() == before
    page.context.close()


def test_two_people_save_from_the_same_version(browser: Any, base_url: str, data: Path) -> None:
    """Both load the form; the first saves; the second is refused with the first's change, their value kept."""
    first, second = _page(browser), _page(browser)
    first.goto(f"{base_url}/procedure")
    second.goto(f"{base_url}/procedure")
    first.get_by_label("Téléphone de l'assistance").fill("05 16 52 66 87")
    first.get_by_role("button", name="Enregistrer").click()
    first.locator("#procedure-saved").wait_for()
    saved = data.read_bytes()
    second.get_by_label("Horaires de l'assistance").fill("Du lundi au jeudi, de 8 h à 17 h")
    second.get_by_role("button", name="Enregistrer").click()
    conflict = second.locator("#procedure-conflict").inner_text()
    assert "05 16 52 66 86 → 05 16 52 66 87" in conflict
    assert second.get_by_label("Horaires de l'assistance").input_value() == "Du lundi au jeudi, de 8 h à 17 h"
    assert second.get_by_label("Téléphone de l'assistance").input_value() == "05 16 52 66 87"
    assert data.read_bytes() == saved
    _clean(second, "conflit")
    second.get_by_role("button", name="Enregistrer").click()
    second.locator("#procedure-saved").wait_for()
    assert "Du lundi au jeudi" in data.read_text(encoding="utf-8") and "05 16 52 66 87" in data.read_text(
        encoding="utf-8"
    )
    for page in (first, second):
        page.context.close()


def test_services_added_and_moved_without_javascript(browser: Any, base_url: str) -> None:
    """With scripts off, "Ajouter un service" and "Monter" post the form and show it again."""
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, locale="fr-FR", java_script_enabled=False
    )
    page = context.new_page()
    page.goto(f"{base_url}/procedure")
    page.get_by_role("button", name="Ajouter un service").click()
    page.get_by_label("Nom du service 3").fill("Lycée Élie Vinet")
    page.get_by_role("button", name="Monter le service 3").click()
    assert page.get_by_label("Nom du service 2").input_value() == "Lycée Élie Vinet"
    context.close()


def test_the_edit_code_and_the_off_pages(browser: Any, data: Path) -> None:
    """Served to others: the edit code page (empty, wrong code), then the form; without a code: editing is off."""
    with served(editing_app(data, edit_open=False, edit_code="crayon-vert")) as url:
        page = _page(browser)
        page.goto(f"{url}/procedure")
        assert page.url.endswith("/procedure/code")
        _clean(page, "code")
        page.get_by_label("Code de modification").fill("crayon-rouge")
        page.get_by_role("button", name="Continuer").click()
        assert "n'est pas le bon" in page.locator(".fr-error-text").inner_text()
        _clean(page, "code-faux")
        page.get_by_label("Code de modification").fill("crayon-vert")
        page.get_by_role("button", name="Continuer").click()
        assert page.url.endswith("/procedure")
        assert page.get_by_label("Téléphone de l'assistance").input_value() == "05 16 52 66 86"
        page.context.close()
    with served(editing_app(data, edit_open=False)) as url:
        page = _page(browser)
        page.goto(f"{url}/procedure")
        assert "GENERATOR_EDIT_CODE" in page.locator("main").inner_text()
        _clean(page, "desactive")
        page.context.close()


def test_enter_in_a_field_previews_never_moves_or_saves(browser: Any, base_url: str, data: Path) -> None:
    """The Enter key answers with the preview: the first service stays first and nothing is written."""
    before = data.read_bytes()
    page = _page(browser)
    page.goto(f"{base_url}/procedure")
    page.get_by_label("Téléphone de l'assistance").fill("05 16 52 66 87")
    page.get_by_label("Téléphone de l'assistance").press("Enter")
    page.locator("#apercu").wait_for()
    assert page.get_by_label("Nom du service 1").input_value() == "Lycée Vieljeux"
    assert data.read_bytes() == before
    page.context.close()
