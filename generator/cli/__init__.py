"""The command line: ``python -m generator`` / ``aesh-generator``; the only part that prints.

Exit codes: 0 success; 1 bad data, bad roster or a document that cannot be
made (one ``error: …`` line per problem on stderr); 2 wrong usage.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from ..errors import GeneratorError
from .commands import run
from .parser import build_parser

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return run(args)
    except GeneratorError as exc:
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(
            "error: interrupted; nothing was left half-written "
            "(personalise moves its files into the output folder only at the end)",
            file=sys.stderr,
        )
        return 130
