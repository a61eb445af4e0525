"""The sessions of work of one app: each a private folder, an owner, a run; expired ones reaped.

A browser has one session of work at a time (a new upload replaces the
previous one), the server at most ``MOST_WORKS``; a reaper thread removes
the expired ones, and ``close`` every one when the server stops.
"""

from __future__ import annotations

import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from .. import Procedure
from . import folders, signing
from .batch import Batch

REAP_EVERY = 30.0
MOST_WORKS = 20  # sessions of work at once on one server: each holds a list and its sheets on disk


class Busy(Exception):
    """The server holds MOST_WORKS sessions already; the page asks to try again in a few minutes."""


@dataclass
class Work:
    """One session of work: its folder, the check, the run."""

    id: str
    owner: str
    folder: Path
    created: float
    held: folders.Held | None = None  # the folder's lock, held while the session lives
    formats: tuple[str, ...] = ("pdf", "docx")
    eml: bool = False
    skip_invalid: bool = False
    roster: Path | None = None
    list_name: str = ""  # the uploaded file's name, slugified: the ZIP is named after it
    check: signing.RosterCheck | None = None
    procedure: Procedure | None = None  # the one the list was checked with: the run uses it too
    batch: Batch | None = None
    finished: bool = False
    failed: bool = False  # the run could not even start or be zipped

    @property
    def out(self) -> Path:
        return self.folder / "fiches"

    @property
    def zip_path(self) -> Path:
        return self.folder / "fiches.zip"


class Works:
    """The sessions of work of one app; a reaper thread removes the expired ones."""

    def __init__(self, root: Path | None, minutes: int, most: int = MOST_WORKS) -> None:
        self.root, self.lifetime, self.most = folders.parent_folder(root), minutes * 60.0, most
        self._lock = threading.Lock()
        self._works: dict[str, Work] = {}
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def new(self, owner: str) -> Work:
        """A new session of work for ``owner``; it replaces the owner's previous one. Raises Busy."""
        self.purge()
        work: Work | None = None
        previous: list[Work] = []
        try:
            with self._lock:
                # One step under the lock, the count and the new session: 25 uploads at once
                # never make more than ``most`` (the folder and its lock take a millisecond).
                previous = [w for w in self._works.values() if w.owner == owner]
                for old in previous:  # one browser, one session of work: its earlier list and sheets go
                    del self._works[old.id]
                if len(self._works) < self.most:
                    held = folders.Held(self.root)
                    work = Work(secrets.token_urlsafe(18), owner, held.folder, time.monotonic(), held)
                    self._works[work.id] = work
                    self._start_reaper()
        finally:
            # Out of the list, so disposed of whatever happened (a full disk): never left running unseen.
            for old in previous:
                self._dispose(old)  # outside the lock: stopping a run may take seconds
        if work is None:
            raise Busy
        return work

    def _start_reaper(self) -> None:
        if self._reaper is None:
            self._reaper = threading.Thread(target=self._reap, name="generator-session-reaper", daemon=True)
            self._reaper.start()

    def get(self, work_id: str, owner: str) -> Work | None:
        self.purge()
        with self._lock:
            work = self._works.get(work_id)
        if work is None or not secrets.compare_digest(work.owner, owner):
            return None
        return work

    def remove(self, work_id: str) -> None:
        with self._lock:
            work = self._works.pop(work_id, None)
        if work is not None:
            self._dispose(work)

    @staticmethod
    def _dispose(work: Work) -> None:
        """A session taken out of the list: its run stopped, its folder removed."""
        if work.batch is not None:
            work.batch.stop()
        if work.held is not None:
            work.held.remove()
        else:
            shutil.rmtree(work.folder, ignore_errors=True)

    def purge(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            expired = [w.id for w in self._works.values() if now - w.created > self.lifetime]
        for work_id in expired:
            self.remove(work_id)

    def close(self) -> None:
        """Every session removed (the server stops)."""
        self._stop.set()
        with self._lock:
            ids = list(self._works)
        for work_id in ids:
            self.remove(work_id)

    def __len__(self) -> int:
        with self._lock:
            return len(self._works)

    def _reap(self) -> None:
        while not self._stop.wait(REAP_EVERY):
            self.purge()
