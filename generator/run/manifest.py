"""manifest.csv: one row per person made, with their address and the file of each format; and what an earlier run listed.

The file opens in French Excel by a double click: UTF-8 with a byte order
mark, ``;`` between cells, French headers and flags (``ligne;prénom;…``,
``homonyme``); a manifest with an earlier version's English ones is still read. No cell can become a formula, whatever separator
the spreadsheet assumes: a character that starts a formula is neutralised
at the start of a cell and after any character a spreadsheet may split on.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

from ..csv_cells import BOM, DELIMITER, HEADERS, MANIFEST, MAX_BYTES, flag_words, flags_of, key_of, neutral
from ..file_errors import SafeFileError
from ..output import atomic_write
from ..people.files import text_lines
from ..people.person import Person
from ..render import FORMATS
from ..safe_files import read_limited
from .worker import Made

# The keys the code reads a manifest by. One column per registered format, whatever this run
# made: the file keeps its shape. ``volume`` and ``page``: where the person's sheet is in the
# print files (all.pdf or all-007.pdf), so that one lost page can be found and printed again.
KEYS = (
    "row",
    "first_name",
    "last_name",
    "identifier",
    "email",
    "manager",  # the service gestionnaire's id in the procedure ("" when the roster names none)
    "flags",
    *FORMATS,
    "eml",
    "volume",
    "page",
)
COLUMNS = tuple(HEADERS.get(key, key) for key in KEYS)
FILE_COLUMNS = (*FORMATS, "eml")


class ManifestWriter:
    """manifest.csv written a row at a time, as the sheets are made: nothing per person is held.

    ``stream`` is a binary file opened by the caller (a new file in the
    staging folder). The BOM and the header row come first.
    """

    def __init__(self, stream: BinaryIO) -> None:
        self.text = io.TextIOWrapper(stream, encoding="utf-8", newline="", write_through=False)
        self.text.write(BOM)
        self.table = csv.writer(self.text, delimiter=DELIMITER, lineterminator="\r\n")
        self.table.writerow(COLUMNS)

    def add(self, person: Person, made: Made, volume: str = "", page: int = 0) -> None:
        """One person made: their address, flags, file names and print place (``volume`` "": none)."""
        self.table.writerow(
            [
                person.row if person.row is not None else "",
                neutral(person.first_name),
                neutral(person.last_name),
                neutral(person.identifier),
                neutral(person.email),
                neutral(person.manager),
                neutral(flag_words(person.flags)),
                *(made.files.get(fmt, "") for fmt in FORMATS),
                made.eml,
                volume,
                page or "",
            ]
        )

    def close(self) -> None:
        self.text.flush()
        self.text.detach()


def replace_places(path: Path, place: Callable[[int], tuple[str, int]]) -> None:
    """Give every row of the manifest at ``path`` (one this run is writing) the print place ``place(index)``.

    Read and written a row at a time, for a run whose print files had to be
    made again without the rows refused on the way.
    """
    volume, page = COLUMNS.index("volume"), COLUMNS.index("page")
    with atomic_write(path, durable=False) as target:
        # Closed before atomic_write renames over it: Windows refuses to replace an open file.
        with open(path, encoding="utf-8-sig", newline="") as source:
            manifest = ManifestWriter(target)
            rows = csv.reader(source, delimiter=DELIMITER)
            next(rows)  # the header, written again by ManifestWriter
            for index, cells in enumerate(rows):
                cells[volume], number = place(index)
                cells[page] = str(number) if number else ""
                manifest.table.writerow(cells)
            manifest.close()


def read_rows(path: Path) -> Iterator[dict[str, str]]:
    """The rows of a manifest (ours: ``;`` and a BOM; or a hand-saved one with ``,`` or tabs), one at a time.

    Each row is keyed by KEYS and its flags named as the code names them,
    whether the file has French headers (ours) or an earlier version's English ones.
    Raises FileNotFoundError, SafeFileError (a link, too large), UnicodeDecodeError or csv.Error.
    """
    text = read_limited(path, MAX_BYTES).decode("utf-8-sig")
    header = text.partition("\n")[0]
    delimiter = max(";,\t", key=header.count)
    reader = csv.DictReader(text_lines(text), delimiter=delimiter)
    reader.fieldnames = [key_of(name) for name in reader.fieldnames or []]
    for row in reader:
        if row.get("flags") is not None:
            row["flags"] = " ".join(flags_of(row["flags"]))
        yield row


def listed(out: Path) -> set[str]:
    """The files an earlier run's manifest.csv lists in ``out`` (none when it is missing or unreadable).

    Only a hint of what to look at: a file is removed only when the folder's
    journal shows this tool wrote it and nobody changed it since.
    """
    try:
        names = {row.get(column) or "" for row in read_rows(Path(out) / MANIFEST) for column in FILE_COLUMNS}
    except (OSError, SafeFileError, UnicodeDecodeError, csv.Error):
        return set()
    # Only plain file names of ours: a hand-edited manifest cannot point elsewhere.
    suffixes = {f".{column}" for column in FILE_COLUMNS}
    return {
        n
        for n in names
        if n and "\x00" not in n and "/" not in n and "\\" not in n and Path(n).suffix in suffixes
    }
