"""manifest.csv: one row per person made, with their address and the file of each format; and what an earlier run listed.

The file opens in French Excel by a double click: UTF-8 with a byte order
mark, ``;`` between cells. No cell can become a formula, whatever separator
the spreadsheet assumes: a character that starts a formula is neutralised
at the start of a cell and after any character a spreadsheet may split on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ..people.person import Person
from ..render import FORMATS
from ..safe_files import SafeFileError, read_limited
from .output import atomic_write
from .worker import Made

MANIFEST = "manifest.csv"
# One column per registered format, whatever this run made: the file keeps its shape.
# ``volume`` and ``page``: where the person's sheet is in the print files (all.pdf or all-007.pdf),
# so that one lost page can be found and printed again.
COLUMNS = (
    "row",
    "first_name",
    "last_name",
    "identifier",
    "email",
    "flags",
    *FORMATS,
    "eml",
    "volume",
    "page",
)
FILE_COLUMNS = (*FORMATS, "eml")
DELIMITER = ";"
BOM = "\ufeff"
MAX_BYTES = 64 * 1024 * 1024  # 100 000 rows fit well under this
_FORMULA = "=+-@"
_SPLITS = ",;\t|\n\r"  # separators a spreadsheet may assume, and line breaks
_SEE_THROUGH = " \"'"  # a spreadsheet may trim or unquote these before reading a formula


def manifest_bytes(rows: Sequence[tuple[Person, Made]], places: Sequence[tuple[str, int]] = ()) -> bytes:
    """The manifest of ``rows``: each person with their address, flags, file names and print place.

    ``places`` gives, row by row, the print file and page of the person's sheet (empty: none).
    """
    buffer = io.StringIO()
    table = csv.writer(buffer, delimiter=DELIMITER, lineterminator="\r\n")
    table.writerow(COLUMNS)
    for index, (person, made) in enumerate(rows):
        volume, page = places[index] if index < len(places) else ("", 0)
        table.writerow(
            [
                person.row if person.row is not None else "",
                neutral(person.first_name),
                neutral(person.last_name),
                neutral(person.identifier),
                neutral(person.email),
                neutral(" ".join(person.flags)),
                *(made.files.get(fmt, "") for fmt in FORMATS),
                made.eml,
                volume,
                page or "",
            ]
        )
    return (BOM + buffer.getvalue()).encode("utf-8")


def write_manifest(
    out: Path, rows: Sequence[tuple[Person, Made]], places: Sequence[tuple[str, int]] = ()
) -> Path:
    """``out/manifest.csv`` (a symlink there is replaced, never followed)."""
    path = Path(out) / MANIFEST
    with atomic_write(path) as stream:
        stream.write(manifest_bytes(rows, places))
    return path


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


def read_rows(path: Path) -> list[dict[str, str]]:
    """The rows of a manifest (ours: ``;`` and a BOM; or a hand-saved one with ``,`` or tabs).

    Raises FileNotFoundError, SafeFileError (a link, too large), UnicodeDecodeError or csv.Error.
    """
    text = read_limited(path, MAX_BYTES).decode("utf-8-sig")
    lines = text.splitlines()
    header = lines[0] if lines else ""
    delimiter = max(";,\t", key=header.count)
    return list(csv.DictReader(lines, delimiter=delimiter))


def listed(out: Path) -> set[str]:
    """The files an earlier run's manifest.csv lists in ``out`` (none when it is missing or unreadable).

    Only a hint of what to look at: a file is removed only when the folder's
    journal shows this tool wrote it and nobody changed it since.
    """
    try:
        rows = read_rows(Path(out) / MANIFEST)
    except (OSError, SafeFileError, UnicodeDecodeError, csv.Error):
        return set()
    names = {row.get(column) or "" for row in rows for column in FILE_COLUMNS}
    # Only plain file names of ours: a hand-edited manifest cannot point elsewhere.
    suffixes = {f".{column}" for column in FILE_COLUMNS}
    return {
        n
        for n in names
        if n and "\x00" not in n and "/" not in n and "\\" not in n and Path(n).suffix in suffixes
    }
