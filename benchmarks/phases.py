"""Where the time of a ``personalise`` run goes (``make bench``): prints a phase profile, asserts nothing.

One run of 1000 people per format (PDF twice: a plain roster, then one where one
name in ten is a homonym's), in this process as the command runs it:
imports, reading the roster, preparing the writers and starting the
workers, making the sheets (with each worker's busy time), the final move
into the folder. Also the cost of creating a file on this disk, which every
sheet pays once and which varies with where the file system puts a folder.

    python benchmarks/phases.py [--people 1000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

START = time.perf_counter()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import multiprocessing.util  # noqa: E402

from bench import make_roster  # noqa: E402

import generator.run.batch as batch  # noqa: E402
import generator.run.runner as runner  # noqa: E402
import generator.run.worker as worker  # noqa: E402
from generator.people.roster import read_roster  # noqa: E402
from generator.procedure.schema import load_procedure  # noqa: E402

IMPORTED = time.perf_counter()
_busy = {"seconds": 0.0, "sheets": 0}


def _timed_chunk(jobs: list[worker.Job]) -> list[worker.Made]:  # type: ignore[name-defined]
    began = time.perf_counter()
    made = worker.run_chunk(jobs)
    _busy["seconds"] += time.perf_counter() - began
    _busy["sheets"] += len(jobs)
    return made


def _report_worker() -> None:
    print(f"    worker {os.getpid()}: {_busy['sheets']} sheets, busy {_busy['seconds']:.3f} s", flush=True)


def _init_worker(*args: object) -> None:
    worker.init_worker(*args)  # type: ignore[arg-type]
    multiprocessing.util.Finalize(None, _report_worker, exitpriority=10)


def creation_ms(folder: Path, count: int = 1000) -> float:
    """Milliseconds to create one empty file in a new folder of ``folder``."""
    target = folder / "creation"
    target.mkdir()
    began = time.perf_counter()
    for i in range(count):
        os.close(os.open(target / f"f{i}", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
    spent = time.perf_counter() - began
    shutil.rmtree(target)
    return spent / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=1000)
    args = parser.parse_args()
    runner.run_chunk = _timed_chunk  # type: ignore[assignment]
    runner.init_worker = _init_worker  # type: ignore[assignment]
    marks: dict[str, float] = {}
    real_init, real_commit, real_stop = (
        runner.Runner.__init__,
        runner.Runner.commit,
        runner.Runner.stop_workers,
    )

    def init(self: runner.Runner, *a: object, **k: object) -> None:
        marks["prepare"] = time.perf_counter()
        real_init(self, *a, **k)  # type: ignore[arg-type]
        marks["started"] = time.perf_counter()

    def stop(self: runner.Runner) -> None:
        marks.setdefault("made", time.perf_counter())  # the first call: every file is made
        real_stop(self)

    def commit(self: runner.Runner, *a: object, **k: object) -> None:
        marks["stopped"] = time.perf_counter()
        real_commit(self, *a, **k)  # type: ignore[arg-type]
        marks["moved"] = time.perf_counter()

    runner.Runner.__init__ = init  # type: ignore[method-assign]
    runner.Runner.commit = commit  # type: ignore[method-assign]
    runner.Runner.stop_workers = stop  # type: ignore[method-assign]
    print(f"imports (python started, generator and its libraries loaded): {IMPORTED - START:.3f} s")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        roster_path = folder / "roster.csv"
        make_roster(roster_path, args.people)
        homonyms_path = folder / "homonyms.csv"
        make_roster(homonyms_path, args.people, homonyms=True)
        print(f"creating a file on this disk: {creation_ms(folder):.3f} ms (varies with the folder's place)")
        procedure = load_procedure()
        runs = [
            ("pdf", roster_path, ""),
            ("pdf", homonyms_path, ", one in ten a homonym"),
            ("docx", roster_path, ""),
        ]
        for fmt, path, kind in runs:
            marks.clear()
            began = time.perf_counter()
            roster = read_roster(path, procedure)
            read = time.perf_counter()
            batch.run_batch(procedure, roster, folder / f"out-{fmt}-{path.stem}", formats=(fmt,))
            ended = time.perf_counter()
            print(f"personalise --formats {fmt}, {args.people} people{kind}:")
            print(f"  read the roster                    {read - began:.3f} s")
            print(f"  prepare the writers, start workers {marks['started'] - marks['prepare']:.3f} s")
            print(f"  make the sheets and print files    {marks['made'] - marks['started']:.3f} s")
            print(f"  end the workers                    {marks['stopped'] - marks['made']:.3f} s")
            print(f"  move into the folder (journal)     {marks['moved'] - marks['stopped']:.3f} s")
            print(f"  in all, after the imports          {ended - began:.3f} s", flush=True)


if __name__ == "__main__":
    main()
