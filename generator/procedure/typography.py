"""French typography and the tiny inline markup of the data (``**bold**``)."""

from __future__ import annotations

import re

NBSP = "\u00a0"
# U+202F (narrow no-break space) is missing from Atkinson Hyperlegible and from
# Liberation Sans in some versions: the no-break space stands in for it.
_NARROW_NBSP = "\u202f"

_BEFORE_PUNCT = re.compile(r"[ \u202f\u00a0]+([:;!?])")
# Inside « » the space is always due, typed or not: no URL or time holds a guillemet. Any
# white space there (a tab, a line break of the data) becomes the one no-break space: the PDF and
# the DOCX never break a line between a guillemet and its word.
# A blank line there (two paragraphs) is kept: the paragraphs are never joined.
_BEFORE_GUILLEMET = re.compile(r"\s*»")
_AFTER_GUILLEMET = re.compile(r"«\s*")
_HOURS = re.compile(r"(\d) (h)\b(?: (\d\d))?")
_BOLD = re.compile(r"\*\*(.+?)\*\*", re.DOTALL)


def french_spacing(text: str) -> str:
    """Put no-break spaces where French puts them; map characters the fonts lack.

    Before : ; ! ? only spaces the writer typed are replaced, so URLs
    (``https://``) and times (``8:00``) stay as they are; inside « » the
    space is added when missing.
    """
    text = text.replace(_NARROW_NBSP, NBSP)
    text = _BEFORE_PUNCT.sub(NBSP + r"\1", text)
    text = _BEFORE_GUILLEMET.sub(_bind_closing, text)
    text = _AFTER_GUILLEMET.sub(_bind_opening, text)
    text = _HOURS.sub(lambda m: m.group(1) + NBSP + "h" + (NBSP + m.group(3) if m.group(3) else ""), text)
    return text.replace("'", "\u2019")


def _bind_opening(match: re.Match[str]) -> str:
    """« and one no-break space; a blank line typed after it stays (two paragraphs are not joined)."""
    space = match.group(0)[1:]
    return "«" + NBSP + (space[space.index("\n") :] if space.count("\n") > 1 else "")


def _bind_closing(match: re.Match[str]) -> str:
    """One no-break space and »; a blank line typed before it stays."""
    space = match.group(0)[:-1]
    return (space[: space.rindex("\n") + 1] if space.count("\n") > 1 else "") + NBSP + "»"


def split_bold(text: str) -> list[tuple[str, bool]]:
    """Split ``a **b** c`` into ``[("a ", False), ("b", True), (" c", False)]``."""
    parts: list[tuple[str, bool]] = []
    pos = 0
    for match in _BOLD.finditer(text):
        if match.start() > pos:
            parts.append((text[pos : match.start()], False))
        parts.append((match.group(1), True))
        pos = match.end()
    if pos < len(text):
        parts.append((text[pos:], False))
    return parts


_LAST_SPACE = re.compile(r" (\S{1,10})$")


def no_widow(text: str) -> str:
    """Bind a short last word to the one before it, so it never stands alone on a line."""
    return _LAST_SPACE.sub(NBSP + r"\1", text.rstrip())
