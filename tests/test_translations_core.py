"""Every message of the package wrapped in _() has a French translation, and none skips _().

generator/web/ has its own test (its templates too). Babel only sees what is
wrapped, so a second test reads the code itself: no error is raised, no
problem recorded and no line printed with English text that skipped ``_()``.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_file

from build_catalogs import merged

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "generator"
LC_MESSAGES = PACKAGE / "locale" / "fr" / "LC_MESSAGES"
# generator/web/ (pages and templates) is checked by its own test.
OWN_TEST = ("web",)
PENDING: tuple[str, ...] = ()  # paths (relative to generator/) left out while another branch reworks them
EXCLUDED = (*OWN_TEST, *PENDING)
KEYWORDS = {**DEFAULT_KEYWORDS, "N_": None}
# Calls whose arguments a person reads, besides the package's exception classes (found below).
CARRIERS = {"print", "Delivery", "_Dropped"}


def _excluded(path: Path) -> bool:
    relative = path.relative_to(PACKAGE).as_posix()
    return any(relative == e or relative.startswith(f"{e}/") for e in EXCLUDED)


SOURCES = sorted(p for p in PACKAGE.rglob("*.py") if not _excluded(p))
# One test per folder of the package (and one for its top-level modules): readable ids.
AREAS = sorted(
    {p.relative_to(PACKAGE).parts[0] if len(p.relative_to(PACKAGE).parts) > 1 else "." for p in SOURCES}
)


def _msgids(area: str) -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        parts = path.relative_to(PACKAGE).parts
        if (parts[0] if len(parts) > 1 else ".") != area:
            continue
        for _line, message, _comments, _context in extract_from_file("python", str(path), keywords=KEYWORDS):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_the_check_reads_the_whole_package() -> None:
    """The areas cover every folder of the package, and each excluded path still exists (or drop it)."""
    assert {"cli", "mail", "people", "procedure", "render", "run", "sheet", "."} <= set(AREAS)
    for excluded in PENDING:
        assert (PACKAGE / excluded).exists(), f"generator/{excluded} is gone: remove it from EXCLUDED"


@pytest.mark.parametrize("area", AREAS)
def test_every_message_of_the_area_has_a_french_translation(area: str) -> None:
    """Each msgid of generator/<area> is translated (non-empty, every plural form) in the merged catalog."""
    catalog = merged(PACKAGE / "locale" / "fr")
    missing = []
    for msgid in sorted(_msgids(area)):
        message = catalog.get(msgid)
        strings = message.string if message is not None else ""
        if not (all(strings) if isinstance(strings, tuple) else strings):
            missing.append(msgid)
    assert not missing, f"untranslated in generator/{area}: {missing}"


def _error_classes() -> set[str]:
    """GeneratorError and every class of the package derived from it (SafeFileError, FolderBusy…)."""
    classes: dict[str, set[str]] = {}
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = {b.attr if isinstance(b, ast.Attribute) else getattr(b, "id", "") for b in node.bases}
                classes.setdefault(node.name, set()).update(bases)
    found = {"GeneratorError"}
    while True:
        more = {name for name, bases in classes.items() if bases & found} - found
        if not more:
            return found
        found |= more


ERRORS = _error_classes()


def _is_english(node: ast.expr) -> bool:
    """A literal with words in it, or an f-string: text that skipped _()."""
    if isinstance(node, ast.JoinedStr):
        return True
    if isinstance(node, (ast.List, ast.Tuple)):
        return any(_is_english(e) for e in node.elts)
    if isinstance(node, ast.ListComp):
        return _is_english(node.elt)
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
        if name in ("_", "ngettext", "N_") and any(isinstance(a, ast.JoinedStr) for a in node.args):
            found.append(f"{path.name}:{node.lineno}: an f-string inside {name}() (format after translating)")
            continue
        if name in ERRORS or name in CARRIERS:
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


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_no_message_skips_translation(path: Path) -> None:
    """Errors, problems and printed lines are built from _() (a bare English literal would stay English)."""
    assert not _unwrapped(path)


def test_the_code_check_finds_english_text(tmp_path: Path) -> None:
    """The check itself: an f-string given to an error, to print or inside _() is caught; _() is not."""
    sample = tmp_path / "sample.py"
    sample.write_text(
        'raise DeliveryError(f"{path}: cannot write")\n'
        'raise SafeFileError(["a problem"])\n'
        'print(f"sent {n}")\n'
        '_(f"{path}: line")\n'
        'raise RenderError(_("{path}: too long").format(path=path))\n'
        'print(_("done: {n}").format(n=n))\n',
        encoding="utf-8",
    )
    assert [line.split(":")[1] for line in _unwrapped(sample)] == ["1", "2", "3", "4"]


@pytest.mark.parametrize("name", sorted(p.name for p in LC_MESSAGES.glob("*.po")))
def test_french_keeps_the_placeholders_and_the_typography(name: str) -> None:
    """Each French string has its msgid's placeholders, and a no-break space before : ; ! ? and inside « »."""
    from babel.messages.pofile import read_po

    with (LC_MESSAGES / name).open("rb") as f:
        catalog = read_po(f, locale="fr")
    wrong = []
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        marks = {m for i in ids for m in re.findall(r"\{[^{}]*\}", i)}
        for string in strings:
            found = set(re.findall(r"\{[^{}]*\}", string))
            # A plural's singular form may leave out the count ("the only sheet"), never add a name.
            if found - marks or (len(strings) == 1 and found != marks):
                wrong.append(f"placeholders: {string!r}")
            if re.search(r" [:;!?]|«(?!\u00a0)|(?<!\u00a0)»", string):
                wrong.append(f"typography: {string!r}")
    assert not wrong, wrong
