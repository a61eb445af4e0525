"""compose(procedure, person) → Sheet: the one place that decides what a sheet says and in what order."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ..people.person import Person
from ..procedure.model import Paragraph, PersonalText, Procedure, Run, plain
from ..procedure.typography import french_spacing, split_bold
from .blocks import (
    BoxLabels,
    Contact,
    DocumentInfo,
    HelpBand,
    Page,
    PersonalBox,
    QrFigure,
    Sheet,
    StepBlock,
    TitleBlock,
)

HOMONYM = "homonym"  # the flag the roster gives persons whose identifiers collide
UNSURE = "unsure"  # the flag of a person whose identifier is a guess: their service confirms it
NO_DATE = 946684800  # 2000-01-01, when neither SOURCE_DATE_EPOCH nor a data file gives a date


def compose(procedure: Procedure, person: Person | None = None) -> Sheet:
    """The flyer (``person`` None) or the personal sheet of ``person``, each on its own page."""
    page = compose_page(procedure, personal=person is not None)
    if person is None:
        return Sheet(page, None, page.info.title)
    box = personal_box(procedure, person)
    # Names exactly as the roster writes them: no capitals forced (ß → SS and
    # i → I would change them).
    name = f"{box.first_name} {box.family_name}".strip()
    return Sheet(page, box, f"{procedure.meta.title} – {name}")


def created(source: Path | None, environ: Mapping[str, str] = os.environ) -> int:
    """The documents' date: SOURCE_DATE_EPOCH when set (reproducible builds), else the data file's last change."""
    value = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if value.isdigit():
        return int(value)
    try:
        return int(source.stat().st_mtime) if source is not None else NO_DATE
    except OSError:
        return NO_DATE


def unbroken_parentheses(text: str) -> str:
    """Spaces inside parentheses become no-break spaces: "(à recopier)" never breaks in two."""
    return re.sub(r"\([^()]*\)", lambda m: m.group(0).replace(" ", "\u00a0"), text)


def compose_page(procedure: Procedure, personal: bool = False) -> Page:
    """The part of every sheet of ``procedure`` that no person changes (composed once per date, then shared).

    The flyer's page (``personal`` False) and the personal sheets' page
    differ in what the steps say of the identifier: the flyer gives the
    rule and its example, a personal sheet points at its own identifier.
    A writer is built for one of them: give it the page of the sheets it writes.
    """
    return _compose_page(procedure, created(procedure.source), personal)


@lru_cache(maxsize=16)
def _compose_page(procedure: Procedure, date: int, personal: bool) -> Page:
    meta = procedure.meta
    contacts = tuple(Contact(group.name, group.emails) for group in procedure.contacts)
    steps = tuple(
        StepBlock(
            number=step.number,
            heading=step.heading,
            sentences=step.personal_paragraphs
            if personal and step.personal_paragraphs is not None
            else step.paragraphs,
            contacts=contacts if step.show_contacts else (),
            qr=QrFigure(
                url=step.qr.url,
                caption=step.qr.label,
                alt=step.qr.alt or step.qr.label,
                address_alt=f"{step.qr.label} : {step.qr.url}",
            )
            if step.qr is not None
            else None,
        )
        for step in procedure.steps
    )
    text = procedure.personal
    return Page(
        info=DocumentInfo(meta.title, meta.author, meta.subject, meta.language, procedure.source, date),
        title=TitleBlock(meta.audience, meta.title, meta.purpose),
        steps=steps,
        help=HelpBand(procedure.help.label, procedure.help.phone, procedure.help.hours),
        box_labels=BoxLabels(
            heading=french_spacing(text.heading),
            identifier_label=french_spacing(text.identifier_label),
            # May break inside its parentheses: the identifier then follows on its second line.
            unsure_identifier_label=french_spacing(text.unsure_identifier_label),
            numen_label=unbroken_parentheses(french_spacing(text.numen_label)),
            numen_note=french_spacing(text.numen_note),
        ),
        docx_font=procedure.docx.font,
        personal=personal,
    )


def personal_box(procedure: Procedure, person: Person) -> PersonalBox:
    """The person's lines of the personal box, with the box's fixed labels."""
    text = procedure.personal
    group = procedure.contact(person.manager)
    manager = f"{text.manager_note} {group.name}" if group else ""
    labels = compose_page(procedure, personal=True).box_labels
    note = _homonym_note(text, person.identifier) if HOMONYM in person.flags else ()
    return PersonalBox(
        labels=labels,
        first_name=person.first_name.strip(),
        family_name=person.last_name.strip(),
        identifier=person.identifier,
        homonym_note=plain(note),
        manager=french_spacing(manager),
        birth_name=_birth_name_note(text, person),
        identifier_label=labels.unsure_identifier_label
        if UNSURE in person.flags
        else labels.identifier_label,
        homonym_runs=note,
    )


def _homonym_note(text: PersonalText, identifier: str) -> Paragraph:
    """The homonym note in runs, ``{identifier}`` filled after the bold marks are read (an identifier is text)."""
    parts = split_bold(french_spacing(text.homonym_note))
    return tuple(Run(part.replace("{identifier}", identifier), bold) for part, bold in parts)


def _birth_name_note(text: PersonalText, person: Person) -> str:
    birth = person.birth_name.strip()
    if not birth or birth.casefold() == person.last_name.strip().casefold():
        return ""
    return f"({french_spacing(text.birth_name_label)} {birth})"
