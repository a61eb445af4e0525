"""One cell of a roster or one typed field: cleaned, and refused when no document could show it."""

from __future__ import annotations

import re
import unicodedata

from ..i18n import N_, _, ngettext, quote

# Longest values that fit on the one-page personal sheet (the writers are
# checked at these limits); an email address is at most 254 characters (RFC 5321).
MAX_FIRST_NAME = 40
MAX_FAMILY_NAME = 60  # the family name and the birth name alike
MAX_IDENTIFIER = 64
MAX_EMAIL = 254
MAX_LENGTH = {
    "first": MAX_FIRST_NAME,
    "last": MAX_FAMILY_NAME,
    "birth": MAX_FAMILY_NAME,
    "identifier": MAX_IDENTIFIER,
    "email": MAX_EMAIL,
}
NAME_FIELDS = ("first", "last", "birth")

# Field → what the cell should hold, for messages (translated where used: ``expected()``).
EXPECTED = {
    "first": N_("the person's first name"),
    "last": N_("the person's family name"),
    "birth": N_("the birth family name, when it differs"),
    "identifier": N_("the login identifier, like mdupont"),
    "email": N_("a personal address like prenom.nom@example.fr"),
    "manager": N_("the managing office"),
}
# The names make_person uses in its messages (no column to quote there); translated where used.
FIELD_LABELS = {
    "first": N_("first name"),
    "last": N_("last name"),
    "birth": N_("birth name"),
    "identifier": N_("identifier"),
    "email": N_("email"),
    "manager": N_("manager"),
}


def expected(field: str) -> str:
    """What ``field`` should hold, in the reader's language."""
    return _(EXPECTED[field])


_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
# Every line break and control character (category Cc is U+0000-U+001F and U+007F-U+009F):
# a cell without any skips the two character-by-character checks of ``defect``.
_BREAK_OR_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


# Modifier letters that Latin orthographies write as letters: the okina (Hawaiʻi,
# Oʻzbek) and the letter apostrophe; the fallback font has both.
_LATIN_MODIFIERS = "\u02bb\u02bc"


def _not_latin(ch: str) -> bool:
    return (
        unicodedata.category(ch).startswith("L")
        and not unicodedata.name(ch, "").startswith("LATIN")
        and ch not in _LATIN_MODIFIERS
    )


# Characters up to the combining marks (ASCII, Latin-1, Latin Extended, IPA) that are no
# letter of another alphabet, found by ``_not_latin`` itself; only the others are looked at.
_MAYBE_NOT_LATIN = re.compile(
    "[^" + "".join(re.escape(chr(c)) for c in range(0x370) if not _not_latin(chr(c))) + "]"
)


class _VisibleTable(dict[int, int | None]):
    """Code point → None for a format character (category Cf), else itself: for ``str.translate``."""

    def __missing__(self, code: int) -> int | None:
        kept = None if unicodedata.category(chr(code)) == "Cf" else code
        if len(self) < _CACHED_CHARACTERS:
            self[code] = kept
        return kept


_CACHED_CHARACTERS = 8192  # a text of rarer characters is still cleaned, one lookup a character
_VISIBLE = _VisibleTable()


def clean(text: str) -> str:
    """Format characters removed, NFC, every run of spaces (non-breaking, tabs, line breaks) one space.

    Format characters (Unicode category Cf) are bidi marks and overrides,
    zero-width spaces and joiners, the soft hyphen, the BOM: invisible, they
    would be drawn as "?" or kept in a file name. Control characters are not
    removed here; ``_defect`` refuses them.
    """
    if text.isascii():  # no format character, already NFC: most cells of a roster
        return " ".join(text.split())
    return " ".join(unicodedata.normalize("NFC", text.translate(_VISIBLE)).split())


def defect(raw: str, field: str, label: str, separator: str | None) -> str:
    """What makes a cell unusable before its value is even read ("" if nothing); never quotes it.

    ``separator`` is given only when the row has fewer cells than the header:
    then a separator inside a cell means a quote swallowed the next cells. A
    row of full width may hold one in a correctly quoted cell ("Bérénger,
    épouse Martin").
    """
    problem = _broken(raw, field, label)
    if problem:
        return problem
    if separator and separator in raw:
        shown = _("tab") if separator == "\t" else quote(separator)
        return _(
            "{label} holds the separator {separator}: a quote may be misplaced (expected {expected})"
        ).format(label=label, separator=shown, expected=expected(field))
    return name_defect(raw, field, label) if field in NAME_FIELDS else ""


def _broken(raw: str, field: str, label: str) -> str:
    """A line break or a control character in the cell ("" if none)."""
    if not _BREAK_OR_CONTROL.search(raw):
        return ""
    if any(ch in _LINE_BREAKS for ch in raw):
        return _("{label} holds a line break (expected {expected}, on one line)").format(
            label=label, expected=expected(field)
        )
    control = next((ch for ch in raw if unicodedata.category(ch) == "Cc" and ch != "\t"), None)
    if control is None:
        return ""
    return _(
        "{label} holds a control character ({code}), which no document can show: "
        "retype it (expected {expected})"
    ).format(label=label, code=f"U+{ord(control):04X}", expected=expected(field))


# UTF-8 read as Windows-1252: the lead byte of a two-byte letter (Ã for é è ç à…,
# Â for a no-break space or °, Ä and Å for ę ł ő š…) then a continuation byte
# (0x80-0xBF as cp1252 shows it). Dashes, quotes and the no-break space after a
# capital are left out: "ANDRÉ–MARTIN" is a name, not mojibake.
_CONTINUATION = "".join(
    bytes([b]).decode("cp1252", errors="ignore")
    for b in range(0x80, 0xC0)
    if b not in (0x91, 0x92, 0x93, 0x94, 0x96, 0x97, 0xA0)
)
_MOJIBAKE = re.compile("[?\ufffd]|[ÃÂÄÅ][" + re.escape(_CONTINUATION) + "]")
_ENCODED_WORD = re.compile(r"=\?.*\?=", re.DOTALL)  # RFC 2047: =?UTF-8?B?SmVhbg==?=
_DIGIT = re.compile(r"\d")


_SUSPECT = re.compile("[@?=\\d\ufffdÃÂÄÅ]")  # what the checks below look for, found in one pass


def name_defect(raw: str, field: str, label: str) -> str:
    """Why a name cell is no name: an '@', a digit, garbled or encoded text, another alphabet ("" if none)."""
    if _SUSPECT.search(raw) is None:
        return _other_alphabet(raw, field, label)
    if "@" in raw:
        return _("{label} holds an '@': the columns may be shifted (expected {expected})").format(
            label=label, expected=expected(field)
        )
    problem = _other_alphabet(raw, field, label)
    if problem:
        return problem
    if _ENCODED_WORD.search(raw):
        return _(
            "{label} holds an encoded e-mail header (=?…?=), not letters: copy the name as it reads "
            "(expected {expected})"
        ).format(label=label, expected=expected(field))
    if _MOJIBAKE.search(raw):
        return _(
            "{label} holds garbled characters (?, \ufffd or Ã© instead of é): the list was saved in the "
            'wrong encoding; save it as "CSV UTF-8" or .xlsx, or retype the name '
            "(expected {expected})"
        ).format(label=label, expected=expected(field))
    if _DIGIT.search(raw):
        return _("{label} holds a digit: a name has none (expected {expected})").format(
            label=label, expected=expected(field)
        )
    return ""


def _other_alphabet(raw: str, field: str, label: str) -> str:
    """A letter of another alphabet than the Latin one ("" if none)."""
    if any(_not_latin(ch) for ch in _MAYBE_NOT_LATIN.findall(raw)):
        # The sheets print Latin letters only (the embedded font has no others),
        # and the directory builds the identifier from the Latin spelling.
        return _(
            "{label} has letters outside the Latin alphabet "
            "(expected {expected} in Latin letters, as on the contract)"
        ).format(label=label, expected=expected(field))
    return ""


SHOWN_LINES = 10  # line numbers named in one message; the rest are counted


def line_list(numbers: list[int], ranges: bool = True) -> str:
    """``line 4`` / ``lines 4, 6 and 9-12`` (``ranges=False``: each line named)."""
    spans: list[list[int]] = []
    for n in numbers:
        if ranges and spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in spans]
    if len(parts) == 1:
        text = parts[0]
    elif len(parts) > SHOWN_LINES:
        # A message stays one readable line however many rows it speaks of.
        rest = len(parts) - SHOWN_LINES
        text = ngettext("{items} and {n} more", "{items} and {n} more", rest).format(
            items=", ".join(parts[:SHOWN_LINES]), n=rest
        )
    else:
        text = _("{items} and {last}").format(items=", ".join(parts[:-1]), last=parts[-1])
    return ngettext("line {lines}", "lines {lines}", len(numbers)).format(lines=text)
