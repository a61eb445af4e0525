"""The DOCX measure: how tall a sheet will stand in a word processor, estimated from look.py.

A DOCX is laid out by whoever opens it, so its height is estimated with a
word-wrap in Arial's widths, from the same sizes and spacing the styles
write (look.py). Calibrated against LibreOffice (tests/test_render_docx.py
prints documents near the limit): on the wide side, so that an estimate
under PAGE_CAPACITY means one printed page.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib.resources import files

from ...sheet.blocks import BoxLabels, Page, PersonalBox, StepBlock, plain
from .look import (
    BODY_PT,
    BOX_MARGIN,
    CONTACT_SEPARATOR,
    EMAIL_SEPARATOR,
    HEADING_BEFORE,
    HEADING_PT,
    HEADING_RULE_SPACE,
    HELP_BAND_MM,
    HELP_PAD,
    HELP_PHONE_PT,
    IDENTIFIER_LONG_PT,
    IDENTIFIER_PT,
    INDENT,
    LARGE_IDENTIFIER_MAX,
    NUMEN_BOXES_BEFORE,
    PARAGRAPH_AFTER,
    PERSON_NAME_AFTER,
    PT_PER_MM,
    QR_COLUMN_MM,
    QR_WIDTH_MM,
    SMALL_PT,
    SUBTITLE_AFTER,
    SUBTITLE_BEFORE,
    TEXT_W,
    TITLE_BAR_SPACE,
    TITLE_INDENT,
    TITLE_PT,
    box_text_widths,
)

_AFTER = PARAGRAPH_AFTER / 20  # pt after a paragraph
_STEP_TOP = HEADING_BEFORE / 20 + HEADING_RULE_SPACE  # pt above a step's heading: its spacing and its rule

# Advance widths of Arial (the same as Helvetica and Liberation Sans), in
# thousandths of an em, for the characters of Latin names: enough to know
# where Word and LibreOffice will wrap a line.
_WIDTHS = json.loads(files("generator.render.docx").joinpath("arial_widths.json").read_text(encoding="utf-8"))
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


class _Widths(dict[str, int]):
    """Every character's width in one font style: the table's, else its base letter's, else 600."""

    def __init__(self, table: dict[str, int]) -> None:
        super().__init__(table)
        self._table = table

    def __missing__(self, ch: str) -> int:
        width = _char_width(ch, self._table)
        if len(self) < _CACHED_WIDTHS:
            self[ch] = width
        return width


_CACHED_WIDTHS = 4096  # characters remembered; rarer ones are still measured, one lookup each
# Looked up in C (``map``): widths are integers, so the sum is the same in any order.
_STYLE_WIDTHS = {bold: _Widths(_WIDTHS["Helvetica-Bold" if bold else "Helvetica"]) for bold in (False, True)}


def _text_width(text: str, size: float, bold: bool = False, ratio: float = 1.0) -> float:
    """Width in points of ``text`` set in Arial (or a font ``ratio`` times as wide)."""
    return sum(map(_STYLE_WIDTHS[bold].__getitem__, text)) * size / 1000 * ratio


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


def _mixed_lines(pieces: list[tuple[str, float, bool]], width: float) -> list[float]:
    """The size of the tallest text on each line a greedy word wrap of runs in several sizes makes."""
    sizes: list[float] = [0.0]
    current = 0.0
    for text, size, bold in pieces:
        for word in text.split(" "):
            w = _text_width(word + " ", size, bold)
            if current and current + w > width:
                sizes.append(0.0)
                current = 0.0
            while w > width:  # LibreOffice and Word cut an overlong word
                sizes[-1] = max(sizes[-1], size)
                sizes.append(0.0)
                w -= width
            sizes[-1] = max(sizes[-1], size)
            current += w
    return sizes


# The address's room: the step's column beside the code, less its indent and its left rule.
ADDRESS_W = (TEXT_W - INDENT.mm - QR_COLUMN_MM) * PT_PER_MM - 12 - 6


def _box_width(labels: BoxLabels | None = None) -> float:
    """The text width (points) of the personal box's left column, or (no labels) of its whole width."""
    if labels is None:
        return (TEXT_W * PT_PER_MM) - 2 * BOX_MARGIN[1] / 20
    return box_text_widths(labels.numen_boxes.total_mm)[0] * PT_PER_MM


class Estimate:
    """Line counts and heights in the document's font (Arial's metrics, or a pessimistic guess)."""

    def __init__(self, font: str) -> None:
        self.width_ratio, self.line_ratio = (1.0, 1.0) if font.lower() in _ARIAL_FAMILY else _OTHER_FONT
        self._label_sizes: dict[tuple[BoxLabels, str, float], tuple[float, float]] = {}

    def lines(self, text: str, size: float, width: float, bold: bool = False) -> int:
        return _lines(text, size, width / self.width_ratio, bold)

    def line(self, size: float) -> float:
        """Height of a line at the document's line spacing."""
        return size * 1.2 * self.line_ratio

    def address_lines(self, address: str, cue: str, size: float) -> list[str]:
        """The address to type cut after / ? & into the lines of the step's column beside its code.

        One line when it fits; else the first line leaves room for ``cue``
        (" (suite de l'adresse)"), said after it.
        """
        width = ADDRESS_W / self.width_ratio
        if _text_width(address, size) <= width:
            return [address]
        first_w = width - _text_width(f" {cue}", size)
        lines = [""]
        for token in (t for t in re.split(r"(?<=[/?&])", address) if t):
            room = first_w if len(lines) == 1 else width
            if lines[-1] and _text_width(lines[-1] + token, size) > room:
                lines.append("")
            lines[-1] += token
        return lines

    def marks(self, page: Page, box: PersonalBox | None, body: float) -> list[tuple[str, float]]:
        """Where each part of the page starts (points from the top margin), and the end."""
        lines, line = self.lines, self.line
        scale = body / BODY_PT
        width = TEXT_W * PT_PER_MM
        meta = page.title
        title_w = width - TITLE_INDENT / 20 - TITLE_BAR_SPACE
        marks = []
        height = lines(meta.audience, body, title_w, bold=True) * line(body)
        height += (
            lines(meta.title, TITLE_PT * scale, title_w, bold=True)
            * TITLE_PT
            * scale
            * 1.15
            * self.line_ratio
        )
        if meta.purpose:
            height += (
                SUBTITLE_BEFORE / 20 + lines(meta.purpose, body, title_w) * line(body) + SUBTITLE_AFTER / 20
            )
        marks.append(("box", height))
        if box is not None:
            height += self.box(box, body)
        for step in page.steps:
            marks.append((f"step {step.number}", height + _STEP_TOP))
            height += self._step_height(step, body)
        marks.append(("help", height))
        # The band is framed at the foot of the page: it takes its own height there.
        help_lines = lines(page.help.label, body + 1, width - 2 * HELP_PAD / 20) * line(body + 1)
        # Who answers what else, the date at its right: one line under the number.
        if page.help.note or page.info.updated:
            help_lines += line(body)
        band = max(line(body), HELP_PHONE_PT * 1.15 * self.line_ratio)
        height += max(12 + help_lines + band + 12, HELP_BAND_MM * PT_PER_MM)  # framed at the foot
        marks.append(("end", height))
        return marks

    def _step_height(self, step: StepBlock, body: float) -> float:
        """A step's height: heading, sentences (or its code, when taller), its offices' rows."""
        lines, line = self.lines, self.line
        scale = body / BODY_PT
        width = TEXT_W * PT_PER_MM
        indent = INDENT.mm * PT_PER_MM
        height = 0.0
        heading = HEADING_PT * scale
        height += _STEP_TOP + lines(step.heading, heading, width - indent, bold=True) * line(heading) + _AFTER
        qr_w = QR_COLUMN_MM * PT_PER_MM if step.qr else 0.0
        text_w = width - indent - qr_w - (12 if step.qr else 0)
        text = sum(lines(plain(p), body, text_w) * line(body) + _AFTER for p in step.sentences)
        if step.qr:
            # The address, at the body size; it breaks only where the word processor can.
            text += _AFTER + len(self.address_lines(step.qr.typed, step.qr.continued, body)) * line(body)
            picture = (
                QR_WIDTH_MM * PT_PER_MM + lines(step.qr.caption, SMALL_PT, qr_w - 12) * line(SMALL_PT) + 6
            )
            text = max(text, picture)
        height += text
        for group in step.contacts:
            # The office's name (bold), then its addresses on the same line as far as they go.
            pieces = [
                (group.name, body, True),
                (CONTACT_SEPARATOR + EMAIL_SEPARATOR.join(group.emails), body, False),
            ]
            height += len(_mixed_lines(pieces, (width - indent) / self.width_ratio)) * line(body) + _AFTER
        return height

    def box(self, box: PersonalBox, body: float) -> float:
        lines, line = self.lines, self.line
        width = _box_width(box.labels)
        name = f"{box.first_name} {box.family_name} {box.birth_name}".strip()
        _style, big = self.identifier_style(box, body)
        _label, right = self._labels(box.labels, box.label, body)
        left = line(body + 1) + _AFTER
        size = SMALL_PT if self.name_is_long(box, body) else body + 1
        left += lines(name, size, width, bold=True) * line(size) + PERSON_NAME_AFTER / 20
        # The identifier follows its label on the label's (last) line when it fits there, else it
        # starts a line of its own (it is one word: its hyphens never break) and runs the full width.
        pieces = [(box.label, body, False), (box.identifier, big, True)]
        left += sum(map(line, _mixed_lines(pieces, width / self.width_ratio))) + _AFTER
        # The notes stand under both columns, the box's whole width (content.py's notes row).
        notes, whole = 0.0, _box_width()
        if box.homonym_note:
            notes += lines(box.homonym_note, body, whole - 12) * line(body) + _AFTER
        if box.manager:
            notes += lines(box.manager, body, whole) * line(body) + _AFTER
        if notes:
            notes += BOX_MARGIN[0] / 20  # the row's bottom margin (its top one is nil)
        return max(left, right) + notes + 2 * BOX_MARGIN[0] / 20 + 4

    def identifier_style(self, box: PersonalBox, body: float) -> tuple[str, float]:
        """The identifier's character style and size: large, smaller past LARGE_IDENTIFIER_MAX characters,
        and at the body size when even that takes more than two lines of the box (the longest a roster accepts)."""
        scale = body / BODY_PT
        if len(box.identifier) <= LARGE_IDENTIFIER_MAX:
            return "Identifier", IDENTIFIER_PT * scale
        if self.lines(box.identifier, IDENTIFIER_LONG_PT * scale, _box_width(box.labels), bold=True) <= 2:
            return "IdentifierLong", IDENTIFIER_LONG_PT * scale
        return "IdentifierBody", body

    def name_is_long(self, box: PersonalBox, body: float) -> bool:
        """The name would take more than two lines at its size: it is set at SMALL_PT (styles' Person Name Long)."""
        name = f"{box.first_name} {box.family_name} {box.birth_name}".strip()
        return self.lines(name, body + 1, _box_width(box.labels), bold=True) > 2

    def _labels(self, labels: BoxLabels, identifier_label: str, body: float) -> tuple[float, float]:
        """The width of the identifier's label and the height of the NUMEN column: the same for many persons."""
        key = (labels, identifier_label, body)
        known = self._label_sizes.get(key)
        if known is None:
            lines, line = self.lines, self.line
            label = _text_width(identifier_label + " ", body) * self.width_ratio
            right_w = box_text_widths(labels.numen_boxes.total_mm)[1] * PT_PER_MM
            right = (
                lines(labels.numen_label, body, right_w, bold=True) * line(body)
                + NUMEN_BOXES_BEFORE / 20
                + labels.numen_boxes.height_mm * PT_PER_MM
            )
            right += _AFTER + lines(labels.numen_note, body, right_w, bold=True) * line(body)
            known = self._label_sizes[key] = (label, right)  # a race computes the same twice: harmless
        return known


def estimated_height(page: Page, box: PersonalBox | None, body: float = BODY_PT) -> float:
    """About how tall the document stands, in points, by the word-wrap estimate of ``Estimate``."""
    estimate = Estimate(page.docx_font)
    return estimate.marks(page, None, body)[-1][1] + (estimate.box(box, body) if box else 0.0)
