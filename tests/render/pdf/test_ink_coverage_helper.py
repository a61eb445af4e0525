"""The ink coverage helper measures what a printer would spend."""

from __future__ import annotations

import io

import pytest
from helpers_ink import assert_ink_at_most, ink_coverage
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas


def _page(fraction: float, grey: float = 0.0) -> bytes:
    """An A4 page with a full-width band of the given grey covering ``fraction`` of its height."""
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=A4, invariant=1)
    width, height = A4
    if fraction:
        canvas.setFillGray(grey)
        canvas.rect(0, 0, width, height * fraction, stroke=0, fill=1)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


def test_a_blank_page_spends_no_ink() -> None:
    assert ink_coverage(_page(0)) == 0


def test_a_black_band_spends_its_share_of_the_page() -> None:
    """A black band over a tenth of the page is 10 % coverage (to a pixel row at 100 dpi)."""
    assert ink_coverage(_page(0.1)) == pytest.approx(0.1, abs=0.002)


def test_grey_counts_for_its_darkness() -> None:
    """A band of 50 % grey over the whole page is about 50 % coverage."""
    assert ink_coverage(_page(1.0, grey=0.5)) == pytest.approx(0.5, abs=0.01)


def test_the_assertion_names_the_figure() -> None:
    assert_ink_at_most(_page(0.05))
    with pytest.raises(AssertionError, match=r"10\.\d\d% is over 6\.5%"):
        assert_ink_at_most(_page(0.1))
