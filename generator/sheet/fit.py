"""The fit policy: one A4 page, the largest type that fits, and what is said when nothing fits.

Every writer climbs down a ladder of sizes, rung by rung, asking its own
``measure`` how much room a sheet leaves at that size (points; negative:
too tall), and takes the first rung that leaves room. When none does, the
messages below say by how much, in one wording per kind of measure: a PDF
is measured exactly ("does not fit"), a DOCX is estimated for the word
processor that will lay it out ("would print on two pages").

One ladder serves both formats (issue 15 unified them): body text from
12 pt down to 10 pt by half points, titles and spacing scaled with it, so
that the PDF and the DOCX of one person come out at the same size
whenever both fit there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import TypeVar

from ..errors import RenderError
from ..i18n import N_, _

BODY_MAX = 12.0  # pt: the body text of every sheet
BODY_MIN = 10.0  # pt: the last resort before "does not fit"
MM = 72 / 25.4  # points in a millimetre

T = TypeVar("T")


@dataclass(frozen=True)
class Rung:
    """One size to try: ``scale`` multiplies the type of titles and spacing, ``body`` is the body size."""

    scale: float
    body: float


BODIES = (12.0, 11.5, 11.0, 10.5, 10.0)  # pt, tried in this order; BODY_MIN is the floor
LADDER = tuple(Rung(body / BODY_MAX, body) for body in BODIES)


class Overflow(Exception):
    """Nothing on the ladder fits; ``over`` is how many points too tall the last rung was."""

    def __init__(self, over: float) -> None:
        super().__init__(f"{over:.1f} pt too tall")
        self.over = over


def first_fit(ladder: Sequence[Rung], attempt: Callable[[Rung], T], room: Callable[[T], float]) -> T:
    """The first rung's result that leaves room (``room(result) >= 0``); raises Overflow otherwise."""
    result = None
    for rung in ladder:
        result = attempt(rung)
        if room(result) >= 0:
            return result
    assert result is not None, "an empty ladder"
    raise Overflow(-room(result))


class Outcome(Enum):
    """Which document did not fit: each names itself in the message, with its article (French needs the gender)."""

    FLYER = N_("the flyer")
    PERSONAL_SHEET = N_("the personal sheet (the flyer plus the personal box)")
    DOCX_FLYER = N_("the DOCX flyer")

    @property
    def words(self) -> str:
        return _(self.value)


def page_too_long(source: Path | None, what: Outcome, over: float, measured: bool) -> RenderError:
    """The procedure itself is too long: the user shortens the steps."""
    values = {"source": source, "what": what.words, "mm": f"{over / MM:.0f}", "size": f"{BODY_MIN:g}"}
    if measured:
        return RenderError(
            _(
                "{source}: {what} does not fit on one A4 page: {mm} mm too tall even with "
                "body text at {size} pt (the smallest allowed). Shorten the steps or remove a paragraph."
            ).format(**values)
        )
    return RenderError(
        _(
            "{source}: {what} would print on two pages: about {mm} mm too tall even at {size} pt. "
            "Shorten the steps."
        ).format(**values)
    )


def name_too_long(fmt: str, over: float, measured: bool) -> RenderError:
    """One person's sheet is too long: a bad row, told what to shorten."""
    if measured:
        return RenderError(
            _(
                "the {format} sheet does not fit on one page with a name this long: "
                "give a shorter identifier or name"
            ).format(format=fmt.upper())
        )
    return RenderError(
        _(
            "the {format} sheet would print on two pages (about {mm} mm too tall): "
            "give a shorter identifier or name"
        ).format(format=fmt.upper(), mm=f"{over / MM:.0f}")
    )
