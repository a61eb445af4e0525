"""The look of the PDF page: colours, page geometry, paragraph styles at each scale, text as markup."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from xml.sax.saxutils import escape, unescape

from reportlab.lib.colors import HexColor, white
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm

from ...sheet.blocks import Run
from ...sheet.fit import BODY_MAX, BODY_MIN
from .fonts import FONT, FONT_BOLD, drawable

ACCENT = HexColor("#000091")  # 14.9:1 on white; white on it is the same
BLACK = HexColor("#161616")  # 17.7:1 on white
RULE = HexColor("#8a8a8a")  # decoration only: never the only carrier of meaning

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 14 * mm
MARGIN_BOTTOM = 14 * mm
QR_SIZE = 38 * mm  # with its quiet zone: 37 modules + 8 → about 0.84 mm a module
SMALLEST = 10.0  # no text on the page is smaller than this


def markup(runs: Iterable[Run]) -> str:
    """Paragraph markup from runs: every piece of text is escaped first."""
    return "".join(text(r.text, r.bold) for r in runs)


def text(value: str, bold: bool = False) -> str:
    """Data is text, never markup: escaped before it reaches Paragraph."""
    safe = escape(drawable(value))
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
            )  # type: ignore[arg-type]

        self.audience = style("audience", max(SMALLEST, 11 * s), 14 * s, font=FONT_BOLD, color=ACCENT)
        self.title = style("title", 22 * s, 25.5 * s, font=FONT_BOLD, color=ACCENT)
        self.purpose = style("purpose", body, lead)
        self.heading = style("heading", body + 2.5 * s, (body + 2.5 * s) * 1.25, font=FONT_BOLD)
        self.body = style("body", body, lead, spaceBefore=0)
        self.small = style("small", SMALLEST, SMALLEST * 1.3)
        self.url = style("url", SMALLEST, SMALLEST * 1.3, color=ACCENT)
        self.qr_label = style("qrlabel", SMALLEST, SMALLEST * 1.25, alignment=TA_CENTER)
        self.number = style(
            "number", body + 2 * s, body + 2, font=FONT_BOLD, color=white, alignment=TA_CENTER
        )
        self.box_head = style(
            "boxhead", SMALLEST + 0.5, (SMALLEST + 0.5) * 1.25, font=FONT_BOLD, color=ACCENT
        )
        self.box_name = style("boxname", body + 1, (body + 1) * 1.3)
        self.box_label = style("boxlabel", body, lead)
        self.box_id = style("boxid", 20 * s, 24 * s, font=FONT_BOLD, color=ACCENT)
        self.help_label = style("helplabel", body + 1, (body + 1) * 1.3, font=FONT_BOLD, color=white)
        self.help_hours = style("helphours", body, lead, color=white)
        self.help_phone = style("helpphone", 24 * s, 28 * s, font=FONT_BOLD, color=white)


@lru_cache(maxsize=16)
def styles_at(scale: float) -> Styles:
    return Styles(scale)


def plain_text(markup_text: str) -> str:
    """The text of markup built by ``text``/``markup`` (escaped text in <b>, <font>, <br/>)."""
    return unescape(re.sub(r"<[^>]+>", "", markup_text.replace("<br/>", " ")))


def frame_height(st: Styles) -> float:
    """Room for a name, the identifier, a two-line note and the managing office."""
    pad = 4.5 * mm
    return (
        2 * pad
        + st.box_head.leading
        + st.box_name.leading
        + st.box_id.leading
        + 3 * st.small.leading
        + 4.2 * mm
    )
