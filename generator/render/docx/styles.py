"""The DOCX styles and numbering: every look of the document is a named style, built from look.py."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn

from .look import (
    ACCENT,
    BODY_PT,
    BOX_MARGIN,
    CONTACT_NAME_AFTER,
    HEADING_BEFORE,
    HEADING_PT,
    HEADING_RULE_SPACE,
    HELP_PAD,
    HELP_PHONE_PT,
    IDENTIFIER_LONG_PT,
    IDENTIFIER_PT,
    INDENT,
    PARAGRAPH_AFTER,
    PERSON_NAME_AFTER,
    RULE,
    SMALL_PT,
    SUBTITLE_AFTER,
    SUBTITLE_BEFORE,
    TEXT,
    TEXT_W,
    TITLE_BAR_SPACE,
    TITLE_INDENT,
    TITLE_PT,
)
from .style_xml import KEPT_STYLES, border, char_style, half, para_style, rpr, table_style

TEXT_W_TWIPS = round(TEXT_W * 1440 / 25.4)

if TYPE_CHECKING:
    from docx.document import Document as DocxDocument


def write_styles(doc: DocxDocument, font: str, language: str, body: float = BODY_PT) -> None:
    """The document's styles at body size ``body``: the template's own replaced, in groups by page part."""
    scale = body / BODY_PT
    styles = doc.styles.element
    _reset(styles, font, language, body)
    _title_styles(styles, font, body, scale)
    _step_styles(styles, body, scale)
    _box_styles(styles, body)
    _help_styles(styles, body)
    _character_styles(styles, scale)
    _table_styles(styles)


def _reset(styles: Any, font: str, language: str, body: float) -> None:
    """Only the kept template styles, and document defaults of our font, size and language."""
    for style in styles.findall(qn("w:style")):
        if style.get(qn("w:styleId")) not in KEPT_STYLES:
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
            + rpr(font=font, size=body, color=TEXT, lang=language)
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


def _title_styles(styles: Any, font: str, body: float, scale: float) -> None:
    """Normal, and the title block's: audience, title, purpose, each with the bar on its left."""
    title_bar = (
        "<w:pBdr>"
        + border("left", 3, ACCENT, space=TITLE_BAR_SPACE)
        + f'</w:pBdr><w:ind w:left="{TITLE_INDENT}"/>'
    )
    para_style(
        styles,
        "Normal",
        "Normal",
        f'<w:spacing w:after="{PARAGRAPH_AFTER}"/>',
        rpr(font=font, size=body),
        based_on="",
    )
    para_style(
        styles,
        "Audience",
        "Audience",
        title_bar + '<w:keepNext/><w:spacing w:after="0"/>',
        rpr(size=body, bold=True, color=ACCENT),
    )
    para_style(
        styles,
        "Heading1",
        "heading 1",
        title_bar + '<w:keepNext/><w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>'
        '<w:outlineLvl w:val="0"/>',
        rpr(size=half(TITLE_PT * scale), bold=True, color=ACCENT),
        next_id="Subtitle",
    )
    para_style(
        styles,
        "Subtitle",
        "Subtitle",
        title_bar + f'<w:spacing w:before="{SUBTITLE_BEFORE}" w:after="{SUBTITLE_AFTER}"/>',
        rpr(size=body, bold=False, color=TEXT),
        next_id="Normal",
    )


def _step_styles(styles: Any, body: float, scale: float) -> None:
    """Level-2 headings, the steps' headings and text, contacts, the address and the code's caption."""
    # Every other heading is level 2: the box's, each step's and the help band's.
    para_style(
        styles,
        "Heading2",
        "heading 2",
        f'<w:keepNext/><w:spacing w:before="0" w:after="{PARAGRAPH_AFTER}"/><w:outlineLvl w:val="1"/>',
        rpr(size=body, bold=True, color=ACCENT),
        next_id="Normal",
    )
    para_style(styles, "BoxHeading", "Box Heading", "", rpr(), based_on="Heading2")
    para_style(
        styles,
        "StepHeading",
        "Step Heading",
        '<w:keepNext/><w:keepLines/><w:numPr><w:numId w:val="1"/></w:numPr>'
        "<w:pBdr>" + border("top", 0.75, RULE, space=HEADING_RULE_SPACE) + "</w:pBdr>"
        f'<w:spacing w:before="{HEADING_BEFORE}" w:after="{PARAGRAPH_AFTER}"/><w:ind w:left="{INDENT.twips}" '
        f'w:hanging="{INDENT.twips}"/><w:outlineLvl w:val="1"/>',
        rpr(size=half(HEADING_PT * scale), bold=True, color=TEXT),
        based_on="Heading2",
        next_id="StepText",
    )
    para_style(styles, "StepText", "Step Text", f'<w:ind w:left="{INDENT.twips}"/>', rpr())
    para_style(
        styles, "ContactName", "Contact Name", f'<w:spacing w:after="{CONTACT_NAME_AFTER}"/>', rpr(bold=True)
    )
    # The address to type: at the body size, not underlined (an underline hides the _ of
    # iwc_static); a rule on its left and the link colour say it is the address.
    para_style(
        styles,
        "Address",
        "Address",
        "<w:pBdr>" + border("left", 1.5, ACCENT, space=4) + f'</w:pBdr><w:ind w:left="{INDENT.twips}"/>'
        f'<w:spacing w:before="0" w:after="{PARAGRAPH_AFTER}"/>',
        rpr(),
    )
    para_style(
        styles,
        "Caption",
        "caption",
        '<w:jc w:val="center"/><w:spacing w:after="0"/>',
        rpr(size=SMALL_PT, bold=False, color=TEXT),
    )


def _box_styles(styles: Any, body: float) -> None:
    """The personal box's lines: the name, the notes, the NUMEN boxes' text."""
    para_style(
        styles,
        "PersonName",
        "Person Name",
        f'<w:spacing w:after="{PERSON_NAME_AFTER}"/>',
        rpr(size=body + 1),
    )
    # A name of more than two lines (the longest a roster accepts), as the PDF sets it smaller.
    para_style(
        styles,
        "PersonNameLong",
        "Person Name Long",
        f'<w:spacing w:after="{PERSON_NAME_AFTER}"/>',
        rpr(size=SMALL_PT),
    )
    para_style(styles, "BoxNote", "Box Note", f'<w:spacing w:before="{PARAGRAPH_AFTER}" w:after="0"/>', rpr())
    para_style(
        styles,
        "HomonymNote",
        "Homonym Note",
        "<w:pBdr>" + border("left", 1, "000000", space=4) + "</w:pBdr>"
        f'<w:spacing w:before="{PARAGRAPH_AFTER}" w:after="0"/><w:ind w:left="120"/>',
        rpr(),
        based_on="BoxNote",
    )
    para_style(
        styles,
        "NUMENBox",
        "NUMEN Box",
        '<w:spacing w:before="0" w:after="0" w:line="240" w:lineRule="auto"/>',
        rpr(size=SMALL_PT),
    )


def _help_styles(styles: Any, body: float) -> None:
    # The help band: outlined, nothing filled (toner); the page's footer holds it.
    box = (
        "<w:pBdr>"
        + "".join(border(side, 0.75, ACCENT, space=6) for side in ("top", "left", "bottom", "right"))
        + "</w:pBdr>"
    )
    para_style(
        styles,
        "HelpHeading",
        "Help Heading",
        box
        + f'<w:keepNext/><w:spacing w:before="0" w:after="0"/><w:ind w:left="{HELP_PAD}" w:right="{HELP_PAD}"/>',
        rpr(size=body + 1),
        based_on="Heading2",
    )
    para_style(
        styles,
        "Help",
        "Help",
        box + f'<w:tabs><w:tab w:val="right" w:pos="{TEXT_W_TWIPS - 4 * HELP_PAD}"/></w:tabs>'
        f'<w:spacing w:before="0" w:after="0"/><w:ind w:left="{HELP_PAD}" w:right="{HELP_PAD}"/>',
        rpr(color=TEXT),
    )


def _character_styles(styles: Any, scale: float) -> None:
    """Links, the web address, the phone number, the identifier, bold words."""
    char_style(styles, "Hyperlink", "Hyperlink", rpr(color=ACCENT, underline=True))
    char_style(styles, "WebAddress", "Web Address", rpr(color=ACCENT))
    char_style(styles, "HelpPhone", "Help Phone", rpr(size=HELP_PHONE_PT, bold=True, color=TEXT))
    char_style(
        styles, "Identifier", "Identifier", rpr(size=half(IDENTIFIER_PT * scale), bold=True, color=ACCENT)
    )
    char_style(
        styles,
        "IdentifierLong",
        "Identifier Long",
        rpr(size=half(IDENTIFIER_LONG_PT * scale), bold=True, color=ACCENT),
    )
    # An identifier of more than two lines even so (the longest a roster accepts): the body size.
    char_style(
        styles, "IdentifierBody", "Identifier Body", rpr(size=half(BODY_PT * scale), bold=True, color=ACCENT)
    )
    char_style(styles, "Strong", "Strong", rpr(bold=True))


def _table_styles(styles: Any) -> None:
    """The personal box's frame, the NUMEN's boxes, and the borderless layout tables."""
    table_style(
        styles,
        "PersonalBoxTable",
        "Personal Box",
        "<w:tblBorders>"
        + "".join(border(s, 0.75, ACCENT, 0) for s in ("top", "left", "bottom", "right"))
        + "</w:tblBorders>",
        "",
        margins=BOX_MARGIN,
    )
    table_style(
        styles,
        "NUMENBoxes",
        "NUMEN Boxes",
        "<w:tblBorders>"
        + "".join(border(side, 0.75, "000000", 0) for side in ("top", "left", "bottom", "right", "insideV"))
        + "</w:tblBorders>",
        "",
        margins=(0, 0),
    )
    table_style(styles, "Layout", "Layout Table", "", "", margins=(0, 0))


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
            + rpr(bold=True, color=ACCENT)
            + "</w:lvl></w:abstractNum>"
        )
    )
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="1"><w:abstractNumId w:val="1"/></w:num>'))
