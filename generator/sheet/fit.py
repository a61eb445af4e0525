"""The fit policy: one A4 page, the largest type that fits, and what is said when nothing fits.

Every writer climbs down a ladder of sizes, rung by rung, asking its own
``measure`` how much room a sheet leaves at that size (points; negative:
too tall), and takes the first rung that leaves room. When none does, the
messages below say by how much, in one wording per kind of measure: a PDF
is measured exactly ("does not fit"), a DOCX is estimated for the word
processor that will lay it out ("would print on two pages").

The ladders are those of the output the reference files hold: the PDF
scales its whole type from 1.0 down by 2 % (body text clamped at 10 pt),
the DOCX tries three body sizes. Merging them would change the documents,
which is a change of design, not of structure.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from ..errors import RenderError

BODY_MAX = 12.0  # pt: the body text of every sheet
BODY_MIN = 10.0  # pt: the last resort before "does not fit"
MM = 72 / 25.4  # points in a millimetre

T = TypeVar("T")


@dataclass(frozen=True)
class Rung:
    """One size to try: ``scale`` multiplies the type of titles and spacing, ``body`` is the body size."""

    scale: float
    body: float


def _pdf_ladder() -> tuple[Rung, ...]:
    rungs = []
    for step in range(0, 11):
        scale = 1.0 - step * 0.02  # 12 pt … 9.6 pt body, clamped at 10 pt
        rungs.append(Rung(scale, max(BODY_MIN, BODY_MAX * scale)))
        if step > 0 and BODY_MAX * scale < BODY_MIN:
            break  # the body is at its floor: smaller titles alone would not save the page
    return tuple(rungs)


PDF_LADDER = _pdf_ladder()
DOCX_LADDER = tuple(Rung(body / BODY_MAX, body) for body in (BODY_MAX, 10.5, BODY_MIN))


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


def page_too_long(source: Path | None, what: str, over: float, measured: bool) -> RenderError:
    """The procedure itself is too long: the user shortens the steps."""
    if measured:
        return RenderError(
            f"{source}: the {what} does not fit on one A4 page: {over / MM:.0f} mm too tall even with "
            f"body text at {BODY_MIN:g} pt (the smallest allowed). Shorten the steps or remove a paragraph."
        )
    return RenderError(
        f"{source}: the {what} would print on two pages: about {over / MM:.0f} mm too tall even at "
        f"{BODY_MIN:g} pt. Shorten the steps."
    )


def name_too_long(fmt: str, over: float, measured: bool) -> RenderError:
    """One person's sheet is too long: a bad row, told what to shorten."""
    if measured:
        return RenderError(
            f"the {fmt.upper()} sheet does not fit on one page with a name this long: "
            "give a shorter identifier or name"
        )
    return RenderError(
        f"the {fmt.upper()} sheet would print on two pages (about {over / MM:.0f} mm too tall): "
        "give a shorter identifier or name"
    )
