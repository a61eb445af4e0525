"""The folder lock: one run at a time per output folder, across processes, never stuck after a crash."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from generator.errors import DeliveryError
from generator.run.lock import LOCK_NAME, FolderBusy, folder_lock

HOLDER = """
import sys, time
from generator.run.lock import folder_lock
with folder_lock(sys.argv[1], command=sys.argv[2], wait=0):
    print("locked", flush=True)
    time.sleep(float(sys.argv[3]))
"""


def _is_locked(folder: Path) -> bool:
    """Another run holds ``folder``: a run that does not wait is refused."""
    try:
        with folder_lock(folder, wait=0):
            return False
    except FolderBusy:
        return True


@contextmanager
def _holder(folder: Path, seconds: float, command: str = "personalise") -> Iterator[subprocess.Popen[str]]:
    """A real second process holding the folder, from the moment it has the lock; killed at the end."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(folder), command, str(seconds)], stdout=subprocess.PIPE, text=True
    ) as process:
        assert process.stdout is not None
        try:
            assert process.stdout.readline().strip() == "locked"
            yield process
        finally:
            process.kill()


def test_a_second_run_is_refused_with_what_holds_the_folder(tmp_path: Path) -> None:
    """While personalise holds the folder, another run waits, then is refused naming the holder."""
    with _holder(tmp_path, 30) as holder:
        started = time.monotonic()
        with pytest.raises(FolderBusy) as caught, folder_lock(tmp_path, command="person", wait=0.3):
            pass
        assert 0.25 < time.monotonic() - started < 3
        message = str(caught.value)
        assert "another run (personalise, started at " in message
        assert f"process {holder.pid}) is writing into this folder (waited 0.3 s)" in message
        assert "choose another output folder" in message
        assert _is_locked(tmp_path)


def test_a_run_killed_with_sigkill_leaves_no_stuck_lock(tmp_path: Path) -> None:
    """kill -9 of the holder: the kernel drops the lock, the next run gets it at once."""
    with _holder(tmp_path, 30) as holder:
        holder.kill()  # SIGKILL on Unix, TerminateProcess on Windows: no clean-up code runs
        holder.wait()
        started = time.monotonic()
        with folder_lock(tmp_path, command="personalise", wait=2):
            assert time.monotonic() - started < 1
    assert (tmp_path / LOCK_NAME).exists() and not _is_locked(tmp_path)


def test_a_waiting_run_goes_on_when_the_holder_finishes(tmp_path: Path) -> None:
    """A holder that ends within the wait lets the second run in without an error."""
    with _holder(tmp_path, 0.5) as holder, folder_lock(tmp_path, command="send", wait=10):
        assert holder.wait(5) == 0  # it had finished: the lock came only after it


def test_two_runs_in_one_process_exclude_each_other(tmp_path: Path) -> None:
    """The web server's threads: a second request for the same folder waits for the first."""
    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with folder_lock(tmp_path, command="personalise", wait=5):
            order.append("first in")
            inside.set()
            time.sleep(0.3)
            order.append("first out")

    thread = threading.Thread(target=first)
    thread.start()
    inside.wait(5)
    with folder_lock(tmp_path, command="person", wait=5):
        order.append("second in")
    thread.join()
    assert order == ["first in", "first out", "second in"]


def test_many_concurrent_runs_never_overlap(tmp_path: Path) -> None:
    """Six processes appending under the lock: their lines never interleave."""
    script = """
import sys, time
from generator.run.lock import folder_lock
out = sys.argv[1]
with folder_lock(out, command="send", wait=30):
    with open(out + "/log.txt", "a") as f:
        f.write(f"start {sys.argv[2]}\\n"); f.flush(); time.sleep(0.05); f.write(f"end {sys.argv[2]}\\n")
"""
    runs = [subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(n)]) for n in range(6)]
    assert [run.wait(60) for run in runs] == [0] * 6
    lines = (tmp_path / "log.txt").read_text().splitlines()
    assert len(lines) == 12
    for start, end in zip(lines[::2], lines[1::2], strict=True):
        assert start.replace("start", "end") == end


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
def test_a_symlinked_lock_or_folder_is_refused(tmp_path: Path) -> None:
    """The lock file or the output folder as a symlink: a clear error, the target untouched."""
    target = tmp_path / "user.txt"
    target.write_text("mine")
    out = tmp_path / "out"
    out.mkdir()
    (out / LOCK_NAME).symlink_to(target)
    with pytest.raises(DeliveryError, match="lock file is a symbolic link"), folder_lock(out):
        pass
    assert target.read_text() == "mine"
    (tmp_path / "link").symlink_to(out)
    with (
        pytest.raises(DeliveryError, match="is a symbolic link; this tool writes only into real folders"),
        folder_lock(tmp_path / "link"),
    ):
        pass
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(DeliveryError, match="symbolic link"), folder_lock(tmp_path / "loop" / "x"):
        pass


def test_a_file_in_place_of_the_folder_is_refused(tmp_path: Path) -> None:
    """--out naming a file: one clear line."""
    (tmp_path / "out").write_text("x")
    with pytest.raises(DeliveryError, match="is a file, not a folder"), folder_lock(tmp_path / "out"):
        pass
