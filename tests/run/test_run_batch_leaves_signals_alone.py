"""run_batch leaves the process's signal handlers alone, runs in any thread, and stops on its cancel event."""

from __future__ import annotations

import hashlib
import os
import signal
import threading
from pathlib import Path
from typing import Any

import pytest

from generator import Procedure
from generator.people.person import Person
from generator.run import Cancelled, run_batch, runner
from generator.run import commit as commit_module
from generator.run.lock import HOLDER_NAME

SIGNALS = (signal.SIGINT, signal.SIGTERM)
POOLED = runner.IN_PROCESS_BELOW + 10  # with POOL_FROM_MS at 0 and two jobs: the worker pool


def _people(count: int, prefix: str = "Dupont") -> list[Person]:
    return [Person("Marie", f"{prefix} {i}", f"{prefix.lower()}{i}", row=i + 2) for i in range(count)]


def _handlers() -> dict[int, Any]:
    return {sig: signal.getsignal(sig) for sig in SIGNALS}


def _contents(out: Path) -> dict[str, str]:
    """Every entry of ``out``, hidden ones included (a staging folder left behind shows as a name).

    The note of who held the lock last is left out: it says when, to the minute.
    """
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "folder"
        for p in out.iterdir()
        if p.name != HOLDER_NAME
    }


@pytest.fixture
def pool(monkeypatch: pytest.MonkeyPatch) -> int:
    """Short rosters take the worker pool too: the path that used to set handlers."""
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)
    return 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_handlers_are_the_callers_before_during_and_after_a_run(
    tmp_path: Path, procedure: Procedure, pool: int, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """SIGINT and SIGTERM keep the caller's handlers while sheets are made, while files move in, and after."""
    before = _handlers()
    seen: list[dict[int, Any]] = []
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        seen.append(_handlers())
        real_replace(src, dst)

    monkeypatch.setattr(commit_module.os, "replace", replace)
    result = run_batch(
        procedure,
        _people(POOLED),
        tmp_path / "out",
        formats=("pdf",),
        jobs=jobs,
        progress=lambda _done, _count: seen.append(_handlers()),
    )
    assert result.sheets == POOLED
    assert len(seen) > POOLED // runner.CHUNK  # progress calls, and one per file moved in
    assert all(handlers == before for handlers in seen)
    assert _handlers() == before


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_in_another_thread_than_the_main_one_works(
    tmp_path: Path, procedure: Procedure, pool: int, jobs: int
) -> None:
    """A web server's thread, a GUI's worker thread: no "signal only works in main thread"."""
    out = tmp_path / "out"
    outcome: list[object] = []

    def work() -> None:
        try:
            outcome.append(run_batch(procedure, _people(POOLED), out, formats=("pdf",), jobs=jobs))
        except BaseException as exc:  # reported below, with its kind
            outcome.append(exc)

    thread = threading.Thread(target=work)
    thread.start()
    thread.join(120)
    assert not thread.is_alive()
    [result] = outcome
    assert not isinstance(result, BaseException), repr(result)
    assert result.sheets == POOLED  # type: ignore[attr-defined]
    assert {f"dupont{i}.pdf" for i in range(POOLED)} <= set(_contents(out))


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("after", [1, 2])  # chunks made before the event is set
def test_a_cancel_event_set_mid_run_stops_it_and_the_folder_stays_as_it_was(
    tmp_path: Path, procedure: Procedure, pool: int, jobs: int, after: int
) -> None:
    """Cancelled between two sheets: the earlier run's files untouched, nothing new, no staging folder."""
    out = tmp_path / "out"
    run_batch(procedure, _people(3, "Earlier"), out, formats=("pdf",), jobs=1)
    earlier = _contents(out)
    cancel = threading.Event()
    calls: list[int] = []

    def progress(done: int, _count: int) -> None:
        calls.append(done)
        if len(calls) == after:
            cancel.set()

    with pytest.raises(Cancelled):
        run_batch(
            procedure, _people(POOLED), out, formats=("pdf",), jobs=jobs, progress=progress, cancel=cancel
        )
    assert len(calls) == after  # stopped at the next sheet, not at the end
    assert _contents(out) == earlier


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cancel_event_set_once_every_sheet_is_made_stops_it_before_the_move(
    tmp_path: Path, procedure: Procedure, pool: int, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """Set as the workers end, just before the files move in: Cancelled, and not one file moved."""
    out = tmp_path / "out"
    run_batch(procedure, _people(2, "Earlier"), out, formats=("pdf",), jobs=1)
    earlier = _contents(out)
    cancel = threading.Event()
    real_stop = runner.Runner.stop_workers

    def stop_workers(self: runner.Runner) -> None:
        real_stop(self)
        cancel.set()

    monkeypatch.setattr(runner.Runner, "stop_workers", stop_workers)
    with pytest.raises(Cancelled):
        run_batch(procedure, _people(POOLED), out, formats=("pdf",), jobs=jobs, cancel=cancel)
    assert _contents(out) == earlier


def test_an_event_never_set_changes_nothing(tmp_path: Path, procedure: Procedure) -> None:
    """The same files with an unused event as without one."""
    made = []
    for name, cancel in (("without", None), ("with", threading.Event())):
        run_batch(procedure, _people(5), tmp_path / name, formats=("pdf",), jobs=1, cancel=cancel)
        made.append({k: v for k, v in _contents(tmp_path / name).items() if not k.startswith(".")})
    assert made[0] == made[1] and len(made[0]) == 5 + 2


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_cancel_event_set_while_the_print_files_are_made_again_stops_the_run(
    tmp_path: Path, procedure: Procedure, pool: int, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A refused row makes the volumes again without it: cancelled then, the folder stays as it was."""
    out = tmp_path / "out"
    run_batch(procedure, _people(2, "Earlier"), out, formats=("pdf",), jobs=1)
    earlier = _contents(out)
    cancel = threading.Event()
    real_reprint = runner.Runner.reprint
    reprinted: list[bool] = []

    def reprint(self: runner.Runner, *args: Any) -> None:
        cancel.set()
        try:
            real_reprint(self, *args)
        except Cancelled:
            reprinted.append(False)  # stopped there, not only later before the move
            raise
        reprinted.append(True)

    monkeypatch.setattr(runner.Runner, "reprint", reprint)
    people = _people(POOLED)
    people.insert(1, Person("Li", "Wang \u738b", "lwang", row=99))  # a name no font draws: refused on the way
    with pytest.raises(Cancelled):
        run_batch(
            procedure,
            people,
            out,
            formats=("pdf",),
            jobs=jobs,
            skip_invalid=True,
            print_volume=20,
            cancel=cancel,
        )
    assert reprinted == [False]
    assert _contents(out) == earlier
