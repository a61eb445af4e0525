"""Each refusal of the desk says its own cause: a character no font draws is named, beside its field."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from webtools import post_desk, token

from generator import Procedure, RenderError, compose, make_person, render_sheet


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _field_error(page: str, field: str) -> str:
    found = re.search(rf'<p class="fr-error-text" id="{field}-error">(.*?)</p>', page, re.S)
    return _text(found.group(1)) if found else ""


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_render_error_carries_the_characters(procedure: Procedure, fmt: str) -> None:
    """The render layer's refusal carries the characters themselves (what a page maps), in both writers."""
    person = make_person(procedure, first_name="Marie", last_name="Dupont ★")
    with pytest.raises(RenderError) as caught:
        render_sheet(compose(procedure, person), fmt)
    assert caught.value.characters == ("★",)


def test_star_in_the_family_name_is_named_not_unfit(client: FlaskClient) -> None:
    """« Dupont ★ »: the star cannot be printed, said with its code beside Nom d'usage; never "does not fit"."""
    response = post_desk(client, first_name="Marie", last_name="Dupont ★")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    said = _field_error(page, "last_name")
    assert "« Nom d'usage » : le caractère « ★ » (U+2605) ne peut pas être imprimé" in said
    assert '<a href="#last_name">' in page
    assert "ne tient pas" not in _text(page)


def test_several_characters_in_several_fields(client: FlaskClient) -> None:
    """Two fields, three characters: each field says its own, in the plural where it holds two."""
    page = post_desk(client, first_name="Marie ☃", last_name="Dupont ★☂").get_data(as_text=True)
    assert "le caractère « ☃ » (U+2603) ne peut pas être imprimé" in _field_error(page, "first_name")
    last = _field_error(page, "last_name")
    assert "les caractères « ★ » (U+2605), « ☂ » (U+2602) ne peuvent pas être imprimés" in last


def test_download_of_an_undrawable_name_says_the_character(client: FlaskClient) -> None:
    """A download posted with such a name answers with the same cause, not a page about fitting."""
    data = {"csrf_token": token(client), "format": "docx", "first_name": "Marie", "last_name": "Dupont ★"}
    response = client.post("/fiche/telecharger", data=data)
    assert response.status_code == 422
    text = _text(response.get_data(as_text=True))
    assert "« ★ » (U+2605)" in text and "ne tient pas" not in text


def test_too_long_for_the_page_still_says_it_does_not_fit(client: FlaskClient, monkeypatch) -> None:  # noqa: ANN001
    """A RenderError that names no character keeps the "does not fit" message."""
    from generator.web import service

    def unfit(*_args: object) -> bytes:
        raise RenderError("content does not fit")

    monkeypatch.setattr(service, "render", unfit)
    page = post_desk(client, first_name="Marie", last_name="Dupont").get_data(as_text=True)
    assert "Avec ces noms, la fiche ne tient pas sur une page" in _text(page)
