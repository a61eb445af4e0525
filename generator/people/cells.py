"""One cell of a roster or one typed field: cleaned, and refused when no document could show it."""

from __future__ import annotations

import unicodedata

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

# Field → what the cell should hold, for messages.
EXPECTED = {
    "first": "the person's first name",
    "last": "the person's family name",
    "birth": "the birth family name, when it differs",
    "identifier": "the login identifier, like mdupont",
    "email": "a personal address like prenom.nom@example.fr",
    "manager": "the managing office",
}
# The names person_from_fields uses in its messages (no column to quote there).
FIELD_LABELS = {
    "first": "first name",
    "last": "last name",
    "birth": "birth name",
    "identifier": "identifier",
    "email": "email",
    "manager": "manager",
}

_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")


def clean(text: str) -> str:
    """Format characters removed, NFC, every run of spaces (non-breaking, tabs, line breaks) one space.

    Format characters (Unicode category Cf) are bidi marks and overrides,
    zero-width spaces and joiners, the soft hyphen, the BOM: invisible, they
    would be drawn as "?" or kept in a file name. Control characters are not
    removed here; ``_defect`` refuses them.
    """
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFC", visible).split())


def defect(raw: str, field: str, label: str, separator: str | None) -> str:
    """What makes a cell unusable before its value is even read ("" if nothing); never quotes it."""
    expected = EXPECTED[field]
    if any(ch in _LINE_BREAKS for ch in raw):
        return f"{label} holds a line break (expected {expected}, on one line)"
    control = next((ch for ch in raw if unicodedata.category(ch) == "Cc" and ch != "\t"), None)
    if control is not None:
        return (
            f"{label} holds a control character (U+{ord(control):04X}), which no document can show: "
            f"retype it (expected {expected})"
        )
    if separator and separator in raw:
        shown = "tab" if separator == "\t" else repr(separator)
        return f"{label} holds the separator {shown}: a quote may be misplaced (expected {expected})"
    if field in NAME_FIELDS and "@" in raw:
        return f"{label} holds an '@': the columns may be shifted (expected {expected})"
    if field in NAME_FIELDS and any(_not_latin(ch) for ch in raw):
        # The sheets print Latin letters only (the embedded font has no others),
        # and the directory builds the identifier from the Latin spelling.
        return f"{label} has letters outside the Latin alphabet (expected {expected} in Latin letters, as on the contract)"
    return ""


def _not_latin(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and not unicodedata.name(ch, "").startswith("LATIN")


def line_list(numbers: list[int], ranges: bool = True) -> str:
    """``line 4`` / ``lines 4, 6 and 9-12`` (``ranges=False``: each line named)."""
    spans: list[list[int]] = []
    for n in numbers:
        if ranges and spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in spans]
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"line {text}" if len(numbers) == 1 else f"lines {text}"
