"""The picture of a PDF's first page that the desk's pages show: rendered by pdfium in grey, written as PNG.

It is the costliest part of a desk's sheet page, made on every "Créer la
fiche": pdfium renders straight to grey (as office lasers print; half the
time of a colour render converted afterwards), and the PNG is written here
with zlib, unfiltered, at level 1 — a quarter of the time Pillow takes with
its row filters, for a file no larger. Both steps let other threads run
(pdfium and zlib release the GIL), so the pages of other users go on.
"""

from __future__ import annotations

import struct
import threading
import zlib
from typing import Any

_PDFIUM = threading.Lock()  # pdfium is not thread-safe
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Level 1: measured here on a sheet at 900 px, 4 ms and 85 KB; level 6 took 10 ms for 71 KB.
_LEVEL = 1


def page_picture(pdf: bytes, width: int = 900) -> bytes:
    """A grey PNG of the PDF's first page, ``width`` pixels wide, made in memory."""
    rows, size = _grey_rows(pdf, width)
    return grey_png(rows, size)


def png_rows(width: int, height: int) -> bytearray:
    """Room for a picture laid out as PNG stores it: each row of ``width`` bytes after one filter byte.

    Pixel (x, y) is at ``1 + y * (width + 1) + x``; one spare byte ends it.
    pdfium draws straight into it (stride ``width + 1``), so that no row is
    copied under the GIL to make room for the filter bytes.
    """
    return bytearray(1 + (width + 1) * height)


def _grey_rows(pdf: bytes, width: int) -> tuple[bytearray, tuple[int, int]]:
    """The page drawn in grey (0 black … 255 white) into ``png_rows``, and its (width, height)."""
    import ctypes

    import pypdfium2 as pdfium

    made: list[tuple[bytearray, tuple[int, int]]] = []

    def into_rows(w: int, h: int, format: int, rev_byteorder: bool = False) -> Any:  # noqa: A002 (pdfium's name)
        rows = png_rows(w, h)
        made.append((rows, (w, h)))
        room = (ctypes.c_ubyte * ((w + 1) * h)).from_buffer(rows, 1)
        return pdfium.PdfBitmap.new_native(w, h, format, rev_byteorder, buffer=room, stride=w + 1)

    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            try:
                page.render(scale=width / page.get_width(), grayscale=True, bitmap_maker=into_rows).close()
            finally:
                page.close()
        finally:
            document.close()
    return made[0]


def grey_png(rows: bytearray, size: tuple[int, int]) -> bytes:
    """An 8-bit greyscale PNG of the pixels in ``rows`` (laid out by ``png_rows``)."""
    width, height = size
    line = width + 1
    # Filter type 0 ("None") before each row, whatever the drawing left there: the page is mostly
    # white and zlib finds its runs. One C-level slice assignment, not a loop.
    rows[0 : line * height : line] = bytes(height)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, grey, deflate, no interlace
    data = zlib.compress(memoryview(rows)[: line * height], _LEVEL)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
