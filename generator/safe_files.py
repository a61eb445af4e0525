"""Writing, appending and removing files without following symlinks, and only removing what a run wrote.

- ``open_for_append`` never writes through a symbolic
  link at the final name (``O_NOFOLLOW`` where the system has it, an lstat
  and identity check on Windows), never into a FIFO or device, and never
  into a file with other hard links (appending to ``sent.csv`` hard-linked to
  a user's file would change that file).
- ``write_atomic`` / ``open_atomic`` write a temporary file beside the target
  and rename it over the target: never half a file; a symlink at the target
  name is replaced, its target untouched. ``read_limited`` never follows one.
- ``read_opener`` opens for reading without following a link; the journal of
  what a run wrote (``journal``) reads through it.

Every failure is a ``SafeFileError`` naming the path and what to do, in
the reader's language (worded in ``file_errors``); a symbolic-link loop is
reported as such.
"""

from __future__ import annotations

import errno
import os
import secrets
import stat
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import BinaryIO

from .file_errors import SafeFileError, symlink_message, why_failed
from .i18n import _

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO with no reader fails at once instead of hanging
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


# --- writing ----------------------------------------------------------------------


def open_for_append(path: str | Path) -> BinaryIO:
    """Open ``path`` to append bytes, creating it (mode 0600); never through a link."""
    return _open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_APPEND)


def write_atomic(path: str | Path, data: bytes, *, mode: int = 0o600, durable: bool = True) -> None:
    """Replace ``path`` by a file holding ``data``, all at once; a symlink there is replaced, not followed."""
    with open_atomic(path, mode=mode, durable=durable) as file:
        file.write(data)


def write_new(path: str | Path, data: bytes, *, mode: int = 0o666) -> None:
    """Create ``path`` holding ``data``; refused (SafeFileError) if anything, even a link, is there already.

    For a folder only this process writes into (a run's staging folder): no
    temporary file and rename, no look at the parents, one system call to
    create. ``mode`` goes through the umask. A failure removes the partial file.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
    try:
        fd = os.open(path, flags, mode)
    except OSError as exc:
        raise SafeFileError(why_failed(Path(path), exc)) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
    except OSError as exc:
        with suppress(OSError):
            os.unlink(path)
        raise SafeFileError(why_failed(Path(path), exc)) from None


@contextmanager
def open_atomic(path: str | Path, *, mode: int = 0o600, durable: bool = True) -> Iterator[BinaryIO]:
    """A stream to a temporary file beside ``path``, renamed over ``path`` when the block ends without error.

    ``mode`` goes through the umask (0o666 gives the usual permissions of a
    shared office folder); ``durable`` syncs the data to disk before the
    rename (a staging file that only counts once committed can skip it). A
    failure leaves the previous file (if any) as it was and no partial file.
    """
    path = Path(path)
    _check_parent(path)
    temporary = path.with_name(f".{path.name[:80]}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
    try:
        fd = os.open(temporary, flags, mode)
    except OSError as exc:
        raise SafeFileError(why_failed(path, exc)) from None
    try:
        with os.fdopen(fd, "wb") as file:
            yield file
            file.flush()
            if durable:
                os.fsync(file.fileno())
        if path.is_dir() and not path.is_symlink():
            raise SafeFileError(_("{path}: is a folder; cannot write a file there").format(path=path))
        os.replace(temporary, path)  # rename never follows a symlink at the target name
    except OSError as exc:
        raise SafeFileError(why_failed(path, exc)) from None
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)


def read_limited(path: str | Path, limit: int) -> bytes:
    """The bytes of the plain file ``path`` (never through a link), refused over ``limit`` bytes.

    Raises FileNotFoundError when it is missing, SafeFileError otherwise.
    """
    path = Path(path)
    try:
        with open(path, "rb", opener=read_opener) as file:
            if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
                raise SafeFileError(_("{path}: is not a plain file").format(path=path))
            data = file.read(limit + 1)
    except FileNotFoundError:
        raise
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise SafeFileError(
                _("{path}: is a symbolic link; this tool never reads through a link").format(path=path)
            ) from None
        raise SafeFileError(why_failed(path, exc, _("cannot read ({reason})"))) from None
    if len(data) > limit:
        raise SafeFileError(
            _("{path}: larger than {size} MB; not a file this tool wrote").format(path=path, size=limit >> 20)
        )
    return data


def ensure_folder(path: str | Path) -> Path:
    """Create ``path`` (and its parents) as a folder; refuse when it is a symlink or a file."""
    path = Path(path)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SafeFileError(why_failed(path, exc)) from None
        return path
    except OSError as exc:
        raise SafeFileError(why_failed(path, exc)) from None
    if stat.S_ISLNK(mode):
        try:
            path.stat()
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise SafeFileError(symlink_message(path)) from None
        raise SafeFileError(
            _("{path}: is a symbolic link; this tool writes only into real folders").format(path=path)
        )
    if not stat.S_ISDIR(mode):
        raise SafeFileError(_("{path}: is a file, not a folder").format(path=path))
    return path


def _open(path: Path, flags: int) -> BinaryIO:
    _check_parent(path)
    before = lstat_or_none(path)
    if before is not None and stat.S_ISLNK(before.st_mode):
        raise SafeFileError(symlink_message(path))
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC, 0o600)
    except OSError as exc:
        raise SafeFileError(why_failed(path, exc)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise SafeFileError(
                _(
                    "{path}: is not a plain file (a device, pipe or socket); remove it or choose another folder"
                ).format(path=path)
            )
        now = lstat_or_none(path)
        if now is None or (now.st_dev, now.st_ino) != (
            opened.st_dev,
            opened.st_ino,
        ):  # a link swapped in (Windows)
            raise SafeFileError(_("{path}: changed while being opened; run again").format(path=path))
        if opened.st_nlink > 1:
            raise SafeFileError(
                _(
                    "{path}: has other hard links (another name for the same file); this tool never writes "
                    "into a shared file: remove it or choose another folder"
                ).format(path=path)
            )
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "ab" if flags & os.O_APPEND else "wb")
    except BaseException:
        os.close(fd)
        raise


def _check_parent(path: Path) -> None:
    """The folder the file goes into must exist and must not be a link loop."""
    parent = path.parent
    try:
        if not stat.S_ISDIR(os.stat(parent).st_mode):
            raise SafeFileError(_("{path}: is not a folder").format(path=parent))
    except FileNotFoundError:
        raise SafeFileError(_("{path}: folder not found").format(path=parent)) from None
    except OSError as exc:
        raise SafeFileError(why_failed(parent, exc)) from None


def lstat_or_none(path: Path) -> os.stat_result | None:
    """``path.lstat()``, None when nothing is there; SafeFileError on any other failure."""
    try:
        return path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SafeFileError(why_failed(path, exc)) from None


def read_opener(path: str, flags: int) -> int:
    return os.open(path, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC)
