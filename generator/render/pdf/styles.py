"""The look of the PDF page: colours, page geometry, paragraph styles at each scale, text as markup."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import cast
from xml.sax.saxutils import escape, unescape

from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from ...sheet.blocks import Run
from ...sheet.fit import BODY_MAX, BODY_MIN
from .fonts import FALLBACK_FONT, FONT, FONT_BOLD, pieces

ACCENT = HexColor("#000091")  # 14.9:1 on white
FRAME_LINE = 0.6  # pt: the outlines of the personal box and the help band (no solid areas: toner)
# 12.6:1 on white: a touch lighter than black spends a tenth less toner, and a 50 % threshold
# photocopy still prints it black.
BLACK = HexColor("#333333")
# Rules between steps and box lines: black and thin, so that a photocopy at a 50 % threshold keeps
# them (a grey 0.6 pt line turned white there: at 150 dpi a line under 1.5 pixels wide may fall
# half on each of two rows, both then lighter than the threshold). Decoration only: never the
# only carrier of meaning.
RULE = HexColor("#000000")
RULE_LINE = 0.75  # pt

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm  # the title rule, the frames and the step numbers start here
TEXT_X = MARGIN_X + 12 * mm  # the one left edge of every text: headings, sentences, box, help
TEXT_RIGHT = TEXT_X + 140 * mm  # sentences stop here: lines of at most about 75 characters at 12 pt
MARGIN_TOP = 14 * mm
MARGIN_BOTTOM = 14 * mm
QR_SIZE = 37.6 * mm  # with its quiet zone: 37 modules + 8 → about 0.84 mm a module, 31 mm of code
QR_CODE_MIN = 30.5 * mm  # the modules alone (no quiet zone) are never narrower: phones scan from a desk
SMALLEST = 10.0  # no text on the page is smaller than this


def markup(runs: Iterable[Run]) -> str:
    """Paragraph markup from runs: every piece of text is escaped first."""
    return "".join(text(r.text, r.bold) for r in runs)


def text(value: str, bold: bool = False) -> str:
    """Data is text, never markup: escaped before it reaches Paragraph; letters Atkinson lacks in Noto Sans."""
    safe = "".join(
        escape(piece) if font == FONT else f'<font face="{FALLBACK_FONT}">{escape(piece)}</font>'
        for piece, font, _ in pieces(value)
    )
    return f"<b>{safe}</b>" if bold else safe


class Styles:
    def __init__(self, s: float) -> None:
        body = max(BODY_MIN, BODY_MAX * s)
        self.body_size = body
        lead = body * 1.32

        def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                fontName=kw.pop("font", FONT),
                fontSize=size,
                leading=leading,
                textColor=kw.pop("color", BLACK),
                splitLongWords=1,
                **kw,
            )

        self.audience = style("audience", max(SMALLEST, 11 * s), 14 * s, font=FONT_BOLD, color=ACCENT)
        self.title = style("title", 18 * s, 21.5 * s, font=FONT_BOLD, color=ACCENT)
        self.purpose = style("purpose", body, lead)
        self.heading = style("heading", body + 2 * s, (body + 2 * s) * 1.25, font=FONT_BOLD)
        self.body = style("body", body, lead, spaceBefore=0)
        self.small = style("small", SMALLEST, SMALLEST * 1.3)
        self.qr_label = style("qrlabel", SMALLEST, SMALLEST * 1.25, alignment=TA_CENTER)
        self.number = style(
            "number", body + 2 * s, body + 2, font=FONT_BOLD, color=ACCENT, alignment=TA_CENTER
        )
        self.box_head = style("boxhead", body, body * 1.25, font=FONT_BOLD, color=ACCENT)
        self.box_name = style("boxname", body + 1, (body + 1) * 1.25)
        self.box_label = style("boxlabel", body, lead)
        self.box_id = style("boxid", 20 * s, 24 * s, font=FONT_BOLD, color=ACCENT)
        self.help_label = style("helplabel", body + 1, (body + 1) * 1.3, font=FONT_BOLD, color=ACCENT)
        self.help_hours = style("helphours", body, lead)
        # Black on white, 24 pt or more whatever the rung: the number people dial.
        phone = 24.0
        self.help_phone = style("helpphone", phone, phone * 1.15, font=FONT_BOLD)


@lru_cache(maxsize=16)
def styles_at(scale: float) -> Styles:
    return Styles(scale)


def plain_text(markup_text: str) -> str:
    """The text of markup built by ``text``/``markup`` (escaped text in <b>, <font>, <br/>)."""
    return unescape(re.sub(r"<[^>]+>", "", markup_text.replace("<br/>", " ")))


def frame_height(st: Styles) -> float:
    """Room for the heading, a name and the identifier, or the NUMEN's label, boxes and note if taller.

    The managing office is named in step 1 (a longer box, for a homonym's
    note or a long name, is measured by its own lines).
    """
    pad = 3 * mm
    left = st.box_head.leading + st.box_name.leading + st.box_id.leading + 1.8 * mm
    right = 2 * st.box_label.fontSize * 1.25 + 8 * mm + 3.5 * mm  # label, boxes (8 mm), note
    return cast(float, 2 * pad + max(left, right))
