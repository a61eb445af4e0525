"""Toner a printed page spends: mean ink coverage of its greyscale render (issue 15: at most 6.5 %)."""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
from PIL import Image

MAX_COVERAGE = 0.065  # the brief's limit for a sheet printed on office black-and-white lasers


def render_grey(pdf: bytes | Path, page: int = 0, dpi: int = 100) -> Image.Image:
    """The page rendered in 8-bit greyscale (255 = no ink), as a printer driver would see it."""
    data = pdf.read_bytes() if isinstance(pdf, Path) else pdf
    doc = pdfium.PdfDocument(data)
    try:
        return doc[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def ink_coverage(pdf: bytes | Path, page: int = 0, dpi: int = 100) -> float:
    """Mean ink over the page, 0 (blank) to 1 (solid black): the mean of (255 - value) / 255."""
    image = render_grey(pdf, page, dpi)
    histogram = image.histogram()
    ink = sum((255 - value) * count for value, count in enumerate(histogram))
    return ink / (255 * image.width * image.height)


def assert_ink_at_most(pdf: bytes | Path, limit: float = MAX_COVERAGE, page: int = 0) -> None:
    """Fails with the measured figure when the page spends more toner than ``limit``."""
    coverage = ink_coverage(pdf, page)
    assert coverage <= limit, f"mean ink coverage {coverage:.2%} is over {limit:.1%}"
