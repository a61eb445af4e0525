"""The sections of a procedure that refer to each other: links, contacts and the steps that use them."""

from __future__ import annotations

from collections.abc import Mapping as AnyMapping
from dataclasses import dataclass, field

from ..i18n import _
from .checker import ID_RE, Checker
from .model import ContactGroup, Paragraph, QrCode, Run, Step
from .typography import french_spacing, no_widow, split_bold
from .yaml_lines import Mapping, Node, got, show

LINK = ("url", "label")
LINKS_OPTIONS = ("shared_label", "shared_note", "qr_alt", "address_continues")
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
        fields = check.mapping(item, field, LINK, expected=_("url: and label: fields"))
        if fields is None:
            continue
        url = check.url(item, fields, "url", field)
        label = french_spacing(check.text(item, fields, "label", field))
        if url and label:
            links[key] = _Link(id=key, url=url, label=label)
    if not declared:
        check.fail(node.line, "links", _("no link"), expected=_("at least one link with url: and label:"))
    return links, declared


def read_contacts(check: Checker, node: Node | None) -> tuple[ContactGroup, ...]:
    groups: list[ContactGroup] = []
    seen: dict[str, int] = {}  # id → line
    for i, item in enumerate(check.sequence(node, "contacts", _("a list of contact groups")) or []):
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
                    _("not a valid id"),
                    show(group_id),
                    _("lower-case letters, digits, - or _"),
                )
            elif group_id in seen:
                check.fail(
                    line,
                    f"{field}.id",
                    _("duplicate id"),
                    _("{id} again, first at line {line}").format(id=repr(group_id), line=seen[group_id]),
                    _("a different id for each group"),
                )
            seen.setdefault(group_id, line)
        name = french_spacing(check.text(item, fields, "name", field))
        emails_node = check.get(item, fields, "emails", field)
        items = check.sequence(emails_node, f"{field}.emails", _("a list of email addresses"))
        emails = tuple(check.email(e, f"{field}.emails[{j}]") for j, e in enumerate(items or []))
        if emails_node is not None and items == []:
            check.fail(
                emails_node.line,
                f"{field}.emails",
                _("no address"),
                _("an empty list"),
                _("at least one email address"),
            )
        groups.append(ContactGroup(id=group_id, name=name, emails=emails))
    if node is not None and isinstance(node.value, list) and not node.value:
        check.fail(node.line, "contacts", _("no contact group"), _("an empty list"), _("at least one group"))
    return tuple(groups)


# What a step sentence may name: the example's identifier, and the rule in words.
STEP_PLACEHOLDERS = ("example", "rule")


@dataclass(frozen=True)
class Fills:
    """What the placeholders of step sentences become on the flyer and on a personal sheet."""

    flyer: AnyMapping[str, str]
    personal: AnyMapping[str, str]


def _filled(text: str, fills: AnyMapping[str, str]) -> str:
    for name, value in fills.items():
        text = text.replace("{" + name + "}", value)
    return text


def _paragraph(check: Checker, node: Node, field: str, text: str, fills: AnyMapping[str, str]) -> Paragraph:
    """One sentence, placeholders filled, French spacing applied, ``**bold**`` marks turned into runs."""
    parts = split_bold(no_widow(french_spacing(_filled(text.strip(), fills))))
    for part, bold in parts:
        if field and not bold and "**" in part:  # no field: a second reading, already reported
            check.fail(node.line, field, _("unclosed bold mark"), show(text.strip()), _("**bold** in pairs"))
            break
    return tuple(Run(part, bold) for part, bold in parts)


def read_steps(
    check: Checker,
    node: Node | None,
    links: dict[str, _Link],
    declared: set[str],
    shared_label: str,
    shared_note: str,
    fills: Fills,
) -> tuple[Step, ...]:
    items = check.sequence(node, "steps", _("a list of steps, each with heading: and text:"))
    if items == []:
        assert node is not None
        check.fail(node.line, "steps", _("no step"), _("an empty list"), _("at least one step"))
    items = items or []
    # Which links share an address decides the label of their one code.
    users: dict[str, list[str]] = {}
    for item in items:
        link_node = item.value.get("link") if isinstance(item.value, dict) else None
        link = links.get(link_node.value) if link_node and isinstance(link_node.value, str) else None
        if link and link.id not in users.setdefault(link.url, []):
            users[link.url].append(link.id)
    reader = _StepReader(check, links, declared, shared_label, shared_note, fills, users)
    steps = (reader.step(i, item) for i, item in enumerate(items))
    return tuple(step for step in steps if step is not None)


@dataclass
class _StepReader:
    """Reads the steps in order: a link's code is drawn in the first step that names its address."""

    check: Checker
    links: dict[str, _Link]
    declared: set[str]
    shared_label: str
    shared_note: str
    fills: Fills
    users: dict[str, list[str]]  # url → the ids of the links with that address
    drawn: dict[str, int] = field(default_factory=dict)  # url → number of the step that draws its code

    def step(self, i: int, item: Node) -> Step | None:
        check, name = self.check, f"steps[{i}]"
        fields = check.mapping(item, name, STEP)
        if fields is None:
            return None
        heading = french_spacing(check.text(item, fields, "heading", name))
        texts = check.sequence(
            check.get(item, fields, "text", name),
            f"{name}.text",
            _("a list of sentences, each on a line starting with -"),
        )
        if texts == []:
            check.fail(
                fields["text"].line,
                f"{name}.text",
                _("no sentence"),
                _("an empty list"),
                _("at least one sentence"),
            )
        paragraphs, personal = _sentences(check, texts or [], f"{name}.text", self.fills)
        show_contacts = self._contacts(fields, name)
        qr = None
        link_node = check.get(item, fields, "link", name, required=False)
        if link_node is not None:
            qr, note = self._link(i, link_node, name)
            if note:
                # Right after the first sentence, which says what to open.
                paragraphs.insert(min(1, len(paragraphs)), note)
                personal.insert(min(1, len(personal)), note)
        return Step(
            number=i + 1,
            heading=heading,
            paragraphs=tuple(paragraphs),
            personal_paragraphs=tuple(personal) if personal != paragraphs else None,
            show_contacts=show_contacts,
            qr=qr,
        )

    def _contacts(self, fields: Mapping, name: str) -> bool:
        if "contacts" not in fields:
            return False
        value = fields["contacts"].value
        if not isinstance(value, bool):
            self.check.fail(
                fields["contacts"].line, f"{name}.contacts", _("wrong type"), got(value), _("true or false")
            )
        return value is True

    def _link(self, i: int, link_node: Node, name: str) -> tuple[QrCode | None, Paragraph]:
        """The code this step draws, or the note saying which step has it (``()`` when none)."""
        link_id = link_node.value
        link = self.links.get(link_id) if isinstance(link_id, str) else None
        if link is None and not (isinstance(link_id, str) and link_id in self.declared):
            self.check.fail(
                link_node.line,
                f"{name}.link",
                _("unknown link"),
                show(link_id),
                _("one of {choices}").format(
                    choices=", ".join(sorted(self.declared)) or _("the ids of the links section")
                ),
            )
        if link is None:
            return None, ()
        if link.url in self.drawn:
            text = self.shared_note.replace("{step}", str(self.drawn[link.url]))
            return None, _paragraph(self.check, link_node, "links.shared_note", text, self.fills.flyer)
        # One code for several links with the same address takes the shared label.
        shared = len(self.users.get(link.url, [link.id])) > 1
        label = self.shared_label if shared and self.shared_label else link.label
        self.drawn[link.url] = i + 1
        return QrCode(url=link.url, label=label), ()


def _sentences(
    check: Checker, texts: list[Node], field: str, fills: Fills
) -> tuple[list[Paragraph], list[Paragraph]]:
    """A step's sentences as the flyer says them, and as a personal sheet says them."""
    flyer: list[Paragraph] = []
    personal: list[Paragraph] = []
    for j, t in enumerate(texts):
        sentence = check.text_value(t, f"{field}[{j}]")
        if sentence.strip():
            check.placeholders(t, f"{field}[{j}]", sentence, STEP_PLACEHOLDERS)
            flyer.append(_paragraph(check, t, f"{field}[{j}]", sentence, fills.flyer))
            personal.append(
                flyer[-1] if "{" not in sentence else _paragraph(check, t, "", sentence, fills.personal)
            )
    return flyer, personal
