"""E-mail from the pages in a real browser: a 20-person session and the desk, axe-core clean at 1366 and 390 px."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser import axe_violations, needs_chromium, served, shoot, wait_until
from sendtools import Recorder, roster, settings_for, smtp_server

from generator import Procedure
from generator.web import create_app

pytestmark = [pytest.mark.browser, needs_chromium]
WIDTHS = (1366, 390)


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        yield recorder, port


def _clean_at_both_widths(page: Any, name: str) -> None:
    """axe finds nothing at 1366 px and at 390 px (a phone); a screenshot of each; no sideways scroll on the phone."""
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        assert axe_violations(page) == [], (name, width)
        assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shoot(page, f"{name}-{width}")
    page.set_viewport_size({"width": WIDTHS[0], "height": 900})


def _attachments(recorder: Recorder) -> dict[str, bytes]:
    found = {}
    for _sender, (address,), message in recorder.received:
        (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
        found[address] = part.get_content()
    return found


def test_a_session_of_twenty_sends_each_once(
    browser: Any, procedure: Procedure, tmp_path: Path, server: tuple[Recorder, int]
) -> None:
    """Upload 20, create, "Envoyer les courriels", confirm (double click): one message each, the ZIP's PDF; refused → resent alone."""
    recorder, port = server
    recorder.refuse.add("p7@example.org")
    (tmp_path / "liste.csv").write_bytes(roster(20, without=1))
    app = create_app(procedure, work_dir=tmp_path, mail_settings=settings_for(port, per_minute=600))
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, accept_downloads=True, locale="fr-FR"
    )
    page = context.new_page()
    with served(app) as url:
        page.goto(url + "/session")
        page.get_by_label("Word (DOCX), à modifier").uncheck(force=True)  # the DSFR label draws the box
        page.get_by_label("un fichier Excel (.xlsx) ou CSV").set_input_files(str(tmp_path / "liste.csv"))
        page.get_by_role("button", name="Vérifier la liste").click()
        page.get_by_role("button", name="Créer les fiches").click()
        page.locator("#resultat").wait_for()
        shoot(page, "29-session-resultat-avec-envoi")
        page.get_by_role("link", name="Envoyer les courriels (20)").click()
        page.get_by_role("button", name="Confirmer l'envoi").wait_for()
        assert page.locator("tbody tr").count() == 20
        _clean_at_both_widths(page, "30-envoi-confirmation")
        page.get_by_role("button", name="Confirmer l'envoi").dblclick()
        if page.locator("progress").count():
            shoot(page, "31-envoi-avancement")
            assert axe_violations(page) == []
        page.locator("#resultat").wait_for(timeout=60000)  # the script follows the job to the result
        assert "refusé par le serveur" in page.locator("tr.status-refused").inner_text()
        _clean_at_both_widths(page, "32-envoi-resultat")
        page.reload()
        page.goto(
            url + page.url.split(url, 1)[1].replace("/resultat", "")
        )  # the confirmation again: the result
        assert page.locator("tr.status-refused").count() == 1
        assert sorted(recorder.recipients()) == sorted(f"p{i}@example.org" for i in range(20) if i != 7)

        recorder.refuse.clear()
        page.get_by_role("button", name="Renvoyer les échecs (1)").click()
        page.locator("#resultat").wait_for()
        wait_until(page, "!document.querySelector('tr.status-refused')", timeout=30000)
        assert "20 messages envoyés" in page.locator("#resultat h2").inner_text()
        assert recorder.recipients()[19:] == ["p7@example.org"]
        shoot(page, "33-envoi-echecs-renvoyes")

        page.get_by_role("link", name="Retour aux fiches de la session").click()
        with page.expect_download() as info:
            page.get_by_role("link", name="Télécharger toutes les fiches (ZIP)").click()
        info.value.save_as(tmp_path / "fiches.zip")
    with zipfile.ZipFile(io.BytesIO((tmp_path / "fiches.zip").read_bytes())) as archive:
        attachments = _attachments(recorder)
        assert len(recorder.received) == 20 and len(attachments) == 20
        for i in range(20):
            identifier = f"pnom{chr(97 + i // 26)}{chr(97 + i % 26)}"
            assert attachments[f"p{i}@example.org"] == archive.read(f"{identifier}.pdf")
    context.close()


def test_the_desk_sends_once_in_the_browser(
    browser: Any, procedure: Procedure, tmp_path: Path, server: tuple[Recorder, int]
) -> None:
    """Type a person with an address, "Envoyer la fiche par courriel", confirm, refresh: one message."""
    recorder, port = server
    app = create_app(procedure, work_dir=tmp_path, mail_settings=settings_for(port))
    context = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
    page = context.new_page()
    with served(app) as url:
        page.goto(url + "/fiche")
        page.get_by_label("Prénom").fill("Marie")
        page.get_by_label("Nom d'usage").fill("Dupont")
        page.get_by_label("Courriel personnel").fill("marie.dupont@example.org")
        page.get_by_role("button", name="Créer la fiche").click()
        page.locator("#resultat").wait_for()
        shoot(page, "34a-fiche-avec-envoi")
        page.get_by_role("button", name="Envoyer la fiche par courriel").click()
        page.get_by_role("button", name="Confirmer l'envoi").wait_for()
        _clean_at_both_widths(page, "34-fiche-envoi-confirmation")
        page.get_by_role("button", name="Confirmer l'envoi").dblclick()
        page.locator("#resultat").wait_for()
        assert "envoyé" in page.locator("#resultat h2").inner_text()
        _clean_at_both_widths(page, "35-fiche-envoi-resultat")
        page.reload()  # the browser posts the form again: nothing more goes
        page.locator("#resultat").wait_for()
    assert recorder.recipients() == ["marie.dupont@example.org"]
    context.close()


def test_the_progress_page_follows_the_sending_without_javascript(
    browser: Any,
    procedure: Procedure,
    tmp_path: Path,
    server: tuple[Recorder, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """JavaScript off: the progress page (axe-clean) loads itself again until the result; each person once."""
    import threading

    from generator.web import sending, sendjobs

    recorder, port = server
    gate = threading.Event()
    real_send = sendjobs.send_once

    def held(*args: Any, **kwargs: Any) -> Any:
        gate.wait(20)  # the sending is "long" until the test has looked at the progress page
        return real_send(*args, **kwargs)

    monkeypatch.setattr(sendjobs, "send_once", held)
    monkeypatch.setattr(sending, "REFRESH", 600)  # still while axe reads the page
    (tmp_path / "liste.csv").write_bytes(roster(4))
    app = create_app(procedure, work_dir=tmp_path, mail_settings=settings_for(port))
    context = browser.new_context(
        viewport={"width": 1366, "height": 900}, java_script_enabled=False, locale="fr-FR"
    )
    page = context.new_page()
    with served(app) as url:
        page.goto(url + "/session")
        page.get_by_label("Word (DOCX), à modifier").uncheck(force=True)  # the DSFR label draws the box
        page.get_by_label("un fichier Excel (.xlsx) ou CSV").set_input_files(str(tmp_path / "liste.csv"))
        page.get_by_role("button", name="Vérifier la liste").click()
        page.get_by_role("button", name="Créer les fiches").click()
        page.get_by_role("link", name="Envoyer les courriels (4)").click()
        with page.expect_response(lambda r: r.url.endswith("/envoi/avancement")) as answer:
            page.get_by_role("button", name="Confirmer l'envoi").click()
        assert answer.value.headers.get("refresh") == "600"
        page.locator("progress").wait_for()
        assert page.get_by_role("status").inner_text() == "0 message traité sur 4"
        shoot(page, "31-envoi-avancement-sans-js")
        # axe needs scripts: the same browser session with them, while the sending is held.
        scripted = browser.new_context(viewport={"width": 1366, "height": 900}, locale="fr-FR")
        scripted.add_cookies(context.cookies())
        other = scripted.new_page()
        other.goto(page.url)
        other.locator("progress").wait_for()
        _clean_at_both_widths(other, "31-envoi-avancement")
        scripted.close()
        monkeypatch.setattr(sending, "REFRESH", 1)
        gate.set()
        page.goto(page.url)  # from now on the page loads itself every second until the result
        page.wait_for_url("**/envoi/resultat", timeout=20000)
        assert "4 messages envoyés" in page.locator("#resultat h2").inner_text()
    assert sorted(recorder.recipients()) == [f"p{i}@example.org" for i in range(4)]
    context.close()
