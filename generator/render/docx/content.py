"""The DOCX document built with python-docx from a sheet's page: title, personal box, steps, help band."""

from __future__ import annotations

import functools
import io
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, cast

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

from ...sheet.blocks import (
    Contact,
    DocumentInfo,
    HelpBand,
    Page,
    PersonalBox,
    QrFigure,
    Run,
    StepBlock,
)
from .. import qr
from .look import (
    BODY_PT,
    BOX_INNER_MARGIN,
    BOX_MARGIN,
    CONTACT_SEPARATOR,
    EMAIL_SEPARATOR,
    HELP_BAND_MM,
    MARGIN_X,
    MARGIN_Y,
    PAGE_H,
    PAGE_W,
    QR_COLUMN_MM,
    QR_DPI,
    QR_WIDTH_MM,
    TEXT_W,
    box_columns,
)
from .measure import Estimate
from .numen_row import numen_row
from .package import token
from .styles import write_numbering, write_styles

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

# Template leftovers dropped from the package: Word 2010 duplicate styles,
# the template's thumbnail, its custom XML and its "Microsoft Macintosh Word"
# app properties.
_DROPPED_RELS = ("stylesWithEffects", "thumbnail", "customXml", "extended-properties")

BOX_MARK = "personal-box"  # temporary attribute marking the box's body elements


def build(page: Page, box: PersonalBox, body_pt: float = BODY_PT) -> DocxDocument:
    """The whole document with python-docx, the personal box's body elements marked with BOX_MARK."""
    doc = Document()
    _prune_package(doc)
    _page(doc)
    write_styles(doc, page.docx_font, page.info.language, body_pt)
    write_numbering(doc)
    _remember_style_ids(doc)
    _settings(doc, page.info.language)
    _core(doc, page.info)
    body = doc.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)

    title = page.title
    doc.add_paragraph(title.audience, style="Audience")
    doc.add_paragraph(title.title, style="Heading 1")  # one H1: Word's "Title" style is no heading
    if title.purpose:
        doc.add_paragraph(title.purpose, style="Subtitle")

    before = len(body)
    _box_table(doc, box)
    for el in list(body)[before - 1 : -1]:  # everything added, not the sectPr
        el.set(BOX_MARK, "1")

    estimate = Estimate(page.docx_font)
    for step in page.steps:
        _step(doc, step, estimate, body_pt)
    _help(doc, page.help, page.info.updated)
    return doc


NOTO = "Noto Sans"  # the family the DOCX names for letters Atkinson Hyperlegible lacks


def _remember_style_ids(doc: DocxDocument) -> None:
    """Each style name looked up once: python-docx runs two XPath queries over every style each time.

    Setting a paragraph's or a run's style by name searches the styles for
    the name and for the default of its type (about 60 times a page, a
    third of the time to build it). The styles are all written by now and
    never change after, so the part answers each (name, type) from memory.
    """
    part = doc.part
    look_up = part.get_style_id
    by_name = functools.cache(look_up)

    def get_style_id(style_or_name: Any, style_type: Any) -> str | None:
        found = (
            by_name(style_or_name, style_type)
            if isinstance(style_or_name, str)
            else look_up(style_or_name, style_type)  # type: ignore[no-untyped-call]
        )
        return cast("str | None", found)

    part.get_style_id = get_style_id  # type: ignore[method-assign]


def _prune_package(doc: DocxDocument) -> None:
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in _DROPPED_RELS:
                del rels[rid]


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.left_margin = section.right_margin = Mm(MARGIN_X)
    section.top_margin = Mm(MARGIN_Y)
    # The help band is the footer, MARGIN_Y from the page's foot (office printers); the body stops above it.
    section.bottom_margin = Mm(MARGIN_Y + HELP_BAND_MM)
    section.header_distance = section.footer_distance = Mm(MARGIN_Y)
    # Revision ids of the template's editing sessions: noise for whoever edits next.
    sect_pr = section._sectPr
    for attr in list(sect_pr.attrib):
        if "rsid" in attr:
            del sect_pr.attrib[attr]


def _settings(doc: DocxDocument, language: str) -> None:
    settings = doc.settings.element
    for name in ("w:rsids", "w:savePreviewPicture", "w:proofState"):
        for el in settings.findall(qn(name)):
            settings.remove(el)
    for el in settings.findall(qn("w:themeFontLang")):
        el.set(qn("w:val"), language)
    for el in settings.findall(qn("w:decimalSymbol")):
        el.set(qn("w:val"), ",")
    for el in settings.findall(qn("w:listSeparator")):
        el.set(qn("w:val"), ";")


def _core(doc: DocxDocument, meta: DocumentInfo) -> None:
    core = doc.core_properties
    core.title = meta.title
    core.subject = meta.subject
    core.author = meta.author
    core.language = meta.language
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.last_modified_by = meta.author
    core.revision = 1


# --- content ---------------------------------------------------------------


def _runs(paragraph: Paragraph, runs: Iterable[Run]) -> None:
    for run in runs:
        paragraph.add_run(run.text, style="Strong" if run.bold else None)


def _hyperlink(paragraph: Paragraph, url: str, text: str, style: str = "Hyperlink") -> None:
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    run = paragraph.add_run(text, style=style)
    link.append(run._r)


def _layout_table(
    doc: DocxDocument,
    widths_mm: tuple[float, ...],
    style: str = "Layout Table",
    indent_mm: float = 0,
    cell_margin: int = 0,
) -> Table:
    """A fixed-width table; ``cell_margin`` (twips, the style's) keeps its border on the text margin."""
    table = doc.add_table(rows=1, cols=len(widths_mm))
    style_id = doc.styles[style].style_id
    # The properties in schema order (Word refuses a file whose order is wrong).
    tbl_pr = table._tbl.tblPr
    for el in list(tbl_pr):
        tbl_pr.remove(el)
    indent = Mm(indent_mm).twips + cell_margin
    tbl_pr.extend(
        list(
            parse_xml(
                f"<w:tblPr {nsdecls('w')}>"
                f'<w:tblStyle w:val="{style_id}"/>'
                f'<w:tblW w:w="{sum(Mm(w).twips for w in widths_mm)}" w:type="dxa"/>'
                f'<w:tblInd w:w="{indent}" w:type="dxa"/>'
                '<w:tblLayout w:type="fixed"/>'
                '<w:tblLook w:val="0000" w:firstRow="0" w:lastRow="0" w:firstColumn="0" w:lastColumn="0"'
                ' w:noHBand="1" w:noVBand="1"/></w:tblPr>'
            )
        )
    )
    for col, width in zip(table.columns, widths_mm, strict=True):
        col.width = Mm(width)
        for cell in col.cells:
            cell.width = Mm(width)
    return cast("Table", table)


def _box_table(doc: DocxDocument, box: PersonalBox) -> None:
    columns = box_columns(box.labels.numen_boxes.total_mm)
    table = _layout_table(doc, columns, style="Personal Box", cell_margin=BOX_MARGIN[1])
    left, right = table.rows[0].cells
    for cell, side in ((left, "right"), (right, "left")):
        cell._tc.get_or_add_tcPr().append(
            parse_xml(f'<w:tcMar {nsdecls("w")}><w:{side} w:w="{BOX_INNER_MARGIN}" w:type="dxa"/></w:tcMar>')
        )
    left.paragraphs[0].style = "Box Heading"
    left.paragraphs[0].add_run(box.labels.heading)
    # As in the PDF: the family name stands out, the birth name follows it.
    name = left.add_paragraph(box.first_name + " ", style="Person Name")
    name._p.pPr.find(qn("w:pStyle")).set(qn("w:val"), token("name_style"))  # PersonNameLong for the longest
    name.add_run(box.family_name, style="Strong")
    name.add_run(" " + box.birth_name)
    p = left.add_paragraph(box.label + " ")
    run = p.add_run(box.identifier, style="Identifier")
    run._r.rPr.find(qn("w:rStyle")).set(qn("w:val"), token("identifier_style"))
    right.paragraphs[0].add_run(box.labels.numen_label, style="Strong")
    numen_row(right, box.labels.numen_boxes)
    right.add_paragraph(style="Box Note").add_run(box.labels.numen_note, style="Strong")
    _notes_row(table, box)
    for t in table._tbl.iter(qn("w:t")):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _notes_row(table: Table, box: PersonalBox) -> None:
    """The homonym and office notes under both columns, the box's whole width (as in the PDF).

    Prose there wraps once where the left column would wrap it twice. A
    sheet with neither note has no such row (prepare.py removes it).
    """
    first, second = table.add_row().cells  # type: ignore[no-untyped-call]
    notes = first.merge(second)
    # The row above keeps its bottom margin: no second one above the notes.
    notes._tc.get_or_add_tcPr().append(
        parse_xml(f'<w:tcMar {nsdecls("w")}><w:top w:w="0" w:type="dxa"/></w:tcMar>')
    )
    homonym = notes.paragraphs[0]
    homonym.style = "Homonym Note"
    homonym.add_run(box.homonym_note)
    notes.add_paragraph(box.manager, style="Box Note")


def _address(p: Paragraph, code: QrFigure, estimate: Estimate, body_pt: float) -> None:
    """Typed without "https://" (the link keeps the full address), on one line if it fits;
    else each line is a link and the first says the next continues: "(suite de l'adresse)"."""
    lines = estimate.address_lines(code.typed, code.continued, body_pt)
    for i, line in enumerate(lines):
        if i:
            p.add_run().add_break()
        _hyperlink(p, code.url, line, "Web Address")
        if i == 0 and len(lines) > 1 and code.continued:
            p.add_run(f" {code.continued}")


def _step(doc: DocxDocument, step: StepBlock, estimate: Estimate, body_pt: float) -> None:
    doc.add_paragraph(step.heading, style="Step Heading")
    if step.qr is not None:
        table = _layout_table(doc, (TEXT_W - QR_COLUMN_MM, QR_COLUMN_MM))
        text_cell, qr_cell = table.rows[0].cells
        qr_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        container: Any = text_cell  # a table cell or the document: both add paragraphs
        first = text_cell.paragraphs[0]
    else:
        container = doc
        first = None
    for index, sentence in enumerate(step.sentences):
        if first is not None:
            first.style = "Step Text"
            p, first = first, None
        else:
            p = container.add_paragraph(style="Step Text")
        _runs(p, sentence)
        if step.qr is not None and index + 1 == step.address_after:
            # The address to type, right after "tapez l'adresse".
            _address(container.add_paragraph(style="Address"), step.qr, estimate, body_pt)
    if step.contacts:
        _contacts(doc, step.contacts)
    if step.qr is not None:
        _qr_picture(qr_cell, step.qr)


def _contacts(doc: DocxDocument, contacts: tuple[Contact, ...]) -> None:
    """Each office on its own line, as in the PDF: its name, then its addresses as mailto links.

    A line rather than a table row per address: an office's two addresses
    share the line when they fit (one line less on most sheets).
    """
    for group in contacts:
        p = doc.add_paragraph(style="Step Text")
        p.add_run(group.name, style="Strong")
        p.add_run(CONTACT_SEPARATOR)
        for j, email in enumerate(group.emails):
            if j:
                p.add_run(EMAIL_SEPARATOR)
            _hyperlink(p, f"mailto:{email}", email)


def _qr_picture(cell: Any, code: QrFigure) -> None:
    modules = len(qr.matrix(code.url)) + 2 * qr.QUIET_ZONE
    module_px = math.ceil(QR_DPI / 25.4 * QR_WIDTH_MM / modules)
    p = cell.paragraphs[0]
    p.style = "Caption"
    run = p.add_run()
    shape = run.add_picture(io.BytesIO(qr.png(code.url, module_px)), width=Mm(QR_WIDTH_MM))
    doc_pr = shape._inline.docPr
    doc_pr.set("title", code.caption)
    doc_pr.set("descr", code.alt)
    cell.add_paragraph(code.caption, style="Caption")


def _help(doc: DocxDocument, band: HelpBand, updated: str = "") -> None:
    """The help line in the page's footer: paragraphs in one outlined box, nothing filled.

    The footer keeps the band at the foot of the page whatever the height
    of the steps, and a secretary who edits the text cannot move or break
    it (a frame pinned to the page could be dragged, and text typed after
    it lands in it). Consecutive paragraphs with the same borders make one
    box, so no empty paragraph and no table is needed.
    """
    footer = doc.sections[0].footer
    footer.is_linked_to_previous = False
    heading = footer.paragraphs[0]
    heading.style = "Help Heading"
    heading.add_run(band.label)
    p = footer.add_paragraph(band.hours, style="Help")
    p.add_run("\t")
    if band.tel:
        _hyperlink(p, band.tel, band.phone, "Help Phone")  # a phone's reader dials it
    else:
        p.add_run(band.phone, style="Help Phone")
    if band.note or updated:
        # Who answers what else, and at the right margin the date: one line more in the band.
        last = footer.add_paragraph(band.note, style="Help")
        if updated:
            last.add_run("\t" + updated)
