"""The look of the DOCX: colours, page, sizes and spacing, read by the styles, the content and the measure.

The measure (measure.py) estimates the height of the page from these same
numbers, so a change of a style's spacing changes the estimate with it.
Spacing is in twips (1/20 pt), as the styles write it; sizes in points.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...sheet.fit import BODY_MAX, MM


@dataclass(frozen=True)
class Length:
    """A length given in millimetres, converted as python-docx's ``docx.shared.Mm`` does (without importing it)."""

    emu: int  # English Metric Units: 36 000 a millimetre, 635 a twip

    @classmethod
    def of_mm(cls, mm: float) -> Length:
        return cls(int(mm * 36000))

    @property
    def mm(self) -> float:
        return self.emu / 36000.0

    @property
    def twips(self) -> int:
        return int(round(self.emu / 635.0))


ACCENT = "000091"  # dark blue, 14.9:1 on white: the one accent colour
# Text: 12.6:1 on white, a tenth less toner than black, still black after a 50 % threshold photocopy.
TEXT = "333333"
RULE = "000000"  # thin rules between steps: black, so that a 50 % threshold photocopy keeps them
WHITE = "FFFFFF"
BODY_PT = BODY_MAX

PT_PER_MM = MM

# The page (mm).
PAGE_W, PAGE_H, MARGIN_X, MARGIN_Y = 210, 297, 16, 13
TEXT_W = PAGE_W - 2 * MARGIN_X
# Estimated height (measure.py: the page's content plus the help band's
# 29 mm) up to which a sheet is accepted. The body stops 42 mm above the
# page's foot (the footer holds the band), so Word fills it at an estimate of
# 271 mm; 265 keeps 6 mm of that, a whole 12 pt line for a wrap Word makes
# otherwise. LibreOffice's lines are shorter: its print leaves about 279 mm
# less the estimate free above the band (measured on every kind of sheet,
# so 14 mm or more for whatever this accepts; the tests ask for 8).
PAGE_CAPACITY = 265 * PT_PER_MM

# Columns and tables.
INDENT = Length.of_mm(10)  # step text sits under the heading's text, past its number

HELP_SHARE = 0.6  # the help band's left column (label and hours), as a share of the text width
# Between an office's name and its addresses, and between two addresses (a no-break space before ":").
CONTACT_SEPARATOR, EMAIL_SEPARATOR = "\u00a0: ", " · "
QR_WIDTH_MM = 37.6  # with its 4-module quiet zone, as in the PDF (0.84 mm a module: 31 mm of code)
QR_COLUMN_MM = QR_WIDTH_MM + 6  # the code's column beside the step's text
QR_DPI = 300
BOX_MARGIN = (120, 160)  # cell margins (top/bottom, left/right) in twips
# Between the personal box's two columns each keeps a narrower margin (1.5 mm, a 3 mm gap): the
# right column just holds the NUMEN's boxes, and every millimetre it spares goes to the names.
BOX_INNER_MARGIN = 85
TWIPS_PER_MM = 1440 / 25.4


def box_columns(numen_mm: float) -> tuple[float, float]:
    """The personal box's columns (mm): the right one holds a row of NUMEN boxes ``numen_mm`` wide."""
    # A tenth of a millimetre more: each box's width is rounded to the twip.
    right = numen_mm + (BOX_INNER_MARGIN + BOX_MARGIN[1]) / TWIPS_PER_MM + 0.1
    return TEXT_W - right, right


def box_text_widths(numen_mm: float) -> tuple[float, float]:
    """The text widths (mm) inside the personal box's left and right columns, less their margins."""
    margins = (BOX_INNER_MARGIN + BOX_MARGIN[1]) / TWIPS_PER_MM
    left, right = box_columns(numen_mm)
    return left - margins, right - margins


BAND_MARGIN = (140, 200)

# Type sizes (pt) at the usual body size; headings scale with the body.
TITLE_PT = 18  # as the PDF: less ink, the same page in both formats
HEADING_PT = 13
SMALL_PT = 10  # addresses, captions, the notes of the personal box
HELP_PHONE_PT = 24  # black on white, 24 pt or more (#15)
IDENTIFIER_PT = 20
IDENTIFIER_LONG_PT = 15
LARGE_IDENTIFIER_MAX = 22  # characters shown at IDENTIFIER_PT; longer ones at IDENTIFIER_LONG_PT

# Spacing (twips) and rules (pt) of the styles.
TITLE_INDENT = 227  # the text's distance from the title bar
TITLE_BAR_SPACE = 8  # pt between the bar and the text
SUBTITLE_BEFORE, SUBTITLE_AFTER = 40, 200
HEADING_BEFORE = 140
HEADING_RULE_SPACE = 6  # pt between the rule above a step and its heading
PARAGRAPH_AFTER = 60  # after a sentence, a heading, a note
PERSON_NAME_AFTER = 80
NUMEN_BOXES_BEFORE = 80  # twips between the NUMEN label and its boxes
HELP_PAD = 120  # twips between the help band's outline and its text
HELP_BAND_MM = (
    29  # the help band's height (label, hours and a 24 pt phone, a note, outline): the footer's room
)
FALLBACK_FAMILY = "Noto Sans"  # letters Atkinson Hyperlegible lacks (the fonts the PDF embeds)
CONTACT_NAME_AFTER = 40
