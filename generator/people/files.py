"""Roster files as offices save them: CSV (UTF-8, Windows-1252, UTF-16; ; , or tab) or XLSX → rows of cells."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from pathlib import Path

from ..errors import RosterError
from ..i18n import N_, _
from ..numen import holds_numen
from .rows import CONTROL, SNIFF_LINES, HeaderTest, Row, RowsRead

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Formats an office may try; each gets advice rather than "unknown extension".
_RESAVE = {
    ".xls": N_("an old Excel workbook"),
    ".ods": N_("a LibreOffice workbook"),
    ".numbers": N_("a Numbers file"),
}
_NEWLINE = re.compile(r"\r\n|\r|\n")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")  # a line with its end, as csv reads them
SEPARATORS = (";", ",", "\t")
# The most rows with something in them a reader takes here, when a caller sets it (the web's
# signing sessions); None: as many as the file holds (the command line streams 200 000 people).
_MAX_ROWS: ContextVar[int | None] = ContextVar("max_rows", default=None)


@contextmanager
def row_limit(max_rows: int | None) -> Iterator[None]:
    """Within the block, every roster read in this thread (or task) stops past ``max_rows`` rows."""
    token = _MAX_ROWS.set(max_rows)
    try:
        yield
    finally:
        _MAX_ROWS.reset(token)


def _unclosed() -> str:
    return _('a quote (") opens here and is never closed; the rest of the file was read as one cell')


def read_rows(
    path: Path,
    sheet: str | None = None,
    has_header: HeaderTest | None = None,
    max_rows: int | None = None,
) -> RowsRead:
    """The rows of a roster, read as its extension says; of a workbook, the sheet with the header row.

    ``sheet`` chooses a workbook's sheet by name; otherwise the active sheet is
    read when ``has_header`` finds the header row among its first rows, else
    the next sheet that has one. ``max_rows`` (or else the ``row_limit`` in
    force) bounds the rows with something in them: past it, reading the rows
    raises RosterError naming the file and the limit.
    """
    read = _read_rows(path, sheet, has_header)
    limit = max_rows if max_rows is not None else _MAX_ROWS.get()
    return read if limit is None else replace(read, rows=_capped(read.where, read.rows, limit))


def _capped(where: str, rows: Iterable[Row], limit: int) -> Iterator[Row]:
    """``rows`` as they are, then RosterError once more than ``limit`` of them hold something."""
    filled = 0
    try:
        for line, cells in rows:
            if any(cells):
                filled += 1
                if filled > limit:
                    raise RosterError(
                        _(
                            "{where}: not read: more than {count} rows, the most a list sent here can have; "
                            "split it into several files, or make the sheets on the command line "
                            "(personalise), which has no such limit"
                        ).format(where=where, count=f"{limit:,}".replace(",", " "))
                    )
            yield line, cells
    finally:
        close = getattr(rows, "close", None)  # a workbook's rows: the workbook is closed now
        if close is not None:
            close()


def _read_rows(path: Path, sheet: str | None, has_header: HeaderTest | None) -> RowsRead:
    if not path.exists():
        raise RosterError(
            _("{path}: file not found (expected a roster .csv or .xlsx file)").format(path=path)
        )
    if path.is_dir():
        raise RosterError(_("{path}: is a folder (expected a roster .csv or .xlsx file)").format(path=path))
    suffix = path.suffix.lower()
    if suffix in _RESAVE:
        raise RosterError(
            _("{path}: {what} cannot be read; save it as .xlsx or as CSV").format(
                path=path, what=_(_RESAVE[suffix])
            )
        )
    if suffix in XLSX_SUFFIXES:
        from .workbook import xlsx_rows  # only workbooks need openpyxl

        return xlsx_rows(path, sheet, has_header)
    if suffix in TEXT_SUFFIXES:
        if sheet is not None:
            raise RosterError(
                _(
                    "{path}: --sheet {sheet} names a sheet, but a CSV file has none (expected an .xlsx workbook)"
                ).format(
                    path=path, sheet=_("(a name holding a NUMEN)") if holds_numen(sheet) else repr(sheet)
                )
            )
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RosterError(
                _("{path}: cannot read the file ({reason})").format(path=path, reason=exc.strerror)
            ) from None
        rows, separator = _csv_rows(path, _decode(path, raw))
        return RowsRead(rows, separator, str(path))
    raise RosterError(
        _("{path}: unknown extension {suffix} (expected .csv or .xlsx, as a spreadsheet saves them)").format(
            path=path, suffix=repr(path.suffix) if path.suffix else _("(none)")
        )
    )


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), Windows-1252 as French Excel saves, or UTF-16 with a BOM."""
    if raw.startswith(b"PK\x03\x04"):
        raise RosterError(
            _("{path}: this is a workbook (zipped), not CSV text; rename it to .xlsx").format(path=path)
        )
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(
            _(
                "{path}: this is an old Excel (.xls) or password-protected workbook, not CSV "
                "text; save it as .xlsx without password, or as CSV"
            ).format(path=path)
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterError(
                _("{path}: not valid UTF-16 text (save the roster as CSV UTF-8)").format(path=path)
            ) from None
    elif b"\x00" in raw:
        raise RosterError(
            _("{path}: not a text file (expected CSV text exported from a spreadsheet)").format(path=path)
        )
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise RosterError(
                    _("{path}: neither UTF-8 nor Windows-1252 text (save the roster as CSV UTF-8)").format(
                        path=path
                    )
                ) from None
    text = text.rstrip("\x1a")  # the end-of-file mark some old tools add
    if CONTROL.search(text):
        raise RosterError(
            _(
                "{path}: not a text file: it holds control characters "
                "(expected CSV text exported from a spreadsheet)"
            ).format(path=path)
        )
    return text


def _csv_rows(path: Path, text: str) -> tuple[Iterator[Row], str | None]:
    lines = _head_lines(text)
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return iter(()), None
    hint = re.fullmatch(r'\s*"?sep=(.)"?\s*', lines[first])  # Excel's "sep=;" first line
    if hint:
        delimiter = hint.group(1)
    else:
        delimiter = _sniff(path, [line for line in lines[first:] if line.strip()][:SNIFF_LINES])
    return _csv_stream(path, text, delimiter, first + 1 if hint else 0), delimiter


def _head_lines(text: str) -> list[str]:
    """The first lines of ``text`` (``str.splitlines``), enough to hold SNIFF_LINES non-empty ones."""
    size = 1 << 16
    while True:
        lines = text[:size].splitlines()
        if size >= len(text):
            return lines
        lines.pop()  # it may be cut
        if sum(1 for line in lines if line.strip()) > SNIFF_LINES:
            return lines
        size *= 4


def text_lines(text: str) -> Iterator[str]:
    """Each line of ``text`` with its line end (\\r\\n, \\r or \\n), for csv.reader: no copy of the text is made."""
    return (match.group() for match in _LINE.finditer(text))


def _csv_stream(path: Path, text: str, delimiter: str, hint_line: int) -> Iterator[Row]:
    """The rows of the CSV text, each with the line it starts on (the ``sep=`` line left out)."""
    reader = csv.reader(text_lines(text), delimiter=delimiter, skipinitialspace=True)
    last: Row | None = None
    start = 1
    try:
        for cells in reader:
            if start != hint_line:
                _check_row_quotes(path, delimiter, start, cells)
                last = (start, cells)
                yield last
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(
            _("{path}: line {line}: cannot read the CSV ({reason})").format(path=path, line=start, reason=exc)
        ) from None
    _check_end(path, text, delimiter, last)


def _check_row_quotes(path: Path, delimiter: str, start: int, cells: list[str]) -> None:
    """A quote opened and never closed: the csv module reads on to the end of the file as one cell.

    The telltale is a cell holding a line break and the separator (the rows it swallowed).
    """
    for index, cell in enumerate(cells):
        if delimiter in cell and _NEWLINE.search(cell):
            raise RosterError(
                _("{path}: line {line}: {problem}").format(
                    path=path, line=_cell_line(start, cells, index), problem=_unclosed()
                )
            )


def _check_end(path: Path, text: str, delimiter: str, last: Row | None) -> None:
    """The end of the file reached inside a quote (strict parsing): the quote opens in the last row."""
    if '"' not in text or last is None:
        return
    strict = csv.reader(text_lines(text), delimiter=delimiter, skipinitialspace=True, strict=True)
    try:
        for _row in strict:
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            start, cells = last
            raise RosterError(
                _("{path}: line {line}: {problem}").format(
                    path=path, line=_cell_line(start, cells, len(cells) - 1), problem=_unclosed()
                )
            ) from None
        # any other strictness (a stray quote inside a cell) is read leniently, as spreadsheets do


def _cell_line(start: int, cells: list[str], index: int) -> int:
    """The file line on which cell ``index`` of the row starting at line ``start`` begins."""
    return start + sum(len(_NEWLINE.findall(cell)) for cell in cells[:index])


def _sniff(path: Path, lines: list[str]) -> str:
    """The separator of the first lines: the most frequent of ; , tab outside quotes.

    A title row above the header may hold none; when no line holds any, the
    file uses a separator the tool does not read ("|", ":"…): say so, rather
    than "no header row".
    """
    unquoted = [re.sub(r'"[^"]*"', "", line) for line in lines]
    counts = {sep: sum(line.count(sep) for line in unquoted) for sep in SEPARATORS}
    best = max(counts, key=lambda sep: counts[sep])  # ties keep the first: ";"
    if counts[best]:
        return best
    others = [ch for ch in "".join(unquoted) if not (ch.isalnum() or ch.isspace() or ch in "'-_.")]
    seen = max(set(others), key=others.count) if others else ""
    found = _(" (the file seems to use {separator})").format(separator=repr(seen)) if seen else ""
    raise RosterError(
        _(
            "{path}: the separator was not recognised{found}: expected ; or , or a tab between the "
            "columns (save the roster from the spreadsheet as CSV, or as .xlsx)"
        ).format(path=path, found=found)
    )
