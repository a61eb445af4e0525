"""Size checks on an .xlsx before openpyxl expands it: zip bombs and sheets larger than any roster are refused.

Rosters arrive by e-mail. An .xlsx is a zip of XML parts; a 1.5 MB file can
declare gigabytes of XML (a zip bomb), or one cell at ``XFD1048576`` can make
a reader yield a million rows of 16 384 cells. ``check_workbook`` reads the
zip's directory (no decompression) and refuses, within milliseconds, a
workbook whose parts are too many, too large or too compressed; it then
streams each worksheet once with a hard byte cap, counting rows, cells and the
furthest column, and refuses a sheet larger than a roster can be. XML parts
declaring a DTD (the "billion laughs" entity expansion) are refused too: no
spreadsheet writes one. Memory stays at a few megabytes whatever the file.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..errors import RosterError

# A roster: at most 200 000 people (the académie's whole staff), a few dozen
# columns; a signing session is 20 to 300 rows. Limits leave room above that.
MAX_ROWS = 250_000
MAX_COLUMNS = 256  # column IV: HR exports are wide, never this wide
MAX_CELLS = 5_000_000  # 200 000 rows × 25 filled columns
MAX_ENTRIES = 1_000  # parts in the zip; a workbook has 10 to 50
MAX_SHEET_BYTES = 400 * 1024 * 1024  # one worksheet or the shared strings, uncompressed
MAX_OTHER_BYTES = 32 * 1024 * 1024  # styles, workbook, relationships, themes…
MAX_TOTAL_BYTES = 600 * 1024 * 1024
MAX_RATIO = 200  # uncompressed / compressed; XML of a real sheet compresses 5 to 50 times
RATIO_FROM = 4 * 1024 * 1024  # small parts (styles of an empty book) may compress more
_CHUNK = 1024 * 1024
_CARRY_MAX = 1024 * 1024  # a tag longer than this is not a spreadsheet's
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_PREFIX = re.compile(rb"<(\w+:)?sheetData\b")
_ROW_FAST = re.compile(rb'<row r="([0-9]{1,9})"')
_ROW = re.compile(rb"<(?:\w+:)?row\b[^>]*?\br=\"([0-9]{1,9})\"")
# A cell reference past column IV (256): the one search per chunk that stays cheap.
_FAR_COLUMN = re.compile(rb"r=\"(?:[A-Z]{3,}|[J-Z][A-Z]|I[W-Z])[0-9]")
_CELL_REF = re.compile(rb"\br=\"([A-Z]{1,4})[0-9]{1,9}\"")
_SHEET_PART = re.compile(r"xl/(?:worksheets|chartsheets|dialogsheets|macrosheets)/[^/]+\.xml", re.IGNORECASE)
_STRINGS_PART = re.compile(r"xl/sharedStrings\.xml", re.IGNORECASE)


@dataclass(frozen=True)
class SheetSize:
    """What one worksheet part holds, as counted from its XML."""

    part: str
    rows: int  # the highest row number written
    cells: int


def check_workbook(path: str | Path) -> tuple[SheetSize, ...]:
    """Refuse (RosterError) a workbook larger than a roster can be, before any reader expands it.

    Returns the size of each worksheet. Raises for a file that is not a zip, a
    zip bomb, too many parts, a DTD in a part, or a sheet over MAX_ROWS rows,
    MAX_COLUMNS columns or MAX_CELLS cells.
    """
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as book:
            infos = book.infolist()
            _check_directory(path, infos)
            sizes = []
            for info in infos:
                if info.is_dir():
                    continue
                sheet = bool(_SHEET_PART.fullmatch(info.filename))
                size = _scan(path, book, info, sheet)
                if size is not None:
                    sizes.append(size)
            return tuple(sizes)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError):
        raise RosterError(_unreadable(path)) from None
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the file ({exc.strerror or exc})") from None


def _check_directory(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Refusals from the zip's directory alone: nothing is decompressed."""
    if len(infos) > MAX_ENTRIES:
        raise RosterError(_too_large(path, f"it holds {len(infos)} parts (a workbook has a few dozen)"))
    total = 0
    for info in infos:
        limit = MAX_SHEET_BYTES if _is_big_part(info.filename) else MAX_OTHER_BYTES
        if info.file_size > limit:
            raise RosterError(
                _too_large(path, f"one part expands to {_mb(info.file_size)} (at most {_mb(limit)} expected)")
            )
        if info.file_size > RATIO_FROM and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            ratio = info.file_size // max(info.compress_size, 1)
            raise RosterError(
                _too_large(
                    path, f"one part expands {ratio} times its stored size (a zip bomb, not a spreadsheet)"
                )
            )
        total += info.file_size
        if total > MAX_TOTAL_BYTES:
            raise RosterError(_too_large(path, f"its parts expand to more than {_mb(MAX_TOTAL_BYTES)}"))


def _scan(path: Path, book: zipfile.ZipFile, info: zipfile.ZipInfo, sheet: bool) -> SheetSize | None:
    """No DTD at the start of any part; a worksheet streamed whole with a byte cap, counting its size."""
    with book.open(info) as stream:
        if _DTD.search(stream.read(4096)):
            raise RosterError(
                f"{path}: a part of the workbook declares a DTD, which spreadsheets never write "
                "(it could expand without end); save the list again as .xlsx or export it as CSV"
            )
    if not sheet:
        return None
    cap = min(info.file_size, MAX_SHEET_BYTES)
    rows = columns = cells = read = 0
    carry = b""
    cell_tags: tuple[bytes, ...] = (b"<c ", b"<c>", b"<c/>")
    row_tag, row_fast = b"<row", _ROW_FAST
    with book.open(info) as stream:
        while chunk := stream.read(_CHUNK):
            read += len(chunk)
            if read > cap:  # the directory understated the part
                raise RosterError(_too_large(path, "a part expands beyond the size its directory declares"))
            data = carry + chunk
            cut = data.rfind(b">") + 1
            data, carry = data[:cut], data[cut:]
            if len(carry) > _CARRY_MAX:
                raise RosterError(_unreadable(path))
            if read == len(chunk) and (found := _PREFIX.search(data)) and found.group(1):
                cell_tags = tuple(b"<" + found.group(1) + tag[1:] for tag in cell_tags)  # <x:c r=…>
                row_tag = b"<" + found.group(1) + b"row"
                row_fast = re.compile(re.escape(row_tag) + rb' r="([0-9]{1,9})"')
            cells += sum(data.count(tag) for tag in cell_tags)
            numbers = row_fast.findall(data)  # writers put r first: a literal search, fast
            if len(numbers) != data.count(row_tag):
                numbers = _ROW.findall(data)
            rows = max([rows, *(int(r) for r in numbers)])
            if _FAR_COLUMN.search(data):
                columns = max([columns, *(_column_number(c) for c in set(_CELL_REF.findall(data)))])
            if rows > MAX_ROWS or columns > MAX_COLUMNS or cells > MAX_CELLS:
                raise RosterError(_too_many(path, info.filename, rows, columns, cells))
    return SheetSize(info.filename, rows, cells)


def _is_big_part(name: str) -> bool:
    return bool(_SHEET_PART.fullmatch(name) or _STRINGS_PART.fullmatch(name))


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _too_large(path: Path, why: str) -> str:
    return (
        f"{path}: not read: {why}; a roster is far smaller. The file may be damaged or built to harm: "
        "open it in the spreadsheet and save it again, or export the list as CSV"
    )


def _too_many(path: Path, part: str, rows: int, columns: int, cells: int) -> str:
    if rows > MAX_ROWS:
        what = f"more than {MAX_ROWS:,} rows".replace(",", " ")
    elif columns > MAX_COLUMNS:
        what = f"a cell beyond column {MAX_COLUMNS} (IV)"
    else:
        what = f"more than {MAX_CELLS:,} cells".replace(",", " ")
    return (
        f"{path}: not read: sheet {PurePosixPath(part).stem} has {what}, more than a roster can be "
        "(at most 200 000 people, a few dozen columns); delete what is not the list of people, "
        "or export the list as CSV"
    )


def _unreadable(path: Path) -> str:
    return (
        f"{path}: not a readable .xlsx workbook; open it in the spreadsheet and save it again as .xlsx "
        "(or as CSV)"
    )
