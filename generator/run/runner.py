"""Where the work of a run happens: in this process for a few people, else one worker process per core.

The persons are read once, in order, and handed to the workers in chunks;
only file names come back, and nothing per person is kept here: memory
stays flat however long the roster. A print volume is handed out with the
persons it holds, just before their chunks. Files are made in a staging
folder inside the output folder (each worker in its own sub-folder: files
made in one folder are created one at a time) and moved into place by
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
import threading
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from ..errors import DeliveryError
from ..i18n import _
from ..journal import Journal
from ..output import atomic_write, inside
from ..people.person import Person
from ..procedure.model import Procedure
from ..render import print_file, writer
from ..sheet.compose import compose, compose_page
from .cancel import check, uninterruptible
from .commit import STAGING_PREFIX, in_the_way, move_in, refuse_in_the_way
from .plan import VOLUME, Job, place, volumes
from .worker import Made, Worker, forget_worker, init_worker, prepare_worker, run_chunk

if TYPE_CHECKING:  # the pool is imported only when a run uses one (~20 ms)
    from concurrent.futures import Future, ProcessPoolExecutor

CHUNK = 50
IN_PROCESS_BELOW = 60  # starting worker processes costs more than this many sheets
# Milliseconds of one process's time a person costs, by format (measured: 0.7–0.9 ms to write a PDF and
# 0.3 for its page of the print file, 0.15 a DOCX, ~1 a draft, and about 0.3 to create each file on this
# disk). Workers pay off past POOL_FROM_MS of work: forking, handing out chunks and collecting names
# cost some 50 ms on two cores (measured: 150 DOCX are faster in one process, 300 in two; PDFs from 150).
SHEET_MS = {"pdf": 1.4, "docx": 0.45}
EML_MS = 1.0
POOL_FROM_MS = 100.0
Progress = Callable[[int, int], None]  # (sheets done so far, sheets in all)
Task = tuple[Callable[..., Any], tuple[Any, ...], list[tuple[int, Job]]]  # function, arguments, its jobs


def write_print_file(procedure: Procedure, people: Iterable[Person], out: Path, name: str) -> Path:
    """One print file ``out/name`` (``all.pdf``, ``all-002.pdf``): these persons' sheets, one page each, in order.

    The writer holds the pages of one file only: a volume bounds the memory it takes.
    """
    fmt = name.rpartition(".")[2]
    path = inside(out, name)
    target: BinaryIO
    with atomic_write(path, durable=False) as target:
        writer(fmt, compose_page(procedure, personal=True)).write_many(
            (compose(procedure, p) for p in people), target
        )
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
        self.print_names: list[str] = []  # the print files made, in print order
        if self.workers > 1 and size >= IN_PROCESS_BELOW and size * _cost_ms(formats, eml) >= POOL_FROM_MS:
            # Built here, before the pool forks: workers inherit the laid-out
            # page, fonts and QR codes instead of each building them again.
            prepare_worker(procedure, formats, self.staging, eml)
            # Objects made so far move out of the collector's sight: a forked worker's
            # collections would otherwise write to every one of them and copy the
            # pages they share with this process into its own memory.
            gc.freeze()
            from concurrent.futures import ProcessPoolExecutor

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
        self.stop_workers()
        forget_worker()
        shutil.rmtree(self.staging, ignore_errors=True)

    def stop_workers(self) -> None:
        """End the worker processes: once every file is made, the move and the journal need none.

        Their memory is given back before the commit, the run's largest moment
        in the main process (the journal's records of 200 000 files).
        """
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
            self.pool = None
            gc.unfreeze()

    def staged(self) -> Iterator[tuple[str, str]]:
        """Every file this run made, with the name it will have in ``out`` (workers' sub-folders included).

        Each folder is listed whole before its first file is given: a caller
        may move the files away (a listing is not promised to stay complete
        while entries leave the folder, on a network share least of all).
        Paths are plain strings: 200 000 Path objects cost more than the moves.
        """
        folders = [os.fspath(self.staging)]
        while folders:
            folder = folders.pop()
            files: list[str] = []  # names only: 100 000 of them take 7 MB
            with os.scandir(folder) as listing:
                for entry in listing:
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(entry.path)
                    elif not entry.name.endswith(".tmp"):
                        files.append(entry.name)
            for name in files:
                yield name, os.path.join(folder, name)

    def commit(
        self,
        journal: Journal | None = None,
        replaceable: tuple[str, ...] = (),
        cancel: threading.Event | None = None,
    ) -> None:
        """Move every file this run made into ``out``.

        Raises DeliveryError, before moving anything, when a file in ``out``
        would be replaced that this tool did not write (``commit.in_the_way``);
        ``Cancelled`` when ``cancel`` is set before the move starts. Once
        started, the move is not cut (``cancel.uninterruptible``).
        """
        journal = journal if journal is not None else Journal.load(self.out)
        blocked = in_the_way(self.out, journal, self.staged(), replaceable)
        if blocked:
            raise refuse_in_the_way(self.out, blocked)
        check(cancel)
        with uninterruptible():
            move_in(self.out, journal, self.staged)
        left = [name for name, _path in self.staged()]
        if left:  # never reported as made and then removed with the staging folder
            raise DeliveryError(
                _("{out}: {count} file(s) of this run could not be moved in ({names}); run it again").format(
                    out=self.out, count=len(left), names=", ".join(sorted(left)[:5])
                )
            )

    def _size(self, count: int) -> int:
        return max(1, min(CHUNK, count // (self.workers * 4) or 1))

    def _names(self, count: int) -> list[list[str]]:
        """The print files of ``count`` pages: per volume, the file of each print format (``all.pdf``…)."""
        if not self.print_formats or count <= 0:
            self.print_names = []
            return []
        per_format = [
            [vol.name for vol in volumes(count, self.volume, print_file(fmt), fmt)]
            for fmt in self.print_formats
        ]
        self.print_names = [name for names in per_format for name in names]
        return [list(names) for names in zip(*per_format, strict=True)]

    def place(self, index: int, count: int) -> tuple[str, int]:
        """The print file and page (from 1) of the ``index``-th of ``count`` persons printed ("", 0: none)."""
        if not self.print_formats:
            return "", 0
        fmt = self.print_formats[0]
        return place(index, count, self.volume, print_file(fmt), fmt)

    def _tasks(self, jobs: Iterable[Job], count: int, print_files: bool) -> Iterator[Task]:
        """The run's work in order: each print volume just before the chunks of its own sheets.

        A volume is one long task; started early it runs beside the sheets, and
        the short chunks at the end keep both cores busy to the last. At most a
        volume's persons are held at a time.
        """
        names = self._names(count) if print_files else []
        size = self._size(count)
        group = self.volume if names else size
        held: list[tuple[int, Job]] = []
        for index, job in enumerate(jobs):
            held.append((index, job))
            if len(held) == group or index + 1 == count:
                yield from self._group(held, names[index // group] if names and index < count else [], size)
                held = []
        if held:  # more jobs than ``count`` said: made, never printed
            yield from self._group(held, [], size)

    def _group(self, held: list[tuple[int, Job]], print_names: list[str], size: int) -> Iterator[Task]:
        """A volume's print files (or none) with these persons, then the chunks of their sheets."""
        if print_names:
            people = [job.person for _index, job in held]
            for name in print_names:
                yield write_print_file, (self.procedure, people, self.staging, name), []
        for first in range(0, len(held), size):
            chunk = held[first : first + size]
            yield run_chunk, ([job for _index, job in chunk],), chunk

    def run(
        self,
        jobs: Iterable[Job],
        count: int,
        print_files: bool = False,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> Generator[tuple[int, Job, Made]]:
        """Make every person's files (and the print files); yields each person's index, job and result, in order.

        ``count`` is the number of ``jobs`` (the print files are laid out for that many pages).
        ``cancel`` set: ``Cancelled`` is raised between two sheets (``cancel.check``).
        """
        tasks = self._tasks(jobs, count, print_files)
        if self.local is not None:
            yield from self._run_here(self.local, tasks, count, progress, cancel)
            return
        assert self.pool is not None
        # An exception raised while the pool's own locks are held can deadlock
        # it: a signal handler's waits for the end (``cancel.uninterruptible``),
        # the cancel event is read between two chunks.
        with uninterruptible():
            yield from self._run_in_pool(self.pool, tasks, count, progress, cancel)

    def _run_here(
        self,
        local: Worker,
        tasks: Iterator[Task],
        count: int,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> Iterator[tuple[int, Job, Made]]:
        """The tasks in this process, one after the other."""
        done = 0
        for fn, args, held in tasks:
            check(cancel)
            if not held:
                fn(*args)
                continue
            for index, job in held:
                yield index, job, local.run(job)
                check(cancel)
            done += len(held)
            if progress is not None:
                progress(done, count)

    def _run_in_pool(
        self,
        pool: ProcessPoolExecutor,
        tasks: Iterator[Task],
        count: int,
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> Iterator[tuple[int, Job, Made]]:
        # A bounded window of tasks in flight keeps memory flat.
        pending: deque[tuple[list[tuple[int, Job]], Future[Any]]] = deque()
        window = self.workers * 3
        for fn, args, jobs in tasks:
            pending.append((jobs, pool.submit(fn, *args)))
            if len(pending) >= window:
                break
        done = 0
        while pending:
            jobs, future = pending.popleft()
            result = future.result()
            check(cancel)
            nxt = next(tasks, None)
            if nxt is not None:
                pending.append((nxt[2], pool.submit(nxt[0], *nxt[1])))
            if not jobs:
                continue
            for (index, job), made in zip(jobs, result, strict=True):
                yield index, job, made
            done += len(jobs)
            if progress is not None:
                progress(done, count)
        check(cancel)

    def reprint(self, people: Iterable[Person], count: int, cancel: threading.Event | None = None) -> None:
        """Make the print files again with exactly ``people`` (``count`` of them: the rows made).

        ``cancel`` is read between two volumes; waits on the pool are not cut (``cancel.uninterruptible``).
        """
        for name in self.print_names:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.staging / name)
        names = self._names(count)
        if not names:
            return
        with uninterruptible():
            self._print_volumes(people, count, names, cancel)

    def _print_volumes(
        self, people: Iterable[Person], count: int, names: list[list[str]], cancel: threading.Event | None
    ) -> None:
        # A bounded window of volumes in flight: the pool keeps a task's persons until it is done.
        pending: deque[Future[Path]] = deque()
        held: list[Person] = []
        for index, person in enumerate(people):
            held.append(person)
            if len(held) == self.volume or index + 1 == count:
                check(cancel)
                for name in names[index // self.volume]:
                    args = (self.procedure, held, self.staging, name)
                    if self.pool is None:
                        write_print_file(*args)
                        continue
                    pending.append(self.pool.submit(write_print_file, *args))
                    if len(pending) >= self.workers * 2:
                        pending.popleft().result()
                held = []
        while pending:
            pending.popleft().result()
        check(cancel)
