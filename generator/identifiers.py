"""The login identifier rule and file-name safety: pure functions."""

from __future__ import annotations

import re
import unicodedata

from .model import IdentifierRule

# Letters that Unicode decomposition does not reduce to ASCII.
_SPELLED_OUT = {
    "œ": "oe",
    "Œ": "oe",
    "æ": "ae",
    "Æ": "ae",
    "ß": "ss",
    "ẞ": "ss",
    "ø": "o",
    "Ø": "o",
    "đ": "d",
    "Đ": "d",
    "ł": "l",
    "Ł": "l",
    "ı": "i",
    "þ": "th",
    "Þ": "th",
    "ð": "d",
    "Ð": "d",
}
_SPACES = re.compile(r"[\s\u00a0\u202f_]+")
_DASHES = re.compile(r"[\u2010-\u2015\u2212-]+")
_NOT_KEPT = re.compile(r"[^a-z0-9 -]+")
_SEPARATORS = re.compile(r"[ -]*-[ -]*| +")
_SAFE = re.compile(r"[^a-z0-9-]+")


def ascii_fold(text: str) -> str:
    """Lower-case ASCII: accents and cedillas dropped, ligatures spelled out."""
    text = "".join(_SPELLED_OUT.get(ch, ch) for ch in text)
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return stripped.lower()


def _family_part(name: str, word_separator: str) -> str:
    """``Le Dupond`` → ``le-dupond``; ``D'Artagnan`` → ``dartagnan``."""
    text = ascii_fold(name)
    text = _SPACES.sub(" ", _DASHES.sub("-", text))
    text = _NOT_KEPT.sub("", text).strip(" -")

    def join(match: re.Match[str]) -> str:
        return "-" if "-" in match.group(0) else word_separator

    text = _SEPARATORS.sub(join, text)
    # A separator option of "" or "-" never leaves doubled or trailing marks.
    return re.sub(r"-{2,}", "-", text).strip("-")


def _initial(first_name: str, mode: str) -> str:
    words = [w for w in re.split(r"[\s\-\u2010-\u2015]+", ascii_fold(first_name)) if w]
    letters = [re.sub(r"[^a-z0-9]", "", w) for w in words]
    letters = [w for w in letters if w]
    if not letters or mode == "none":
        return ""
    if mode == "first-name":
        return letters[0]
    return letters[0][0]


def compute_identifier(
    rule: IdentifierRule, first_name: str, last_name: str, birth_name: str = ""
) -> str:
    """Apply the rule; returns "" when the names hold no usable letter."""
    family = birth_name if (rule.family_name == "birth-name-first" and birth_name.strip()) else last_name
    family_part = _family_part(family, rule.word_separator)
    if not family_part:
        return ""
    initial = _initial(first_name, rule.initial)
    return normalise_identifier(f"{initial}{rule.joiner}{family_part}")


def normalise_identifier(text: str) -> str:
    """An identifier as the directory stores it: lower-case ASCII, digits, hyphens."""
    folded = _SAFE.sub("", ascii_fold(text.strip()).replace(" ", ""))
    return re.sub(r"-{2,}", "-", folded).strip("-")


def is_valid_identifier(text: str) -> bool:
    return bool(text) and normalise_identifier(text) == text


def safe_file_stem(identifier: str, taken: set[str]) -> str:
    """A file name stem that is safe on every system and not yet in ``taken``.

    The identifier is already safe; this guards against empty or odd input
    and gives ``jdupont``, ``jdupont-2``, ``jdupont-3`` … to homonyms.
    """
    stem = normalise_identifier(identifier)[:64] or "sans-identifiant"
    candidate, n = stem, 1
    while candidate in taken:
        n += 1
        candidate = f"{stem}-{n}"
    taken.add(candidate)
    return candidate
