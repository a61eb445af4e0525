"""The validated, immutable model every renderer draws from.

Everything a renderer shows is decided here: French spacing is applied, the
example identifier is filled in, each distinct address gets one QR code, and
a step whose address already has a code says where to find it. A renderer
only lays out what it is given.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Run:
    """A piece of text in one style."""

    text: str
    bold: bool = False


Paragraph = tuple[Run, ...]


def plain(paragraph: Paragraph) -> str:
    """The text of a paragraph without its styles."""
    return "".join(run.text for run in paragraph)


@dataclass(frozen=True)
class Meta:
    audience: str
    title: str
    purpose: str
    author: str
    subject: str
    language: str = "fr-FR"


@dataclass(frozen=True)
class Link:
    id: str
    url: str
    label: str


@dataclass(frozen=True)
class QrCode:
    """One code per distinct address; ``label`` says what it opens."""

    url: str
    label: str
    link_ids: tuple[str, ...]
    alt: str = ""  # what a screen reader says of the picture


@dataclass(frozen=True)
class ContactGroup:
    id: str
    name: str
    emails: tuple[str, ...]


@dataclass(frozen=True)
class Step:
    number: int
    heading: str
    paragraphs: tuple[Paragraph, ...]
    show_contacts: bool = False
    link: Link | None = None
    # The code drawn beside this step, or None when the step has no link or
    # its address already has a code in an earlier step.
    qr: QrCode | None = None


@dataclass(frozen=True)
class HelpLine:
    label: str
    phone: str
    hours: str


@dataclass(frozen=True)
class IdentifierRule:
    """Options of the identifier rule (see ``identifiers.py``)."""

    initial: str = "first-letter"
    family_name: str = "birth-name-first"
    joiner: str = ""
    word_separator: str = "-"
    example_first_name: str = "Marie"
    example_last_name: str = "Dupont"


@dataclass(frozen=True)
class PersonalText:
    heading: str
    identifier_label: str
    homonym_note: str
    numen_label: str
    numen_note: str
    manager_note: str
    birth_name_label: str = "nom de naissance :"


# What an email subject or body may name; mail.py fills exactly these.
EMAIL_PLACEHOLDERS = ("first_name", "last_name", "identifier", "help_phone", "help_hours", "sender_name")


@dataclass(frozen=True)
class EmailTemplate:
    sender: str
    sender_name: str
    subject: str
    body: str


@dataclass(frozen=True)
class DocxOptions:
    font: str = "Arial"


@dataclass(frozen=True)
class Procedure:
    meta: Meta
    links: dict[str, Link]
    qr_codes: tuple[QrCode, ...]
    contacts: tuple[ContactGroup, ...]
    steps: tuple[Step, ...]
    help: HelpLine
    identifier: IdentifierRule
    personal: PersonalText
    email: EmailTemplate
    docx: DocxOptions = field(default_factory=DocxOptions)
    source: Path | None = None

    def contact(self, contact_id: str | None) -> ContactGroup | None:
        for group in self.contacts:
            if group.id == contact_id:
                return group
        return None


@dataclass(frozen=True)
class Person:
    """A new staff member; ``identifier`` is final (given or computed)."""

    first_name: str
    last_name: str
    identifier: str
    birth_name: str = ""
    email: str = ""
    manager: str = ""
    row: int | None = None
    flags: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """``Marie-Hélène DUPONT``: family name in capitals, as French forms do."""
        return f"{self.first_name} {self.last_name.upper()}".strip()


@dataclass(frozen=True)
class PersonalBox:
    """What the personal box shows, decided once for both renderers."""

    heading: str
    name: str
    first_name: str
    family_name: str
    identifier_label: str
    identifier: str
    homonym_note: str
    numen_label: str
    numen_note: str
    manager: str  # "" when the roster names no managing office
    # "(nom de naissance : LEFÈVRE)" when the identifier comes from a birth
    # name the sheet would not otherwise show; "" otherwise.
    birth_name: str = ""


def personal_box(procedure: Procedure, person: Person) -> PersonalBox:
    from .typography import french_spacing

    text = procedure.personal
    group = procedure.contact(person.manager)
    manager = f"{text.manager_note} {group.name}" if group else ""
    return PersonalBox(
        heading=french_spacing(text.heading),
        name=person.display_name,
        first_name=person.first_name.strip(),
        family_name=person.last_name.strip().upper(),
        identifier_label=french_spacing(text.identifier_label),
        identifier=person.identifier,
        homonym_note=french_spacing(text.homonym_note).replace("{identifier}", person.identifier),
        numen_label=french_spacing(text.numen_label),
        numen_note=french_spacing(text.numen_note),
        manager=french_spacing(manager),
        birth_name=_birth_name_note(text, person),
    )


def _birth_name_note(text: PersonalText, person: Person) -> str:
    from .typography import french_spacing

    birth = person.birth_name.strip()
    if not birth or birth.upper() == person.last_name.strip().upper():
        return ""
    return f"({french_spacing(text.birth_name_label)} {birth.upper()})"
