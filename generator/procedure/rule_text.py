"""How a step says the identifier rule (``{rule}``): the data's words for each option, put together, and its example.

The words are French text of the procedure, so they live in the data
(``identifier.wording``), one fragment for each value of each option; the
tool only picks the fragments of the options chosen and computes the
example's identifier with the rule itself, so the sentence cannot say
another rule than the one the identifiers follow. A file that gives no
wording takes the embedded ``data/procedure.yaml``'s.
"""

from __future__ import annotations

from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass
from typing import Any

from ..i18n import _
from .checker import SEPARATORS, Checker
from .identifiers import FAMILY_MODES, INITIAL_MODES, compute_identifier
from .model import IdentifierRule
from .yaml_lines import Mapping, Node, join

# The options whose value picks a fragment, and the values each may take.
RULE_PARTS = {
    "initial": INITIAL_MODES,
    "joiner": SEPARATORS,
    "family_name": FAMILY_MODES,
    "word_separator": SEPARATORS,
}
WORDING = (*RULE_PARTS, "example", "personal")
EXAMPLE_PLACEHOLDERS = ("name", "identifier")


@dataclass(frozen=True)
class RuleWording:
    """The fragments that say the chosen options, the example's sentence and the personal sheet's words."""

    initial: str  # "l'initiale du prénom"; "" when the rule takes no initial
    joiner: str  # "puis, sans espace,"
    family_name: str  # "le nom de naissance"
    word_separator: str  # "un espace du nom devient un tiret"
    example: str  # "Exemple : {name} donne **{identifier}**."
    personal: str  # said instead on a personal sheet: the identifier is the one at the top


def rule_sentence(rule: IdentifierRule, wording: RuleWording) -> str:
    """The rule in words, then its example, whose identifier the rule itself computes."""
    name = f"{rule.example_first_name.strip()} {rule.example_last_name.strip()}".strip()
    identifier = compute_identifier(rule, rule.example_first_name, rule.example_last_name)
    head = [wording.initial, wording.joiner] if rule.initial != "none" else []
    said = " ".join(part.strip() for part in (*head, wording.family_name) if part.strip())
    example = wording.example.strip().replace("{name}", name).replace("{identifier}", identifier)
    return f"{said} ; {wording.word_separator.strip()}. {example}"


def read_wording(
    check: Checker, node: Node | None, rule: IdentifierRule, defaults: AnyMapping[str, Any]
) -> RuleWording:
    """``identifier.wording``: the fragments of the chosen options, each the embedded file's when not given."""
    field = "identifier.wording"
    given: Mapping = {}
    if node is not None:
        given = check.mapping(node, field, WORDING) or {}
    fragments = {
        part: _fragment(check, node, given, part, getattr(rule, part), defaults)
        for part in RULE_PARTS
        if not (rule.initial == "none" and part in ("initial", "joiner"))
    }
    texts = {key: _text(check, node, given, key, defaults) for key in ("example", "personal")}
    if "example" in given:
        check.placeholders(given["example"], f"{field}.example", texts["example"], EXAMPLE_PLACEHOLDERS)
    if "personal" in given:
        check.placeholders(given["personal"], f"{field}.personal", texts["personal"], ())
    return RuleWording(
        initial=fragments.get("initial", ""),
        joiner=fragments.get("joiner", ""),
        family_name=fragments["family_name"],
        word_separator=fragments["word_separator"],
        example=texts["example"],
        personal=texts["personal"],
    )


def _text(check: Checker, node: Node | None, given: Mapping, key: str, defaults: AnyMapping[str, Any]) -> str:
    default = defaults.get(key)
    fallback = default if isinstance(default, str) else ""
    if key not in given:
        if not fallback:
            line = node.line if node is not None else 1
            check.fail(line, f"identifier.wording.{key}", _("required field is missing"))
        return fallback
    return check.text_value(given[key], f"identifier.wording.{key}")


def _fragment(
    check: Checker,
    node: Node | None,
    given: Mapping,
    part: str,
    value: str,
    defaults: AnyMapping[str, Any],
) -> str:
    """The words for ``value`` of option ``part``: the file's, else the embedded file's."""
    field = join("identifier.wording", part)
    choices = RULE_PARTS[part]
    shown = ", ".join(repr(c) for c in choices)
    words: Mapping = {}
    if part in given:
        words = (
            check.mapping(
                given[part], field, tuple(choices), _("a text for each of {choices}").format(choices=shown)
            )
            or {}
        )
    if value in words:
        return check.text_value(words[value], f"{field}[{value!r}]", required=value != "none")
    known = defaults.get(part)
    fallback = known.get(value) if isinstance(known, dict) else None
    if isinstance(fallback, str):
        return fallback
    line = given[part].line if part in given else (node.line if node is not None else 1)
    check.fail(
        line,
        f"{field}[{value!r}]",
        _("required field is missing"),
        expected=_("the words that say {option}: {value}").format(option=part, value=repr(value)),
    )
    return ""
