"""One person's files: their sheet composed once, written in every format asked for, and their draft."""

from __future__ import annotations

import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RenderError
from ..output import SHARED, inside
from ..procedure.model import Procedure
from ..render import Writer, writer
from ..safe_files import write_new
from ..sheet.blocks import Sheet
from ..sheet.compose import compose, compose_page
from .plan import Job

ATTACHMENT_FORMAT = "pdf"  # what an email draft attaches (mail/drafts.py names the file)


@dataclass(frozen=True, slots=True)  # one per person, kept until the run ends: no __dict__ each
class Made:
    """What was written for one person: a file name per format and the draft, or why nothing was."""

    row: int | None
    files: dict[str, str] = field(default_factory=dict)  # format → file name
    eml: str = ""
    problem: str = ""  # why nothing was written for this person


class Worker:
    """Writers found once; writes the files of one person at a time."""

    def __init__(self, procedure: Procedure, formats: tuple[str, ...], out: Path, eml: bool) -> None:
        self.procedure = procedure
        self.out = out
        self.eml = eml
        self.page = compose_page(procedure, personal=True)  # a run writes personal sheets only
        self.writers = {fmt: writer(fmt, self.page) for fmt in formats}
        # A draft carries its attachment even when only other formats are asked for.
        self.attachment = writer(ATTACHMENT_FORMAT, self.page) if eml else None

    def warm(self) -> None:
        """Write one sheet of each format in memory: every cache a sheet fills is then filled."""
        from ..people.person import Person

        sheet = compose(self.procedure, Person("Warm", "Up", "wup", row=None))
        for w in self.writers.values():
            w.to_bytes(sheet)

    def _writers_of(self, sheet: Sheet) -> dict[str, Writer]:
        """The writers of the sheet's page: the run's own (found once: the registry hashes the whole
        page at each look-up, some 30 µs a sheet), or those of its office's page (step 1 names it alone)."""
        if sheet.page is self.page:
            return self.writers
        return {fmt: writer(fmt, sheet.page) for fmt in self.writers}

    def run(self, job: Job) -> Made:
        """Every file of one person, or, when a sheet cannot be made in one format, none and the reason."""
        sheet = compose(self.procedure, job.person)
        try:
            documents = {fmt: w.to_bytes(sheet) for fmt, w in self._writers_of(sheet).items()}
            attachment = b""
            if self.eml and job.person.email and self.attachment is not None:
                attachment = documents.get(ATTACHMENT_FORMAT) or writer(
                    ATTACHMENT_FORMAT, sheet.page
                ).to_bytes(sheet)
        except RenderError as exc:  # too long for its page: a bad row, in every format
            return Made(job.person.row, problem="; ".join(exc.problems))
        names: dict[str, str] = {}
        for fmt, data in documents.items():
            names[fmt] = f"{job.stem}.{fmt}"
            # A new file of this run's own staging folder: nothing trusts it before the commit (a run
            # that fails or is stopped removes the folder, half-written files with it).
            write_new(inside(self.out, names[fmt]), data, mode=SHARED)
        eml = ""
        if attachment:
            from ..mail.drafts import attachment_name, build_message, write_draft

            eml = f"{job.stem}.eml"
            message = build_message(self.procedure, job.person, attachment, attachment_name(job.person))
            write_draft(inside(self.out, eml), message, durable=False)
        return Made(job.person.row, names, eml)


_WORKER: Worker | None = None
_WORKER_KEY: tuple[object, ...] | None = None  # what the inherited Worker was built for
WATCH_EVERY = 0.2  # seconds between two looks at the parent process


def _watch_parent(parent: int) -> None:
    """End this worker as soon as the main process is gone (killed by -9, crashed).

    A worker blocked on the pool's queue would otherwise wait forever, and
    one busy with a chunk would go on writing into the staging folder.
    """
    while True:
        time.sleep(WATCH_EVERY)
        if os.getppid() != parent:
            os._exit(1)


def init_worker(procedure: Procedure, formats: tuple[str, ...], out: Path, eml: bool) -> None:
    """Start of a worker process: its Worker, built once."""
    global _WORKER
    # Ctrl-C is the main process's to handle: it stops handing out work and
    # removes the staging folder; a worker that died on it would hang the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The main process turns SIGTERM into Ctrl-C; a worker forked from it ends at once on SIGTERM.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    threading.Thread(target=_watch_parent, args=(os.getppid(),), daemon=True, name="watch-parent").start()
    # Forked from the main process, this worker already holds one built for this run (prepare_worker);
    # started fresh (spawn, as on Windows), it builds its own.
    if _WORKER is None or _WORKER_KEY != (id(procedure), formats, out, eml):
        _WORKER = Worker(procedure, formats, out, eml)
    # Its own sub-folder of the staging folder: files created in one folder are created one at a
    # time (the folder's lock), and two workers would wait on each other. Names never clash: every
    # person has their own stem. The commit moves every file from there.
    own = out / f"w{os.getpid()}"
    os.mkdir(own, 0o700)
    _WORKER.out = own


def run_chunk(jobs: list[Job]) -> list[Made]:
    assert _WORKER is not None
    return [_WORKER.run(job) for job in jobs]


def prepare_worker(procedure: Procedure, formats: tuple[str, ...], out: Path, eml: bool) -> None:
    """Build the Worker in the main process before the pool starts: forked workers inherit it ready.

    The page is laid out, the fonts registered, the QR codes encoded and
    the shared operators prepared (by writing a first sheet, thrown away)
    once, instead of once in every worker.
    """
    global _WORKER, _WORKER_KEY
    _WORKER = Worker(procedure, formats, out, eml)
    _WORKER_KEY = (id(procedure), formats, out, eml)
    _WORKER.warm()


def forget_worker() -> None:
    global _WORKER, _WORKER_KEY
    _WORKER, _WORKER_KEY = None, None
