"""Where the work of a run happens: in this process for a few people, else one worker process per core.

The roster is cut into chunks handed to the workers; only file names come
back, so memory stays flat however long the roster. Files are made in a
staging folder inside the output folder and moved into place by
``commit`` once every sheet is made: a run that fails, or is refused
half-way, leaves the output folder as it was. The staging folder carries the
process id; a run that died leaves it behind, and the next run into the
folder removes it (``commit.clear_dead_runs``, under the folder lock).
"""

from __future__ import annotations

import contextlib
import gc
import os
import shutil
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from ..people.person import Person
from ..procedure.model import Procedure
from ..render import print_file, writer
from ..safe_files import Journal
from ..sheet.compose import compose, compose_page
from .commit import STAGING_PREFIX, in_the_way, move_in, refuse_in_the_way, signals_deferred
from .lock import folder_lock
from .output import atomic_write, inside
from .plan import VOLUME, Job, Volume, volumes
from .worker import Made, Worker, forget_worker, init_worker, prepare_worker, run_chunk

CHUNK = 50
IN_PROCESS_BELOW = 60  # starting worker processes costs more than this many sheets
# Milliseconds of one process's time a person costs, by format (measured: 2.1 ms a PDF with its page of
# the print file 0.4, 0.3 a DOCX, ~1 a draft). Workers pay off only past POOL_FROM_MS of work: forking,
# handing out chunks and collecting names cost about a quarter of a second on two cores.
SHEET_MS = {"pdf": 2.5, "docx": 0.3}
EML_MS = 1.0
POOL_FROM_MS = 600.0
Progress = Callable[[int, int], None]  # (sheets done so far, sheets in all)
T = TypeVar("T")


def _chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def write_print_file(procedure: Procedure, people: Iterable[Person], out: Path, name: str) -> Path:
    """One print file ``out/name`` (``all.pdf``, ``all-002.pdf``): these persons' sheets, one page each, in order.

    The writer holds the pages of one file only: a volume bounds the memory it takes.
    """
    fmt = name.rpartition(".")[2]
    path = inside(out, name)
    target: BinaryIO
    with atomic_write(path, durable=False) as target:
        writer(fmt, compose_page(procedure)).write_many((compose(procedure, p) for p in people), target)
    return path


def _cost_ms(formats: Sequence[str], eml: bool) -> float:
    """What one person costs to make, in milliseconds of one process (``SHEET_MS``)."""
    return sum(SHEET_MS.get(fmt, max(SHEET_MS.values())) for fmt in formats) + (EML_MS if eml else 0.0)


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
        volume: int = VOLUME,
    ) -> None:
        self.procedure, self.out = procedure, out
        self.print_formats = [fmt for fmt in formats if print_file(fmt)]
        self.volume = max(1, volume)
        self.staging = inside(out, f"{STAGING_PREFIX}{os.getpid()}")
        if not out.is_dir():
            out.mkdir(parents=True)
        os.mkdir(self.staging, 0o700)  # its own, new: no link or file of anyone else in it
        self.workers = workers or os.cpu_count() or 1
        self.pool: ProcessPoolExecutor | None = None
        self.local: Worker | None = None
        self.printed: list[Person] = []  # who the print files hold
        self.print_names: list[str] = []  # the print files made, in print order
        self.print_tasks: list[Future[Path]] = []
        if self.workers > 1 and size >= IN_PROCESS_BELOW and size * _cost_ms(formats, eml) >= POOL_FROM_MS:
            # Built here, before the pool forks: workers inherit the laid-out
            # page, fonts and QR codes instead of each building them again.
            prepare_worker(procedure, formats, self.staging, eml)
            # Objects made so far (the roster above all) move out of the collector's sight: a
            # forked worker's collections would otherwise write to every one of them and copy
            # the pages they share with this process into its own memory.
            gc.freeze()
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
            gc.unfreeze()
        forget_worker()
        shutil.rmtree(self.staging, ignore_errors=True)

    def staged(self) -> dict[str, Path]:
        """Every file this run made, by the name it will have in ``out``."""
        return {path.name: path for path in self.staging.iterdir() if not path.name.endswith(".tmp")}

    def commit(self, journal: Journal | None = None, replaceable: tuple[str, ...] = ()) -> list[str]:
        """Move every file this run made into ``out``; the names moved.

        Raises DeliveryError, before moving anything, when a file in ``out``
        would be replaced that this tool did not write (``commit.in_the_way``).
        """
        journal = journal if journal is not None else Journal.load(self.out)
        staged = self.staged()
        blocked = in_the_way(self.out, journal, staged, replaceable)
        if blocked:
            raise refuse_in_the_way(self.out, blocked)
        with signals_deferred():
            move_in(self.out, journal, staged)
        return sorted(staged)

    def _size(self, count: int) -> int:
        return max(1, min(CHUNK, count // (self.workers * 4) or 1))

    def _volumes(self, people: Sequence[Person]) -> list[Volume]:
        """Each print file to make, every format's volumes in print order (slices of ``self.printed``)."""
        self.printed = list(people)
        made = [
            vol
            for fmt in self.print_formats
            for vol in volumes(len(people), self.volume, print_file(fmt), fmt)
        ]
        self.print_names = [vol.name for vol in made]
        return made

    def _print_task(self, vol: Volume) -> tuple[Procedure, list[Person], Path, str]:
        return self.procedure, self.printed[vol.start : vol.stop], self.staging, vol.name

    def places(self) -> Iterator[tuple[str, int]]:
        """The print file and page (from 1) of each person printed, in order (none without a print file)."""
        if not self.print_formats:
            return
        fmt = self.print_formats[0]
        for vol in volumes(len(self.printed), self.volume, print_file(fmt), fmt):
            for page in range(1, vol.stop - vol.start + 1):
                yield vol.name, page

    def render(
        self, jobs: Sequence[Job], print_files: bool = False, progress: Progress | None = None
    ) -> Iterator[Made]:
        """Make every person's files (and the print files); yields what was made, in roster order."""
        printing = self._volumes([job.person for job in jobs]) if print_files else []
        if self.local is not None:
            for done, job in enumerate(jobs, start=1):
                yield self.local.run(job)
                if progress is not None:
                    progress(done, len(jobs))
            for vol in printing:
                write_print_file(*self._print_task(vol))
            return
        pool = self.pool
        assert pool is not None
        # Ctrl-C while the pool's own locks are held can deadlock it: the
        # signal only sets a flag here, read between two chunks.
        # SIGTERM (a service stopping, kill) is handled the same way.
        interrupted: list[bool] = []
        previous = {}
        try:
            for sig in (signal.SIGINT, signal.SIGTERM):
                previous[sig] = signal.signal(sig, lambda *_: interrupted.append(True))
        except ValueError:
            pass  # not the main thread (a web request): no signal reaches it
        try:
            yield from self._render_in_pool(pool, jobs, printing, progress, interrupted)
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _tasks(
        self, jobs: Sequence[Job], printing: list[Volume]
    ) -> Iterator[tuple[bool, Callable[..., object], tuple[object, ...]]]:
        """The pool's work in order: each print volume just before the chunks of its own sheets.

        A volume is one long task; started early it runs beside the sheets,
        and the short chunks at the end keep both cores busy to the last.
        """
        left = deque(printing)
        at = 0
        for chunk in _chunks(jobs, self._size(len(jobs))):
            while left and left[0].start <= at:
                yield False, write_print_file, self._print_task(left.popleft())
            yield True, run_chunk, (chunk,)
            at += len(chunk)
        for vol in left:
            yield False, write_print_file, self._print_task(vol)

    def _render_in_pool(
        self,
        pool: ProcessPoolExecutor,
        jobs: Sequence[Job],
        printing: list[Volume],
        progress: Progress | None,
        interrupted: list[bool],
    ) -> Iterator[Made]:
        # A bounded window of tasks in flight keeps memory flat.
        pending: deque[tuple[bool, Future[Any]]] = deque()
        tasks = self._tasks(jobs, printing)
        window = self.workers * 3
        done_count = 0
        for is_chunk, fn, args in tasks:
            pending.append((is_chunk, pool.submit(fn, *args)))
            if len(pending) >= window:
                break
        while pending:
            is_chunk, future = pending.popleft()
            result = future.result()
            if interrupted:
                raise KeyboardInterrupt
            nxt = next(tasks, None)
            if nxt is not None:
                pending.append((nxt[0], pool.submit(nxt[1], *nxt[2])))
            if not is_chunk:
                continue
            yield from result
            done_count += len(result)
            if progress is not None:
                progress(done_count, len(jobs))
        if interrupted:
            raise KeyboardInterrupt

    def reprint(self, people: Sequence[Person]) -> None:
        """Make the print files hold exactly ``people`` (the rows made), if they hold others."""
        if [id(p) for p in people] == [id(p) for p in self.printed]:
            return
        for name in self.print_names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.staging / name)
        printing = self._volumes(people)
        if self.pool is None:
            for vol in printing:
                write_print_file(*self._print_task(vol))
            return
        tasks = [self.pool.submit(write_print_file, *self._print_task(vol)) for vol in printing]
        for task in tasks:
            task.result()


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
    with (
        folder_lock(out, command="render"),
        Runner(procedure, formats, out, eml, workers, size=len(jobs)) as runner,
    ):
        made = list(runner.render(jobs, print_files=print_files))
        runner.commit()
    return made
