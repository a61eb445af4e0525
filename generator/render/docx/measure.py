"""The DOCX measure: how tall a sheet will stand in a word processor, estimated from look.py.

A DOCX is laid out by whoever opens it, so its height is estimated with a
word-wrap in Arial's widths, from the same sizes and spacing the styles
write (look.py), wrapping where Word and LibreOffice do (after spaces, and
hyphens between letters; trailing spaces hang) in the widths they give the
text (a paragraph border stands in its indent, table cells without margins
give their whole width), and with Word's line height (Arial's line gap
included, which LibreOffice leaves out: its lines are some 3 % shorter).
The margin for the word processor's own rounding is in WRAP_SLACK and in
PAGE_CAPACITY (look.py), not in widths counted wrong; the soffice test
tests/sheet/test_docx_room_at_12_pt.py holds it to LibreOffice's print.
"""

from __future__ import annotations

import json
import re
import unicodedata
from importlib.resources import files

from ...sheet.blocks import BoxLabels, Page, Paragraph, PersonalBox, StepBlock
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


# Where Word and LibreOffice may end a line: after spaces, and after a hyphen between letters
# (never in the identifier, whose hyphens are non-breaking).
_AT_SPACES = re.compile(r"(?<= )(?=[^ ])")
_AT_SPACES_AND_HYPHENS = re.compile(r"(?<= )(?=[^ ])|(?<=\w-)(?=\w)")
# Points of width each line gives up to the estimate: a text within this of the margin is counted as
# wrapping, so that a rounding of Word's (twips) or LibreOffice's cannot make a line the estimate missed.
WRAP_SLACK = 2.0

Piece = tuple[str, float, bool, bool]  # text, size (pt), bold, may break after its hyphens


def _tokens(pieces: list[Piece]) -> list[tuple[float, float, float]]:
    """The unbreakable stretches of runs: (width without trailing spaces, width, tallest size) each.

    A stretch may span runs (a bold label and the colon after it); a line
    ends only after one, and its trailing spaces may hang past the margin.
    """
    tokens: list[tuple[float, float, float]] = []
    fit = advance = tallest = 0.0
    for text, size, bold, hyphens in pieces:
        for chunk in (_AT_SPACES_AND_HYPHENS if hyphens else _AT_SPACES).split(text):
            if not chunk:
                continue
            trimmed = chunk.rstrip(" ")
            fit = advance + _text_width(trimmed, size, bold) if trimmed else fit
            advance += _text_width(chunk, size, bold)
            tallest = max(tallest, size)
            if trimmed != chunk or chunk.endswith("-"):
                tokens.append((fit, advance, tallest))
                fit = advance = tallest = 0.0
    if advance:
        tokens.append((fit, advance, tallest))
    return tokens


def _wrap(pieces: list[Piece], width: float) -> list[float]:
    """The size of the tallest text on each line a greedy word wrap of runs (in several sizes) makes."""
    sizes: list[float] = [0.0]
    current = 0.0
    for fit, advance, size in _tokens(pieces):
        if current and current + fit > width:
            sizes.append(0.0)
            current = 0.0
        while fit > width:  # LibreOffice and Word cut an overlong word
            sizes[-1] = max(sizes[-1], size)
            sizes.append(0.0)
            fit -= width
            advance -= width
        sizes[-1] = max(sizes[-1], size)
        current += advance
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

    def lines(self, text: str, size: float, width: float, bold: bool = False, hyphens: bool = True) -> int:
        """Lines ``text`` takes in one style; ``hyphens``: a line may end after a hyphen."""
        return len(self.wrap([(text, size, bold, hyphens)], width))

    def wrap(self, pieces: list[Piece], width: float) -> list[float]:
        """The tallest size on each line of runs wrapped in ``width`` points (less WRAP_SLACK)."""
        return _wrap(pieces, (width - WRAP_SLACK) / self.width_ratio)

    def paragraph_lines(self, paragraph: Paragraph, size: float, width: float) -> int:
        """Lines a paragraph of runs takes, its **bold** words (wider) in bold."""
        return len(self.wrap([(run.text, size, run.bold, True) for run in paragraph], width))

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
        # The bar and its spacing stand left of the text, inside its indent (Word and LibreOffice alike).
        title_w = width - TITLE_INDENT / 20
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
        # The layout table's cells have no margins: the text column is the code's neighbour.
        text_w = width - indent - qr_w
        text = sum(self.paragraph_lines(p, body, text_w) * line(body) + _AFTER for p in step.sentences)
        if step.qr:
            # The address, at the body size; it breaks only where the word processor can.
            text += _AFTER + len(self.address_lines(step.qr.typed, step.qr.continued, body)) * line(body)
            picture = QR_WIDTH_MM * PT_PER_MM + lines(step.qr.caption, SMALL_PT, qr_w) * line(SMALL_PT) + 6
            text = max(text, picture)
        height += text
        for group in step.contacts:
            # The office's name (bold), then its addresses on the same line as far as they go.
            pieces: list[Piece] = [
                (group.name, body, True, True),
                (CONTACT_SEPARATOR + EMAIL_SEPARATOR.join(group.emails), body, False, False),
            ]
            height += len(self.wrap(pieces, width - indent)) * line(body) + _AFTER
        return height

    def box(self, box: PersonalBox, body: float) -> float:
        lines, line = self.lines, self.line
        width = _box_width(box.labels)
        _style, big = self.identifier_style(box, body)
        _label, right = self._labels(box.labels, box.label, body)
        left = line(body) + _AFTER  # the box's heading, at the body size (Heading 2)
        size = SMALL_PT if self.name_is_long(box, body) else body + 1
        left += self._name_lines(box, size) * line(size) + PERSON_NAME_AFTER / 20
        # The identifier follows its label on the label's (last) line when it fits there, else it
        # starts a line of its own (it is one word: its hyphens never break) and runs the full width.
        pieces: list[Piece] = [(box.label + " ", body, False, True), (box.identifier, big, True, False)]
        left += sum(map(line, self.wrap(pieces, width))) + _AFTER
        # The notes stand under both columns, the box's whole width (content.py's notes row).
        notes, whole = 0.0, _box_width()
        if box.homonym_note:
            # Past its rule, in the paragraph's indent (120 twips).
            notes += self.paragraph_lines(box.homonym_paragraph, body, whole - 6) * line(body) + _AFTER
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
        long_pt = IDENTIFIER_LONG_PT * scale
        if self.lines(box.identifier, long_pt, _box_width(box.labels), bold=True, hyphens=False) <= 2:
            return "IdentifierLong", IDENTIFIER_LONG_PT * scale
        return "IdentifierBody", body

    def name_is_long(self, box: PersonalBox, body: float) -> bool:
        """The name would take more than two lines at its size: it is set at SMALL_PT (styles' Person Name Long)."""
        return self._name_lines(box, body + 1) > 2

    def _name_lines(self, box: PersonalBox, size: float) -> int:
        """Lines the name takes at ``size``: its family name in bold (content.py's runs), breaking at hyphens too."""
        pieces: list[Piece] = [
            (box.first_name + " ", size, False, True),
            (box.family_name, size, True, True),
            (" " + box.birth_name if box.birth_name else "", size, False, True),
        ]
        return len(self.wrap(pieces, _box_width(box.labels)))

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
