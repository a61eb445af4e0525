"""The sections of a procedure that refer to each other: links, contacts and the steps that use them."""

from __future__ import annotations

from dataclasses import dataclass

from .checker import ID_RE, Checker
from .model import ContactGroup, Paragraph, QrCode, Run, Step
from .typography import french_spacing, no_widow, split_bold
from .yaml_lines import Mapping, Node, got, show

LINK = ("url", "label")
LINKS_OPTIONS = ("shared_label", "shared_note", "qr_alt")
CONTACT = ("id", "name", "emails")
STEP = ("heading", "text", "contacts", "link")


@dataclass(frozen=True)
class _Link:
    """An entry of the links section, resolved by the steps that name it."""

    id: str
    url: str
    label: str


def read_links(check: Checker, node: Node, mapping: Mapping | None) -> tuple[dict[str, _Link], set[str]]:
    """The links by id, and every id the file declares (valid or not, so steps do not report it again)."""
    links: dict[str, _Link] = {}
    declared: set[str] = set()
    if mapping is None:
        return links, declared
    for key, item in mapping.items():
        if key in LINKS_OPTIONS:
            continue
        declared.add(key)
        field = f"links.{key}"
        fields = check.mapping(item, field, LINK, expected="url: and label: fields")
        if fields is None:
            continue
        url = check.url(item, fields, "url", field)
        label = french_spacing(check.text(item, fields, "label", field))
        if url and label:
            links[key] = _Link(id=key, url=url, label=label)
    if not declared:
        check.fail(node.line, "links", "no link", expected="at least one link with url: and label:")
    return links, declared


def read_contacts(check: Checker, node: Node | None) -> tuple[ContactGroup, ...]:
    groups: list[ContactGroup] = []
    seen: dict[str, int] = {}  # id → line
    for i, item in enumerate(check.sequence(node, "contacts", "a list of contact groups") or []):
        field = f"contacts[{i}]"
        fields = check.mapping(item, field, CONTACT)
        if fields is None:
            continue
        group_id = check.text(item, fields, "id", field)
        if group_id:
            line = fields["id"].line
            if not ID_RE.match(group_id):
                check.fail(
                    line,
                    f"{field}.id",
                    "not a valid id",
                    show(group_id),
                    "lower-case letters, digits, - or _",
                )
            elif group_id in seen:
                check.fail(
                    line,
                    f"{field}.id",
                    "duplicate id",
                    f"{group_id!r} again, first at line {seen[group_id]}",
                    "a different id for each group",
                )
            seen.setdefault(group_id, line)
        name = french_spacing(check.text(item, fields, "name", field))
        emails_node = check.get(item, fields, "emails", field)
        items = check.sequence(emails_node, f"{field}.emails", "a list of email addresses")
        emails = tuple(check.email(e, f"{field}.emails[{j}]") for j, e in enumerate(items or []))
        if emails_node is not None and items == []:
            check.fail(
                emails_node.line,
                f"{field}.emails",
                "no address",
                "an empty list",
                "at least one email address",
            )
        groups.append(ContactGroup(id=group_id, name=name, emails=emails))
    if node is not None and isinstance(node.value, list) and not node.value:
        check.fail(node.line, "contacts", "no contact group", "an empty list", "at least one group")
    return tuple(groups)


def _paragraph(check: Checker, node: Node, field: str, text: str, example: str) -> Paragraph:
    check.placeholders(node, field, text, ("example",))
    parts = split_bold(no_widow(french_spacing(text.strip().replace("{example}", example))))
    for part, bold in parts:
        if not bold and "**" in part:
            check.fail(node.line, field, "unclosed bold mark", show(text.strip()), "**bold** in pairs")
            break
    return tuple(Run(part, bold) for part, bold in parts)


def read_steps(
    check: Checker,
    node: Node | None,
    links: dict[str, _Link],
    declared: set[str],
    shared_label: str,
    shared_note: str,
    example: str,
) -> tuple[Step, ...]:
    steps: list[Step] = []
    drawn: dict[str, int] = {}  # url → number of the step that draws its code
    items = check.sequence(node, "steps", "a list of steps, each with heading: and text:")
    if items == []:
        assert node is not None
        check.fail(node.line, "steps", "no step", "an empty list", "at least one step")
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
        fields = check.mapping(item, field, STEP)
        if fields is None:
            continue
        heading = french_spacing(check.text(item, fields, "heading", field))
        texts = check.sequence(
            check.get(item, fields, "text", field),
            f"{field}.text",
            "a list of sentences, each on a line starting with -",
        )
        if texts == []:
            check.fail(
                fields["text"].line, f"{field}.text", "no sentence", "an empty list", "at least one sentence"
            )
        paragraphs: list[Paragraph] = []
        for j, t in enumerate(texts or []):
            sentence = check.text_value(t, f"{field}.text[{j}]")
            if sentence.strip():
                paragraphs.append(_paragraph(check, t, f"{field}.text[{j}]", sentence, example))
        show_contacts = False
        if "contacts" in fields:
            show_contacts = fields["contacts"].value is True
            if not isinstance(fields["contacts"].value, bool):
                check.fail(
                    fields["contacts"].line,
                    f"{field}.contacts",
                    "wrong type",
                    got(fields["contacts"].value),
                    "true or false",
                )
        qr = None
        link_node = check.get(item, fields, "link", field, required=False)
        if link_node is not None:
            link_id = link_node.value
            link = links.get(link_id) if isinstance(link_id, str) else None
            if link is None and not (isinstance(link_id, str) and link_id in declared):
                check.fail(
                    link_node.line,
                    f"{field}.link",
                    "unknown link",
                    show(link_id),
                    f"one of {', '.join(sorted(declared)) or 'the ids of the links section'}",
                )
            elif link is not None and link.url in drawn:
                # Right after the first sentence, which says what to open.
                note = _paragraph(
                    check,
                    link_node,
                    "links.shared_note",
                    shared_note.replace("{step}", str(drawn[link.url])),
                    example,
                )
                paragraphs.insert(min(1, len(paragraphs)), note)
            elif link is not None:
                # One code for several links with the same address takes the shared label.
                shared = len(users.get(link.url, [link.id])) > 1
                label = shared_label if shared and shared_label else link.label
                qr = QrCode(url=link.url, label=label)
                drawn[link.url] = i + 1
        steps.append(
            Step(
                number=i + 1,
                heading=heading,
                paragraphs=tuple(paragraphs),
                show_contacts=show_contacts,
                qr=qr,
            )
        )
    return tuple(steps)
