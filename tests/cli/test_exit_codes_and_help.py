"""The command line: exit codes, one-line errors without traceback, help on every command."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import OTHER_PROCEDURE, ROOT

from generator.cli import build_parser, main
from generator.procedure.schema import DEFAULT_DATA


def _subcommands() -> dict[str, argparse.ArgumentParser]:
    """The subcommands as the parser itself declares them, so a new one is tested too."""
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def _bad_data(tmp_path: Path) -> Path:
    """The default data with two mistakes: an http address and a missing author."""
    text = DEFAULT_DATA.read_text(encoding="utf-8")
    text = text.replace('  author: "Académie de Poitiers"\n', "", 1)
    text = text.replace('url: "https://id.ac-poitiers.fr/', 'url: "http://id.ac-poitiers.fr/', 1)
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_check_default_data_prints_one_summary_line(capsys: pytest.CaptureFixture[str]) -> None:
    """``check`` on the embedded data exits 0: its summary line, then that every sheet holds 12 pt
    (the warnings of a sheet set smaller: tests/cli/test_check_says_which_sheets_are_below_12_pt.py)."""
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    line, sizes = out.splitlines()
    assert line.startswith("ok: ") and "4 steps" in line and "1 QR code" in line
    assert sizes.startswith("every sheet is at 12 pt")


def test_check_other_procedure_counts_its_own_steps_and_codes(capsys: pytest.CaptureFixture[str]) -> None:
    """``check --data`` on the made-up académie reports its 5 steps and 2 codes."""
    assert main(["check", "--data", str(OTHER_PROCEDURE)]) == 0
    line = capsys.readouterr().out.splitlines()[0]  # then what it says of the body size
    assert str(OTHER_PROCEDURE) in line and "5 steps" in line and "2 QR code" in line


def test_check_bad_data_exits_1_with_one_error_line_per_problem(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bad data: exit 1, stdout empty, stderr holds only ``error: FILE:LINE: …`` lines, one per problem."""
    path = _bad_data(tmp_path)
    assert main(["check", "--data", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2
    assert all(line.startswith(f"error: {path}:") for line in lines)
    assert any("document.author: required field is missing" in line for line in lines)
    assert any("links.webmail.url: not an https address" in line for line in lines)
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("missing.yaml", None),
        ("list.yaml", b"- a\n- b\n"),
        ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00\x00"),
        ("latin1.yaml", "document:\n  title: Académie\n".encode("cp1252")),
        ("syntax.yaml", b"document:\n  title: [unclosed\n"),
    ],
)
def test_unreadable_data_exits_1_with_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, content: bytes | None
) -> None:
    """Missing, non-mapping, binary, non-UTF-8 or broken YAML: exit 1, one ``error:`` line naming the file."""
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert main(["check", "--data", str(path)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    (line,) = err.splitlines()
    assert line.startswith(f"error: {path}")


def test_folder_as_data_exits_1(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A folder given to --data is a data error (exit 1), not a crash."""
    assert main(["check", "--data", str(tmp_path)]) == 1
    assert capsys.readouterr().err == f"error: {tmp_path}: is a folder (expected a procedure YAML file)\n"


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["check", "--nope"],
        ["check", "--data"],
        ["personalise"],
        ["person", "--first-name", "Marie"],
        ["build", "--formats", "pdf,xls"],
        ["build", "--formats", ""],
    ],
    ids=[
        "no command",
        "unknown command",
        "unknown option",
        "option without value",
        "missing roster",
        "missing last name",
        "unknown format",
        "empty formats",
    ],
)
def test_wrong_usage_exits_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """Wrong usage is argparse's exit 2 with a usage message, and no traceback."""
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "usage:" in err and "Traceback" not in err


def test_top_level_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    """``--help`` exits 0 and lists every subcommand, with an example."""
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Example" in out
    for name in _subcommands():
        assert name in out


def test_there_are_subcommands_to_test() -> None:
    """The parser declares check and the other commands (the help test below is not vacuous)."""
    assert {"check", "build", "person", "personalise"} <= set(_subcommands())


@pytest.mark.parametrize("command", sorted(_subcommands()))
def test_every_subcommand_has_help_with_an_example(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    """``COMMAND --help`` exits 0, has a description, an example, and help for every option."""
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "Example" in out and f"python -m generator {command}" in out
    sub = _subcommands()[command]
    assert sub.description
    for action in sub._actions:
        assert action.help, f"{command}: option {action.option_strings or action.dest} has no help"


def test_every_subcommand_has_a_one_line_summary_in_the_list() -> None:
    """Each subcommand carries a short help shown in the top-level command list."""
    parser = build_parser()
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    summaries = {choice.dest: choice.help for choice in action._choices_actions}
    assert set(summaries) == set(action.choices)
    assert all(summaries.values())


def test_python_m_generator_bad_data_exits_1_without_traceback(tmp_path: Path) -> None:
    """End to end: ``python -m generator check --data BAD`` exits 1 with only ``error:`` lines."""
    path = _bad_data(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check", "--data", str(path)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("error: ") for line in lines)


def test_python_m_generator_check_exits_0(tmp_path: Path) -> None:
    """End to end: ``python -m generator check`` on the default data exits 0 with its summary and the body
    size line, nothing on stderr."""
    result = subprocess.run(
        [sys.executable, "-m", "generator", "check"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 2
    assert result.stderr == ""


def test_options_are_never_abbreviated_so_a_password_cannot_pass_as_its_variable() -> None:
    """'--password X' is refused (exit 2), not read as '--password-env X' and echoed."""
    with pytest.raises(SystemExit) as info:
        main(["send", "out", "--smtp-host", "127.0.0.1", "--password", "Hunter2!"])
    assert info.value.code == 2
