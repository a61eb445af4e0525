"""Writing, appending and removing files without following symlinks, and only removing what a run wrote.

- ``open_for_append`` and ``open_for_write`` never write through a symbolic
  link at the final name (``O_NOFOLLOW`` where the system has it, an lstat
  and identity check on Windows), never into a FIFO or device, and never
  into a file with other hard links (appending to ``sent.csv`` hard-linked to
  a user's file would change that file).
- ``write_atomic`` writes a temporary file beside the target and renames it
  over the target: a reader sees the old file or the new one, never half; a
  symlink at the target name is replaced by the new file, its target left
  untouched.
- ``Journal`` records, in a hidden file of the folder, the size, hash and
  file identity of every file a run wrote; ``Journal.removable`` and
  ``remove_written`` delete a file only when it is still exactly what was
  recorded, so a hand-edited manifest or journal naming a user's own file
  never makes a run delete it.

Every failure is a ``SafeFileError`` naming the path and what to do; a
symbolic-link loop is reported as such.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import secrets
import stat
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from .errors import DeliveryError

JOURNAL_NAME = ".aesh-generator-written.json"
JOURNAL_MAX_BYTES = 64 * 1024 * 1024  # 200 000 sheets of records fit well under this
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)  # a FIFO with no reader fails at once instead of hanging
_BINARY = getattr(os, "O_BINARY", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


class SafeFileError(DeliveryError):
    """A file cannot be written, appended to or removed safely."""


# --- writing ----------------------------------------------------------------------


def open_for_append(path: str | Path) -> BinaryIO:
    """Open ``path`` to append bytes, creating it (mode 0600); never through a link."""
    return _open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_APPEND)


def open_for_write(path: str | Path) -> BinaryIO:
    """Open ``path`` to write bytes from the start (truncating it); never through a link."""
    return _open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` by a file holding ``data``, all at once; a symlink there is replaced, not followed."""
    path = Path(path)
    _check_parent(path)
    temporary = path.with_name(f".{path.name[:80]}.{secrets.token_hex(6)}.tmp")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _BINARY | _CLOEXEC
    try:
        fd = os.open(temporary, flags, 0o600)
    except OSError as exc:
        raise SafeFileError(_why(path, exc)) from None
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        if path.is_dir() and not path.is_symlink():
            raise SafeFileError(f"{path}: is a folder; cannot write a file there")
        os.replace(temporary, path)  # rename never follows a symlink at the target name
    except OSError as exc:
        raise SafeFileError(_why(path, exc)) from None
    finally:
        with suppress(FileNotFoundError):
            os.unlink(temporary)


def ensure_folder(path: str | Path) -> Path:
    """Create ``path`` (and its parents) as a folder; refuse when it is a symlink or a file."""
    path = Path(path)
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        try:
            path.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SafeFileError(_why(path, exc)) from None
        return path
    except OSError as exc:
        raise SafeFileError(_why(path, exc)) from None
    if stat.S_ISLNK(mode):
        raise SafeFileError(f"{path}: is a symbolic link; this tool writes only into real folders")
    if not stat.S_ISDIR(mode):
        raise SafeFileError(f"{path}: is a file, not a folder")
    return path


def _open(path: Path, flags: int) -> BinaryIO:
    _check_parent(path)
    before = _lstat(path)
    if before is not None and stat.S_ISLNK(before.st_mode):
        raise SafeFileError(_symlink_message(path))
    try:
        fd = os.open(path, flags | _NOFOLLOW | _NONBLOCK | _BINARY | _CLOEXEC, 0o600)
    except OSError as exc:
        raise SafeFileError(_why(path, exc)) from None
    try:
        opened = os.fstat(fd)
        if not stat.S_ISREG(opened.st_mode):
            raise SafeFileError(
                f"{path}: is not a plain file (a device, pipe or socket); remove it or choose another folder"
            )
        now = _lstat(path)
        if now is None or (now.st_dev, now.st_ino) != (opened.st_dev, opened.st_ino):
            raise SafeFileError(
                f"{path}: changed while being opened; run again"
            )  # a link swapped in (Windows)
        if opened.st_nlink > 1:
            raise SafeFileError(
                f"{path}: has other hard links (another name for the same file); this tool never writes "
                "into a shared file: remove it or choose another folder"
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
            raise SafeFileError(f"{parent}: is not a folder")
    except FileNotFoundError:
        raise SafeFileError(f"{parent}: folder not found") from None
    except OSError as exc:
        raise SafeFileError(_why(parent, exc)) from None


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return path.lstat()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SafeFileError(_why(path, exc)) from None


def _symlink_message(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return f"{path}: is a symbolic link loop (a link that leads back to itself); remove it"
    return (
        f"{path}: is a symbolic link; this tool never writes through a link "
        "(it could change a file outside the folder): remove the link and run again"
    )


def _why(path: Path, exc: OSError) -> str:
    """One line for an OS error, with the cases a user can act on spelled out."""
    if exc.errno == errno.ELOOP:
        if path.is_symlink():
            return _symlink_message(path)
        return f"{path}: the path goes through a symbolic link loop; fix or remove the link"
    if exc.errno == errno.ENXIO:
        return f"{path}: is a pipe or device, not a plain file; remove it or choose another folder"
    if exc.errno == errno.ENAMETOOLONG:
        return f"{path}: the name is too long for the file system"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return f"{path}: permission denied"
    if exc.errno == errno.ENOSPC:
        return f"{path}: the disk is full"
    return f"{path}: cannot write ({exc.strerror or exc})"


# --- what a run wrote, and removing only that ---------------------------------------


@dataclass(frozen=True)
class Written:
    """What a file was when the run that wrote it finished with it."""

    size: int
    sha256: str
    mtime_ns: int
    inode: int
    device: int


@dataclass(frozen=True)
class Removal:
    """Files removed, and files kept with the reason (each a relative name and a reason)."""

    removed: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]


class Journal:
    """The hidden record of the files a run wrote into a folder (relative names → state)."""

    def __init__(self, folder: str | Path, entries: dict[str, Written] | None = None) -> None:
        self.folder = Path(folder)
        self.entries: dict[str, Written] = dict(entries or {})

    @classmethod
    def load(cls, folder: str | Path) -> Journal:
        """The folder's journal; empty when there is none or it cannot be trusted (nothing will be removed)."""
        folder = Path(folder)
        path = folder / JOURNAL_NAME
        try:
            with open(path, "rb", opener=_read_opener) as file:
                raw = file.read(JOURNAL_MAX_BYTES + 1)
            if len(raw) > JOURNAL_MAX_BYTES:
                return cls(folder)
            data = json.loads(raw.decode("utf-8"))
            entries = {
                name: Written(
                    int(e["size"]), str(e["sha256"]), int(e["mtime_ns"]), int(e["inode"]), int(e["device"])
                )
                for name, e in data["files"].items()
                if _valid_name(name)
            }
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(folder)
        return cls(folder, entries)

    def record(self, path: str | Path) -> None:
        """Note a file this run just wrote (a path inside the folder)."""
        path = Path(path)
        name = path.relative_to(self.folder).as_posix()
        if not _valid_name(name):
            raise SafeFileError(f"{path}: not a file name inside {self.folder}")
        self.entries[name] = _state(path)

    def forget(self, name: str) -> None:
        self.entries.pop(name, None)

    def save(self) -> None:
        files = {name: vars(w) for name, w in sorted(self.entries.items())}
        write_atomic(self.folder / JOURNAL_NAME, json.dumps({"version": 1, "files": files}).encode())

    def removable(self, name: str) -> str:
        """Why ``name`` must be kept ("" when it may be removed: still exactly what this tool wrote)."""
        if not _valid_name(name):
            return "not a plain file name inside the folder"
        recorded = self.entries.get(name)
        if recorded is None:
            return "not written by this tool in an earlier run"
        path = self.folder / name
        for parent in _parents(self.folder, name):
            if _lstat(parent) is None or stat.S_ISLNK(os.lstat(parent).st_mode):
                return "its folder is missing or is a symbolic link"
        try:
            now = path.lstat()
        except FileNotFoundError:
            return "already gone"
        except OSError as exc:
            return exc.strerror or "cannot be read"
        if not stat.S_ISREG(now.st_mode):
            return "not a plain file any more"
        if (now.st_size, now.st_mtime_ns, now.st_ino, now.st_dev) != (
            recorded.size,
            recorded.mtime_ns,
            recorded.inode,
            recorded.device,
        ):
            return "changed since this tool wrote it"
        if _sha256(path) != recorded.sha256:
            return "changed since this tool wrote it"
        return ""


def remove_written(journal: Journal, names: Iterable[str]) -> Removal:
    """Remove each of ``names`` that ``journal`` shows this tool wrote and nobody changed since; keep the rest."""
    removed: list[str] = []
    kept: list[tuple[str, str]] = []
    for name in names:
        reason = journal.removable(name)
        if reason == "already gone":
            journal.forget(name)
            continue
        if reason:
            kept.append((name, reason))
            continue
        try:
            os.unlink(journal.folder / name)
        except OSError as exc:
            kept.append((name, exc.strerror or "cannot be removed"))
            continue
        journal.forget(name)
        removed.append(name)
    return Removal(tuple(removed), tuple(kept))


def _valid_name(name: object) -> bool:
    """A relative name inside the folder: no absolute path, no "..", no NUL, no drive, not the journal."""
    if not isinstance(name, str) or not name or "\x00" in name or "\\" in name or ":" in name:
        return False
    parts = PurePosixPath(name).parts
    return (
        not name.startswith("/")
        and all(part not in ("", ".", "..") for part in parts)
        and name not in (JOURNAL_NAME,)
        and len(parts) <= 4
    )


def _parents(folder: Path, name: str) -> Iterator[Path]:
    current = folder
    for part in PurePosixPath(name).parts[:-1]:
        current = current / part
        yield current


def _state(path: Path) -> Written:
    info = path.lstat()
    if not stat.S_ISREG(info.st_mode):
        raise SafeFileError(f"{path}: not a plain file")
    return Written(info.st_size, _sha256(path), info.st_mtime_ns, info.st_ino, info.st_dev)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", opener=_read_opener) as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _read_opener(path: str, flags: int) -> int:
    return os.open(path, flags | _NOFOLLOW | _NONBLOCK | _CLOEXEC)


@contextmanager
def journalled(folder: str | Path) -> Iterator[Journal]:
    """Load the folder's journal, hand it to the run, save it when the run ends (even by an error)."""
    journal = Journal.load(folder)
    try:
        yield journal
    finally:
        journal.save()
