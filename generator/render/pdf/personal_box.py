"""The person's own lines inside the frame of the PDF personal box, set from spans of plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ...sheet.blocks import PersonalBox
from .fonts import FONT, FONT_BOLD, pieces
from .layout import Block, Layout
from .styles import ACCENT, BLACK, SMALLEST, TEXT_X, styles_at

NUMEN_BOXES = 13  # one box a character of the NUMEN
NUMEN_BOX_W = 5 * mm
NUMEN_BOX_H = 6.5 * mm


@dataclass(frozen=True)
class Span:
    """A run of text in one font, size and colour (the personal box is set from spans).

    ``line_size`` is the size the line is set at: a letter drawn in the
    fallback font is smaller (its capitals match the main font's), but its
    line keeps the height of the main font's.
    """

    text: str
    font: str = FONT
    size: float = SMALLEST
    color: Color = BLACK
    line_size: float = 0.0


def _with_text(span: Span, text: str) -> Span:
    """The span holding ``text`` instead (``dataclasses.replace`` costs five times as much)."""
    return Span(text, span.font, span.size, span.color, span.line_size)


def _width(spans: list[Span], strip: bool = False) -> float:
    total = sum(pdfmetrics.stringWidth(s.text, s.font, s.size) for s in spans[:-1])
    if spans:
        last = spans[-1]
        total += pdfmetrics.stringWidth(last.text.rstrip() if strip else last.text, last.font, last.size)
    return total


def _in_fonts(spans: list[Span]) -> list[Span]:
    """Each span cut where its letters need the fallback font (raises RenderError for a letter in no font)."""
    out = []
    for span in spans:
        for text, font, factor in pieces(span.text, span.font):
            out.append(Span(text, font, span.size * factor, span.color, span.size))
    return out


def _cut(token: list[Span], width: float) -> tuple[list[Span], list[Span]]:
    """The longest head of an overlong word that fits ``width`` (one character at least), and the rest."""
    chars = [(span, ch) for span in token for ch in span.text]
    n = len(chars) - 1
    while n > 1 and _width(_join(chars[:n])) > width:
        n -= 1
    return _join(chars[:n]), _join(chars[n:])


def _join(chars: list[tuple[Span, str]]) -> list[Span]:
    spans: list[Span] = []
    for span, ch in chars:
        if (
            spans
            and spans[-1].font == span.font
            and spans[-1].size == span.size
            and spans[-1].color == span.color
        ):
            spans[-1] = _with_text(spans[-1], spans[-1].text + ch)
        else:
            spans.append(_with_text(span, ch))
    return spans


def _wrap(spans: list[Span], width: float) -> list[list[Span]]:
    """Lines of spans, broken after spaces and hyphens only.

    The person's lines are set here rather than with Paragraph: a name is
    plain text, and parsing markup for every sheet cost more than drawing
    it. A word may change font inside (a letter only the fallback font
    has): words are measured whole, across spans. A name or identifier is
    cut mid-word only when one word is wider than the line
    (``beauvill/iers`` invites typing errors).
    """
    words: list[list[Span]] = [[]]
    for span in _in_fonts(spans):
        for bit in re.split(r"(?<=[ -])", span.text):
            if bit:
                words[-1].append(_with_text(span, bit))
                if bit[-1] in " -":
                    words.append([])
    lines: list[list[Span]] = [[]]
    x = 0.0
    for word in words:
        if not word:
            continue
        if x > 0 and x + _width(word, strip=True) > width:
            lines.append([])
            x = 0.0
        while sum(len(s.text) for s in word) > 1 and _width(word, strip=True) > width:
            head, word = _cut(word, width)
            lines[-1].extend(head)
            lines.append([])
        lines[-1].extend(word)
        x = _width(lines[-1])
    return [line for line in lines if line]


@lru_cache(maxsize=64)
def _wrapped(text: str, font: str, size: float, color: Color, width: float) -> list[list[Span]]:
    """``_wrap`` of one span, remembered: labels, notes and office names recur on every sheet.

    The lines returned are shared: read them, never change them.
    """
    return _wrap([Span(text, font, size, color)], width)


def _line_size(line: list[Span]) -> float:
    return max(s.line_size or s.size for s in line)


def _spans_height(lines: list[list[Span]]) -> float:
    return sum(_line_size(line) * 1.25 for line in lines)


def _runs(line: list[Span]) -> list[Span]:
    """The line's spans with neighbours of the same font, size and colour joined (its last space dropped).

    Wrapping cuts a line into words; drawn word by word, every word
    repeated its font and colour. One text operator per run makes each
    sheet's page smaller and quicker to write.
    """
    runs: list[Span] = []
    for span in line:
        last = runs[-1] if runs else None
        if last is not None and (last.font, last.size, last.color) == (span.font, span.size, span.color):
            runs[-1] = _with_text(last, last.text + span.text)
        else:
            runs.append(span)
    if runs:
        runs[-1] = _with_text(runs[-1], runs[-1].text.rstrip())
    return runs


def _spans_drawer(lines: list[list[Span]], x: float, y_top: float) -> Callable[[Canvas], None]:
    runs = [_runs(line) for line in lines]
    sizes = [_line_size(line) for line in lines]

    def draw(c: Canvas) -> None:
        top = y_top
        for line, size in zip(runs, sizes, strict=True):
            t = c.beginText(x, top - size * 0.95)
            font: tuple[str, float] | None = None
            color: Color | None = None
            for span in line:
                if (span.font, span.size) != font:
                    font = (span.font, span.size)
                    t.setFont(span.font, span.size)
                if span.color != color:
                    color = span.color
                    t.setFillColor(span.color)
                t.textOut(span.text)
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


def _whole_on_last_line(lines: list[list[Span]], identifier: str) -> bool:
    """The identifier stands whole on the last line (never broken over two)."""
    return identifier in "".join(span.text for span in lines[-1]) and not any(
        span.font == FONT_BOLD for line in lines[:-1] for span in line
    )


def box_blocks(page_layout: Layout, box: PersonalBox) -> tuple[list[Block], float]:
    """The person's own lines inside the frame of the personal box, and the height they need.

    Every line starts at the page's one text edge (TEXT_X); the NUMEN's
    13 boxes stand on the right.
    """
    assert page_layout.box is not None
    x0, y0, w, h = page_layout.box
    st = styles_at(page_layout.scale)
    pad = 3 * mm
    right_w = NUMEN_BOXES * NUMEN_BOX_W
    rx = x0 + w - pad - right_w
    left_w = rx - 6 * mm - TEXT_X
    blocks: list[Block] = []

    def put(lines: list[list[Span]], x: float, y_top: float, tag: str = "P", shared: bool = False) -> float:
        height = _spans_height(lines)
        said = " ".join("".join(s.text for s in line).strip() for line in lines) if len(lines) > 1 else ""
        drawer = _spans_drawer(lines, x, y_top)
        blocks.append(Block(x, y_top - height, drawer, tag, parent=("Box",), actual_text=said, shared=shared))
        return y_top - height

    body = st.box_label.fontSize
    heading = (box.labels.heading, FONT_BOLD, st.box_head.fontSize, ACCENT)
    top = put(_wrapped(*heading, left_w), TEXT_X, y0 + h - pad, tag="H2", shared=True) - 0.6 * mm

    def name_at(size: float) -> list[Span]:
        spans = [Span(box.first_name + " ", FONT, size), Span(box.family_name, FONT_BOLD, size)]
        return spans + ([Span(" " + box.birth_name, FONT, size)] if box.birth_name else [])

    y = put(_fit_one_line(name_at, left_w, st.box_name.fontSize, SMALLEST), TEXT_X, top)

    def ident_at(size: float) -> list[Span]:
        return [
            Span(box.label + " ", FONT, body),
            Span(box.identifier, FONT_BOLD, size, ACCENT),
        ]

    lines = _fit_one_line(ident_at, left_w, st.box_id.fontSize, 15)
    if len(lines) > 1 and _whole_on_last_line(lines, box.identifier):
        pass  # a long label wrapped, the identifier whole after it ("… service) : mdupont")
    elif len(lines) > 1:
        # Too long for the label's line: the identifier gets lines of its own,
        # still in large type, broken only after its hyphens.
        lines = _wrapped(box.label, FONT, body, BLACK, left_w) + _wrap(
            [Span(box.identifier, FONT_BOLD, 15, ACCENT)], left_w
        )
    y = put(lines, TEXT_X, y - 1.2 * mm)

    right_start = len(blocks)
    # The NUMEN column is the same for everyone: the print file draws it once, in its form.
    ry = put(_wrapped(box.labels.numen_label, FONT_BOLD, body, BLACK, right_w), rx, y0 + h - pad, shared=True)
    boxes_top = ry - 2 * mm
    boxes_y = boxes_top - NUMEN_BOX_H

    def numen_boxes(c: Canvas) -> None:
        c.setStrokeColor(BLACK)
        c.setLineWidth(0.6)
        for i in range(NUMEN_BOXES):
            c.rect(rx + i * NUMEN_BOX_W, boxes_y, NUMEN_BOX_W, NUMEN_BOX_H, stroke=1, fill=0)

    blocks.append(Block(rx, boxes_y, numen_boxes, "Artifact", shared=True))
    note = _wrapped(box.labels.numen_note, FONT_BOLD, body, BLACK, right_w)
    right_bottom = put(note, rx, boxes_y - 1.5 * mm, shared=True)
    right = blocks[right_start:]
    del blocks[right_start:]

    def width_at(top: float, x: float) -> float:
        """Lines below the NUMEN column may run the box's whole width."""
        return (x0 + w - pad - x) if top < right_bottom - 1 * mm else (rx - 6 * mm - x)

    if box.homonym_note:
        # Said in words ("Homonyme : …"), and marked by a rule on its left.
        note_x, note_top = TEXT_X + 3 * mm, y - 1.6 * mm
        spans = [Span(run.text, FONT_BOLD if run.bold else FONT, body) for run in box.homonym_paragraph]
        y = put(_wrap(spans, width_at(note_top, note_x)), note_x, note_top)

        def bar(c: Canvas, top: float = note_top, bottom: float = y) -> None:
            c.setStrokeColor(BLACK)
            c.setLineWidth(2)
            c.line(TEXT_X + 0.5 * mm, bottom + 0.6 * mm, TEXT_X + 0.5 * mm, top - 0.6 * mm)

        blocks.append(Block(TEXT_X, y, bar, "Artifact"))
    if box.manager:
        top = y - 1.6 * mm
        y = put(_wrapped(box.manager, FONT, body, BLACK, width_at(top, TEXT_X)), TEXT_X, top)
    blocks.extend(right)  # read after the person's lines, as the eye meets them
    lowest = min(block.y for block in blocks)
    return blocks, (y0 + h) - lowest + pad
