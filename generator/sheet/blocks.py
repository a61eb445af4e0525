"""The blocks of a sheet: a format-neutral tree that says everything a page says, in reading order.

A writer (PDF, DOCX) takes a ``Sheet`` and only serialises it: every text
here is final (French typography applied, placeholders filled), and the
order of the blocks is the order of the page.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..procedure.model import Paragraph, Run, plain

__all__ = [
    "BoxLabels",
    "Contact",
    "DocumentInfo",
    "HelpBand",
    "Page",
    "Paragraph",
    "PersonalBox",
    "QrFigure",
    "Run",
    "Sheet",
    "StepBlock",
    "TitleBlock",
    "plain",
]


@dataclass(frozen=True)
class DocumentInfo:
    """What the file says about itself (its properties), and where its content came from."""

    title: str
    author: str
    subject: str
    language: str
    source: Path | None  # the procedure file, named when the page does not fit


@dataclass(frozen=True)
class TitleBlock:
    audience: str
    title: str
    purpose: str  # "" when the procedure gives none


@dataclass(frozen=True)
class Contact:
    """A managing office and its addresses."""

    name: str
    emails: tuple[str, ...]


@dataclass(frozen=True)
class QrFigure:
    """A QR code beside its step, with the caption under it and what it says to a screen reader."""

    url: str
    caption: str
    alt: str  # the picture's alternative text
    address_alt: str  # the printed address, as a screen reader says it


@dataclass(frozen=True)
class StepBlock:
    number: int
    heading: str
    sentences: tuple[Paragraph, ...]
    contacts: tuple[Contact, ...]  # the offices listed after the sentences; () for most steps
    qr: QrFigure | None  # the code drawn beside this step, if any


@dataclass(frozen=True)
class HelpBand:
    label: str
    phone: str
    hours: str


@dataclass(frozen=True)
class BoxLabels:
    """The fixed texts of the personal box, the same for every person of a procedure."""

    heading: str
    identifier_label: str
    numen_label: str
    numen_note: str


@dataclass(frozen=True)
class PersonalBox:
    """What the personal box shows of one person."""

    labels: BoxLabels
    first_name: str
    family_name: str
    identifier: str
    homonym_note: str
    manager: str  # "" when the roster names no managing office
    # "(nom de naissance : LEFÈVRE)" when the identifier comes from a birth
    # name the sheet would not otherwise show; "" otherwise.
    birth_name: str = ""


@dataclass(frozen=True)
class Page:
    """Everything that is the same on every sheet of one procedure: writers prepare it once."""

    info: DocumentInfo
    title: TitleBlock
    steps: tuple[StepBlock, ...]
    help: HelpBand
    box_labels: BoxLabels
    docx_font: str  # the font the DOCX names (its readers' own copy is used)


@dataclass(frozen=True)
class Sheet:
    """One document: the page, and the personal box of a personal sheet (None for the flyer)."""

    page: Page
    box: PersonalBox | None
    title: str  # the document's title; a personal sheet's names its person
