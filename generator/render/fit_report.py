"""Which sheets of a procedure hold at 12 pt: the flyer and a representative sheet of each kind, fitted once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..sheet.blocks import Sheet
from ..sheet.fit import BODY_MAX, LADDER, Outcome
from ..sheet.variants import Variant
from . import FORMATS, writer


@dataclass(frozen=True)
class Reduced:
    """A sheet whose body is set below 12 pt in one format (``body`` None: it fits at no size)."""

    format: str
    outcome: Outcome  # the flyer, or a personal sheet
    variant: Variant | None  # the kind of personal sheet; None for the flyer
    body: float | None


def reduced_sheets(
    sheets: Iterable[tuple[Variant | None, Sheet]], formats: tuple[str, ...] = FORMATS
) -> list[Reduced]:
    """Of ``sheets`` (``sheet.variants.representative_sheets``: the flyer, then every kind of personal
    sheet), those that do not hold at 12 pt, per format.

    Each kind is fitted once, by its writer's own measure: a few dozen
    sheets whatever the roster. Empty: every sheet is at 12 pt.
    """
    found = []
    kinds = list(sheets)
    for fmt in formats:
        for variant, sheet in kinds:
            body = body_size(sheet, fmt)
            if body is None or body < BODY_MAX:
                outcome = Outcome.FLYER if variant is None else Outcome.PERSONAL_SHEET
                found.append(Reduced(fmt, outcome, variant, body))
    return found


def body_size(sheet: Sheet, fmt: str) -> float | None:
    """The body size (pt) the writer of ``fmt`` sets ``sheet`` at; None when no size fits it."""
    fitter = writer(fmt, sheet.page)
    for rung in LADDER:
        if fitter.measure(sheet, rung) >= 0:
            return rung.body
    return None
