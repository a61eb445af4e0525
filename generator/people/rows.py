"""What a roster reader hands on: rows with their line numbers, how they were read, and whether bytes are text.

Shared by the CSV reader (files.py) and the workbook reader (workbook.py),
so that neither needs the other for its types.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

SNIFF_LINES = 5  # the header row is among the first lines (a title row or two may sit above)
Row = tuple[int, list[str]]  # (line number in the file, cells)
HeaderTest = Callable[[list[Row]], bool]  # do these first non-empty rows hold the header row?
# Control characters no roster text holds (tab, LF and CR are line and cell breaks).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class RowsRead:
    """The rows of a roster file and how they were read.

    ``rows`` is read once, as it is iterated: a roster of 200 000 rows is
    never held whole. A problem of the file found on the way (an unclosed
    quote, a workbook that cannot be read further) raises RosterError then.
    """

    rows: Iterable[Row]
    separator: str | None  # the CSV separator; None for a workbook
    where: str  # the file (and sheet) as messages name it
    warnings: list[str] = field(default_factory=list)


def is_text(sample: bytes) -> bool:
    """The start of a file is text (a CSV saved under another name), not a zip or OLE container."""
    if not sample.strip() or sample.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample.decode("utf-16", errors="replace")
    elif b"\x00" in sample:
        return False
    else:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()  # the sample may end mid-character
        try:
            text = decoder.decode(sample, final=False)
        except UnicodeDecodeError:
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return not CONTROL.search(text.rstrip("\x1a"))
