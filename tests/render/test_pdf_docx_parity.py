"""One model, two renderers: the PDF and the DOCX show the same content."""

from __future__ import annotations

import io

import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import DocxRenderer, PdfRenderer, norm, pdf_pages_text

from generator.people.person import Person
from generator.procedure.model import Procedure, plain
from generator.sheet.compose import compose, personal_box

PEOPLE = {
    "flyer": None,
    "birth name": Person("Françoise", "Martin", "flefevre", birth_name="Lefèvre", manager="aesh17"),
    "markup": Person("Seán", "O'Brien & <i>Fils</i>", "sobrien-ifilsi", manager="vieljeux"),
    "unsure homonym": Person(
        "Zoé", "Quenneville", "zquenneville", manager="aesh17", flags=("homonym", "unsure")
    ),
}


def docx_text(data: bytes) -> str:
    """The text of every run, a non-breaking hyphen read as the hyphen it prints (no space between runs' pieces)."""
    doc = Document(io.BytesIO(data))
    texts = []
    # The body, then the footer: the help band.
    for el in (
        *doc.element.body.iter(qn("w:t"), qn("w:noBreakHyphen")),
        *doc.sections[0].footer._element.iter(qn("w:t")),
    ):
        texts.append("-" if el.tag == qn("w:noBreakHyphen") else " " + (el.text or ""))
    return norm("".join(texts))


def flat(text: str) -> str:
    """Text without spaces or typographic apostrophes; pdfium marks a line-end hyphen as U+FFFE."""
    return "".join(norm(text).replace("\u2019", "'").replace("\ufffe", "-").split())


@pytest.fixture(scope="module")
def renderers(procedure: Procedure) -> tuple[PdfRenderer, DocxRenderer]:
    return PdfRenderer(procedure), DocxRenderer(procedure)


@pytest.mark.parametrize("who", PEOPLE)
def test_both_formats_carry_every_text_of_the_model(
    renderers: tuple[PdfRenderer, DocxRenderer], procedure: Procedure, who: str
) -> None:
    """Every heading, sentence, contact, address, help text and personal line is in both files."""
    person = PEOPLE[who]
    pdf, docx = renderers
    texts = {
        "pdf": flat(pdf_pages_text(pdf.to_bytes(person))[0]),
        # The DOCX's column beside the code is narrower: its address says "(suite de l'adresse)" between
        # its two lines; read it without the cue.
        "docx": flat(docx_text(docx.to_bytes(person))).replace(flat(procedure.address_continues), ""),
    }
    expected = [procedure.meta.title, procedure.meta.audience, procedure.meta.purpose]
    # The steps as this document's page says them (a personal sheet's step 2 is its own).
    for step in compose(procedure, person).page.steps:
        expected += [step.heading, *(plain(p) for p in step.sentences)]
        if step.qr:
            expected += [step.qr.typed, step.qr.caption]  # typed without "https://"
    # The offices step 1 lists: a person's own alone when the roster names it, else every office.
    shown = compose(procedure, person).page.steps[0].contacts
    expected += [e for group in shown for e in (group.name, *group.emails)]
    expected += [procedure.help.label, procedure.help.phone, procedure.help.hours]
    if person is not None:
        box = personal_box(procedure, person)
        expected += [
            box.labels.heading,
            box.first_name,
            box.family_name,
            box.label + " " + box.identifier,
            box.homonym_note,
            box.labels.numen_label,
            box.labels.numen_note,
            box.manager,
            box.birth_name,
        ]
    for name, content in texts.items():
        missing = [e for e in expected if e and flat(e) not in content]
        assert not missing, f"{name} lacks {missing}"


def test_birth_name_is_shown_when_the_identifier_comes_from_it(procedure: Procedure) -> None:
    """Françoise Martin, born Lefèvre: the sheet says why her identifier is flefevre."""
    box = personal_box(procedure, PEOPLE["birth name"])
    assert box.birth_name == "(nom de naissance\u00a0: Lefèvre)"  # as the roster writes it (#15)
    assert personal_box(procedure, Person("Marie", "Dupont", "mdupont", birth_name="DUPONT")).birth_name == ""


def test_qr_alt_text_comes_from_the_data_and_names_what_it_opens(procedure: Procedure) -> None:
    """The alternative text of every code is decided once, from links.qr_alt, with its label and URL."""
    for code in procedure.qr_codes:
        # What it opens, not the 74-character address read aloud (#15).
        assert code.label in code.alt and code.url not in code.alt
