"""The command line: ``python -m generator`` / ``aesh-generator``; the only part that prints.

Exit codes: 0 success; 1 bad data, bad roster or a document that cannot be
made (one ``error: …`` line per problem on stderr); 2 wrong usage. Messages
follow the locale (LANG=fr_FR.UTF-8: French).
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from types import FrameType

from ..errors import GeneratorError
from ..i18n import _
from ..people.numen import holds_numen
from .commands import run
from .parser import build_parser, not_utf8

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(not_utf8(arg) for arg in argv):
        # The bytes would reach names and files as lone surrogates; never shown back.
        print(
            _("error: {problem}").format(
                problem=_("an argument is not valid UTF-8 text (type it again, or rename the file it names)")
            ),
            file=sys.stderr,
        )
        return 2
    secret = next((i for i, arg in enumerate(argv) if holds_numen(arg)), None)
    if secret is not None:
        # A NUMEN is a password: nothing that looks like one is taken in, nor shown back.
        after = argv[secret - 1] if secret and argv[secret - 1].startswith("-") else ""
        where = (
            _("argument {n} (after {option})").format(n=secret + 1, option=after)
            if after and not holds_numen(after)
            else _("argument {n}").format(n=secret + 1)
        )
        print(
            _("error: {problem}").format(
                problem=_(
                    "{where} looks like it holds a NUMEN (a password), which this tool never takes: remove it"
                ).format(where=where)
            ),
            file=sys.stderr,
        )
        return 2
    parser = build_parser()
    if not argv:  # the commands and what each does, as a usage error (exit 2)
        parser.print_help(sys.stderr)
        parser.exit(2)
    args = parser.parse_args(argv)
    try:
        with _sigterm_as_interrupt():
            return run(args)
    except GeneratorError as exc:
        for problem in exc.problems:
            print(_("error: {problem}").format(problem=problem), file=sys.stderr)
        return 1
    except KeyboardInterrupt:
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
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (a service stopping, ``kill``) ends a run as Ctrl-C does: workers stopped, staging removed."""

    def interrupt(_signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
