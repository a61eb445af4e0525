"""What a person does in a real browser: Debian's Chromium, the app under waitress, axe-core in every state."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, needs_chromium, served, shoot, wait_until
from flask import Flask

from generator import Procedure
from generator.cli import main
from generator.web import create_app

pytestmark = [pytest.mark.browser, needs_chromium]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def base_url(app: Flask) -> Iterator[str]:
    with served(app) as url:
        yield url


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, accept_downloads=True, locale="fr-FR"
    )
    yield context.new_page()
    context.close()


def _focus_on(page: Any, element_id: str) -> None:
    """Wait until the element has the focus (autofocus and the script give it once the page is loaded)."""
    wait_until(page, f"document.activeElement && document.activeElement.id === {element_id!r}", timeout=5000)


def _person_files(tmp_path: Path, first: str, last: str) -> dict[str, bytes]:
    assert main(["person", "--first-name", first, "--last-name", last, "--out", str(tmp_path)]) == 0
    return {p.suffix[1:]: p.read_bytes() for p in tmp_path.iterdir()}


def _download(page: Any, name: str, tmp_path: Path, role: str = "button") -> bytes:
    with page.expect_download() as info:
        page.get_by_role(role, name=name).click()
    target = tmp_path / "downloaded"
    info.value.save_as(target)
    return target.read_bytes()


def test_desk_with_javascript(page: Any, base_url: str, tmp_path: Path) -> None:
    """Type names, see the identifier appear, create the sheet, download files equal to ``person``'s."""
    page.goto(base_url + "/")
    assert axe_violations(page) == []
    shoot(page, "01-accueil")
    page.get_by_role("link", name="Une personne : faire sa fiche personnelle").click()
    page.wait_for_url("**/fiche")
    assert page.locator("html").get_attribute("lang") == "fr"
    assert axe_violations(page) == []
    shoot(page, "02-fiche-vide")

    page.get_by_label("Prénom", exact=True).fill("Marie-Hélène")
    page.get_by_label("Nom d'usage", exact=True).fill("Dupont")
    live = page.locator("#live-identifier")
    live.filter(has_text="mdupont").wait_for()
    assert "mdupont1" in page.locator("#live-note").inner_text()
    assert axe_violations(page) == []
    shoot(page, "03-fiche-identifiant-direct")

    page.get_by_role("button", name="Créer la fiche").click()
    page.locator("#resultat").wait_for()
    _focus_on(page, "resultat")
    assert axe_violations(page) == []
    shoot(page, "04-fiche-resultat")

    expected = _person_files(tmp_path, "Marie-Hélène", "Dupont")
    assert _download(page, "Télécharger la fiche (DOCX, modifiable)", tmp_path) == expected["docx"]
    # The PDF opens in a new tab, to print: the bytes that tab receives are person's
    # (caught on the way, since Chromium's PDF viewer stands between the page and them).
    received: list[bytes] = []

    def keep(route: Any) -> None:
        response = route.fetch()
        received.append(response.body())
        route.fulfill(response=response)

    page.context.route("**/fiche/telecharger", keep)
    with page.context.expect_page() as tab:
        page.get_by_role(
            "button", name="Télécharger la fiche (PDF, s'ouvre dans un nouvel onglet pour l'imprimer)"
        ).click()
    tab.value.wait_for_load_state()
    assert received == [expected["pdf"]]


def test_desk_errors_in_the_browser(page: Any, base_url: str) -> None:
    """Sent empty: the error summary takes the focus, its links lead to the fields; no axe violation."""
    page.goto(base_url + "/fiche")
    page.get_by_role("button", name="Créer la fiche").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    wait_until(page, "document.activeElement.classList.contains('error-summary')", timeout=5000)
    assert page.title().startswith("Erreur")
    assert axe_violations(page) == []
    shoot(page, "05-fiche-erreurs")
    summary.get_by_role("link").first.click()
    _focus_on(page, "first_name")

    page.get_by_label("Prénom", exact=True).fill("17E0912345ABC")
    page.get_by_label("Nom d'usage", exact=True).fill("Дюпон")
    page.get_by_role("button", name="Créer la fiche").click()
    page.locator(".error-summary").wait_for()
    assert "0912345" not in page.content()
    assert page.get_by_label("Prénom", exact=True).input_value() == ""
    # Each refusal beside its own field: the NUMEN one (told by its flag) and the alphabet one.
    assert "semble contenir un NUMEN" in page.locator("#first_name-error").inner_text()
    assert "hors de l'alphabet latin" in page.locator("#last_name-error").inner_text()
    assert axe_violations(page) == []
    shoot(page, "06-fiche-numen-alphabet")


def test_desk_without_javascript(browser: Any, base_url: str, tmp_path: Path) -> None:
    """JavaScript off: the form posts, the answer has the identifier, the sheet and its files."""
    context = browser.new_context(java_script_enabled=False, accept_downloads=True)
    page = context.new_page()
    page.goto(base_url + "/fiche")
    assert page.locator("#live").is_hidden()
    page.get_by_label("Prénom", exact=True).fill("Jean-Pierre")
    page.get_by_label("Nom d'usage", exact=True).fill("Le Dupond")
    page.get_by_label("Service gestionnaire").select_option(label="Lycée Vieljeux")
    page.get_by_role("button", name="Créer la fiche").click()
    page.locator("#resultat").wait_for()
    assert "jle-dupond" in page.locator("#resultat").inner_text()
    _focus_on(page, "resultat")
    shoot(page, "07-fiche-sans-javascript")
    assert (
        main(
            [
                "person",
                "--first-name",
                "Jean-Pierre",
                "--last-name",
                "Le Dupond",
                "--manager",
                "vieljeux",
                "--out",
                str(tmp_path),
            ]
        )
        == 0
    )
    assert (
        _download(page, "Télécharger la fiche (DOCX, modifiable)", tmp_path)
        == (tmp_path / "jle-dupond.docx").read_bytes()
    )
    context.close()


def test_desk_with_the_keyboard_alone(page: Any, base_url: str) -> None:
    """Tab to each field, type, Enter on the button: the result gets the focus."""
    page.goto(base_url + "/fiche")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Aller au contenu"
    shoot(page, "08-clavier-lien-evitement", full_page=False)
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "first_name":
            break
    page.keyboard.type("Awa")
    page.keyboard.press("Tab")
    page.keyboard.type("N'Diaye")
    shoot(page, "09-clavier-saisie", full_page=False)
    for _ in range(6):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.tagName") == "BUTTON":
            break
    assert page.evaluate("document.activeElement.textContent") == "Créer la fiche"
    page.keyboard.press("Enter")
    page.locator("#resultat").wait_for()
    _focus_on(page, "resultat")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").startswith("Télécharger la fiche (PDF")


def test_flyer_and_narrow_window(browser: Any, base_url: str) -> None:
    """/affiche passes axe; at 200 % zoom (a 550 px wide window) no page scrolls sideways."""
    context = browser.new_context(viewport={"width": 550, "height": 800}, device_scale_factor=2)
    page = context.new_page()
    for path, name in (
        ("/affiche", "10-affiche-etroit"),
        ("/fiche", "11-fiche-etroit"),
        ("/", "12-accueil-etroit"),
    ):
        page.goto(base_url + path)
        assert axe_violations(page) == []
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        ), path
        shoot(page, name)
    context.close()


def test_access_code_page(browser: Any, procedure: Procedure) -> None:
    """With an access code: the code page, a wrong code's error, then the desk; axe on each."""
    app = create_app(procedure, access_code="secret-123", wrong_code_delay=0.0)
    context = browser.new_context()
    page = context.new_page()
    with served(app) as url:
        page.goto(url + "/fiche")
        page.wait_for_url("**/acces")
        assert axe_violations(page) == []
        page.get_by_label("Code d'accès").fill("faux")
        page.get_by_role("button", name="Continuer").click()
        page.locator(".error-summary").wait_for()
        assert axe_violations(page) == []
        shoot(page, "13-acces-erreur")
        page.get_by_label("Code d'accès").fill("secret-123")
        page.get_by_role("button", name="Continuer").click()
        page.wait_for_url("**/fiche")
        cookie = next(c for c in context.cookies() if c["name"] == "generator_session")
        assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    context.close()


def test_signing_session(browser: Any, procedure: Procedure, tmp_path: Path) -> None:
    """Upload a list with refused rows, read the check page, create, download all.pdf and the ZIP; axe on each page."""
    import io
    import zipfile

    roster = tmp_path / "liste.csv"
    text = (ROOT / "data" / "roster.example.csv").read_text(encoding="utf-8") + "Zoé;;;;\nAli;Дюпон;;;\n"
    roster.write_text(text, encoding="utf-8")
    app = create_app(procedure, work_dir=tmp_path)
    context = browser.new_context(
        viewport={"width": 1100, "height": 900}, accept_downloads=True, locale="fr-FR"
    )
    page = context.new_page()
    with served(app) as url:
        page.goto(url + "/session")
        assert axe_violations(page) == []
        shoot(page, "20-session-envoi")
        page.get_by_label("un fichier Excel (.xlsx) ou CSV").set_input_files(str(roster))
        page.get_by_role("button", name="Vérifier la liste").click()
        page.get_by_role("table").wait_for()
        assert page.get_by_role("table").get_by_role("row").count() == 1 + 8
        refused = page.locator(".refused").inner_text().replace("\u00a0", " ")
        assert "ligne 10 : « Nom » est vide (attendu : le nom de famille de la personne)" in refused
        assert axe_violations(page) == []
        shoot(page, "21-session-verification")
        page.set_viewport_size({"width": 550, "height": 900})  # 200 % zoom: the table scrolls in its own box
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shoot(page, "21b-session-verification-etroit")
        page.set_viewport_size({"width": 1100, "height": 900})
        page.get_by_role("button", name="Identifiant").click()  # sorts the table by identifier
        assert page.locator("tbody tr").first.locator("td").nth(2).inner_text() == "ade-la-fontaine"
        page.get_by_role("button", name="Créer les fiches").click()
        page.locator(".error-summary").wait_for()
        assert axe_violations(page) == []
        shoot(page, "22-session-lignes-refusees")
        page.get_by_label("Écarter les lignes refusées (2)").check(
            force=True
        )  # the DSFR draws the box on the label, over the input
        page.get_by_role("button", name="Créer les fiches").click()
        page.locator("#resultat").wait_for()
        _focus_on(page, "resultat")
        assert axe_violations(page) == []
        shoot(page, "23-session-resultat")

        with page.context.expect_page() as tab:
            page.get_by_role(
                "link", name="Télécharger le fichier à imprimer (PDF, s'ouvre dans un nouvel onglet)"
            ).click()
        tab.value.close()
        data = _download(page, "Télécharger toutes les fiches (ZIP)", tmp_path, role="link")
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        assert "all.pdf" in names and "manifest.csv" in names and "mdupont-2.pdf" in names
    assert not any(p.name.startswith("generator-session-") for p in tmp_path.iterdir())
    context.close()


def test_progress_while_a_long_list_is_made(
    browser: Any, procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A list that takes time: the progress page (axe-clean) follows the run, then shows the result."""
    import threading

    from generator.web import session
    from generator.web.batch import Batch

    gate = threading.Event()
    real_wait = Batch.wait

    def held(batch: Batch) -> int:
        gate.wait(10)  # the run is "long" until the test has looked at the progress page
        return real_wait(batch)

    monkeypatch.setattr(session, "QUICK_WAIT", 0.0)
    monkeypatch.setattr(Batch, "wait", held)
    roster = tmp_path / "liste.csv"
    roster.write_bytes((ROOT / "data" / "roster.example.csv").read_bytes())
    context = browser.new_context(viewport={"width": 1100, "height": 700}, locale="fr-FR")
    page = context.new_page()
    with served(create_app(procedure, work_dir=tmp_path)) as url:
        page.goto(url + "/session")
        page.get_by_label("Word (DOCX), à modifier").uncheck(
            force=True
        )  # the DSFR draws the box on the label, over the input
        page.get_by_label("un fichier Excel (.xlsx) ou CSV").set_input_files(str(roster))
        page.get_by_role("button", name="Vérifier la liste").click()
        page.get_by_role("button", name="Créer les fiches").click()
        page.locator("progress").wait_for()
        assert "fiches faites sur 8" in page.get_by_role("status").inner_text()
        assert axe_violations(page) == []
        shoot(page, "24-session-avancement")
        gate.set()
        page.locator("#resultat").wait_for(timeout=30000)  # the script follows the run and opens the result
        assert "8 fiches faites" in page.locator("#resultat").inner_text()
    context.close()
