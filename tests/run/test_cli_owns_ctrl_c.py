"""The command line owns Ctrl-C and SIGTERM: its handlers for the command only, the run stopped cleanly."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.run import commit as commit_module
from generator.run import runner

CLI = "import sys; from generator.cli import main; sys.exit(main(sys.argv[1:]))"
SIGNALS = (signal.SIGINT, signal.SIGTERM)
# On Windows os.kill(pid, SIGINT or SIGTERM) ends the whole test process.
pytestmark = pytest.mark.skipif(os.name == "nt", reason="signals sent to itself end the process on Windows")
linux_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers"
)


def _roster(path: Path, count: int) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Prénom", "Nom"])
        # Names hold no digit (refused as not a name): the row number spelled in letters.
        spelled = str.maketrans("0123456789", "abcdefghij")
        writer.writerows(
            [f"Prénom{str(i).translate(spelled)}", f"Nom{str(i).translate(spelled)}"] for i in range(count)
        )
    return path


def _personalise(roster: Path, out: Path) -> int:
    return main(["personalise", str(roster), "--out", str(out), "--formats", "pdf", "--jobs", "1"])


def _entries(out: Path) -> set[str]:
    """What a run left in ``out`` besides the lock: files and any staging folder."""
    if not out.exists():
        return set()
    return {p.name for p in out.iterdir() if not p.name.startswith(".aesh-generator.lock")}


@pytest.fixture
def handlers() -> Iterator[dict[int, Any]]:
    """The test process's handlers, given back whatever a test did."""
    before = {sig: signal.getsignal(sig) for sig in SIGNALS}
    yield before
    for sig, handler in before.items():
        signal.signal(sig, handler)


def test_the_callers_handlers_come_back_after_a_command(
    tmp_path: Path, handlers: dict[int, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    assert _personalise(_roster(tmp_path / "r.csv", 3), tmp_path / "out") == 0
    assert {sig: signal.getsignal(sig) for sig in SIGNALS} == handlers


def test_sigterm_while_sheets_are_made_in_this_process_ends_the_run_like_ctrl_c(
    tmp_path: Path,
    handlers: dict[int, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No worker pool (one job): SIGTERM at the second sheet, exit 130, nothing in --out."""
    real_run = runner.Worker.run
    made: list[object] = []

    def run(self: runner.Worker, job: Any) -> Any:
        made.append(job)
        if len(made) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return real_run(self, job)

    monkeypatch.setattr(runner.Worker, "run", run)
    out = tmp_path / "out"
    code = _personalise(_roster(tmp_path / "r.csv", 5), out)
    err = capsys.readouterr().err
    assert code == 130 and "interrupted" in err and "Traceback" not in err
    assert len(made) == 2  # stopped there, not at the end
    assert _entries(out) == set()


def test_a_ctrl_c_the_process_was_started_ignoring_stays_ignored(
    tmp_path: Path,
    handlers: dict[int, Any],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """Started with SIGINT ignored (nohup, a background job): a SIGINT during the move changes nothing."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    real = os.replace
    sent: list[object] = []

    def replace(src: Any, dst: Any) -> None:
        if not sent:
            sent.append(dst)
            os.kill(os.getpid(), signal.SIGINT)
        real(src, dst)

    monkeypatch.setattr(commit_module.os, "replace", replace)
    out = tmp_path / "out"
    code = _personalise(_roster(tmp_path / "r.csv", 3), out)
    assert sent and code == 0, capsys.readouterr().err
    assert _entries(out) - {".aesh-generator-written.json"} == {
        "all.pdf",
        "manifest.csv",
        *(f"pnom{letter}.pdf" for letter in "abc"),
    }
    assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN


def _workers_of(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _running(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


@linux_only
def test_ctrl_c_while_the_workers_make_sheets_stops_them_and_writes_nothing(tmp_path: Path) -> None:
    """SIGINT with the worker pool at work: exit 130, no worker left, no staging folder, nothing in --out."""
    out = tmp_path / "out"
    run = subprocess.Popen(
        [sys.executable, "-c", CLI, "personalise", str(_roster(tmp_path / "big.csv", 400))]
        + ["--out", str(out), "--formats", "pdf", "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob(".partial-*/**/*.pdf"))) < 4:
        time.sleep(0.05)
    workers = _workers_of(run.pid)
    assert workers, "the run has worker processes"
    run.send_signal(signal.SIGINT)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_running(pid) for pid in workers), "worker processes outlived the run"
    assert _entries(out) == set()
