"""The identifier rule: hard names, rule options, file-name safety, and properties."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.procedure.identifiers import (
    ascii_fold,
    compute_identifier,
    is_valid_identifier,
    normalise_identifier,
    safe_file_stem,
)
from generator.procedure.model import IdentifierRule

RULE = IdentifierRule()
NO_INITIAL = IdentifierRule(initial="none")
IDENTIFIER = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")

HARD_NAMES = [
    # (first name, family name, birth name, expected identifier)
    ("Marie", "Dupont", "", "mdupont"),
    ("Jean-Pierre", "Dupont", "", "jdupont"),  # Créteil's example
    ("Marc", "Le Dupond", "", "mle-dupond"),  # Dijon's example
    ("  marie  ", "  DUPONT ", "", "mdupont"),
    ("Éloïse", "Lefèvre", "", "elefevre"),
    ("François", "Garçon", "", "fgarcon"),
    ("Œdipe", "Cœur", "", "ocoeur"),
    ("Ægir", "Læstadius", "", "alaestadius"),
    ("Jürgen", "Straße", "", "jstrasse"),
    ("Jean", "de La Fontaine", "", "jde-la-fontaine"),
    ("Pieter", "van der Berg", "", "pvan-der-berg"),
    ("Anne", "D'Artagnan", "", "adartagnan"),
    ("Awa", "N\u2019Diaye", "", "andiaye"),  # curly apostrophe
    ("Seán", "O\u00b4Brien", "", "sobrien"),  # spacing acute typed as an apostrophe
    ("Anne", "D' Artagnan", "", "adartagnan"),  # stray space after the apostrophe
    ("Zoé", "Martin", "Lefèvre", "zlefevre"),  # birth name wins
    ("Zoé", "Martin", "-", "zmartin"),  # "-" in a birth-name column means none
    ("Émilie", "Dupont-Martin", "", "edupont-martin"),
    ("Émilie", "Dupont - Martin", "", "edupont-martin"),
    ("Émilie", "Dupont\u2013Martin", "", "edupont-martin"),  # en dash
    ("Émilie", "-Dupont--Martin-", "", "edupont-martin"),
    ("Marie\u00a0Claire", "Le\u00a0\u00a0Gall", "", "mle-gall"),  # non-breaking spaces
    ("Marie Claire", "Dupont", "", "mdupont"),  # the first given name only
    ("Đặng", "Nguyễn Thị", "", "dnguyen-thi"),
    ("Łukasz", "Wałęsa", "", "lwalesa"),
    ("Søren", "Kierkegaard", "", "skierkegaard"),
    ("Anne", "Dupont 2", "", "adupont-2"),
    ("Anne", "Dupont (épouse Martin)", "", "adupont-epouse-martin"),
    ("Anne", "Dupont/Martin", "", "adupontmartin"),
    ("J.-P.", "Dupont", "", "jdupont"),
    ("Marie", unicodedata.normalize("NFD", "Lefèvre"), "", "mlefevre"),  # decomposed accents (macOS)
    ("Anne", "Dupont\u200b", "", "adupont"),  # zero-width space from a copy and paste
    ("Иван", "Dupont", "", ""),  # no Latin letter for the initial
    ("Ivan", "Иванов", "", ""),  # no Latin letter in the family name
    ("Anne", "1234", "", ""),  # digits alone are no name
    ("Anne", "---", "", ""),
    ("", "Dupont", "", ""),
]


@pytest.mark.parametrize(("first", "last", "birth", "expected"), HARD_NAMES)
def test_hard_names_give_the_expected_identifier(first: str, last: str, birth: str, expected: str) -> None:
    """Each hard name of the table gives exactly the identifier the brief's rule predicts."""
    assert compute_identifier(RULE, first, last, birth) == expected


def test_usage_name_option_ignores_the_birth_name() -> None:
    """With family_name: usage-name, the usage name is used even when a birth name is given."""
    rule = IdentifierRule(family_name="usage-name")
    assert compute_identifier(rule, "Zoé", "Martin", "Lefèvre") == "zmartin"
    assert compute_identifier(rule, "Zoé", "", "Lefèvre") == "zlefevre"


def test_word_separator_option_replaces_spaces_but_keeps_hyphens() -> None:
    """word_separator "" joins the words of a family name; its hyphens stay."""
    rule = IdentifierRule(word_separator="")
    assert compute_identifier(rule, "Marc", "Le Dupond", "") == "mledupond"
    assert compute_identifier(rule, "Marc", "Le Dupond-Martin", "") == "mledupond-martin"


def test_initial_and_joiner_options() -> None:
    """initial first-name takes the whole first given name; joiner goes between; none drops it."""
    rule = IdentifierRule(initial="first-name", joiner="-")
    assert compute_identifier(rule, "Jean-Pierre Paul", "Dupont") == "jean-pierre-dupont"
    assert compute_identifier(IdentifierRule(initial="none"), "Jean", "Le Dupond") == "le-dupond"
    # A joiner the directory cannot store is dropped, not kept.
    assert compute_identifier(IdentifierRule(joiner="."), "Jean", "Dupont") == "jdupont"


def test_unknown_rule_option_is_refused() -> None:
    """A rule option outside the known modes raises instead of guessing."""
    with pytest.raises(ValueError, match="initial"):
        compute_identifier(IdentifierRule(initial="last-letter"), "Marie", "Dupont")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Œuvre", "oeuvre"),
        ("STRASSE ẞ", "strasse ss"),
        ("d’Ors", "d'ors"),
        ("Иван Ivan", " ivan"),
        ("ﬁne", "fine"),
        ("a\u2013b", "a-b"),
    ],
)
def test_ascii_fold(text: str, expected: str) -> None:
    """ascii_fold spells ligatures out, unifies apostrophes and dashes, drops what has no ASCII form."""
    assert ascii_fold(text) == expected


@pytest.mark.parametrize(
    ("text", "valid"),
    [
        ("mdupont", True),
        ("mle-dupond", True),
        ("jdupont1", True),
        ("MDupont", False),
        ("m dupont", False),
        ("mdupont-", False),
        ("m--dupont", False),
        ("mdupont\n", False),
        ("mdupónt", False),
        ("", False),
        ("m.dupont", False),
    ],
)
def test_is_valid_identifier(text: str, valid: bool) -> None:
    """Only lower-case letters a-z and digits in groups joined by single hyphens are valid."""
    assert is_valid_identifier(text) is valid


def test_normalise_identifier_folds_what_a_user_types() -> None:
    """normalise_identifier lower-cases, folds accents, removes spaces and doubled or trailing hyphens."""
    assert normalise_identifier(" M Dupont ") == "mdupont"
    assert normalise_identifier("Mle--Dupónd-") == "mle-dupond"


def test_safe_file_stem_numbers_homonyms_and_avoids_reserved_names() -> None:
    """Homonyms get -2, -3; Windows' reserved names and odd input still give a usable stem."""
    taken: set[str] = set()
    assert [safe_file_stem("jdupont", taken) for _ in range(3)] == ["jdupont", "jdupont-2", "jdupont-3"]
    assert safe_file_stem("con", taken) == "con-2"
    assert safe_file_stem("../../etc/passwd", taken) == "etcpasswd"
    assert safe_file_stem("", taken) == "sans-identifiant"
    assert taken >= {"jdupont", "jdupont-2", "jdupont-3", "con-2", "etcpasswd", "sans-identifiant"}


def test_safe_file_stem_truncates_without_a_trailing_hyphen() -> None:
    """A long identifier is cut to 64 characters and never ends with a hyphen."""
    stem = safe_file_stem("a" * 63 + "-" + "b" * 20, set())
    assert stem == "a" * 63


# --- properties --------------------------------------------------------------

LATIN_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZéèêëàâäîïôöùûüçÉÈÇÀœŒæÆßøØłŁđñÑ"
NAME_CHARS = LATIN_LETTERS + "0123456789 -'’´.,()/\u00a0\u2013_"
names = st.text(alphabet=NAME_CHARS, max_size=30)
any_text = st.text(max_size=30)
rules = st.builds(
    IdentifierRule,
    initial=st.sampled_from(["first-letter", "first-name", "none"]),
    family_name=st.sampled_from(["birth-name-first", "usage-name"]),
    joiner=st.sampled_from(["", "-", "."]),
    word_separator=st.sampled_from(["-", "", " "]),
)


@st.composite
def names_with_a_letter(draw: st.DrawFn) -> str:
    return draw(names) + draw(st.sampled_from(LATIN_LETTERS)) + draw(names)


@given(rules, any_text | names, any_text | names, any_text | names)
def test_identifier_is_lower_case_ascii_or_empty(
    rule: IdentifierRule, first: str, last: str, birth: str
) -> None:
    """Whatever the names and options, the result matches ^[a-z0-9]+(-[a-z0-9]+)*$ or is empty."""
    identifier = compute_identifier(rule, first, last, birth)
    assert identifier == "" or IDENTIFIER.fullmatch(identifier)


@given(rules, names, names, names)
def test_identifier_is_stable_when_applied_again(
    rule: IdentifierRule, first: str, last: str, birth: str
) -> None:
    """A computed identifier is already normalised, and computing on it gives it back."""
    identifier = compute_identifier(rule, first, last, birth)
    assert normalise_identifier(identifier) == identifier
    if identifier:
        assert is_valid_identifier(identifier)
        assert compute_identifier(NO_INITIAL, "", identifier) == identifier
        # Applying the family-name rule to an already folded family name changes nothing.
        family = compute_identifier(
            IdentifierRule(initial="none", word_separator=rule.word_separator), "", last
        )
        if family:
            assert compute_identifier(rule, first, family, birth) == identifier


@given(any_text)
def test_normalise_identifier_is_idempotent(text: str) -> None:
    """normalise_identifier applied twice equals applied once, and its output is valid or empty."""
    once = normalise_identifier(text)
    assert normalise_identifier(once) == once
    assert once == "" or is_valid_identifier(once)


@given(rules, names_with_a_letter(), names_with_a_letter(), names)
def test_identifier_is_never_empty_for_names_with_a_letter(
    rule: IdentifierRule, first: str, last: str, birth: str
) -> None:
    """A first and a family name that each hold a Latin letter always give an identifier."""
    assert compute_identifier(rule, first, last, birth) != ""


@given(st.lists(any_text | names, max_size=20), st.sets(st.sampled_from(["all", "manifest", "con"])))
def test_safe_file_stems_are_safe_and_never_collide(identifiers: list[str], already: set[str]) -> None:
    """Stems never hold a path separator or '..', are valid identifiers, and are all distinct."""
    taken = set(already)
    stems = [safe_file_stem(identifier, taken) for identifier in identifiers]
    assert len(set(stems)) == len(stems)
    assert not set(stems) & already
    for stem in stems:
        assert "/" not in stem and "\\" not in stem and ".." not in stem
        assert is_valid_identifier(stem) and stem not in {"con", "nul", "aux", "prn"}
        assert stem in taken
