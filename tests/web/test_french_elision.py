"""French « de » before a name: « Fiche d'Anne Dupont », « Fiche de Marc Dupont »."""

from __future__ import annotations

import html
import re

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st
from webtools import post_desk

from generator.i18n import use_language
from generator.web.messages import elides, of_name, with_name


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Marc Dupont", "de Marc Dupont"),
        ("Anne Dupont", "d'Anne Dupont"),
        ("Hélène Martin", "d'Hélène Martin"),
        ("Hugo Martin", "d'Hugo Martin"),
        ("Yves Leroy", "d'Yves Leroy"),
        ("Yann Leroy", "de Yann Leroy"),
        ("Yasmine Ali", "de Yasmine Ali"),
        ("Éloïse D’Artagnan", "d'Éloïse D’Artagnan"),
        ("Œdipe Roi", "d'Œdipe Roi"),
        ("Ərəstun Məmmədov", "d'Ərəstun Məmmədov"),
        ("Ingrid Van der Berg", "d'Ingrid Van der Berg"),
        ("Zoé", "de Zoé"),
        ("Y", "de Y"),
        ("", "de "),
    ],
)
def test_of_name(name: str, said: str) -> None:
    """Elided before a vowel, a mute h or a y before a consonant; « de » otherwise."""
    assert of_name(name) == said


@given(st.text(max_size=20))
def test_of_name_keeps_the_name_whole(name: str) -> None:
    """Property: the name is never changed, only « de » or « d' » put before it."""
    said = of_name(name)
    assert said in (f"de {name}", f"d'{name}")
    assert said.startswith("d'") == elides(name)


def test_with_name_elides_only_in_french() -> None:
    """The French sentence elides; the English one says "of" as it is."""
    with use_language("fr"):
        assert with_name("Fiche de {name}", "Anne Dupont") == "Fiche d'Anne Dupont"
        assert with_name(
            "Image de la fiche de {name}, identifiant {identifier}", "Anne", identifier="adupont"
        ) == ("Image de la fiche d'Anne, identifiant adupont")
    with use_language("en"):
        assert with_name("Sheet of {name}", "Anne Dupont") == "Sheet of Anne Dupont"


def test_result_title_and_picture_elide(client: FlaskClient) -> None:
    """The result's heading and its picture's alternative text say « d'Anne Dupont »."""
    page = post_desk(client, first_name="Anne", last_name="Dupont").get_data(as_text=True)
    heading = re.search(r'<h2 id="resultat-titre">([^<]+)</h2>', page)
    assert heading and html.unescape(heading.group(1)) == "Fiche d'Anne Dupont"
    alt = re.search(r'<img src="data:image/png;base64,[^"]+" width="450" height="636" alt="([^"]+)"', page)
    assert alt and html.unescape(alt.group(1)).startswith(
        "Image de la fiche d'Anne Dupont, identifiant adupont."
    )
    marc = post_desk(client, first_name="Marc", last_name="Dupont").get_data(as_text=True)
    assert '<h2 id="resultat-titre">Fiche de Marc Dupont</h2>' in marc
