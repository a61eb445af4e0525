"""The editable DOCX twin of the PDF: the only importer of python-docx.

The document is built once per run with python-docx, with placeholder tokens
where a personal sheet differs; ``render`` then only fills the tokens into
the prepared ``word/document.xml`` and appends it to a prepared zip of the
other parts, whose bytes never change. Same data, same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import json
import math
import re
import unicodedata
import zipfile
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from docx import Document
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm
from lxml import etree

from .. import qr
from ..errors import RenderError
from ..model import Person, PersonalBox, Procedure, personal_box, plain
from ..output import atomic_write

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument
    from docx.table import Table
    from docx.text.paragraph import Paragraph

ACCENT = "000091"  # dark blue, 14.9:1 on white: the one accent colour
RULE = "767676"  # thin rules between steps (decoration, 4.5:1 on white)
WHITE = "FFFFFF"
BODY_PT = 12
COMPACT_BODY_PT = 10.5  # the smallest body the brief allows is 10 pt
BODIES = (BODY_PT, COMPACT_BODY_PT, 10.0)  # tried in this order for each sheet; 10 pt is the floor
BOX_SHARE = 0.68  # the personal box's left column, as a share of the text width
LARGE_IDENTIFIER_MAX = 22  # characters shown at 20 pt; longer ones at 15 pt
QR_WIDTH_MM = 38  # with its 4-module quiet zone, as in the PDF
QR_DPI = 300
PAGE_W, PAGE_H, MARGIN_X, MARGIN_Y = 210, 297, 16, 13  # mm
PT_PER_MM = 72 / 25.4
# Estimated height (see estimated_height) below which LibreOffice prints one
# page: measured on documents on either side of the page break, the first
# two-page one stood at 276 mm; this keeps 8 mm to spare for Word.
PAGE_CAPACITY = 268 * PT_PER_MM
TEXT_W = PAGE_W - 2 * MARGIN_X
INDENT = Mm(10)  # step text sits under the heading's text, past its number
ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed, so the same data gives the same bytes
DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"
BOX_MARGIN = (120, 160)  # cell margins (top/bottom, left/right) in twips
BAND_MARGIN = (140, 200)

# Template leftovers dropped from the package: Word 2010 duplicate styles,
# the template's thumbnail, its custom XML and its "Microsoft Macintosh Word"
# app properties.
_DROPPED_RELS = ("stylesWithEffects", "thumbnail", "customXml", "extended-properties")
_KEPT_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "TableGrid",
    "Title",
    "Subtitle",
    "Heading1",
    "Heading2",
    "Strong",
    "Emphasis",
    "Caption",
    "ListParagraph",
}
_TOKEN = re.compile("\ue000(\\w+)\ue001")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_PERSONAL_FIELDS = ("first_name", "family_name", "birth_name", "identifier", "homonym_note", "manager")


def _token(name: str) -> str:
    return f"\ue000{name}\ue001"


def _xml_text(value: str) -> str:
    """Person text as XML character data: shown exactly as typed, never as markup."""
    value = _XML_INVALID.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class DocxRenderer:
    extension = "docx"

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        # The page without a personal box, at each body size (estimated, points).
        self._estimate = _Estimate(procedure.docx.font)
        self._base = {body: estimated_height(procedure, None, body) for body in BODIES}
        self._variants: dict[float, _Variant] = {}
        body = self._body(None)
        if body is None:
            raise RenderError(
                f"{procedure.source}: the DOCX flyer would print on two pages: about "
                f"{self._over(None):.0f} mm too tall even at {BODIES[-1]:g} pt. Shorten the steps."
            )
        self._flyer_body = body

    def _height(self, box: PersonalBox | None, body: float) -> float:
        return self._base[body] + (self._estimate.box(box, body) if box is not None else 0.0)

    def _body(self, box: PersonalBox | None) -> float | None:
        """The largest body size at which the page, with this box, holds on one page."""
        for body in BODIES:
            if self._height(box, body) <= PAGE_CAPACITY:
                return body
        return None

    def _over(self, box: PersonalBox | None) -> float:
        return (self._height(box, BODIES[-1]) - PAGE_CAPACITY) / PT_PER_MM

    def _variant(self, body: float) -> _Variant:
        # Prepared on first use: a run that never meets a long name never builds the compact one.
        if body not in self._variants:
            self._variants[body] = _Variant.prepare(self.procedure, body)
        return self._variants[body]

    def _too_tall(self, box: PersonalBox) -> str:
        return (
            f"the DOCX sheet would print on two pages (about {self._over(box):.0f} mm too tall): "
            "give a shorter identifier or name"
        )

    def to_bytes(self, person: Person | None) -> bytes:
        if person is None:
            return self._variant(self._flyer_body).generic
        return self._personal(person)

    def render(self, person: Person | None, target: str | Path | BinaryIO) -> None:
        data = self.to_bytes(person)
        if isinstance(target, (str, Path)):
            with atomic_write(Path(target)) as stream:
                stream.write(data)
        else:
            target.write(data)

    def _personal(self, person: Person) -> bytes:
        box = personal_box(self.procedure, person)
        body = self._body(box)
        if body is None:
            raise RenderError(self._too_tall(box))
        variant = self._variant(body)
        chunks = variant.with_manager if box.manager else variant.without_manager
        values = {f: _xml_text(getattr(box, f)) for f in _PERSONAL_FIELDS}
        # A long identifier in the large type would wrap over three lines.
        values["identifier_style"] = (
            "Identifier" if len(box.identifier) <= LARGE_IDENTIFIER_MAX else "IdentifierLong"
        )
        # Odd chunks are token names, even ones the XML around them.
        xml = "".join(values[c] if i % 2 else c for i, c in enumerate(chunks))
        # The title names the person, as the PDF's does.
        return variant.package(xml.encode("utf-8"), f"{self.procedure.meta.title} – {person.display_name}")


@dataclasses.dataclass(frozen=True)
class _Variant:
    """A prepared package at one body size: every part but the document, and the document in chunks."""

    prefix: bytes
    with_manager: list[str]
    without_manager: list[str]
    core: list[str]  # docProps/core.xml around the title, which names the person
    generic: bytes

    @classmethod
    def prepare(cls, procedure: Procedure, body_pt: float) -> _Variant:
        sample = Person(first_name="", last_name="", identifier="", manager="")
        tokens = dataclasses.replace(
            personal_box(procedure, sample), **{f: _token(f) for f in _PERSONAL_FIELDS}
        )
        doc = _build(procedure, tokens, body_pt)
        doc.core_properties.title = _token("title")
        body = doc.element.body
        box = [el for el in body if el.get(_BOX_MARK) is not None]
        for el in box:
            del el.attrib[_BOX_MARK]
        manager = [p for p in body.iter(qn("w:p")) if _token("manager") in "".join(p.itertext())]

        out = io.BytesIO()
        doc.save(out)
        parts = _clean_parts(out.getvalue())
        core = _split_tokens(parts.pop(CORE_PART).decode("utf-8"))
        prefix = _zip_parts(parts)
        root = doc.element
        with_manager = _split_tokens(_serialise(root))
        for p in manager:
            p.getparent().remove(p)
        without_manager = _split_tokens(_serialise(root))
        for el in box:
            body.remove(el)
        variant = cls(prefix, with_manager, without_manager, core, b"")
        generic = variant.package(_serialise(root).encode("utf-8"), procedure.meta.title)
        return dataclasses.replace(variant, generic=generic)

    def package(self, document_xml: bytes, title: str) -> bytes:
        """The prepared parts plus the two that differ per person, appended without recompressing the rest."""
        core = "".join(_xml_text(title) if i % 2 else c for i, c in enumerate(self.core))
        out = io.BytesIO(self.prefix)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a") as zf:
            zf.writestr(_zip_info(CORE_PART), core.encode("utf-8"))
            zf.writestr(_zip_info(DOCUMENT_PART), document_xml)
        return out.getvalue()


# Advance widths of Arial (the same as Helvetica and Liberation Sans), in
# thousandths of an em, for the characters of Latin names: enough to know
# where Word and LibreOffice will wrap a line.
_WIDTHS = json.loads(files("generator.render").joinpath("arial_widths.json").read_text(encoding="utf-8"))
# Arial's metric family: the widths above hold. Any other font may be
# missing where the file is opened (LibreOffice here substitutes DejaVu Sans,
# 14 % wider): it is estimated 15 % wider, with 10 % taller lines.
_ARIAL_FAMILY = {"arial", "liberation sans", "helvetica", "arimo"}
_OTHER_FONT = (1.15, 1.1)  # width ratio, line-height ratio


def _char_width(ch: str, table: dict[str, int]) -> int:
    width = table.get(ch)
    if width is None:
        base = unicodedata.normalize("NFKD", ch)[:1]
        width = table.get(base, 600)
    return width


def _text_width(text: str, size: float, bold: bool = False, ratio: float = 1.0) -> float:
    """Width in points of ``text`` set in Arial (or a font ``ratio`` times as wide)."""
    table = _WIDTHS["Helvetica-Bold" if bold else "Helvetica"]
    return sum(_char_width(ch, table) for ch in text) * size / 1000 * ratio


def _lines(text: str, size: float, width: float, bold: bool = False) -> int:
    """Lines a greedy word wrap needs (a word longer than a line is cut)."""
    lines, current = 1, 0.0
    for word in text.split(" "):
        w = _text_width(word + " ", size, bold)
        if current and current + w > width:
            lines += 1
            current = 0.0
        while w > width:  # LibreOffice and Word cut an overlong word
            lines += 1
            w -= width
        current += w
    return lines


def _box_width() -> float:
    return (TEXT_W * BOX_SHARE * PT_PER_MM) - 2 * BOX_MARGIN[1] / 20


def estimated_height(procedure: Procedure, box: PersonalBox | None, body: float = BODY_PT) -> float:
    """About how tall the document stands, in points, by the word-wrap estimate of ``_lines``.

    Calibrated against LibreOffice (tests/test_render_docx.py prints documents
    near the limit): on the wide side, so that an estimate under the page
    height means one printed page.
    """
    estimate = _Estimate(procedure.docx.font)
    return estimate.marks(procedure, None, body)[-1][1] + (estimate.box(box, body) if box else 0.0)


class _Estimate:
    """Line counts and heights in the document's font (Arial's metrics, or a pessimistic guess)."""

    def __init__(self, font: str) -> None:
        self.width_ratio, self.line_ratio = (1.0, 1.0) if font.lower() in _ARIAL_FAMILY else _OTHER_FONT

    def lines(self, text: str, size: float, width: float, bold: bool = False) -> int:
        return _lines(text, size, width / self.width_ratio, bold)

    def line(self, size: float) -> float:
        """Height of a line at the document's line spacing."""
        return size * 1.2 * self.line_ratio

    def marks(self, procedure: Procedure, box: PersonalBox | None, body: float) -> list[tuple[str, float]]:
        """Where each part of the page starts (points from the top margin), and the end."""
        lines, line = self.lines, self.line
        scale = body / BODY_PT
        width = TEXT_W * PT_PER_MM
        indent = INDENT.mm * PT_PER_MM
        meta = procedure.meta
        title_w = width - 227 / 20 - 8
        marks = []
        height = lines(meta.audience, body, title_w, bold=True) * line(body)
        height += lines(meta.title, 20 * scale, title_w, bold=True) * 20 * scale * 1.15 * self.line_ratio
        if meta.purpose:
            height += 2 + lines(meta.purpose, body, title_w) * line(body) + 10
        marks.append(("box", height))
        if box is not None:
            height += self.box(box, body)
        for step in procedure.steps:
            marks.append((f"step {step.number}", height + 7 + 6))
            height += (
                7 + 6 + lines(step.heading, 14 * scale, width - indent, bold=True) * line(14 * scale) + 3
            )
            qr_w = (QR_WIDTH_MM + 6) * PT_PER_MM if step.qr else 0.0
            text_w = width - indent - qr_w - (12 if step.qr else 0)
            text = sum(lines(plain(p), body, text_w) * line(body) + 3 for p in step.paragraphs)
            if step.qr:
                text += 3 + lines(step.qr.url, 10, text_w) * line(10)
                picture = QR_WIDTH_MM * PT_PER_MM + lines(step.qr.label, 10, qr_w - 12) * line(10) + 6
                text = max(text, picture)
            height += text
            if step.show_contacts:
                name_w = 84 * PT_PER_MM - 12
                mail_w = width - indent - 84 * PT_PER_MM - 12
                for group in procedure.contacts:
                    # An address longer than its column wraps: count its lines too.
                    addresses = sum(lines(e, body, mail_w) for e in group.emails)
                    rows = max(lines(group.name, body, name_w, bold=True), addresses)
                    height += rows * line(body) + 2
        marks.append(("help", height + 6))
        help_w = width * 0.6 - 20
        help_lines = lines(procedure.help.label, body, help_w) + lines(procedure.help.hours, body, help_w)
        height += 6 + 14 + max(help_lines * line(body), 22 * 1.15 * self.line_ratio) + 6
        marks.append(("end", height))
        return marks

    def box(self, box: PersonalBox, body: float) -> float:
        lines, line = self.lines, self.line
        scale = body / BODY_PT
        width = _box_width()
        name = f"{box.first_name} {box.family_name} {box.birth_name}".strip()
        big = (20 if len(box.identifier) <= LARGE_IDENTIFIER_MAX else 15) * scale
        label = _text_width(box.identifier_label + " ", body) * self.width_ratio
        left = line(body + 1) + 3
        left += lines(name, body + 1, width, bold=True) * line(body + 1) + 4
        left += lines(box.identifier, big, width - label, bold=True) * line(big) + 3
        left += lines(box.homonym_note, 10, width) * line(10) + 3
        if box.manager:
            left += lines(box.manager, 10, width) * line(10) + 3
        right_w = TEXT_W * (1 - BOX_SHARE) * PT_PER_MM - 2 * BOX_MARGIN[1] / 20
        right = lines(box.numen_label, body, right_w, bold=True) * line(body) + 21 + line(body)
        right += 3 + lines(box.numen_note, 10, right_w, bold=True) * line(10)
        return max(left, right) + 2 * BOX_MARGIN[0] / 20 + 10


# --- packaging -------------------------------------------------------------


def _serialise(root: etree._Element) -> str:
    return etree.tostring(root, encoding="UTF-8", standalone=True).decode("utf-8")


def _split_tokens(xml: str) -> list[str]:
    return _TOKEN.split(xml)


def _zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def _zip_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            info = _zip_info(name)
            if name.endswith(".png"):
                info.compress_type = zipfile.ZIP_STORED  # already compressed
            zf.writestr(info, data)
    return out.getvalue()


def _clean_parts(package: bytes) -> dict[str, bytes]:
    """Every part but the document part, with core properties made reproducible."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for name in zf.namelist():
            if name == DOCUMENT_PART:
                continue
            data = zf.read(name)
            if name == "docProps/core.xml":
                data = _reproducible_core(data)
            parts[name] = data
    return parts


def _reproducible_core(data: bytes) -> bytes:
    """Core properties without creation dates: nothing in the file depends on the clock."""
    root = etree.fromstring(data)
    for el in list(root):
        if etree.QName(el).localname in ("created", "modified", "lastPrinted"):
            root.remove(el)
    return etree.tostring(root, encoding="UTF-8", standalone=True)


# --- the document ----------------------------------------------------------

_BOX_MARK = "personal-box"  # temporary attribute marking the box's body elements


def _build(procedure: Procedure, box: PersonalBox, body_pt: float = BODY_PT) -> DocxDocument:
    doc = Document()
    _prune_package(doc)
    _page(doc)
    _styles(doc, procedure.docx.font, procedure.meta.language, body_pt)
    _numbering(doc)
    _settings(doc, procedure.meta.language)
    _core(doc, procedure)
    body = doc.element.body
    for el in list(body):
        if el.tag != qn("w:sectPr"):
            body.remove(el)

    meta = procedure.meta
    doc.add_paragraph(meta.audience, style="Audience")
    doc.add_paragraph(meta.title, style="Title")
    if meta.purpose:
        doc.add_paragraph(meta.purpose, style="Subtitle")

    before = len(body)
    _personal(doc, box)
    for el in list(body)[before - 1 : -1]:  # everything added, not the sectPr
        el.set(_BOX_MARK, "1")

    for step in procedure.steps:
        _step(doc, procedure, step)
    _help(doc, procedure)
    return doc


def _prune_package(doc: DocxDocument) -> None:
    for rels in (doc.part.package.rels, doc.part.rels):
        for rid, rel in list(rels.items()):
            if rel.reltype.rsplit("/", 1)[-1] in _DROPPED_RELS:
                del rels[rid]


def _page(doc: DocxDocument) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(PAGE_W), Mm(PAGE_H)
    section.left_margin = section.right_margin = Mm(MARGIN_X)
    section.top_margin = section.bottom_margin = Mm(MARGIN_Y)
    section.header_distance = section.footer_distance = Mm(8)
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


def _core(doc: DocxDocument, procedure: Procedure) -> None:
    core = doc.core_properties
    meta = procedure.meta
    core.title = meta.title
    core.subject = meta.subject
    core.author = meta.author
    core.language = meta.language
    core.comments = ""
    core.keywords = ""
    core.category = ""
    core.last_modified_by = meta.author
    core.revision = 1


# --- styles ----------------------------------------------------------------


def _half(size: float) -> float:
    """Sizes are written in half points."""
    return round(size * 2) / 2


def _rpr(
    font: str | None = None,
    size: float | None = None,
    bold: bool | None = None,
    color: str | None = None,
    underline: bool = False,
    lang: str | None = None,
) -> str:
    parts = []
    if font:
        parts.append(f'<w:rFonts w:ascii="{font}" w:hAnsi="{font}" w:eastAsia="{font}" w:cs="{font}"/>')
    if bold is not None:
        parts.append("<w:b/><w:bCs/>" if bold else '<w:b w:val="0"/><w:bCs w:val="0"/>')
    if color:
        parts.append(f'<w:color w:val="{color}"/>')
    if size:
        parts.append(f'<w:sz w:val="{round(size * 2)}"/><w:szCs w:val="{round(size * 2)}"/>')
    if underline:
        parts.append('<w:u w:val="single"/>')
    if lang:
        parts.append(f'<w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA"/>')
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def _border(side: str, size_pt: float, color: str, space: int = 4) -> str:
    return f'<w:{side} w:val="single" w:sz="{round(size_pt * 8)}" w:space="{space}" w:color="{color}"/>'


def _styles(doc: DocxDocument, font: str, language: str, body: float = BODY_PT) -> None:
    scale = body / BODY_PT
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in _KEPT_STYLES:
            styles.remove(style)
    # Word's 2010 list of latent styles is long and changes nothing we show.
    for el in styles.findall(qn("w:latentStyles")):
        styles.remove(el)
    defaults = styles.find(qn("w:docDefaults"))
    styles.remove(defaults)
    styles.insert(
        0,
        parse_xml(
            f"<w:docDefaults {nsdecls('w')}><w:rPrDefault>"
            + _rpr(font=font, size=body, lang=language)
            + "</w:rPrDefault><w:pPrDefault><w:pPr>"
            '<w:spacing w:after="0" w:line="250" w:lineRule="auto"/>'
            "</w:pPr></w:pPrDefault></w:docDefaults>"
        ),
    )
    # Theme fonts and colours of the template would win over the defaults.
    for el in styles.iter(qn("w:rFonts")):
        for attr in list(el.attrib):
            if attr.endswith("Theme") or attr.endswith("theme"):
                del el.attrib[attr]
    for el in styles.iter(qn("w:color")):
        for attr in ("w:themeColor", "w:themeShade", "w:themeTint"):
            el.attrib.pop(qn(attr), None)

    def para(
        style_id: str, name: str, ppr: str, rpr: str, based_on: str = "Normal", next_id: str | None = None
    ) -> None:
        _replace_style(
            styles,
            style_id,
            (
                f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{style_id}"'
                + (' w:customStyle="1"' if style_id not in _KEPT_STYLES else "")
                + (' w:default="1"' if style_id == "Normal" else "")
                + ">"
                f'<w:name w:val="{name}"/>'
                + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
                + (f'<w:next w:val="{next_id}"/>' if next_id else "")
                + "<w:qFormat/>"
                f"<w:pPr>{ppr}</w:pPr>{rpr}</w:style>"
            ),
        )

    def char(style_id: str, name: str, rpr: str) -> None:
        _replace_style(
            styles,
            style_id,
            (
                f'<w:style {nsdecls("w")} w:type="character" w:styleId="{style_id}"'
                + (' w:customStyle="1"' if style_id not in ("Hyperlink", "Strong") else "")
                + ">"
                f'<w:name w:val="{name}"/><w:basedOn w:val="DefaultParagraphFont"/>'
                f'<w:uiPriority w:val="99"/><w:unhideWhenUsed/>{rpr}</w:style>'
            ),
        )

    title_bar = "<w:pBdr>" + _border("left", 4.5, ACCENT, space=8) + '</w:pBdr><w:ind w:left="227"/>'
    para("Normal", "Normal", '<w:spacing w:after="60"/>', _rpr(font=font, size=body), based_on="")
    para(
        "Audience",
        "Audience",
        title_bar + '<w:keepNext/><w:spacing w:after="0"/>',
        _rpr(size=body, bold=True, color=ACCENT),
    )
    para(
        "Title",
        "Title",
        title_bar + '<w:keepNext/><w:spacing w:after="0" w:line="240" w:lineRule="auto"/>',
        _rpr(size=_half(20 * scale), bold=True, color=ACCENT),
        next_id="Subtitle",
    )
    para(
        "Subtitle",
        "Subtitle",
        title_bar + '<w:spacing w:before="40" w:after="200"/>',
        _rpr(size=body, bold=False, color="000000"),
        next_id="Normal",
    )
    para(
        "Heading1",
        "heading 1",
        '<w:keepNext/><w:keepLines/><w:numPr><w:numId w:val="1"/></w:numPr>'
        "<w:pBdr>" + _border("top", 0.5, RULE, space=6) + "</w:pBdr>"
        f'<w:spacing w:before="140" w:after="60"/><w:ind w:left="{INDENT.twips}" '
        f'w:hanging="{INDENT.twips}"/><w:outlineLvl w:val="0"/>',
        _rpr(size=_half(14 * scale), bold=True, color="000000"),
        next_id="StepText",
    )
    para(
        "Heading2",
        "heading 2",
        '<w:keepNext/><w:spacing w:before="0" w:after="60"/><w:outlineLvl w:val="1"/>',
        _rpr(size=body + 1, bold=True, color=ACCENT),
        next_id="Normal",
    )
    para("StepText", "Step Text", f'<w:ind w:left="{INDENT.twips}"/>', _rpr())
    para("ContactName", "Contact Name", '<w:spacing w:after="40"/>', _rpr(bold=True))
    para("Address", "Address", f'<w:ind w:left="{INDENT.twips}"/><w:spacing w:before="60"/>', _rpr(size=10))
    para(
        "Caption",
        "caption",
        '<w:jc w:val="center"/><w:spacing w:after="0"/>',
        _rpr(size=10, bold=False, color="000000"),
    )
    para("PersonName", "Person Name", '<w:spacing w:after="80"/>', _rpr(size=body + 1))
    para("BoxNote", "Box Note", '<w:spacing w:before="60" w:after="0"/>', _rpr(size=10))
    para(
        "WriteIn",
        "Write-in Line",
        "<w:pBdr>" + _border("bottom", 1, "000000", space=1) + '</w:pBdr><w:spacing w:before="420"/>',
        _rpr(),
    )
    para("Spacer", "Spacer", '<w:spacing w:after="0" w:line="120" w:lineRule="exact"/>', _rpr(size=10))
    para("Help", "Help", '<w:spacing w:after="0"/>', _rpr(color=WHITE))
    para(
        "HelpPhone",
        "Help Phone",
        '<w:jc w:val="right"/><w:spacing w:after="0"/>',
        _rpr(size=22, bold=True, color=WHITE),
        based_on="Help",
    )
    char("Hyperlink", "Hyperlink", _rpr(color=ACCENT, underline=True))
    char("Identifier", "Identifier", _rpr(size=_half(20 * scale), bold=True, color=ACCENT))
    char("IdentifierLong", "Identifier Long", _rpr(size=_half(15 * scale), bold=True, color=ACCENT))
    char("Strong", "Strong", _rpr(bold=True))
    _table_style(
        styles,
        "PersonalBoxTable",
        "Personal Box",
        "<w:tblBorders>"
        + "".join(_border(s, 1.5, ACCENT, 0) for s in ("top", "left", "bottom", "right"))
        + "</w:tblBorders>",
        "",
        margins=BOX_MARGIN,
    )
    _table_style(
        styles,
        "HelpBand",
        "Help Band",
        "",
        f'<w:shd w:val="clear" w:color="auto" w:fill="{ACCENT}"/>',
        margins=BAND_MARGIN,
    )
    _table_style(styles, "Layout", "Layout Table", "", "", margins=(0, 0))


_PPR_ORDER = [
    qn(f"w:{n}")
    for n in (
        "pStyle",
        "keepNext",
        "keepLines",
        "pageBreakBefore",
        "framePr",
        "widowControl",
        "numPr",
        "suppressLineNumbers",
        "pBdr",
        "shd",
        "tabs",
        "suppressAutoHyphens",
        "kinsoku",
        "wordWrap",
        "overflowPunct",
        "topLinePunct",
        "autoSpaceDE",
        "autoSpaceDN",
        "bidi",
        "adjustRightInd",
        "snapToGrid",
        "spacing",
        "ind",
        "contextualSpacing",
        "mirrorIndents",
        "suppressOverlap",
        "jc",
        "textDirection",
        "textAlignment",
        "textboxTightWrap",
        "outlineLvl",
        "divId",
        "cnfStyle",
        "rPr",
    )
]


def _replace_style(styles: etree._Element, style_id: str, xml: str) -> None:
    new = parse_xml(xml)
    # Written for reading; put in the schema's order, which Word insists on.
    for ppr in new.findall(qn("w:pPr")):
        ppr[:] = sorted(ppr, key=lambda el: _PPR_ORDER.index(el.tag))
    for old in styles.findall(qn("w:style")):
        if old.get(qn("w:styleId")) == style_id:
            old.addprevious(new)
            styles.remove(old)
            return
    styles.append(new)


def _table_style(
    styles: etree._Element, style_id: str, name: str, borders: str, shading: str, margins: tuple[int, int]
) -> None:
    v, h = margins
    _replace_style(
        styles,
        style_id,
        (
            f'<w:style {nsdecls("w")} w:type="table" w:customStyle="1" w:styleId="{style_id}">'
            f'<w:name w:val="{name}"/><w:basedOn w:val="TableNormal"/><w:uiPriority w:val="99"/>'
            f"<w:tblPr>{borders}<w:tblCellMar>"
            f'<w:top w:w="{v}" w:type="dxa"/><w:left w:w="{h}" w:type="dxa"/>'
            f'<w:bottom w:w="{v}" w:type="dxa"/><w:right w:w="{h}" w:type="dxa"/>'
            f"</w:tblCellMar></w:tblPr>" + (f"<w:tcPr>{shading}</w:tcPr>" if shading else "") + "</w:style>"
        ),
    )


def _numbering(doc: DocxDocument) -> None:
    """One real list definition: the step headings number themselves 1, 2, 3…"""
    numbering = doc.part.numbering_part.element
    for el in list(numbering):
        numbering.remove(el)
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="1">'
            '<w:nsid w:val="5A3E0F11"/><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="Heading1"/>'
            '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{INDENT.twips}" w:hanging="{INDENT.twips}"/></w:pPr>'
            + _rpr(bold=True, color=ACCENT)
            + "</w:lvl></w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="1"><w:abstractNumId w:val="1"/></w:num>'))


# --- content ---------------------------------------------------------------


def _runs(paragraph: Paragraph, runs) -> None:
    for run in runs:
        paragraph.add_run(run.text, style="Strong" if run.bold else None)


def _hyperlink(paragraph: Paragraph, url: str, text: str) -> None:
    rid = paragraph.part.relate_to(url, RT.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    link.set(qn("w:history"), "1")
    paragraph._p.append(link)
    run = paragraph.add_run(text, style="Hyperlink")
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
    return table


def _personal(doc: DocxDocument, box: PersonalBox) -> None:
    table = _layout_table(
        doc, (TEXT_W * BOX_SHARE, TEXT_W * (1 - BOX_SHARE)), style="Personal Box", cell_margin=BOX_MARGIN[1]
    )
    left, right = table.rows[0].cells
    left.paragraphs[0].style = "Heading 2"
    left.paragraphs[0].add_run(box.heading)
    # As in the PDF: the family name stands out, the birth name follows it.
    name = left.add_paragraph(box.first_name + " ", style="Person Name")
    name.add_run(box.family_name, style="Strong")
    name.add_run(" " + box.birth_name)
    p = left.add_paragraph(box.identifier_label + " ")
    run = p.add_run(box.identifier, style="Identifier")
    run._r.rPr.find(qn("w:rStyle")).set(qn("w:val"), _token("identifier_style"))
    left.add_paragraph(box.homonym_note, style="Box Note")
    left.add_paragraph(box.manager, style="Box Note")
    right.paragraphs[0].add_run(box.numen_label, style="Strong")
    right.add_paragraph(style="Write-in Line")
    right.add_paragraph(style="Box Note").add_run(box.numen_note, style="Strong")
    for t in table._tbl.iter(qn("w:t")):
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")


def _step(doc: DocxDocument, procedure: Procedure, step) -> None:
    doc.add_paragraph(step.heading, style="Heading 1")
    if step.qr is not None:
        qr_w = QR_WIDTH_MM + 6
        table = _layout_table(doc, (TEXT_W - qr_w, qr_w))
        text_cell, qr_cell = table.rows[0].cells
        qr_cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
        container: Any = text_cell  # a table cell or the document: both add paragraphs
        first = text_cell.paragraphs[0]
    else:
        container = doc
        first = None
    for paragraph in step.paragraphs:
        if first is not None:
            first.style = "Step Text"
            p, first = first, None
        else:
            p = container.add_paragraph(style="Step Text")
        _runs(p, paragraph)
    if step.show_contacts:
        _contacts(doc, procedure)
    if step.qr is not None:
        p = text_cell.add_paragraph(style="Address")
        _hyperlink(p, step.qr.url, step.qr.url)
        _qr_picture(qr_cell, step.qr)


def _contacts(doc: DocxDocument, procedure: Procedure) -> None:
    name_w = 84
    table = _layout_table(doc, (name_w, TEXT_W - INDENT.mm - name_w), indent_mm=INDENT.mm)
    for i, group in enumerate(procedure.contacts):
        row = table.rows[0] if i == 0 else table.add_row()
        name_cell, mail_cell = row.cells
        name_cell.paragraphs[0].style = "Contact Name"
        name_cell.paragraphs[0].add_run(group.name)
        for j, email in enumerate(group.emails):
            p = mail_cell.paragraphs[0] if j == 0 else mail_cell.add_paragraph()
            _hyperlink(p, f"mailto:{email}", email)


def _qr_picture(cell, code) -> None:
    modules = len(qr.matrix(code.url)) + 2 * qr.QUIET_ZONE
    module_px = math.ceil(QR_DPI / 25.4 * QR_WIDTH_MM / modules)
    p = cell.paragraphs[0]
    p.style = "Caption"
    run = p.add_run()
    shape = run.add_picture(io.BytesIO(qr.png(code.url, module_px)), width=Mm(QR_WIDTH_MM))
    doc_pr = shape._inline.docPr
    doc_pr.set("title", code.label)
    doc_pr.set("descr", code.alt or code.label)
    cell.add_paragraph(code.label, style="Caption")


def _help(doc: DocxDocument, procedure: Procedure) -> None:
    doc.add_paragraph(style="Spacer")
    table = _layout_table(doc, (TEXT_W * 0.6, TEXT_W * 0.4), style="Help Band", cell_margin=BAND_MARGIN[1])
    left, right = table.rows[0].cells
    # Cell shading from a table style is not read by every editor: say it here too.
    for cell in (left, right):
        cell._tc.get_or_add_tcPr().append(
            parse_xml(f'<w:shd {nsdecls("w")} w:val="clear" w:color="auto" w:fill="{ACCENT}"/>')
        )
    right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
    left.paragraphs[0].style = "Help"
    left.paragraphs[0].add_run(procedure.help.label, style="Strong")
    left.add_paragraph(procedure.help.hours, style="Help")
    right.paragraphs[0].style = "Help Phone"
    right.paragraphs[0].add_run(procedure.help.phone)
    # Word ends a document that ends with a table with a paragraph of its own:
    # a small one of ours keeps that line from pushing anything to a second page.
    doc.add_paragraph(style="Spacer")
