"""Roster × formats → files: personal sheets, all.pdf, manifest.csv, email drafts.

Work done once per run: the model is validated, the layout computed, the QR
codes encoded and the DOCX package prepared, in each worker process. The
roster is cut into chunks handed to one process per core; only file names
come back, so memory stays flat however long the roster. Files are made in
a staging folder and moved into place only when every sheet is made.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import shutil
import signal
import sys
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from .errors import RenderError, RosterError
from .identifiers import safe_file_stem
from .model import Person, Procedure
from .output import atomic_write, inside
from .render import Renderer, renderer

MANIFEST_COLUMNS = ("row", "first_name", "last_name", "identifier", "flags", "pdf", "docx", "eml")
RESERVED = ("all", "manifest", "flyer", "sent")  # file stems the folder's own files use
CHUNK = 50
IN_PROCESS_BELOW = 60  # starting worker processes costs more than this many sheets
T = TypeVar("T")


@dataclass(frozen=True)
class Job:
    person: Person
    stem: str


@dataclass(frozen=True)
class Written:
    row: int | None
    pdf: str = ""
    docx: str = ""
    eml: str = ""
    problem: str = ""  # why nothing was written for this person


def build_flyer(procedure: Procedure, out: Path, formats: Sequence[str]) -> list[Path]:
    """The generic flyer in each format: ``out/flyer.pdf``, ``out/flyer.docx``."""
    written = []
    for fmt in formats:
        path = inside(out, f"flyer.{fmt}")
        renderer(fmt, procedure).render(None, path)
        written.append(path)
    return written


def single_person(procedure: Procedure, out: Path, formats: Sequence[str], **fields: str) -> list[Path]:
    """The personal sheet of one person typed at the desk."""
    from .roster import person_from_fields

    person = person_from_fields(procedure, **fields)
    # Never over another person's sheet or the folder's own files: a second
    # Mathieu Dupont at the desk gets mdupont-2, not Marie's mdupont.pdf.
    taken = set(RESERVED)
    if out.is_dir():
        taken |= {p.stem for p in out.iterdir() if p.suffix in (".pdf", ".docx", ".eml")}
    stem = safe_file_stem(person.identifier, taken)
    written = _Worker(procedure, tuple(formats), out, eml=False).run(Job(person, stem))
    if written.problem:
        raise RenderError(f"{person.display_name}: {written.problem}")
    return [out / name for name in (written.pdf, written.docx) if name]


class _Worker:
    """Renderers built once; writes the files of one person at a time."""

    def __init__(self, procedure: Procedure, formats: tuple[str, ...], out: Path, eml: bool) -> None:
        self.procedure = procedure
        self.out = out
        self.eml = eml
        self.renderers: dict[str, Renderer] = {fmt: renderer(fmt, procedure) for fmt in formats}
        # A draft carries the PDF even when only DOCX files are asked for.
        self.pdf = self.renderers.get("pdf") or (renderer("pdf", procedure) if eml else None)

    def run(self, job: Job) -> Written:
        """Every file of one person, or, when a sheet cannot be made, none and the reason."""
        try:
            documents = {fmt: r.to_bytes(job.person) for fmt, r in self.renderers.items()}
            pdf = b""
            if self.eml and job.person.email and self.pdf is not None:
                pdf = documents.get("pdf") or self.pdf.to_bytes(job.person)
        except RenderError as exc:  # too long for its page: a bad row
            return Written(job.person.row, problem="; ".join(exc.problems))
        names: dict[str, str] = {}
        for fmt, data in documents.items():
            names[fmt] = f"{job.stem}.{fmt}"
            with atomic_write(inside(self.out, names[fmt])) as stream:
                stream.write(data)
        eml = ""
        if pdf:
            from .mail import attachment_name, build_message, write_draft

            eml = f"{job.stem}.eml"
            message = build_message(self.procedure, job.person, pdf, attachment_name(job.person))
            write_draft(inside(self.out, eml), message)
        return Written(job.person.row, names.get("pdf", ""), names.get("docx", ""), eml)


_WORKER: _Worker | None = None


def _init_worker(procedure: Procedure, formats: tuple[str, ...], out: Path, eml: bool) -> None:
    global _WORKER
    # Ctrl-C is the main process's to handle: it stops handing out work and
    # removes the staging folder; a worker that died on it would hang the pool.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER = _Worker(procedure, formats, out, eml)


def _run_chunk(jobs: list[Job]) -> list[Written]:
    assert _WORKER is not None
    return [_WORKER.run(job) for job in jobs]


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


class Runner:
    """Where the work runs: in this process for a few people, else one worker process per core.

    Files are written into a staging folder inside ``out`` and moved into
    place by ``commit`` once every sheet is made: a run that fails, or is
    refused half-way, leaves ``out`` as it was.
    """

    def __init__(
        self,
        procedure: Procedure,
        formats: tuple[str, ...],
        out: Path,
        eml: bool = False,
        workers: int = 0,
        size: int = 0,
    ) -> None:
        self.procedure, self.out = procedure, out
        self.created = not out.exists()
        self.staging = inside(out, f".partial-{os.getpid()}")
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.local: _Worker | None = None
        if self.workers > 1 and size >= IN_PROCESS_BELOW:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                initializer=_init_worker,
                initargs=(procedure, formats, self.staging, eml),
            )
        else:
            self.local = _Worker(procedure, formats, self.staging, eml)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, *_exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.created and self.out.is_dir() and not any(self.out.iterdir()):
            self.out.rmdir()

    def commit(self) -> None:
        """Move every file this run made into ``out``."""
        if self.staging.is_dir():
            for path in sorted(self.staging.iterdir()):
                os.replace(path, self.out / path.name)

    def _size(self, count: int) -> int:
        return max(1, min(CHUNK, count // (self.workers * 4) or 1))

    def render(
        self, jobs: Sequence[Job], print_file: bool = False, progress: bool = False
    ) -> Iterator[Written]:
        """Make every person's files (and ``all.pdf``); yields what was made, in roster order."""
        bar = _progress(len(jobs), progress)
        people = [job.person for job in jobs]
        if self.local is not None:
            for job in jobs:
                yield self.local.run(job)
                bar.update(1)
            bar.close()
            if print_file:
                write_all_pdf(self.procedure, people, self.staging)
            return
        pool = self.pool
        assert pool is not None
        # Ctrl-C while the pool's own locks are held can deadlock it: the
        # signal only sets a flag here, read between two chunks.
        interrupted: list[bool] = []
        previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
        try:
            yield from self._render_in_pool(pool, jobs, people, print_file, bar, interrupted)
        finally:
            signal.signal(signal.SIGINT, previous)
        bar.close()

    def _render_in_pool(
        self,
        pool: ProcessPoolExecutor,
        jobs: Sequence[Job],
        people: list[Person],
        print_file: bool,
        bar: _NoBar,
        interrupted: list[bool],
    ) -> Iterator[Written]:
        # The print file is one long task: started first, it runs beside the sheets.
        print_task = pool.submit(write_all_pdf, self.procedure, people, self.staging) if print_file else None
        # A bounded window of chunks in flight keeps memory flat.
        pending: list[Future[list[Written]]] = []
        chunks = _chunks(jobs, self._size(len(jobs)))
        for chunk in chunks:
            pending.append(pool.submit(_run_chunk, chunk))
            if len(pending) >= self.workers * 3:
                break
        while pending:
            done = pending.pop(0).result()
            if interrupted:
                raise KeyboardInterrupt
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.submit(_run_chunk, nxt))
            yield from done
            bar.update(len(done))
        if print_task is not None:
            print_task.result()
        if interrupted:
            raise KeyboardInterrupt


def render_people(
    procedure: Procedure,
    jobs: Sequence[Job],
    out: Path,
    formats: tuple[str, ...],
    eml: bool = False,
    workers: int = 0,
    progress: bool = False,
    print_file: bool = False,
) -> list[Written]:
    """Make every person's files (and ``all.pdf`` with ``print_file``) in ``out``, in roster order."""
    with Runner(procedure, formats, out, eml, workers, size=len(jobs)) as runner:
        written = list(runner.render(jobs, print_file=print_file, progress=progress))
        runner.commit()
    return written


class _NoBar:
    def update(self, _n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _progress(total: int, enabled: bool) -> _NoBar:
    if not enabled or total < 20 or not sys.stderr.isatty():
        return _NoBar()
    from tqdm import tqdm

    return tqdm(total=total, unit="fiche", file=sys.stderr, leave=False)  # type: ignore[return-value]


def write_all_pdf(procedure: Procedure, people: Iterable[Person], out: Path) -> Path:
    """``all.pdf``: every personal sheet, one page each, in roster order."""
    from .render.pdf import PdfRenderer

    path = inside(out, "all.pdf")
    with atomic_write(path) as stream:
        PdfRenderer(procedure).render_many(people, stream)
    return path


def write_manifest(out: Path, people: Sequence[Person], written: dict[int | None, Written]) -> Path:
    path = inside(out, "manifest.csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(MANIFEST_COLUMNS)
    for person in people:
        w = written.get(person.row, Written(person.row))
        writer.writerow(
            [
                person.row,
                _cell(person.first_name),
                _cell(person.last_name),
                person.identifier,
                " ".join(person.flags),
                w.pdf,
                w.docx,
                w.eml,
            ]
        )
    with atomic_write(path) as stream:
        stream.write(buffer.getvalue().encode("utf-8"))
    return path


def _cell(value: str) -> str:
    """A name as a spreadsheet cell: never a formula (=HYPERLINK(…) in a roster)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def plan(people: Sequence[Person]) -> list[Job]:
    """File stems from identifiers; homonyms get distinct files."""
    taken = set(RESERVED)
    return [Job(person, safe_file_stem(person.identifier, taken)) for person in people]


def _listed(out: Path) -> set[str]:
    """The files an earlier run's manifest.csv lists in ``out`` (none when it is missing or unreadable)."""
    try:
        with (out / "manifest.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return set()
    names = {row.get(column) or "" for row in rows for column in ("pdf", "docx", "eml")}
    # Only plain file names of ours: a hand-edited manifest cannot point elsewhere.
    return {n for n in names if n and Path(n).name == n and Path(n).suffix in (".pdf", ".docx", ".eml")}


def _refuse(roster_path: Path, problems: list[str]) -> RosterError:
    return RosterError(
        [*problems, f"{roster_path}: nothing written; correct these rows or pass --skip-invalid"]
    )


def personalise_command(procedure: Procedure, args: argparse.Namespace) -> int:
    from .roster import load_roster

    roster = load_roster(args.roster, procedure)
    for warning in roster.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    if roster.invalid and not args.skip_invalid:
        raise _refuse(args.roster, list(roster.invalid))
    people = list(roster.people)
    if not people:
        raise RosterError(f"{args.roster}: no valid person in the roster; nothing written")
    formats: tuple[str, ...] = tuple(args.formats)
    out: Path = args.out
    written: dict[int | None, Written] = {}
    with Runner(procedure, formats, out, args.eml, args.jobs, size=len(people)) as runner:
        for item in runner.render(plan(people), print_file="pdf" in formats, progress=True):
            written[item.row] = item
        # A sheet too long for its page is a bad row too; nothing has reached out/ yet.
        unfit = [f"{args.roster}: line {w.row}: {w.problem}" for w in written.values() if w.problem]
        invalid = [*roster.invalid, *unfit]
        if unfit and not args.skip_invalid:
            raise _refuse(args.roster, invalid)
        people = [p for p in people if not written[p.row].problem]
        if not people:
            raise RosterError(f"{args.roster}: no valid person in the roster; nothing written")
        previous = _listed(out)
        runner.commit()
    for problem in invalid:
        print(f"skipped: {problem}", file=sys.stderr)
    write_manifest(out, people, written)
    # Sheets of an earlier run in this folder that this run did not make again
    # would be printed or attached by mistake: the old manifest says which.
    kept = {name for p in people for name in (written[p.row].pdf, written[p.row].docx, written[p.row].eml)}
    stale = sorted(previous - kept)
    for name in stale:
        inside(out, name).unlink(missing_ok=True)
    if stale:
        print(f"removed {len(stale)} file(s) of the previous run (listed in its manifest.csv)")
    homonyms = sum(1 for p in people if "homonym" in p.flags)
    drafts = sum(1 for p in people if written[p.row].eml)
    parts = [f"{len(people)} personal sheet(s) in {out}"]
    if "pdf" in formats:
        parts.append("all.pdf to print them")
    if args.eml:
        parts.append(f"{drafts} email draft(s)")
    if homonyms:
        parts.append(f"{homonyms} homonym(s) flagged in manifest.csv")
    if invalid:
        parts.append(f"{len(invalid)} row(s) skipped")
    print("done: " + ", ".join(parts))
    return 0
