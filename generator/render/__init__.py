"""Writers, registered by format: each serialises a ``Sheet`` and decides nothing of what it says.

A writer is built once per ``Page`` (layout, fonts, QR codes and the parts
every person shares are prepared there) and may then serve several
threads. ``render(sheet, fmt)`` finds (or builds) the writer of the sheet's
page and returns the document's bytes; a sheet that cannot be made (too
long for its page) raises RenderError. The batch learns from this table
which formats exist, their file names, and which one makes a print file.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from ..sheet.blocks import Page, Sheet
    from ..sheet.fit import Rung

Target = str | Path | BinaryIO


class Writer(Protocol):
    format: str  # the registry key, also the files' extension
    print_file: str  # stem of the file printing every sheet of a run ("" when the format makes none)

    def to_bytes(self, sheet: Sheet) -> bytes: ...

    def write(self, sheet: Sheet, target: Target) -> None: ...

    def measure(self, sheet: Sheet, rung: Rung) -> float: ...

    def write_many(self, sheets: Iterable[Sheet], target: BinaryIO) -> int: ...


def _pdf() -> Callable[[Page], Writer]:
    from .pdf import PdfWriter

    return PdfWriter


def _docx() -> Callable[[Page], Writer]:
    from .docx import DocxWriter

    return DocxWriter


# Imported on demand, so that writing only a PDF never loads python-docx.
WRITERS: dict[str, Callable[[], Callable[..., Writer]]] = {"pdf": _pdf, "docx": _docx}
FORMATS = tuple(WRITERS)
CACHED_PAGES = 8  # writers kept (a run has one page; a web server a few procedures)

# By the page's value (a frozen dataclass): equal pages share a writer, and a key never outlives its page.
_writers: OrderedDict[tuple[str, Page], Writer] = OrderedDict()
_building = threading.Lock()


def writer(fmt: str, page: Page) -> Writer:
    """The writer of ``fmt`` for ``page``, built on first use and shared by every thread."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    key = (fmt, page)
    with _building:
        found = _writers.get(key)
        if found is None:
            # A writer met with another page (a service's own step 1) asks the registry for its writer.
            found = _writers[key] = WRITERS[fmt]()(page, sibling=lambda other: writer(fmt, other))
            while len(_writers) > CACHED_PAGES * len(WRITERS):
                _writers.popitem(last=False)
        _writers.move_to_end(key)
        return found


def render(sheet: Sheet, fmt: str) -> bytes:
    """The document of ``sheet`` in format ``fmt`` (one of FORMATS), as bytes."""
    return writer(fmt, sheet.page).to_bytes(sheet)


def print_file(fmt: str) -> str:
    """The stem of the print file of many sheets the writer of ``fmt`` makes ("" when it makes none)."""
    return str(getattr(WRITERS[fmt](), "print_file", ""))
