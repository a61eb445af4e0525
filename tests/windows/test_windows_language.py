"""Windows sets no LANG: the command line then follows the user's locale (getlocale or Windows' own)."""

from __future__ import annotations

import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator import i18n
from generator.i18n import is_french_locale, language_from_environment

VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE")


@pytest.fixture
def no_locale_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")  # getlocale's branch, even if a test ran on Windows


@pytest.mark.parametrize(
    ("getlocale", "expected"),
    [
        (("fr_FR", "UTF-8"), "fr"),
        (("French_France", "1252"), "fr"),
        (("fr_BE", "cp1252"), "fr"),
        (("en_GB", "UTF-8"), "en"),
        (("English_United States", "1252"), "en"),
        ((None, None), "en"),
    ],
)
def test_with_no_variable_the_user_locale_decides(
    no_locale_variables: None,
    monkeypatch: pytest.MonkeyPatch,
    getlocale: tuple[str | None, str | None],
    expected: str,
) -> None:
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: getlocale)
    assert language_from_environment() == expected


def test_an_unparsable_locale_is_english(no_locale_variables: None, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*a: object) -> tuple[str, str]:
        raise ValueError("unknown locale: xx")

    monkeypatch.setattr(i18n.locale, "getlocale", broken)
    assert language_from_environment() == "en"


def test_on_windows_the_user_default_locale_name_decides(
    no_locale_variables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(i18n, "_windows_user_locale", lambda: "fr-FR")
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: ("en_US", "cp1252"))
    assert language_from_environment() == "fr"
    monkeypatch.setattr(i18n, "_windows_user_locale", lambda: "")  # the call failed: getlocale then
    assert language_from_environment() == "en"


def test_a_variable_set_wins_over_the_user_locale(
    no_locale_variables: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: ("fr_FR", "UTF-8"))
    monkeypatch.setenv("LANG", "en_US.UTF-8")
    assert language_from_environment() == "en"
    monkeypatch.delenv("LANG")
    monkeypatch.setenv("LANGUAGE", "fr")
    monkeypatch.setattr(i18n.locale, "getlocale", lambda *a: ("en_US", "UTF-8"))
    assert language_from_environment() == "fr"


def test_a_given_environment_is_all_there_is_unless_a_system_locale_is_given() -> None:
    assert language_from_environment({}) == "en"
    assert language_from_environment({}, system=lambda: "fr-CA") == "fr"


@given(st.text(max_size=20))
def test_french_is_a_name_starting_with_fr_or_french(name: str) -> None:
    assert is_french_locale(name) == name.strip().lower().startswith(("fr", "french"))
    assert is_french_locale("fr" + name) and not is_french_locale("en" + name)
