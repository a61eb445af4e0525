"""The shape of the package (#11): small modules, one owner per foreign library, a library that never prints."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
ALL_MODULES = sorted(PACKAGE.rglob("*.py"))
# The library's modules: the web front end has rules of its own (it owns Flask; its views answer requests).
MODULES = [p for p in ALL_MODULES if "web" not in p.relative_to(PACKAGE).parts]
REPORTLAB_PRIVATE = re.compile(
    r"\._doc\b|\._code\b|fontMapping|\.state\b|_assignState|blPara|__NoDefault__|_timeStamp|idToObject|charToGlyph"
)


def _name(path: Path) -> str:
    return str(path.relative_to(PACKAGE.parent))


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


@pytest.mark.parametrize("path", ALL_MODULES, ids=_name)
def test_no_module_is_over_400_lines(path: Path) -> None:
    """Modules of a few hundred lines: each one owns one job."""
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 400


def test_each_module_opens_with_a_line_saying_what_it_owns() -> None:
    """Every module has a docstring."""
    missing = [
        _name(p) for p in MODULES if ast.get_docstring(ast.parse(p.read_text(encoding="utf-8"))) is None
    ]
    assert missing == [] or missing == ["generator/_data/__init__.py"]


def test_only_the_command_line_parses_arguments_prints_or_exits() -> None:
    """argparse, print() and sys.exit live in generator/cli (and __main__); the library returns and raises."""
    offenders = []
    for path in MODULES:
        rel = path.relative_to(PACKAGE)
        if rel.parts[0] == "cli" or rel.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if "argparse" in _imports(path):
            offenders.append(f"{rel}: imports argparse")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in ("print", "exit", "quit"):
                    offenders.append(f"{rel}:{node.lineno}: {func.id}()")
                if (
                    isinstance(func, ast.Attribute)
                    and func.attr == "exit"
                    and getattr(func.value, "id", "") == "sys"
                ):
                    offenders.append(f"{rel}:{node.lineno}: sys.exit()")
    assert offenders == []


def test_private_reportlab_names_are_in_one_module() -> None:
    """Canvas._doc, TTFont.state, Paragraph.blPara… appear only in render/pdf/reportlab_internals.py."""
    allowed = PACKAGE / "render" / "pdf" / "reportlab_internals.py"
    offenders = [
        f"{_name(p)}:{n}: {line.strip()}"
        for p in MODULES
        if p != allowed
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), start=1)
        if REPORTLAB_PRIVATE.search(line.split("#")[0])
    ]
    assert offenders == []


@pytest.mark.parametrize(
    ("library", "owner"),
    [
        ("reportlab", "render/pdf"),
        ("docx", "render/docx"),
        ("qrcode", "render/qr.py"),
        ("openpyxl", "people/workbook.py"),
    ],
)
def test_one_module_owns_each_foreign_library(library: str, owner: str) -> None:
    """Swapping a library touches one place: only its owner imports it."""
    importers = {str(p.relative_to(PACKAGE)) for p in MODULES if library in _imports(p)}
    assert importers and all(name.startswith(owner) for name in importers), importers


def test_the_folders_show_the_pipeline() -> None:
    """procedure → people → sheet → render (pdf, docx) → mail → run, and the command line."""
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and not p.name.startswith("_")}
    assert {"procedure", "people", "sheet", "render", "run", "mail", "cli"} <= folders
    assert {"pdf", "docx"} <= {p.name for p in (PACKAGE / "render").iterdir() if p.is_dir()}


def test_writers_read_no_procedure() -> None:
    """A writer serialises a Sheet: nothing under render/ imports the procedure's model or the people."""
    offenders = [
        _name(p)
        for p in (PACKAGE / "render").rglob("*.py")
        if re.search(r"from \.\.+(procedure|people)\b", p.read_text(encoding="utf-8"))
    ]
    assert offenders == []
