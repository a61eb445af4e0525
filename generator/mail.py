"""Email drafts (.eml) with the personal sheet, and sending them through SMTP."""

from __future__ import annotations

import argparse
import csv
import html
import io
import os
import re
import smtplib
import ssl
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import formatdate, make_msgid
from pathlib import Path

from .errors import DeliveryError
from .model import Person, Procedure
from .output import atomic_write

MANIFEST = "manifest.csv"
SENT_LOG = "sent.csv"
SENT_FIELDS = ("eml", "recipient", "sent_at", "message_id")
TIMEOUT = 30  # seconds; an office SMTP relay that does not answer in that time is down

_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# CR, LF and other control characters in a header would start a new header
# (header injection) or be refused by the email package: fold them to spaces.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")
# Outlook opens a message carrying this header as an unsent draft.
_UNSENT = "X-Unsent"


# --- building ----------------------------------------------------------------


def fill(template: str, values: Mapping[str, str]) -> str:
    """``template`` with each known ``{name}`` replaced, in one pass.

    Unknown ``{…}`` stay as they are, and a value is never read again as a
    template: a first name ``{identifier}`` stays literal.
    """
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def _one_line(text: str) -> str:
    return " ".join(_CONTROL.sub(" ", text).split())


def _address(name: str, addr: str, what: str) -> Address:
    addr = addr.strip()
    try:
        address = Address(display_name=_one_line(name), addr_spec=addr)
    except (ValueError, IndexError) as exc:
        raise DeliveryError(f"{what}: not an email address: {addr!r} ({exc})") from None
    if not address.username or not address.domain:
        raise DeliveryError(f"{what}: expected an email address like name@example.fr, got {addr!r}")
    return address


def _values(procedure: Procedure, person: Person) -> dict[str, str]:
    # Keep in step with model.EMAIL_PLACEHOLDERS, which data.py checks the templates against.
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
    message["Subject"] = _one_line(fill(template.subject, values))
    message["Date"] = formatdate(localtime=False)
    domain = template.sender.rpartition("@")[2] or "localhost"
    message["Message-ID"] = make_msgid(domain=domain)
    message[_UNSENT] = "1"

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


# --- reading a personalise folder ----------------------------------------------


@dataclass
class Draft:
    name: str  # file name inside the folder, as the manifest gives it
    message: EmailMessage
    recipients: tuple[str, ...]
    pending: list[str] = field(default_factory=list)

    @property
    def subject(self) -> str:
        return str(self.message.get("Subject", ""))


def _delimiter(header: str) -> str:
    return max(",;\t", key=header.count)


def _read_manifest(folder: Path) -> list[tuple[int, str]]:
    manifest = folder / MANIFEST
    try:
        text = manifest.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise DeliveryError(f"{manifest}: no manifest; write the drafts with personalise --eml") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"{manifest}: cannot read ({exc})") from None
    lines = text.splitlines()
    reader = csv.DictReader(lines, delimiter=_delimiter(lines[0] if lines else ","))
    if "eml" not in (reader.fieldnames or []):
        raise DeliveryError(f"{manifest}: no 'eml' column; write the drafts with personalise --eml")
    rows = []
    for row in reader:
        name = (row.get("eml") or "").strip()
        if name:
            rows.append((reader.line_num, name))
    return rows


def _load_drafts(folder: Path) -> list[Draft]:
    """Every draft the manifest lists, checked whole before anything is sent."""
    manifest = folder / MANIFEST
    resolved = folder.resolve()
    drafts: list[Draft] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, name in _read_manifest(folder):
        where = f"{manifest}:{line}: eml"
        path = (resolved / name).resolve()
        if path.parent != resolved or name in (".", ".."):
            problems.append(f"{where}: {name!r} is outside {folder}; refused")
            continue
        if path.name in seen:  # listed twice (maybe as ./x.eml): one draft, sent once
            continue
        seen.add(path.name)
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{where}: draft {path} is missing")
            continue
        except OSError as exc:
            problems.append(f"{where}: cannot read {path} ({exc.strerror})")
            continue
        message = BytesParser(policy=policy.default).parsebytes(data)
        recipients = tuple(
            address.addr_spec
            for header in message.get_all("To", [])
            for address in getattr(header, "addresses", ())
            if address.username and address.domain
        )
        if not recipients:
            problems.append(f"{where}: draft {path} has no To address")
            continue
        drafts.append(Draft(name=path.name, message=message, recipients=recipients))  # type: ignore[arg-type]
    if problems:
        raise DeliveryError(problems)
    return drafts


# --- the record of what was sent ----------------------------------------------


def _already_sent(folder: Path) -> set[tuple[str, str]]:
    """(eml, recipient) pairs recorded in sent.csv.

    A line cut off by a crash does not match anything, so at worst that one
    message goes out again; a message is never left out.
    """
    path = folder / SENT_LOG
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return set()
    except (OSError, UnicodeDecodeError) as exc:
        raise DeliveryError(f"{path}: cannot read the record of sent messages ({exc})") from None
    sent = set()
    for row in csv.reader(text.splitlines()):
        if len(row) >= 2 and row[0] and list(row[:2]) != list(SENT_FIELDS[:2]):
            sent.add((row[0], row[1].strip().lower()))
    return sent


def _record(folder: Path, fields: Iterable[str]) -> None:
    """Append one line to sent.csv and make it durable before going on."""
    path = folder / SENT_LOG
    lines: list[tuple[str, ...]] = []
    with open(path, "a+b") as stream:
        stream.seek(0, os.SEEK_END)
        if stream.tell() == 0:
            lines.append(SENT_FIELDS)
        else:
            stream.seek(-1, os.SEEK_END)
            if stream.read(1) != b"\n":  # a line cut off by a crash: do not glue onto it
                stream.write(b"\r\n")
        lines.append(tuple(fields))
        buffer = io.StringIO()
        csv.writer(buffer).writerows(lines)
        stream.write(buffer.getvalue().encode("utf-8"))
        stream.flush()
        os.fsync(stream.fileno())


# --- sending -------------------------------------------------------------------


class _Dropped(Exception):
    """The SMTP session is gone (the server hung up or the network failed)."""


def _connect(args: argparse.Namespace, password: str | None) -> smtplib.SMTP:
    where = f"{args.smtp_host}:{args.smtp_port}"
    try:
        smtp = smtplib.SMTP(args.smtp_host, args.smtp_port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{where}: cannot connect ({exc})") from None
    try:
        if args.starttls:
            smtp.ehlo()
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if args.user:
            smtp.login(args.user, password or "")
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise DeliveryError(f"{where}: login refused for user {args.user!r} ({_reason(exc)})") from None
    except (OSError, smtplib.SMTPException) as exc:
        smtp.close()
        raise DeliveryError(f"{where}: cannot open the session ({_reason(exc)})") from None
    return smtp


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{addr}: {_reason_of(code, msg)}" for addr, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reason_of(exc.smtp_code, exc.smtp_error)
    return str(exc) or type(exc).__name__


def _reason_of(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {_one_line(text)}"


def _send_one(smtp: smtplib.SMTP, draft: Draft, from_addr: str) -> dict[str, str]:
    """Send ``draft`` to its pending recipients; the refused ones with their reason."""
    message = draft.message
    del message[_UNSENT]
    # A draft may wait days before it is sent: the message is dated when it goes.
    del message["Date"]
    message["Date"] = formatdate(localtime=False)
    if from_addr:
        del message["From"]
        message["From"] = from_addr
    try:
        refused = smtp.send_message(message, to_addrs=draft.pending)
    except smtplib.SMTPServerDisconnected as exc:
        raise _Dropped(str(exc)) from None
    except smtplib.SMTPRecipientsRefused as exc:
        if any(code == 421 for code, _ in exc.recipients.values()):
            raise _Dropped(_reason(exc)) from None
        return {addr: _reason_of(code, msg) for addr, (code, msg) in exc.recipients.items()}
    except smtplib.SMTPResponseException as exc:
        if exc.smtp_code == 421:  # "service not available, closing channel"
            raise _Dropped(_reason(exc)) from None
        return dict.fromkeys(draft.pending, _reason(exc))
    except smtplib.SMTPException as exc:
        return dict.fromkeys(draft.pending, _reason(exc))
    except OSError as exc:  # timeout, connection reset
        raise _Dropped(_reason(exc)) from None
    return {addr: _reason_of(code, msg) for addr, (code, msg) in refused.items()}


def _check_from(from_addr: str, drafts: list[Draft]) -> None:
    if from_addr:
        probe = EmailMessage(policy=policy.default)
        try:
            probe["From"] = from_addr
            ok = len(probe["From"].addresses) == 1 and "@" in probe["From"].addresses[0].addr_spec
        except (ValueError, IndexError):
            ok = False
        if not ok:
            raise DeliveryError(f"--from: expected one email address like name@example.fr, got {from_addr!r}")
        return
    missing = [d.name for d in drafts if not d.message.get("From")]
    if missing:
        raise DeliveryError(
            [f"{name}: the draft has no From address; give one with --from" for name in missing]
        )


def send_command(args: argparse.Namespace) -> int:
    """``send DIR``: list (dry run) or send the drafts of a personalise run, never twice."""
    folder = Path(args.dir)
    drafts = _load_drafts(folder)
    sent = _already_sent(folder)
    for draft in drafts:
        draft.pending = [r for r in draft.recipients if (draft.name, r.strip().lower()) not in sent]
    _check_from(args.from_addr, drafts)
    todo = [d for d in drafts if d.pending]
    done_before = len(drafts) - len(todo)
    if not drafts:
        print(
            f"nothing to send: {folder / 'manifest.csv'} lists no email draft "
            "(run personalise with --eml, on a roster with a Courriel column)"
        )
        return 0

    if not args.yes:
        for draft in drafts:
            verb = "would send" if draft.pending else "already sent"
            print(f"{verb} {draft.name} to {', '.join(draft.pending or draft.recipients)} ({draft.subject})")
        print(f"dry run: {len(todo)} to send, {done_before} already sent; nothing sent (add --yes to send)")
        return 0

    password = None
    if args.user:
        password = os.environ.get(args.password_env)
        if password is None:
            raise DeliveryError(
                f"--user {args.user}: set the SMTP password in the environment variable "
                f"{args.password_env} (it is never read from the command line)"
            )
    counts = _Counts(already=done_before)
    if todo:
        _send_all(args, password, folder, todo, counts)
    print(f"sent {counts.sent}, already sent {counts.already}, failed {counts.failed}")
    return 1 if counts.failed else 0


@dataclass
class _Counts:
    sent: int = 0
    already: int = 0
    failed: int = 0


def _fail(draft: Draft, recipients: Iterable[str], reason: str) -> None:
    print(f"error: could not send {draft.name} to {', '.join(recipients)}: {reason}", file=sys.stderr)


class _Session:
    """One SMTP session, reopened at most once when it drops."""

    def __init__(self, args: argparse.Namespace, password: str | None) -> None:
        self.args = args
        self.password = password
        self.smtp: smtplib.SMTP | None = _connect(args, password)
        self.reconnected = False

    def send(self, draft: Draft) -> dict[str, str]:
        try:
            return self._send(draft)
        except _Dropped as exc:
            self.close(quit=False)
            if self.reconnected:
                raise
            self.reconnected = True
            try:
                self.smtp = _connect(self.args, self.password)
            except DeliveryError as again:
                raise _Dropped(f"{exc}; reconnecting failed: {again}") from None
            # The server did not confirm this draft: send it again on the new session.
            return self._send(draft)

    def _send(self, draft: Draft) -> dict[str, str]:
        if self.smtp is None:
            raise _Dropped("no session")
        return _send_one(self.smtp, draft, self.args.from_addr)

    def close(self, quit: bool = True) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        if quit:
            try:
                smtp.quit()
                return
            except (OSError, smtplib.SMTPException):
                pass
        smtp.close()


def _send_all(
    args: argparse.Namespace, password: str | None, folder: Path, todo: list[Draft], counts: _Counts
) -> None:
    session = _Session(args, password)
    try:
        for index, draft in enumerate(todo):
            try:
                refused = session.send(draft)
            except _Dropped as exc:
                for rest in todo[index:]:
                    _fail(rest, rest.pending, f"connection lost ({exc}); not sent")
                    counts.failed += 1
                return
            _settle(folder, draft, refused, counts)
    finally:
        session.close()


def _settle(folder: Path, draft: Draft, refused: dict[str, str], counts: _Counts) -> None:
    message_id = str(draft.message.get("Message-ID", ""))
    for recipient in draft.pending:
        if recipient in refused:
            continue
        try:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            _record(folder, (draft.name, recipient, now, message_id))
        except OSError as exc:
            raise DeliveryError(
                f"{folder / SENT_LOG}: sent {draft.name} to {recipient} but cannot record it "
                f"({exc.strerror}); stopped so that nothing is sent twice"
            ) from None
        print(f"sent {draft.name} to {recipient}")
    for recipient, reason in refused.items():
        _fail(draft, [recipient], reason)
    if refused:
        counts.failed += 1
    else:
        counts.sent += 1
