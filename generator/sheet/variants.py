"""The kinds of personal sheet a procedure makes (homonym, long name, birth name…): one representative sheet each.

What makes a personal sheet longer than the plain one is a handful of
features of its person, and the office step 1 names. ``representative_sheets``
composes one sheet for every combination of them, so that a check can fit
each once (a few dozen sheets), never every person of a roster.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import combinations

from ..i18n import N_, _
from ..people.person import Person
from ..procedure.identifiers import compute_identifier
from ..procedure.model import Procedure
from .blocks import Sheet
from .compose import HOMONYM, UNSURE, compose


class Feature(Enum):
    """What a person's sheet says beyond the plain one; each names itself in the check's message."""

    HOMONYM = N_("homonym")
    LONG_NAME = N_("long name")
    BIRTH_NAME = N_("birth name")
    UNSURE = N_("identifier to confirm")

    @property
    def words(self) -> str:
        return _(self.value)


# The long name of issue 24, and a birth name the identifier is built on.
_PLAIN = ("Marie", "Dupont")
_LONG = ("Marie-Hélène-Clémentine", "de La Rochefoucauld-Montbazon")
_BIRTH = "Lefèvre-Beaumont"


@dataclass(frozen=True)
class Variant:
    """One kind of personal sheet: its features and the office its step 1 names ("" for every office)."""

    features: tuple[Feature, ...]
    office: str  # a contact id, or "" when the roster names no office
    office_name: str  # that office's name, "" for none

    def describe(self) -> str:
        """ "homonym + birth name + no managing office", in the messages' language."""
        words = [feature.words for feature in self.features]
        words.append(self.office_name or _("no managing office"))
        return " + ".join(words)


def representative_sheets(
    procedure: Procedure, flyer: bool = False
) -> Iterator[tuple[Variant | None, Sheet]]:
    """A sheet for every combination of features, for each office and for none (plain sheets included);
    first the flyer (its variant None) when ``flyer``."""
    if flyer:
        yield None, compose(procedure)
    offices = [(group.id, group.name) for group in procedure.contacts] + [("", "")]
    for size in range(len(Feature) + 1):
        for features in combinations(Feature, size):
            if Feature.HOMONYM in features and Feature.UNSURE in features:
                continue  # the very sheet of UNSURE alone: an identifier to confirm gets no homonym note
            for office, name in offices:
                variant = Variant(features, office, name)
                yield variant, compose(procedure, _person(procedure, variant))


def _person(procedure: Procedure, variant: Variant) -> Person:
    first, last = _LONG if Feature.LONG_NAME in variant.features else _PLAIN
    birth = _BIRTH if Feature.BIRTH_NAME in variant.features else ""
    identifier = compute_identifier(procedure.identifier, first, last, birth) or "mdupont"
    flags = tuple(
        flag
        for feature, flag in ((Feature.HOMONYM, HOMONYM), (Feature.UNSURE, UNSURE))
        if feature in variant.features
    )
    return Person(first, last, identifier, birth_name=birth, manager=variant.office, flags=flags)
