"""The outbox of a personalise folder: the drafts its manifest lists, and sent.csv, the record of what went."""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

from ..csv_cells import MANIFEST, key_of, neutral
from ..csv_cells import MAX_BYTES as MAX_MANIFEST_BYTES
from ..errors import DeliveryError
from ..i18n import _
from ..safe_files import open_for_append, read_limited
from .headers import has_control, shown, unwritten_headers

SENT_LOG = "sent.csv"
SENT_FIELDS = ("eml", "recipient", "sent_at", "message_id")


MAX_DRAFT_BYTES = 32 * 1024 * 1024  # a sheet is ~100 KB; no relay takes a message this size anyway
MAX_SENT_LOG_BYTES = 64 * 1024 * 1024


@dataclass
class Draft:
    name: str  # file name inside the folder, as the manifest gives it
    message: EmailMessage
    recipients: tuple[str, ...]  # every address of To, Cc and Bcc
    pending: list[str] = field(default_factory=list)
    expected: str = ""  # the address personalise recorded in the manifest for this person
    problem: str = ""  # why this draft is refused (sent to nobody); "" when it may go
    resend: bool = False  # asked for again by name (--resend), whatever sent.csv says

    @property
    def subject(self) -> str:
        """The subject as a terminal may show it: control characters written as ``\\x1b``…"""
        return shown(str(self.message.get("Subject", "")))

    @property
    def sender(self) -> str:
        """The address of the draft's From ("" without one); ``load_drafts`` refuses a From of several."""
        found = _addresses(self.message, "From")
        return found[0] if len(found) == 1 else ""

    @property
    def stem(self) -> str:
        return Path(self.name).stem


def _delimiter(header: str) -> str:
    return max(";,\t", key=header.count)


def _read_manifest(folder: Path) -> list[tuple[int, str, str]]:
    """(line, eml, email) of every row naming a draft."""
    manifest = folder / MANIFEST
    try:
        text = read_limited(manifest, MAX_MANIFEST_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        raise DeliveryError(
            _("{path}: no manifest; write the drafts with personalise --eml").format(path=manifest)
        ) from None
    except UnicodeDecodeError as exc:
        raise DeliveryError(_("{path}: cannot read ({reason})").format(path=manifest, reason=exc)) from None
    lines = text.splitlines()
    reader = csv.DictReader(lines, delimiter=_delimiter(lines[0] if lines else ","))
    rows = []
    fields: Sequence[str] = []
    try:
        # The manifest's French headers (adresse, …) or an earlier version's English ones, read by one key.
        fields = reader.fieldnames = [key_of(name) for name in reader.fieldnames or []]
        if "eml" not in fields:
            raise DeliveryError(
                _("{path}: no 'eml' column; write the drafts with personalise --eml").format(path=manifest)
            )
        for row in reader:
            name = (row.get("eml") or "").strip()
            if name:
                rows.append((reader.line_num, name, (row.get("email") or "").strip()))
    except csv.Error as exc:
        raise DeliveryError(_too_large_or_bad(manifest, reader.line_num, exc)) from None
    if rows and "email" not in fields:
        raise DeliveryError(
            _(
                "{path}: no 'email' column, so the address of each person cannot be checked; "
                "write the drafts again with personalise --eml"
            ).format(path=manifest)
        )
    return rows


def _too_large_or_bad(path: Path, line: int, exc: csv.Error) -> str:
    if "field larger than field limit" in str(exc):
        return _("{path}:{line}: a cell is larger than 128 KB; this is not a file this tool wrote").format(
            path=path, line=line
        )
    return _("{path}:{line}: not a readable CSV file ({reason})").format(path=path, line=line, reason=exc)


def _plain_name(name: str) -> bool:
    # Control characters too: this tool names drafts after identifiers, and the name is printed.
    return (
        name not in ("", ".", "..")
        and not any(c in name for c in "/\\")
        and not has_control(name)
        and Path(name).name == name
    )


def _addresses(message: EmailMessage, header: str) -> list[str]:
    return [
        address.addr_spec
        for value in message.get_all(header, [])
        for address in getattr(value, "addresses", ())
        if address.addr_spec
    ]


def _problem(message: EmailMessage, recipients: tuple[str, ...], expected: str) -> str:
    """Why a hand-edited draft must not go (per person), or ""."""
    if not expected:
        return _("the manifest records no address for this person; refused")
    if not recipients:
        return _("the draft has no To address")
    if any(has_control(r) for r in (*recipients, expected)):
        return _("an address holds control characters ({found}); refused").format(
            found=shown(", ".join((*recipients, expected)))
        )
    if {neutral(r).lower() for r in recipients} != {expected.lower()}:
        return _(
            "the draft's recipients ({found}) differ from the address personalise recorded ({expected}); "
            "refused: correct the draft, then send it with --resend"
        ).format(found=", ".join(recipients), expected=expected)
    unwritten = unwritten_headers(message)
    if unwritten:
        return _(
            "the draft holds headers this tool did not write ({headers}); refused: "
            "remove them, then send it with --resend"
        ).format(headers=shown(", ".join(unwritten)))
    if message.get("From") is not None and len(_addresses(message, "From")) != 1:
        return _("the draft's From does not hold exactly one address; refused")
    return ""


def load_drafts(folder: Path) -> list[Draft]:
    """Every draft the manifest lists, checked whole before anything is sent."""
    manifest = folder / MANIFEST
    drafts: list[Draft] = []
    problems: list[str] = []
    seen: set[str] = set()
    for line, name, expected in _read_manifest(folder):
        where = _("{path}:{line}: eml").format(path=manifest, line=line)
        if name.startswith("./"):
            name = name[2:]
        if not _plain_name(name):
            shown = name.replace("\x00", "\\0")
            problems.append(
                _("{where}: {name!r} is not a file name inside {folder}; refused").format(
                    where=where, name=shown, folder=folder
                )
            )
            continue
        if name in seen:  # listed twice: one draft, sent once
            continue
        seen.add(name)
        path = folder / name
        try:
            data = read_limited(path, MAX_DRAFT_BYTES)
        except FileNotFoundError:
            problems.append(_("{where}: draft {path} is missing").format(where=where, path=path))
            continue
        except DeliveryError as exc:
            problems.append(_("{where}: {problem}").format(where=where, problem=exc))
            continue
        message = BytesParser(policy=policy.default).parsebytes(data)
        assert isinstance(message, EmailMessage)  # policy.default parses into EmailMessage
        recipients = tuple(dict.fromkeys(a for h in ("To", "Cc", "Bcc") for a in _addresses(message, h)))
        drafts.append(
            Draft(
                name=name,
                message=message,
                recipients=recipients,
                expected=expected,
                problem=_problem(message, recipients, expected),
            )
        )
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
        text = read_limited(path, MAX_SENT_LOG_BYTES).decode("utf-8")
    except FileNotFoundError:
        return set()
    except UnicodeDecodeError as exc:
        raise DeliveryError(
            _("{path}: cannot read the record of sent messages ({reason})").format(path=path, reason=exc)
        ) from None
    sent = set()
    reader = csv.reader(text.splitlines())
    try:
        for row in reader:
            if len(row) >= 2 and row[0] and list(row[:2]) != list(SENT_FIELDS[:2]):
                sent.add((row[0], row[1].strip().lower()))
    except csv.Error as exc:
        raise DeliveryError(_too_large_or_bad(path, reader.line_num, exc)) from None
    return sent


def check_log(folder: Path) -> None:
    """sent.csv can be appended to (a plain file, no link): checked before the first message goes."""
    path = folder / SENT_LOG
    if path.exists() or path.is_symlink():  # created by the first record, not before a message went
        with open_for_append(path):
            pass


def record(folder: Path, fields: Iterable[str]) -> None:
    """Append one line to sent.csv (never through a link) and make it durable before going on."""
    path = folder / SENT_LOG
    lines: list[tuple[str, ...]] = []
    with open_for_append(path) as stream:
        end = stream.seek(0, os.SEEK_END)
        if end == 0:
            lines.append(SENT_FIELDS)
        else:
            with open(
                path, "rb", opener=_no_follow
            ) as reader:  # append-only stream: read the last byte apart
                reader.seek(end - 1)
                if reader.read(1) != b"\n":  # a line cut off by a crash: do not glue onto it
                    stream.write(b"\r\n")
        lines.append(tuple(fields))
        buffer = io.StringIO()
        csv.writer(buffer).writerows(lines)
        stream.write(buffer.getvalue().encode("utf-8"))
        stream.flush()
        os.fsync(stream.fileno())


def _no_follow(path: str, flags: int) -> int:
    return os.open(path, flags | getattr(os, "O_NOFOLLOW", 0))


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
            raise DeliveryError(
                _("--from: expected one email address like name@example.fr, got {address}").format(
                    address=repr(from_addr)
                )
            )
        return
    missing = [d.name for d in drafts if not d.message.get("From")]
    if missing:
        raise DeliveryError(
            [
                _("{name}: the draft has no From address; give one with --from").format(name=name)
                for name in missing
            ]
        )


def pending_drafts(folder: Path, from_addr: str = "", resend: Sequence[str] = ()) -> list[Draft]:
    """Every draft of ``folder``, each with the recipients it was not yet sent to; checked whole first.

    With ``resend`` (identifiers, the stems of draft files), only those
    drafts are pending, to all their recipients, even when sent.csv says
    they went: a corrected draft sent again on purpose, never by accident.
    A refused draft (``Draft.problem``) is pending for nobody.
    """
    drafts = load_drafts(folder)
    sent = already_sent(folder)
    wanted = {Path(i).stem for i in resend}
    unknown = sorted(wanted - {d.stem for d in drafts})
    if unknown:
        raise DeliveryError(
            _(
                "--resend {ids}: no such draft in {path} (give the identifier, the name of the .eml file)"
            ).format(ids=", ".join(unknown), path=folder / MANIFEST)
        )
    for draft in drafts:
        if draft.problem:
            draft.pending = []
        elif wanted:
            draft.resend = draft.stem in wanted
            draft.pending = list(draft.recipients) if draft.resend else []
        else:
            draft.pending = [r for r in draft.recipients if (draft.name, r.strip().lower()) not in sent]
    check_from(from_addr, drafts)
    return drafts
