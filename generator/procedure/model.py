"""The validated, immutable procedure: what the YAML says, once checked.

French spacing is applied, the example identifier is filled in, each
distinct address gets one QR code, and a step whose address already has a
code says where to find it. ``sheet.compose`` turns it into a sheet.
"""

from __future__ import annotations

import datetime
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
    # ``document.updated``: the day the procedure was last revised (None: the data file's date).
    updated: datetime.date | None = None
    # The foot of the sheet, ``{date}`` filled: old sheets can be told from new ones.
    updated_label: str = ""


@dataclass(frozen=True)
class QrCode:
    """One code per distinct address; ``label`` says what it opens."""

    url: str
    label: str
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
    # The sentences as a personal sheet says them, when they differ ({rule} names the
    # identifier at the top of the sheet rather than the example's); None: the same.
    personal_paragraphs: tuple[Paragraph, ...] | None = None
    show_contacts: bool = False
    # The code drawn beside this step, or None when the step has no link or
    # its address already has a code in an earlier step.
    qr: QrCode | None = None


@dataclass(frozen=True)
class HelpLine:
    label: str
    phone: str
    hours: str
    note: str = ""  # who answers what else ("Pour le NUMEN : …"); "" for none


@dataclass(frozen=True)
class IdentifierRule:
    """Options of the identifier rule (see ``procedure/identifiers.py``); the defaults are the seed's rule."""

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
    unsure_identifier_label: str  # for a person whose identifier is a guess (flag "unsure")
    homonym_note: str
    numen_label: str
    numen_note: str
    manager_note: str
    birth_name_label: str


# What an email subject or body may name; mail/drafts.py fills exactly these.
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
    qr_codes: tuple[QrCode, ...]
    contacts: tuple[ContactGroup, ...]
    steps: tuple[Step, ...]
    help: HelpLine
    identifier: IdentifierRule
    personal: PersonalText
    email: EmailTemplate
    docx: DocxOptions = field(default_factory=DocxOptions)
    source: Path | None = None
    # Said after the first line of an address too long for one line ("(suite de l'adresse)").
    address_continues: str = ""

    def contact(self, contact_id: str | None) -> ContactGroup | None:
        for group in self.contacts:
            if group.id == contact_id:
                return group
        return None
