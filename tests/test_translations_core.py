"""Every message of the core areas (people, procedure, cli) wrapped in _() has a French translation."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from build_catalogs import merged

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("people", "procedure", "cli")
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}


def _msgids(area: str) -> set[str]:
    found: set[str] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT / "generator" / area, method_map=[("**.py", "python")], keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


@pytest.mark.parametrize("area", AREAS)
def test_every_message_of_the_area_has_a_french_translation(area: str) -> None:
    """Each msgid of generator/<area> is translated (non-empty) in the merged French catalog."""
    catalog = merged(ROOT / "generator" / "locale" / "fr")
    missing = []
    for msgid in sorted(_msgids(area)):
        message = catalog.get(msgid)
        strings = message.string if message is not None else ""
        if not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append(msgid)
    assert not missing, f"untranslated in generator/{area}: {missing}"
