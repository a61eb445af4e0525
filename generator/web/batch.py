"""The batch of a signing session, in a process of its own: ``run_batch`` as ``personalise`` runs it.

Why a process and not a thread of the server: ``run_batch`` spreads the
sheets over a pool of worker processes and, while it does, takes Ctrl-C
with ``signal.signal`` — allowed in a main thread only, which waitress's
threads are not. In a process of its own (started with "spawn", the one
way Windows has) the run has its main thread, all the cores, and cannot
stall the pages. Progress comes back through two shared counters, the
``BatchResult`` or the refusal through a pipe; ``stop`` asks the run to
end between two sheets (its pool is shut down, its staging folder
removed), and kills it if it does not.

Two more bounds, kept by the child itself:
- the server's death: the child holds the end of a pipe the server alone
  writes to; the system closes it however the server dies (even SIGKILL),
  and the child then kills its pool's workers, removes the session's
  folder and exits: nobody is left to want the sheets, and a worker ending
  its chunk (or a print file of 2000 pages) gracefully would take seconds;
- the disk: the session's folder is measured as the run writes (every
  DISK_EVERY seconds); past the session's budget, counting the ZIP still to
  be written as large as the sheets, the run is stopped ("too-large").
"""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import threading
import time
from collections.abc import Sequence
from multiprocessing.connection import Connection
from multiprocessing.connection import wait as wait_for
from pathlib import Path
from typing import Any

from .. import MOST_PAGES, BatchResult, GeneratorError, Procedure, Roster, run_batch
from ..i18n import _, current_language, set_language
from . import messages

# A session's print file is one all.pdf as long as run_batch allows (2000 pages), not the command
# line's 500: one file to print for a signing day; past it the run writes volumes, each offered.
PRINT_VOLUME = MOST_PAGES
STOP_WAIT = 10.0  # seconds a run has to end after being asked, before it is killed
DISK_EVERY = 0.25  # seconds between two measures of the session's folder
# Added to a run's niceness: on a busy machine the pages get about three quarters of a core a run
# wants (Linux's weights: 1024 against 335), and the run all of what the pages leave. Measured
# under the load run (60 s each, 2 cores): +0 gave "Créer la fiche" a p95 of 422 ms and runs of
# 30 people ready in 0.2 s (median); +5, 352 ms and 2.0 s; +10, 340 ms and 6.9 s.
NICENESS = 5


class _Stopped(Exception):
    """The server asked the run to stop (its session was removed, or the server stops)."""


class _TooLarge(Exception):
    """The session's folder would pass its disk budget."""


def folder_bytes(folder: Path) -> int:
    """The bytes of the files under ``folder`` (files moved or removed meanwhile are skipped)."""
    total = 0
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_dir(follow_symlinks=False):
                total += folder_bytes(Path(entry.path))
            elif entry.is_file(follow_symlinks=False):
                total += entry.stat(follow_symlinks=False).st_size
        except OSError:
            continue
    return total


class _Disk:
    """The session's folder measured now and then against its budget; the ZIP to come counted as large."""

    def __init__(self, folder: Path, budget: int | None) -> None:
        self.folder, self.budget, self._next = folder, budget, 0.0

    def over(self, now: float | None = None) -> bool:
        """Past the budget, measured at most every DISK_EVERY seconds (``now``: ``time.monotonic()``)."""
        now = time.monotonic() if now is None else now
        if self.budget is None or now < self._next:
            return False
        self._next = now + DISK_EVERY
        return 2 * folder_bytes(self.folder) > self.budget


def _watch_server(alive: Connection, folder: Path) -> None:
    """In a thread of the child: once the server's end of ``alive`` closes (it died), the run ends here."""
    try:
        alive.recv()  # the server never writes: this returns only by its end closing
    except (EOFError, OSError):
        pass
    try:
        for worker in multiprocessing.active_children():
            worker.kill()  # first: no worker writes into the folder once it is removed
        # Renamed first: the main thread, still writing, then fails instead of
        # creating files after the removal has listed the folder.
        gone = folder.with_name(f".gone-{os.getpid()}-{folder.name}")
        try:
            folder.rename(gone)
        except OSError:
            gone = folder
        shutil.rmtree(gone, ignore_errors=True)  # the names and sheets nobody will come for
    finally:
        os._exit(1)  # whatever failed above, an orphaned batch never goes on


def _give_way() -> None:
    """The run's processes (its pool's workers inherit it) yield the cores to the pages' requests.

    A run is background work; at the desk someone is waiting. With 18 users
    at the desk and two runs at once, the runs took the cores the server's
    threads needed. Where the system has no niceness (Windows), nothing changes.
    """
    if hasattr(os, "nice"):
        try:
            os.nice(NICENESS)
        except OSError:
            pass  # already as low as it goes


def _child(
    procedure: Procedure,
    roster: Roster,
    out: Path,
    options: dict[str, Any],
    done: Any,
    stop: Any,
    results: Connection,
    alive: Connection,
) -> None:
    """The run, in the child process's main thread; sends (outcome, payload) unless the server is gone."""
    # Ctrl-C at the server's terminal reaches this process too: the server
    # stops the run itself (``stop``), in order.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if hasattr(os, "setpgrp"):
        # A group of its own with its pool's workers: if this process is killed,
        # the server ends the workers with it (killpg) rather than leave orphans.
        os.setpgrp()
    _give_way()
    # The language of the page that started the run: the library's messages come back in it.
    set_language(options.pop("language"))
    folder: Path = options.pop("folder") or out
    disk = _Disk(folder, options.pop("budget"))
    watcher = threading.Thread(target=_watch_server, args=(alive, folder), daemon=True)
    watcher.start()

    def progress(made: int, _count: int) -> None:
        done.value = made
        if stop.is_set():
            raise _Stopped
        if disk.over():
            raise _TooLarge

    outcome = _outcome(procedure, roster, out, options, progress)
    if outcome[0] == "ok" and disk.over(now=float("inf")):
        # Made between two measures: measured once more, the sheets are not kept past the budget.
        shutil.rmtree(out, ignore_errors=True)
        outcome = ("too-large", [])
    try:
        results.send(outcome)
        results.close()
    except OSError:
        # The server died meanwhile: its watcher removes the folder and ends this process. Returning
        # instead would end the process under the watcher, the folder half removed (seen on CI).
        watcher.join(STOP_WAIT)
        os._exit(1)  # the watcher ends the process; should it not within STOP_WAIT, this does


def _outcome(
    procedure: Procedure, roster: Roster, out: Path, options: dict[str, Any], progress: Any
) -> tuple[str, Any]:
    """("ok", BatchResult), or why not: ("refused", problems), ("stopped"|"too-large"|"failed", …)."""
    try:
        result = run_batch(procedure, roster, out, progress=progress, **options)
    except GeneratorError as exc:
        return ("refused", list(exc.problems))
    except (_Stopped, KeyboardInterrupt):
        return ("stopped", [])
    except _TooLarge:
        return ("too-large", [])
    except Exception as exc:  # told as "could not be made"; the server's log gets the kind, never data
        return ("failed", [type(exc).__name__])
    return ("ok", result)


class Batch:
    """``run_batch`` on a checked roster in a child process: ``personalise``'s very files in ``out``."""

    def __init__(
        self,
        procedure: Procedure,
        roster: Roster,
        out: Path,
        *,
        formats: Sequence[str],
        eml: bool,
        skip_invalid: bool,
        total: int,
        folder: Path | None = None,
        budget: int | None = None,
    ) -> None:
        """``folder``: the session's folder (measured, removed if the server dies); ``budget``: its bytes."""
        self._context = multiprocessing.get_context("spawn")
        self.procedure, self.roster, self.out, self.total = procedure, roster, out, total
        self.folder, self.budget = folder, budget
        self.options: dict[str, Any] = {
            "formats": tuple(formats),
            "eml": eml,
            "skip_invalid": skip_invalid,
            "print_volume": PRINT_VOLUME,
        }
        self.language = current_language()
        self._done = self._context.Value("i", 0, lock=False)
        self._stop = self._context.Event()
        self.process: Any = None
        self.outcome = ""  # "ok", "refused", "stopped", "too-large", "failed"; "" while running
        self.result: BatchResult | None = None
        self._problems: list[str] = []

    def start(self) -> None:
        receiving, sending = self._context.Pipe(duplex=False)
        self._receiving = receiving
        # Never written to: the child sees its end close when this process ends, however it ends.
        watched, self._alive = self._context.Pipe(duplex=False)
        extra = {"language": self.language, "folder": self.folder, "budget": self.budget}
        self.process = self._context.Process(
            target=_child,
            args=(
                self.procedure,
                self.roster,
                self.out,
                {**self.options, **extra},
                self._done,
                self._stop,
                sending,
                watched,
            ),
            name="generator-session-batch",
            daemon=False,  # its pool has processes of its own, which a daemon may not
        )
        self.process.start()
        sending.close()  # the child's end: once the child is gone, receiving sees the end
        watched.close()  # the child's alone: this process keeps only the end it never writes to

    def wait(self) -> int:
        """Until the run ends; 0 when every sheet asked for was made."""
        # "failed" stays when the child died without a word (killed, out of memory).
        outcome: str = "failed"
        payload: Any = []
        try:
            # The pipe alone may never say "end" for a child that died before
            # taking its end of it: its exit is watched too.
            while True:
                ready = wait_for([self._receiving, self.process.sentinel])
                if self._receiving in ready or self._receiving.poll(0):
                    outcome, payload = self._receiving.recv()
                    break
                if self.process.sentinel in ready:
                    break
        except EOFError:
            pass
        finally:
            self._receiving.close()
            self.process.join()
            self._alive.close()
        if outcome == "failed":
            self._kill_group()  # its workers, if the run itself was killed
        self.outcome = outcome
        if outcome == "ok":
            self.result = payload
        else:
            self._problems = payload
        return 0 if outcome == "ok" else 1

    def done(self) -> int:
        """How many persons' sheets are made so far."""
        return self.total if self.outcome else int(self._done.value)

    @property
    def counts(self) -> tuple[int, int]:
        """People with sheets, and email drafts, once the run is made."""
        if self.result is None:
            return 0, 0
        return self.result.sheets, self.result.drafts

    @property
    def print_files(self) -> tuple[str, ...]:
        """The print files the run wrote: ("all.pdf",), or its volumes ("all-001.pdf", …); () without PDF."""
        return self.result.print_files if self.result is not None else ()

    def stop(self) -> None:
        """End the run: asked first (it cleans up), killed after STOP_WAIT seconds."""
        if self.process is None or not self.process.is_alive():
            return
        self._stop.set()
        self.process.join(STOP_WAIT)
        if self.process.is_alive():
            self._kill_group()
            self.process.kill()
            self.process.join()

    def _kill_group(self) -> None:
        """The run's process group killed: the run and the workers of its pool (POSIX; elsewhere the run)."""
        if self.process is None or not hasattr(os, "killpg"):
            return
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # the group is gone already

    def problems(self, name: str = "") -> tuple[list[str], list[tuple[int | None, tuple[str, ...]]]]:
        """Why the run stopped, and the rows it left out (line, problems), as the library words them.

        ``name`` is the list's name as sent, said instead of the server's path.
        """
        path = str(self.roster.source or "")
        skipped: list[tuple[int | None, tuple[str, ...]]] = []
        if self.result is not None:
            # The rows refused at the check, with their structure; then the sheets that could
            # not be made, whose message (the library's) names the line itself.
            skipped = messages.by_line(self.roster.refusals)
            invalid = set(self.roster.invalid)
            unfit = [r for r in self.result.refused if r not in invalid]
            skipped += [(None, (messages.in_file_words(r, path, name),)) for r in unfit]
        errors: list[str] = []
        if self.outcome == "refused":
            # The library's closing line points at a command-line option; the page has its own box.
            closing = _("{source}: nothing written; correct these rows or pass --skip-invalid").format(
                source=path
            )
            errors = [messages.in_file_words(p, path, name) for p in self._problems if p != closing]
        if self.outcome == "too-large" and self.budget is not None:
            errors.append(
                _(
                    "The sheets of this list would take more than {size} MB on the server, the most one "
                    "session may use: nothing was kept. Split the list in smaller ones, or make the sheets "
                    "with the command line (personalise)."
                ).format(size=_megabytes(self.budget))
            )
        if self.outcome not in ("ok", "") and not errors:
            errors.append(
                _(
                    "The sheets could not be made. Nothing was kept. Try again; if it happens again, tell the IT team."
                )
            )
        return errors, skipped


def _megabytes(size: int) -> str:
    """1 GB as "1024"; a small test budget as "0,2" (French decimal comma)."""
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}".replace(".", ",")
