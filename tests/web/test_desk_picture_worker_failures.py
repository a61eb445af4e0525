"""The picture workers' failures cost nobody a page: a bad PDF, a worker killed under load, workers started again."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pypdfium2
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
def one_worker() -> Iterator[None]:
    assert picture.start_worker(1)
    yield
    picture.stop_worker()


def _worker_pid() -> int:
    assert picture._worker is not None
    pid = picture._worker.submit(os.getpid).result()
    assert pid != os.getpid()
    return pid


def test_a_pdf_pdfium_refuses_raises_and_keeps_the_workers(one_worker: None, pdf: bytes) -> None:
    """pdfium's error reaches the caller as it would in-process; the workers stay for the next pictures."""
    pool = picture._worker
    with pytest.raises(pypdfium2.PdfiumError):
        picture.page_picture(b"%PDF-1.7 not a page", 300)
    assert picture._worker is pool
    assert picture.page_picture(pdf, 300) == picture.make_picture(pdf, 300)


def test_pictures_queued_when_the_worker_dies_are_all_made(one_worker: None, pdf: bytes) -> None:
    """Eight pictures asked at once, the worker killed under them: each caller still gets its picture."""
    expected = picture.make_picture(pdf, 300)
    pid = _worker_pid()
    with ThreadPoolExecutor(8) as callers:
        asked = [callers.submit(picture.page_picture, pdf, 300) for _ in range(8)]
        time.sleep(0.01)
        os.kill(pid, signal.SIGKILL)
        made = [future.result(timeout=60) for future in asked]
    assert made == [expected] * 8


def test_workers_that_died_are_started_again(
    one_worker: None, pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After RESTART_AFTER, the next picture starts new workers in the background; until then, made here."""
    monkeypatch.setattr(picture, "RESTART_AFTER", 0.0)
    os.kill(_worker_pid(), signal.SIGKILL)
    expected = picture.make_picture(pdf, 300)
    assert picture.page_picture(pdf, 300) == expected  # made here: the workers are dropped
    deadline = time.monotonic() + 60
    while picture._worker is None and time.monotonic() < deadline:
        picture.page_picture(pdf, 300)
        time.sleep(0.2)
    assert picture._worker is not None
    assert _worker_pid() > 0
    assert picture.page_picture(pdf, 300) == expected


def test_stopped_workers_are_not_started_again(pdf: bytes, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(picture, "RESTART_AFTER", 0.0)
    assert picture.start_worker(1)
    picture.stop_worker()
    picture.page_picture(pdf, 300)
    time.sleep(0.5)
    assert picture._worker is None


def test_a_picture_asked_while_workers_start_is_made_at_once(
    pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Workers slow to start (a Windows antivirus, pdfium slow to load): the desk's picture does not wait."""

    def slow_start(_processes: int) -> None:
        time.sleep(3)
        return None

    monkeypatch.setattr(picture, "_started_pool", slow_start)
    starting = threading.Thread(target=picture.start_worker, args=(1,))
    starting.start()
    try:
        time.sleep(0.3)
        began = time.monotonic()
        assert picture.page_picture(pdf, 300) == picture.make_picture(pdf, 300)
        waited = time.monotonic() - began
    finally:
        starting.join()
        picture.stop_worker()
    assert waited < 2.0  # made here at once, not after the workers' start (3 s)


def test_workers_that_cannot_start_are_given_up_after_a_few_tries(
    pdf: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []

    def failing(processes: int) -> None:
        tries.append(processes)
        return None

    monkeypatch.setattr(picture, "_started_pool", failing)
    monkeypatch.setattr(picture, "RESTART_AFTER", 0.0)
    picture.stop_worker()  # a clean count
    try:
        assert picture.start_worker(1) is False
        deadline = time.monotonic() + 20
        while picture._wanted.processes and time.monotonic() < deadline:
            picture.page_picture(pdf, 300)  # each may start a try in the background
            time.sleep(0.05)
        time.sleep(0.3)
        assert picture._wanted.processes == 0 and picture._worker is None
        assert len(tries) == picture.GIVE_UP
    finally:
        picture.stop_worker()
