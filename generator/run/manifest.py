"""manifest.csv: one row per person made, with the file of each format; and what an earlier run listed."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path

from ..people.person import Person
from ..render import FORMATS
from .output import atomic_write, inside
from .worker import Made

MANIFEST = "manifest.csv"
# One column per registered format, whatever this run made: the file keeps its shape.
COLUMNS = ("row", "first_name", "last_name", "identifier", "flags", *FORMATS, "eml")
FILE_COLUMNS = (*FORMATS, "eml")


def write_manifest(out: Path, rows: Sequence[tuple[Person, Made]]) -> Path:
    """``out/manifest.csv``: each person with their flags and file names."""
    path = inside(out, MANIFEST)
    buffer = io.StringIO()
    table = csv.writer(buffer, lineterminator="\n")
    table.writerow(COLUMNS)
    for person, made in rows:
        table.writerow(
            [
                person.row,
                _cell(person.first_name),
                _cell(person.last_name),
                person.identifier,
                " ".join(person.flags),
                *(made.files.get(fmt, "") for fmt in FORMATS),
                made.eml,
            ]
        )
    with atomic_write(path) as stream:
        stream.write(buffer.getvalue().encode("utf-8"))
    return path


def _cell(value: str) -> str:
    """A name as a spreadsheet cell: never a formula (=HYPERLINK(…) in a roster)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def listed(out: Path) -> set[str]:
    """The files an earlier run's manifest.csv lists in ``out`` (none when it is missing or unreadable)."""
    try:
        with (out / MANIFEST).open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    names = {row.get(column) or "" for row in rows for column in FILE_COLUMNS}
    # Only plain file names of ours: a hand-edited manifest cannot point elsewhere.
    suffixes = {f".{column}" for column in FILE_COLUMNS}
    return {n for n in names if n and Path(n).name == n and Path(n).suffix in suffixes}
