"""Procedure YAML → validated model, every problem reported with FILE:LINE and field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError
from .identifiers import compute_identifier
from .resources import default_procedure
from .model import (
    ContactGroup,
    DocxOptions,
    EmailTemplate,
    HelpLine,
    IdentifierRule,
    Link,
    Meta,
    Paragraph,
    PersonalText,
    Procedure,
    QrCode,
    Run,
    Step,
)
from .typography import french_spacing, split_bold

DEFAULT_DATA = default_procedure()

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https://[A-Za-z0-9.-]+\.[A-Za-z]{2,}(:\d+)?(/\S*)?$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
INITIAL_MODES = ("first-letter", "first-name", "none")
FAMILY_MODES = ("birth-name-first", "usage-name")


_SCALARS = yaml.SafeLoader("")


class _Node:
    """A YAML value with the line it starts on (1-based)."""

    __slots__ = ("value", "line")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


def _to_nodes(node: yaml.Node) -> _Node:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        mapping: dict[Any, _Node] = {}
        for key_node, value_node in node.value:
            mapping[key_node.value] = _to_nodes(value_node)
        return _Node(mapping, line)
    if isinstance(node, yaml.SequenceNode):
        return _Node([_to_nodes(item) for item in node.value], line)
    # Scalars: let YAML decide the type (so `yes`, `12` stay what they are).
    return _Node(_SCALARS.construct_object(node), line)


class _Checker:
    """Reads fields from the node tree and collects every problem."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, line: int, field: str, message: str) -> None:
        self.problems.append(f"{self.path}:{line}: {field}: {message}")

    def mapping(self, node: _Node, field: str) -> dict[Any, _Node] | None:
        if not isinstance(node.value, dict):
            self.fail(node.line, field, f"expected a mapping of fields, got {_kind(node.value)}")
            return None
        return node.value

    def get(
        self, parent: _Node, mapping: dict[Any, _Node], key: str, field: str, required: bool = True
    ) -> _Node | None:
        if key not in mapping or mapping[key].value is None:
            if required:
                self.fail(parent.line, f"{field}.{key}".lstrip("."), "required field is missing")
            return None
        return mapping[key]

    def text(
        self, parent: _Node, mapping: dict[Any, _Node], key: str, field: str, required: bool = True,
        default: str = "",
    ) -> str:
        node = self.get(parent, mapping, key, field, required)
        name = f"{field}.{key}".lstrip(".")
        if node is None:
            return default
        if not isinstance(node.value, str):
            self.fail(node.line, name, f"expected text, got {_kind(node.value)} {node.value!r}")
            return default
        if required and not node.value.strip():
            self.fail(node.line, name, "expected text, got an empty string")
        return node.value

    def url(self, parent: _Node, mapping: dict[Any, _Node], key: str, field: str) -> str:
        value = self.text(parent, mapping, key, field)
        if value and not URL_RE.match(value):
            line = mapping[key].line
            self.fail(line, f"{field}.{key}", f"must be an https:// address, got {value!r}")
        return value

    def email(self, node: _Node, field: str) -> str:
        value = node.value
        if not isinstance(value, str) or not EMAIL_RE.match(value):
            self.fail(node.line, field, f"expected an email address like name@example.fr, got {value!r}")
            return ""
        return value

    def choice(
        self, parent: _Node, mapping: dict[Any, _Node], key: str, field: str, choices: tuple[str, ...],
        default: str,
    ) -> str:
        value = self.text(parent, mapping, key, field, required=False, default=default)
        if value not in choices:
            self.fail(mapping[key].line, f"{field}.{key}", f"expected one of {', '.join(choices)}, got {value!r}")
            return default
        return value

    def sequence(self, node: _Node | None, field: str) -> list[_Node]:
        if node is None:
            return []
        if not isinstance(node.value, list):
            self.fail(node.line, field, f"expected a list, got {_kind(node.value)}")
            return []
        return node.value


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return "text"


def _paragraph(text: str, example: str) -> Paragraph:
    text = french_spacing(text.strip().replace("{example}", example))
    return tuple(Run(part, bold) for part, bold in split_bold(text))


def _read(path: Path) -> _Node:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found (expected a procedure YAML file)") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder (expected a procedure YAML file)") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read the file ({exc.strerror})") from None
    if b"\x00" in raw:
        raise DataError(f"{path}: not a text file (expected a UTF-8 YAML file)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not valid UTF-8 (save the file as UTF-8)") from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "syntax error"
        raise DataError(f"{path}:{line}: invalid YAML: {problem}") from None
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: invalid YAML: {exc}") from None
    if root is None:
        raise DataError(f"{path}:1: the file is empty (expected a mapping with document, steps, …)")
    node = _to_nodes(root)
    if not isinstance(node.value, dict):
        raise DataError(f"{path}:{node.line}: expected a mapping of fields at the top, got {_kind(node.value)}")
    return node


def load_procedure(path: str | Path | None = None) -> Procedure:
    """Load and validate a procedure file; raises DataError listing every problem."""
    path = Path(path) if path is not None else DEFAULT_DATA
    root = _read(path)
    c = _Checker(path)
    top = root.value

    known = {"document", "links", "contacts", "steps", "help", "identifier", "personal", "email", "docx"}
    for key, node in top.items():
        if key not in known:
            c.fail(node.line, str(key), f"unknown field (expected one of {', '.join(sorted(known))})")

    def section(key: str, required: bool = True) -> tuple[_Node, dict[Any, _Node]]:
        node = c.get(root, top, key, "", required)
        if node is None:
            return _Node({}, root.line), {}
        return node, c.mapping(node, key) or {}

    def list_section(key: str) -> _Node | None:
        return c.get(root, top, key, "")

    doc_node, doc = section("document")
    meta = Meta(
        audience=french_spacing(c.text(doc_node, doc, "audience", "document")),
        title=french_spacing(c.text(doc_node, doc, "title", "document")),
        purpose=french_spacing(c.text(doc_node, doc, "purpose", "document", required=False)),
        author=c.text(doc_node, doc, "author", "document"),
        subject=french_spacing(c.text(doc_node, doc, "subject", "document", required=False)),
        language=c.text(doc_node, doc, "language", "document", required=False, default="fr-FR"),
    )

    rule = _identifier_rule(c, *section("identifier", required=False))
    example = compute_identifier(rule, rule.example_first_name, rule.example_last_name)

    links_node, links_map = section("links")
    links: dict[str, Link] = {}
    for key, node in links_map.items():
        if key in ("shared_label", "shared_note"):
            continue
        field = f"links.{key}"
        fields = c.mapping(node, field)
        if fields is None:
            continue
        links[str(key)] = Link(
            id=str(key),
            url=c.url(node, fields, "url", field),
            label=french_spacing(c.text(node, fields, "label", field)),
        )
    if not links and links_node.value:
        c.fail(links_node.line, "links", "expected at least one link with url and label")
    shared_label = french_spacing(c.text(links_node, links_map, "shared_label", "links", required=False))
    shared_note = c.text(links_node, links_map, "shared_note", "links", required=False,
                         default="Ou scannez le code de l'étape {step}.")

    contacts = _contacts(c, list_section("contacts"))
    steps = _steps(c, list_section("steps"), links, shared_label, shared_note, example)
    if not steps and "steps" in top:
        c.fail(top["steps"].line, "steps", "expected at least one step")
    qr_codes = tuple(step.qr for step in steps if step.qr is not None)

    help_node, help_map = section("help")
    help_line = HelpLine(
        label=french_spacing(c.text(help_node, help_map, "label", "help")),
        phone=c.text(help_node, help_map, "phone", "help").replace(" ", "\u00a0"),
        hours=french_spacing(c.text(help_node, help_map, "hours", "help")),
    )

    p_node, p = section("personal")
    personal = PersonalText(
        heading=c.text(p_node, p, "heading", "personal"),
        identifier_label=c.text(p_node, p, "identifier_label", "personal"),
        homonym_note=c.text(p_node, p, "homonym_note", "personal"),
        numen_label=c.text(p_node, p, "numen_label", "personal"),
        numen_note=c.text(p_node, p, "numen_note", "personal"),
        manager_note=c.text(p_node, p, "manager_note", "personal", required=False,
                            default="votre gestionnaire"),
    )

    e_node, e = section("email")
    sender_node = c.get(e_node, e, "sender", "email")
    email = EmailTemplate(
        sender=c.email(sender_node, "email.sender") if sender_node else "",
        sender_name=c.text(e_node, e, "sender_name", "email"),
        subject=c.text(e_node, e, "subject", "email"),
        body=c.text(e_node, e, "body", "email"),
    )

    d_node, d = section("docx", required=False)
    docx = DocxOptions(font=c.text(d_node, d, "font", "docx", required=False, default="Arial"))

    if c.problems:
        raise DataError(c.problems)
    return Procedure(
        meta=meta, links=links, qr_codes=qr_codes, contacts=contacts, steps=steps,
        help=help_line, identifier=rule, personal=personal, email=email, docx=docx,
        source=path,
    )


def _identifier_rule(c: _Checker, node: _Node, m: dict[Any, _Node]) -> IdentifierRule:
    ex_node = m.get("example")
    ex = (c.mapping(ex_node, "identifier.example") or {}) if ex_node else {}
    ex_parent = ex_node or node
    return IdentifierRule(
        initial=c.choice(node, m, "initial", "identifier", INITIAL_MODES, "first-letter"),
        family_name=c.choice(node, m, "family_name", "identifier", FAMILY_MODES, "birth-name-first"),
        joiner=c.text(node, m, "joiner", "identifier", required=False, default=""),
        word_separator=c.text(node, m, "word_separator", "identifier", required=False, default="-"),
        example_first_name=c.text(ex_parent, ex, "first_name", "identifier.example", required=False,
                                  default="Marie"),
        example_last_name=c.text(ex_parent, ex, "last_name", "identifier.example", required=False,
                                 default="Dupont"),
    )


def _contacts(c: _Checker, node: _Node | None) -> tuple[ContactGroup, ...]:
    groups: list[ContactGroup] = []
    seen: set[str] = set()
    for i, item in enumerate(c.sequence(node, "contacts")):
        field = f"contacts[{i}]"
        fields = c.mapping(item, field)
        if fields is None:
            continue
        group_id = c.text(item, fields, "id", field)
        if group_id and not ID_RE.match(group_id):
            c.fail(fields["id"].line, f"{field}.id", f"expected lower-case letters, digits, - or _, got {group_id!r}")
        if group_id in seen:
            c.fail(fields["id"].line, f"{field}.id", f"duplicate id {group_id!r}")
        seen.add(group_id)
        name = french_spacing(c.text(item, fields, "name", field))
        emails_node = c.get(item, fields, "emails", field)
        emails = tuple(
            c.email(e, f"{field}.emails[{j}]") for j, e in enumerate(c.sequence(emails_node, f"{field}.emails"))
        )
        if emails_node is not None and not emails:
            c.fail(emails_node.line, f"{field}.emails", "expected at least one email address")
        groups.append(ContactGroup(id=group_id, name=name, emails=emails))
    return tuple(groups)


def _steps(
    c: _Checker, node: _Node | None, links: dict[str, Link], shared_label: str,
    shared_note: str, example: str,
) -> tuple[Step, ...]:
    steps: list[Step] = []
    drawn: dict[str, tuple[int, QrCode]] = {}  # url → (step number, code)
    items = c.sequence(node, "steps")
    # Which links share an address decides the label of their one code.
    users: dict[str, list[str]] = {}
    for item in items:
        if isinstance(item.value, dict) and isinstance(item.value.get("link", _Node(None, 0)).value, str):
            link = links.get(item.value["link"].value)
            if link and link.id not in users.setdefault(link.url, []):
                users[link.url].append(link.id)
    for i, item in enumerate(items):
        field = f"steps[{i}]"
        fields = c.mapping(item, field)
        if fields is None:
            continue
        heading = french_spacing(c.text(item, fields, "heading", field))
        texts = c.sequence(c.get(item, fields, "text", field), f"{field}.text")
        paragraphs: list[Paragraph] = []
        for j, t in enumerate(texts):
            if not isinstance(t.value, str) or not t.value.strip():
                c.fail(t.line, f"{field}.text[{j}]", f"expected a sentence, got {_kind(t.value)}")
                continue
            paragraphs.append(_paragraph(t.value, example))
        show_contacts = False
        if "contacts" in fields:
            show_contacts = fields["contacts"].value is True
            if not isinstance(fields["contacts"].value, bool):
                c.fail(fields["contacts"].line, f"{field}.contacts", "expected true or false")
        link = None
        qr = None
        if "link" in fields and fields["link"].value is not None:
            link_id = fields["link"].value
            link = links.get(str(link_id))
            if link is None:
                c.fail(fields["link"].line, f"{field}.link",
                       f"unknown link {link_id!r} (expected one of {', '.join(links) or 'the links section'})")
            elif link.url in drawn:
                number, _code = drawn[link.url]
                # Right after the first sentence, which says what to open.
                note = _paragraph(shared_note.replace("{step}", str(number)), example)
                paragraphs.insert(min(1, len(paragraphs)), note)
            else:
                ids = tuple(users.get(link.url, [link.id]))
                label = shared_label if len(ids) > 1 and shared_label else link.label
                qr = QrCode(url=link.url, label=label, link_ids=ids)
                drawn[link.url] = (i + 1, qr)
        unknown = set(fields) - {"heading", "text", "contacts", "link"}
        for key in sorted(map(str, unknown)):
            c.fail(fields[key].line, f"{field}.{key}", "unknown field (expected heading, text, contacts, link)")
        steps.append(Step(number=i + 1, heading=heading, paragraphs=tuple(paragraphs),
                          show_contacts=show_contacts, link=link, qr=qr))
    return tuple(steps)
