"""An untested reportlab met at run time ends the command in one ``error:`` line that says how to fix it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]

# The installed reportlab says it is another release before the command starts.
RUN_AS = (
    "import reportlab; reportlab.Version = {version!r}\n"
    "import runpy, sys\n"
    "sys.argv = ['generator', *sys.argv[1:]]\n"
    "runpy.run_module('generator', run_name='__main__')\n"
)


def _run(version: str, *argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", RUN_AS.format(version=version), *argv],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=False,
        env=None,
    )


@pytest.mark.parametrize("version", ["5.2.0", "6.0.1", "5.0.4"])
def test_build_with_an_untested_reportlab_says_which_to_install(tmp_path: Path, version: str) -> None:
    """``build``: exit 1, one error line naming the version found and the pip command; no traceback, no file."""
    out = tmp_path / "out"
    result = _run(version, "build", "--out", str(out))
    assert "Traceback" not in result.stderr
    assert result.returncode in (1, 2)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: ")
    assert f"reportlab {version} is installed" in lines[0]
    assert 'pip install "reportlab>=5.1,<5.2"' in lines[0]
    assert not out.exists() or not list(out.glob("*.pdf"))


def test_build_with_the_tested_reportlab_writes_the_flyer(tmp_path: Path) -> None:
    """The same way of running, with a 5.1 release, succeeds: the refusal above is the version's doing."""
    out = tmp_path / "out"
    result = _run("5.1.9", "build", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out / "flyer.pdf").read_bytes().startswith(b"%PDF-1.7")
