"""Names inside the output folder, and the atomic writes the writers use (safe_files underneath)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from .errors import DeliveryError
from .i18n import _
from .safe_files import ensure_folder, open_atomic

SHARED = 0o666  # through the umask: sheets in a shared office folder stay readable by colleagues


def inside(folder: Path, name: str) -> Path:
    """``folder / name``, refusing any name that would leave ``folder`` (no path is resolved: no link is followed)."""
    if name in ("", ".", "..") or any(c in name for c in "/\\\x00") or Path(name).name != name:
        raise DeliveryError(
            _("{name!r}: refused, a file name must stay inside {folder}").format(name=name, folder=folder)
        )
    return Path(folder) / name


def check_folder(folder: Path) -> None:
    """``folder`` and every existing parent must be folders (an ``--out`` that is a file is named)."""
    for parent in (folder, *folder.parents):
        if parent.is_symlink():
            continue  # ensure_folder names a link at the folder itself; a linked parent is the user's layout
        if parent.exists() and not parent.is_dir():
            raise DeliveryError(
                _("{folder}: is a file, expected a folder to write into (check --out)").format(folder=parent)
            )


@contextlib.contextmanager
def atomic_write(path: Path, *, durable: bool = True) -> Iterator[BinaryIO]:
    """Write to a temporary file beside ``path``, then rename it into place (a symlink there is replaced).

    The folder is created when missing. A failure leaves the previous file
    (if any) untouched and no partial file.
    """
    path = Path(path)
    check_folder(path.parent)
    if not path.parent.is_dir():
        ensure_folder(path.parent)  # created; a dangling link or a loop is named
    with open_atomic(path, mode=SHARED, durable=durable) as stream:
        yield stream
