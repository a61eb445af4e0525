"""Issue 12: the command line fuzzed with hostile arguments: exit 0, 1 or 2, no traceback, nothing written outside --out."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.cli import main

NUMENISH = [
    "13E1812345ABC",
    "13E1812345:ABC",
    "Dupont 13E1812345\u2013ABC",
    "１７E0912345abc",
    "17e 09 12345 abc",
]
PATHS = ["..", "../x", "out/../out2", "a/b/c", ".", "loop", "link", "roster.csv", "bad.csv", "nul\\name", "-"]
TEXT = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40)
VALUE = st.one_of(
    st.sampled_from(NUMENISH + PATHS),
    TEXT,
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
)
OPTIONS = {
    "build": ["--data", "--out", "--formats"],
    "check": ["--data"],
    "personalise": ["--data", "--out", "--formats", "--jobs", "--sheet", "--skip-invalid", "--eml"],
    "person": [
        "--first-name",
        "--last-name",
        "--birth-name",
        "--identifier",
        "--manager",
        "--data",
        "--out",
        "--formats",
    ],
}
FLAGS = {"--skip-invalid", "--eml"}


@st.composite
def argvs(draw: st.DrawFn) -> list[str]:
    command = draw(st.sampled_from([*OPTIONS, "--numen", "13E1812345ABC"]))
    argv = [command]
    if command == "personalise":
        argv.append(draw(st.sampled_from(["roster.csv", "bad.csv", "loop", "..", *NUMENISH])))
    for option in draw(
        st.lists(st.sampled_from([*OPTIONS.get(command, []), "--password", "--x"]), max_size=5)
    ):
        argv.append(option)
        if option not in FLAGS:
            argv.append(draw(VALUE))
    if command == "person" and draw(st.booleans()):
        argv += ["--first-name", "Marie", "--last-name", draw(st.sampled_from(["Dupont", *NUMENISH]))]
    if draw(st.booleans()):
        argv += ["--formats", "pdf"]  # one format: each example stays fast
    return argv


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and not p.is_symlink()}


@pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")
@settings(max_examples=40, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(argv=argvs())
def test_hostile_arguments_end_in_0_1_or_2_and_write_only_under_out(
    argv: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Any mix of commands, options and hostile values: exit 0, 1 or 2, no traceback, no NUMEN echoed, files only in --out."""
    with tempfile.TemporaryDirectory() as tmp:
        case = Path(tmp)
        work = case / "work"
        work.mkdir()
        (work / "roster.csv").write_text(
            "Prénom;Nom;Remarques\nMarie;Dupont;\nPaul;Martin;13E1812345ABC\n", encoding="utf-8"
        )
        (work / "bad.csv").write_text("Prénom|Nom\nMarie|Dupont\n", encoding="utf-8")
        (work / "loop").symlink_to(work / "loop")
        (case / "elsewhere").mkdir()
        (work / "link").symlink_to(case / "elsewhere")
        before = _files(case)
        monkeypatch.chdir(work)
        try:
            code = main(argv)
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        assert code in (0, 1, 2), (code, err)
        assert "Traceback" not in err
        for secret in ("1812345", "0912345"):
            assert secret not in out + err, err
        outs = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--out"]
        default = "output/people" if argv[0] in ("personalise", "person") else "output"
        # os.path.realpath, not Path.resolve: a symbolic link loop as --out is a case, and
        # resolve() raises on one (Python 3.11) where realpath leaves the loop as it is.
        allowed = [Path(os.path.realpath(work / (outs[-1] if outs else default)))]
        for path in _files(case) - before:
            resolved = Path(os.path.realpath(path))
            assert any(resolved.is_relative_to(a) for a in allowed), (argv, path)
