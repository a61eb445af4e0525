"""Issue 12, the command line: no value echoed, no traceback on odd arguments, commands listed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
PROCEDURE = REPO / "data" / "procedure.yaml"


def xfail(reason: str, raises: type[BaseException] | tuple[type[BaseException], ...] = AssertionError):  # type: ignore[no-untyped-def]
    """Today's behaviour, precisely: the test fails with ``raises`` for ``reason``."""
    return pytest.mark.xfail(strict=True, raises=raises, reason=reason)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The CLI in-process: exit code (SystemExit included), stdout, stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_clear_error(code: int, err: str) -> None:
    assert code in (1, 2), code
    assert "Traceback" not in err
    assert err.startswith("error: ") or "error:" in err


# --- arguments and paths -----------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX byte arguments")
@xfail("a surrogate-escaped name reaches the PDF writer: UnicodeEncodeError traceback")
def test_an_argument_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    """person --first-name b'Mar\\xffie': exit 1 or 2 with one error line, never a traceback."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"}
    argv = [
        sys.executable,
        "-m",
        "generator",
        "person",
        b"--first-name",
        b"Mar\xffie",
        "--last-name",
        "Dupont",
    ]
    argv += ["--formats", "pdf", "--out", str(tmp_path / "out")]
    result = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    assert result.returncode in (1, 2)
    assert b"Traceback" not in result.stderr and result.stderr.startswith(b"error: ")


@xfail("argparse prints 'unrecognized arguments: OPTION VALUE', the value included")
@pytest.mark.parametrize(
    "argv",
    [
        ["send", "out", "--smtp-host", "h", "--password", "hunter2-secret"],
        ["person", "--first-name", "A", "--last-name", "B", "--numen", "13E1812345ABC"],
    ],
)
def test_unknown_options_are_never_echoed(argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    """An unknown option ends in exit 2 naming the option, never its value."""
    code, out, err = run(argv, capsys)
    assert code == 2 and argv[-2] in err
    assert argv[-1] not in out + err and "12345" not in out + err


@xfail("argparse says 'the following arguments are required: COMMAND' without listing them")
def test_no_arguments_lists_the_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    """python -m generator alone: the commands and what each does, exit 2 (or 0)."""
    code, out, err = run([], capsys)
    assert code in (0, 2)
    for command in ("build", "check", "personalise", "person", "send"):
        assert f"  {command} " in out + err
