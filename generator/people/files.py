"""Roster files as offices save them: CSV (UTF-8, Windows-1252, UTF-16; ; , or tab) or XLSX → rows of cells."""

from __future__ import annotations

import codecs
import csv
import io
import re
import warnings
from pathlib import Path

from ..errors import RosterError

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Formats an office may try; each gets advice rather than "unknown extension".
_RESAVE = {".xls": "an old Excel workbook", ".ods": "a LibreOffice workbook", ".numbers": "a Numbers file"}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_UNCLOSED = 'a quote (") opens here and is never closed; the rest of the file was read as one cell'
Row = tuple[int, list[str]]  # (line number in the file, cells)


def read_rows(path: Path, sheet: str | None = None) -> tuple[list[Row], str | None]:
    """The rows, and the CSV separator (None for a workbook)."""
    if not path.exists():
        raise RosterError(f"{path}: file not found (expected a roster .csv or .xlsx file)")
    if path.is_dir():
        raise RosterError(f"{path}: is a folder (expected a roster .csv or .xlsx file)")
    suffix = path.suffix.lower()
    if suffix in _RESAVE:
        raise RosterError(f"{path}: {_RESAVE[suffix]} cannot be read; save it as .xlsx or as CSV")
    if suffix in XLSX_SUFFIXES:
        return _xlsx_rows(path, sheet), None
    if suffix in TEXT_SUFFIXES:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RosterError(f"{path}: cannot read the file ({exc.strerror})") from None
        return _csv_rows(path, _decode(path, raw))
    raise RosterError(
        f"{path}: unknown extension {path.suffix or '(none)'!r} "
        "(expected .csv or .xlsx, as a spreadsheet saves them)"
    )


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), Windows-1252 as French Excel saves, or UTF-16 with a BOM."""
    if raw.startswith(b"PK\x03\x04"):
        raise RosterError(f"{path}: this is a workbook (zipped), not CSV text; rename it to .xlsx")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(
            f"{path}: this is an old Excel (.xls) or password-protected workbook, not CSV "
            "text; save it as .xlsx without password, or as CSV"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterError(f"{path}: not valid UTF-16 text (save the roster as CSV UTF-8)") from None
    elif b"\x00" in raw:
        raise RosterError(f"{path}: not a text file (expected CSV text exported from a spreadsheet)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise RosterError(
                    f"{path}: neither UTF-8 nor Windows-1252 text (save the roster as CSV UTF-8)"
                ) from None
    text = text.rstrip("\x1a")  # the end-of-file mark some old tools add
    if _CONTROL.search(text):
        raise RosterError(
            f"{path}: not a text file: it holds control characters "
            "(expected CSV text exported from a spreadsheet)"
        )
    return text


def _csv_rows(path: Path, text: str) -> tuple[list[Row], str | None]:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return [], None
    hint = re.fullmatch(r'\s*"?sep=(.)"?\s*', lines[first])  # Excel's "sep=;" first line
    delimiter = hint.group(1) if hint else _sniff(lines[first])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            if not (hint and start == first + 1):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"{path}: line {start}: cannot read the CSV ({exc})") from None
    _check_quotes(path, text, delimiter, rows)
    return rows, delimiter


def _check_quotes(path: Path, text: str, delimiter: str, rows: list[Row]) -> None:
    """A quote opened and never closed: the csv module reads on to the end of the file as one cell.

    The telltale is a cell holding a line break and the separator (the rows it
    swallowed), or the end of the file reached inside a quote (strict parsing).
    """
    for start, cells in rows:
        for index, cell in enumerate(cells):
            if delimiter in cell and _NEWLINE.search(cell):
                raise RosterError(f"{path}: line {_cell_line(start, cells, index)}: {_UNCLOSED}")
    if '"' not in text or not rows:
        return
    strict = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True
    )
    try:
        for _ in strict:
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            start, cells = rows[-1]  # the open quote is in the last cell of the last row
            raise RosterError(
                f"{path}: line {_cell_line(start, cells, len(cells) - 1)}: {_UNCLOSED}"
            ) from None
        # any other strictness (a stray quote inside a cell) is read leniently, as spreadsheets do


def _cell_line(start: int, cells: list[str], index: int) -> int:
    """The file line on which cell ``index`` of the row starting at line ``start`` begins."""
    return start + sum(len(_NEWLINE.findall(cell)) for cell in cells[:index])


def _sniff(header: str) -> str:
    """The separator of the header line: the most frequent of ; , tab outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])  # ties keep the first: ";"
    return best if counts[best] else ";"


def _xlsx_rows(path: Path, sheet_name: str | None = None) -> list[Row]:
    import openpyxl  # only rosters need it

    unreadable = (
        f"{path}: not a readable .xlsx workbook; open it in the spreadsheet and save it "
        "again as .xlsx (or as CSV)"
    )
    try:
        with path.open("rb") as file:
            sample = file.read(65536)
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the file ({exc.strerror})") from None
    signature = sample[:4]
    if _is_text(sample):
        raise RosterError(f"{path}: this is CSV text, not an .xlsx workbook: rename it to .csv")
    if signature == b"\xd0\xcf\x11\xe0":
        raise RosterError(
            f"{path}: a password-protected workbook or an old .xls renamed; save it as .xlsx "
            "without password, or as CSV"
        )
    # openpyxl warns about styles and extensions it skips: none of them matter here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # zipfile, XML and openpyxl errors alike: the file is not usable
            raise RosterError(unreadable) from None
        try:
            if not book.worksheets:
                raise RosterError(f"{path}: the workbook has no worksheet")
            if sheet_name is not None and sheet_name not in book.sheetnames:
                raise RosterError(
                    f"{path}: no worksheet named {sheet_name!r} (found {', '.join(book.sheetnames)})"
                )
            sheet = book[sheet_name] if sheet_name is not None else book.worksheets[0]
            sheet.reset_dimensions()  # some writers record a wrong size; read every row
            return [
                (n, [_cell_text(v) for v in values])
                for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        except RosterError:
            raise
        except Exception:
            raise RosterError(unreadable) from None
        finally:
            book.close()


def _is_text(sample: bytes) -> bool:
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
    return not _CONTROL.search(text.rstrip("\x1a"))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
