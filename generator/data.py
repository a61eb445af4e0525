"""Procedure YAML → validated model, every problem reported with FILE:LINE and field."""

from __future__ import annotations

import datetime
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from .errors import DataError
from .identifiers import FAMILY_MODES, INITIAL_MODES, compute_identifier
from .model import (
    EMAIL_PLACEHOLDERS,
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
from .resources import default_procedure
from .typography import french_spacing, no_widow, split_bold

DEFAULT_DATA = default_procedure()

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
PHONE_RE = re.compile(r"^\+?[0-9 .()-]*[0-9][0-9 .()-]*$")
PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")
# The identifier keeps only letters, digits and hyphens (identifiers.normalise_identifier):
# any other joiner would silently vanish from every identifier.
SEPARATORS = ("", "-")
MAX_PROBLEMS = 100

TOP = ("document", "links", "contacts", "steps", "help", "identifier", "personal", "email", "docx")
DOCUMENT = ("audience", "title", "purpose", "author", "subject", "language")
LINK = ("url", "label")
LINKS_OPTIONS = ("shared_label", "shared_note", "qr_alt")
CONTACT = ("id", "name", "emails")
STEP = ("heading", "text", "contacts", "link")
HELP = ("label", "phone", "hours")
IDENTIFIER = ("initial", "family_name", "joiner", "word_separator", "example")
EXAMPLE = ("first_name", "last_name")
PERSONAL = (
    "heading",
    "identifier_label",
    "homonym_note",
    "numen_label",
    "numen_note",
    "manager_note",
    "birth_name_label",
)
EMAIL = ("sender", "sender_name", "subject", "body")
DOCX = ("font",)

Mapping = dict[str, "_Node"]


class _Node:
    """A YAML value with the line it starts on (1-based)."""

    __slots__ = ("value", "line", "key_line")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line
        # Where its key is, for a mapping's value: a missing field inside it is reported there.
        self.key_line = line


def _brief(value: Any, room: int) -> str:
    """A repr of ``value`` (line numbers dropped) of about ``room`` characters at most.

    Work stays in proportion to ``room``, even for aliases that expand a billion times.
    """
    if isinstance(value, _Node):
        value = value.value
    if room <= 0:
        return "…"
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        parts: list[str] = []
        used = 2
        for key, item in items:
            if used >= room:
                parts.append("…")
                break
            prefix = "" if key is None else f"{key!r}: "
            part = prefix + _brief(item, room - used - len(prefix))
            parts.append(part)
            used += len(part) + 2
        return opening + ", ".join(parts) + closing
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return repr(value)


def _show(value: Any) -> str:
    text = _brief(value, 60)
    return text if len(text) <= 60 else text[:59] + "…"


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
    if isinstance(value, (datetime.date, datetime.datetime)):
        return "a date"
    if isinstance(value, bytes):
        return "binary data"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


def _got(value: Any) -> str:
    """``a number 12``, ``text 'abc'``, ``nothing``."""
    if value is None:
        return "nothing"
    return f"{_kind(value)} {_show(value)}"


class _Checker:
    """Collects every problem, each as ``FILE:LINE: field: what (got …, expected …)``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, line: int, field: str, what: str, got: str = "", expected: str = "") -> None:
        detail = ", ".join(
            part for part in (got and f"got {got}", expected and f"expected {expected}") if part
        )
        self.problems.append(
            f"{self.path}:{line}: {field or 'top level'}: {what}" + (f" ({detail})" if detail else "")
        )

    def mapping(
        self, node: _Node, field: str, known: tuple[str, ...] | None, expected: str = ""
    ) -> Mapping | None:
        """The fields of ``node``, or None (reported) when it is not a mapping; unknown keys are reported."""
        if not isinstance(node.value, dict):
            self.fail(
                node.line,
                field,
                "not a mapping of fields",
                _got(node.value),
                expected or f"fields {', '.join(known or ())}",
            )
            return None
        if known is not None:
            for key, child in node.value.items():
                if key not in known:
                    self.fail(
                        child.line, _join(field, key), "unknown field", expected=f"one of {', '.join(known)}"
                    )
        return node.value

    def get(
        self, parent: _Node, mapping: Mapping | None, key: str, field: str, required: bool = True
    ) -> _Node | None:
        """The child ``key``; a missing one is reported only when its parent is a mapping."""
        if mapping is None:
            return None
        if key not in mapping or mapping[key].value is None:
            if required:
                line = mapping[key].line if key in mapping else parent.key_line
                self.fail(line, _join(field, key), "required field is missing")
            return None
        return mapping[key]

    def text(
        self,
        parent: _Node,
        mapping: Mapping | None,
        key: str,
        field: str,
        required: bool = True,
        default: str = "",
    ) -> str:
        node = self.get(parent, mapping, key, field, required)
        if node is None:
            return default
        return self.text_value(node, _join(field, key), required, default)

    def text_value(self, node: _Node, field: str, required: bool = True, default: str = "") -> str:
        if not isinstance(node.value, str):
            hint = " in quotes" if isinstance(node.value, (int, float, bool, datetime.date)) else ""
            self.fail(node.line, field, "wrong type", _got(node.value), f"text{hint}")
            return default
        if required and not node.value.strip():
            self.fail(node.line, field, "empty", "''", "text")
        return node.value

    def url(self, parent: _Node, mapping: Mapping | None, key: str, field: str) -> str:
        value = self.text(parent, mapping, key, field)
        if value and not URL_RE.match(value):
            assert mapping is not None  # text() found a value
            self.fail(
                mapping[key].line,
                _join(field, key),
                "not an https address",
                _show(value),
                "an address starting with https://",
            )
            return ""
        return value

    def email(self, node: _Node, field: str) -> str:
        value = node.value
        if not isinstance(value, str) or not EMAIL_RE.match(value):
            self.fail(
                node.line, field, "not an email address", _got(value), "an address like name@example.fr"
            )
            return ""
        return value

    def choice(
        self,
        parent: _Node,
        mapping: Mapping | None,
        key: str,
        field: str,
        choices: tuple[str, ...],
        default: str,
    ) -> str:
        value = self.text(parent, mapping, key, field, required=False, default=default)
        if value not in choices:
            assert mapping is not None
            shown = ", ".join(c if re.fullmatch(r"[a-z-]*[a-z]", c) else repr(c) for c in choices)
            self.fail(
                mapping[key].line, _join(field, key), "not an allowed option", _show(value), f"one of {shown}"
            )
            return default
        return value

    def sequence(self, node: _Node | None, field: str, expected: str) -> list[_Node] | None:
        """The items of a list, or None (reported) when ``node`` is not one."""
        if node is None:
            return None
        if not isinstance(node.value, list):
            self.fail(node.line, field, "not a list", _got(node.value), expected)
            return None
        return node.value

    def placeholders(self, node: _Node | None, field: str, text: str, allowed: tuple[str, ...]) -> None:
        for mark in PLACEHOLDER_RE.findall(text):
            if mark[1:-1] not in allowed:
                expected = " or ".join("{" + a + "}" for a in allowed) or "no placeholder"
                self.fail(node.line if node else 1, field, "unknown placeholder", repr(mark), expected)


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


class _Tree:
    """Turns composed YAML nodes into ``_Node``s; reports what YAML allows and we do not."""

    def __init__(self, checker: _Checker) -> None:
        self.c = checker
        self.loader = yaml.SafeLoader("")
        self.done: dict[int, _Node] = {}  # aliases share one node: linear, even for "billion laughs"
        self.open: set[int] = set()

    def build(self, node: yaml.Node, field: str) -> _Node:
        line = node.start_mark.line + 1
        if id(node) in self.done:
            return self.done[id(node)]
        if id(node) in self.open:
            self.c.fail(line, field, "an alias refers to the mapping or list it is in", expected="no loop")
            return _Node(None, line)
        self.open.add(id(node))
        try:
            result = _Node(self._value(node, field, line), line)
        finally:
            self.open.discard(id(node))
        self.done[id(node)] = result
        return result

    def _value(self, node: yaml.Node, field: str, line: int) -> Any:
        if isinstance(node, yaml.MappingNode):
            mapping: Mapping = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.c.fail(
                        key_line, field, "a key is not a plain name", f"a {key_node.id} key", "a field name"
                    )
                    continue
                key = str(key_node.value)
                if key in mapping:
                    self.c.fail(
                        key_line,
                        _join(field, key),
                        "field given twice",
                        f"another one at line {mapping[key].line}",
                        "each field once",
                    )
                    continue
                child = self.build(value_node, _join(field, key))
                if child.key_line == child.line:  # a node reached through an alias keeps its first key
                    child.key_line = min(key_line, child.line)
                mapping[key] = child
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{field}[{i}]") for i, item in enumerate(node.value)]
        # Scalars: let YAML decide the type (so `yes`, `12` stay what they are).
        if node.tag.startswith("!") and not node.tag.startswith("!!"):
            self.c.fail(line, field, "unknown YAML tag", repr(node.tag), "plain values without tags")
            return node.value
        try:
            return self.loader.construct_object(node)
        except Exception as exc:  # noqa: BLE001 — any constructor failure is the data's fault
            reason = getattr(exc, "problem", None) or str(exc)
            self.c.fail(line, field, f"unreadable value: {reason}", repr(node.value), "text in quotes")
            return node.value


MAX_VALUES = 100_000  # a real procedure has a few hundred


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
    """How many values the document holds once every alias is expanded (a loop counts once)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active or not isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        return 1
    active.add(key)
    children = node.value if isinstance(node, yaml.SequenceNode) else [v for _k, v in node.value]
    total = 1
    for child in children:
        total += _expanded_size(child, memo, active)
        if total > MAX_VALUES:
            break
    active.discard(key)
    memo[key] = total
    return total


def _read(path: Path, c: _Checker) -> _Node:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found (expected a procedure YAML file)") from None
    except IsADirectoryError:
        raise DataError(f"{path}: is a folder (expected a procedure YAML file)") from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise DataError(f"{path}: cannot read the file ({reason})") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(f"{path}:1: saved as UTF-16 (expected UTF-8: save the file as UTF-8)")
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataError(f"{path}:{line}: not a text file (got a NUL byte, expected a UTF-8 YAML file)")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            f"{path}:{line}: not valid UTF-8 "
            f"(got byte 0x{raw[exc.start]:02x}, expected UTF-8: save the file as UTF-8)"
        ) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or "syntax error"
        if "\t" in problem or "\\t" in problem:
            problem += " (tabs cannot indent YAML: use spaces)"
        raise DataError(f"{path}:{line}: invalid YAML: {problem}") from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise DataError(
            f"{path}:{line}: invalid YAML: control character (got U+{ord(char):04X}, expected printable text)"
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(f"{path}: invalid YAML: {exc}") from None
    except RecursionError:
        raise DataError(f"{path}: invalid YAML: nested too deeply (expected a few levels)") from None
    try:
        too_many = root is not None and _expanded_size(root, {}, set()) > MAX_VALUES
    except RecursionError:
        raise DataError(f"{path}: invalid YAML: nested too deeply (expected a few levels)") from None
    if too_many:
        raise DataError(
            f"{path}: invalid YAML: aliases (*name) expand to more than {MAX_VALUES} values "
            "(expected a procedure written out, without nested aliases)"
        )
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null") and not root.value):
        raise DataError(f"{path}:1: the file is empty (expected fields {', '.join(TOP)})")
    try:
        node = _Tree(c).build(root, "")
    except RecursionError:
        raise DataError(f"{path}: invalid YAML: nested too deeply (expected a few levels)") from None
    if not isinstance(node.value, dict):
        raise DataError(
            f"{path}:{node.line}: top level: not a mapping of fields ({'got ' + _got(node.value)}, "
            f"expected fields {', '.join(TOP)})"
        )
    return node


def _raise(c: _Checker) -> None:
    problems = c.problems
    if len(problems) > MAX_PROBLEMS:
        problems = problems[:MAX_PROBLEMS] + [
            f"{c.path}: {len(problems) - MAX_PROBLEMS} more problems not shown"
        ]
    raise DataError(problems)


def load_procedure(path: str | Path | None = None) -> Procedure:
    """Load and validate a procedure file; raises DataError listing every problem."""
    path = Path(path) if path is not None else DEFAULT_DATA
    c = _Checker(path)
    root = _read(path, c)
    top = c.mapping(root, "", TOP)
    assert top is not None  # _read checked it

    def section(
        key: str, known: tuple[str, ...] | None, required: bool = True
    ) -> tuple[_Node, Mapping | None]:
        node = c.get(root, top, key, "", required)
        if node is None:
            # Missing: its own fields are not reported again (optional ones take defaults).
            return _Node({}, root.line), (None if required else {})
        return node, c.mapping(node, key, known)

    doc_node, doc = section("document", DOCUMENT)
    language = c.text(doc_node, doc, "language", "document", required=False, default="fr-FR")
    if language and doc is not None and "language" in doc and not LANGUAGE_RE.match(language):
        c.fail(
            doc["language"].line,
            "document.language",
            "not a language tag",
            _show(language),
            "a tag like fr-FR",
        )
    meta = Meta(
        audience=french_spacing(c.text(doc_node, doc, "audience", "document")),
        title=french_spacing(c.text(doc_node, doc, "title", "document")),
        purpose=french_spacing(c.text(doc_node, doc, "purpose", "document", required=False)),
        author=c.text(doc_node, doc, "author", "document"),
        subject=french_spacing(c.text(doc_node, doc, "subject", "document", required=False)),
        language=language,
    )

    rule = _identifier_rule(c, *section("identifier", IDENTIFIER, required=False))
    example = compute_identifier(rule, rule.example_first_name, rule.example_last_name)

    links_node, links_map = section("links", None)
    links, declared = _links(c, links_node, links_map)
    shared_label = french_spacing(c.text(links_node, links_map, "shared_label", "links", required=False))
    shared_note = c.text(
        links_node,
        links_map,
        "shared_note",
        "links",
        required=False,
        default="Ou scannez le code de l'étape {step}.",
    )
    c.placeholders(
        links_map.get("shared_note") if links_map else None, "links.shared_note", shared_note, ("step",)
    )

    qr_alt = c.text(
        links_node, links_map, "qr_alt", "links", required=False, default="Code QR : {label}. Il ouvre {url}"
    )
    c.placeholders(links_map.get("qr_alt") if links_map else None, "links.qr_alt", qr_alt, ("label", "url"))

    contacts = _contacts(c, c.get(root, top, "contacts", ""))
    steps = _steps(c, c.get(root, top, "steps", ""), links, declared, shared_label, shared_note, example)
    # What each code says to a screen reader, decided once for both renderers.
    steps = tuple(
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
    qr_codes = tuple(step.qr for step in steps if step.qr is not None)

    help_node, help_map = section("help", HELP)
    phone = c.text(help_node, help_map, "phone", "help")
    if phone.strip() and not PHONE_RE.match(phone):
        assert help_map is not None
        c.fail(
            help_map["phone"].line,
            "help.phone",
            "not a phone number",
            _show(phone),
            "digits, spaces and + . ( ) -",
        )
    help_line = HelpLine(
        label=french_spacing(c.text(help_node, help_map, "label", "help")),
        phone=phone.strip().replace(" ", "\u00a0"),
        hours=french_spacing(c.text(help_node, help_map, "hours", "help")),
    )

    p_node, p = section("personal", PERSONAL)
    homonym_note = c.text(p_node, p, "homonym_note", "personal")
    c.placeholders(
        p.get("homonym_note") if p else None, "personal.homonym_note", homonym_note, ("identifier",)
    )
    personal = PersonalText(
        heading=c.text(p_node, p, "heading", "personal"),
        identifier_label=c.text(p_node, p, "identifier_label", "personal"),
        homonym_note=homonym_note,
        numen_label=c.text(p_node, p, "numen_label", "personal"),
        numen_note=c.text(p_node, p, "numen_note", "personal"),
        manager_note=c.text(
            p_node, p, "manager_note", "personal", required=False, default="votre gestionnaire"
        ),
        birth_name_label=c.text(
            p_node, p, "birth_name_label", "personal", required=False, default="nom de naissance :"
        ),
    )

    e_node, e = section("email", EMAIL)
    sender_node = c.get(e_node, e, "sender", "email")
    email = EmailTemplate(
        sender=c.email(sender_node, "email.sender") if sender_node else "",
        sender_name=c.text(e_node, e, "sender_name", "email"),
        subject=c.text(e_node, e, "subject", "email"),
        body=c.text(e_node, e, "body", "email"),
    )
    # A misspelt placeholder would go out, as typed, to every person.
    for key in ("subject", "body"):
        c.placeholders(e.get(key) if e else None, f"email.{key}", getattr(email, key), EMAIL_PLACEHOLDERS)

    d_node, d = section("docx", DOCX, required=False)
    docx = DocxOptions(font=c.text(d_node, d, "font", "docx", required=False, default="Arial"))

    if c.problems:
        _raise(c)
    return Procedure(
        meta=meta,
        links=links,
        qr_codes=qr_codes,
        contacts=contacts,
        steps=steps,
        help=help_line,
        identifier=rule,
        personal=personal,
        email=email,
        docx=docx,
        source=path,
    )


def _links(c: _Checker, node: _Node, mapping: Mapping | None) -> tuple[dict[str, Link], set[str]]:
    """The links by id, and every id the file declares (valid or not, so steps do not report it again)."""
    links: dict[str, Link] = {}
    declared: set[str] = set()
    if mapping is None:
        return links, declared
    for key, item in mapping.items():
        if key in LINKS_OPTIONS:
            continue
        declared.add(key)
        field = f"links.{key}"
        fields = c.mapping(item, field, LINK, expected="url: and label: fields")
        if fields is None:
            continue
        url = c.url(item, fields, "url", field)
        label = french_spacing(c.text(item, fields, "label", field))
        if url and label:
            links[key] = Link(id=key, url=url, label=label)
    if not declared:
        c.fail(node.line, "links", "no link", expected="at least one link with url: and label:")
    return links, declared


def _identifier_rule(c: _Checker, node: _Node, m: Mapping | None) -> IdentifierRule:
    ex_node = c.get(node, m, "example", "identifier", required=False)
    ex = c.mapping(ex_node, "identifier.example", EXAMPLE) if ex_node else {}
    ex_parent = ex_node or node
    rule = IdentifierRule(
        initial=c.choice(node, m, "initial", "identifier", INITIAL_MODES, "first-letter"),
        family_name=c.choice(node, m, "family_name", "identifier", FAMILY_MODES, "birth-name-first"),
        joiner=c.choice(node, m, "joiner", "identifier", SEPARATORS, ""),
        word_separator=c.choice(node, m, "word_separator", "identifier", SEPARATORS, "-"),
        example_first_name=c.text(
            ex_parent, ex, "first_name", "identifier.example", required=False, default="Marie"
        ),
        example_last_name=c.text(
            ex_parent, ex, "last_name", "identifier.example", required=False, default="Dupont"
        ),
    )
    if not compute_identifier(rule, rule.example_first_name, rule.example_last_name):
        c.fail(
            ex_parent.line,
            "identifier.example",
            "gives an empty identifier",
            _show(f"{rule.example_first_name} {rule.example_last_name}"),
            "a name with letters",
        )
    return rule


def _contacts(c: _Checker, node: _Node | None) -> tuple[ContactGroup, ...]:
    groups: list[ContactGroup] = []
    seen: dict[str, int] = {}  # id → line
    for i, item in enumerate(c.sequence(node, "contacts", "a list of contact groups") or []):
        field = f"contacts[{i}]"
        fields = c.mapping(item, field, CONTACT)
        if fields is None:
            continue
        group_id = c.text(item, fields, "id", field)
        if group_id:
            line = fields["id"].line
            if not ID_RE.match(group_id):
                c.fail(
                    line,
                    f"{field}.id",
                    "not a valid id",
                    _show(group_id),
                    "lower-case letters, digits, - or _",
                )
            elif group_id in seen:
                c.fail(
                    line,
                    f"{field}.id",
                    "duplicate id",
                    f"{group_id!r} again, first at line {seen[group_id]}",
                    "a different id for each group",
                )
            seen.setdefault(group_id, line)
        name = french_spacing(c.text(item, fields, "name", field))
        emails_node = c.get(item, fields, "emails", field)
        items = c.sequence(emails_node, f"{field}.emails", "a list of email addresses")
        emails = tuple(c.email(e, f"{field}.emails[{j}]") for j, e in enumerate(items or []))
        if emails_node is not None and items == []:
            c.fail(
                emails_node.line,
                f"{field}.emails",
                "no address",
                "an empty list",
                "at least one email address",
            )
        groups.append(ContactGroup(id=group_id, name=name, emails=emails))
    if node is not None and isinstance(node.value, list) and not node.value:
        c.fail(node.line, "contacts", "no contact group", "an empty list", "at least one group")
    return tuple(groups)


def _paragraph(c: _Checker, node: _Node, field: str, text: str, example: str) -> Paragraph:
    c.placeholders(node, field, text, ("example",))
    parts = split_bold(no_widow(french_spacing(text.strip().replace("{example}", example))))
    for part, bold in parts:
        if not bold and "**" in part:
            c.fail(node.line, field, "unclosed bold mark", _show(text.strip()), "**bold** in pairs")
            break
    return tuple(Run(part, bold) for part, bold in parts)


def _steps(
    c: _Checker,
    node: _Node | None,
    links: dict[str, Link],
    declared: set[str],
    shared_label: str,
    shared_note: str,
    example: str,
) -> tuple[Step, ...]:
    steps: list[Step] = []
    drawn: dict[str, int] = {}  # url → number of the step that draws its code
    items = c.sequence(node, "steps", "a list of steps, each with heading: and text:")
    if items == []:
        assert node is not None
        c.fail(node.line, "steps", "no step", "an empty list", "at least one step")
    items = items or []
    # Which links share an address decides the label of their one code.
    users: dict[str, list[str]] = {}
    for item in items:
        link_node = item.value.get("link") if isinstance(item.value, dict) else None
        link = links.get(link_node.value) if link_node and isinstance(link_node.value, str) else None
        if link and link.id not in users.setdefault(link.url, []):
            users[link.url].append(link.id)
    for i, item in enumerate(items):
        field = f"steps[{i}]"
        fields = c.mapping(item, field, STEP)
        if fields is None:
            continue
        heading = french_spacing(c.text(item, fields, "heading", field))
        texts = c.sequence(
            c.get(item, fields, "text", field),
            f"{field}.text",
            "a list of sentences, each on a line starting with -",
        )
        if texts == []:
            c.fail(
                fields["text"].line, f"{field}.text", "no sentence", "an empty list", "at least one sentence"
            )
        paragraphs: list[Paragraph] = []
        for j, t in enumerate(texts or []):
            sentence = c.text_value(t, f"{field}.text[{j}]")
            if sentence.strip():
                paragraphs.append(_paragraph(c, t, f"{field}.text[{j}]", sentence, example))
        show_contacts = False
        if "contacts" in fields:
            show_contacts = fields["contacts"].value is True
            if not isinstance(fields["contacts"].value, bool):
                c.fail(
                    fields["contacts"].line,
                    f"{field}.contacts",
                    "wrong type",
                    _got(fields["contacts"].value),
                    "true or false",
                )
        link = None
        qr = None
        link_node = c.get(item, fields, "link", field, required=False)
        if link_node is not None:
            link_id = link_node.value
            link = links.get(link_id) if isinstance(link_id, str) else None
            if link is None and not (isinstance(link_id, str) and link_id in declared):
                c.fail(
                    link_node.line,
                    f"{field}.link",
                    "unknown link",
                    _show(link_id),
                    f"one of {', '.join(sorted(declared)) or 'the ids of the links section'}",
                )
            elif link is not None and link.url in drawn:
                # Right after the first sentence, which says what to open.
                note = _paragraph(
                    c,
                    link_node,
                    "links.shared_note",
                    shared_note.replace("{step}", str(drawn[link.url])),
                    example,
                )
                paragraphs.insert(min(1, len(paragraphs)), note)
            elif link is not None:
                ids = tuple(users.get(link.url, [link.id]))
                label = shared_label if len(ids) > 1 and shared_label else link.label
                qr = QrCode(url=link.url, label=label, link_ids=ids)
                drawn[link.url] = i + 1
        steps.append(
            Step(
                number=i + 1,
                heading=heading,
                paragraphs=tuple(paragraphs),
                show_contacts=show_contacts,
                link=link,
                qr=qr,
            )
        )
    return tuple(steps)
