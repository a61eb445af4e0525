"""Cells of the CSV files the tool writes (manifest.csv, sent.csv): never a formula, and what bounds a manifest.

A bottom module: run writes the manifest, mail reads it and writes its
report, and neither needs the other for these.
"""

from __future__ import annotations

from collections.abc import Sequence

MANIFEST = "manifest.csv"
DELIMITER = ";"
BOM = "\ufeff"
MAX_BYTES = 64 * 1024 * 1024  # 100 000 rows fit well under this
# The manifest is read by the office in Excel: its headers and flags are French words; the code
# reads it by keys (the English words an earlier version wrote, still read). Columns not named
# here (the formats, eml, volume, page) are the same word in both.
HEADERS = {
    "row": "ligne",
    "first_name": "prénom",
    "last_name": "nom",
    "identifier": "identifiant",
    "email": "adresse",
    "manager": "service",
    "flags": "indicateurs",
}
FLAG_WORDS = {
    "homonym": "homonyme",
    "birth-name": "nom-de-naissance",
    "identifier-given": "identifiant-fourni",
    "unsure": "à-confirmer",
}
_KEY_OF = {header: key for key, header in HEADERS.items()}
_FLAG_OF = {word: flag for flag, word in FLAG_WORDS.items()}
_FORMULA = "=+-@"
_SPLITS = ",;\t|\n\r"  # separators a spreadsheet may assume, and line breaks
_SEE_THROUGH = " \"'"  # a spreadsheet may trim or unquote these before reading a formula


def neutral(value: str) -> str:
    """``value`` as a spreadsheet cell that is never a formula (=HYPERLINK(…), ``Dupont;=1+1``)."""
    out: list[str] = []
    at_start = True
    for char in value:
        if at_start and char in _FORMULA:
            out.append("'")
            at_start = False
        elif char in _SPLITS:
            at_start = True
        elif char not in _SEE_THROUGH:
            at_start = False
        out.append(char)
    return "".join(out)


def key_of(header: str) -> str:
    """The key a manifest's column is read by, its header French or English: ``prénom`` → ``first_name``."""
    header = header.strip()
    return _KEY_OF.get(header, header)


def flag_words(flags: Sequence[str]) -> str:
    """The flags as the manifest writes them, in French: ``homonym unsure`` → ``homonyme à-confirmer``."""
    return " ".join(FLAG_WORDS.get(flag, flag) for flag in flags)


def flags_of(cell: str) -> tuple[str, ...]:
    """The flags a manifest's cell names, in French or in English, as the code names them."""
    return tuple(_FLAG_OF.get(word, word) for word in cell.split())
