"""The login identifier rule and file-name safety: pure functions."""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..procedure.model import IdentifierRule

# Letters that Unicode decomposition does not reduce to ASCII, and marks that
# must be read before decomposition: a spacing acute (´) typed as an
# apostrophe would otherwise become a space and split D´Artagnan in two.
_SPELLED_OUT = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss", "þ": "th", "Þ": "th"}
_STROKED, _PLAIN = "øØđĐłŁıðÐħĦŧŦ", "ooddlliddhhtt"
_APOSTROPHES = "\u2019\u2018\u201b\u02bc\u02bb`\u00b4\u2032\uff07"  # all become "'"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"  # all become "-"
# Soft hyphen, spacing accents, zero-width characters: no letter in them.
_NO_LETTER = (
    "\u00ad\u00a8\u00af\u00b8\u02c6\u02d8\u02d9\u02da\u02db\u02dc\u02dd\u200b\u200c\u200d\u2060\ufeff"
)
_BEFORE_DECOMPOSITION = str.maketrans(
    _STROKED + _APOSTROPHES + _DASHES,
    _PLAIN + "'" * len(_APOSTROPHES) + "-" * len(_DASHES),
    _NO_LETTER,
)
# typeshed lists only int or None values, but str.maketrans takes str values too.
_BEFORE_DECOMPOSITION.update(str.maketrans(_SPELLED_OUT))  # type: ignore[arg-type]
_APOSTROPHE = re.compile(r"'\s*")  # D'Artagnan, D' Artagnan → dartagnan
_NOT_KEPT = re.compile(r"[^a-z0-9\s-]+")
_NOT_SAFE = re.compile(r"[^a-z0-9-]+")
_LETTER = re.compile(r"[a-z]")
_VALID = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
INITIAL_MODES = ("first-letter", "first-name", "none")
FAMILY_MODES = ("birth-name-first", "usage-name")
# Names Windows refuses for a file whatever its extension.
_RESERVED_STEMS = frozenset(
    ["con", "prn", "aux", "nul"] + [f"com{i}" for i in range(10)] + [f"lpt{i}" for i in range(10)]
)
STEM_MAX = 64


def ascii_fold(text: str) -> str:
    """Lower-case ASCII: accents and cedillas dropped, ligatures spelled out.

    Typographic apostrophes become ``'`` and dashes ``-``; characters with no
    ASCII spelling (Cyrillic, Greek, symbols…) are dropped.
    """
    text = text.translate(_BEFORE_DECOMPOSITION)
    decomposed = unicodedata.normalize("NFKD", text).translate(_BEFORE_DECOMPOSITION)
    # Combining marks are all outside ASCII: dropping what is not ASCII drops them too.
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def _words(text: str) -> str:
    """Folded text with apostrophes joined and other punctuation gone."""
    return _NOT_KEPT.sub("", _APOSTROPHE.sub("", ascii_fold(text)))


def _family_part(name: str, word_separator: str) -> str:
    """``Le Dupond`` → ``le-dupond``; ``D'Artagnan`` → ``dartagnan``; "" without a letter."""
    parts = (word_separator.join(part.split()) for part in _words(name).split("-"))
    family = "-".join(part for part in parts if part)
    return family if _LETTER.search(family) else ""


def _initial(first_name: str, mode: str) -> str:
    """The part taken from the first given name: its first letter, or all of it."""
    # The first given name is the first word that holds a letter; a compound
    # name (Jean-Pierre) is one given name.
    for word in _words(first_name).split():
        letter = _LETTER.search(word)
        if letter:
            if mode == "first-name":
                return "-".join(part for part in word.split("-") if part)
            return letter.group()
    return ""


def compute_identifier(rule: IdentifierRule, first_name: str, last_name: str, birth_name: str = "") -> str:
    """Apply the rule; returns "" when the names hold no usable letter."""
    if rule.initial not in INITIAL_MODES:
        raise ValueError(f"identifier rule: initial {rule.initial!r} (expected one of {INITIAL_MODES})")
    if rule.family_name not in FAMILY_MODES:
        raise ValueError(
            f"identifier rule: family_name {rule.family_name!r} (expected one of {FAMILY_MODES})"
        )
    # A birth name with no letter ("-", "/") means "none" in many spreadsheets:
    # fall back on the other name rather than giving up.
    names = (birth_name, last_name) if rule.family_name == "birth-name-first" else (last_name, birth_name)
    family = next((part for part in (_family_part(n, rule.word_separator) for n in names) if part), "")
    if not family:
        return ""
    initial = ""
    if rule.initial != "none":
        initial = _initial(first_name, rule.initial)
        if not initial:
            return ""
    return normalise_identifier(f"{initial}{rule.joiner}{family}")


def normalise_identifier(text: str) -> str:
    """An identifier as the directory stores it: lower-case ASCII, digits, single hyphens."""
    folded = _NOT_SAFE.sub("", ascii_fold(text))
    return re.sub(r"-{2,}", "-", folded).strip("-")


def is_valid_identifier(text: str) -> bool:
    """Lower-case letters a-z and digits, in groups joined by single hyphens."""
    return _VALID.fullmatch(text) is not None


def safe_file_stem(identifier: str, taken: set[str]) -> str:
    """A file name stem that is safe on every system and not yet in ``taken``.

    The identifier is already safe; this guards against empty or odd input,
    names Windows reserves (``con``, ``nul``…) and gives ``jdupont``,
    ``jdupont-2``, ``jdupont-3`` … to homonyms. The stem is added to
    ``taken``; put lower-case stems there (every stem made here is).
    """
    stem = normalise_identifier(identifier)[:STEM_MAX].strip("-") or "sans-identifiant"
    candidate, n = stem, 1
    while candidate in taken or candidate in _RESERVED_STEMS:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate)
    return candidate
