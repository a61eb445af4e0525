"""Issue 16: the PDF writer's own serialisation (render/pdf/assemble.py) writes reportlab's bytes exactly."""

from __future__ import annotations

import sys

import pytest
from helpers import ISSUE_NAMES
from reportlab.pdfbase.pdfdoc import DummyDoc, PDFArray, PDFDictionary, PDFName, PDFString

from generator.people.person import Person
from generator.render.pdf import PdfWriter, assemble
from generator.sheet.compose import compose, compose_page

PEOPLE = [
    None,  # the flyer
    Person("Zoé", "Le Gall", "zlegall", email="zoe@example.org", row=2),
    Person("Ångström", "Œdipe-Ñúñez", "aoedipe", row=3, manager="vieljeux"),
    Person("Çelik", "N'Diaye", "cndiaye", row=4),
    *[Person(name.split()[0], name, "x" + str(i), row=5 + i) for i, name in enumerate(ISSUE_NAMES)],
    Person("A" * 40, "B-" * 30 + "C", "ab" * 30, row=20),  # a taller box, a layout of its own
    Person("Zoé", "Le Gall", "zlegall", email="zoe@example.org", row=2),  # the first one again, caches warm
]


@pytest.fixture(scope="module")
def writers(procedure) -> tuple[PdfWriter, PdfWriter]:
    page = compose_page(procedure)
    return PdfWriter(page), PdfWriter(page, reuse=False)


@pytest.mark.parametrize("person", PEOPLE, ids=lambda p: "flyer" if p is None else p.last_name[:20])
def test_assembled_file_equals_the_one_reportlab_saves(procedure, writers, person, monkeypatch) -> None:
    """Every byte the same as reportlab's own document (fallback fonts, subsets, taller box, flyer),
    and written without reportlab's saving."""
    fast, plain = writers
    sheet = compose(procedure, person)
    expected = plain.to_bytes(sheet)

    def refuse(*args: object) -> bytes:
        raise AssertionError("the sheet went through reportlab's save")

    monkeypatch.setattr(sys.modules[PdfWriter.__module__].PdfWriter, "_saved_by_reportlab", refuse)
    assert fast.to_bytes(sheet) == expected


@pytest.mark.parametrize(
    "entries",
    [
        {},
        {"Type": PDFName("Page"), "Rotate": 0},
        {k: PDFString(k.lower()) for k in "ABCDEFGHIJKLMN"},
        {"Kids": PDFArray([1, 2, 3]), "Count": 3, "Z": PDFDictionary({})},
    ],
)
def test_pdf_dict_lays_out_a_dictionary_as_reportlab_does(entries: dict[str, object]) -> None:
    """Keys sorted, a line break every six entries: the same bytes as PDFDictionary.format."""
    doc = DummyDoc()
    formatted = {
        key: PDFDictionary({key: value}).format(doc)[3:-3].split(b" ", 1)[1] for key, value in entries.items()
    }
    assert assemble.pdf_dict(formatted) == PDFDictionary(entries).format(doc)
