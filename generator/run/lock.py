"""One run at a time per output folder: an OS file lock that a crashed run cannot leave stuck.

Two ``personalise`` into one folder, two ``send --yes``, a ``person`` while a
``personalise`` writes: the second run waits a little, then is refused with a
message saying what holds the folder. The lock is the operating system's own
(``flock`` on Unix, ``msvcrt.locking`` on Windows, through the ``filelock``
library): the kernel releases it when the holding process ends, even by
``kill -9`` or a power cut of the process, so no stale lock ever needs
removing by hand. The lock file itself stays in the folder (removing it while
another process waits on it would let two runs in).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import filelock

from ..errors import DeliveryError
from ..file_errors import SafeFileError
from ..i18n import _
from ..safe_files import ensure_folder, write_atomic

LOCK_NAME = ".aesh-generator.lock"
# Who holds the lock: read only to explain a refusal, never trusted for the lock itself.
HOLDER_NAME = ".aesh-generator.lock.holder"
DEFAULT_WAIT = 5.0  # seconds: a person run at the desk outlasts a few sheets of a batch


class FolderBusy(DeliveryError):
    """Another run holds the output folder."""


@contextmanager
def folder_lock(folder: str | Path, *, command: str = "", wait: float = DEFAULT_WAIT) -> Iterator[Path]:
    """Hold ``folder`` for this run: wait up to ``wait`` seconds for another run, else raise FolderBusy.

    The folder is created when missing. ``command`` (``personalise``, ``send``…)
    is recorded so that a refused run can say what it is waiting for; no
    argument, name or address is ever recorded. Yields the folder's path.
    Raises DeliveryError when the folder or the lock file is a symlink or
    cannot be created.
    """
    folder = Path(folder)
    created = not folder.exists() and not folder.is_symlink()
    ensure_folder(folder)  # a real folder: a symlink could lead this run into another one
    lock_path = folder / LOCK_NAME
    _refuse_symlink(lock_path)
    lock = filelock.FileLock(str(lock_path), timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise FolderBusy(_busy_message(folder, wait)) from None
    except OSError as exc:
        raise DeliveryError(
            _("{folder}: cannot lock the folder ({reason})").format(folder=folder, reason=exc.strerror or exc)
        ) from None
    try:
        _record_holder(folder, command)
        yield folder
    finally:
        if created:
            _remove_if_unused(folder)
        lock.release()


def _remove_if_unused(folder: Path) -> None:
    """A folder this run created and left with nothing but the lock: removed (a refused run writes nothing).

    A run waiting on the lock meanwhile opens the lock file again at its next
    try and finds the folder gone: it stops with a clear error, never runs
    beside another one.
    """
    try:
        names = {entry.name for entry in os.scandir(folder)}
        if names <= {LOCK_NAME, HOLDER_NAME}:
            for name in names:
                os.unlink(folder / name)
            folder.rmdir()
    except OSError:
        pass


def _refuse_symlink(path: Path) -> None:
    if path.is_symlink():
        raise DeliveryError(
            _(
                "{path}: the lock file is a symbolic link, which this tool never follows; delete it and run again"
            ).format(path=path)
        )


def _record_holder(folder: Path, command: str) -> None:
    started = time.strftime("%H:%M", time.localtime())
    # The command's name only (personalise, send…): the refusal words the rest in its reader's language.
    text = f"{command}\n{started}\n{os.getpid()}\n"
    try:
        write_atomic(folder / HOLDER_NAME, text.encode())
    except (OSError, SafeFileError):
        pass  # the note only improves a refusal message; the lock holds without it


def _busy_message(folder: Path, wait: float) -> str:
    holder = _("another run of the tool")
    try:
        with open(folder / HOLDER_NAME, "rb", opener=_no_follow_opener) as file:
            command, started, pid = (file.read(200).decode("utf-8", "replace").splitlines() + ["", "", ""])[
                :3
            ]
        if started and pid.isdigit():
            holder = _("another run ({command}, started at {started}, process {pid})").format(
                command=command[:20] or _("a run"), started=started[:5], pid=pid
            )
    except OSError:
        pass
    return _(
        "{folder}: {holder} is writing into this folder (waited {wait} s); "
        "wait for it to finish and run again, or choose another output folder"
    ).format(folder=folder, holder=holder, wait=f"{wait:g}")


def _no_follow_opener(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))
