"""The cases of the reference files: the flyer, three people at the desk, the example roster."""

from __future__ import annotations

import os
from pathlib import Path

from generator.cli import main
from generator.resources import example_roster

DESK = (
    [
        "--first-name",
        "Marie-Hélène",
        "--last-name",
        "Dupont",
        "--birth-name",
        "Martin",
        "--manager",
        "vieljeux",
    ],
    [
        "--first-name",
        "Seán",
        "--last-name",
        "O'Brien & <i>Fils</i>",
        "--identifier",
        "sobrien",
        "--manager",
        "aesh17",
    ],
    [
        "--first-name",
        "Anne-Charlotte-Éléonore",
        "--last-name",
        "de La Rochefoucauld-Montbazon-Beauvilliers-Saint-Aignan",
    ],
)
# The documents' date (issue 15: SOURCE_DATE_EPOCH, else the data file's last change, which a
# checkout sets to its own time): fixed here so that the reference files stay the same bytes.
SOURCE_DATE_EPOCH = "1767225600"  # 2026-01-01 00:00 UTC

# What the reference keeps of a personalise run: the drafts carry a date and a message id.
KEPT = (".pdf", ".docx", ".csv")


def make_all(root: Path) -> None:
    """Writes flyer/, desk/ and people/ under ``root`` with the current code, dated SOURCE_DATE_EPOCH."""
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = SOURCE_DATE_EPOCH
    try:
        _make_all(root)
    finally:
        if before is None:
            del os.environ["SOURCE_DATE_EPOCH"]
        else:
            os.environ["SOURCE_DATE_EPOCH"] = before


def _make_all(root: Path) -> None:
    assert main(["build", "--out", str(root / "flyer")]) == 0
    for fields in DESK:
        assert main(["person", *fields, "--out", str(root / "desk")]) == 0
    people = root / "people"
    assert main(["personalise", str(example_roster()), "--out", str(people), "--jobs", "1"]) == 0
    for path in people.iterdir():
        if path.suffix not in KEPT:
            path.unlink()
    # The folders' own hidden files (lock, journal of what a run wrote) are not documents.
    for path in root.glob("*/.*"):
        if path.is_file() and path.parent.name in ("flyer", "desk", "people"):
            path.unlink()
