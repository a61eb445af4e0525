"""Issue 15, the sheet's second edition: every name exact, half the toner, easier to copy from."""

from __future__ import annotations

import io
import os
import unicodedata
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import soffice_available, soffice_to_pdf
from helpers_ink import MAX_COVERAGE, ink_coverage

from generator import compose, render_sheet
from generator.errors import RenderError
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.procedure.schema import load_procedure
from generator.sheet.compose import created

# The names, and more Latin letters Atkinson Hyperlegible lacks (Noto Sans draws them).
NAMES = [
    ("Thị", "Nguyễn"),
    ("Dương", "Đặng"),
    ("İsmail", "Öztürk"),
    ("Tarō", "Ōta"),
    ("Ŋoné", "Ndiaye"),
    ("Łucja", "Wałęsa"),
    ("Þórunn", "Guðmundsdóttir"),
    ("Ənvər", "Məmmədov"),
    ("Kɔfi", "Mɛnsah"),
    ("Straße", "GROẞMANN"),
    ("Ĉiro", "Ŝaŭ"),
    ("Ngọc Ánh", "Huỳnh-Lê"),
]
WEBMAIL = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"


def _person(first: str, last: str, **kw: object) -> Person:
    return Person(first_name=first, last_name=last, identifier="xtest", manager="vieljeux", row=2, **kw)  # type: ignore[arg-type]


def _pdf_text(data: bytes) -> str:
    doc = pdfium.PdfDocument(data)
    try:
        return doc[0].get_textpage().get_text_range()
    finally:
        doc.close()


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "".join(t.text or "" for t in doc.element.body.iter(qn("w:t")))


# -- names exactly as written ---------------------------------------------------
@pytest.mark.parametrize(("first", "last"), NAMES)
def test_names_round_trip_exactly_through_the_pdf_and_the_docx(
    procedure: Procedure, first: str, last: str
) -> None:
    """The name reads back letter for letter (NFC) from the PDF's text and the DOCX: no capitals forced."""
    sheet = compose(procedure, _person(first, last))
    expected = unicodedata.normalize("NFC", f"{first} {last}")
    pdf_text = unicodedata.normalize("NFC", " ".join(_pdf_text(render_sheet(sheet, "pdf")).split()))
    assert expected in pdf_text
    docx_text = unicodedata.normalize("NFC", _docx_text(render_sheet(sheet, "docx")))
    assert expected in docx_text.replace("\u00a0", " ")


def test_a_decomposed_name_prints_as_its_composed_letters(procedure: Procedure) -> None:
    """A name typed as base letter + combining accent prints as the precomposed letter (NFC)."""
    sheet = compose(procedure, _person("Thi\u0323", "Nguye\u0302\u0303n"))
    assert "Thị Nguyễn" in " ".join(_pdf_text(render_sheet(sheet, "pdf")).split())


def test_the_fallback_font_is_embedded_and_subset_only_when_a_name_needs_it(procedure: Procedure) -> None:
    """Noto Sans is in the PDF (subset, embedded) of a Vietnamese name, not in the flyer."""

    def fonts(data: bytes) -> dict[str, bool]:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            found = {}
            for font in pdf.pages[0].Resources.Font.values():
                name = str(font.BaseFont)
                found[name.split("+", 1)[1]] = "/FontFile2" in font.FontDescriptor and "+" in name
            return found

    flyer = fonts(render_sheet(compose(procedure), "pdf"))
    assert not any(name.startswith("NotoSans") for name in flyer)
    named = fonts(render_sheet(compose(procedure, _person("Thị", "Nguyễn")), "pdf"))
    assert named.get("NotoSans-Regular") is True and named.get("NotoSans-Bold") is True


def test_the_docx_embeds_noto_sans_only_when_a_name_needs_it(procedure: Procedure) -> None:
    """The DOCX of a Vietnamese name names Noto Sans on its fallback runs and carries the font files."""
    import zipfile

    plain = zipfile.ZipFile(io.BytesIO(render_sheet(compose(procedure, _person("Marie", "Dupont")), "docx")))
    assert not [n for n in plain.namelist() if n.endswith(".odttf")]
    data = render_sheet(compose(procedure, _person("Thị", "Nguyễn")), "docx")
    package = zipfile.ZipFile(io.BytesIO(data))
    assert len([n for n in package.namelist() if n.endswith(".odttf")]) == 2
    doc = Document(io.BytesIO(data))
    noto = [
        r.text
        for r in doc.element.body.iter(qn("w:r"))
        if (f := r.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")) is not None
        and f.get(qn("w:ascii")) == "Noto Sans"
    ]
    assert "".join(noto) == "ThịNguyễn"


@pytest.mark.parametrize("fmt", ["pdf", "docx"])
@pytest.mark.parametrize(("name", "code"), [("Zoé 😀", "U+1F600"), ("李", "U+674E"), ("Ana ✓", "U+2713")])
def test_a_character_no_embedded_font_has_refuses_the_row_naming_it(
    procedure: Procedure, fmt: str, name: str, code: str
) -> None:
    """An emoji, a CJK character or a symbol refuses the sheet with a RenderError naming the character."""
    with pytest.raises(RenderError, match=code.replace("+", r"\+")):
        render_sheet(compose(procedure, _person(name, "Martin")), fmt)


# -- half the toner ---------------------------------------------------------------
@pytest.mark.parametrize("who", [None, ("Marie", "Dupont"), ("Thị", "Nguyễn")])
def test_mean_ink_coverage_is_at_most_6_5_percent(procedure: Procedure, who: tuple[str, str] | None) -> None:
    """The flyer and personal sheets spend at most 6.5 % ink in grey (10.98 % and 11.45 % before #15)."""
    person = _person(*who, flags=("homonym",)) if who else None
    coverage = ink_coverage(render_sheet(compose(procedure, person), "pdf"))
    assert coverage <= MAX_COVERAGE, f"{coverage:.2%}"


# -- easier to copy from ------------------------------------------------------------
def _font_sizes_of(data: bytes, text: str) -> set[float]:
    """Font sizes (pt) of the characters of ``text`` where it first appears on the page."""
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0].get_textpage()
        full = page.get_text_range()
        flat = full.replace("\r\n", "")
        start = flat.index(text)
        # Map the index in the text without line breaks back to the text page's characters.
        index, seen = 0, 0
        positions = []
        for i, ch in enumerate(full):
            if full[i : i + 2] == "\r\n" or (ch == "\n" and i and full[i - 1] == "\r"):
                continue
            if start <= seen < start + len(text):
                positions.append(i)
            seen += 1
            index = i
        del index
        return {round(pdfium_c.FPDFText_GetFontSize(page.raw, i), 1) for i in positions if full[i].strip()}
    finally:
        doc.close()


@pytest.mark.parametrize("person", [None, ("Marie", "Dupont")])
def test_the_webmail_address_is_printed_at_the_body_size(
    procedure: Procedure, person: tuple[str, str] | None
) -> None:
    """The address people type is at 12 pt like the body (10 pt before #15)."""
    data = render_sheet(compose(procedure, _person(*person) if person else None), "pdf")
    assert _font_sizes_of(data, WEBMAIL.removeprefix("https://")) == {12.0}


def test_the_personal_sheet_body_is_12_pt(procedure: Procedure) -> None:
    """A usual personal sheet keeps the flyer's 12 pt body (11.5 pt before #15)."""
    data = render_sheet(compose(procedure, _person("Marie", "Dupont")), "pdf")
    assert _font_sizes_of(data, "Le NUMEN est un code de 13 caractères") == {12.0}


def test_lines_hold_at_most_about_80_characters(procedure: Procedure) -> None:
    """Sentences wrap at about 75 characters (a measure for readers who are not fluent); addresses aside."""
    for person in (None, _person("Marie", "Dupont")):
        lines = _pdf_text(render_sheet(compose(procedure, person), "pdf")).splitlines()
        prose = [line for line in lines if "@" not in line]
        assert max(len(line) for line in prose) <= 81, max(prose, key=len)


def _numen_boxes(data: bytes) -> int:
    """Rectangles of the NUMEN's size (5 × 6.5 mm) stroked on the page."""
    count = 0
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(operator) == "re":
                w, h = (float(v) for v in operands[2:4])
                if abs(w - 17.01) < 0.2 and abs(h - 22.68) < 0.2:  # 6 × 8 mm
                    count += 1
    return count


def test_the_numen_line_is_13_boxes_in_both_formats(procedure: Procedure) -> None:
    """One box a character of the NUMEN: 13 in the PDF, 13 boxed cells in the DOCX; none on the flyer."""
    sheet = compose(procedure, _person("Marie", "Dupont"))
    assert _numen_boxes(render_sheet(sheet, "pdf")) == 13
    assert _numen_boxes(render_sheet(compose(procedure), "pdf")) == 0
    doc = Document(io.BytesIO(render_sheet(sheet, "docx")))
    rows = [
        row for table in doc.tables for cell in table._cells for inner in cell.tables for row in inner.rows
    ]
    (row,) = rows
    # The narrow cells between groups have no top or bottom border: they are gaps, not boxes.
    boxed = [c for c in row.cells if c._tc.find(f"{qn('w:tcPr')}/{qn('w:tcBorders')}") is None]
    assert len(boxed) == 13


def test_only_a_homonym_gets_the_homonym_note(procedure: Procedure) -> None:
    """A sheet whose identifier collides in the roster says so in its own words; another sheet does not."""
    note = "Homonyme : votre identifiant peut finir par 1, 2…"
    for fmt, text_of in (("pdf", _pdf_text), ("docx", _docx_text)):
        flagged = text_of(
            render_sheet(compose(procedure, _person("Marie", "Dupont", flags=("homonym",))), fmt)
        )
        usual = text_of(render_sheet(compose(procedure, _person("Marie", "Dupont")), fmt))
        assert note in " ".join(flagged.split()).replace("\u00a0", " "), fmt
        assert note not in " ".join(usual.split()).replace("\u00a0", " "), fmt
        assert "1, 2…" in flagged


def test_the_numen_label_never_breaks_inside_its_parenthesis(procedure: Procedure) -> None:
    """ "Votre NUMEN (à recopier)" holds no breaking space inside the parenthesis, in both formats."""
    box = compose(procedure, _person("Marie", "Dupont")).box
    assert box is not None
    assert "(à\u00a0recopier)" in box.labels.numen_label


# -- dates ---------------------------------------------------------------------------
def test_the_creation_date_comes_from_source_date_epoch_else_the_data_file(tmp_path: Path) -> None:
    """SOURCE_DATE_EPOCH wins; without it the data file's last change dates the documents."""
    data = tmp_path / "p.yaml"
    data.write_text("x", encoding="utf-8")
    os.utime(data, (1700000000, 1700000000))
    assert created(data, {"SOURCE_DATE_EPOCH": "1767225600"}) == 1767225600
    assert created(data, {}) == 1700000000


def test_the_pdf_carries_that_date(monkeypatch: pytest.MonkeyPatch) -> None:
    """The PDF's CreationDate is SOURCE_DATE_EPOCH's (not reportlab's 2000-01-01)."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")
    procedure = load_procedure()  # a new procedure: its page is composed with this date
    with pikepdf.open(io.BytesIO(render_sheet(compose(procedure), "pdf"))) as pdf:
        assert str(pdf.docinfo["/CreationDate"]).startswith("D:20260101000000")


@pytest.mark.soffice
@pytest.mark.skipif(not soffice_available(), reason="needs LibreOffice (soffice)")
def test_the_docx_printed_by_libreoffice_spends_at_most_6_5_percent_ink(
    procedure: Procedure, tmp_path: Path
) -> None:
    """The DOCX twin is held to the same toner limit as the PDF, as LibreOffice prints it."""
    people = {"flyer": None, "homonym": _person("Marie", "Dupont", flags=("homonym",))}
    files = []
    for name, person in people.items():
        path = tmp_path / f"{name}.docx"
        path.write_bytes(render_sheet(compose(procedure, person), "docx"))
        files.append(path)
    for pdf in soffice_to_pdf(files, tmp_path / "pdf"):
        coverage = ink_coverage(pdf.read_bytes())
        assert coverage <= MAX_COVERAGE, f"{pdf.name}: {coverage:.2%}"
