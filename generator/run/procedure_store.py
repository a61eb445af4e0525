"""The procedure file kept by its owners: checked before any write, saved atomically, every version kept beside it.

``ProcedureStore(path)`` owns ``path`` (the data file of ``serve --data``)
and its history folder ``<stem>.history/`` beside it: one YAML file per
saved version, named by its UTC time, and ``index.json`` saying when each
was saved, its hash and what changed (as field paths and values; the pages
turn them into words). A save names the version it started from (the hash
of the file's bytes): when the file has changed since, the save is refused
with the other's change, and nothing is written. A candidate that ``check``
would refuse is never written either.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import DataError
from ..i18n import _
from ..procedure.model import Procedure
from ..procedure.schema import load_procedure
from ..safe_files import write_atomic
from .buildable import check_builds

INDEX = "index.json"
MAX_DATA_BYTES = 1024 * 1024  # a procedure is a few KiB; a candidate far above is refused unread


def version_of(data: bytes) -> str:
    """The version a form was loaded from: a hash of the file's bytes (short, for a hidden field)."""
    return hashlib.sha256(data).hexdigest()[:24]


@dataclass(frozen=True)
class Change:
    """One field that differs between two versions; ``old`` "" when it was added, ``new`` "" when removed."""

    path: str
    old: str
    new: str


@dataclass(frozen=True)
class Version:
    """One saved version: its file in the history folder, when, its hash, what changed from the one before."""

    name: str
    saved: str  # ISO time, UTC
    version: str
    changes: tuple[Change, ...]
    restored_from: str = ""  # the version's name a "restore" brought back
    first: bool = False  # the file as it was before the first save from the pages


class Conflict(Exception):
    """The file changed since the form was loaded: ``changes`` is the other's change (started-from → current)."""

    def __init__(self, current: str, version: str, changes: tuple[Change, ...]) -> None:
        super().__init__(f"{len(changes)} change(s) since the form was loaded")
        self.current = current  # the file's text now
        self.version = version  # and its version
        self.changes = changes


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def leaves(data: Any, prefix: str = "") -> dict[str, str]:
    """Every value of a YAML document by its field path (``help.phone``, ``steps[2].text[0]``), as text."""
    found: dict[str, str] = {}
    if isinstance(data, dict):
        for key, value in data.items():
            found.update(leaves(value, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.update(leaves(value, f"{prefix}[{index}]"))
    else:
        found[prefix] = _scalar(data)
    return found


def parse(text: str | bytes) -> Any:
    """The YAML document, plainly read; a file that does not parse reads as nothing (no field to compare)."""
    try:
        return yaml.safe_load(text) or {}
    except yaml.YAMLError:
        return {}


def changes(old: Any, new: Any) -> tuple[Change, ...]:
    """What differs between two documents, field by field, in the new one's order, then what was removed."""
    before, after = leaves(old), leaves(new)
    found = [
        Change(path, before.get(path, ""), value)
        for path, value in after.items()
        if before.get(path) != value
    ]
    found += [Change(path, value, "") for path, value in before.items() if path not in after]
    return tuple(found)


def check_text(text: str, shown_as: Path) -> Procedure:
    """The procedure ``text`` describes, checked as ``check`` checks a file; raises DataError naming ``shown_as``."""
    data = text.encode("utf-8")
    if len(data) > MAX_DATA_BYTES:
        raise DataError(
            _("{path}: the procedure would be {size} bytes, more than {limit}: shorten its texts").format(
                path=shown_as, size=len(data), limit=MAX_DATA_BYTES
            )
        )
    with tempfile.TemporaryDirectory(prefix="aesh-procedure-") as folder:
        candidate = Path(folder) / shown_as.name
        candidate.write_bytes(data)
        try:
            procedure = load_procedure(candidate)
            check_builds(procedure)
        except DataError as exc:
            # The messages name the file the owner knows, not the candidate's temporary copy.
            raise DataError([p.replace(str(candidate), str(shown_as)) for p in exc.problems]) from None
    return procedure


def _utc_now() -> datetime.datetime:
    return datetime.datetime.now(datetime.UTC)


class ProcedureStore:
    """The data file and its history; one instance per file in a process (its lock orders the saves)."""

    def __init__(self, path: Path, clock: Callable[[], datetime.datetime] = _utc_now) -> None:
        self.path = Path(path)
        self.folder = self.path.with_name(f"{self.path.stem}.history")
        self.clock = clock
        self._lock = threading.Lock()

    def current(self) -> tuple[bytes, str]:
        """The file's bytes and their version."""
        data = self.path.read_bytes()
        return data, version_of(data)

    def history(self) -> list[Version]:
        """The versions kept, newest first."""
        return list(reversed(self._index()))

    def text_of(self, name: str) -> bytes | None:
        """The bytes of the kept version ``name`` (None: no such version)."""
        if not any(v.name == name for v in self._index()):
            return None
        return (self.folder / f"{name}.yaml").read_bytes()

    def version_text(self, version: str) -> bytes | None:
        """The bytes of the kept version whose hash is ``version`` (None: not kept)."""
        found = next((v for v in self._index() if v.version == version), None)
        return self.text_of(found.name) if found else None

    def save(self, text: str, base: str, restored_from: str = "") -> tuple[Procedure, Version]:
        """Check ``text``, then write it over the file and keep it as a new version.

        Raises Conflict when the file is no longer at version ``base``, and
        DataError when the check refuses ``text``: in both cases nothing is written.
        """
        with self._lock:
            data, version = self.current()
            if version != base:
                raise Conflict(data.decode("utf-8", "replace"), version, self._since(base, data))
            procedure = check_text(text, self.path)
            index = self._index()
            if not index or index[-1].version != version:
                # The file as it was before (first save, or edited by hand since): kept, never lost.
                index.append(self._keep(data, (), first=True))
            new = text.encode("utf-8")
            write_atomic(self.path, new, mode=0o666)
            index.append(self._keep(new, changes(parse(data), parse(new)), restored_from=restored_from))
            self._write_index(index)
            return procedure, index[-1]

    def restore(self, name: str, base: str) -> tuple[Procedure, Version]:
        """Bring back the kept version ``name``, itself saved as a new version; KeyError when unknown."""
        old = self.text_of(name)
        if old is None:
            raise KeyError(name)
        return self.save(old.decode("utf-8"), base, restored_from=name)

    def _since(self, base: str, data: bytes) -> tuple[Change, ...]:
        """The other's change: from the version ``base`` (when kept) to the file's bytes."""
        started = self.version_text(base)
        return changes(parse(started) if started is not None else {}, parse(data))

    def _keep(
        self, data: bytes, found: tuple[Change, ...], restored_from: str = "", first: bool = False
    ) -> Version:
        self.folder.mkdir(exist_ok=True)
        now = self.clock()
        stem = now.strftime("%Y-%m-%dT%H-%M-%SZ")
        name, count = stem, 1
        while (self.folder / f"{name}.yaml").exists():
            count += 1
            name = f"{stem}-{count}"
        write_atomic(self.folder / f"{name}.yaml", data, mode=0o666)
        saved = now.isoformat(timespec="seconds")
        return Version(name, saved, version_of(data), found, restored_from, first)

    def _index(self) -> list[Version]:
        try:
            raw = json.loads((self.folder / INDEX).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return []
        return [
            Version(
                name=str(item["name"]),
                saved=str(item["saved"]),
                version=str(item["version"]),
                changes=tuple(Change(*change) for change in item.get("changes", [])),
                restored_from=str(item.get("restored_from", "")),
                first=bool(item.get("first", False)),
            )
            for item in raw
            if isinstance(item, dict) and (self.folder / f"{item.get('name')}.yaml").is_file()
        ]

    def _write_index(self, index: list[Version]) -> None:
        items = [
            {
                "name": v.name,
                "saved": v.saved,
                "version": v.version,
                "changes": [[c.path, c.old, c.new] for c in v.changes],
                "restored_from": v.restored_from,
                "first": v.first,
            }
            for v in index
        ]
        text = json.dumps(items, ensure_ascii=False, indent=1) + "\n"
        write_atomic(self.folder / INDEX, text.encode("utf-8"), mode=0o666)


def dump(data: Any) -> str:
    """YAML a person can still read and edit: keys in their order, accents as they are, texts of several lines as blocks."""
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)


class _Dumper(yaml.SafeDumper):
    pass


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


__all__ = [
    "Change",
    "Conflict",
    "ProcedureStore",
    "Version",
    "changes",
    "check_text",
    "dump",
    "leaves",
    "parse",
    "version_of",
]
