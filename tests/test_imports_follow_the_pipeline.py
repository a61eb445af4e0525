"""Imports follow the pipeline: a module imports only from its own stage or the stages below it, and no two import each other."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import generator

PACKAGE = Path(generator.__file__).resolve().parent
# The stages, bottom first. The bottom modules (errors, i18n, numen, safe_files, output…) serve
# everyone; mail is below run because a run writes drafts (--eml) and mail never starts a run.
STAGES = ("procedure", "people", "sheet", "render", "mail", "run", "__init__", "web", "cli", "__main__")


def _module(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _stage(module: str) -> int:
    parts = module.split(".")
    if len(parts) == 1:
        return STAGES.index("__init__") + 1
    return STAGES.index(parts[1]) + 1 if parts[1] in STAGES else 0  # 0: a bottom module


def _imports(path: Path, known: set[str]) -> set[str]:
    """The modules of the package ``path`` imports, at the top or inside a function, as absolute names."""
    module = _module(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
            else:
                base = ""
            target = ".".join(part for part in (base, node.module or "") if part)
            # ``from .. import qr`` names a module; ``from .. import Procedure`` a name of the package.
            found |= {f"{target}.{a.name}" if f"{target}.{a.name}" in known else target for a in node.names}
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
    return {name for name in found if name in known and name != module}


MODULES = {_module(p): p for p in sorted(PACKAGE.rglob("*.py"))}
GRAPH = {name: _imports(path, set(MODULES)) for name, path in MODULES.items()}


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_no_import_runs_back_up_the_pipeline(module: str) -> None:
    """procedure → people → sheet → render → mail → run → the face → web → cli: never the other way."""
    upward = sorted(target for target in GRAPH[module] if _stage(target) > _stage(module))
    assert upward == []


# The web pages' modules take the app's state from generator/web/__init__.py, which installs them
# (Flask's usual shape): a circle inside the web front, its owners' to undo, left out here.
OWN_CIRCLES = ("generator.web",)


def test_no_modules_import_each_other() -> None:
    """No circle: following the imports from any module never leads back to it."""
    state: dict[str, int] = {}  # 1: being followed, 2: done
    circles: list[list[str]] = []

    def follow(name: str, trail: list[str]) -> None:
        state[name] = 1
        for target in sorted(GRAPH[name]):
            if state.get(target) == 1:
                circles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                follow(target, [*trail, target])
        state[name] = 2

    for name in sorted(GRAPH):
        if name not in state:
            follow(name, [name])
    inside_the_web = [c for c in circles if all(m.startswith(OWN_CIRCLES) for m in c)]
    assert [c for c in circles if c not in inside_the_web] == []
