"""Every message of the core areas (people, procedure, cli) wrapped in _() has a French translation.

Babel only sees what is wrapped, so a second test reads the code itself: in
generator/procedure and generator/people/xlsx_guard.py, no error is raised
and no problem recorded with English text that skipped ``_()``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir

from build_catalogs import merged

ROOT = Path(__file__).resolve().parent.parent
AREAS = ("people", "procedure", "cli")
# Where every message a person reads goes through _(): raised errors and the checker's problems.
WRAPPED = (
    *sorted((ROOT / "generator" / "procedure").glob("*.py")),
    ROOT / "generator" / "people" / "xlsx_guard.py",
)
ERRORS = {"DataError", "RosterError", "RenderError", "DeliveryError", "GeneratorError"}
CATALOGS = ("procedure.po", "people.po")
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


def _is_english(node: ast.expr) -> bool:
    """A literal with words in it, or an f-string: text that skipped _()."""
    if isinstance(node, ast.JoinedStr):
        return True
    return (
        isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and bool(re.search(r"[A-Za-z]", node.value))
    )


def _unwrapped(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name == "_" and node.args and isinstance(node.args[0], ast.JoinedStr):
            found.append(f"{path.name}:{node.lineno}: an f-string inside _() (format after translating)")
        elif name in ERRORS:
            suspects = node.args
        elif (
            name == "fail"
        ):  # Checker.fail(line, field, what, got, expected): the field path stays as written
            suspects = [
                *node.args[2:],
                *(k.value for k in node.keywords if k.arg in ("what", "got", "expected")),
            ]
        else:
            continue
        found.extend(
            f"{path.name}:{node.lineno}: {name}() given English text" for arg in suspects if _is_english(arg)
        )
    return found


@pytest.mark.parametrize("path", WRAPPED, ids=lambda p: p.name)
def test_no_message_skips_translation(path: Path) -> None:
    """Errors and the checker's problems are built from _() (a bare English literal would stay English)."""
    assert not _unwrapped(path)


@pytest.mark.parametrize("name", CATALOGS)
def test_french_keeps_the_placeholders_and_the_typography(name: str) -> None:
    """Each French string has its msgid's placeholders, and a no-break space before : ; ! ? and inside « »."""
    from babel.messages.pofile import read_po

    with (ROOT / "generator" / "locale" / "fr" / "LC_MESSAGES" / name).open("rb") as f:
        catalog = read_po(f, locale="fr")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        marks = {m for i in ids for m in re.findall(r"\{[^{}]*\}", i)}
        for string in strings:
            if {m for m in re.findall(r"\{[^{}]*\}", string)} != marks:
                wrong.append(f"placeholders: {string!r}")
            if re.search(r" [:;!?]|«(?!\u00a0)|(?<!\u00a0)»", string):
                wrong.append(f"typography: {string!r}")
    assert not wrong, wrong
