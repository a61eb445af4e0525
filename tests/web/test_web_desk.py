"""The desk through Flask's test client: pages, the sheet, its files, errors in French."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from webtools import post_desk, token

from generator import build_flyer
from generator.cli import main

LABELS = [
    "Prénom",
    "Nom d'usage",
    "Nom de naissance",
    "Identifiant",
    "Courriel personnel",
    "Service gestionnaire",
]


def _text(html: str) -> str:
    """The page's words, without tags, entities and no-break spaces."""
    import html as html_module

    text = html_module.unescape(re.sub(r"<[^>]+>", " ", html))
    return " ".join(text.replace("\u00a0", " ").split())


def test_home_names_the_procedure_and_the_tasks(client: FlaskClient) -> None:
    """The home page says which procedure is loaded and links the desk and the flyer, in French."""
    page = client.get("/").get_data(as_text=True)
    assert '<html lang="fr">' in page
    text = _text(page)
    assert "Accéder à votre messagerie académique professionnelle" in text
    assert "Académie de Poitiers" in text
    assert 'href="/fiche"' in page and 'href="/affiche"' in page
    assert "Une personne" in text and "L'affiche" in text


def test_desk_labels_are_exactly_the_issue_s(client: FlaskClient) -> None:
    """Each field has its label, tied to its input by for/id."""
    page = client.get("/fiche").get_data(as_text=True)
    labels = dict(re.findall(r'<label class="fr-label" for="(\w+)">([^<]+)</label>', page))
    assert [_text(v) for v in labels.values()] == LABELS
    for field in labels:
        assert f'id="{field}"' in page
    assert "si l'académie l'a déjà communiqué" in _text(page)
    assert "Créer la fiche" in page


def test_sheet_shows_identifier_picture_and_downloads(client: FlaskClient) -> None:
    """Créer la fiche: the identifier, the homonym note, a PNG of the page and the Télécharger buttons."""
    response = post_desk(client, first_name="Marie-Hélène", last_name="Dupont", email="mh@example.org")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    text = _text(page)
    assert "Identifiant : mdupont" in text
    assert "L'annuaire ajoute un chiffre (mdupont1) quand une autre personne a déjà cet identifiant" in text
    assert "Homonyme" not in text  # the sheet's homonym note is for rows flagged in a roster only
    assert re.search(r'<img src="data:image/png;base64,iVBORw0KGgo[^"]+"', page)
    buttons = re.findall(r"<button[^>]*>([^<]+)</button>", page)
    downloads = [b for b in buttons if b.startswith("Télécharger")]
    assert [re.search(r"\((\w+)", b).group(1) for b in downloads] == ["PDF", "DOCX", "fiche"]
    assert downloads[2] == "Télécharger le courriel prêt à envoyer (fiche jointe)"
    assert 'formtarget="_blank"' in page  # the PDF opens in a new tab, to print
    assert response.headers["Cache-Control"] == "no-store"


def test_no_email_no_draft(client: FlaskClient) -> None:
    """Without a personal address there is no draft to download."""
    page = post_desk(client, first_name="Marie", last_name="Dupont").get_data(as_text=True)
    assert "courriel prêt à envoyer" not in page and "(PDF" in page


PEOPLE = [
    {"first_name": "Marie", "last_name": "Dupont"},
    {"first_name": "Françoise", "last_name": "Martin", "birth_name": "Lefèvre", "manager": "aesh17"},
    {
        "first_name": "Éloïse",
        "last_name": "D’Artagnan-Œuvray",
        "identifier": "edartagnan2",
        "manager": "vieljeux",
    },
]


@pytest.mark.parametrize("fields", PEOPLE, ids=lambda f: f["first_name"])
def test_downloads_are_byte_identical_to_the_person_command(
    client: FlaskClient, tmp_path: Path, fields: dict[str, str]
) -> None:
    """The PDF and the DOCX are the very bytes ``python -m generator person`` writes for the same fields."""
    option = {"first_name": "--first-name", "last_name": "--last-name", "birth_name": "--birth-name"}
    option |= {"identifier": "--identifier", "manager": "--manager"}
    argv = ["person", "--out", str(tmp_path)]
    for name, value in fields.items():
        argv += [option[name], value]
    assert main(argv) == 0
    written = {p.suffix: p for p in tmp_path.iterdir()}
    for fmt in ("pdf", "docx"):
        data = {"csrf_token": token(client), "manager": "", "format": fmt, **fields}
        response = client.post("/fiche/telecharger", data=data)
        assert response.status_code == 200
        assert response.data == written[f".{fmt}"].read_bytes(), fmt
        disposition = response.headers["Content-Disposition"]
        assert f'filename="{written[f".{fmt}"].name}"' in disposition
        assert disposition.startswith("inline" if fmt == "pdf" else "attachment")
        assert response.headers["Cache-Control"] == "no-store"


def test_email_draft_carries_the_same_pdf(client: FlaskClient) -> None:
    """The .eml is addressed to the personal address and carries the sheet's PDF."""
    fields = {"first_name": "Awa", "last_name": "N'Diaye", "email": "awa@example.fr", "manager": "aesh17"}
    pdf = client.post(
        "/fiche/telecharger", data={"csrf_token": token(client), "format": "pdf", **fields}
    ).data
    response = client.post(
        "/fiche/telecharger", data={"csrf_token": token(client), "format": "eml", **fields}
    )
    assert response.headers["Content-Disposition"] == 'attachment; filename="andiaye.eml"'
    message = email.message_from_bytes(response.data, policy=policy.default)
    assert "awa@example.fr" in message["To"]
    attachment = next(message.iter_attachments())
    assert attachment.get_content() == pdf


def test_errors_summary_links_fields_and_errors_beside_them(client: FlaskClient) -> None:
    """Empty names: a French summary at the top, each item a link to its field, the message beside the field."""
    response = post_desk(client, first_name="", last_name="")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "<title>Erreur" in page
    summary = page[
        page.index('class="error-summary') : page.index("</div>", page.index('class="error-summary'))
    ]
    assert "autofocus" in page[page.index("<div", page.index("error-summary") - 40) :][:200]
    links = re.findall(r'<a href="#(\w+)">([^<]+)</a>', summary)
    assert [field for field, _ in links] == ["first_name", "last_name"]
    # The library's own message, naming each field by the form's label.
    assert _text(links[0][1]).startswith("« Prénom » est vide (attendu : le prénom")
    assert _text(links[1][1]).startswith("« Nom d'usage » est vide")
    assert 'id="first_name-error"' in page
    assert re.search(r'id="first_name"[^>]*aria-describedby="first_name-hint first_name-error"', page)
    assert 'aria-invalid="true"' in page


@pytest.mark.parametrize(
    ("field", "typed"),
    [
        ("first_name", "17E0912345ABC"),
        ("last_name", "17 E 0912345 abc"),
        ("birth_name", "１７Ｅ０９１２３４５ＡＢＣ"),
        ("identifier", "17e-0912345-abc"),
        ("email", "17E0912345ABC@example.fr"),
    ],
)
def test_numen_refused_and_never_shown_back(client: FlaskClient, field: str, typed: str) -> None:
    """A NUMEN typed in any field is refused, the field is emptied, and no page nor answer repeats it."""
    fields = {"first_name": "Marie", "last_name": "Dupont", field: typed}
    for path in ("/fiche", "/fiche/identifiant"):
        response = post_desk(client, path, **fields)
        body = response.get_data(as_text=True)
        assert "NUMEN" in body
        digits = re.sub(r"\D", "", typed.translate({0xFF10 + i: str(i) for i in range(10)}))
        assert digits not in re.sub(r"\D", "", re.sub(r"data:image/png;base64,[^\"]+", "", body))
        assert typed not in body
    page = post_desk(client, **fields).get_data(as_text=True)
    assert re.search(rf'id="{field}" name="{field}" type="\w+" value=""', page)


@pytest.mark.parametrize(
    ("fields", "field", "said"),
    [
        ({"first_name": "Дмитрий", "last_name": "Petrov"}, "first_name", "hors de l'alphabet latin"),
        (
            {"first_name": "M" * 41, "last_name": "Dupont"},
            "first_name",
            "« Prénom » compte 41 caractères (au plus 40 tiennent sur la fiche)",
        ),
        ({"first_name": "Marie", "last_name": "Dupont", "email": "x" * 250 + "@a.fr"}, "email", "au plus"),
        (
            {"first_name": "Marie", "last_name": "Dupont", "email": "pas-une-adresse"},
            "email",
            "prenom.nom@example.fr",
        ),
        (
            {"first_name": "Marie", "last_name": "Dupont", "identifier": "M Dupont!"},
            "identifier",
            "minuscules a-z",
        ),
        (
            {"first_name": "Marie", "last_name": "Dupont", "manager": "inconnu"},
            "manager",
            "« Service gestionnaire » « inconnu » n'est pas un service gestionnaire",
        ),
        (
            {"first_name": "Marie", "last_name": "marie@example.fr"},
            "last_name",
            "« Nom d'usage » contient un « @ »",
        ),
        ({"first_name": "Marie", "last_name": "Du\npont"}, "last_name", "retour à la ligne"),
        ({"first_name": "Marie", "last_name": "Du\x07pont"}, "last_name", "caractère de contrôle"),
        ({"first_name": "Marie", "last_name": "---"}, "last_name", "aucune lettre a-z"),
        ({"first_name": "123", "last_name": "Dupont"}, "first_name", "chiffre"),
    ],
)
def test_each_core_rule_speaks_french_beside_its_field(
    client: FlaskClient, fields: dict[str, str], field: str, said: str
) -> None:
    """The command line's rules, told in French and tied to the field they are about."""
    page = post_desk(client, **fields).get_data(as_text=True)
    assert f'<a href="#{field}">' in page
    errors = re.search(rf'<p class="fr-error-text" id="{field}-error">(.*?)</p>', page, re.S)
    assert errors and said in _text(errors.group(1))


def test_error_summary_follows_the_form_s_order(client: FlaskClient) -> None:
    """Several fields wrong: the summary lists them in the order of the form, each linking to its field."""
    fields = {"first_name": "M" * 41, "identifier": "M Dupont!", "email": "17E0912345ABC@example.fr"}
    page = post_desk(client, last_name="Dupont", **fields).get_data(as_text=True)
    summary = page[page.index('class="error-summary') :]
    links = re.findall(r'<a href="#(\w+)">', summary[: summary.index("</div>")])
    assert links == ["first_name", "identifier", "email"]


def test_live_identifier_answers_a_post(client: FlaskClient) -> None:
    """The identifier and the homonym note as the names are typed; a GET is not answered."""
    answer = post_desk(
        client, "/fiche/identifiant", first_name="Jean-Pierre", last_name="Le Dupond"
    ).get_json()
    assert answer["identifier"] == "jle-dupond"
    assert "jle-dupond1" in answer["note"]
    birth = post_desk(
        client, "/fiche/identifiant", first_name="Ingrid", last_name="Van der Berg", birth_name="Großmann"
    )
    assert birth.get_json()["identifier"] == "igrossmann" and birth.get_json()["birth_name"]
    empty = post_desk(client, "/fiche/identifiant", first_name="Marie").get_json()
    assert empty["identifier"] == "" and "dès que le prénom et le nom" in empty["message"]
    latin = post_desk(client, "/fiche/identifiant", first_name="Marie", last_name="Ωμέγα").get_json()
    assert "alphabet latin" in latin["message"]
    assert client.get("/fiche/identifiant").status_code == 405
    assert post_desk(client, "/fiche/identifiant", first_name="M").headers["Cache-Control"] == "no-store"


def test_flyer_page_and_files_are_build_s(client: FlaskClient, procedure, tmp_path: Path) -> None:
    """/affiche: its picture and links; the files are those ``build`` writes."""
    page = client.get("/affiche").get_data(as_text=True)
    assert "data:image/png;base64," in page
    assert "Télécharger l'affiche (PDF" in page and "Télécharger l'affiche (DOCX" in page
    for path in build_flyer(procedure, tmp_path, ("pdf", "docx")):
        assert client.get(f"/affiche/{path.name}").data == path.read_bytes()
    assert client.get("/affiche/flyer.exe").status_code == 404


def test_unknown_page_and_bad_download_are_french_pages(client: FlaskClient) -> None:
    """404 and a bad format answer with a French page, not Werkzeug's English one."""
    response = client.get("/nulle-part")
    assert response.status_code == 404 and "Page introuvable" in response.get_data(as_text=True)
    bad = client.post("/fiche/telecharger", data={"csrf_token": token(client), "format": "exe"})
    assert bad.status_code == 400 and "La demande ne peut pas être lue" in bad.get_data(as_text=True)
    no_mail = client.post(
        "/fiche/telecharger",
        data={"csrf_token": token(client), "format": "eml", "first_name": "Marie", "last_name": "Dupont"},
    )
    assert no_mail.status_code == 400


def test_too_large_a_request_gets_a_french_page(procedure) -> None:
    """Over the size limit: a clear French page (413), not a bare error."""
    from generator.web import create_app

    small = create_app(procedure, max_request_bytes=2048).test_client()
    response = small.post("/fiche", data={"csrf_token": token(small), "first_name": "x" * 5000})
    assert response.status_code == 413
    text = _text(response.get_data(as_text=True))
    assert "Le fichier est trop volumineux" in text and "Mo" in text
