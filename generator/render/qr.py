"""QR codes: the only importer of ``qrcode``. Each address is encoded once per run."""

from __future__ import annotations

import io
from functools import lru_cache

import qrcode
import qrcode.constants

QUIET_ZONE = 4  # modules, as the QR standard asks
Matrix = tuple[tuple[bool, ...], ...]


@lru_cache(maxsize=64)
def matrix(url: str) -> Matrix:
    """The dark modules of a full QR code (error correction M), without quiet zone."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=0)
    code.add_data(url)
    code.make(fit=True)
    return tuple(tuple(bool(cell) for cell in row) for row in code.get_matrix())


def dark_runs(m: Matrix) -> list[tuple[int, int, int]]:
    """Horizontal runs of dark modules as ``(row, first column, length)``.

    Drawing runs instead of single modules keeps the vector path short and
    leaves no hairline gaps between neighbouring modules.
    """
    runs = []
    for y, row in enumerate(m):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs


@lru_cache(maxsize=64)
def png(url: str, module_px: int = 12) -> bytes:
    """A black-on-white PNG of the code with its 4-module quiet zone."""
    from PIL import Image

    m = matrix(url)
    size = (len(m) + 2 * QUIET_ZONE) * module_px
    image = Image.new("1", (size, size), 1)
    pixels = image.load()
    assert pixels is not None  # a new in-memory image always has pixel access
    for y, x, length in dark_runs(m):
        top = (y + QUIET_ZONE) * module_px
        left = (x + QUIET_ZONE) * module_px
        for py in range(top, top + module_px):
            for px in range(left, left + length * module_px):
                pixels[px, py] = 0
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
