"""NUMEN detection: a NUMEN (a password) is recognised in any cell, and never shown back."""

from __future__ import annotations

import re
import unicodedata

from .cells import clean

# NUMEN: 13 letters and digits, usually 2 digits, a letter, 7 digits, 3 letters.
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
_ALNUM_GROUP = re.compile(r"[A-Za-z0-9]+(?:[\s./_-]+[A-Za-z0-9]+)*")  # "17E 0912345-ABC"
_NUMEN_SHAPE = re.compile(r"(?=([0-9]{2}[A-Za-z][A-Za-z0-9]{10}))")  # every window, overlapping
_NUMEN_START = re.compile(r"[0-9]{2}[A-Za-z]")


def holds_numen(value: str) -> bool:
    """A NUMEN anywhere in the text: alone, inside a name or an address, spaced out, or one character off.

    Every candidate needs five digits or more, so a real name (no digits) is
    never taken for one.
    """
    text = unicodedata.normalize("NFKC", clean(value))  # fullwidth digits, invisible marks inside
    candidates = set(_ALNUM_RUN.findall(text))
    candidates.update(re.sub(r"[^A-Za-z0-9]", "", group) for group in _ALNUM_GROUP.findall(text))
    return any(_numen_like(candidate) for candidate in candidates)


def _numen_like(token: str) -> bool:
    """A run of letters and digits that is, holds, or nearly is a NUMEN."""
    digits = sum(ch.isdigit() for ch in token)
    if digits < 5:
        return False
    if len(token) == 13:
        return True
    if 12 <= len(token) <= 14 and _NUMEN_START.match(token):
        return True  # a character missing or added
    return any(sum(ch.isdigit() for ch in m.group(1)) >= 5 for m in _NUMEN_SHAPE.finditer(token))


def shown(value: str) -> str:
    """A cell quoted for a message; never a NUMEN."""
    if holds_numen(value):
        return "(a value that looks like a NUMEN, not shown)"
    return repr(value if len(value) <= 60 else value[:57] + "…")
