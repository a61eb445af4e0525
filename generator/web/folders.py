"""The private folders of signing sessions: one parent folder, a lock held by the owning server, leftovers swept.

Every session folder is made in one parent folder of the app (by default
``<temp>/aesh-generator-sessions-<uid>``, owner-only). Each holds a lock file
the server keeps locked while the folder lives (``flock`` on Unix,
``msvcrt.locking`` on Windows), with the server's pid and start time for a
person reading it. The system releases a lock when its process dies however
it dies, so at start a server removes every session folder whose lock it can
take: the names and sheets of a server that was killed do not stay on disk.
A pid alone could be reused by another process; a lock cannot lie.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

PARENT_NAME = "aesh-generator-sessions"
PREFIX = "generator-session-"
LOCK_NAME = ".server.lock"
STARTED = time.time()  # this server's start, written in its locks


def parent_folder(root: Path | None = None) -> Path:
    """The app's parent of session folders: ``root`` when given, else one owner-only folder in the temp folder."""
    if root is not None:
        root.mkdir(mode=0o700, parents=True, exist_ok=True)
        return root
    # Per user on a shared /tmp: another account's folder of that name is never used.
    suffix = f"-{os.getuid()}" if hasattr(os, "getuid") else ""
    parent = Path(tempfile.gettempdir()) / f"{PARENT_NAME}{suffix}"
    try:
        parent.mkdir(mode=0o700, exist_ok=True)
        info = parent.lstat()
        ours = not hasattr(os, "getuid") or info.st_uid == os.getuid()
        if stat.S_ISDIR(info.st_mode) and ours:
            os.chmod(parent, 0o700)
            return parent
    except OSError:
        pass
    # A link, a file, or another's folder in its place: a fresh private one (not swept at the next start).
    return Path(tempfile.mkdtemp(prefix=f"{PARENT_NAME}-"))


class Held:
    """A session folder and the lock that says its server is alive; ``release`` before removing it."""

    def __init__(self, parent: Path) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix=PREFIX, dir=parent))  # mode 0700
        self._fd: int | None = os.open(self.folder / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
        _lock(self._fd)
        os.write(self._fd, f"pid {os.getpid()}\nstarted {STARTED:.0f}\n".encode())

    def release(self) -> None:
        if self._fd is not None:
            fd, self._fd = self._fd, None
            _unlock(fd)
            os.close(fd)

    def remove(self) -> None:
        self.release()  # Windows removes no file that is open
        shutil.rmtree(self.folder, ignore_errors=True)


def sweep(parent: Path, older_than: float) -> list[Path]:
    """The session folders in ``parent`` whose server is gone, removed; those removed.

    A folder without a lock file (made by an older version, or a server
    killed between making the folder and its lock) goes once older than
    ``older_than`` seconds: a server making one right now keeps it.
    """
    removed: list[Path] = []
    for folder in sorted(parent.glob(f"{PREFIX}*")):
        if folder.is_symlink() or not folder.is_dir():
            continue
        lock = folder / LOCK_NAME
        if lock.exists():
            if not _free(lock):
                continue  # a live server's session
        elif time.time() - folder.stat().st_mtime < older_than:
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _free(lock: Path) -> bool:
    """Whether nobody holds the lock (its server is gone); not kept."""
    try:
        fd = os.open(lock, os.O_RDWR)
    except OSError:
        return False
    try:
        _lock(fd)
    except OSError:
        return False
    else:
        _unlock(fd)
        return True
    finally:
        os.close(fd)


if sys.platform == "win32":  # pragma: no cover - Windows (mypy reads sys.platform)
    import msvcrt

    def _lock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        os.lseek(fd, 1, os.SEEK_SET)  # the marker after the locked byte

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _lock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)
