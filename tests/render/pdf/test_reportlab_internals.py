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

from generator.render.pdf import fonts, written
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


def test_version_check_accepts_the_tested_versions_and_refuses_others(monkeypatch) -> None:
    """An untested reportlab is refused (a RenderError the CLI prints) with the command that installs a tested one."""
    import reportlab

    from generator.errors import RenderError

    internals.check_version("5.1.0")
    internals.check_version("5.1.7")
    with pytest.raises(
        RenderError,
        match=r'reportlab 6\.0\.0 is installed.*tested with reportlab 5\.1 only.*pip install "reportlab>=5\.1,<5\.2"',
    ):
        internals.check_version("6.0.0")
    with pytest.raises(internals.UntestedReportlab):
        internals.check_version("5.0.2")
    monkeypatch.setattr(reportlab, "Version", "5.2.0")  # read at each call, not at import
    with pytest.raises(internals.UntestedReportlab, match=r"reportlab 5\.2\.0"):
        internals.check_version()


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


def test_wrapped_line_count() -> None:
    """A paragraph wrapped narrow has several lines; wide, one."""
    fonts.register()
    style = ParagraphStyle("p", fontName=fonts.FONT)
    paragraph = Paragraph("un deux trois quatre cinq six sept huit", style)
    paragraph.wrap(60, 1000)
    assert internals.wrapped_line_count(paragraph) > 1
    paragraph = Paragraph("un deux", style)
    paragraph.wrap(600, 1000)
    assert internals.wrapped_line_count(paragraph) == 1


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
    """Issue 16: pages of a print file share one resources dictionary; no /Trans, no /Rotate 0; text still found.

    A form met later (a taller box's) joins the shared dictionary.
    """
    doc = internals.document_of(canvas)
    shared = None
    for word, form in (("one", "f"), ("two", "f"), ("three", "g")):
        if not canvas.hasForm(form):
            canvas.beginForm(form)
            canvas.drawString(10, 10, f"shared {form}")
            canvas.endForm()
        canvas.doForm(form)
        canvas.setFont(fonts.FONT, 12)
        canvas.drawString(10, 50, word)
        canvas.showPage()
        forms = ("f",) if word != "three" else ("f", "g")
        shared = internals.share_page_resources(doc, internals.last_page(doc), forms, shared)
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        pages = [page.obj for page in pdf.pages]
        assert len({page.Resources.objgen for page in pages}) == 1
        assert pages[0].Resources.objgen != (0, 0)  # an indirect object, written once
        assert all("/Trans" not in page and "/Rotate" not in page for page in pages)
        assert len(pages[0].Resources.XObject) == 2
        assert [b"shared g" in x.read_bytes() for x in pages[0].Resources.XObject.values()].count(True) == 1


def test_compress_page_and_form_with_flate_alone_whatever_rl_config_says(canvas: Canvas) -> None:
    """reportlab's global default (ASCII85 then Flate) is left as it is, and not used for our streams."""
    from reportlab import rl_config

    assert rl_config.useA85 == 1  # nobody changed reportlab's global configuration
    doc = internals.document_of(canvas)
    canvas.beginForm("f")
    canvas.drawString(10, 10, "in the form")
    canvas.endForm()
    internals.compress_form_with(doc, "f", written.FLATE)
    canvas.doForm("f")
    canvas.drawString(10, 50, "on the page")
    canvas.showPage()
    internals.compress_page_with(internals.last_page(doc), written.FLATE)
    data = _saved(canvas)
    assert b"ASCII85" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        page = pdf.pages[0]
        assert list(page.Contents.Filter) == [pikepdf.Name.FlateDecode]
        assert b"(on the page) Tj" in page.Contents.read_bytes()
        (form,) = page.Resources.XObject.values()
        assert list(form.Filter) == [pikepdf.Name.FlateDecode] and b"(in the form) Tj" in form.read_bytes()


def test_object_and_annotation_numbers_are_those_written(canvas: Canvas) -> None:
    """Numbers given before saving are the ones the file uses; a page's annotations in order."""
    from reportlab.pdfbase.pdfdoc import PDFArray

    doc = internals.document_of(canvas)
    canvas.linkURL("https://example.org/a", (10, 10, 50, 30), relative=0, thickness=0)
    canvas.linkURL("https://example.org/b", (10, 40, 50, 60), relative=0, thickness=0)
    canvas.showPage()
    page = internals.last_page(doc)
    first, second = internals.annotation_numbers(doc, page)
    marker = PDFArray([7, 8, 9])
    number = internals.object_number(doc, marker)
    assert internals.object_number(doc, marker) == number  # the same object keeps its number
    arrays = [PDFArray([i]) for i in range(3)]
    start = internals.add_objects(doc, arrays)
    assert start == number + 1 and internals.object_number(doc, arrays[2]) == start + 2
    with pytest.raises(ValueError):
        internals.add_objects(doc, [marker])  # numbered already
    internals.set_catalog_entries(doc, Metadata=internals.raw(b"<< /Test 1 >>"))  # a key the catalog knows
    internals.add_page_entries(
        page,
        Marker=internals.reference(doc, marker),
        Many=PDFArray([internals.reference(doc, a) for a in arrays]),
    )
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        annots = pdf.pages[0].obj.Annots
        assert [a.objgen[0] for a in annots] == [first, second]
        assert annots[0].A.URI == "https://example.org/a"
        assert pdf.pages[0].obj.Marker.objgen[0] == number
        assert list(pdf.pages[0].obj.Marker) == [7, 8, 9]
        assert pdf.Root.Metadata.Test == 1
        many = pdf.pages[0].obj.Many
        assert [a.objgen[0] for a in many] == [start, start + 1, start + 2] and list(many[2]) == [2]


def test_document_language_and_info(canvas: Canvas) -> None:
    """What the canvas was told (language, title, author) is what the Info dictionary and XMP repeat."""
    doc = internals.document_of(canvas)
    assert internals.document_language(doc) == ""
    french = Canvas(io.BytesIO(), invariant=1, lang="fr-FR", initialFontName=fonts.FONT)
    french.setTitle("Titre")
    french.setAuthor("Autrice")
    other = internals.document_of(french)
    assert internals.document_language(other) == "fr-FR"
    info = internals.document_info(other)
    assert (info.title, info.author) == ("Titre", "Autrice")


def test_set_creation_time_dates_the_file(canvas: Canvas) -> None:
    """The Info dictionary's dates say the time given (UTC), not the invariant 2000-01-01."""
    doc = internals.document_of(canvas)
    internals.set_creation_time(doc, 1_700_000_000)  # 2023-11-14 22:13:20 UTC
    assert internals.creation_time(doc).YMDhms == (2023, 11, 14, 22, 13, 20)
    canvas.drawString(10, 10, "x")
    canvas.showPage()
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        assert str(pdf.docinfo.CreationDate).startswith("D:20231114221320")


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


def test_shared_start_is_its_own_stream_and_the_page_keeps_its_own_part(canvas: Canvas) -> None:
    """Issue 16: a page beginning with the shared operators gets them as a first stream (the same bytes in every
    file), then its own part; a page that does not begin so gets one stream; the text reads the same."""
    shared = "BT /F1 12 Tf 10 700 Td (shared) Tj ET"
    files = []
    for own in ("one", "two"):
        buffer = io.BytesIO()
        c = Canvas(buffer, invariant=1, initialFontName=fonts.FONT)
        c.addLiteral(shared)
        c.drawString(10, 10, own)
        c.showPage()
        doc = internals.document_of(c)
        page = internals.last_page(doc)
        text = internals.page_text(page)
        start = written.SharedStart(text[: text.index(shared) + len(shared)])
        internals.set_page_contents(doc, page, start)
        c.save()
        files.append(buffer.getvalue())
        assert start.stream in files[-1]  # written as it was made
    for data, own in zip(files, ("one", "two"), strict=True):
        with pikepdf.open(io.BytesIO(data)) as pdf:
            first, second = pdf.pages[0].obj.Contents
            assert b"(shared) Tj" in first.read_bytes() and b"(shared)" not in second.read_bytes()
            assert f"({own}) Tj".encode() in second.read_bytes()
    canvas.drawString(10, 10, "other")
    canvas.showPage()
    doc = internals.document_of(canvas)
    internals.set_page_contents(doc, internals.last_page(doc), written.SharedStart("BT (not this) Tj"))
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        assert b"(other) Tj" in pdf.pages[0].Contents.read_bytes()


def test_set_text_resources_writes_the_fonts_and_nothing_else(canvas: Canvas) -> None:
    """A page of text and lines gets /Font and /ProcSet only; a page with transparency keeps reportlab's."""
    canvas.drawString(10, 10, "text")
    canvas.showPage()
    doc = internals.document_of(canvas)
    assert internals.set_text_resources(internals.last_page(doc))
    canvas.setFillAlpha(0.5)
    canvas.rect(10, 10, 20, 20, fill=1)
    canvas.showPage()
    assert not internals.set_text_resources(internals.last_page(doc))
    with pikepdf.open(io.BytesIO(_saved(canvas))) as pdf:
        first, second = (page.obj for page in pdf.pages)
        assert set(first.Resources.keys()) == {"/Font", "/ProcSet"} and "/Rotate" not in first
        assert "/ExtGState" in second.Resources
        (font,) = first.Resources.Font.values()
        assert "Atkinson" in str(font.BaseFont)


def test_quick_info_writes_what_reportlab_s_info_would(canvas: Canvas) -> None:
    """The Info dictionary from remembered pieces says the same as reportlab's own, accents and dates included."""
    files = []
    for quick in (False, True):
        buffer = io.BytesIO()
        c = Canvas(buffer, invariant=1, initialFontName=fonts.FONT)
        if quick:
            internals.quick_info(internals.document_of(c))
        c.setTitle("Fiche de Zoé Œuvray")
        c.setAuthor("Rectorat")
        c.setSubject("Accès (AESH)")
        c.drawString(10, 10, "x")
        c.showPage()
        c.save()
        files.append(buffer.getvalue())
    infos = []
    for data in files:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            infos.append({str(k): str(v) for k, v in pdf.docinfo.items()})
    assert infos[0] == infos[1]
    assert infos[1]["/Title"] == "Fiche de Zoé Œuvray"


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
    assert font.getSubsetInternalName(0, target) == font.getSubsetInternalName(0, source)
    font.splitString("à", target)  # the copy goes on alone: the source keeps its codes
    before = internals.assigned_characters(font, source)
    assert internals.assigned_characters(font, target) == f"{before}à"
    assert internals.assigned_characters(font, source) == before
