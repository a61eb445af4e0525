"""Start-up: the command line loads a foreign library only for the work that needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

import generator

HEAVY = {"email", "reportlab", "docx", "flask", "smtplib", "generator.mail", "generator.web"}

_LOADED = """
import json, sys
{code}
print(json.dumps(sorted(sys.modules)))
"""


def _loaded(code: str, cwd: Path = ROOT) -> set[str]:
    """The packages of ``HEAVY`` a fresh interpreter holds after running ``code``."""
    done = subprocess.run(
        [sys.executable, "-c", _LOADED.format(code=code)], capture_output=True, text=True, cwd=cwd, check=True
    )
    modules = json.loads(done.stdout.splitlines()[-1])
    return {heavy for heavy in HEAVY for name in modules if name == heavy or name.startswith(heavy + ".")}


def test_importing_the_command_line_loads_no_heavy_library() -> None:
    """``import generator.cli`` (and ``import generator``) loads neither email, reportlab, python-docx nor Flask."""
    assert _loaded("import generator.cli") == set()


# The PDF's XMP metadata escapes with xml.sax.saxutils, which imports urllib and so email:
# the standard library's, not the drafts (generator.mail) nor SMTP.
@pytest.mark.parametrize(("fmt", "loaded"), [("docx", {"docx"}), ("pdf", {"reportlab", "email"})])
def test_personalise_loads_only_the_writer_of_its_format(tmp_path: Path, fmt: str, loaded: set[str]) -> None:
    """``personalise --formats docx`` never loads reportlab nor email; ``--formats pdf`` never python-docx; neither mail nor Flask."""
    roster = tmp_path / "roster.csv"
    roster.write_text("Prénom;Nom\nMarie;Dupont\nJean;Martin\n", encoding="utf-8")
    code = (
        "from generator.cli import main\n"
        f"assert main(['personalise', {str(roster)!r}, '--out', {str(tmp_path / 'out')!r}, '--formats', {fmt!r}]) == 0"
    )
    heavy = _loaded(code)
    assert (tmp_path / "out" / f"mdupont.{fmt}").exists()
    assert heavy <= loaded, heavy - loaded


def test_every_public_name_is_found_and_typed_where_it_is_defined() -> None:
    """Each name of ``generator.__all__`` is reachable, and is the object its own module defines."""
    for name in generator.__all__:
        value = getattr(generator, name)
        assert value is not None, name
    assert callable(generator.render_sheet) and isinstance(generator.render, type(generator))
    assert (
        generator.render_sheet is generator.render.render
    )  # the subpackage keeps its name, the function its own
    assert set(generator.__all__) <= set(dir(generator))
    with pytest.raises(AttributeError):
        _ = generator.no_such_name  # type: ignore[attr-defined]
