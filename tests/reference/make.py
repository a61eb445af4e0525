"""Writes the reference files again with the current code (only for a change of design on purpose)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from reference_cases import make_all  # noqa: E402

if __name__ == "__main__":
    for folder in ("flyer", "desk", "people"):
        shutil.rmtree(HERE / folder, ignore_errors=True)
    make_all(HERE)
    print(f"wrote the reference files in {HERE}")
