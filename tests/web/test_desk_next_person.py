"""Issue "Right for one person": after Créer la fiche, nothing of that person is left to type over."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from flask.testing import FlaskClient
from webtools import post_desk, token

PERSON = {
    "first_name": "Karim",
    "last_name": "Benali",
    "birth_name": "Martin",
    "email": "mh.dupont@orange.fr",
    "manager": "aesh17",
}


class _Controls(HTMLParser):
    """Every form control of a page: (tag, attributes), and the forms they sit in."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[tuple[str, dict[str, str], dict[str, str]]] = []
        self.form: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag == "form":
            self.form = values
        elif tag in ("input", "select", "textarea"):
            self.controls.append((tag, values, self.form))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.form = {}


def _controls(page: str) -> list[tuple[str, dict[str, str], dict[str, str]]]:
    parser = _Controls()
    parser.feed(page)
    return parser.controls


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def test_result_page_leaves_no_field_to_type_over(client: FlaskClient) -> None:
    """The result holds the person only in hidden fields of its own POST forms, each with its CSRF token."""
    response = post_desk(client, **PERSON)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Identifiant : kmartin" in _text(page)
    controls = _controls(page)
    assert controls, "the downloads keep what they need in hidden fields"
    for tag, attrs, form in controls:
        if tag == "button":
            continue
        assert tag == "input" and attrs["type"] == "hidden", (tag, attrs)
        assert form.get("method") == "post", attrs
    forms = {form["action"] for _tag, _attrs, form in controls}
    assert forms == {"/fiche/telecharger", "/fiche/modifier"}
    for action in forms:
        names = [a["name"] for _t, a, f in controls if f["action"] == action]
        assert "csrf_token" in names and "birth_name" in names
    assert 'id="desk"' not in page  # the typing form is not on the result page
    assert response.headers["Cache-Control"] == "no-store"


def test_next_sheet_is_an_empty_form(client: FlaskClient) -> None:
    """ "Fiche suivante" is a plain link to GET /fiche, whose fields are all empty and never autofilled."""
    page = post_desk(client, **PERSON).get_data(as_text=True)
    link = re.search(r'<a class="fr-btn" id="fiche-suivante" href="([^"]+)">([^<]+)</a>', page)
    assert link and link.group(1) == "/fiche" and link.group(2) == "Fiche suivante"
    empty = client.get(link.group(1))
    form_page = empty.get_data(as_text=True)
    assert empty.headers["Cache-Control"] == "no-store"
    assert re.search(r'<form[^>]*id="desk"[^>]*autocomplete="off"', form_page)
    person_fields = [c for c in _controls(form_page) if c[1].get("name") in PERSON]
    assert {attrs["name"] for _tag, attrs, _form in person_fields} == set(PERSON)
    for tag, attrs, _form in person_fields:
        assert attrs.get("autocomplete") == "off", attrs["name"]
        if tag == "input":
            assert attrs.get("value", "") == "", attrs["name"]
    assert not re.search(r"<option[^>]* selected", form_page)
    for name in ("first_name", "last_name", "birth_name", "email"):
        assert PERSON[name] not in form_page


def test_modify_puts_the_same_person_back_in_the_form(client: FlaskClient) -> None:
    """ "Modifier cette fiche" posts the hidden fields to /fiche/modifier: the form, filled, to fix a typo."""
    page = post_desk(client, **PERSON).get_data(as_text=True)
    modify = [a for _t, a, f in _controls(page) if f.get("action") == "/fiche/modifier"]
    data = {a["name"]: a["value"] for a in modify}
    response = client.post("/fiche/modifier", data=data)
    form_page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="desk"' in form_page
    for name in ("first_name", "last_name", "birth_name", "email"):
        assert re.search(
            rf'id="{name}" name="{name}" type="\w+" value="{re.escape(PERSON[name])}"', form_page
        )
    assert '<option value="aesh17" selected>' in form_page
    assert 'id="resultat"' not in form_page  # nothing is made before Créer la fiche
    refused = client.post("/fiche/modifier", data={k: v for k, v in data.items() if k != "csrf_token"})
    assert refused.status_code == 400  # a POST without its token is refused, as every POST is


def test_the_next_person_s_files_hold_only_what_was_typed_for_them(client: FlaskClient) -> None:
    """The next sheet made from two names alone: identifier from them, and no draft (no address typed)."""
    post_desk(client, **PERSON)
    page = post_desk(client, first_name="Anne", last_name="Dupont").get_data(as_text=True)
    assert "Identifiant : adupont" in _text(page)
    assert "courriel prêt à envoyer" not in page and "orange.fr" not in page and "Martin" not in page
    hidden = {
        a["name"]: a["value"] for _t, a, f in _controls(page) if f.get("action") == "/fiche/telecharger"
    }
    assert hidden["birth_name"] == "" and hidden["email"] == "" and hidden["manager"] == ""
    draft = client.post("/fiche/telecharger", data={**hidden, "format": "eml", "csrf_token": token(client)})
    assert draft.status_code == 400


def test_result_summary_says_what_was_typed_as_text(client: FlaskClient) -> None:
    """The result reads the person back (the office by its name), as text: markup typed stays text."""
    page = post_desk(client, first_name="Anne", last_name="Dupont <b>", manager="aesh17").get_data(
        as_text=True
    )
    summary = page[page.index('<dl class="summary">') : page.index("</dl>")]
    assert "<dt>Prénom :</dt><dd>Anne</dd>" in summary.replace("\u00a0", " ")
    assert "Dupont &lt;b&gt;" in summary and "<b>" not in summary
    assert "Pôle académique de gestion des AESH" in summary
    assert "Nom de naissance" not in summary  # nothing typed, nothing said


def test_modify_never_puts_a_numen_back(client: FlaskClient) -> None:
    """Whatever is posted to /fiche/modifier, a NUMEN is refused and its field left empty, never echoed."""
    data = {
        "csrf_token": token(client),
        "first_name": "Marie",
        "last_name": "Dupont",
        "email": "17E0912345ABC@a.fr",
    }
    response = client.post("/fiche/modifier", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422 and "NUMEN" in page
    assert "0912345" not in page
    assert re.search(r'id="email" name="email" type="email" value=""', page)
    assert re.search(r'id="last_name" name="last_name" type="text" value="Dupont"', page)
