"""A signing session's run yields the cores to the desk's pages: its process runs at a lower priority."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from generator import Procedure, read_roster
from generator.web import batch


@pytest.mark.skipif(not hasattr(os, "getpriority"), reason="niceness is a POSIX notion")
def test_run_is_nicer_than_the_server(procedure: Procedure, tmp_path: Path) -> None:
    """While the run makes sheets (its progress moved), its process is NICENESS nicer than the server."""
    rows = ["Prénom;Nom"] + [f"Marie;Dupont{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}" for i in range(400)]
    (tmp_path / "liste.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    roster = read_roster(tmp_path / "liste.csv", procedure)
    run = batch.Batch(
        procedure, roster, tmp_path / "out", formats=("pdf",), eml=False, skip_invalid=False, total=400
    )
    server = os.getpriority(os.PRIO_PROCESS, 0)
    run.start()
    try:
        deadline = time.monotonic() + 120
        # Progress is counted inside run_batch, which the child starts after changing its priority.
        while run.done() == 0 and run.process.is_alive() and time.monotonic() < deadline:
            time.sleep(0.005)
        assert run.done() > 0, "the run never made a sheet"
        seen = os.getpriority(os.PRIO_PROCESS, run.process.pid)
    finally:
        run.stop()
    assert seen == min(server + batch.NICENESS, 19)
    assert os.getpriority(os.PRIO_PROCESS, 0) == server  # the server itself keeps its priority


def test_giving_way_is_skipped_where_there_is_no_niceness(monkeypatch: pytest.MonkeyPatch) -> None:
    """On Windows (no os.nice) the run starts all the same."""
    monkeypatch.delattr(os, "nice", raising=False)
    batch._give_way()  # no AttributeError
