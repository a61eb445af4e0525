"""Every page state in the DSFR, in Chromium: axe-core clean and no wider than the screen, at 1366 px and on a 390 px phone.

Screenshots of each state at both widths go to /tmp/dsfr-shots (DSFR_SHOTS) to be looked at.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, needs_chromium, served, wait_until
from flask import Flask

from generator import Procedure
from generator.web import create_app, session
from generator.web.batch import Batch

pytestmark = [pytest.mark.browser, needs_chromium]
ROOT = Path(__file__).resolve().parents[2]
SHOTS = Path(os.environ.get("DSFR_SHOTS", "/tmp/dsfr-shots"))
WIDTHS = {"1366": (1366, 900), "390": (390, 844)}
CODE = "code-de-test-7"
HOLD = threading.Event()  # a run waits on it while its progress page is checked


@pytest.fixture(scope="module")
def urls(procedure: Procedure, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """The desk, and a desk behind an access code (its own page and its error)."""
    desk: Flask = create_app(procedure, work_dir=tmp_path_factory.mktemp("works"))
    guarded: Flask = create_app(procedure, access_code=CODE, wrong_code_delay=0.0)
    with served(desk) as url, served(guarded) as guarded_url:
        yield {"desk": url, "guarded": guarded_url}


def _roster(tmp_path: Path) -> Path:
    """The example list and two refused rows."""
    roster = tmp_path / "liste-rentree.csv"
    text = (ROOT / "data" / "roster.example.csv").read_text(encoding="utf-8") + "Zoé;;;;\nAli;Дюпон;;;\n"
    roster.write_text(text, encoding="utf-8")
    return roster


def _checked(page: Any, url: str, tmp_path: Path) -> None:
    page.goto(url + "/session")
    page.get_by_label("un fichier Excel (.xlsx) ou CSV").set_input_files(str(_roster(tmp_path)))
    page.get_by_role("button", name="Vérifier la liste").click()
    page.get_by_role("table").wait_for()


def _made(page: Any, url: str, tmp_path: Path) -> None:
    _checked(page, url, tmp_path)
    page.get_by_label("Écarter les lignes refusées (2)").check(
        force=True
    )  # the DSFR draws the box on the label, over the input
    page.get_by_role("button", name="Créer les fiches").click()
    page.locator("#resultat").wait_for(timeout=60000)


def _person(page: Any, url: str, _tmp: Path) -> None:
    page.goto(url + "/fiche")
    page.get_by_label("Prénom", exact=True).fill("Marie-Hélène")
    page.get_by_label("Nom d'usage", exact=True).fill("Dupont")
    page.get_by_label("Courriel personnel", exact=True).fill("mh.dupont@example.org")
    page.get_by_role("button", name="Créer la fiche").click()
    page.locator("#resultat").wait_for()


def _person_refused(page: Any, url: str, _tmp: Path) -> None:
    page.goto(url + "/fiche")
    page.get_by_role("button", name="Créer la fiche").click()
    page.locator(".error-summary").wait_for()


def _upload_refused(page: Any, url: str, _tmp: Path) -> None:
    page.goto(url + "/session")
    page.get_by_role("button", name="Vérifier la liste").click()
    page.locator(".error-summary").wait_for()


def _rows_refused(page: Any, url: str, tmp_path: Path) -> None:
    _checked(page, url, tmp_path)
    page.get_by_role("button", name="Créer les fiches").click()
    page.locator(".error-summary").wait_for()


def _progress(page: Any, url: str, tmp_path: Path) -> None:
    """The run is held (HOLD, see the test) until the progress page has been looked at."""
    _checked(page, url, tmp_path)
    page.get_by_label("Écarter les lignes refusées (2)").check(
        force=True
    )  # the DSFR draws the box on the label, over the input
    page.get_by_role("button", name="Créer les fiches").click()
    page.locator("progress").wait_for()


def _ended(page: Any, url: str, tmp_path: Path) -> None:
    _made(page, url, tmp_path)
    result = page.url
    with page.expect_download():
        page.get_by_role("link", name="Télécharger toutes les fiches (ZIP)").click()
    page.goto(result)
    page.get_by_role("heading", level=1).wait_for()


def _access_refused(page: Any, url: str, _tmp: Path) -> None:
    page.goto(url + "/fiche")
    page.get_by_label("Code d'accès").fill("faux")
    page.get_by_role("button", name="Continuer").click()
    page.locator(".error-summary").wait_for()


def _goto(path: str) -> Callable[[Any, str, Path], None]:
    return lambda page, url, _tmp: page.goto(url + path)


# Every state a person meets, and how to reach it; "guarded" states use the desk behind an access code.
STATES: dict[str, tuple[str, Callable[[Any, str, Path], None]]] = {
    "accueil": ("desk", _goto("/")),
    "fiche-vide": ("desk", _goto("/fiche")),
    "fiche-erreurs": ("desk", _person_refused),
    "fiche-resultat": ("desk", _person),
    "affiche": ("desk", _goto("/affiche")),
    "session-depot": ("desk", _goto("/session")),
    "session-depot-erreur": ("desk", _upload_refused),
    "session-verification": ("desk", _checked),
    "session-lignes-refusees": ("desk", _rows_refused),
    "session-avancement": ("desk", _progress),
    "session-resultat": ("desk", _made),
    "session-terminee": ("desk", _ended),
    "erreur-404": ("desk", _goto("/nulle-part")),
    "accessibilite": ("desk", _goto("/accessibilite")),
    "donnees-personnelles": ("desk", _goto("/donnees-personnelles")),
    "mentions-legales": ("desk", _goto("/mentions-legales")),
    "acces": ("guarded", _goto("/fiche")),
    "acces-erreur": ("guarded", _access_refused),
}


@pytest.mark.parametrize("width", sorted(WIDTHS))
@pytest.mark.parametrize("state", list(STATES))
def test_every_page_state_is_axe_clean_and_fits_the_screen(
    browser: Any,
    urls: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    state: str,
    width: str,
) -> None:
    """axe-core finds nothing; the page is no wider than the screen; the CSP refused nothing (DSFR script, fonts, icons)."""
    site, reach = STATES[state]
    if state == "session-avancement":
        real_wait = Batch.wait
        HOLD.clear()
        monkeypatch.setattr(session, "QUICK_WAIT", 0.0)
        monkeypatch.setattr(Batch, "wait", lambda batch: HOLD.wait(30) and real_wait(batch))
    size = WIDTHS[width]
    context = browser.new_context(
        viewport={"width": size[0], "height": size[1]}, accept_downloads=True, locale="fr-FR"
    )
    page = context.new_page()
    refused: list[str] = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        reach(page, urls[site], tmp_path)
        wait_until(page, "document.documentElement.hasAttribute('data-fr-js')")  # the DSFR's script ran
        assert axe_violations(page) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= size[0]
        assert page.locator(".fr-header .fr-logo").is_visible()
        assert refused == []
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{state}-{width}.png"), full_page=True)
    finally:
        HOLD.set()
        context.close()


@pytest.mark.parametrize("script", [True, False], ids=["with-js", "without-js"])
def test_the_menu_is_reachable_on_a_phone(browser: Any, urls: dict[str, str], script: bool) -> None:
    """At 390 px the DSFR folds the menu behind a button its script opens; without the script the menu shows open."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, java_script_enabled=script)
    page = context.new_page()
    page.goto(urls["desk"] + "/affiche")
    menu = page.get_by_role("navigation", name="Menu principal")
    if script:
        wait_until(page, "document.documentElement.hasAttribute('data-fr-js')")
        assert not menu.get_by_role("link", name="Une personne").is_visible()
        page.get_by_role("button", name="Menu").click()
    for name in ("Accueil", "Une personne", "Une session de signature", "L'affiche"):
        assert menu.get_by_role("link", name=name, exact=True).is_visible(), name
    menu.get_by_role("link", name="Une personne", exact=True).click()
    page.wait_for_url("**/fiche")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    if not script:
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "fiche-sans-javascript-390.png"), full_page=True)
    context.close()
