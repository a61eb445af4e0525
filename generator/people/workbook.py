"""Rosters saved as .xlsx workbooks: the sheet with the header row, read a row at a time through openpyxl.

openpyxl parses the parts through defusedxml (no entity expansion, no
external resource) once ``xlsx_guard`` has refused DTDs, zip bombs, damaged
archives and sheets larger than a roster. A sheet's name is the user's text:
messages quote it, except when it holds a NUMEN.
"""

from __future__ import annotations

import itertools
import os
import sys
import warnings
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import RosterError
from ..i18n import _
from ..numen import holds_numen
from .rows import SNIFF_LINES, HeaderTest, Row, RowsRead, is_text
from .xlsx_guard import DAMAGED, check_workbook, damaged_message, dtd_message


def _openpyxl() -> Any:
    """openpyxl, parsing through defusedxml; refused (RosterError) when it would not.

    openpyxl chooses its parser when first imported, from the presence of
    defusedxml and the OPENPYXL_DEFUSEDXML variable: the variable is set
    before that import, and the choice checked after it.
    """
    if "openpyxl" not in sys.modules:
        os.environ["OPENPYXL_DEFUSEDXML"] = "True"
    import openpyxl  # only rosters need it
    import openpyxl.xml.functions

    if not (openpyxl.DEFUSEDXML and openpyxl.xml.functions.iterparse.__module__.startswith("defusedxml")):
        raise RosterError(
            _(
                "workbooks cannot be read safely here: the defusedxml library is missing or turned off "
                "(OPENPYXL_DEFUSEDXML); install it, or export the list as CSV"
            )
        )
    return openpyxl


def xlsx_rows(path: Path, sheet_name: str | None, has_header: HeaderTest | None) -> RowsRead:
    openpyxl = _openpyxl()
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
        book = _load(openpyxl, path)
        try:
            read = _read_book(path, book, sheet_name, has_header)
        except RosterError:
            book.close()
            raise
        except Exception as exc:
            book.close()
            raise RosterError(_unreadable(path, exc)) from None
    return replace(read, rows=_book_rows(path, book, read.rows))


def _load(openpyxl: Any, path: Path) -> Any:
    """The workbook opened to be read a row at a time (the caller silences openpyxl's warnings)."""
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile, XML and openpyxl errors alike: the file is not usable
        raise RosterError(_unreadable(path, exc)) from None


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
    except Exception as exc:
        raise RosterError(_unreadable(path, exc)) from None
    finally:
        book.close()


def _unreadable(path: Path, exc: BaseException | None = None) -> str:
    """A workbook openpyxl could not read; damaged data, or a DTD defusedxml refused, is said as such."""
    from defusedxml import DefusedXmlException

    if _caused_by(exc, DAMAGED):
        return damaged_message(path)
    if _caused_by(exc, (DefusedXmlException,)):  # the guard refuses DTDs first: a second line of defence
        return dtd_message(path)
    return _(
        "{path}: not a readable .xlsx workbook; open it in the spreadsheet and save it "
        "again as .xlsx (or as CSV)"
    ).format(path=path)


def _caused_by(exc: BaseException | None, kinds: tuple[type[BaseException], ...]) -> bool:
    """``exc`` or an exception it was raised from or during (openpyxl wraps what it meets) is one of ``kinds``."""
    seen = 0
    while exc is not None and seen < 10:
        if isinstance(exc, kinds):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def sheet_label(path: Path, name: str) -> str:
    """A workbook's sheet as messages name it: ``roster.xlsx, sheet 'Liste'``."""
    return _("{path}, sheet {sheet}").format(path=path, sheet=sheet_shown(name))


def sheet_shown(name: str) -> str:
    """A sheet's name as messages quote it (``'Liste'``); never one holding a NUMEN."""
    return _numen_sheet() if holds_numen(name) else repr(name)


def _numen_sheet() -> str:
    return _("(a sheet whose name holds a NUMEN, not shown)")


def _names(sheets: Iterable[Any]) -> str:
    return ", ".join(sheet_shown(s.title) for s in sheets)


def _read_book(path: Path, book: Any, sheet_name: str | None, has_header: HeaderTest | None) -> RowsRead:
    """The chosen sheet, or the first of (active, visible ones, hidden ones) whose first rows hold the header."""
    sheet, head, rows = _choose_sheet(path, book, sheet_name, has_header)
    notes = []
    if head is not None:
        notes.append(
            _(
                "{path}: read sheet {sheet}, the first with a header row (other sheets ignored: {ignored}; "
                "choose another with --sheet)"
            ).format(
                path=path,
                sheet=sheet_shown(sheet.title),
                ignored=_names(s for s in book.worksheets if s is not sheet),
            )
        )
        rows = itertools.chain(head, rows)
    return RowsRead(rows, None, sheet_label(path, sheet.title), notes)


def _choose_sheet(
    path: Path, book: Any, sheet_name: str | None, has_header: HeaderTest | None
) -> tuple[Any, list[Row] | None, Iterator[Row]]:
    """The sheet to read and its rows; when it was looked for, the first rows read to find it (``head``)."""
    if not book.worksheets:
        raise RosterError(_("{path}: the workbook has no worksheet").format(path=path))
    if sheet_name is not None:
        if sheet_name not in book.sheetnames:
            raise RosterError(
                _("{path}: no worksheet named {sheet} (found {names})").format(
                    path=path, sheet=sheet_shown(sheet_name), names=_names(book.worksheets)
                )
            )
        return book[sheet_name], None, _sheet_rows(book[sheet_name])
    active = book.active if book.active is not None else book.worksheets[0]
    others = [s for s in book.worksheets if s is not active]
    order = [active] + [s for s in others if s.sheet_state == "visible"]
    order += [s for s in others if s.sheet_state != "visible"]
    if len(order) == 1 or has_header is None:
        return active, None, _sheet_rows(active)
    for sheet in order:
        rows = _sheet_rows(sheet)
        head: list[Row] = []
        for line, cells in rows:
            head.append((line, cells))
            if sum(1 for _n, c in head if any(x.strip() for x in c)) >= SNIFF_LINES:
                break
        if has_header([(n, c) for n, c in head if any(x.strip() for x in c)]):
            return sheet, head, rows
    raise RosterError(
        _(
            "{path}: no sheet has a header row (looked at {names}; expected a row naming the columns, "
            "such as Prénom;Nom;Courriel, among the first rows of a sheet)"
        ).format(path=path, names=_names(book.worksheets))
    )


def sheet_read(path: Path, has_header: HeaderTest) -> tuple[str, int] | None:
    """The name of the sheet a roster reader reads in the workbook at ``path`` and the count of sheets.

    A name holding a NUMEN is replaced by words saying so.
    For a page that says which sheet was read, after the roster was read
    (the guard has passed); None when the workbook cannot be opened.
    """
    openpyxl = _openpyxl()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
            try:
                title = _choose_sheet(path, book, None, has_header)[0].title
                return (_numen_sheet() if holds_numen(title) else title), len(book.worksheets)
            finally:
                book.close()
    except Exception:  # the reader has said what is wrong with the file
        return None


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
