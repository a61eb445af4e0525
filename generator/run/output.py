"""Writing files safely: never half-written, never outside the output folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from ..errors import DeliveryError


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would leave ``folder``."""
    folder = folder.resolve()
    path = (folder / name).resolve()
    if path.parent != folder or name in ("", ".", ".."):
        raise DeliveryError(f"{name!r}: refused, a file name must stay inside {folder}")
    return path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def atomic_write(path: Path) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path``, then rename it into place.

    A failure leaves the previous file (if any) untouched and no partial file.
    """
    path = Path(path)
    for folder in (path.parent, *path.parent.parents):
        if folder.exists() and not folder.is_dir():
            raise DeliveryError(
                f"{folder}: is a file, expected a folder to write {path.name} into (check --out)"
            )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise DeliveryError(f"{path}: cannot write ({exc.strerror})") from None
    try:
        # mkstemp makes owner-only files; give the usual permissions instead,
        # so sheets in a shared office folder stay readable by colleagues.
        os.chmod(tmp, 0o666 & ~_umask())
        with os.fdopen(fd, "wb") as stream:
            yield stream
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
