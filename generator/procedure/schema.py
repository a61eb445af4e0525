"""The schema of a procedure file → the model: which fields exist, what each becomes, their defaults.

Optional texts (``links.shared_note``, ``personal.manager_note``…) default to
what the embedded ``data/procedure.yaml`` says: every default French text is
stated there once, never in code; the other options default to the model's
field defaults.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from ..i18n import _
from ..resources import default_procedure
from .checker import (
    FONT_NAME_RE,
    LANGUAGE_RE,
    PHONE_RE,
    SEPARATORS,
    Checker,
    raise_problems,
)
from .identifiers import FAMILY_MODES, INITIAL_MODES, compute_identifier
from .model import (
    EMAIL_PLACEHOLDERS,
    ContactGroup,
    DocxOptions,
    EmailTemplate,
    HelpLine,
    IdentifierRule,
    Meta,
    PersonalText,
    Procedure,
    Step,
)
from .rule_text import read_wording, rule_sentence
from .sections import Fills, read_contacts, read_links, read_steps
from .typography import french_spacing, split_bold
from .yaml_lines import Mapping, Node, read_yaml, show

DEFAULT_DATA = default_procedure()


@lru_cache(maxsize=1)
def _default_values() -> dict[str, Any]:
    """The embedded procedure file, read plainly: where every optional text takes its default."""
    try:
        loaded = yaml.safe_load(DEFAULT_DATA.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def default_text(section: str, key: str) -> str:
    """What the embedded ``data/procedure.yaml`` gives for ``section.key`` ("" when it gives nothing)."""
    value = (_default_values().get(section) or {}).get(key)
    return value if isinstance(value, str) else ""


TOP = ("document", "links", "contacts", "steps", "help", "identifier", "personal", "email", "docx")
DOCUMENT = ("audience", "title", "purpose", "author", "subject", "language", "updated", "updated_label")
HELP = ("label", "phone", "hours", "note")
IDENTIFIER = ("initial", "family_name", "joiner", "word_separator", "example", "wording")
EXAMPLE = ("first_name", "last_name")
PERSONAL = (
    "heading",
    "identifier_label",
    "unsure_identifier_label",
    "homonym_note",
    "numen_label",
    "numen_note",
    "manager_note",
    "birth_name_label",
)
EMAIL = ("sender", "sender_name", "subject", "body")
DOCX = ("font",)


def load_procedure(path: str | Path | None = None) -> Procedure:
    """Load and validate a procedure file; raises DataError listing every problem."""
    path = Path(path) if path is not None else DEFAULT_DATA
    check = Checker(path)
    root = read_yaml(path, check, TOP)
    top = check.mapping(root, "", TOP)
    assert top is not None  # read_yaml checked it
    section = _Sections(check, root, top)
    # In the file's order, so that the problems are listed as a reader meets them.
    meta = _meta(check, *section("document", DOCUMENT))
    rule, fills = _identifier_rule(check, *section("identifier", IDENTIFIER, required=False))
    contacts, steps, address_continues = _contacts_and_steps(check, section, fills)
    help_line = _help_line(check, *section("help", HELP))
    personal = _personal_text(check, *section("personal", PERSONAL))
    email = _email(check, *section("email", EMAIL))
    docx = _docx_options(check, *section("docx", DOCX, required=False))
    if check.problems:
        raise_problems(check)
    return Procedure(
        meta=meta,
        qr_codes=tuple(step.qr for step in steps if step.qr is not None),
        contacts=contacts,
        steps=steps,
        help=help_line,
        identifier=rule,
        personal=personal,
        email=email,
        docx=docx,
        source=path,
        address_continues=address_continues,
    )


class _Sections:
    """The top-level sections of one procedure file, each one's fields checked as it is taken."""

    def __init__(self, check: Checker, root: Node, top: Mapping) -> None:
        self.check, self.root, self.top = check, root, top

    def node(self, key: str) -> Node | None:
        """The section ``key`` as it stands (a missing one reported)."""
        return self.check.get(self.root, self.top, key, "")

    def __call__(
        self, key: str, known: tuple[str, ...] | None, required: bool = True
    ) -> tuple[Node, Mapping | None]:
        node = self.check.get(self.root, self.top, key, "", required)
        if node is None:
            # Missing: its own fields are not reported again (optional ones take defaults).
            return Node({}, self.root.line), (None if required else {})
        return node, self.check.mapping(node, key, known)


def _contacts_and_steps(
    check: Checker, section: _Sections, fills: Fills
) -> tuple[tuple[ContactGroup, ...], tuple[Step, ...], str]:
    """The contacts, then the steps with the links they point to and the shared QR code's texts."""
    links_node, links_map = section("links", None)
    links, declared = read_links(check, links_node, links_map)
    shared_label, shared_note, qr_alt = _link_texts(check, links_node, links_map)
    address_continues = _address_continues(check, links_node, links_map)
    contacts = read_contacts(check, section.node("contacts"))
    steps = read_steps(check, section.node("steps"), links, declared, shared_label, shared_note, fills)
    return contacts, _with_alt(steps, qr_alt), address_continues


def _address_continues(check: Checker, links_node: Node, links_map: Mapping | None) -> str:
    """``links.address_continues``: said after the first line of an address that needs two."""
    said = check.text(
        links_node,
        links_map,
        "address_continues",
        "links",
        required=False,
        default=default_text("links", "address_continues"),
    )
    return french_spacing(said)


def _link_texts(check: Checker, links_node: Node, links_map: Mapping | None) -> tuple[str, str, str]:
    """The texts of the links section that are no link: the shared code's label, its note, the codes' alt."""
    shared_label = french_spacing(check.text(links_node, links_map, "shared_label", "links", required=False))
    shared_note = check.text(
        links_node,
        links_map,
        "shared_note",
        "links",
        required=False,
        default=default_text("links", "shared_note"),
    )
    check.placeholders(
        links_map.get("shared_note") if links_map else None, "links.shared_note", shared_note, ("step",)
    )

    qr_alt = check.text(
        links_node, links_map, "qr_alt", "links", required=False, default=default_text("links", "qr_alt")
    )
    check.placeholders(
        links_map.get("qr_alt") if links_map else None, "links.qr_alt", qr_alt, ("label", "url")
    )
    return shared_label, shared_note, qr_alt


def _with_alt(steps: tuple[Step, ...], qr_alt: str) -> tuple[Step, ...]:
    """What each code says to a screen reader, decided once for every writer."""
    return tuple(
        replace(
            step,
            qr=replace(
                step.qr,
                alt=french_spacing(qr_alt).replace("{label}", step.qr.label).replace("{url}", step.qr.url),
            ),
        )
        if step.qr is not None
        else step
        for step in steps
    )


def _meta(check: Checker, doc_node: Node, doc: Mapping | None) -> Meta:
    """The ``document:`` section: the title block and the files' properties."""
    language = check.text(doc_node, doc, "language", "document", required=False, default=Meta.language)
    if language and doc is not None and "language" in doc and not LANGUAGE_RE.match(language):
        check.fail(
            doc["language"].line,
            "document.language",
            _("not a language tag"),
            show(language),
            _("a tag like fr-FR"),
        )
    meta = Meta(
        audience=french_spacing(check.text(doc_node, doc, "audience", "document")),
        title=french_spacing(check.text(doc_node, doc, "title", "document")),
        purpose=french_spacing(check.text(doc_node, doc, "purpose", "document", required=False)),
        author=check.text(doc_node, doc, "author", "document"),
        subject=french_spacing(check.text(doc_node, doc, "subject", "document", required=False)),
        language=language,
        updated=updated_date(check, doc),
        updated_label=french_spacing(
            check.text(
                doc_node,
                doc,
                "updated_label",
                "document",
                required=False,
                default=default_text("document", "updated_label"),
            )
        ),
    )
    return meta


_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def updated_date(check: Checker, doc: Mapping | None) -> datetime.date | None:
    """``document.updated``: a day written YYYY-MM-DD (YAML reads it as a date, or as text in quotes)."""
    node = doc.get("updated") if doc else None
    if node is None or node.value is None:
        return None
    value = node.value
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str) and _ISO_DAY.match(value.strip()):
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    check.fail(node.line, "document.updated", _("not a date"), show(value), _("a date like 2026-12-07"))
    return None


def _help_line(check: Checker, help_node: Node, help_map: Mapping | None) -> HelpLine:
    """The ``help:`` section: the help band's label, phone number and hours."""
    phone = check.text(help_node, help_map, "phone", "help")
    if phone.strip() and not PHONE_RE.match(phone):
        assert help_map is not None
        check.fail(
            help_map["phone"].line,
            "help.phone",
            _("not a phone number"),
            show(phone),
            _("digits, spaces and + . ( ) -"),
        )
    help_line = HelpLine(
        label=french_spacing(check.text(help_node, help_map, "label", "help")),
        phone=phone.strip().replace(" ", "\u00a0"),
        hours=french_spacing(check.text(help_node, help_map, "hours", "help")),
        note=french_spacing(check.text(help_node, help_map, "note", "help", required=False)),
    )
    return help_line


def _personal_text(check: Checker, p_node: Node, p: Mapping | None) -> PersonalText:
    """The ``personal:`` section: the fixed texts of the personal box (optional ones from the embedded file)."""
    homonym_note = check.text(p_node, p, "homonym_note", "personal")
    check.placeholders(
        p.get("homonym_note") if p else None, "personal.homonym_note", homonym_note, ("identifier",)
    )
    if any(not bold and "**" in part for part, bold in split_bold(homonym_note)):
        assert p is not None  # a text was read from it
        check.fail(
            p["homonym_note"].line,
            "personal.homonym_note",
            _("unclosed bold mark"),
            show(homonym_note.strip()),
            _("**bold** in pairs"),
        )
    personal = PersonalText(
        heading=check.text(p_node, p, "heading", "personal"),
        identifier_label=check.text(p_node, p, "identifier_label", "personal"),
        unsure_identifier_label=check.text(
            p_node,
            p,
            "unsure_identifier_label",
            "personal",
            required=False,
            default=default_text("personal", "unsure_identifier_label"),
        ),
        homonym_note=homonym_note,
        numen_label=check.text(p_node, p, "numen_label", "personal"),
        numen_note=check.text(p_node, p, "numen_note", "personal"),
        manager_note=check.text(
            p_node,
            p,
            "manager_note",
            "personal",
            required=False,
            default=default_text("personal", "manager_note"),
        ),
        birth_name_label=check.text(
            p_node,
            p,
            "birth_name_label",
            "personal",
            required=False,
            default=default_text("personal", "birth_name_label"),
        ),
    )
    return personal


def _email(check: Checker, e_node: Node, e: Mapping | None) -> EmailTemplate:
    """The ``email:`` section: the drafts' sender, subject and body, placeholders checked."""
    sender_node = check.get(e_node, e, "sender", "email")
    email = EmailTemplate(
        sender=check.email(sender_node, "email.sender") if sender_node else "",
        sender_name=check.text(e_node, e, "sender_name", "email"),
        subject=check.text(e_node, e, "subject", "email"),
        body=check.text(e_node, e, "body", "email"),
    )
    # A misspelt placeholder would go out, as typed, to every person.
    for key in ("subject", "body"):
        check.placeholders(e.get(key) if e else None, f"email.{key}", getattr(email, key), EMAIL_PLACEHOLDERS)
    return email


def _docx_options(check: Checker, d_node: Node, d: Mapping | None) -> DocxOptions:
    """The ``docx:`` section: the font the DOCX names."""
    font = check.text(d_node, d, "font", "docx", required=False, default=DocxOptions.font)
    if not FONT_NAME_RE.fullmatch(font):
        assert d is not None  # the default font is a valid name
        check.fail(
            d["font"].line,
            "docx.font",
            _("not a font name"),
            show(font),
            _("letters, digits, spaces and . _ + - (at most 31 characters), like Arial"),
        )
        font = DocxOptions.font
    return DocxOptions(font=font)


def _identifier_rule(check: Checker, node: Node, m: Mapping | None) -> tuple[IdentifierRule, Fills]:
    """The rule, and what ``{example}`` and ``{rule}`` become in the steps of the flyer and of a personal sheet."""
    rule = _rule_options(check, node, m)
    example = compute_identifier(rule, rule.example_first_name, rule.example_last_name)
    defaults = (_default_values().get("identifier") or {}).get("wording") or {}
    wording_node = check.get(node, m, "wording", "identifier", required=False)
    wording = read_wording(check, wording_node, rule, defaults if isinstance(defaults, dict) else {})
    sentence = rule_sentence(rule, wording)
    return rule, Fills(
        flyer={"example": example, "rule": sentence},
        personal={"example": example, "rule": wording.personal.strip()},
    )


def _rule_options(check: Checker, node: Node, m: Mapping | None) -> IdentifierRule:
    ex_node = check.get(node, m, "example", "identifier", required=False)
    ex = check.mapping(ex_node, "identifier.example", EXAMPLE) if ex_node else {}
    ex_parent = ex_node or node
    seed = IdentifierRule()  # the defaults of every option
    rule = IdentifierRule(
        initial=check.choice(node, m, "initial", "identifier", INITIAL_MODES, seed.initial),
        family_name=check.choice(node, m, "family_name", "identifier", FAMILY_MODES, seed.family_name),
        joiner=check.choice(node, m, "joiner", "identifier", SEPARATORS, seed.joiner),
        word_separator=check.choice(node, m, "word_separator", "identifier", SEPARATORS, seed.word_separator),
        example_first_name=check.text(
            ex_parent, ex, "first_name", "identifier.example", required=False, default=seed.example_first_name
        ),
        example_last_name=check.text(
            ex_parent, ex, "last_name", "identifier.example", required=False, default=seed.example_last_name
        ),
    )
    if not compute_identifier(rule, rule.example_first_name, rule.example_last_name):
        check.fail(
            ex_parent.line,
            "identifier.example",
            _("gives an empty identifier"),
            show(f"{rule.example_first_name} {rule.example_last_name}"),
            _("a name with letters"),
        )
    return rule
