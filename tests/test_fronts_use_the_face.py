"""The command line and the web pages call the library through its face, ``generator/__init__.py``, and nothing else of it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import generator

PACKAGE = Path(generator.__file__).resolve().parent
FRONTS = sorted(p for front in ("cli", "web") for p in (PACKAGE / front).rglob("*.py"))
# Beside the face, what every front may use: the language of the messages (``_``), shared by all.
SHARED = {"generator", "generator.i18n"}
# The command line starts the web pages (``serve``): one front may call the other.
OTHER_FRONTS = {"cli": ("generator.web",), "web": ()}


def _module_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(path: Path) -> list[tuple[int, str, list[str]]]:
    """(line, absolute module, names) of every import of ``path`` that reaches into ``generator``."""
    package = _module_of(path) if path.name == "__init__.py" else _module_of(path).rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, *([node.module] if node.module else [])])
            else:
                module = node.module or ""
            found.append((node.lineno, module, [alias.name for alias in node.names]))
    return [(line, module, names) for line, module, names in found if module.split(".")[0] == "generator"]


def _allowed(front: str, module: str) -> bool:
    own = f"generator.{front}"
    return (
        module in SHARED
        or module == own
        or module.startswith(own + ".")
        or any(module == other or module.startswith(other + ".") for other in OTHER_FRONTS[front])
    )


@pytest.mark.parametrize("path", FRONTS, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_a_front_imports_only_the_face(path: Path) -> None:
    """``from .. import X`` (or ``from generator import X``), never ``from ..people.person import X``."""
    front = path.relative_to(PACKAGE).parts[0]
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}: {module}"
        for line, module, _ in _imported(path)
        if not _allowed(front, module)
    ]
    assert offenders == []


@pytest.mark.parametrize("path", FRONTS, ids=lambda p: str(p.relative_to(PACKAGE.parent)))
def test_what_a_front_takes_from_the_face_is_listed_in_all(path: Path) -> None:
    """Every name a front imports from ``generator`` is one the face offers in ``__all__``."""
    taken = {name for _, module, names in _imported(path) if module == "generator" for name in names}
    assert taken <= set(generator.__all__), taken - set(generator.__all__)


def _face_bindings() -> tuple[list[str], list[str], dict[str, object]]:
    """The names the face imports from its package (all of them, then those for type checkers only) and its lazy table."""
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    bound: list[str] = []
    typing_only: list[str] = []
    lazy: dict[str, object] = {}
    for node in tree.body:
        if isinstance(node, ast.If):  # if TYPE_CHECKING:
            typing_only += [
                a.asname or a.name for n in node.body if isinstance(n, ast.ImportFrom) for a in n.names
            ]
        elif isinstance(node, ast.ImportFrom) and node.level == 1:
            bound += [alias.asname or alias.name for alias in node.names]
        elif isinstance(node, ast.Assign | ast.AnnAssign) and isinstance(node.value, ast.Dict):
            lazy = ast.literal_eval(node.value)
    return bound + typing_only, typing_only, lazy


def test_the_face_offers_each_name_once() -> None:
    """Each public name is imported once, listed once in ``__all__``, and a lazy name is imported for type checkers only."""
    bound, typing_only, lazy = _face_bindings()
    assert len(bound) == len(set(bound)), sorted(n for n in bound if bound.count(n) > 1)
    assert len(generator.__all__) == len(set(generator.__all__))
    assert sorted(generator.__all__) == sorted(bound)
    assert sorted(typing_only) == sorted(lazy)


def test_no_public_name_shares_its_name_with_a_subpackage() -> None:
    """``generator.render`` is the subpackage; the function that renders a sheet is ``render_sheet``."""
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert set(generator.__all__) & subpackages == set()
