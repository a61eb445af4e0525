"""Rosters saved as .xlsx workbooks: the sheet with the header row, read a row at a time through openpyxl."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..i18n import _
from .files import SNIFF_LINES, HeaderTest, Row, RowsRead, is_text
from .xlsx_guard import check_workbook


def xlsx_rows(path: Path, sheet_name: str | None, has_header: HeaderTest | None) -> RowsRead:
    import openpyxl  # only rosters need it

    try:
        with path.open("rb") as file:
            sample = file.read(65536)
    except OSError as exc:
        raise RosterError(
            _("{path}: cannot read the file ({reason})").format(path=path, reason=exc.strerror)
        ) from None
    if is_text(sample):
        raise RosterError(
            _("{path}: this is CSV text, not an .xlsx workbook: rename it to .csv").format(path=path)
        )
    if sample[:4] == b"\xd0\xcf\x11\xe0":
        raise RosterError(
            _(
                "{path}: a password-protected workbook or an old .xls renamed; save it as .xlsx "
                "without password, or as CSV"
            ).format(path=path)
        )
    check_workbook(path)  # a zip bomb or a sheet larger than any roster: refused before openpyxl expands it
    # openpyxl warns about styles and extensions it skips: none of them matter here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # zipfile, XML and openpyxl errors alike: the file is not usable
            raise RosterError(_unreadable(path)) from None
        try:
            read = _read_book(path, book, sheet_name, has_header)
        except RosterError:
            book.close()
            raise
        except Exception:
            book.close()
            raise RosterError(_unreadable(path)) from None
    return replace(read, rows=_book_rows(path, book, read.rows))


def _book_rows(path: Path, book: Any, rows: Iterable[Row]) -> Iterator[Row]:
    """The rows of the chosen sheet as they are read; the workbook is closed at the end (or when dropped)."""
    iterator = iter(rows)
    try:
        while True:
            # Warnings silenced for the reading of one row only: between two rows the
            # caller (another thread of the web desk too) keeps its own filters.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                row = next(iterator, None)
            if row is None:
                return
            yield row
    except RosterError:
        raise
    except Exception:
        raise RosterError(_unreadable(path)) from None
    finally:
        book.close()


def _unreadable(path: Path) -> str:
    return _(
        "{path}: not a readable .xlsx workbook; open it in the spreadsheet and save it "
        "again as .xlsx (or as CSV)"
    ).format(path=path)


def sheet_label(path: Path, name: str) -> str:
    """A workbook's sheet as messages name it: ``roster.xlsx, sheet 'Liste'``."""
    return _("{path}, sheet {sheet}").format(path=path, sheet=repr(name))


def _read_book(path: Path, book: Any, sheet_name: str | None, has_header: HeaderTest | None) -> RowsRead:
    """The chosen sheet, or the first of (active, visible ones, hidden ones) whose first rows hold the header."""
    if not book.worksheets:
        raise RosterError(_("{path}: the workbook has no worksheet").format(path=path))
    names = ", ".join(repr(n) for n in book.sheetnames)
    if sheet_name is not None:
        if sheet_name not in book.sheetnames:
            raise RosterError(
                _("{path}: no worksheet named {sheet} (found {names})").format(
                    path=path, sheet=repr(sheet_name), names=names
                )
            )
        sheet = book[sheet_name]
        return RowsRead(_sheet_rows(sheet), None, sheet_label(path, sheet.title))
    active = book.active if book.active is not None else book.worksheets[0]
    others = [s for s in book.worksheets if s is not active]
    order = [active] + [s for s in others if s.sheet_state == "visible"]
    order += [s for s in others if s.sheet_state != "visible"]
    if len(order) == 1 or has_header is None:
        return RowsRead(_sheet_rows(active), None, sheet_label(path, active.title))
    for sheet in order:
        rows = _sheet_rows(sheet)
        head: list[Row] = []
        for line, cells in rows:
            head.append((line, cells))
            if sum(1 for _n, c in head if any(x.strip() for x in c)) >= SNIFF_LINES:
                break
        if has_header([(n, c) for n, c in head if any(x.strip() for x in c)]):
            ignored = ", ".join(repr(s.title) for s in book.worksheets if s is not sheet)
            note = _(
                "{path}: read sheet {sheet}, the first with a header row (other sheets ignored: {ignored}; "
                "choose another with --sheet)"
            ).format(path=path, sheet=repr(sheet.title), ignored=ignored)
            return RowsRead(itertools.chain(head, rows), None, sheet_label(path, sheet.title), [note])
    raise RosterError(
        _(
            "{path}: no sheet has a header row (looked at {names}; expected a row naming the columns, "
            "such as Prénom;Nom;Courriel, among the first rows of a sheet)"
        ).format(path=path, names=names)
    )


def _sheet_rows(sheet: Any) -> Iterator[Row]:
    sheet.reset_dimensions()  # some writers record a wrong size; read every row
    for n, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        yield n, [_cell_text(v) for v in values]


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
