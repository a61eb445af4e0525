"""compose(procedure, person) → Sheet: the one place that decides what a sheet says and in what order."""

from __future__ import annotations

from functools import lru_cache

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


def compose(procedure: Procedure, person: Person | None = None) -> Sheet:
    """The flyer (``person`` None) or the personal sheet of ``person``."""
    page = compose_page(procedure)
    if person is None:
        return Sheet(page, None, page.info.title)
    return Sheet(page, personal_box(procedure, person), f"{procedure.meta.title} – {person.display_name}")


@lru_cache(maxsize=8)
def compose_page(procedure: Procedure) -> Page:
    """The part of every sheet of ``procedure`` that no person changes (composed once, then shared)."""
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
        info=DocumentInfo(meta.title, meta.author, meta.subject, meta.language, procedure.source),
        title=TitleBlock(meta.audience, meta.title, meta.purpose),
        steps=steps,
        help=HelpBand(procedure.help.label, procedure.help.phone, procedure.help.hours),
        box_labels=BoxLabels(
            heading=french_spacing(text.heading),
            identifier_label=french_spacing(text.identifier_label),
            numen_label=french_spacing(text.numen_label),
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
        family_name=person.last_name.strip().upper(),
        identifier=person.identifier,
        homonym_note=french_spacing(text.homonym_note).replace("{identifier}", person.identifier),
        manager=french_spacing(manager),
        birth_name=_birth_name_note(text, person),
    )


def _birth_name_note(text: PersonalText, person: Person) -> str:
    birth = person.birth_name.strip()
    if not birth or birth.upper() == person.last_name.strip().upper():
        return ""
    return f"({french_spacing(text.birth_name_label)} {birth.upper()})"
