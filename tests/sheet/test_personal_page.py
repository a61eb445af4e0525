"""A personal sheet is right for its person: its own step 2, the unsure label, the homonym note's bold label."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import norm, pdf_pages_text

from generator.people.person import Person
from generator.procedure.model import Procedure, plain
from generator.render import render, writer
from generator.run.runner import write_print_file
from generator.run.worker import Worker
from generator.sheet.compose import compose, compose_page
from generator.sheet.fit import LADDER

HOMONYM = Person("Mathieu", "Dupont", "mdupont", manager="vieljeux", flags=("homonym",))
UNSURE = Person("Ŋuyen", "Əliyev", "nliyev", flags=("unsure",))
EVERYTHING = Person(
    "Marie-Hélène Françoise Bénédicte",
    "de La Rochefoucauld-Montmorency d'Harcourt",
    "mde-la-rochefoucauld-montmorency-dharcourt",
    birth_name="Lefèvre-Beauvilliers de La Tour d'Auvergne",
    manager="aesh17",
    flags=("homonym", "unsure"),
)


def flat(text: str) -> str:
    """Text without spaces or typographic apostrophes; pdfium marks a line-end hyphen as U+FFFE."""
    return "".join(norm(text).replace("\u2019", "'").replace("\ufffe", "-").split())


def docx_text(data: bytes) -> str:
    body = Document(io.BytesIO(data)).element.body
    # A non-breaking hyphen (inside the identifier) reads as the hyphen it prints.
    return norm(
        "".join(
            "-" if el.tag == qn("w:noBreakHyphen") else " " + (el.text or "")
            for el in body.iter(qn("w:t"), qn("w:noBreakHyphen"))
        )
    )


def test_the_personal_page_points_at_the_identifier_at_the_top(procedure: Procedure) -> None:
    """Step 2 of a personal sheet names no example identifier; the flyer's gives the rule's example."""
    flyer, personal = compose(procedure).page, compose(procedure, HOMONYM).page
    assert not flyer.personal and personal.personal
    said = norm(plain(personal.steps[1].sentences[2])).replace("\u2019", "'")
    assert said == "Identifiant : c'est l'identifiant écrit en haut de cette feuille."
    assert "ade-la-fontaine" in plain(flyer.steps[1].sentences[2])
    # The rest of the page is the flyer's.
    assert [s.sentences for s in flyer.steps[2:]] == [s.sentences for s in personal.steps[2:]]


def test_every_person_shares_one_personal_page(procedure: Procedure) -> None:
    """One page for all persons of one managing office (and one for those with none): prepared once."""
    assert (
        compose(procedure, HOMONYM).page is compose(procedure, replace(UNSURE, manager=HOMONYM.manager)).page
    )
    assert compose(procedure, HOMONYM).page is compose_page(procedure, personal=True, manager=HOMONYM.manager)
    assert compose(procedure, UNSURE).page is compose_page(procedure, personal=True)
    assert compose(procedure).page is compose_page(procedure)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_no_sheet_shows_another_persons_identifier_as_its_own(procedure: Procedure, fmt: str) -> None:
    """Mathieu Dupont's sheet never says "mdupont pour Marie Dupont" nor the flyer's example."""
    data = render(compose(procedure, HOMONYM), fmt)
    text = flat(pdf_pages_text(data)[0] if fmt == "pdf" else docx_text(data))
    assert "ade-la-fontaine" not in text and "Anne-Sophie" not in text
    assert flat("c'est l'identifiant écrit en haut de cette feuille") in text
    flyer = render(compose(procedure), fmt)
    assert "ade-la-fontaine" in flat(pdf_pages_text(flyer)[0] if fmt == "pdf" else docx_text(flyer))


def test_a_run_writes_with_the_personal_page(procedure: Procedure, tmp_path: Path) -> None:
    """The batch's workers and its print file are built from the personal page, not the flyer's."""
    worker = Worker(procedure, ("pdf", "docx"), tmp_path, eml=True)
    assert all(w.page.personal for w in worker.writers.values())
    assert worker.attachment is not None and worker.attachment.page.personal
    path = write_print_file(procedure, [HOMONYM, UNSURE], tmp_path, "all.pdf")
    pages = pdf_pages_text(path)
    assert len(pages) == 2
    assert all(flat("écrit en haut de cette feuille") in flat(page) for page in pages)


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_an_unsure_identifier_is_labelled_to_be_confirmed(procedure: Procedure, fmt: str) -> None:
    """Flag "unsure": the label asks the person to confirm it with their service; the others' does not."""
    unsure = render(compose(procedure, UNSURE), fmt)
    sure = render(compose(procedure, HOMONYM), fmt)
    read = (lambda d: flat(pdf_pages_text(d)[0])) if fmt == "pdf" else (lambda d: flat(docx_text(d)))
    label = flat("Votre identifiant (à confirmer auprès de votre service) :")
    assert label + "nliyev" in read(unsure)
    assert label not in read(sure) and flat("Votre identifiant : mdupont") in read(sure)


def test_the_homonym_note_label_is_bold_in_the_docx(procedure: Procedure) -> None:
    """ "Homonyme :" is a Strong run, the rest of the note plain."""
    doc = Document(io.BytesIO(render(compose(procedure, HOMONYM), "docx")))
    note = next(p for p in doc.element.body.iter(qn("w:p")) if "Homonyme" in "".join(p.itertext()))
    runs = [
        (r.findtext(qn("w:t")) or "", r.find(f"{qn('w:rPr')}/{qn('w:rStyle')}")) for r in note.iter(qn("w:r"))
    ]
    styled = {
        norm(text): style.get(qn("w:val")) if style is not None else None for text, style in runs if text
    }
    assert styled.get("Homonyme :") == "Strong"
    rest = next(text for text, style in runs if "votre identifiant peut finir" in text)
    # The identifier stands just above: the note does not say it again (#24).
    assert "1, 2…" in rest and "mdupont" not in rest and "Strong" not in str(styled.get(norm(rest)))
    assert "**" not in "".join(note.itertext())


def test_the_homonym_note_label_is_bold_in_the_pdf(procedure: Procedure) -> None:
    """In the PDF, "Homonyme :" is set in the bold face; the note says which digits may follow."""
    data = render(compose(procedure, HOMONYM), "pdf")
    text = flat(pdf_pages_text(data)[0])
    assert flat("Homonyme : votre identifiant peut finir par 1, 2… : vérifiez à la connexion.") in text
    assert "**" not in text
    assert _note_font_is_bold(data)


def _note_font_is_bold(data: bytes) -> bool:
    """pdfplumber-free: the characters of "Homonyme" come in a font whose name says Bold."""
    import pypdfium2 as pdfium

    page = pdfium.PdfDocument(data)[0]
    textpage = page.get_textpage()
    whole = textpage.get_text_range()
    start = whole.index("Homonyme")
    fonts = set()
    for i in range(start, start + len("Homonyme")):
        size = pdfium.raw.FPDFText_GetFontInfo(textpage.raw, i, None, 0, None)
        buf = (pdfium.raw.ctypes.c_char * size)()
        pdfium.raw.FPDFText_GetFontInfo(textpage.raw, i, buf, size, None)
        fonts.add(buf.value)
    after = whole.index("votre identifiant peut finir")
    size = pdfium.raw.FPDFText_GetFontInfo(textpage.raw, after, None, 0, None)
    buf = (pdfium.raw.ctypes.c_char * size)()
    pdfium.raw.FPDFText_GetFontInfo(textpage.raw, after, buf, size, None)
    return all(b"Bold" in f for f in fonts) and b"Bold" not in buf.value


USUAL_UNSURE = Person(
    "Marie-Hélène", "Lefèvre-Dupont", "mlefevre-dupont", birth_name="Martin", flags=("unsure",)
)


def test_an_unsure_identifier_keeps_the_pdf_at_12_pt(procedure: Procedure) -> None:
    """The longer label wraps and the identifier follows on its second line: the PDF stays at 12 pt."""
    sheet = compose(procedure, USUAL_UNSURE)
    assert writer("pdf", sheet.page).measure(sheet, LADDER[0]) >= 0
    text = flat(pdf_pages_text(render(sheet, "pdf"))[0])
    assert flat("(à confirmer auprès de votre service) : mlefevre-dupont") in text


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_every_variant_at_once_still_fits_one_page(procedure: Procedure, fmt: str) -> None:
    """Homonym, birth name, unsure label, a long name and an office at once: still one page."""
    data = render(compose(procedure, EVERYTHING), fmt)
    if fmt == "pdf":
        assert len(pdf_pages_text(data)) == 1
    else:
        sheet = compose(procedure, EVERYTHING)
        assert writer("docx", sheet.page).measure(sheet, LADDER[-1]) >= 0
        assert flat("mde-la-rochefoucauld-montmorency-dharcourt") in flat(docx_text(data))


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
def test_the_flyer_stays_at_12_pt(procedure: Procedure, fmt: str) -> None:
    """The rule's sentence is longer than the old one: the flyer still holds at 12 pt."""
    flyer = compose(procedure)
    assert writer(fmt, flyer.page).measure(flyer, LADDER[0]) >= 0
