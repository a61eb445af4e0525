"""The rules of ``uninterruptible`` and ``interrupt_when_safe``: what a signal handler may cut, and when."""

from __future__ import annotations

import threading

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.run.cancel import Cancelled, check, interrupt_when_safe, uninterruptible


class Interrupt(Exception):
    """Stands for the KeyboardInterrupt a signal handler raises (not one pytest would take as Ctrl-C)."""


def _nest(depth: int, interrupts: set[int], ran: list[int], level: int = 0) -> None:
    """``depth`` sections one inside the other; an interrupt at each level listed, then that level ends."""
    if level in interrupts:
        interrupt_when_safe(Interrupt(level))
    if level < depth:
        with uninterruptible():
            _nest(depth, interrupts, ran, level + 1)
    ran.append(level)


@given(depth=st.integers(0, 5), interrupts=st.sets(st.integers(0, 5)))
def test_an_interrupt_is_raised_at_once_outside_and_at_the_outermost_end_inside(
    depth: int, interrupts: set[int]
) -> None:
    """Level 0 is outside every section: an interrupt there is raised at once; deeper, when level 1 ends."""
    interrupts = {level for level in interrupts if level <= depth}
    ran: list[int] = []
    if not interrupts:
        _nest(depth, interrupts, ran)
        assert ran == list(range(depth, -1, -1))
        return
    with pytest.raises(Interrupt) as caught:
        _nest(depth, interrupts, ran)
    first = min(interrupts)
    assert caught.value.args == (first,)  # the first one asked for; later ones add nothing
    # Outside: nothing of the levels ran. Inside: every section ran to its end, level 0 never did.
    assert ran == ([] if first == 0 else list(range(depth, 0, -1)))
    with uninterruptible():  # nothing left pending for the next section
        pass


def test_an_exception_leaving_a_section_goes_on_and_the_interrupt_is_done() -> None:
    """Cancelled (or a failure) raised inside carries the interruption: nothing is raised again later."""
    with pytest.raises(Cancelled), uninterruptible():
        interrupt_when_safe(Interrupt())
        check(_set(threading.Event()))
    with uninterruptible():
        pass


def test_a_section_in_another_thread_never_defers_the_main_threads_interrupt() -> None:
    """A web request's move does not make the command line's Ctrl-C wait: sections belong to their thread."""
    inside, release = threading.Event(), threading.Event()

    def other() -> None:
        with uninterruptible():
            inside.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    thread.start()
    try:
        assert inside.wait(10)
        with pytest.raises(Interrupt):
            interrupt_when_safe(Interrupt())
    finally:
        release.set()
        thread.join()


def test_check_raises_only_once_the_event_is_set() -> None:
    check(None)
    event = threading.Event()
    check(event)
    with pytest.raises(Cancelled):
        check(_set(event))


def _set(event: threading.Event) -> threading.Event:
    event.set()
    return event
