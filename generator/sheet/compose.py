"""compose(procedure, person) → Sheet: the one place that decides what a sheet says and in what order."""

from __future__ import annotations

import datetime
import os
import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

from ..people.person import Person
from ..procedure.model import Paragraph, PersonalText, Procedure, QrCode, Run, plain
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
    manager = person.manager if person is not None and procedure.contact(person.manager) else ""
    page = compose_page(procedure, personal=person is not None, manager=manager)
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


def compose_page(procedure: Procedure, personal: bool = False, manager: str = "") -> Page:
    """The part of every sheet of ``procedure`` that no person changes (composed once per date, then shared).

    The flyer's page (``personal`` False) and the personal sheets' page
    differ in what the steps say of the identifier: the flyer gives the
    rule and its example, a personal sheet points at its own identifier.
    A writer is built for one of them: give it the page of the sheets it writes.
    ``manager`` (a contact id) makes the page of that office's people: its
    step 1 names only their own office (a handful of pages per run at most).
    """
    return _compose_page(procedure, created(procedure.source), personal, manager)


def tel_link(phone: str) -> str:
    """``05 16 52 66 86`` → ``tel:+33516526686``: the international form phones dial from anywhere."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    if digits.startswith("0") and len(digits) == 10:  # a French national number
        return f"tel:+33{digits[1:]}"
    return f"tel:{digits}"


def updated_line(procedure: Procedure, date: int) -> str:
    """ "Mis à jour le 07/12/2026": ``document.updated``, else the documents' date."""
    label = procedure.meta.updated_label
    if not label:
        return ""
    day = procedure.meta.updated or datetime.datetime.fromtimestamp(date, datetime.UTC).date()
    return label.replace("{date}", day.strftime("%d/%m/%Y"))


def _qr_figure(procedure: Procedure, code: QrCode) -> QrFigure:
    shown = re.sub(r"^https?://", "", code.url)
    return QrFigure(
        url=code.url,
        caption=code.label,
        alt=code.alt or code.label,
        address_alt=f"{code.label} : {code.url}",
        shown=shown,
        continued=procedure.address_continues,
    )


@lru_cache(maxsize=32)
def _compose_page(procedure: Procedure, date: int, personal: bool, manager: str = "") -> Page:
    meta = procedure.meta
    contacts = tuple(
        Contact(group.name, group.emails)
        for group in procedure.contacts
        if not manager or group.id == manager
    )
    steps = tuple(
        StepBlock(
            number=step.number,
            heading=step.heading,
            sentences=step.personal_paragraphs
            if personal and step.personal_paragraphs is not None
            else step.paragraphs,
            contacts=contacts if step.show_contacts else (),
            qr=_qr_figure(procedure, step.qr) if step.qr is not None else None,
        )
        for step in procedure.steps
    )
    text = procedure.personal
    return Page(
        info=DocumentInfo(
            meta.title,
            meta.author,
            meta.subject,
            meta.language,
            procedure.source,
            date,
            updated_line(procedure, date),
        ),
        title=TitleBlock(meta.audience, meta.title, meta.purpose),
        steps=steps,
        help=HelpBand(
            procedure.help.label,
            procedure.help.phone,
            procedure.help.hours,
            procedure.help.note,
            tel_link(procedure.help.phone),
        ),
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
    # Step 1 of this person's page names their office alone: the box does not say it twice,
    # unless step 1 lists no office at all.
    named_in_steps = any(step.show_contacts for step in procedure.steps)
    manager = f"{text.manager_note} {group.name}" if group and not named_in_steps else ""
    labels = compose_page(procedure, personal=True).box_labels
    # Said once: an identifier to be confirmed by the service is confirmed with its digit, if any;
    # the homonym note would ask the reader to check it a second time, on two more lines.
    homonym = HOMONYM in person.flags and UNSURE not in person.flags
    note = _homonym_note(text, person.identifier) if homonym else ()
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
