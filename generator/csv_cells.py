"""Cells of the CSV files the tool writes (manifest.csv, sent.csv): never a formula, and what bounds a manifest.

A bottom module: run writes the manifest, mail reads it and writes its
report, and neither needs the other for these.
"""

from __future__ import annotations

MANIFEST = "manifest.csv"
DELIMITER = ";"
BOM = "\ufeff"
MAX_BYTES = 64 * 1024 * 1024  # 100 000 rows fit well under this
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
