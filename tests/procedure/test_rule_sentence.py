"""Step 2 says the identifier rule of the data ({rule}): its words follow the options, its example the rule."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import norm
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import DataError
from generator.procedure.checker import SEPARATORS
from generator.procedure.identifiers import FAMILY_MODES, INITIAL_MODES, compute_identifier
from generator.procedure.model import IdentifierRule, Procedure, plain
from generator.procedure.rule_text import RuleWording, rule_sentence
from generator.procedure.schema import DEFAULT_DATA, load_procedure
from generator.procedure.typography import split_bold

BASE = DEFAULT_DATA.read_text(encoding="utf-8")
RULE_LINES = {
    "initial": "  initial: first-letter          # first-letter | first-name | none",
    "family_name": "  family_name: birth-name-first  # birth-name-first | usage-name",
    "joiner": '  joiner: ""                     # between initial and family name',
    "word_separator": '  word_separator: "-"            # replaces spaces inside a family name',
}


def with_rule(tmp_path: Path, **options: str) -> Procedure:
    """The default data with some options of ``identifier:`` changed."""
    text = BASE
    for key, value in options.items():
        assert text.count(RULE_LINES[key]) == 1
        text = text.replace(RULE_LINES[key], f"  {key}: {value!r}".replace("'", '"'))
    path = tmp_path / "procedure.yaml"
    path.write_text(text, encoding="utf-8")
    return load_procedure(path)


def rule_text(procedure: Procedure) -> str:
    """Step 2's sentence on the identifier, as the flyer says it."""
    return norm(plain(procedure.steps[1].paragraphs[2])).replace("\u2019", "'")


def test_todays_rule_is_said_with_its_example(procedure: Procedure) -> None:
    """The default data says the seed's rule and shows it on Anne-Sophie de La Fontaine."""
    assert rule_text(procedure) == (
        "Identifiant : l'initiale du prénom puis, sans espace, le nom de naissance ; "
        "un espace du nom devient un tiret. Exemple : Anne-Sophie de La Fontaine donne ade-la-fontaine."
    )


def test_the_word_separator_changes_the_sentence_and_the_example(
    tmp_path: Path, procedure: Procedure
) -> None:
    """Spaces dropped instead of turned into hyphens: the sentence and the example both say so."""
    text = rule_text(with_rule(tmp_path, word_separator=""))
    assert "les espaces du nom sont retirés" in text and "devient un tiret" not in text
    assert text.endswith("donne adelafontaine.")
    assert text != rule_text(procedure)


def test_the_joiner_changes_the_sentence_and_the_example(tmp_path: Path) -> None:
    """A hyphen between the initial and the name is said, and shown."""
    text = rule_text(with_rule(tmp_path, joiner="-"))
    assert "puis un tiret, puis le nom de naissance" in text and "sans espace" not in text
    assert text.endswith("donne a-de-la-fontaine.")


def test_the_family_name_mode_changes_the_sentence(tmp_path: Path) -> None:
    """A rule on the usage name says "nom d'usage", never "nom de naissance"."""
    text = rule_text(with_rule(tmp_path, family_name="usage-name"))
    assert "le nom d'usage" in text and "naissance" not in text


def test_no_initial_says_the_name_alone(tmp_path: Path) -> None:
    """``initial: none``: neither the initial nor the joiner is spoken of."""
    text = rule_text(with_rule(tmp_path, initial="none"))
    assert "Identifiant : le nom de naissance ; un espace" in text
    assert "initiale" not in text and text.endswith("donne de-la-fontaine.")


def test_the_bold_example_is_what_the_rule_computes(procedure: Procedure) -> None:
    """The one bold identifier of the sentence is compute_identifier of the example's names."""
    rule = procedure.identifier
    bold = [
        run.text for run in procedure.steps[1].paragraphs[2] if run.bold and run.text != "Identifiant\u00a0:"
    ]
    assert bold == [compute_identifier(rule, rule.example_first_name, rule.example_last_name)]


WORDING = RuleWording(
    "l'initiale", "puis", "le nom", "un espace devient un tiret", "Ex. {name} : **{identifier}**.", ""
)
names = st.text(alphabet="abcdeéèçñ ÀÉ-'Ø", min_size=1, max_size=20).filter(
    lambda s: any(c.isalpha() for c in s)
)


@settings(max_examples=200, deadline=None)
@given(
    st.sampled_from(INITIAL_MODES),
    st.sampled_from(FAMILY_MODES),
    st.sampled_from(SEPARATORS),
    st.sampled_from(SEPARATORS),
    names,
    names,
)
def test_the_sentence_shows_the_identifier_the_rule_gives(
    initial: str, family: str, joiner: str, separator: str, first: str, last: str
) -> None:
    """Whatever the options and the example's names, the bold identifier is the rule's own."""
    rule = IdentifierRule(initial, family, joiner, separator, first, last)
    expected = compute_identifier(rule, first, last)
    bold = [part for part, is_bold in split_bold(rule_sentence(rule, WORDING)) if is_bold]
    assert bold == [expected]


def problems(tmp_path: Path, old: str, new: str) -> list[str]:
    assert BASE.count(old) == 1
    path = tmp_path / "bad.yaml"
    path.write_text(BASE.replace(old, new), encoding="utf-8")
    with pytest.raises(DataError) as info:
        load_procedure(path)
    return info.value.problems


def line_of(needle: str) -> int:
    return next(n for n, line in enumerate(BASE.splitlines(), start=1) if needle in line)


def test_an_unknown_placeholder_in_the_example_is_reported(tmp_path: Path) -> None:
    """A misspelt {nom} would be printed as typed on every flyer."""
    found = problems(tmp_path, "donne **{identifier}**", "donne **{nom}**")
    line = line_of('example: "Exemple')
    assert found == [
        f"{tmp_path / 'bad.yaml'}:{line}: identifier.wording.example: unknown placeholder "
        "(got '{nom}', expected {name} or {identifier})"
    ]


def test_a_fragment_that_is_not_text_is_reported(tmp_path: Path) -> None:
    """The words for an option must be text."""
    found = problems(tmp_path, 'first-letter: "l\'initiale du prénom"', "first-letter: 12")
    line = line_of("first-letter: \"l'initiale")
    assert found == [
        f"{tmp_path / 'bad.yaml'}:{line}: identifier.wording.initial['first-letter']: wrong type "
        "(got a number 12, expected text in quotes)"
    ]


def test_an_unknown_option_value_in_the_wording_is_reported(tmp_path: Path) -> None:
    """A fragment for a value no option takes is a typo: it is named with the values expected."""
    found = problems(tmp_path, "      first-name: ", "      first_name: ")
    line = line_of("      first-name: ")
    assert found == [
        f"{tmp_path / 'bad.yaml'}:{line}: identifier.wording.initial.first_name: unknown field "
        "(expected one of first-letter, first-name, none)"
    ]


def test_a_file_without_wording_takes_the_embedded_words(other_procedure: Procedure) -> None:
    """The made-up procedure gives no wording: its own rule is said in the embedded file's words."""
    text = norm(plain(other_procedure.steps[1].paragraphs[1])).replace("\u2019", "'")
    assert (
        "le premier prénom en entier puis un tiret, puis le nom d'usage ; les espaces du nom sont retirés"
        in text
    )
    rule = other_procedure.identifier
    assert f"donne {compute_identifier(rule, rule.example_first_name, rule.example_last_name)}." in text


def test_an_unclosed_bold_mark_in_the_homonym_note_is_reported(tmp_path: Path) -> None:
    """The note's ``**Homonyme :**`` is bold on the sheet; a lone ``**`` would be printed as typed."""
    found = problems(tmp_path, 'homonym_note: "**Homonyme :**', 'homonym_note: "**Homonyme :')
    line = line_of("homonym_note:")
    assert len(found) == 1
    assert found[0].startswith(
        f"{tmp_path / 'bad.yaml'}:{line}: personal.homonym_note: unclosed bold mark (got "
    )
    assert found[0].endswith("expected **bold** in pairs)")
