"""The outbox of a personalise folder: the drafts its manifest lists, and sent.csv, the record of what went."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from ..errors import DeliveryError

MANIFEST = "manifest.csv"
SENT_LOG = "sent.csv"
SENT_FIELDS = ("eml", "recipient", "sent_at", "message_id")


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


def load_drafts(folder: Path) -> list[Draft]:
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


def already_sent(folder: Path) -> set[tuple[str, str]]:
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


def record(folder: Path, fields: Iterable[str]) -> None:
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


def check_from(from_addr: str, drafts: list[Draft]) -> None:
    """A sender given (``--from``) is one address; without it, every draft names its own."""
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


def pending_drafts(folder: Path, from_addr: str = "") -> list[Draft]:
    """Every draft of ``folder``, each with the recipients it was not yet sent to; checked whole first."""
    drafts = load_drafts(folder)
    sent = already_sent(folder)
    for draft in drafts:
        draft.pending = [r for r in draft.recipients if (draft.name, r.strip().lower()) not in sent]
    check_from(from_addr, drafts)
    return drafts
