"""A served desk makes its pictures in a worker process; without one, or once it died, in its own process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from generator import Procedure, compose, render_sheet
from generator.web import picture
from generator.web.service import check_person


@pytest.fixture(scope="module")
def pdf(procedure: Procedure) -> bytes:
    return render_sheet(
        compose(procedure, check_person(procedure, {"first_name": "Anne", "last_name": "Dupont"})), "pdf"
    )


@pytest.fixture
def worker() -> Iterator[None]:
    picture.start_worker()
    yield
    picture.stop_worker()


def _not_here(*_args: object) -> object:
    raise AssertionError("the picture was drawn in the server's process")


def test_pictures_are_made_in_the_worker(pdf: bytes, worker: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """With the worker started, the server's process draws nothing; the picture is the one it would draw."""
    expected = picture.make_picture(pdf, 300)
    monkeypatch.setattr(picture, "_grey_rows", _not_here)
    assert picture.page_picture(pdf, 300) == expected
    picture.stop_worker()
    with pytest.raises(AssertionError, match="server's process"):
        picture.page_picture(pdf, 300)  # stopped: made here again


def test_a_dead_worker_costs_no_picture(pdf: bytes, worker: None) -> None:
    """The worker killed: the picture is made in the server's process, and the next ones too."""
    assert picture._worker is not None
    pid = picture._worker.submit(os.getpid).result()
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    expected = picture.make_picture(pdf, 300)
    assert picture.page_picture(pdf, 300) == expected
    assert picture._worker is None
    assert picture.page_picture(pdf, 300) == expected


def test_starting_twice_keeps_one_worker(worker: None) -> None:
    """serve may be asked twice (tests, a restart in one process): one worker, stopped once."""
    first = picture._worker
    picture.start_worker()
    assert picture._worker is first
    picture.stop_worker()
    picture.stop_worker()  # already stopped: nothing to do
    assert picture._worker is None


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="reads the processes from /proc (Linux)")
def test_serve_kills_leave_no_worker_behind(tmp_path: Path) -> None:
    """serve starts the picture worker; the server killed (SIGKILL, no cleanup), its processes go too."""
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(root), "LANG": "C.UTF-8"}
    serve = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        assert serve.stdout is not None and "http://" in serve.stdout.readline()
        children = Path(f"/proc/{serve.pid}/task/{serve.pid}/children").read_text().split()
        workers = [pid for pid in children if "spawn_main" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert workers, "serve started no picture worker"
    finally:
        serve.kill()
        serve.wait()
        serve.stdout.close()  # type: ignore[union-attr]
    deadline = time.monotonic() + 20
    while any(Path(f"/proc/{pid}").exists() for pid in children) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
