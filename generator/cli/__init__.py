"""The command line: ``python -m generator`` / ``aesh-generator``; the only part that prints.

Exit codes: 0 success; 1 bad data, bad roster or a document that cannot be
made (one ``error: …`` line per problem on stderr); 2 wrong usage; 130
interrupted (Ctrl-C or SIGTERM: the handlers are this module's, for the
command only). Messages follow the locale (LANG=fr_FR.UTF-8: French).
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType
from typing import Any

from .. import Cancelled, GeneratorError, holds_numen, interrupt_when_safe
from ..i18n import _
from .commands import run
from .parser import build_parser, not_utf8

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    refusal = _refused_argument(argv)
    if refusal:
        print(_("error: {problem}").format(problem=refusal), file=sys.stderr)
        return 2
    parser = build_parser()
    if not argv:  # the commands and what each does, as a usage error (exit 2)
        parser.print_help(sys.stderr)
        parser.exit(2)
    return _command(parser.parse_args(argv))


def _refused_argument(argv: list[str]) -> str:
    """Why an argument is refused before parsing ("" when none is): never shown back."""
    if any(not_utf8(arg) for arg in argv):
        # The bytes would reach names and files as lone surrogates; never shown back.
        return _("an argument is not valid UTF-8 text (type it again, or rename the file it names)")
    secret = next((i for i, arg in enumerate(argv) if holds_numen(arg)), None)
    if secret is None:
        return ""
    # A NUMEN is a password: nothing that looks like one is taken in, nor shown back.
    after = argv[secret - 1] if secret and argv[secret - 1].startswith("-") else ""
    where = (
        _("argument {n} (after {option})").format(n=secret + 1, option=after)
        if after and not holds_numen(after)
        else _("argument {n}").format(n=secret + 1)
    )
    return _(
        "{where} looks like it holds a NUMEN (a password), which this tool never takes: remove it"
    ).format(where=where)


def _command(args: argparse.Namespace) -> int:
    """Run the command: problems as ``error:`` lines (exit 1), Ctrl-C or SIGTERM as exit 130."""
    cancel = threading.Event()
    try:
        with _interrupts(cancel):
            return run(args, cancel)
    except GeneratorError as exc:
        for problem in exc.problems:
            print(_("error: {problem}").format(problem=problem), file=sys.stderr)
        return 1
    except (KeyboardInterrupt, Cancelled):
        print(
            _("error: {problem}").format(
                problem=_(
                    "interrupted; nothing was left half-written "
                    "(personalise moves its files into the output folder only at the end)"
                )
            ),
            file=sys.stderr,
        )
        return 130


@contextmanager
def _interrupts(cancel: threading.Event) -> Iterator[None]:
    """Ctrl-C and SIGTERM (a service stopping, ``kill``) end the command, the same way, for its duration.

    The library sets no handler: this one sets ``cancel`` (a batch stops
    between two sheets) and raises KeyboardInterrupt where the library allows
    it (``interrupt_when_safe``: never inside the worker pool's loop, at the
    end of the final move). A signal the process was started ignoring
    (``nohup``) stays ignored. The previous handlers come back afterwards.
    """

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        cancel.set()
        interrupt_when_safe(KeyboardInterrupt())

    previous: dict[signal.Signals, Any] = {}
    try:
        for sig in (signal.SIGINT, signal.SIGTERM):
            if signal.getsignal(sig) not in (signal.SIG_IGN, None):
                previous[sig] = signal.signal(sig, interrupt)
    except ValueError:  # not the main thread: no signal reaches this code
        pass
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
