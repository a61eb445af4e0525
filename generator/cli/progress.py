"""The progress bar of ``personalise`` on a terminal (tqdm): sheets done, rate and time left."""

from __future__ import annotations

import sys
from typing import Any

from ..i18n import _

SHOWN_FROM = 20  # rows: shorter runs end before a bar is worth drawing


class ProgressBar:
    """On a terminal, for long rosters: sheets done, rate and time left; nothing on a pipe or a file."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < SHOWN_FROM or not sys.stderr.isatty():
                return
            from tqdm import tqdm

            # tqdm fills in the fields in braces: {n_fmt}/{total_fmt} done, {rate_fmt}, {remaining} (m:ss).
            shape = "{percentage:3.0f}% |{bar}| " + _(
                "{n_fmt}/{total_fmt} sheets, {rate_fmt}, {remaining} left"
            )
            self.bar = tqdm(
                total=total,
                unit=_("sheet"),
                file=sys.stderr,
                leave=False,
                bar_format=shape,
                mininterval=0.25,
                smoothing=0.1,
            )
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
