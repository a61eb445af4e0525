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


def test_share_page_resources_points_every_page_at_one_dictionary(canvas: Canvas) -> None:
    """Issue 16: pages of a print file share one resources dictionary; no /Trans, no /Rotate 0; text still found."""
    doc = internals.document_of(canvas)
    canvas.beginForm("f")
    canvas.drawString(10, 10, "shared")
    canvas.endForm()
    shared = None
    for word in ("one", "two", "three"):
        if word != "one":  # a first page without the form (a tall box) still gives the others theirs
            canvas.doForm("f")
        canvas.setFont(fonts.FONT, 12)
        canvas.drawString(10, 50, word)
        canvas.showPage()
        shared = internals.share_page_resources(doc, internals.last_page(doc), ("f",), shared)
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        pages = [page.obj for page in pdf.pages]
        assert len({page.Resources.objgen for page in pages}) == 1
        assert pages[0].Resources.objgen != (0, 0)  # an indirect object, written once
        assert all("/Trans" not in page and "/Rotate" not in page for page in pages)
        assert len(pages[0].Resources.XObject) == 1


def test_add_link_once_writes_the_same_annotation_from_cached_bytes() -> None:
    """Issue 16: a link's annotation bytes are made once; the second document gets the same annotation."""
    fonts.register()
    cache: dict[object, bytes] = {}
    files = []
    for _ in range(2):
        buffer = io.BytesIO()
        c = Canvas(buffer, invariant=1, initialFontName=fonts.FONT)

        def make(c: Canvas = c) -> None:
            c.linkURL("https://example.org/a", (10, 10, 50, 30), relative=0, thickness=0)

        internals.add_link_once(c, ("a",), cache, make)
        c.showPage()
        c.save()
        files.append(buffer.getvalue())
    assert list(cache) == [("a",)]
    assert files[0] == files[1]
    with pikepdf.open(io.BytesIO(files[1])) as pdf:
        annot = pdf.pages[0].obj.Annots[0]
        assert annot.A.URI == "https://example.org/a" and annot.Subtype == pikepdf.Name.Link


def test_prefix_flate_compresses_like_zlib_and_falls_back_for_other_streams(canvas: Canvas) -> None:
    """Issue 16: a page stream compressed from a prefix compressed once decodes to the same operators."""
    import zlib

    flate = internals.PrefixFlate(b"q 1 0 0 1 0 0 cm Q\n" * 200)
    text = "q 1 0 0 1 0 0 cm Q\n" * 200 + "BT (own) Tj ET\n"
    assert zlib.decompress(flate.encode(text)) == text.encode()
    assert zlib.decompress(flate.encode("other")) == b"other"
    canvas.drawString(10, 10, "page")
    canvas.showPage()
    page = internals.last_page(internals.document_of(canvas))
    assert "page" in internals.page_text(page)
    internals.compress_page_with(page, internals.PrefixFlate(internals.page_text(page)[:5].encode()))
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        assert b"(page) Tj" in pdf.pages[0].Contents.read_bytes()


def test_page_annotations_gives_each_link_s_dictionary(canvas: Canvas) -> None:
    """Issue 16: the annotations of the page being drawn, formatted as reportlab writes them."""
    canvas.linkURL("https://example.org/a", (10, 10, 50, 30), relative=0, thickness=0)
    canvas.linkURL("https://example.org/b", (10, 40, 50, 60), relative=0, thickness=0)
    annots = internals.page_annotations(canvas)
    assert len(annots) == 2
    assert b"/URI (https://example.org/a)" in annots[0] and b"/Subtype /Link" in annots[1]


def test_font_subsets_lists_the_codes_of_each_subset(canvas: Canvas) -> None:
    """Issue 16: code point lists by subset, in code order; nothing for a font the document never used."""
    doc = internals.document_of(canvas)
    font = pdfmetrics.getFont(fonts.FONT_BOLD)
    assert internals.font_subsets(font, doc) == []
    ((n, codes),) = font.splitString("ba", doc)
    (subset,) = internals.font_subsets(font, doc)
    assert n == 0 and [subset[code] for code in codes] == [ord("b"), ord("a")]


def test_plain_page_knows_a_page_assemble_can_write(canvas: Canvas) -> None:
    """Issue 16: one page of text and lines is plain; a form or transparency is not."""
    doc = internals.document_of(canvas)
    canvas.drawString(10, 10, "text")
    canvas.showPage()
    assert internals.plain_page(doc)
    other = Canvas(io.BytesIO(), invariant=1, initialFontName=fonts.FONT)
    other.setFillAlpha(0.5)
    other.rect(10, 10, 20, 20, fill=1)
    other.showPage()
    assert not internals.plain_page(internals.document_of(other))


def test_document_id_is_the_id_reportlab_writes(canvas: Canvas) -> None:
    """Issue 16: the trailer's /ID computed before saving equals the one in the saved file."""
    canvas.setTitle("A title")
    canvas.drawString(10, 10, "text")
    canvas.showPage()
    expected = internals.document_id(internals.document_of(canvas))
    assert b"/ID " + expected in _saved(canvas)


def test_copy_font_states_gives_the_same_codes_and_names(canvas: Canvas) -> None:
    """Issue 16: a document given another's font states draws the same text with the same codes."""
    source = internals.document_of(canvas)
    font = pdfmetrics.getFont(fonts.FONT)
    font.splitString("Zoé", source)
    font.getSubsetInternalName(0, source)
    target = internals.document_of(Canvas(io.BytesIO(), invariant=1, initialFontName=fonts.FONT))
    internals.copy_font_states(source, target, fonts.all_fonts())
    assert internals.fonts_in_use_order(target) == [fonts.FONT]
    assert internals.assigned_characters(font, target) == internals.assigned_characters(font, source)
    assert internals.font_subsets(font, target) == internals.font_subsets(font, source)
    font.splitString("à", target)  # the copy goes on alone: the source keeps its codes
    assert internals.font_subsets(font, target) != internals.font_subsets(font, source)
