"""How one DOCX style is written: run and border properties, paragraph, character and table styles."""

from __future__ import annotations

from typing import Any

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from lxml import etree

from .package import xml_attr

KEPT_STYLES = {
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


def half(size: float) -> float:
    """Sizes are written in half points."""
    return round(size * 2) / 2


def rpr(
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


def border(side: str, size_pt: float, color: str, space: int = 4) -> str:
    return f'<w:{side} w:val="single" w:sz="{round(size_pt * 8)}" w:space="{space}" w:color="{color}"/>'


def para_style(
    styles: Any,
    style_id: str,
    name: str,
    ppr: str,
    rpr: str,
    based_on: str = "Normal",
    next_id: str | None = None,
) -> None:
    _replace_style(
        styles,
        style_id,
        (
            f'<w:style {nsdecls("w")} w:type="paragraph" w:styleId="{style_id}"'
            + (' w:customStyle="1"' if style_id not in KEPT_STYLES else "")
            + (' w:default="1"' if style_id == "Normal" else "")
            + ">"
            f'<w:name w:val="{name}"/>'
            + (f'<w:basedOn w:val="{based_on}"/>' if based_on else "")
            + (f'<w:next w:val="{next_id}"/>' if next_id else "")
            + "<w:qFormat/>"
            f"<w:pPr>{ppr}</w:pPr>{rpr}</w:style>"
        ),
    )


def char_style(styles: Any, style_id: str, name: str, rpr: str) -> None:
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


def table_style(
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
