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

_PDFIUM = threading.Lock()  # pdfium is not thread-safe
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Level 1: measured here on a sheet at 900 px, 4 ms and 85 KB; level 6 took 10 ms for 71 KB.
_LEVEL = 1


def page_picture(pdf: bytes, width: int = 900) -> bytes:
    """A grey PNG of the PDF's first page, ``width`` pixels wide, made in memory."""
    pixels, size, stride = _grey_pixels(pdf, width)
    return grey_png(pixels, size, stride)


def _grey_pixels(pdf: bytes, width: int) -> tuple[bytes, tuple[int, int], int]:
    """The page's pixels, one byte each (0 black … 255 white), its (width, height) and bytes per row."""
    import pypdfium2 as pdfium

    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            try:
                bitmap = page.render(scale=width / page.get_width(), grayscale=True)
                pixels = bytes(bitmap.buffer)
                return pixels, (bitmap.width, bitmap.height), bitmap.stride
            finally:
                page.close()
        finally:
            document.close()


def grey_png(pixels: bytes, size: tuple[int, int], stride: int) -> bytes:
    """An 8-bit greyscale PNG of ``pixels`` (rows of ``stride`` bytes, ``size[0]`` of them used)."""
    width, height = size
    # Each row starts with its filter type, 0 ("None"): the page is mostly white and zlib finds its runs.
    rows = b"".join(b"\0" + pixels[y * stride : y * stride + width] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, grey, deflate, no interlace
    return (
        _SIGNATURE
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(rows, _LEVEL))
        + _chunk(b"IEND", b"")
    )


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
