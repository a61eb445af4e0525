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
    "NumenBoxes",
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
    created: (
        int  # the creation date (seconds since 1970): SOURCE_DATE_EPOCH, else the data file's last change
    )
    updated: str = ""  # the foot line, "Mis à jour le 07/12/2026"; "" when the data gives no wording


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
    # The address as a person types it: without "https://" (the link and the code keep the full URL).
    shown: str = ""
    continued: str = ""  # said after the first line when the address needs two: "(suite de l'adresse)"

    @property
    def typed(self) -> str:
        return self.shown or self.url


@dataclass(frozen=True)
class StepBlock:
    number: int
    heading: str
    sentences: tuple[Paragraph, ...]
    contacts: tuple[Contact, ...]  # the offices listed after the sentences; () for most steps
    qr: QrFigure | None  # the code drawn beside this step, if any
    # The code's address is printed after this many sentences ("… tapez l'adresse." then the address).
    address_after: int = 1


@dataclass(frozen=True)
class HelpBand:
    label: str
    phone: str
    hours: str
    note: str = ""  # who answers what else ("Pour obtenir le NUMEN : …")
    tel: str = ""  # the number as a link, "tel:+33516526686"


@dataclass(frozen=True)
class NumenBoxes:
    """The boxes a NUMEN is written in by hand: one a character, in the groups it is read in.

    Every writer draws these (PDF and DOCX alike): the shape is said here once.
    """

    groups: tuple[int, ...] = (2, 1, 7, 3)  # 2 digits, a letter, 7 digits, 3 letters
    width_mm: float = 6.0  # room for a ballpoint's letter
    height_mm: float = 8.0
    gap_mm: float = 1.5  # between two groups

    @property
    def count(self) -> int:
        return sum(self.groups)

    @property
    def total_mm(self) -> float:
        """The row's width, gaps included."""
        return self.count * self.width_mm + (len(self.groups) - 1) * self.gap_mm

    def lefts_mm(self) -> tuple[float, ...]:
        """The left edge of each box, from the row's left edge, the groups apart."""
        lefts: list[float] = []
        for index, size in enumerate(self.groups):
            start = sum(self.groups[:index])
            lefts += [(start + i) * self.width_mm + index * self.gap_mm for i in range(size)]
        return tuple(lefts)


@dataclass(frozen=True)
class BoxLabels:
    """The fixed texts of the personal box, the same for every person of a procedure."""

    heading: str
    identifier_label: str
    unsure_identifier_label: str  # instead of identifier_label when the identifier is a guess
    numen_label: str
    numen_note: str
    numen_boxes: NumenBoxes = NumenBoxes()  # where the NUMEN is written by hand


@dataclass(frozen=True)
class PersonalBox:
    """What the personal box shows of one person."""

    labels: BoxLabels
    first_name: str
    family_name: str
    identifier: str
    homonym_note: str  # only on the sheet of a person whose identifier collides in the roster; else ""
    manager: str  # "" when the roster names no managing office
    # "(nom de naissance : LEFÈVRE)" when the identifier comes from a birth
    # name the sheet would not otherwise show; "" otherwise.
    birth_name: str = ""
    # The words before the identifier: the labels' own, or the one saying the
    # identifier is to be confirmed when it is a guess ("" : the labels' own).
    identifier_label: str = ""
    # The homonym note in its styles (``**Homonyme :**`` bold); its text is ``homonym_note``.
    homonym_runs: Paragraph = ()

    @property
    def label(self) -> str:
        """What the box says before the identifier."""
        return self.identifier_label or self.labels.identifier_label

    @property
    def homonym_paragraph(self) -> Paragraph:
        """The homonym note as runs: the styled ones, else its plain text."""
        return self.homonym_runs or ((Run(self.homonym_note),) if self.homonym_note else ())


@dataclass(frozen=True)
class Page:
    """Everything that is the same on every sheet of one procedure: writers prepare it once."""

    info: DocumentInfo
    title: TitleBlock
    steps: tuple[StepBlock, ...]
    help: HelpBand
    box_labels: BoxLabels
    docx_font: str  # the font the DOCX names (its readers' own copy is used)
    # The page of personal sheets: its steps name the identifier at the top of
    # the sheet where the flyer gives the rule's example.
    personal: bool = False


@dataclass(frozen=True)
class Sheet:
    """One document: the page, and the personal box of a personal sheet (None for the flyer)."""

    page: Page
    box: PersonalBox | None
    title: str  # the document's title; a personal sheet's names its person
