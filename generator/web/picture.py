"""The picture of a PDF's first page that the desk's pages show: rendered by pdfium in grey, written as PNG.

It is the costliest part of a desk's sheet page, made on every "Créer la
fiche": pdfium renders straight to grey (as office lasers print; half the
time of a colour render converted afterwards) into the rows of the PNG,
written here with zlib, unfiltered, at level 1 — a quarter of the time
Pillow takes with its row filters, for a file no larger.

A served desk (``start_worker``) makes its pictures in a process of its
own: pdfium is not thread-safe, so pictures take turns under a lock, and
in the server's process each turn waited for the GIL at every call into
pdfium while 18 users' requests ran (a sheet page took 0.3–0.6 s there,
the other pages 0.1 s). The worker gets the PDF through a pipe and sends
the PNG back; it keeps nothing, writes nothing. Without a worker (tests,
the library) or when it died, the picture is made in the calling process.
"""

from __future__ import annotations

import logging
import os
import struct
import threading
import time
import zlib
from concurrent.futures import CancelledError, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import Any

_PDFIUM = threading.Lock()  # pdfium is not thread-safe
_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Level 1: measured here on a sheet at 900 px, 4 ms and 85 KB; level 6 took 10 ms for 71 KB.
_LEVEL = 1


_WORKER_LOCK = threading.Lock()
_worker: ProcessPoolExecutor | None = None
# Two: a picture takes about 10 ms of a core; two "Créer la fiche" at once each get one.
WORKERS = 2
WORKER_WAIT = 30.0  # seconds a picture may take in the worker before it is made here instead
START_WAIT = 60.0  # seconds the workers have to start (spawn, pdfium loaded)
RESTART_AFTER = 60.0  # seconds after workers died before new ones are started
GIVE_UP = 3  # starts failed in a row after which the server draws every picture itself
log = logging.getLogger("generator.web")


@dataclass
class _Wanted:
    """What ``start_worker`` asked for, so that workers that died are started again (not at once)."""

    processes: int = 0  # 0: pictures made in the calling process
    restart_at: float = 0.0
    starting: bool = False  # a start under way: no other is begun meanwhile
    failures: int = 0  # starts that failed in a row


_wanted = _Wanted()


def page_picture(pdf: bytes, width: int = 900) -> bytes:
    """A grey PNG of the PDF's first page, ``width`` pixels wide, made in memory (in the worker when started).

    A PDF pdfium cannot draw raises as it would here; a worker that died is
    dropped (this picture and the next ones made here until new workers are
    up); a picture that waits too long, or was cancelled, is made here.
    """
    worker = _worker
    if worker is None:
        _restart_later()
    else:
        try:
            future: Future[bytes] = worker.submit(make_picture, pdf, width)
        except (BrokenProcessPool, RuntimeError):  # dead, or shut down meanwhile ("after shutdown")
            _drop_worker(worker)
        else:
            try:
                return future.result(timeout=WORKER_WAIT)
            except BrokenProcessPool:
                _drop_worker(worker)
            except (TimeoutError, CancelledError):
                future.cancel()  # busy or stopped meanwhile: made here, not twice; the pool kept
    return make_picture(pdf, width)


def make_picture(pdf: bytes, width: int) -> bytes:
    """The picture made in this process (the workers run this)."""
    rows, size = _grey_rows(pdf, width)
    return grey_png(rows, size)


def start_worker(processes: int = WORKERS, *, again: bool = False) -> bool:
    """From now on the pictures are made in processes of their own (started now, "spawn" as on Windows).

    False, and pictures made in the calling process, when they cannot start
    (a worker that cannot load pdfium, no process allowed): the desk still
    works, and tries again RESTART_AFTER seconds later, GIVE_UP times at most.
    ``again``: a restart, made only if nobody stopped the workers meanwhile.
    The pool is started outside the lock: a picture asked meanwhile is made
    here at once, never kept waiting for the workers.
    """
    global _worker
    with _WORKER_LOCK:
        if again and not _wanted.processes:
            return False  # stopped while the restart was on its way
        _wanted.processes = processes
        if _worker is not None:
            return True
        _wanted.starting = True
    pool = _started_pool(processes)
    with _WORKER_LOCK:
        _wanted.starting = False
        if pool is None:
            _wanted.failures += 1
            _wanted.restart_at = time.monotonic() + RESTART_AFTER
            if _wanted.failures >= GIVE_UP:
                _wanted.processes = 0  # no more tries: the server draws, as without workers
            return False
        _wanted.failures = 0
        if _worker is None and _wanted.processes:
            _worker = pool
            return True
    pool.shutdown(wait=False, cancel_futures=True)  # stopped meanwhile, or another start won
    return _worker is not None


def _started_pool(processes: int) -> ProcessPoolExecutor | None:
    """A pool whose processes are all up and ready, or None (said in the log, without data)."""
    import multiprocessing

    pool = ProcessPoolExecutor(processes, multiprocessing.get_context("spawn"), initializer=_prepare)
    try:
        # All started and ready before the first user waits: the pool starts a process for each task
        # asked while none is idle (else the first "Créer la fiche" would wait for one to start).
        for ready in [pool.submit(int) for _ in range(processes)]:
            ready.result(timeout=START_WAIT)
    except (RuntimeError, TimeoutError, OSError) as exc:  # RuntimeError: BrokenProcessPool, or exiting
        pool.shutdown(wait=False, cancel_futures=True)
        log.warning("picture workers could not start (%s): pictures made in the server", type(exc).__name__)
        return None
    return pool


def stop_worker() -> None:
    """Pictures are made in the calling process again; the worker ends."""
    global _worker
    with _WORKER_LOCK:
        worker, _worker = _worker, None
        _wanted.processes = _wanted.failures = 0
    if worker is not None:
        worker.shutdown(wait=True, cancel_futures=True)


def _drop_worker(worker: ProcessPoolExecutor) -> None:
    """Workers that died: dropped (the pictures queued for them fail over to their callers), new ones
    started RESTART_AFTER seconds later by the first picture asked then."""
    global _worker
    with _WORKER_LOCK:
        if _worker is not worker:
            return
        _worker = None
        _wanted.restart_at = time.monotonic() + RESTART_AFTER
    log.warning("picture workers stopped: pictures made in the server for %.0f s", RESTART_AFTER)
    worker.shutdown(wait=False, cancel_futures=False)


def _restart_later() -> None:
    """New workers started in the background once RESTART_AFTER has passed since the last ones died."""
    with _WORKER_LOCK:
        processes = _wanted.processes
        if not processes or _wanted.starting or time.monotonic() < _wanted.restart_at:
            return
        _wanted.starting = True

    def restart() -> None:
        try:
            start_worker(processes, again=True)  # a failure sets the next try itself
        finally:
            with _WORKER_LOCK:
                _wanted.starting = False

    threading.Thread(target=restart, name="picture-workers", daemon=True).start()


def _prepare() -> None:
    """In a worker: pdfium loaded before the first picture; Ctrl-C left to the server, which stops the
    workers in order; and the worker ends with the server, however the server ends (even SIGKILL)."""
    import multiprocessing
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = multiprocessing.parent_process()
    if server is not None:  # first: a worker stuck loading pdfium still ends with the server
        threading.Thread(target=_end_with, args=(server.sentinel,), daemon=True).start()
    import pypdfium2  # noqa: F401


def _end_with(sentinel: int) -> None:
    """Once the server's process is gone (its sentinel ready), this worker goes too: nobody waits for it."""
    from multiprocessing.connection import wait

    wait([sentinel])
    os._exit(0)


def png_rows(width: int, height: int) -> bytearray:
    """Room for a picture laid out as PNG stores it: each row of ``width`` bytes after one filter byte.

    Pixel (x, y) is at ``1 + y * (width + 1) + x``; one spare byte ends it.
    pdfium draws straight into it (stride ``width + 1``), so that no row is
    copied under the GIL to make room for the filter bytes.
    """
    return bytearray(1 + (width + 1) * height)


def _grey_rows(pdf: bytes, width: int) -> tuple[bytearray, tuple[int, int]]:
    """The page drawn in grey (0 black … 255 white) into ``png_rows``, and its (width, height)."""
    import ctypes

    import pypdfium2 as pdfium

    made: list[tuple[bytearray, tuple[int, int]]] = []

    def into_rows(w: int, h: int, format: int, rev_byteorder: bool = False) -> Any:  # noqa: A002 (pdfium's name)
        rows = png_rows(w, h)
        made.append((rows, (w, h)))
        room = (ctypes.c_ubyte * ((w + 1) * h)).from_buffer(rows, 1)
        return pdfium.PdfBitmap.new_native(w, h, format, rev_byteorder, buffer=room, stride=w + 1)

    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            try:
                page.render(scale=width / page.get_width(), grayscale=True, bitmap_maker=into_rows).close()
            finally:
                page.close()
        finally:
            document.close()
    return made[0]


def grey_png(rows: bytearray, size: tuple[int, int]) -> bytes:
    """An 8-bit greyscale PNG of the pixels in ``rows`` (laid out by ``png_rows``)."""
    width, height = size
    line = width + 1
    # Filter type 0 ("None") before each row, whatever the drawing left there: the page is mostly
    # white and zlib finds its runs. One C-level slice assignment, not a loop.
    rows[0 : line * height : line] = bytes(height)
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8 bits, grey, deflate, no interlace
    data = zlib.compress(memoryview(rows)[: line * height], _LEVEL)
    return _SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", data) + _chunk(b"IEND", b"")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
