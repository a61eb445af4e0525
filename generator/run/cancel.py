"""Stopping a run without signals: the caller's cancel event, and the sections a run must not be cut in.

The library never touches the process's signal handlers (a web server's
thread, a notebook, a service each have their own). A caller that wants a
run to stop passes ``run_batch`` a ``threading.Event`` and sets it: the run
checks it between sheets and before its files move into place, then raises
``Cancelled`` with nothing of the run in the output folder.

Some stretches must never be cut by an exception raised from a signal
handler: the worker pool's loop (Ctrl-C while the pool's locks are held can
deadlock it) and the final move (half the files in place, half removed).
The library marks them with ``uninterruptible()``; a signal handler (the
command line's) calls ``interrupt_when_safe``, which raises at once outside
such a section and at its end inside one.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Cancelled(Exception):
    """The caller's cancel event was set: the run stopped, and nothing of it reached the output folder."""


class _Sections(threading.local):
    """Per thread: a signal handler runs in the main thread and reads the main thread's state only."""

    depth = 0
    pending: BaseException | None = None


_sections = _Sections()


def check(cancel: threading.Event | None) -> None:
    """Raise ``Cancelled`` when the caller has set ``cancel``."""
    if cancel is not None and cancel.is_set():
        raise Cancelled


@contextmanager
def uninterruptible() -> Iterator[None]:
    """A stretch ``interrupt_when_safe`` does not cut: its exception is raised when the outermost one ends.

    An exception leaving the stretch (``Cancelled``, a failure) goes on in its
    place: the interruption it carried is then done.
    """
    state = _sections
    state.depth += 1
    try:
        yield
    finally:
        # Read and cleared before the depth drops: a signal landing in between
        # is raised at once by the handler, never left pending for a later stretch.
        pending = state.pending if state.depth == 1 else None
        if state.depth == 1:
            state.pending = None
        state.depth -= 1
    if pending is not None:
        raise pending


def interrupt_when_safe(exc: BaseException) -> None:
    """For a signal handler: raise ``exc`` now, or at the end of the ``uninterruptible`` stretch under way."""
    if _sections.depth:
        if _sections.pending is None:
            _sections.pending = exc
        return
    raise exc
