"""The DOCX styles and numbering: every look of the document is a named style, built from look.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from .look import (
    ACCENT,
    BODY_PT,
    BOX_MARGIN,
    CONTACT_NAME_AFTER,
    HEADING_BEFORE,
    HEADING_PT,
    HEADING_RULE_SPACE,
    HELP_BAND_MM,
    HELP_PAD,
    HELP_PHONE_PT,
    IDENTIFIER_LONG_PT,
    IDENTIFIER_PT,
    INDENT,
    MARGIN_Y,
    PAGE_H,
    PARAGRAPH_AFTER,
    PERSON_NAME_AFTER,
    RULE,
    SMALL_PT,
    SUBTITLE_AFTER,
    SUBTITLE_BEFORE,
    TEXT_W,
    TITLE_BAR_SPACE,
    TITLE_INDENT,
    TITLE_PT,
)
from .package import xml_attr

TEXT_W_TWIPS = round(TEXT_W * 1440 / 25.4)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument

_KEPT_STYLES = {
    "Normal",
    "DefaultParagraphFont",
    "TableNormal",
    "NoList",
    "TableGrid",
    "Subtitle",
    "Heading1",
    "Heading2",
    "Strong",
    "Emphasis",
    "Caption",
    "ListParagraph",
}


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
        # Escaped: a font the YAML check never saw (a Procedure built in code) cannot break the XML.
        font = xml_attr(font)
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
        lang = xml_attr(lang)
        parts.append(f'<w:lang w:val="{lang}" w:eastAsia="{lang}" w:bidi="ar-SA"/>')
    return "<w:rPr>" + "".join(parts) + "</w:rPr>"


def _border(side: str, size_pt: float, color: str, space: int = 4) -> str:
    return f'<w:{side} w:val="single" w:sz="{round(size_pt * 8)}" w:space="{space}" w:color="{color}"/>'


def write_styles(doc: DocxDocument, font: str, language: str, body: float = BODY_PT) -> None:
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

    title_bar = (
        "<w:pBdr>"
        + _border("left", 3, ACCENT, space=TITLE_BAR_SPACE)
        + f'</w:pBdr><w:ind w:left="{TITLE_INDENT}"/>'
    )
    para(
        "Normal",
        "Normal",
        f'<w:spacing w:after="{PARAGRAPH_AFTER}"/>',
        _rpr(font=font, size=body),
        based_on="",
    )
    para(
        "Audience",
        "Audience",
        title_bar + '<w:keepNext/><w:spacing w:after="0"/>',
        _rpr(size=body, bold=True, color=ACCENT),
    )
    para(
        "Heading1",
        "heading 1",
        title_bar + '<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:outlineLvl w:val="0"/>',
        _rpr(size=_half(TITLE_PT * scale), bold=True, color=ACCENT),
        next_id="Subtitle",
    )
    para(
        "Subtitle",
        "Subtitle",
        title_bar + f'<w:spacing w:before="{SUBTITLE_BEFORE}" w:after="{SUBTITLE_AFTER}"/>',
        _rpr(size=body, bold=False, color="000000"),
        next_id="Normal",
    )
    # Every other heading is level 2: the box's, each step's and the help band's.
    para(
        "Heading2",
        "heading 2",
        f'<w:keepNext/><w:spacing w:before="0" w:after="{PARAGRAPH_AFTER}"/><w:outlineLvl w:val="1"/>',
        _rpr(size=body, bold=True, color=ACCENT),
        next_id="Normal",
    )
    para("BoxHeading", "Box Heading", "", _rpr(), based_on="Heading2")
    para(
        "StepHeading",
        "Step Heading",
        '<w:keepNext/><w:keepLines/><w:numPr><w:numId w:val="1"/></w:numPr>'
        "<w:pBdr>" + _border("top", 0.5, RULE, space=HEADING_RULE_SPACE) + "</w:pBdr>"
        f'<w:spacing w:before="{HEADING_BEFORE}" w:after="{PARAGRAPH_AFTER}"/><w:ind w:left="{INDENT.twips}" '
        f'w:hanging="{INDENT.twips}"/><w:outlineLvl w:val="1"/>',
        _rpr(size=_half(HEADING_PT * scale), bold=True, color="000000"),
        based_on="Heading2",
        next_id="StepText",
    )
    para("StepText", "Step Text", f'<w:ind w:left="{INDENT.twips}"/>', _rpr())
    para("ContactName", "Contact Name", f'<w:spacing w:after="{CONTACT_NAME_AFTER}"/>', _rpr(bold=True))
    # The address to type: at the body size, not underlined (an underline hides the _ of
    # iwc_static); a rule on its left and the link colour say it is the address.
    para(
        "Address",
        "Address",
        "<w:pBdr>" + _border("left", 1.5, ACCENT, space=4) + f'</w:pBdr><w:ind w:left="{INDENT.twips}"/>'
        f'<w:spacing w:before="0" w:after="{PARAGRAPH_AFTER}"/>',
        _rpr(),
    )
    para(
        "Caption",
        "caption",
        '<w:jc w:val="center"/><w:spacing w:after="0"/>',
        _rpr(size=SMALL_PT, bold=False, color="000000"),
    )
    para("PersonName", "Person Name", f'<w:spacing w:after="{PERSON_NAME_AFTER}"/>', _rpr(size=body + 1))
    para("BoxNote", "Box Note", f'<w:spacing w:before="{PARAGRAPH_AFTER}" w:after="0"/>', _rpr())
    para(
        "HomonymNote",
        "Homonym Note",
        "<w:pBdr>" + _border("left", 1, "000000", space=4) + "</w:pBdr>"
        f'<w:spacing w:before="{PARAGRAPH_AFTER}" w:after="0"/><w:ind w:left="120"/>',
        _rpr(),
        based_on="BoxNote",
    )
    para(
        "NUMENBox",
        "NUMEN Box",
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
        _rpr(size=SMALL_PT),
    )
    # The help band: outlined, nothing filled (toner); framed at the foot by help_frame().
    box = (
        "<w:pBdr>"
        + "".join(_border(side, 0.75, ACCENT, space=6) for side in ("top", "left", "bottom", "right"))
        + "</w:pBdr>"
    )
    para(
        "HelpHeading",
        "Help Heading",
        box
        + f'<w:keepNext/><w:spacing w:before="0" w:after="0"/><w:ind w:left="{HELP_PAD}" w:right="{HELP_PAD}"/>',
        _rpr(size=body + 1),
        based_on="Heading2",
    )
    para(
        "Help",
        "Help",
        box + f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W_TWIPS - 4 * HELP_PAD}"/></w:tabs>'
        f'<w:spacing w:before="0" w:after="0"/><w:ind w:left="{HELP_PAD}" w:right="{HELP_PAD}"/>',
        _rpr(color="000000"),
    )
    char("Hyperlink", "Hyperlink", _rpr(color=ACCENT, underline=True))
    char("WebAddress", "Web Address", _rpr(color=ACCENT))
    char("HelpPhone", "Help Phone", _rpr(size=HELP_PHONE_PT, bold=True, color="000000"))
    char("Identifier", "Identifier", _rpr(size=_half(IDENTIFIER_PT * scale), bold=True, color=ACCENT))
    char(
        "IdentifierLong",
        "Identifier Long",
        _rpr(size=_half(IDENTIFIER_LONG_PT * scale), bold=True, color=ACCENT),
    )
    char("Strong", "Strong", _rpr(bold=True))
    _table_style(
        styles,
        "PersonalBoxTable",
        "Personal Box",
        "<w:tblBorders>"
        + "".join(_border(s, 0.75, ACCENT, 0) for s in ("top", "left", "bottom", "right"))
        + "</w:tblBorders>",
        "",
        margins=BOX_MARGIN,
    )
    _table_style(
        styles,
        "NUMENBoxes",
        "NUMEN Boxes",
        "<w:tblBorders>"
        + "".join(_border(side, 0.5, "000000", 0) for side in ("top", "left", "bottom", "right", "insideV"))
        + "</w:tblBorders>",
        "",
        margins=(0, 0),
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


def help_frame() -> str:
    """The frame of the help band's paragraphs, at the foot of the page.

    Written in each paragraph (LibreOffice ignores a frame set in a style),
    at a fixed place from the page's top (it ignores yAlign="bottom" too).
    """
    y = round((PAGE_H - MARGIN_Y - HELP_BAND_MM) * 1440 / 25.4)
    return (
        f'<w:framePr {nsdecls("w")} w:w="{TEXT_W_TWIPS}" w:hAnchor="margin" w:vAnchor="page" '
        f'w:xAlign="left" w:y="{y}"/>'
    )


def write_numbering(doc: DocxDocument) -> None:
    """One real list definition: the step headings number themselves 1, 2, 3…"""
    numbering = doc.part.numbering_part.element
    for el in list(numbering):
        numbering.remove(el)
    numbering.append(
        parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="1">'
            '<w:nsid w:val="5A3E0F11"/><w:multiLevelType w:val="singleLevel"/>'
            '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:pStyle w:val="StepHeading"/>'
            '<w:lvlText w:val="%1."/><w:lvlJc w:val="left"/>'
            f'<w:pPr><w:ind w:left="{INDENT.twips}" w:hanging="{INDENT.twips}"/></w:pPr>'
            + _rpr(bold=True, color=ACCENT)
            + "</w:lvl></w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="1"><w:abstractNumId w:val="1"/></w:num>'))
