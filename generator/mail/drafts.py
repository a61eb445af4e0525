"""Email drafts (.eml): the message to one person with their sheet attached, marked unsent."""

from __future__ import annotations

import re
from collections.abc import Mapping
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import DeliveryError
from ..i18n import _
from ..output import atomic_write
from ..people.person import Person
from ..procedure.model import Procedure
from ..render.html import sheet_html, sheet_text
from ..sheet.compose import compose
from .headers import UNSENT, Meant, one_line, prove, refuse_encoded_words

if TYPE_CHECKING:
    from .settings import MailSettings

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Values that are phrases, not names: written lower-case inside a sentence's
# parentheses ("05 16 52 66 86 (du lundi au vendredi…)"). Names never change.
PHRASES = frozenset({"help_hours"})


# --- building ----------------------------------------------------------------


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each known ``{name}`` replaced, in one pass.

    Unknown ``{…}`` stay as they are, and a value is never read again as a
    template: a first name ``{identifier}`` stays literal. A phrase placed
    after "(" mid-sentence starts lower-case (see ``_in_sentence``).
    """

    def value(m: re.Match[str]) -> str:
        text = values.get(m.group(1), m.group(0))
        if m.group(1) in PHRASES and _after_parenthesis_mid_sentence(m.string, m.start()):
            return _in_sentence(text)
        return text

    return _PLACEHOLDER.sub(value, template)


def _after_parenthesis_mid_sentence(template: str, start: int) -> bool:
    before = template[:start]
    if not before.endswith("("):
        return False
    rest = before[:-1].rstrip()
    gap = before[len(rest) : -1]
    # Start of the text, of a paragraph, or after a full stop: a sentence begins there.
    return bool(rest) and rest[-1] not in ".!?…" and gap.count("\n") < 2


def _in_sentence(text: str) -> str:
    """``Du lundi…`` becomes ``du lundi…``: the first letter lower-case, unless the word is in capitals (ENT)."""
    word = text.split(" ", 1)[0]
    lower = word[:1].lower()
    # İ lower-cases to two code points (i and a dot): left as written rather than changed.
    if not word[:1].isupper() or word[1:2].isupper() or len(lower) != 1:
        return text
    return lower + text[1:]


def _address(name: str, addr: str, what: str) -> Address:
    addr = addr.strip()
    try:
        address = Address(display_name=one_line(name), addr_spec=addr)
    except (ValueError, IndexError) as exc:
        raise DeliveryError(
            _("{what}: not an email address: {address} ({reason})").format(
                what=what, address=repr(addr), reason=exc
            )
        ) from None
    if not address.username or not address.domain:
        raise DeliveryError(
            _("{what}: expected an email address like name@example.fr, got {address}").format(
                what=what, address=repr(addr)
            )
        )
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


def build_message(
    procedure: Procedure,
    person: Person,
    pdf: bytes,
    pdf_name: str,
    *,
    settings: MailSettings | None = None,
) -> EmailMessage:
    """The message to ``person``: the letter and the whole procedure (HTML and text), their PDF attached.

    multipart/mixed (multipart/alternative (text/plain, text/html), the PDF).
    Both bodies are written from ``compose(procedure, person)``, the Sheet the
    PDF is drawn from. With ``settings`` the From is the settings' sender (and
    name) and the Reply-To theirs; without, the procedure's. Marked unsent
    (X-Unsent) and its headers read back before it is returned (``headers.prove``).
    Raises DeliveryError when the person has no usable address, or when a
    name or the subject would not come back as written.
    """
    # Never the name: an error may be printed or shown, and a refused name is what it is about.
    where = _("row {row}").format(row=person.row) if person.row is not None else _("the person")
    if not person.email.strip():
        raise DeliveryError(
            _("{where}: no email address for {name}").format(where=where, name=person.display_name)
        )
    values = _values(procedure, person)
    _refuse_encoded_words(procedure, person, values, where)
    message, meant = _headed(procedure, person, values, where, settings)
    letter = fill(procedure.email.body, values)
    sheet = compose(procedure, person)
    # Quoted-printable keeps every line 7-bit and short, whatever the relay.
    message.set_content(sheet_text(sheet, letter), cte="quoted-printable")
    message.add_alternative(sheet_html(sheet, letter), subtype="html", cte="quoted-printable")
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=Path(pdf_name).name)
    prove(message, meant, where, person.row)
    return message


# The field each value of a subject comes from, as the data file or the roster names it.
_SOURCES = {
    "identifier": "identifier",
    "help_phone": "help.phone",
    "help_hours": "help.hours",
    "sender_name": "email.sender_name",
}


def _refuse_encoded_words(
    procedure: Procedure, person: Person, values: Mapping[str, str], where: str
) -> None:
    """Every value a header is made of, checked for ``=?`` (the names, the sender, the subject and its values)."""
    template = procedure.email
    fields = {
        "first": (_("first name"), person.first_name),
        "last": (_("last name"), person.last_name),
        "email.sender_name": ("email.sender_name", template.sender_name),
        "email.subject": ("email.subject", template.subject),
    }
    for name in _PLACEHOLDER.findall(template.subject):
        if name in _SOURCES:
            fields.setdefault(_SOURCES[name], (_SOURCES[name], values[name]))
    refuse_encoded_words(fields, where, person.row)


def _headed(
    procedure: Procedure,
    person: Person,
    values: Mapping[str, str],
    where: str,
    settings: MailSettings | None = None,
) -> tuple[EmailMessage, Meant]:
    """The message with its headers, each built from data, and what they must read back as."""
    template = procedure.email
    # Lines up to RFC 5322's 998 characters: no header of ours is folded, so no encoded word is
    # cut inside a word (Python's folding can put a name's space where a mail program drops it).
    message = EmailMessage(policy=policy.default.clone(max_line_length=998))
    sender = None
    address_from = settings.sender if settings is not None else template.sender
    name_from = (
        (settings.sender_name or template.sender_name) if settings is not None else template.sender_name
    )
    if address_from:
        address = _address(name_from, address_from, "sender" if settings is not None else "email.sender")
        message["From"] = address
        sender = (address.display_name, address.addr_spec)
    to = _address(person.display_name, person.email, _("{where}: email").format(where=where))
    message["To"] = to
    reply_to = None
    if settings is not None and settings.reply_to:
        reply = _address("", settings.reply_to, "reply_to")
        message["Reply-To"] = reply
        reply_to = (reply.display_name, reply.addr_spec)
    subject = one_line(fill(template.subject, values))
    message["Subject"] = subject
    message["Date"] = formatdate(localtime=False)
    domain = address_from.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message[UNSENT] = "1"
    return message, Meant(
        to=(to.display_name, to.addr_spec), sender=sender, subject=subject, reply_to=reply_to
    )


def attachment_name(person: Person) -> str:
    """The file name of the attached sheet, e.g. ``fiche-messagerie-mdupont.pdf``."""
    return f"fiche-messagerie-{person.identifier}.pdf"


def write_draft(path: Path, message: EmailMessage, *, durable: bool = True) -> None:
    """Write ``message`` as an .eml file (CRLF lines), atomically; a symlink there is replaced, never followed."""
    data = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    with atomic_write(Path(path), durable=durable) as stream:
        stream.write(data)
