"""Issue 12, the command line: no value echoed, no traceback on odd arguments, commands listed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT, run_cli

REPO = ROOT
PROCEDURE = REPO / "data" / "procedure.yaml"


# --- arguments and paths -----------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX byte arguments")
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


@pytest.mark.parametrize(
    "argv",
    [
        ["send", "out", "--smtp-host", "h", "--password", "hunter2-secret"],
        ["person", "--first-name", "A", "--last-name", "B", "--numen", "13E1812345ABC"],
    ],
)
def test_unknown_options_are_never_echoed(argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    """An unknown option ends in exit 2 naming the option, never its value."""
    code, out, err = run_cli(argv, capsys)
    assert code == 2 and argv[-2] in err
    assert argv[-1] not in out + err and "12345" not in out + err


def test_no_arguments_lists_the_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    """python -m generator alone: the commands and what each does, exit 2 (or 0)."""
    code, out, err = run_cli([], capsys)
    assert code in (0, 2)
    for command in ("build", "check", "personalise", "person", "send"):
        assert f"  {command} " in out + err


@pytest.mark.parametrize(
    "argv",
    [
        ["person", "--first-name", "A", "--last-name", "B", "--numen=13E1812345ABC"],
        ["buidl", "13E1812345ABC"],
        ["personalise", "r.csv", "--jobs", "13E1812345ABC"],
        ["build", "--formats", "13E1812345ABC"],
        ["check", "--data"],
    ],
)
def test_usage_errors_never_show_a_value(argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    """Whatever argparse refuses (choice, type, option=value), the message names the option, not the value."""
    code, out, err = run_cli(argv, capsys)
    assert code == 2 and "error: " in err
    assert "12345" not in out + err


def test_jobs_is_capped_at_the_cores(capsys) -> None:  # type: ignore[no-untyped-def]
    """--jobs 10**30 is read as the number of cores, and the help says so."""
    from generator.cli.parser import build_parser, cores

    args = build_parser().parse_args(["personalise", "r.csv", "--jobs", "1" + "0" * 30])
    assert args.jobs == cores()
    personalise = build_parser()._subparsers._group_actions[0].choices["personalise"]  # type: ignore[union-attr]
    assert f"at most the {cores()} cores" in " ".join(personalise.format_help().split())


def test_errors_follow_the_language(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """One error in English and in French (the locale, or use_language): same exit code, same place named."""
    from generator.i18n import has_catalog, use_language

    if not has_catalog("fr"):
        pytest.skip("the French catalog is not compiled (make)")
    roster = tmp_path / "r.csv"
    roster.write_text("Prénom;Nom\n;Dupont\n", encoding="utf-8")
    argv = ["personalise", str(roster), "--out", str(tmp_path / "out")]
    with use_language("en"):
        code, _, err = run_cli(argv, capsys)
    assert code == 1 and f"error: {roster}: line 2: Prénom is empty (expected the person's first name)" in err
    with use_language("fr"):
        code, _, err = run_cli(argv, capsys)
    assert code == 1
    assert f"erreur\u00a0: {roster}\u00a0: ligne 2\u00a0: «\u00a0Prénom\u00a0» est vide" in err


def test_the_locale_sets_the_language_of_a_usage_error() -> None:
    """LANG=fr_FR.UTF-8: the command line speaks French (a subprocess, as a user runs it)."""
    from generator.i18n import has_catalog

    if not has_catalog("fr"):
        pytest.skip("the French catalog is not compiled (make)")
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}
    result = subprocess.run(
        [sys.executable, "-m", "generator", "send", "out", "--smtp-host", "h", "--password", "secret-value"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2
    assert "option(s) inconnue(s)\u00a0: --password" in result.stderr and "secret-value" not in result.stderr
