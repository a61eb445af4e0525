"""What a run wrote into a folder, and removing only that: the folder's hidden journal.

``Journal`` records, in a hidden file of the folder, the size, hash and file
identity of every file a run wrote; ``Journal.removable`` and
``remove_written`` delete a file only when it is still exactly what was
recorded, so a hand-edited manifest or journal naming a user's own file never
makes a run delete it.

A national run writes 200 000 files into one folder: the journal holds each
record packed in 80 bytes (not five Python numbers and a hex string), and its
file is one line per file, written and read a line at a time::

    {"version": 2}
    ["mdupont.pdf", 52411, "9f86d0…", 1764489600000000000, 1234567, 2049]

A journal of the first format (one JSON object) is still read.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import struct
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

from .file_errors import SafeFileError
from .i18n import N_, _
from .safe_files import lstat_or_none as _lstat
from .safe_files import open_atomic, read_opener

JOURNAL_NAME = ".aesh-generator-written.json"
JOURNAL_MAX_BYTES = 256 * 1024 * 1024  # 600 000 files (200 000 people in three formats) fit under this
# size, mtime_ns, inode, device, sha256: 80 bytes a file (an inode may take 128 bits: ReFS on Windows)
_PACK = struct.Struct("<Qq16sQ32s")


@dataclass(frozen=True)
class Written:
    """What a file was when the run that wrote it finished with it."""

    size: int
    sha256: str
    mtime_ns: int
    inode: int
    device: int


def _pack(w: Written) -> bytes:
    """Raises ValueError, OverflowError or struct.error for a record no file can have (a hand-edited journal)."""
    digest = bytes.fromhex(w.sha256)
    if len(digest) != 32:
        raise ValueError("not a SHA-256 digest")
    return _PACK.pack(w.size, w.mtime_ns, w.inode.to_bytes(16, "little"), w.device, digest)


def _unpack(data: bytes) -> Written:
    size, mtime_ns, inode, device, digest = _PACK.unpack(data)
    return Written(size, digest.hex(), mtime_ns, int.from_bytes(inode, "little"), device)


class _Entries(Mapping[str, Written]):
    """The journal's records as a read-only mapping: each unpacked when asked for."""

    def __init__(self, packed: dict[str, bytes]) -> None:
        self._packed = packed

    def __getitem__(self, name: str) -> Written:
        return _unpack(self._packed[name])

    def __iter__(self) -> Iterator[str]:
        return iter(self._packed)

    def __len__(self) -> int:
        return len(self._packed)

    def __contains__(self, name: object) -> bool:
        return name in self._packed


@dataclass(frozen=True)
class Removal:
    """Files removed, and files kept with the reason (each a relative name and a reason)."""

    removed: tuple[str, ...]
    kept: tuple[tuple[str, str], ...]


class Journal:
    """The hidden record of the files a run wrote into a folder (relative names → state)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self._packed: dict[str, bytes] = {}

    @property
    def entries(self) -> Mapping[str, Written]:
        return _Entries(self._packed)

    @classmethod
    def load(cls, folder: str | Path) -> Journal:
        """The folder's journal; empty when there is none or it cannot be trusted (nothing will be removed)."""
        journal = cls(folder)
        try:
            with open(journal.folder / JOURNAL_NAME, "rb", opener=read_opener) as file:
                if os.fstat(file.fileno()).st_size > JOURNAL_MAX_BYTES:
                    return journal
                first = file.readline(JOURNAL_MAX_BYTES)
                if json.loads(first.decode("utf-8")) == {"version": 2}:
                    records: Iterable[Any] = (json.loads(line.decode("utf-8")) for line in file)
                else:  # the first format: one JSON object on one line
                    files = json.loads((first + file.read()).decode("utf-8"))["files"]
                    records = (
                        [name, e["size"], e["sha256"], e["mtime_ns"], e["inode"], e["device"]]
                        for name, e in files.items()
                    )
                for name, size, sha256, mtime_ns, inode, device in records:
                    if not _valid_name(name):
                        continue
                    try:
                        written = Written(int(size), str(sha256), int(mtime_ns), int(inode), int(device))
                        journal._packed[name] = _pack(written)
                    except (ValueError, OverflowError, struct.error):
                        continue  # a record no file can have: that file is not known to be ours
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return cls(folder)
        return journal

    def record(self, path: str | Path) -> None:
        """Note a file this run just wrote (a path inside the folder)."""
        path = Path(path)
        name = path.relative_to(self.folder).as_posix()
        if not _valid_name(name):
            raise SafeFileError(
                _("{path}: not a file name inside {folder}").format(path=path, folder=self.folder)
            )
        self._packed[name] = _pack(_state(path))

    def record_as(self, name: str, path: str | Path) -> None:
        """Note the file at ``path`` (in a staging folder) under the ``name`` it is about to be renamed to.

        A rename keeps size, hash, inode and times: recorded before the move,
        a run killed half-way through it still knows every file it placed.
        """
        if not _valid_name(name):
            raise SafeFileError(
                _("{path}: not a file name inside {folder}").format(path=repr(name), folder=self.folder)
            )
        self._packed[name] = _pack(_state(path))

    def forget(self, name: str) -> None:
        self._packed.pop(name, None)

    def save(self) -> None:
        """Write the journal, a line per file (never held whole as text), replacing the file all at once."""
        with open_atomic(self.folder / JOURNAL_NAME) as file:
            file.write(b'{"version": 2}\n')
            for name in sorted(self._packed):
                w = _unpack(self._packed[name])
                record = (
                    f'[{json.dumps(name)}, {w.size}, "{w.sha256}", {w.mtime_ns}, {w.inode}, {w.device}]\n'
                )
                file.write(record.encode("utf-8"))

    def removable(self, name: str) -> str:
        """Why ``name`` must be kept, in the reader's language ("" when it may be removed: still exactly what this tool wrote)."""
        reason = self._kept_because(name)
        return _(reason) if reason else ""

    def _kept_because(self, name: str) -> str:
        """``removable``'s reason as an untranslated msgid (or the system's words), "" when removable."""
        if not _valid_name(name):
            return N_("not a plain file name inside the folder")
        packed = self._packed.get(name)
        if packed is None:
            return N_("not written by this tool in an earlier run")
        recorded = _unpack(packed)
        path = self.folder / name
        for parent in _parents(self.folder, name):
            if _lstat(parent) is None or stat.S_ISLNK(os.lstat(parent).st_mode):
                return N_("its folder is missing or is a symbolic link")
        try:
            now = path.lstat()
        except FileNotFoundError:
            return ALREADY_GONE
        except OSError as exc:
            return exc.strerror or N_("cannot be read")
        if not stat.S_ISREG(now.st_mode):
            return N_("not a plain file any more")
        if (now.st_size, now.st_mtime_ns, now.st_ino, now.st_dev) != (
            recorded.size,
            recorded.mtime_ns,
            recorded.inode,
            recorded.device,
        ):
            return N_("changed since this tool wrote it")
        if _sha256(path) != recorded.sha256:
            return N_("changed since this tool wrote it")
        return ""


ALREADY_GONE = N_("already gone")  # compared untranslated: the language may change between calls


def remove_written(journal: Journal, names: Iterable[str]) -> Removal:
    """Remove each of ``names`` that ``journal`` shows this tool wrote and nobody changed since; keep the rest.

    The reasons of the files kept are in the reader's language.
    """
    removed: list[str] = []
    kept: list[tuple[str, str]] = []
    for name in names:
        reason = journal._kept_because(name)
        if reason == ALREADY_GONE:
            journal.forget(name)
            continue
        if reason:
            kept.append((name, _(reason)))
            continue
        try:
            os.unlink(journal.folder / name)
        except OSError as exc:
            kept.append((name, exc.strerror or _("cannot be removed")))
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


def _state(path: str | Path) -> Written:
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise SafeFileError(_("{path}: not a plain file").format(path=path))
    return Written(info.st_size, _sha256(path), info.st_mtime_ns, info.st_ino, info.st_dev)


def _sha256(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb", opener=read_opener) as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
