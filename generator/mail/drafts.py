"""Email drafts (.eml): the message to one person with their sheet attached, marked unsent."""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path

from ..errors import DeliveryError
from ..people.person import Person
from ..procedure.model import Procedure
from ..run.output import atomic_write

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# CR, LF and other control characters in a header would start a new header
# (header injection) or be refused by the email package: fold them to spaces.
CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Outlook opens a message carrying this header as an unsent draft.
UNSENT = "X-Unsent"


# --- building ----------------------------------------------------------------


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each known ``{name}`` replaced, in one pass.

    Unknown ``{…}`` stay as they are, and a value is never read again as a
    template: a first name ``{identifier}`` stays literal.
    """
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def one_line(text: str) -> str:
    return " ".join(CONTROL.sub(" ", text).split())


def _address(name: str, addr: str, what: str) -> Address:
    addr = addr.strip()
    try:
        address = Address(display_name=one_line(name), addr_spec=addr)
    except (ValueError, IndexError) as exc:
        raise DeliveryError(f"{what}: not an email address: {addr!r} ({exc})") from None
    if not address.username or not address.domain:
        raise DeliveryError(f"{what}: expected an email address like name@example.fr, got {addr!r}")
    return address


def _values(procedure: Procedure, person: Person) -> dict[str, str]:
    # Keep in step with procedure/model.py EMAIL_PLACEHOLDERS, which the schema checks the templates against.
    return {
        "first_name": person.first_name,
        "last_name": person.last_name,
        "identifier": person.identifier,
        "help_phone": procedure.help.phone,
        "help_hours": procedure.help.hours,
        "sender_name": procedure.email.sender_name,
    }


def _html(text: str, lang: str) -> str:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    body = "\n".join(
        "<p>" + "<br>\n".join(html.escape(line) for line in p.splitlines()) + "</p>" for p in paragraphs
    )
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}">\n<head><meta charset="utf-8"></head>\n'
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def build_message(procedure: Procedure, person: Person, pdf: bytes, pdf_name: str) -> EmailMessage:
    """The draft for ``person``: text and HTML body, their PDF attached, marked unsent.

    Raises DeliveryError when the person has no usable address.
    """
    where = f"row {person.row}" if person.row is not None else person.display_name
    if not person.email.strip():
        raise DeliveryError(f"{where}: no email address for {person.display_name}")
    template = procedure.email
    values = _values(procedure, person)

    message = EmailMessage(policy=policy.default)
    if template.sender:
        message["From"] = _address(template.sender_name, template.sender, "email.sender")
    message["To"] = _address(person.display_name, person.email, f"{where}: email")
    message["Subject"] = one_line(fill(template.subject, values))
    message["Date"] = formatdate(localtime=False)
    domain = template.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message[UNSENT] = "1"

    text = fill(template.body, values)
    # Quoted-printable keeps every line 7-bit and short, whatever the relay.
    message.set_content(text, cte="quoted-printable")
    message.add_alternative(_html(text, procedure.meta.language), subtype="html", cte="quoted-printable")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=Path(pdf_name).name)
    return message


def attachment_name(person: Person) -> str:
    """The file name of the attached sheet, e.g. ``fiche-messagerie-mdupont.pdf``."""
    return f"fiche-messagerie-{person.identifier}.pdf"


def write_draft(path: Path, message: EmailMessage) -> None:
    """Write ``message`` as an .eml file (CRLF lines), atomically."""
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    with atomic_write(Path(path)) as stream:
        stream.write(data)
