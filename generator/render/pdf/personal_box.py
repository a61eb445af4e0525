"""The person's own lines inside the frame of the PDF personal box, set from spans of plain text."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import cast

from reportlab.lib.colors import Color
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ...sheet.blocks import NumenBoxes, PersonalBox
from .fonts import FONT, FONT_BOLD, pieces
from .layout import Block, Layout
from .styles import ACCENT, BLACK, RULE_LINE, SMALLEST, TEXT_RIGHT, TEXT_X, styles_at


def numen_box_xs(boxes: NumenBoxes, x: float) -> list[float]:
    """The left edge of each of the NUMEN's boxes (the sheet says their groups), starting at ``x``."""
    return [x + left * mm for left in boxes.lefts_mm()]


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
    return cast(float, total)


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
            x = 0.0
        lines[-1].extend(word)
        # The line's width span by span, in the order _width adds them (same sum): measuring the whole
        # line again after each word made a long note (a homonym's) quadratic.
        for span in word:
            x += pdfmetrics.stringWidth(span.text, span.font, span.size)
    return [line for line in lines if line]


@lru_cache(maxsize=64)
def _wrapped(text: str, font: str, size: float, color: Color, width: float) -> list[list[Span]]:
    """``_wrap`` of one span, remembered: labels, notes and office names recur on every sheet.

    The lines returned are shared: read them, never change them.
    """
    return _wrap([Span(text, font, size, color)], width)


@lru_cache(maxsize=64)
def _note_lines(runs: tuple[tuple[str, bool], ...], size: float, width: float) -> list[list[Span]]:
    """A note's runs (text, bold) wrapped, remembered: every homonym sheet of a run has the same note.

    The lines returned are shared: read them, never change them.
    """
    return _wrap([Span(text, FONT_BOLD if bold else FONT, size) for text, bold in runs], width)


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


class _BoxSetter:
    """Sets the person's lines inside the frame, from the top; the NUMEN column stands on the right."""

    def __init__(self, page_layout: Layout, box: PersonalBox) -> None:
        assert page_layout.box is not None
        self.x0, self.y0, self.w, self.h = page_layout.box
        self.st = styles_at(page_layout.scale)
        self.box = box
        self.pad: float = 3 * mm
        self.numen_w: float = box.labels.numen_boxes.total_mm * mm
        self.rx: float = self.x0 + self.w - self.pad - self.numen_w
        self.left_w = self.rx - 6 * mm - TEXT_X
        self.body = self.st.box_label.fontSize
        self.blocks: list[Block] = []
        self.right_bottom = self.y0 + self.h  # lowered once the NUMEN column is set

    def put(
        self, lines: list[list[Span]], x: float, y_top: float, tag: str = "P", shared: bool = False
    ) -> float:
        height = _spans_height(lines)
        said = " ".join("".join(s.text for s in line).strip() for line in lines) if len(lines) > 1 else ""
        drawer = _spans_drawer(lines, x, y_top)
        self.blocks.append(
            Block(x, y_top - height, drawer, tag, parent=("Box",), actual_text=said, shared=shared)
        )
        return y_top - height

    def width_at(self, top: float, x: float) -> float:
        """Lines below the NUMEN column may run the box's whole width."""
        if top < self.right_bottom - 1 * mm:
            return self.x0 + self.w - self.pad - x
        return cast(float, self.rx - 6 * mm - x)

    def name(self, top: float) -> float:
        """The name at its own size, wrapped: a long name makes the box taller.

        Only a name of more than two lines (the longest a roster accepts) is set smaller.
        """
        box = self.box

        def name_at(size: float) -> list[Span]:
            spans = [Span(box.first_name + " ", FONT, size), Span(box.family_name, FONT_BOLD, size)]
            return spans + ([Span(" " + box.birth_name, FONT, size)] if box.birth_name else [])

        lines = _wrap(name_at(self.st.box_name.fontSize), self.left_w)
        if len(lines) > 2:
            lines = _fit_one_line(name_at, self.left_w, self.st.box_name.fontSize, SMALLEST)
        return self.put(lines, TEXT_X, top)

    def identifier(self, top: float) -> float:
        """The label, then the identifier whole: on the label's line, else on a line of its own.

        The identifier is one unit (never broken at its hyphens): on a line
        of its own it may run below the NUMEN column, the box's whole width,
        and only an identifier wider than that is set smaller.
        """
        box, size = self.box, self.st.box_id.fontSize
        label = Span(box.label + " ", FONT, self.body)
        ident = Span(box.identifier, FONT_BOLD, size, ACCENT)
        if _width([label, ident], strip=True) <= self.width_at(top, TEXT_X):
            return self.put([[label, ident]], TEXT_X, top)
        y = self.put(_wrapped(box.label, FONT, self.body, BLACK, self.left_w), TEXT_X, top)
        width = self.width_at(y - 0.5 * mm, TEXT_X)
        if _width([ident]) > width:
            width = self.x0 + self.w - self.pad - TEXT_X
            y = min(y, self.right_bottom - 1.5 * mm)  # below the NUMEN column
        lines = _fit_one_line(lambda s: [Span(box.identifier, FONT_BOLD, s, ACCENT)], width, size, 12)
        return self.put(lines, TEXT_X, y - 0.5 * mm)

    def numen(self) -> list[Block]:
        """The NUMEN column, the same for everyone (the print file draws it once, in its form)."""
        start = len(self.blocks)
        labels, rx, width = self.box.labels, self.rx, self.numen_w
        grid = labels.numen_boxes
        top = self.y0 + self.h - self.pad
        ry = self.put(_wrapped(labels.numen_label, FONT_BOLD, self.body, BLACK, width), rx, top, shared=True)
        boxes_y = ry - 2 * mm - grid.height_mm * mm

        def numen_boxes(c: Canvas) -> None:
            c.setStrokeColor(BLACK)
            c.setLineWidth(RULE_LINE)
            for bx in numen_box_xs(grid, rx):
                c.rect(bx, boxes_y, grid.width_mm * mm, grid.height_mm * mm, stroke=1, fill=0)

        self.blocks.append(Block(rx, boxes_y, numen_boxes, "Artifact", shared=True))
        note = _wrapped(labels.numen_note, FONT_BOLD, self.body, BLACK, width)
        self.right_bottom = self.put(note, rx, boxes_y - 1.5 * mm, shared=True)
        right = self.blocks[start:]
        del self.blocks[start:]
        return right

    def homonym(self, y: float) -> float:
        """Said in words ("Homonyme : …"), and marked by a rule on its left."""
        note_x, note_top = TEXT_X + 3 * mm, y - 1.6 * mm
        # Prose keeps the page's measure (about 75 characters), even below the NUMEN column.
        width = min(self.width_at(note_top, note_x), TEXT_RIGHT - note_x)
        runs = tuple((run.text, run.bold) for run in self.box.homonym_paragraph)
        bottom = self.put(_note_lines(runs, self.body, width), note_x, note_top)

        def bar(c: Canvas, top: float = note_top) -> None:
            c.setStrokeColor(BLACK)
            c.setLineWidth(2)
            c.line(TEXT_X + 0.5 * mm, bottom + 0.6 * mm, TEXT_X + 0.5 * mm, top - 0.6 * mm)

        self.blocks.append(Block(TEXT_X, bottom, bar, "Artifact"))
        return bottom


def box_blocks(page_layout: Layout, box: PersonalBox) -> tuple[list[Block], float]:
    """The person's own lines inside the frame of the personal box, and the height they need.

    Every line starts at the page's one text edge (TEXT_X); the NUMEN's
    13 boxes stand on the right.
    """
    setter = _BoxSetter(page_layout, box)
    st = setter.st
    heading = (box.labels.heading, FONT_BOLD, st.box_head.fontSize, ACCENT)
    top = setter.y0 + setter.h - setter.pad
    y = setter.put(_wrapped(*heading, setter.left_w), TEXT_X, top, tag="H2", shared=True) - 0.6 * mm
    right = setter.numen()
    y = setter.name(y)
    y = setter.identifier(y - 1.2 * mm)
    if box.homonym_note:
        y = setter.homonym(y)
    if box.manager:
        top = y - 1.6 * mm
        lines = _wrapped(box.manager, FONT, setter.body, BLACK, setter.width_at(top, TEXT_X))
        y = setter.put(lines, TEXT_X, top)
    blocks = setter.blocks + right  # read after the person's lines, as the eye meets them
    lowest = min(block.y for block in blocks)
    return blocks, (setter.y0 + setter.h) - lowest + setter.pad
