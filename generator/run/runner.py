"""Where the work of a run happens: in this process for a few people, else one worker process per core.

The roster is cut into chunks handed to the workers; only file names come
back, so memory stays flat however long the roster. Files are made in a
staging folder inside the output folder and moved into place by
``commit`` once every sheet is made: a run that fails, or is refused
half-way, leaves the output folder as it was.
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import BinaryIO, TypeVar

from ..people.person import Person
from ..procedure.model import Procedure
from ..render import print_file, writer
from ..sheet.compose import compose, compose_page
from .output import atomic_write, inside
from .plan import Job
from .worker import Made, Worker, init_worker, run_chunk

CHUNK = 50
IN_PROCESS_BELOW = 60  # starting worker processes costs more than this many sheets
Progress = Callable[[int, int], None]  # (sheets done so far, sheets in all)
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def write_print_file(procedure: Procedure, people: Iterable[Person], out: Path, fmt: str) -> Path:
    """The print file of ``fmt`` (``all.pdf``): every person's sheet, one page each, in roster order."""
    path = inside(out, f"{print_file(fmt)}.{fmt}")
    target: BinaryIO
    with atomic_write(path) as target:
        writer(fmt, compose_page(procedure)).write_many((compose(procedure, p) for p in people), target)
    return path


class Runner:
    """A run's workers, its staging folder and its print files."""

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
        self.print_formats = [fmt for fmt in formats if print_file(fmt)]
        self.created = not out.exists()
        self.staging = inside(out, f".partial-{os.getpid()}")
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.local: Worker | None = None
        self.printed: list[Person] = []  # who the print files hold
        self.print_tasks: list[Future[Path]] = []
        if self.workers > 1 and size >= IN_PROCESS_BELOW:
            self.pool = ProcessPoolExecutor(
                max_workers=self.workers,
                initializer=init_worker,
                initargs=(procedure, formats, self.staging, eml),
            )
        else:
            self.local = Worker(procedure, formats, self.staging, eml)

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
        self, jobs: Sequence[Job], print_files: bool = False, progress: Progress | None = None
    ) -> Iterator[Made]:
        """Make every person's files (and the print files); yields what was made, in roster order."""
        people = [job.person for job in jobs]
        if print_files:
            self.printed = people
        if self.local is not None:
            for done, job in enumerate(jobs, start=1):
                yield self.local.run(job)
                if progress is not None:
                    progress(done, len(jobs))
            if print_files:
                for fmt in self.print_formats:
                    write_print_file(self.procedure, people, self.staging, fmt)
            return
        pool = self.pool
        assert pool is not None
        # Ctrl-C while the pool's own locks are held can deadlock it: the
        # signal only sets a flag here, read between two chunks.
        interrupted: list[bool] = []
        previous = signal.signal(signal.SIGINT, lambda *_: interrupted.append(True))
        try:
            yield from self._render_in_pool(pool, jobs, people, print_files, progress, interrupted)
        finally:
            signal.signal(signal.SIGINT, previous)

    def _render_in_pool(
        self,
        pool: ProcessPoolExecutor,
        jobs: Sequence[Job],
        people: list[Person],
        print_files: bool,
        progress: Progress | None,
        interrupted: list[bool],
    ) -> Iterator[Made]:
        # A print file is one long task: started first, it runs beside the sheets.
        if print_files:
            self.print_tasks = [
                pool.submit(write_print_file, self.procedure, people, self.staging, fmt)
                for fmt in self.print_formats
            ]
        # A bounded window of chunks in flight keeps memory flat.
        pending: list[Future[list[Made]]] = []
        chunks = _chunks(jobs, self._size(len(jobs)))
        for chunk in chunks:
            pending.append(pool.submit(run_chunk, chunk))
            if len(pending) >= self.workers * 3:
                break
        done_count = 0
        while pending:
            done = pending.pop(0).result()
            if interrupted:
                raise KeyboardInterrupt
            nxt = next(chunks, None)
            if nxt is not None:
                pending.append(pool.submit(run_chunk, nxt))
            yield from done
            done_count += len(done)
            if progress is not None:
                progress(done_count, len(jobs))
        for task in self.print_tasks:
            task.result()
        if interrupted:
            raise KeyboardInterrupt

    def reprint(self, people: Sequence[Person]) -> None:
        """Make the print files hold exactly ``people`` (the rows made), if they hold others."""
        for task in self.print_tasks:
            task.result()
        if [id(p) for p in people] != [id(p) for p in self.printed]:
            for fmt in self.print_formats:
                write_print_file(self.procedure, people, self.staging, fmt)
            self.printed = list(people)


def render_people(
    procedure: Procedure,
    jobs: Sequence[Job],
    out: Path,
    formats: tuple[str, ...],
    eml: bool = False,
    workers: int = 0,
    print_files: bool = False,
) -> list[Made]:
    """Make every person's files (and the print files with ``print_files``) in ``out``, in roster order."""
    with Runner(procedure, formats, out, eml, workers, size=len(jobs)) as runner:
        made = list(runner.render(jobs, print_files=print_files))
        runner.commit()
    return made
