"""The library's messages on the pages: tied to a form field or a list's line by their structure, never by their words.

The library speaks French on the pages (the web sets the language per
request) and its messages already name the file, the line and the field.
The pages show them as they are, with two changes: a problem is put beside
the field (``Problem.field``) or under the line (``Problem.line``) it is
about, and the server's private folder is replaced by the name of the file
the person sent.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from pathlib import Path

from .. import Problem, holds_numen
from ..i18n import _, current_language


def quoted(label: str) -> str:
    """A name as the French pages quote it: « Nom »."""
    return f"«\u00a0{label}\u00a0»"


def quoted_character(ch: str) -> str:
    """A character as a message names it, findable again: « ★ » (U+2605); an invisible one by its code alone."""
    shown = quoted(ch) if ch.isprintable() and not ch.isspace() else _("an invisible character")
    return f"{shown} (U+{ord(ch):04X})"


# Vowels once accents are taken off (Élodie → e), with the letters of other alphabets French meets in names.
_VOWELS = frozenset("aeiouyæœøəɛɔı")


def _letters(name: str) -> str:
    """The name in lower case without its accents: only its letters' sounds matter to elision."""
    decomposed = unicodedata.normalize("NFD", name.strip().lower())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def elides(name: str) -> bool:
    """Whether French « de » elides before ``name``: « d'Anne », « d'Hélène », « d'Yves », but « de Marc », « de Yann ».

    Names take the mute h (« d'Hugo »); a y before a vowel is a consonant (« de Yasmine »).
    """
    word = _letters(name)
    if not word:
        return False
    if word[0] == "y":
        return len(word) > 1 and word[1] not in _VOWELS
    return word[0] == "h" or word[0] in _VOWELS


def of_name(name: str) -> str:
    """« de Marc Dupont », « d'Anne Dupont »: French « de » before a name, elided before a vowel sound."""
    return f"d'{name}" if elides(name) else f"de {name}"


def with_name(message: str, name: str, **values: str) -> str:
    """A translated ``message`` holding ``{name}``, filled; in French « de {name} » elides as of_name says.

    The catalog cannot choose between « de » and « d' » (it depends on the
    name), so the French sentence says « de {name} » and this fixes it.
    """
    text = message.format(name=name, **values)
    if current_language() == "fr":
        text = text.replace(f"de {name}", of_name(name))
    return text


def shown_name(filename: str) -> str:
    """The name of a sent file as the pages may repeat it: its last part, never a NUMEN."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name if name and not holds_numen(name) else _("the list")


def in_file_words(message: str, path: Path | str, name: str) -> str:
    """A message about the file at ``path`` (a private folder) naming instead the file as sent."""
    return message.replace(str(path), name) if str(path) else message


def by_line(problems: Iterable[Problem]) -> list[tuple[int | None, tuple[str, ...]]]:
    """The problems of refused rows, grouped by line in file order: (line, texts)."""
    lines: dict[int | None, list[str]] = {}
    for problem in problems:
        lines.setdefault(problem.line, []).append(problem.text)
    return [(line, tuple(texts)) for line, texts in lines.items()]
