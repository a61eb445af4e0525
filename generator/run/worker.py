"""One person's files: their sheet composed once, written in every format asked for, and their draft."""

from __future__ import annotations

import signal
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RenderError
from ..procedure.model import Procedure
from ..render import writer
from ..sheet.compose import compose, compose_page
from .output import atomic_write, inside
from .plan import Job

ATTACHMENT_FORMAT = "pdf"  # what an email draft attaches (mail/drafts.py names the file)


@dataclass(frozen=True)
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
        page = compose_page(procedure)
        self.writers = {fmt: writer(fmt, page) for fmt in formats}
        # A draft carries its attachment even when only other formats are asked for.
        self.attachment = writer(ATTACHMENT_FORMAT, page) if eml else None

    def run(self, job: Job) -> Made:
        """Every file of one person, or, when a sheet cannot be made in one format, none and the reason."""
        sheet = compose(self.procedure, job.person)
        try:
            documents = {fmt: w.to_bytes(sheet) for fmt, w in self.writers.items()}
            attachment = b""
            if self.eml and job.person.email and self.attachment is not None:
                attachment = documents.get(ATTACHMENT_FORMAT) or self.attachment.to_bytes(sheet)
        except RenderError as exc:  # too long for its page: a bad row, in every format
            return Made(job.person.row, problem="; ".join(exc.problems))
        names: dict[str, str] = {}
        for fmt, data in documents.items():
            names[fmt] = f"{job.stem}.{fmt}"
            with atomic_write(inside(self.out, names[fmt])) as stream:
                stream.write(data)
        eml = ""
        if attachment:
            from ..mail.drafts import attachment_name, build_message, write_draft

            eml = f"{job.stem}.eml"
            message = build_message(self.procedure, job.person, attachment, attachment_name(job.person))
            write_draft(inside(self.out, eml), message)
        return Made(job.person.row, names, eml)


_WORKER: Worker | None = None


def init_worker(procedure: Procedure, formats: tuple[str, ...], out: Path, eml: bool) -> None:
    """Start of a worker process: its Worker, built once."""
    global _WORKER
    # Ctrl-C is the main process's to handle: it stops handing out work and
    # removes the staging folder; a worker that died on it would hang the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = Worker(procedure, formats, out, eml)


def run_chunk(jobs: list[Job]) -> list[Made]:
    assert _WORKER is not None
    return [_WORKER.run(job) for job in jobs]
