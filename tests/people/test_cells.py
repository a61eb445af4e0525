"""Roster cells: the quick paths of clean() and defect() answer as the character-by-character rules."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.i18n import use_language
from generator.people import cells
from generator.people.cells import FIELD_LABELS, clean, defect
from generator.procedure import identifiers
from generator.procedure.identifiers import ascii_fold

CELL_CHARS = st.one_of(
    st.sampled_from("Marie-Hélène d'Ångström Œdipe ßtraße ªµʼ\u0301\u0327"),  # Latin, and what is not quite
    st.sampled_from("\u200b\u200e\u202e\u00ad\ufeff\u2060"),  # format characters (Cf)
    st.sampled_from("\t\n\r\x0b\x0c\x85\u2028\u2029\x00\x1b\x7f\x9f"),  # line breaks and controls
    st.sampled_from(";,@|\u00a0\u202f"),
    st.characters(),
)
CELLS = st.text(CELL_CHARS, max_size=30) | st.text(max_size=30)


def clean_slowly(text: str) -> str:
    """clean() as its docstring says it, one character at a time."""
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFC", visible).split())


def defect_slowly(raw: str, field: str, label: str, separator: str | None) -> str:
    """The checks of defect() in its order, each over every character."""
    if any(ch in cells._LINE_BREAKS for ch in raw):
        return "line break"
    if any(unicodedata.category(ch) == "Cc" and ch != "\t" for ch in raw):
        return "control"
    if separator and separator in raw:
        return "separator"
    if field in cells.NAME_FIELDS and "@" in raw:
        return "@"
    if field in cells.NAME_FIELDS and any(cells._not_latin(ch) for ch in raw):
        return "not Latin"
    return ""


KINDS = {
    "line break": "line break",
    "control character": "control",
    "the separator": "separator",
    "an '@'": "@",
    "outside the Latin alphabet": "not Latin",
}


def kind(message: str) -> str:
    return next((k for words, k in KINDS.items() if words in message), "") if message else ""


@settings(max_examples=1000, deadline=None)
@given(CELLS)
def test_clean_is_the_character_by_character_rule(text: str) -> None:
    """Format characters gone, NFC, spaces joined: the same with or without the quick ASCII and table paths."""
    assert clean(text) == clean_slowly(text)


@settings(max_examples=1000, deadline=None)
@given(CELLS, st.sampled_from(sorted(FIELD_LABELS)), st.sampled_from([None, ";", ",", "\t"]))
def test_defect_finds_what_the_character_by_character_checks_find(
    raw: str, field: str, separator: str | None
) -> None:
    """The first defect found (line break, control, separator, '@', a non-Latin letter) is the same one."""
    with use_language("en"):  # the kind is read from the English message
        found = kind(defect(raw, field, "Nom", separator))
    assert found == defect_slowly(raw, field, "Nom", separator)


def test_every_letter_below_the_greek_block_is_judged_like_the_others() -> None:
    """The quick Latin check skips exactly the characters that _not_latin passes, up to U+036F."""
    for code in range(0x370):
        ch = chr(code)
        assert (cells._MAYBE_NOT_LATIN.fullmatch(ch) is not None) == cells._not_latin(ch), hex(code)


def test_clean_needs_no_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    """With nothing remembered, format characters are still removed."""
    monkeypatch.setattr(cells, "_VISIBLE", cells._VisibleTable())
    monkeypatch.setattr(cells, "_CACHED_CHARACTERS", 0)
    assert clean("Du\u200bpont\u00a0\u00e9") == "Dupont \u00e9"
    assert len(cells._VISIBLE) == 0


def ascii_fold_slowly(text: str) -> str:
    """ascii_fold() as it was: combining marks dropped one by one before the ASCII encoding.

    Latin letters that decomposition does not reduce are spelled by their guess (ə → e).
    """
    text = text.translate(identifiers._BEFORE_DECOMPOSITION)
    decomposed = unicodedata.normalize("NFKD", text).translate(identifiers._BEFORE_DECOMPOSITION)
    stripped = "".join(
        identifiers._guess(ch) if identifiers._guessed(ch) else ch
        for ch in decomposed
        if not unicodedata.combining(ch)
    )
    return stripped.encode("ascii", "ignore").decode("ascii").lower()


@settings(max_examples=500, deadline=None)
@given(CELLS)
def test_ascii_fold_drops_combining_marks_with_the_rest_of_non_ascii(text: str) -> None:
    """Combining marks are never ASCII: the ASCII encoding drops them as the loop over them did."""
    assert ascii_fold(text) == ascii_fold_slowly(text)
