"""argparse's own words (usage, help, its errors) follow the chosen language, as the rest of the CLI does."""

from __future__ import annotations

import argparse
import inspect
import os
import subprocess
import sys

import pytest

from generator.i18n import translations

# What the CLI can show of argparse's: its help, its usage line and its parsing errors.
SHOWN = (
    "usage: ", "positional arguments", "options", "show this help message and exit",
    "the following arguments are required: %s", "argument %(argument_name)s: %(message)s",
    "invalid choice: %(value)r (choose from %(choices)s)", "expected one argument",
    "invalid %(type)s value: %(value)r", "one of the arguments %s is required", "not allowed with argument %s",
)  # fmt: skip


def run(lang: str, *args: str) -> str:
    env = {
        **os.environ,
        "LANG": lang,
        "LC_ALL": "",
        "LC_MESSAGES": "",
        "LANGUAGE": "",
        "PYTHONIOENCODING": "utf-8",
    }
    done = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
    )
    return done.stdout + done.stderr


def test_an_unknown_option_is_told_with_a_french_usage_line() -> None:
    out = run("fr_FR.UTF-8", "build", "--nope")
    assert "utilisation\u00a0: python -m generator" in out and "usage:" not in out
    assert "erreur\u00a0: option(s) inconnue(s)\u00a0: --nope" in out


def test_a_missing_argument_and_a_bad_choice_are_told_in_french() -> None:
    out = run("fr_FR.UTF-8", "personalise")
    assert "arguments obligatoires manquants\u00a0: roster" in out and "required" not in out
    out = run("fr_FR.UTF-8", "nope")
    assert "choix invalide\u00a0: (…)" in out and "invalid choice" not in out, out


def test_the_help_is_french_and_english_stays_english() -> None:
    out = run("fr_FR.UTF-8", "build", "--help")
    assert "affiche cette aide et quitte" in out and "show this help" not in out
    out = run("en_US.UTF-8", "build", "--help")
    assert "usage: python -m generator build" in out and "show this help message and exit" in out


@pytest.mark.parametrize("msgid", SHOWN)
def test_each_word_the_cli_can_show_is_argparse_s_own_and_translated(msgid: str) -> None:
    """A msgid argparse no longer uses (a new Python) would silently stay English: caught here."""
    assert repr(msgid)[1:-1] in inspect.getsource(argparse) or msgid in inspect.getsource(argparse)
    french = translations("fr").gettext(msgid)
    assert french != msgid or msgid == "options"
    for placeholder in ("%s", "%(value)r", "%(choices)s", "%(argument_name)s", "%(message)s", "%(type)s"):
        assert msgid.count(placeholder) == french.count(placeholder), placeholder
