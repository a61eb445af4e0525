"""NUMEN detection: is there a NUMEN in this text, however typed, and how to speak of it without quoting it.

What a NUMEN is (the ministry's structure, as public guides describe it):
13 letters and digits — a 2-digit académie code (01 to 43), a letter for the
information system (E, G, P, A…), 2 digits of the year of entry, then 8
characters of which 5 digits and 3 letters (``17 E 09 12345ABC``). So a
NUMEN has 9 digits and 4 letters and begins with two digits and a letter.

How it is found, whatever the typing:

1. The text is normalised (NFKC: full-width and other compatibility forms
   become ASCII, ``①`` becomes ``1``); invisible characters (format
   characters, combining marks, Unicode's default-ignorable code points
   such as zero-width spaces, the soft hyphen, Hangul fillers) are dropped;
   every Unicode decimal digit counts as a digit and every letter of any
   script as a letter (case and accents do not matter).
2. Every other character is a separator and is removed: spaces of every
   kind, dashes, dots, slashes, colons, ``+``, ``#``, brackets, underscores,
   apostrophes… A few characters that part values rather than a NUMEN's
   groups — ``,`` ``;`` ``@`` ``|`` — split the text into *segments*.
3. Only the sequence of classes (digit or letter) is then looked at, never
   the characters themselves, so nothing of the value is kept.

A text holds a NUMEN when one of these holds:

A. inside a segment, from two digits followed by a letter (the académie code
   and the system letter), the next 13 characters (12 when the segment ends
   first: one character left out) hold 8 to 10 digits and 3 or more letters
   — a NUMEN, give or take one mistyped, missing or extra character, with
   its last ten characters in any order;
B. a run of letters and digits with no separator, or a whole segment, is
   exactly 13 characters long with 7 or more digits, 2 or more letters, and
   is mixed: three blocks or more (digits, letters, digits or the reverse) —
   a NUMEN of another pattern, typed on its own;
C. across segments (``17E09,12345,ABC``): the exact structure — two digits, a
   letter, two digits, then 8 characters holding 5 digits and 3 letters.

Why these limits keep ordinary values working: names have no digits; e-mail
addresses carry a few (``jean.dupont2``, ``marie1985``); a phone number has
10 to 13 digits and no letter, or a label before it (``Tél 05 16 52 66 86``
is letters then digits: two blocks, rule B does not apply); a date has 8
digits and no letter; ``86000 Poitiers`` or ``rue du 8 mai 1945`` have 5
digits; ``Bât. 12 B 86000 Poitiers`` has 7 digits after ``12B``. The older
rule refused ``86000 Poitiers`` and 13-digit phone numbers (``00 33 5 16 52
66 86``): both pass now, every real NUMEN shape it caught is still caught.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence
from itertools import permutations

from .i18n import N_, _, quote

NUMEN_LENGTH = 13
# Characters that part values (list items, e-mail local part and domain),
# not the groups of one NUMEN: rules A and B stay inside them.
_SEGMENT_BREAKS = frozenset(",;@|")
# Unicode's Default_Ignorable_Code_Point ranges (DerivedCoreProperties.txt):
# drawn as nothing, so they may sit inside a NUMEN unseen. Some are letters
# (Hangul fillers), hence the explicit list beside the categories.
_IGNORABLE_RANGES = (
    (0x00AD, 0x00AD),
    (0x034F, 0x034F),
    (0x061C, 0x061C),
    (0x115F, 0x1160),
    (0x17B4, 0x17B5),
    (0x180B, 0x180F),
    (0x200B, 0x200F),
    (0x202A, 0x202E),
    (0x2060, 0x206F),
    (0x3164, 0x3164),
    (0xFE00, 0xFE0F),
    (0xFEFF, 0xFEFF),
    (0xFFA0, 0xFFA0),
    (0xFFF0, 0xFFF8),
    (0x1BCA0, 0x1BCA3),
    (0x1D173, 0x1D17A),
    (0xE0000, 0xE0FFF),
)
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Mn", "Me"})
_DIGIT, _LETTER = "9", "a"
_HEAD = re.compile(r"(?=99a)")  # académie code and system letter, every position
_STRUCTURE = re.compile(r"(?=99a99)")
HIDDEN = N_("(a value that looks like a NUMEN, not shown)")


# A name or an identifier with this many digits is no name: a NUMEN typed in two blocks
# (``Dupont 1312345678ABC``) escapes the rules above, which keep addresses and free text working.
NAME_DIGITS = 7


def holds_numen(text: str, *, name: bool = False) -> bool:
    """True when ``text`` holds a NUMEN anywhere, however it is typed (see the module docstring).

    ``name``: the text is a name or an identifier, where 7 digits or more already say NUMEN.
    """
    # Every cell of a roster comes here: one pass in C (NFKC, then each character to its
    # class) instead of a Python loop, and most cells stop at the digit count.
    normal = unicodedata.normalize("NFKC", text)
    classes = normal.translate(_CLASSES)
    if classes.count(_DIGIT) < MIN_DIGITS:
        return False
    if name and sum(ch.isdecimal() for ch in normal) >= NAME_DIGITS:
        return True
    segments = [(segment.replace(_SEPARATOR, ""), segment.split()) for segment in classes.split(_BREAK)]
    for joined, runs in segments:
        if _rule_a(joined) or any(_rule_b(unit) for unit in (joined, *runs)):
            return True
    return len(segments) > 1 and _rule_c("".join(joined for joined, _ in segments))


def is_numen_header(header: str) -> bool:
    """A column header that names the NUMEN (``NUMEN``, ``N° Numen``, ``numen_agent``…)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", header))
    return "numen" in re.sub(r"[^a-z]", "", folded.casefold())


def holds_numen_together(parts: Sequence[str]) -> bool:
    """True when values read together hold a NUMEN: all of them in order, or any two, joined with and without a space.

    ``17E123`` and ``4567ABC`` each pass ``holds_numen``; a first name and a
    family name, or a family name and an e-mail's local part, side by side
    give the whole password back.
    """
    parts = [part for part in parts if part]
    if len(parts) < 2 or not enough_digits(" ".join(parts)):
        return False
    joined = [sep.join(parts) for sep in ("", " ")]
    pairs = [sep.join(pair) for pair in permutations(parts, 2) for sep in ("", " ")]
    return any(holds_numen(text) for text in (*joined, *pairs))


def adjacent_numen(cells: Sequence[str]) -> list[int]:
    """The index of the first cell of each neighbouring pair that holds a NUMEN together, neither alone.

    Joined with and without a space: ``17E123`` beside ``4567ABC``.
    """
    found: list[int] = []
    if len(cells) < 2 or not enough_digits(" ".join(cells)):
        return found
    for i in range(len(cells) - 1):
        a, b = cells[i], cells[i + 1]
        if a and b and (holds_numen(a + b) or holds_numen(f"{a} {b}")):
            if not holds_numen(a) and not holds_numen(b):
                found.append(i)
    return found


_NO_ASCII_DIGITS = str.maketrans("", "", "0123456789")


def enough_digits(text: str) -> bool:
    """As many digits as the rules ask for at least: fewer hold no NUMEN, however joined."""
    if text.isascii():  # most rows: NFKC changes nothing, the digits are 0-9
        return len(text) - len(text.translate(_NO_ASCII_DIGITS)) >= MIN_DIGITS
    return unicodedata.normalize("NFKC", text).translate(_CLASSES).count(_DIGIT) >= MIN_DIGITS


def quoted(value: str, limit: int = 60) -> str:
    """A value quoted for a message (``'Dupont'``, Python's repr), shortened past ``limit``; never a NUMEN."""
    if holds_numen(value):
        return _(HIDDEN)
    return repr(_shortened(value, limit))


def shown(value: str, limit: int = 60) -> str:
    """``quoted`` in the reader's quotes: ``'Dupont'``, « Dupont » in French (the messages of people/)."""
    if holds_numen(value):
        return _(HIDDEN)
    return quote(_shortened(value, limit))


def _shortened(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def numen_refusal(label: str, *, line: int | None = None, at_the_desk: bool = False) -> str:
    """Why a cell or field is refused, naming where it is and never what it holds.

    ``label`` is the column header or the field name; ``line`` the roster line
    (None for a value typed at the desk or in the web form).
    """
    # Headers are the user's own words but may themselves hold a NUMEN.
    where = label if not holds_numen(label) else _("a column")
    if at_the_desk:
        message = _("{label} looks like it holds a NUMEN (a password): remove it and type the value alone")
    else:
        message = _("{label} looks like it holds a NUMEN (a password): remove it from the roster")
    message = message.format(label=where)
    return _("line {line}: {problem}").format(line=line, problem=message) if line is not None else message


# --- the rules ----------------------------------------------------------------


def _segments(text: str) -> Iterator[tuple[str, list[str]]]:
    """Each segment of ``text`` as its class string (``9`` digit, ``a`` letter) and its runs."""
    classes: list[str] = []
    runs: list[str] = []
    run: list[str] = []
    for ch in unicodedata.normalize("NFKC", text):
        if _invisible(ch):
            continue
        kind = _class(ch)
        if kind:
            classes.append(kind)
            run.append(kind)
            continue
        if run:
            runs.append("".join(run))
            run = []
        if ch in _SEGMENT_BREAKS:
            yield "".join(classes), runs
            classes, runs = [], []
    if run:
        runs.append("".join(run))
    yield "".join(classes), runs


def _invisible(ch: str) -> bool:
    if unicodedata.category(ch) in _INVISIBLE_CATEGORIES:
        return True
    code = ord(ch)
    return any(low <= code <= high for low, high in _IGNORABLE_RANGES)


def _class(ch: str) -> str:
    if unicodedata.digit(ch, None) is not None:
        return _DIGIT
    if ch.isalpha():
        return _LETTER
    return ""


_SEPARATOR, _BREAK = " ", "|"
# Fewest digits any rule asks for: rule B's 7 (A wants 8, C 9, a name 7). The class
# string counts every digit the thorough reading sees, so fewer can hold no NUMEN.
MIN_DIGITS = 7
_CACHED_CLASSES = 8192  # characters remembered; a text of rarer ones is still read, only not cached


class _ClassTable(dict[int, str | None]):
    """Code point → its class for ``str.translate``: digit, letter, separator, segment break, or dropped (None).

    Filled on first sight of each character by the same ``_invisible`` and
    ``_class`` the thorough reading uses, so both read a text alike.
    """

    def __missing__(self, code: int) -> str | None:
        ch = chr(code)
        if _invisible(ch):
            kind: str | None = None
        else:
            kind = _class(ch) or (_BREAK if ch in _SEGMENT_BREAKS else _SEPARATOR)
        if len(self) < _CACHED_CLASSES:
            self[code] = kind
        return kind


_CLASSES = _ClassTable()


def _rule_a(classes: str) -> bool:
    """A NUMEN from its head (two digits, a letter), give or take one character."""
    for match in _HEAD.finditer(classes):
        window = classes[match.start() : match.start() + NUMEN_LENGTH]
        if len(window) >= NUMEN_LENGTH - 1 and 8 <= window.count(_DIGIT) <= 10 and window.count(_LETTER) >= 3:
            return True
    return False


def _rule_b(unit: str) -> bool:
    """Exactly 13 letters and digits, mostly digits, mixed: a NUMEN of any pattern typed alone."""
    if len(unit) != NUMEN_LENGTH or unit.count(_DIGIT) < 7 or unit.count(_LETTER) < 2:
        return False
    alternations = sum(1 for a, b in zip(unit, unit[1:], strict=False) if a != b)
    return alternations >= 2  # three blocks: not a label then a number


def _rule_c(classes: str) -> bool:
    """The exact structure, across the characters that part values."""
    for match in _STRUCTURE.finditer(classes):
        tail = classes[match.start() + 5 : match.start() + NUMEN_LENGTH]
        if len(tail) == 8 and tail.count(_DIGIT) == 5:
            return True
    return False
