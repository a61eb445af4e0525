"""CI: `make lint` (ruff check, ruff format --check, mypy --strict) runs before `make test` and stops it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def _commands(script: str) -> list[str]:
    return [
        line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")
    ]


def _recipe(target: str) -> list[str]:
    makefile = (REPO / "Makefile").read_text()
    match = re.search(rf"^{target}:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert match, f"no {target} target"
    variables = dict(re.findall(r"^(\w+) :?= (.*)$", makefile, re.MULTILINE))
    lines = [line.strip() for line in match.group(1).splitlines()]
    return [re.sub(r"\$\((\w+)\)", lambda m: variables.get(m.group(1), m.group(0)), line) for line in lines]


def test_ci_runs_lint_before_the_tests_and_stops_on_the_first_failure() -> None:
    script = (REPO / ".ci" / "run").read_text()
    commands = _commands(script)
    assert "set -euo pipefail" in commands
    assert commands.index("make lint") < commands.index("make test")
    assert "unset PYTEST_ADDOPTS" in commands[: commands.index("make test")]


def test_lint_checks_and_formats_every_python_folder_and_types_the_package_strictly() -> None:
    recipe = [shlex.split(line) for line in _recipe("lint")]
    check = next(words for words in recipe if words[2:4] == ["ruff", "check"])
    fmt = next(words for words in recipe if words[2:4] == ["ruff", "format"])
    assert "--check" in fmt
    checked = {word for word in check[4:] if not word.startswith("-")}
    formatted = {word for word in fmt[4:] if not word.startswith("-")}
    assert checked == formatted == {"generator", "tests", "benchmarks", "build_catalogs.py", "tools"}
    assert all((REPO / path).exists() for path in checked)
    assert [words[1:] for words in recipe if "mypy" in words] == [["-m", "mypy", "--strict", "generator"]]
