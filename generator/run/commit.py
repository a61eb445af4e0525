"""Placing a run's files in the output folder: never over a file this tool did not write, never half-way.

Under the folder lock (``lock.folder_lock``):
- ``clear_dead_runs`` removes the staging folders of runs that died (killed,
  crashed): no live run can own one while this run holds the lock;
- ``in_the_way`` lists the files a run would replace that are not verified
  as this tool's own (the folder's journal: same size, hash and inode as when
  written) nor byte-identical to the new file: a user's file, a sheet edited
  by hand, a symbolic link. The run then stops and says so;
- ``move_in`` records the staged files in the journal under their final
  names, then renames them into place; the caller runs it ``uninterruptible``
  (``cancel``): Ctrl-C lets the move complete, and after kill -9 every file
  already moved is known.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..errors import DeliveryError
from ..i18n import _, ngettext
from ..journal import Journal
from .lock import LOCK_NAME

STAGING_PREFIX = ".partial-"
SHOWN = 5  # file names a message lists before "…"


def clear_dead_runs(out: Path) -> list[str]:
    """Remove what runs that died left in ``out``: staging folders and half-written hidden files."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(out))
    except OSError:
        return removed
    for entry in entries:
        name = entry.name
        if name.startswith(STAGING_PREFIX) and entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(name)
        elif (
            name.startswith(".")
            and name.endswith(".tmp")
            and not name.startswith(LOCK_NAME)
            and entry.is_file(follow_symlinks=False)
        ):
            try:  # a temporary file of an atomic write cut off by kill -9
                os.unlink(entry.path)
                removed.append(name)
            except OSError:
                pass
    return removed


def _same_bytes(a: str, b: str) -> bool:
    try:
        if os.lstat(a).st_size != os.lstat(b).st_size:
            return False
        return Path(a).read_bytes() == Path(b).read_bytes()
    except OSError:
        return False


def in_the_way(
    out: Path, journal: Journal, staged: Iterable[tuple[str, str]], replaceable: Sequence[str] = ()
) -> list[str]:
    """The names in ``out`` a run may not replace, each with why (empty: the way is clear), sorted.

    ``staged`` gives each new file's name and where it is now. ``replaceable``
    names the folder's own index files (manifest.csv), which every run
    rewrites whatever they hold.
    """
    blocked = []
    folder = os.fspath(out)
    for name, new in staged:
        target = os.path.join(folder, name)
        if name in replaceable:
            continue  # renamed over: a link there is replaced, its target untouched
        try:
            mode = os.lstat(target).st_mode
        except FileNotFoundError:
            continue
        except OSError as exc:
            blocked.append(f"{name} ({exc.strerror})")
            continue
        if stat.S_ISLNK(mode):
            blocked.append(_("{name} (a symbolic link)").format(name=name))
        elif not stat.S_ISREG(mode):
            blocked.append(_("{name} (not a plain file)").format(name=name))
        elif not journal.removable(name) or _same_bytes(target, new):
            continue
        else:
            blocked.append(name)
    return sorted(blocked)


def refuse_in_the_way(out: Path, blocked: list[str]) -> DeliveryError:
    shown = ", ".join(blocked[:SHOWN]) + (", …" if len(blocked) > SHOWN else "")
    return DeliveryError(
        ngettext(
            "{out}: {count} file is in the way ({names}): this tool did not write it, or it was changed "
            "since; move it to another folder (or delete it yourself), or choose another --out; nothing written",
            "{out}: {count} files are in the way ({names}): this tool did not write them, or they were changed "
            "since; move them to another folder (or delete them yourself), or choose another --out; nothing written",
            len(blocked),
        ).format(out=out, count=len(blocked), names=shown)
    )


def move_in(out: Path, journal: Journal, staged: Callable[[], Iterable[tuple[str, str]]]) -> None:
    """Rename every staged file to ``out/name``: journalled first, then moved (call it ``uninterruptible``).

    ``staged()`` gives each file's name and where it is now; it is asked
    twice (journal, then move) rather than held: 200 000 names in a national run.
    """
    for name, path in staged():
        journal.record_as(name, path)
    journal.save()
    folder = os.fspath(out)
    for name, path in staged():
        os.replace(path, os.path.join(folder, name))
