"""Checks on an .xlsx before openpyxl expands it: zip bombs, DTDs, damaged archives and oversized sheets refused.

Rosters arrive by e-mail. An .xlsx is a zip of XML parts; a 1.5 MB file can
declare gigabytes of XML (a zip bomb), or one cell at ``XFD1048576`` can make
a reader yield a million rows of 16 384 cells. ``check_workbook`` reads the
zip's directory (no decompression) and refuses, within milliseconds, a
workbook whose parts are too many, too large or too compressed; it then
streams every part once, whole, with a hard byte cap: an XML part must be
UTF-8 (the only encoding in which the byte search below sees every tag) and
declare no DTD anywhere (the "billion laughs" entity expansion: no
spreadsheet writes one, and one after a long comment is found as well); rows,
cells, shared strings and the furthest column are counted in every part, so
a sheet stored under another name is bounded too. A damaged archive (bad
deflate data, bad CRC, cut short) is a RosterError, never a traceback.
Memory stays at a few megabytes whatever the file.
"""

from __future__ import annotations

import re
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import RosterError
from ..i18n import _
from ..numen import holds_numen

# A roster: at most 200 000 people (the académie's whole staff), about ten
# filled columns; a signing session is 20 to 300 rows. Limits leave room above that.
MAX_ROWS = 250_000
MAX_COLUMNS = 256  # column IV: HR exports are wide, never this wide
# 200 000 people × 10 columns. openpyxl reads about 65 000 cells a second: 5 million
# took 76 s; this bound keeps the worst accepted sheet near half a minute.
MAX_CELLS = 2_000_000
MAX_STRINGS = MAX_CELLS  # shared strings: openpyxl keeps them all in memory (~60 bytes each)
MAX_ENTRIES = 1_000  # parts in the zip; a workbook has 10 to 50
MAX_SHEET_BYTES = 256 * 1024 * 1024  # one worksheet, uncompressed (streamed, never held)
MAX_STRINGS_BYTES = 96 * 1024 * 1024  # the shared strings, held whole by the reader
MAX_OTHER_BYTES = 32 * 1024 * 1024  # styles, workbook, relationships, themes, pictures…
MAX_TOTAL_BYTES = 400 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed; XML of a real sheet compresses 5 to 50 times
RATIO_FROM = 4 * 1024 * 1024  # small parts (styles of an empty book) may compress more
_CHUNK = 1024 * 1024
_CARRY_MAX = 1024 * 1024  # a tag longer than this is not a spreadsheet's
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_DTD_OVERLAP = 9  # len(b"<!DOCTYPE"): a declaration cut between two chunks is still found
_XML_DECLARATION = re.compile(rb"\s*<\?xml\b[^>]*?\bencoding\s*=\s*[\"']([^\"']*)[\"']", re.IGNORECASE)
_UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
_PREFIX = re.compile(rb"<(\w+:)?sheetData\b")
_ROW_FAST = re.compile(rb'<row r="([0-9]{1,9})"')
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"([0-9]{1,9})\"")
_STRING = re.compile(rb"<(?:\w+:)?si[\s>/]")
# A cell reference past column IV (256): the one search per chunk that stays cheap.
_FAR_COLUMN = re.compile(rb"r=\"(?:[A-Z]{3,}|[J-Z][A-Z]|I[W-Z])[0-9]")
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,4})[0-9]{1,9}\"")
_SHEET_PART = re.compile(r"xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml", re.IGNORECASE)
_STRINGS_PART = re.compile(r"xl/sharedStrings\.xml", re.IGNORECASE)
# What a damaged archive raises while it is read: bad deflate data (zlib.error),
# a bad CRC (BadZipFile), a file cut short (EOFError, struct.error, BadZipFile).
DAMAGED = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    zlib.error,
    struct.error,
)


@dataclass(frozen=True)
class SheetSize:
    """What one worksheet part holds, as counted from its XML."""

    part: str
    rows: int  # the highest row number written
    cells: int


def check_workbook(path: str | Path) -> tuple[SheetSize, ...]:
    """Refuse (RosterError) a workbook larger than a roster can be, before any reader expands it.

    Returns the size of each part holding rows or cells. Raises for a file
    that is not a zip or is damaged, a zip bomb, too many parts, a DTD or an
    encoding other than UTF-8 in a part, or a sheet over MAX_ROWS rows,
    MAX_COLUMNS columns or MAX_CELLS cells (MAX_STRINGS shared strings).
    """
    path = Path(path)
    try:
        book = zipfile.ZipFile(path)
    except DAMAGED:  # no zip directory: renamed, or cut short
        raise RosterError(_unreadable(path)) from None
    except OSError as exc:
        raise RosterError(_cannot_read(path, exc)) from None
    try:
        with book:
            infos = book.infolist()
            _check_directory(path, infos)
            sizes = [_scan(path, book, info) for info in infos if not info.is_dir()]
            return tuple(s for s in sizes if s.rows or s.cells or _SHEET_PART.fullmatch(s.part))
    except DAMAGED:
        raise RosterError(damaged_message(path)) from None
    except OSError as exc:
        raise RosterError(_cannot_read(path, exc)) from None


def _cannot_read(path: Path, exc: OSError) -> str:
    return _("{path}: cannot read the file ({reason})").format(path=path, reason=exc.strerror or exc)


def _check_directory(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refusals from the zip's directory alone: nothing is decompressed."""
    if len(infos) > MAX_ENTRIES:
        raise RosterError(
            _too_large(
                path, _("it holds {count} parts (a workbook has a few dozen)").format(count=len(infos))
            )
        )
    total = 0
    for info in infos:
        limit = _part_limit(info.filename)
        if info.file_size > limit:
            raise RosterError(
                _too_large(
                    path,
                    _("one part expands to {size} (at most {limit} expected)").format(
                        size=_mb(info.file_size), limit=_mb(limit)
                    ),
                )
            )
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise RosterError(
                _too_large(
                    path,
                    _(
                        "one part expands {ratio} times its stored size (a zip bomb, not a spreadsheet)"
                    ).format(ratio=ratio),
                )
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise RosterError(
                _too_large(path, _("its parts expand to more than {size}").format(size=_mb(MAX_TOTAL_BYTES)))
            )


def _scan(path: Path, book: zipfile.ZipFile, info: zipfile.ZipInfo) -> SheetSize:
    """One part streamed whole with a byte cap: its encoding, no DTD anywhere, its rows and cells counted."""
    cap = min(info.file_size, _part_limit(info.filename))
    count = _Count(path, info.filename)
    read = 0
    tail = carry = b""
    with book.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            if read == 0:
                _check_encoding(path, chunk)
            read += len(chunk)
            if read > cap:  # the directory understated the part
                raise RosterError(
                    _too_large(path, _("a part expands beyond the size its directory declares"))
                )
            if _DTD.search(tail + chunk):
                raise RosterError(dtd_message(path))
            tail = chunk[-_DTD_OVERLAP:]
            data = carry + chunk
            cut = data.rfind(b">") + 1
            data, carry = data[:cut], data[cut:]
            if len(carry) > _CARRY_MAX:
                raise RosterError(_unreadable(path))
            count.add(data, first=read == len(chunk))
    return SheetSize(info.filename, count.rows, count.cells)


def _check_encoding(path: Path, start: bytes) -> None:
    """An XML part in UTF-16, UTF-32 or EBCDIC would hide its tags from the byte search: refused.

    Spreadsheets write their XML in UTF-8. The XML parsers detect those
    encodings from the first bytes (a byte-order mark, ``<`` or a NUL among
    the first four, ``<?xm`` in EBCDIC) or a declaration: each is refused.
    A picture or other binary part starts otherwise and is left to the DTD
    search alone.
    """
    body = start[3:] if start.startswith(b"\xef\xbb\xbf") else start
    wide = body[:1] in (b"<", b"\0") and b"\0" in body[:4]
    if wide or body[:2] in (b"\xff\xfe", b"\xfe\xff") or body[:4] == b"\x4c\x6f\xa7\x94":
        raise RosterError(_not_utf8(path))
    declared = _XML_DECLARATION.match(body)
    if declared and declared.group(1).lower() not in _UTF8_NAMES:
        raise RosterError(_not_utf8(path))


class _Count:
    """Rows, cells, shared strings and the furthest column of one part, counted chunk by chunk."""

    def __init__(self, path: Path, part: str) -> None:
        self.path, self.part = path, part
        self.rows = self.columns = self.cells = self.strings = 0
        self.cell_tags: tuple[bytes, ...] = (b"<c ", b"<c>", b"<c/>")
        self.row_tag, self.row_fast = b"<row", _ROW_FAST

    def add(self, data: bytes, first: bool) -> None:
        if first and (found := _PREFIX.search(data)) and found.group(1):
            prefix = found.group(1)
            self.cell_tags = tuple(b"<" + prefix + tag[1:] for tag in self.cell_tags)  # <x:c r=…>
            self.row_tag = b"<" + prefix + b"row"
            self.row_fast = re.compile(re.escape(self.row_tag) + rb' r="([0-9]{1,9})"')
        self.cells += sum(data.count(tag) for tag in self.cell_tags)
        if b"<" in data and (b"si" in data):
            self.strings += len(_STRING.findall(data))
        numbers = self.row_fast.findall(data)  # writers put r first: a literal search, fast
        if len(numbers) != data.count(self.row_tag):
            numbers = _ROW.findall(data)
        self.rows = max([self.rows, *(int(r) for r in numbers)])
        if _FAR_COLUMN.search(data):
            self.columns = max([self.columns, *(_column_number(c) for c in set(_CELL_REF.findall(data)))])
        if self.rows > MAX_ROWS or self.columns > MAX_COLUMNS or self.cells > MAX_CELLS:
            raise RosterError(_too_many(self.path, self.part, self.rows, self.columns, self.cells))
        if self.strings > MAX_STRINGS:
            what = _("more than {count} texts").format(count=_thousands(MAX_STRINGS))
            raise RosterError(_too_many_in(self.path, self.part, what))


def _part_limit(name: str) -> int:
    if _SHEET_PART.fullmatch(name):
        return MAX_SHEET_BYTES
    return MAX_STRINGS_BYTES if _STRINGS_PART.fullmatch(name) else MAX_OTHER_BYTES


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _mb(size: int) -> str:
    return _("{size} MB").format(size=f"{size / (1024 * 1024):.0f}")


def _too_large(path: Path, why: str) -> str:
    return _(
        "{path}: not read: {why}; a roster is far smaller. The file may be damaged or built to harm: "
        "open it in the spreadsheet and save it again, or export the list as CSV"
    ).format(path=path, why=why)


def _too_many(path: Path, part: str, rows: int, columns: int, cells: int) -> str:
    if rows > MAX_ROWS:
        what = _("more than {count} rows").format(count=_thousands(MAX_ROWS))
    elif columns > MAX_COLUMNS:
        what = _("a cell beyond column {column} (IV)").format(column=MAX_COLUMNS)
    else:
        what = _("more than {count} cells").format(count=_thousands(MAX_CELLS))
    return _too_many_in(path, part, what)


def _too_many_in(path: Path, part: str, what: str) -> str:
    return _(
        "{path}: not read: sheet {sheet} has {what}, more than a roster can be "
        "(at most 200 000 people of about ten columns: {cells} cells); delete what is not the list "
        "of people, or export the list as CSV"
    ).format(path=path, sheet=_part_shown(part), what=what, cells=_thousands(MAX_CELLS))


def _part_shown(part: str) -> str:
    """A part's name as messages say it (``sheet1``); one holding a NUMEN or odd characters is not repeated."""
    name = PurePosixPath(part).stem
    if holds_numen(name) or not re.fullmatch(r"[\w .-]{1,64}", name):
        return _("(a part of the workbook)")
    return name


def _thousands(number: int) -> str:
    """``250 000``: digits grouped by three, as both languages read them."""
    return f"{number:,}".replace(",", " ")


def dtd_message(path: Path) -> str:
    return _(
        "{path}: a part of the workbook declares a DTD, which spreadsheets never write "
        "(it could expand without end); save the list again as .xlsx or export it as CSV"
    ).format(path=path)


def _not_utf8(path: Path) -> str:
    return _(
        "{path}: not read: a part of the workbook is not written in UTF-8, as spreadsheets write it; "
        "open it in the spreadsheet and save it again as .xlsx, or export the list as CSV"
    ).format(path=path)


def damaged_message(path: Path) -> str:
    return _(
        "{path}: the workbook is damaged (its compressed data cannot be read back, or the file is "
        "cut short); open it in the spreadsheet and save it again as .xlsx, or export the list as CSV"
    ).format(path=path)


def _unreadable(path: Path) -> str:
    return _(
        "{path}: not a readable .xlsx workbook; open it in the spreadsheet and save it again as .xlsx (or as CSV)"
    ).format(path=path)
