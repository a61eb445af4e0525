"""The login identifier rule and file-name safety: pure functions."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING

from anyascii import anyascii

if TYPE_CHECKING:
    from .model import IdentifierRule

# Letters that Unicode decomposition does not reduce to ASCII, and marks that
# must be read before decomposition: a spacing acute (´) typed as an
# apostrophe would otherwise become a space and split D´Artagnan in two.
_SPELLED_OUT = {"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "ẞ": "ss", "þ": "th", "Þ": "th"}
_STROKED, _PLAIN = "øØđĐłŁðÐħĦŧŦ", "ooddllddhhtt"
_APOSTROPHES = "\u2019\u2018\u201b\u02bc`\u00b4\u2032\uff07"  # all become "'"
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


# Letters with no spelling of their own in the tables above: anyascii's
# guess, except where it gives no letter (tone letters, glottal stops, clicks:
# a letter must never vanish from an identifier). The okina (ʻ) is read as an
# apostrophe, but it is a consonant in Hawaiian: a guess too.
_GUESSES = {
    "ʻ": "'",
    "Ƅ": "h",
    "ƅ": "h",
    "Ƨ": "z",
    "ƨ": "z",
    "Ƽ": "q",
    "ƽ": "q",
    "Ƹ": "z",
    "ƹ": "z",
    "Ɂ": "q",
    "ɂ": "q",
    "ʔ": "q",
    "ʡ": "q",
    "ʕ": "a",
    "ʢ": "a",
    "ʭ": "b",
}


def ascii_fold(text: str) -> str:
    """Lower-case ASCII: accents and cedillas dropped, ligatures spelled out, other Latin letters guessed.

    Typographic apostrophes become ``'`` and dashes ``-``; a Latin letter that
    decomposition and the tables do not reduce (ə, ŋ, ı…) is spelled by
    anyascii (``is_sure`` tells whether a text holds one); characters of
    other scripts (Cyrillic, Greek…) and symbols are dropped.
    """
    return _fold(text, guess=True)


# Every character below U+0131 (ı) is spelled by decomposition or the tables (a test checks it):
# a text of them and accents only holds no guess.
_MAYBE_GUESSED = re.compile("[^\x00-\u0130\u0300-\u036f]")  # combining marks are no guess either


def is_sure(text: str) -> bool:
    """True when every letter of ``text`` has one stated ASCII spelling (accents dropped, our tables): no guess."""
    if _MAYBE_GUESSED.search(text) is None:
        return True
    return _MARKED not in _decomposed(text).translate(_MARKS)


def _decomposed(text: str) -> str:
    text = text.translate(_BEFORE_DECOMPOSITION)
    return unicodedata.normalize("NFKD", text).translate(_BEFORE_DECOMPOSITION)


def _guessed(ch: str) -> bool:
    """A character left after the tables and decomposition that is a Latin letter: spelled by a guess."""
    if ch.isascii():
        return False
    return ch in _GUESSES or (ch.isalpha() and unicodedata.name(ch, "").startswith("LATIN"))


def _guess(ch: str) -> str:
    return _GUESSES.get(ch) or anyascii(ch)


def _other(spelling: str) -> str:
    """A letter that is not the first of ``spelling``: marks where a guess went."""
    return "x" if spelling[:1].lower() == "q" else "q"


class _SpellingTable(dict[int, str | int]):
    """Code point → its spelling for ``str.translate``, filled on first sight: one C pass a text.

    ``spell`` gives what a guessed letter becomes; any other character stays
    itself (the ASCII encoding drops the rest afterwards).
    """

    def __init__(self, spell: Callable[[str], str]) -> None:
        super().__init__()
        self.spell = spell

    def __missing__(self, code: int) -> str | int:
        ch = chr(code)
        kept: str | int = self.spell(ch) if _guessed(ch) else code
        if len(self) < _CACHED_CHARACTERS:
            self[code] = kept
        return kept


_CACHED_CHARACTERS = 8192  # a text of rarer characters is still spelled, one lookup a character
_MARKED = "\x00"
_GUESSED = _SpellingTable(_guess)
_OTHER = _SpellingTable(lambda ch: _other(_guess(ch)))
_MARKS = _SpellingTable(lambda ch: _MARKED)


@lru_cache(maxsize=4096)  # a roster repeats its first and family names; each row folds them twice or more
def _fold(text: str, *, guess: bool) -> str:
    """``ascii_fold``; with ``guess`` False each guessed letter gives a letter other than its guess.

    The second reading tells whether a guess reached the identifier: computed
    both ways, the two identifiers differ exactly when one did.
    """
    if text.isascii():  # most names: NFKD changes nothing, only ` is in the tables
        return (text.replace("`", "'") if "`" in text else text).lower()
    decomposed = _decomposed(text)
    if _MAYBE_GUESSED.search(decomposed):  # not only accents (combining marks) left
        decomposed = decomposed.translate(_GUESSED if guess else _OTHER)
    # Combining marks are all outside ASCII: dropping what is not ASCII drops them too.
    return decomposed.encode("ascii", "ignore").decode("ascii").lower()


def _words(text: str, guess: bool = True) -> str:
    """Folded text with apostrophes joined and other punctuation gone."""
    return _NOT_KEPT.sub("", _APOSTROPHE.sub("", _fold(text, guess=guess)))


def _family_part(name: str, word_separator: str, guess: bool = True) -> str:
    """``Le Dupond`` → ``le-dupond``; ``D'Artagnan`` → ``dartagnan``; "" without a letter."""
    parts = (word_separator.join(part.split()) for part in _words(name, guess).split("-"))
    family = "-".join(part for part in parts if part)
    return family if _LETTER.search(family) else ""


def _initial(first_name: str, mode: str, guess: bool = True) -> str:
    """The part taken from the first given name: its first letter, or all of it."""
    # The first given name is the first word that holds a letter; a compound
    # name (Jean-Pierre) is one given name.
    for word in _words(first_name, guess).split():
        letter = _LETTER.search(word)
        if letter:
            if mode == "first-name":
                return "-".join(part for part in word.split("-") if part)
            return letter.group()
    return ""


def compute_identifier(rule: IdentifierRule, first_name: str, last_name: str, birth_name: str = "") -> str:
    """Apply the rule; returns "" when the names hold no usable letter (``identifier_is_sure``: a guess in it?)."""
    if rule.initial not in INITIAL_MODES:
        raise ValueError(f"identifier rule: initial {rule.initial!r} (expected one of {INITIAL_MODES})")
    if rule.family_name not in FAMILY_MODES:
        raise ValueError(
            f"identifier rule: family_name {rule.family_name!r} (expected one of {FAMILY_MODES})"
        )
    return _identifier(rule, first_name, last_name, birth_name, guess=True)


def identifier_is_sure(rule: IdentifierRule, first_name: str, last_name: str, birth_name: str = "") -> bool:
    """False when a letter the identifier takes from the names was spelled by a guess (ə, ŋ, ı, ʻ…).

    Only the letters the rule uses count: ``Aŋa`` gives a sure initial ``a``.
    """
    if is_sure(first_name) and is_sure(last_name) and is_sure(birth_name):
        return True
    guessed = compute_identifier(rule, first_name, last_name, birth_name)
    return guessed == _identifier(rule, first_name, last_name, birth_name, guess=False)


def _identifier(
    rule: IdentifierRule, first_name: str, last_name: str, birth_name: str, *, guess: bool
) -> str:
    # A birth name with no letter ("-", "/") means "none" in many spreadsheets:
    # fall back on the other name rather than giving up.
    names = (birth_name, last_name) if rule.family_name == "birth-name-first" else (last_name, birth_name)
    parts = (_family_part(n, rule.word_separator, guess) for n in names)
    family = next((part for part in parts if part), "")
    if not family:
        return ""
    initial = ""
    if rule.initial != "none":
        initial = _initial(first_name, rule.initial, guess)
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
