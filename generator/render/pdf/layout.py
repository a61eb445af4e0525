"""The PDF page laid out: blocks placed from the top of the page down, each with its structure tag.

``layout(page, personal)`` climbs down the fit ladder (sheet/fit.py) and
returns the largest type at which the page holds on one A4 sheet; the
spare room goes between the steps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from . import reportlab_internals as internals
from .fonts import FONT
from .styles import ACCENT, BLACK, MARGIN_TOP, PAGE_H, Styles, plain_text


@dataclass
class Block:
    """One thing drawn at a fixed place: a paragraph, a shape, a QR code."""

    x: float
    y: float  # bottom of the block, in points from the bottom of the page
    draw: Callable[[Canvas], None]
    tag: str  # structure tag, or "Artifact" for decoration
    parent: tuple[str, ...] = ()  # structure path, e.g. ("L", "LI:2", "LBody")
    alt: str = ""
    link: tuple[str, tuple[float, float, float, float]] | None = None  # url, rect
    actual_text: str = ""
    shared: bool = False  # the same on every personal sheet of its layout (the print file's form draws it)


@dataclass(eq=False)  # compared and hashed as itself: the PDF writer keys what it prepares by its layouts
class Layout:
    scale: float
    body: float
    blocks: list[Block] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None  # personal box x, y, w, h
    free: float = 0.0  # points left between the content and the help band


def paragraph_drawer(p: Paragraph, x: float, y: float) -> Callable[[Canvas], None]:
    """A block's draw function: the wrapped paragraph at its place."""

    def draw(c: Canvas) -> None:
        p.drawOn(c, x, y)

    return draw


def text_drawer(pieces: list[tuple[str, str]], x: float, y: float, size: float) -> Callable[[Canvas], None]:
    """Draws already drawable text pieces, each in its font, one after the other on a baseline."""

    def draw(c: Canvas) -> None:
        t = c.beginText(x, y)
        t.setFillColor(BLACK)
        for piece, font_name in pieces:
            t.setFont(font_name, size)
            t.textOut(piece)
        c.drawText(t)

    return draw


def link_drawer(shown: str, x: float, y: float, size: float) -> Callable[[Canvas], None]:
    """A link's text in the accent colour, underlined: shown by more than its colour."""
    width = pdfmetrics.stringWidth(shown, FONT, size)

    def draw(c: Canvas) -> None:
        c.setFillColor(ACCENT)
        c.setFont(FONT, size)
        c.drawString(x, y, shown)
        c.setStrokeColor(ACCENT)
        c.setLineWidth(0.5)
        c.line(x, y - 1.6, x + width, y - 1.6)

    return draw


def url_lines(url: str, size: float, width: float) -> list[str]:
    """An address cut into lines at most ``width`` wide, only after / ? & (never inside a word)."""
    tokens = [t for t in re.split(r"(?<=[/?&])", url) if t]
    lines = [""]
    for token in tokens:
        if lines[-1] and pdfmetrics.stringWidth(lines[-1] + token, FONT, size) > width:
            lines.append("")
        lines[-1] += token
    return lines


def url_line_drawer(line: str, x: float, y: float, size: float) -> Callable[[Canvas], None]:
    """One line of an address in the accent colour, underlined, the underline broken around each ``_``.

    An underline through the underscores of ``iwc_static`` hides them: the
    reader would type a space. The gaps leave each underscore standing alone.
    """
    under = y - 0.14 * size
    gap = 0.6
    segments: list[tuple[float, float]] = []
    start = x
    for match in re.finditer("_+", line):
        left = x + pdfmetrics.stringWidth(line[: match.start()], FONT, size)
        right = x + pdfmetrics.stringWidth(line[: match.end()], FONT, size)
        segments.append((start, left - gap))
        start = right + gap
    segments.append((start, x + pdfmetrics.stringWidth(line, FONT, size)))

    def draw(c: Canvas) -> None:
        c.setFillColor(ACCENT)
        c.setFont(FONT, size)
        c.drawString(x, y, line)
        c.setStrokeColor(ACCENT)
        c.setLineWidth(0.6)
        for a, b in segments:
            if b > a:
                c.line(a, under, b, under)

    return draw


def wrapped(markup_text: str, style: ParagraphStyle, width: float) -> tuple[Paragraph, float]:
    p = Paragraph(markup_text, style)
    _w, h = p.wrap(width, PAGE_H)
    return p, h


class BlockPlacer:
    """Places blocks from the top of the page down; the page's own parts are in page.py."""

    def __init__(self, scale: float, styles: Styles) -> None:
        self.scale = scale
        self.styles = styles
        self.layout = Layout(scale=scale, body=styles.body_size)
        self.y = PAGE_H - MARGIN_TOP

    def add(self, x: float, y: float, draw: Callable[[Canvas], None], tag: str, **kw: object) -> None:
        self.layout.blocks.append(Block(x, y, draw, tag, **kw))  # type: ignore[arg-type]

    def para(
        self,
        markup_text: str,
        style: ParagraphStyle,
        x: float,
        width: float,
        tag: str = "P",
        gap_after: float = 0.0,
        **kw: object,
    ) -> float:
        p, h = wrapped(markup_text, style, width)
        self.y -= h
        y = self.y
        if internals.wrapped_line_count(p) > 1:
            # Wrapped lines carry no space between them in the page: the
            # structure element says the sentence whole, for screen readers.
            kw.setdefault("actual_text", plain_text(markup_text))
        self.add(x, y, paragraph_drawer(p, x, y), tag, **kw)
        self.y -= gap_after
        return h
