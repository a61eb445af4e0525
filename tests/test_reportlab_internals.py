"""Each function of render/pdf/reportlab_internals.py does what its name says with the installed reportlab."""

from __future__ import annotations

import io

import pikepdf
import pytest
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFName
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from generator.render.pdf import fonts
from generator.render.pdf import reportlab_internals as internals


@pytest.fixture
def canvas() -> Canvas:
    fonts.register()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, initialFontName=fonts.FONT)
    canvas.written = buffer  # type: ignore[attr-defined]
    return canvas


def _saved(canvas: Canvas) -> bytes:
    """The file a canvas wrote into its stream (getpdfdata would write the document a second time)."""
    canvas.save()
    return canvas.written.getvalue()  # type: ignore[attr-defined, no-any-return]


def test_version_check_accepts_the_tested_versions_and_refuses_others() -> None:
    """Importing checks the version; an untested one is refused with a message saying what to install."""
    internals.check_version("5.1.0")
    internals.check_version("5.1.7")
    with pytest.raises(ImportError, match=r"reportlab 6\.0\.0 is installed.*tested with reportlab 5\.1\.x"):
        internals.check_version("6.0.0")
    with pytest.raises(ImportError):
        internals.check_version("5.0.2")


def test_document_of_is_the_canvas_pdf_document(canvas: Canvas) -> None:
    """The document holds the pages and objects the canvas writes."""
    doc = internals.document_of(canvas)
    assert hasattr(doc, "Reference") and hasattr(doc, "Catalog")


def test_operators_since_gives_what_was_drawn_and_replays_it(canvas: Canvas) -> None:
    """The operators drawn after a point come back as one string addLiteral takes."""
    start = internals.operator_count(canvas)
    canvas.rect(10, 20, 30, 40)
    ops = internals.operators_since(canvas, start)
    assert "10 20 30 40 re" in ops
    assert internals.operator_count(canvas) > start
    other = Canvas(io.BytesIO(), invariant=1)
    before = internals.operator_count(other)
    other.addLiteral(ops)
    assert internals.operators_since(other, before) == ops


def test_fonts_in_use_order_and_assigned_characters(canvas: Canvas) -> None:
    """Fonts come in the order of first use; a TTF's subset holds the characters used, in order."""
    doc = internals.document_of(canvas)
    canvas.setFont(fonts.FONT_BOLD, 12)
    canvas.drawString(10, 10, "bà")
    canvas.setFont(fonts.FONT, 12)
    canvas.drawString(10, 30, "zŒÆ")
    used = internals.fonts_in_use_order(doc)
    assert used.index(fonts.FONT_BOLD) < used.index(fonts.FONT)
    assert internals.assigned_characters(pdfmetrics.getFont(fonts.FONT), doc).endswith("ŒÆ")
    assert internals.assigned_characters(pdfmetrics.getFont(fonts.FONT_BOLD), doc).endswith("à")
    unused = internals.document_of(Canvas(io.BytesIO(), invariant=1))
    assert internals.assigned_characters(pdfmetrics.getFont(fonts.FONT), unused) is None


def test_glyph_map_knows_the_font_s_characters() -> None:
    """Code point → glyph: Latin letters are there, U+202F is not (the font lacks it)."""
    fonts.register()
    glyphs = internals.glyph_map(pdfmetrics.getFont(fonts.FONT))
    assert ord("é") in glyphs and 0x202F not in glyphs


def test_add_subset_objects_embeds_the_subset_given(canvas: Canvas) -> None:
    """The copy of TTFont.addObjects writes the font with the parts handed to it, and forgets the document."""
    font = pdfmetrics.getFont(fonts.FONT)
    canvas.setFont(fonts.FONT, 12)
    canvas.drawString(10, 10, "Marie")
    canvas.showPage()
    data = _saved(canvas)  # the font's addObjects (ours) ran through add_subset_objects
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page_fonts = pdf.pages[0].Resources.Font
        (embedded,) = [f for f in page_fonts.values() if "Atkinson" in str(f.BaseFont)]
        assert "/FontFile2" in embedded.FontDescriptor and embedded.LastChar >= 4
    assert internals.document_of(canvas) not in font.state


def test_wrapped_line_count_and_widths() -> None:
    """A paragraph wrapped narrow has several lines, each no wider than the width."""
    fonts.register()
    paragraph = Paragraph("un deux trois quatre cinq six sept huit", ParagraphStyle("p", fontName=fonts.FONT))
    paragraph.wrap(60, 1000)
    count = internals.wrapped_line_count(paragraph)
    widths = internals.wrapped_line_widths(paragraph, 60)
    assert count > 1 and len(widths) == count and all(0 < w <= 60 for w in widths)


def test_add_page_entries_writes_keys_pdfpage_does_not_know(canvas: Canvas) -> None:
    """/StructParents and /Tabs reach the page dictionary."""
    canvas.drawString(10, 10, "x")
    canvas.showPage()
    doc = internals.document_of(canvas)
    internals.add_page_entries(doc.Pages.pages[-1], StructParents=0, Tabs=PDFName("S"))
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        assert pdf.pages[0].obj.StructParents == 0 and pdf.pages[0].obj.Tabs == pikepdf.Name.S


def test_creation_time_is_fixed_in_invariant_mode(canvas: Canvas) -> None:
    """The time stamp the Info dictionary and the XMP share; fixed for reproducible files."""
    stamp = internals.creation_time(internals.document_of(canvas))
    assert stamp.YMDhms[0] == 2000 and isinstance(stamp.dhh, int)
