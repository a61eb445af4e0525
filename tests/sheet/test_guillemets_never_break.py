"""No line break between a guillemet and its word: « and » hold their word by a no-break space, in every text."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import ROOT, soffice_available, soffice_to_pdf
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import compose, render_sheet
from generator.people.person import Person
from generator.procedure.schema import load_procedure
from generator.procedure.typography import NBSP, french_spacing

PERSON = Person("Marie", "Dupont", "mdupont", manager="vieljeux", row=2, flags=("homonym",))
# Breaking at a guillemet: « at a line's end, or » at a line's start.
BROKEN = re.compile(r"«\s*$|^\s*»", re.MULTILINE)


def _badly_spaced(text: str) -> list[str]:
    """Each « not followed by a no-break space, each » not preceded by one."""
    return [m.group(0) for m in re.finditer(r"«(?!\u00a0)|(?<!\u00a0)»", text)]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="«» \t\n\u00a0\u202fab:;!?.'", max_size=40))
def test_french_spacing_binds_each_guillemet_to_its_word(text: str) -> None:
    """Whatever space was typed (none, several, a tab, a line break, U+202F), one no-break space."""
    spaced = french_spacing(text)
    assert not _badly_spaced(spaced)
    assert "\u202f" not in spaced  # missing from the embedded font: the no-break space stands in
    assert spaced.count("«") == text.count("«") and spaced.count("»") == text.count("»")
    assert french_spacing(spaced) == spaced


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="«» \t\nab", max_size=40))
def test_french_spacing_never_joins_two_paragraphs(text: str) -> None:
    """A blank line next to a guillemet stays a blank line: only the space within a paragraph is bound."""
    blank = re.compile(r"\n[^\S\n]*\n")
    assert len(blank.findall(french_spacing(text))) == len(blank.findall(text))


def _guillemets_everywhere(tmp_path: Path) -> Path:
    """The default data with « » typed with plain spaces (or none) in the title, the box, a step, the help band."""
    text = (ROOT / "data" / "procedure.yaml").read_text(encoding="utf-8")
    for old, new in (
        ('title: "Accéder à', 'title: "«Accéder» à'),
        ('heading: "Votre fiche personnelle"', 'heading: "Votre « fiche » personnelle"'),
        ('numen_note: "Ne le communiquez', 'numen_note: "« Ne » le communiquez'),
        ('label: "Besoin d', 'label: "«  Besoin  » d'),
        ('heading: "Revenez depuis un ordinateur"', 'heading: "Revenez depuis « un ordinateur »"'),
        ('manager_note: "Votre service', 'manager_note: "« Votre » service'),
    ):
        assert old in text, old
        text = text.replace(old, new)
    path = tmp_path / "guillemets.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _texts(value: object) -> list[str]:
    """Every string of a sheet's model (frozen dataclasses, tuples), recursively."""
    if isinstance(value, str):
        return [value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [t for f in dataclasses.fields(value) for t in _texts(getattr(value, f.name))]
    if isinstance(value, tuple):
        return [t for item in value for t in _texts(item)]
    return []


def test_every_text_of_a_sheet_binds_its_guillemets(tmp_path: Path) -> None:
    """The flyer's and a personal sheet's every text, from any field of the data: no bare space at « or »."""
    procedure = load_procedure(_guillemets_everywhere(tmp_path))
    for sheet in (compose(procedure), compose(procedure, PERSON)):
        texts = [t for t in _texts(sheet) if "«" in t or "»" in t]
        assert len(texts) >= 5
        assert not [t for t in texts if _badly_spaced(t)]


def _pdf_lines(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return doc[0].get_textpage().get_text_range().splitlines()
    finally:
        doc.close()


@settings(max_examples=12, deadline=None)
@given(
    st.lists(
        st.sampled_from(["mot", "clé", "messagerie", "« Authentification »", "« Ajouter »", "écran"]),
        min_size=25,
        max_size=45,
    )
)
def test_no_pdf_line_ends_at_an_opening_guillemet(
    tmp_path_factory: pytest.TempPathFactory, words: list[str]
) -> None:
    """A step sentence of guillemeted words that wraps over several lines: no line ends with « or starts with »."""
    text = (ROOT / "data" / "procedure.yaml").read_text(encoding="utf-8")
    sentence = " ".join(words).capitalize() + "."
    old = '      - "Cherchez « Académie de Poitiers » dans un moteur de recherche."'
    assert old in text
    path = tmp_path_factory.mktemp("g") / "wrapping.yaml"
    path.write_text(text.replace(old, f'      - "{sentence}"'), encoding="utf-8")
    procedure = load_procedure(path)
    for sheet in (compose(procedure), compose(procedure, PERSON)):
        lines = _pdf_lines(render_sheet(sheet, "pdf"))
        assert not [line for line in lines if BROKEN.search(line)], lines


def test_the_docx_holds_no_bare_space_at_a_guillemet(tmp_path: Path) -> None:
    """In the DOCX's XML every « is followed, every » preceded, by a no-break space (Word keeps them together)."""
    procedure = load_procedure(_guillemets_everywhere(tmp_path))
    doc = Document(io.BytesIO(render_sheet(compose(procedure, PERSON), "docx")))
    parts = [doc.element.body, doc.sections[0].footer._element]
    text = "".join(t.text or "" for part in parts for t in part.iter(qn("w:t")))
    assert text.count("«") >= 5
    assert not _badly_spaced(text)
    assert f"«{NBSP}Authentification{NBSP}»" in text


@pytest.mark.soffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_never_breaks_at_a_guillemet(tmp_path: Path) -> None:
    """LibreOffice's print of the DOCX: no line ends with « or starts with »."""
    procedure = load_procedure(_guillemets_everywhere(tmp_path))
    path = tmp_path / "sheet.docx"
    path.write_bytes(render_sheet(compose(procedure, PERSON), "docx"))
    (pdf,) = soffice_to_pdf([path], tmp_path / "out")
    lines = _pdf_lines(pdf.read_bytes())
    assert sum(line.count("«") for line in lines) >= 5
    assert not [line for line in lines if BROKEN.search(line)], lines
