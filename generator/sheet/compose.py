"""compose(procedure, person) → Sheet: the one place that decides what a sheet says and in what order."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ..people.person import Person
from ..procedure.model import PersonalText, Procedure
from ..procedure.typography import french_spacing
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
NO_DATE = 946684800  # 2000-01-01, when neither SOURCE_DATE_EPOCH nor a data file gives a date


def compose(procedure: Procedure, person: Person | None = None) -> Sheet:
    """The flyer (``person`` None) or the personal sheet of ``person``."""
    page = compose_page(procedure)
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


def compose_page(procedure: Procedure) -> Page:
    """The part of every sheet of ``procedure`` that no person changes (composed once per date, then shared)."""
    return _compose_page(procedure, created(procedure.source))


@lru_cache(maxsize=8)
def _compose_page(procedure: Procedure, date: int) -> Page:
    meta = procedure.meta
    contacts = tuple(Contact(group.name, group.emails) for group in procedure.contacts)
    steps = tuple(
        StepBlock(
            number=step.number,
            heading=step.heading,
            sentences=step.paragraphs,
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
            numen_label=unbroken_parentheses(french_spacing(text.numen_label)),
            numen_note=french_spacing(text.numen_note),
        ),
        docx_font=procedure.docx.font,
    )


def personal_box(procedure: Procedure, person: Person) -> PersonalBox:
    """The person's lines of the personal box, with the box's fixed labels."""
    text = procedure.personal
    group = procedure.contact(person.manager)
    manager = f"{text.manager_note} {group.name}" if group else ""
    return PersonalBox(
        labels=compose_page(procedure).box_labels,
        first_name=person.first_name.strip(),
        family_name=person.last_name.strip(),
        identifier=person.identifier,
        homonym_note=french_spacing(text.homonym_note).replace("{identifier}", person.identifier)
        if HOMONYM in person.flags
        else "",
        manager=french_spacing(manager),
        birth_name=_birth_name_note(text, person),
    )


def _birth_name_note(text: PersonalText, person: Person) -> str:
    birth = person.birth_name.strip()
    if not birth or birth.casefold() == person.last_name.strip().casefold():
        return ""
    return f"({french_spacing(text.birth_name_label)} {birth})"
