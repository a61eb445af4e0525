"""Every page in the DSFR's frame (bloc-marque, service, menu, footer and its three pages); what the legal pages say."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import post_desk

from generator import Procedure
from generator.web import create_app

FOOTER_LINKS = {
    "/accessibilite": "Accessibilité : partiellement conforme",
    "/mentions-legales": "Mentions légales",
    "/donnees-personnelles": "Données personnelles",
}
MENU = ["Accueil", "Une personne", "Une session de signature", "L'affiche"]


def _text(page: str) -> str:
    return " ".join(
        html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").replace("\u202f", " ").split()
    )


def _pages(client: FlaskClient) -> dict[str, str]:
    """Each kind of page of the desk as the browser gets it: forms, a result, a refusal, an error page, the legal pages."""
    pages = {
        path: client.get(path).get_data(as_text=True)
        for path in ("/", "/fiche", "/affiche", "/session", "/nulle-part", *FOOTER_LINKS)
    }
    pages["fiche-resultat"] = post_desk(client, first_name="Marie", last_name="Dupont").get_data(as_text=True)
    pages["fiche-erreurs"] = post_desk(client, first_name="", last_name="").get_data(as_text=True)
    return pages


def _frame_problems(name: str, page: str) -> list[str]:
    problems = []
    if '<p class="fr-logo">République<br>Française</p>' not in page:
        problems.append("no bloc-marque")
    if '<p class="fr-header__service-title">Fiches d\'accès à la messagerie</p>' not in page:
        problems.append("no service title")
    if '<p class="fr-header__service-tagline">Académie de Poitiers</p>' not in page:
        problems.append("no tagline")
    footer = page[page.index('<footer class="fr-footer"') :]
    links = re.findall(r'<a class="fr-footer__bottom-link" href="([^"]+)">([^<]+)</a>', footer)
    if {href: _text(words) for href, words in links} != FOOTER_LINKS:
        problems.append(f"footer links {links}")
    if '<a class="fr-link" href="#contenu">Aller au contenu</a>' not in page or 'id="contenu"' not in page:
        problems.append("no skip link")
    return [f"{name}: {p}" for p in problems]


def test_every_page_wears_the_dsfr_header_menu_and_footer(client: FlaskClient) -> None:
    """Bloc-marque, "Fiches d'accès à la messagerie" with the académie as tagline, the menu, the footer's three links."""
    pages = _pages(client)
    problems = [p for name, page in pages.items() for p in _frame_problems(name, page)]
    assert problems == []
    for name, page in pages.items():
        menu = re.findall(r'<a class="fr-nav__link" href="[^"]+"[^>]*>([^<]+)</a>', page)
        assert [html.unescape(m) for m in menu] == MENU, name
        assert 'href="/static/dsfr/dsfr.min.css"' in page and 'src="/static/dsfr/dsfr.module.min.js"' in page


def test_the_menu_marks_the_page_it_is_on(client: FlaskClient) -> None:
    for path, label in (
        ("/", "Accueil"),
        ("/fiche", "Une personne"),
        ("/session", "Une session de signature"),
    ):
        page = client.get(path).get_data(as_text=True)
        current = re.findall(r'<a class="fr-nav__link" href="[^"]+" aria-current="page">([^<]+)</a>', page)
        assert current == [label], path


def test_the_home_offers_its_tasks_as_tiles(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    tiles = re.findall(r'<h3 class="fr-tile__title"><a href="([^"]+)">', page)
    assert tiles == ["/fiche", "/session", "/affiche"]
    assert "Procédure chargée" not in _text(page)


def test_accessibility_statement_says_what_was_tested_and_where_to_turn(
    client: FlaskClient, procedure: Procedure
) -> None:
    """The RGAA model's parts: state, what was tested (axe-core, keyboard; no screen reader), limits, contact, redress."""
    text = _text(client.get("/accessibilite").get_data(as_text=True))
    assert "Déclaration d'accessibilité" in text
    assert "partiellement conforme" in text and "RGAA" in text
    assert "axe-core" in text and "Clavier" in text and "390 pixels" in text
    assert "aucun lecteur d'écran (NVDA, JAWS, VoiceOver)" in text
    assert "Limites connues" in text
    assert procedure.email.sender in text  # the managing office answers
    assert "Défenseur des droits" in text and "Libre réponse 71120" in text
    assert "Académie de Poitiers s'engage" in text


def test_personal_data_page_says_what_the_tool_keeps_and_never_asks(
    client: FlaskClient, procedure: Procedure
) -> None:
    text = _text(client.get("/donnees-personnelles").get_data(as_text=True))
    for words in ("prénom", "adresse électronique personnelle", "identifiant"):
        assert words in text
    assert "15 minutes" in text and "dès que le ZIP est téléchargé" in text
    assert "rien n'est gardé sur le serveur" in text
    assert "enregistrés sur votre ordinateur" in text
    assert "ne le demande jamais" in text and "ne le garde jamais" in text
    assert "journal" in text and "CNIL" in text
    assert procedure.email.sender in text


def test_the_session_minutes_said_are_the_server_s(procedure: Procedure) -> None:
    app: Flask = create_app(procedure, secret_key=b"m" * 32, session_minutes=7)
    text = _text(app.test_client().get("/donnees-personnelles").get_data(as_text=True))
    assert "au bout de 7 minutes" in text


def test_legal_notice_names_the_publisher_and_the_host(client: FlaskClient) -> None:
    text = _text(client.get("/mentions-legales").get_data(as_text=True))
    assert "Éditeur de ce service : Académie de Poitiers" in text
    assert "le serveur de votre service ou sur votre poste" in text
    assert 'href="/accessibilite"' in client.get("/mentions-legales").get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/session"])
def test_the_office_s_words_not_the_programmer_s(client: FlaskClient, path: str) -> None:
    """No "Procédure chargée", no "Envoyez la liste", no encodings nor file names of the command line."""
    text = _text(client.get(path).get_data(as_text=True))
    for jargon in (
        "Procédure chargée",
        "Envoyez la liste",
        "UTF-8 ou Windows-1252",
        "manifest.csv",
        "all.pdf",
        ".eml",
    ):
        assert jargon not in text, jargon
    if path == "/session":
        assert "Taille maximale : 4 Mo. Formats acceptés : .xlsx, .csv" in text
        assert "Déposez la liste" in text


def test_access_code_page_wears_the_frame_without_the_menu(procedure: Procedure) -> None:
    app: Flask = create_app(procedure, access_code="code-secret-42", secret_key=b"a" * 32)
    page = app.test_client().get("/acces").get_data(as_text=True)
    assert _frame_problems("acces", page) == []
    assert "fr-nav__link" not in page and "fr-btn--menu" not in page


def test_the_session_upload_says_which_step_it_is(client: FlaskClient) -> None:
    """The DSFR stepper: "Déposer la liste", step 1 of 4, next "Vérifier la liste"."""
    page = client.get("/session").get_data(as_text=True)
    stepper = _text(page[page.index('<div class="fr-stepper">') : page.index('<p class="fr-text--lead">')])
    assert stepper == "Déposer la liste Étape 1 sur 4 Étape suivante : Vérifier la liste"
    assert 'data-fr-current-step="1" data-fr-steps="4"' in page


@pytest.mark.parametrize("path", ["/accessibilite", "/donnees-personnelles", "/mentions-legales"])
def test_legal_pages_open_before_the_access_code(procedure: Procedure, tmp_path: Path, path: str) -> None:
    """The footer of /acces links to them: they answer without the code, the desk's pages do not."""
    app = create_app(procedure, access_code="code-du-service", work_dir=tmp_path)
    app.config["WTF_CSRF_ENABLED"] = False
    client = app.test_client()
    assert client.get(path).status_code == 200
    assert client.get("/fiche").status_code in (302, 303)
