"""The person's own lines inside the frame of the PDF personal box, set from spans of plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ...sheet.blocks import PersonalBox
from .fonts import FONT, FONT_BOLD, drawable
from .layout import Block, Layout
from .styles import ACCENT, BLACK, SMALLEST, styles_at


@dataclass(frozen=True)
class Span:
    """A run of text in one font, size and colour (the personal box is set from spans)."""

    text: str
    font: str = FONT
    size: float = SMALLEST
    color: Color = BLACK


def _wrap(spans: list[Span], width: float) -> list[list[Span]]:
    """Lines of spans, broken after spaces and hyphens only.

    The person's lines are set here rather than with Paragraph: a name is
    plain text, and parsing markup for every sheet cost more than drawing
    it. A name or identifier is cut mid-word only when one word is wider
    than the line (``beauvill/iers`` invites typing errors).
    """
    lines: list[list[Span]] = [[]]
    x = 0.0
    for span in spans:
        for token in re.split(r"(?<=[ -])", drawable(span.text)):
            if not token:
                continue
            if x > 0 and x + pdfmetrics.stringWidth(token.rstrip(), span.font, span.size) > width:
                lines.append([])
                x = 0.0
            while len(token) > 1 and pdfmetrics.stringWidth(token.rstrip(), span.font, span.size) > width:
                cut = len(token) - 1
                while cut > 1 and pdfmetrics.stringWidth(token[:cut], span.font, span.size) > width:
                    cut -= 1
                lines[-1].append(replace(span, text=token[:cut]))
                lines.append([])
                token = token[cut:]
            lines[-1].append(replace(span, text=token))
            x += pdfmetrics.stringWidth(token, span.font, span.size)
    return [line for line in lines if line]


def _spans_height(lines: list[list[Span]]) -> float:
    return sum(max(s.size for s in line) * 1.25 for line in lines)


def _spans_drawer(lines: list[list[Span]], x: float, y_top: float) -> Callable[[Canvas], None]:
    def draw(c: Canvas) -> None:
        top = y_top
        for line in lines:
            size = max(s.size for s in line)
            t = c.beginText(x, top - size * 0.95)
            for span in line:
                t.setFont(span.font, span.size)
                t.setFillColor(span.color)
                t.textOut(span.text.rstrip() if span is line[-1] else span.text)
            c.drawText(t)
            top -= size * 1.25

    return draw


def _fit_one_line(
    make: Callable[[float], list[Span]], width: float, start: float, smallest: float
) -> list[list[Span]]:
    """Shrink the type from ``start`` (not below ``smallest``) until the spans hold on one line."""
    size = start
    while True:
        lines = _wrap(make(size), width)
        if len(lines) <= 1 or size <= smallest:
            return lines
        size = max(smallest, size - 1)


def box_blocks(page_layout: Layout, box: PersonalBox) -> tuple[list[Block], float]:
    """The person's own lines inside the frame of the personal box, and the height they need."""
    assert page_layout.box is not None
    x0, y0, w, h = page_layout.box
    st = styles_at(page_layout.scale)
    pad = 4.5 * mm
    right_w = 56 * mm
    left_w = w - right_w - 3 * pad
    blocks: list[Block] = []

    def put(lines: list[list[Span]], x: float, y_top: float, tag: str = "P") -> float:
        height = _spans_height(lines)
        said = " ".join("".join(s.text for s in line).strip() for line in lines) if len(lines) > 1 else ""
        blocks.append(
            Block(x, y_top - height, _spans_drawer(lines, x, y_top), tag, parent=("Box",), actual_text=said)
        )
        return y_top - height

    body, small = st.box_label.fontSize, SMALLEST
    heading = [Span(box.labels.heading, FONT_BOLD, st.box_head.fontSize, ACCENT)]
    top = put(_wrap(heading, left_w), x0 + pad, y0 + h - pad, tag="H2") - 0.6 * mm

    def name_at(size: float) -> list[Span]:
        spans = [Span(box.first_name + " ", FONT, size), Span(box.family_name, FONT_BOLD, size)]
        return spans + ([Span(" " + box.birth_name, FONT, size)] if box.birth_name else [])

    y = put(_fit_one_line(name_at, left_w, st.box_name.fontSize, SMALLEST), x0 + pad, top)

    def ident_at(size: float) -> list[Span]:
        return [
            Span(box.labels.identifier_label + " ", FONT, body),
            Span(box.identifier, FONT_BOLD, size, ACCENT),
        ]

    lines = _fit_one_line(ident_at, left_w, st.box_id.fontSize, 15)
    if len(lines) > 1:
        # Too long for the label's line: the identifier gets lines of its own,
        # still in large type, broken only after its hyphens.
        lines = _wrap([Span(box.labels.identifier_label, FONT, body)], left_w) + _wrap(
            [Span(box.identifier, FONT_BOLD, 15, ACCENT)], left_w
        )
    y = put(lines, x0 + pad, y - 1.2 * mm)
    y = put(_wrap([Span(box.homonym_note, FONT, small)], left_w), x0 + pad, y - 1.2 * mm)
    if box.manager:
        put(_wrap([Span(box.manager, FONT, small)], left_w), x0 + pad, y - 1.2 * mm)

    rx = x0 + w - pad - right_w
    ry = put(_wrap([Span(box.labels.numen_label, FONT_BOLD, body)], right_w), rx, y0 + h - pad)
    line_y = ry - 11 * mm

    def write_line(c: Canvas) -> None:
        c.setStrokeColor(BLACK)
        c.setLineWidth(0.8)
        c.line(rx, line_y, rx + right_w, line_y)

    blocks.append(Block(rx, line_y, write_line, "Artifact"))
    put(_wrap([Span(box.labels.numen_note, FONT_BOLD, small)], right_w), rx, line_y - 1.5 * mm)
    lowest = min(block.y for block in blocks)
    return blocks, (y0 + h) - lowest + pad
