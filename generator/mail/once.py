"""Send once: a sending job whose per-recipient record in the caller's folder stops any second send.

The record (``envois.json``) holds only each recipient's key (a row number
or identifier), its status and the server's reason, with the address taken
out. Each recipient is claimed and sent under an exclusive OS lock, so a
refresh, a second tab or a second worker thread at the same moment finds it
taken and sends nothing again. Made for the desk's session folder, which is
removed with the session.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

import filelock

from ..errors import DeliveryError
from ..i18n import _
from ..numen import holds_numen
from ..people.person import Person
from ..safe_files import read_limited, write_atomic
from .outbox import Draft
from .send import _Dropped, _Session
from .settings import MailSettings, stamp

RECORD = "envois.json"
LOCK = ".envois.lock"
LOCK_WAIT = 120.0  # seconds: longer than one message takes to go, even on a slow relay
MAX_RECORD_BYTES = 16 * 1024 * 1024

SENT = "sent"
REFUSED = "refused"  # the server said no, with its reason
NOT_SENT = "not_sent"  # never reached the server (connection lost, bad address)
# Claimed, and the job stopped before the server answered (the process died):
# it may have gone, so it is never sent again by itself.
UNCONFIRMED = "unconfirmed"
SENDING = "sending"  # in the record only while a job sends it
FAILURES = (REFUSED, NOT_SENT)


@dataclass(frozen=True)
class Outgoing:
    """One message for one person, under the key the record knows them by."""

    key: str
    person: Person
    message: EmailMessage = field(compare=False)


def outgoing(person: Person, message: EmailMessage, key: str | None = None) -> Outgoing:
    """``key`` defaults to the person's roster row, else their identifier (give one at the desk)."""
    if key is None:
        key = f"row-{person.row}" if person.row is not None else f"id-{person.identifier}"
    return Outgoing(key, person, message)


@dataclass(frozen=True)
class Outcome:
    """What became of one recipient: ``status`` is "" when nothing was tried yet."""

    key: str
    person: Person
    status: str
    reason: str = ""

    @property
    def label(self) -> str:
        """The status in the reader's language: sent, refused by the server, not sent…"""
        return status_label(self.status)


def status_label(status: str) -> str:
    labels = {
        SENT: _("sent"),
        REFUSED: _("refused by the server"),
        NOT_SENT: _("not sent"),
        UNCONFIRMED: _("unconfirmed (interrupted while sending)"),
        "": _("not sent yet"),
    }
    return labels.get(status, status)


@dataclass(frozen=True)
class Clock:
    """Time for the rate: tests give their own ``now`` and ``sleep``."""

    now: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


# --- the record ----------------------------------------------------------------------


def _read(folder: Path) -> dict[str, dict[str, str]]:
    path = folder / RECORD
    try:
        data = json.loads(read_limited(path, MAX_RECORD_BYTES).decode("utf-8"))
    except FileNotFoundError:
        return {}
    except (UnicodeDecodeError, ValueError) as exc:
        raise DeliveryError(
            _("{path}: the record of sent messages cannot be read ({reason}); nothing sent").format(
                path=path, reason=exc
            )
        ) from None
    return {str(k): v for k, v in data.get("recipients", {}).items() if isinstance(v, dict)}


def _write(folder: Path, record: Mapping[str, Mapping[str, str]]) -> None:
    data = json.dumps({"version": 1, "recipients": record}, ensure_ascii=False, indent=1)
    write_atomic(folder / RECORD, data.encode("utf-8"))


@contextmanager
def _lock(folder: Path) -> Iterator[None]:
    # A new lock object each time: two threads of one process exclude each other too.
    lock = filelock.FileLock(str(folder / LOCK), timeout=LOCK_WAIT)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise DeliveryError(
            _(
                "{path}: another sending of this session has held the record for {seconds} s; "
                "nothing more was sent: try again in a minute"
            ).format(path=folder / RECORD, seconds=int(LOCK_WAIT))
        ) from None
    try:
        yield
    finally:
        lock.release()


def _status(entry: Mapping[str, str] | None) -> str:
    status = (entry or {}).get("status", "")
    return UNCONFIRMED if status == SENDING else status


def statuses(folder: str | Path, items: Sequence[Outgoing]) -> list[Outcome]:
    """What the record says of each item, in order, without sending (the page after a refresh)."""
    folder = Path(folder)
    with _lock(folder):
        record = _read(folder)
    return [_outcome(item, record.get(item.key)) for item in items]


def _outcome(item: Outgoing, entry: Mapping[str, str] | None) -> Outcome:
    return Outcome(item.key, item.person, _status(entry), (entry or {}).get("reason", ""))


def _wanted(status: str, failures_only: bool) -> bool:
    return status in FAILURES if failures_only else status == ""


# --- sending -------------------------------------------------------------------------


def _recipient(message: EmailMessage) -> str:
    addresses = [a.addr_spec for v in message.get_all("To", []) for a in getattr(v, "addresses", ())]
    return addresses[0] if len(addresses) == 1 else ""


def _clean(reason: str, address: str) -> str:
    """The server's reason without the person's address (the record keeps no address) and never a NUMEN."""
    if address:
        reason = re.sub(re.escape(address), "<…>", reason, flags=re.IGNORECASE)
    return _("(reason withheld: it looked like a NUMEN)") if holds_numen(reason) else reason


class _Job:
    """One call of ``send_once``: a session opened when there is something to send."""

    def __init__(
        self, folder: Path, settings: MailSettings, environ: Mapping[str, str], clock: Clock
    ) -> None:
        self.folder = folder
        self.settings = settings
        self.environ = environ
        self.clock = clock
        self.session: _Session | None = None
        self.last: float | None = None
        self.lost = ""  # why the connection is gone: the rest are not sent

    def open(self) -> None:
        # A refused login raises DeliveryError here, before anything is claimed.
        self.session = _Session(self.settings.smtp(self.environ), "", resend_on_drop=False)

    def wait_for_rate(self) -> None:
        if self.last is not None:
            delay = self.last + self.settings.interval - self.clock.now()
            if delay > 0:
                self.clock.sleep(delay)

    def one(self, item: Outgoing, failures_only: bool) -> bool:
        """Claim ``item`` and send it under the lock; False when another job had it already."""
        with _lock(self.folder):
            record = _read(self.folder)
            if not _wanted(_status(record.get(item.key)), failures_only):
                return False
            retry = item.key in record
            record[item.key] = {"status": SENDING}
            _write(self.folder, record)
            record[item.key] = self._send(item, retry)
            _write(self.folder, record)
        return True

    def _send(self, item: Outgoing, retry: bool) -> dict[str, str]:
        address = _recipient(item.message)
        reason = self.lost
        if not address:
            reason = _("the message has no single To address")
        elif address.lower() != item.person.email.strip().lower():
            reason = _("the message is not addressed to this person's address; not sent")
        if reason or self.session is None:
            return {"status": NOT_SENT, "reason": _clean(reason, address)}
        stamp(item.message, self.settings)
        draft = Draft(item.key, item.message, (address,), pending=[address], resend=retry)
        self.last = self.clock.now()
        try:
            refused = self.session.send(draft)
        except _Dropped as exc:
            # The server may have taken the message before the connection went: never sent
            # again by itself (« non confirmé »); the ones after it were not sent.
            self.lost = _("connection lost ({reason})").format(reason=exc)
            return {"status": UNCONFIRMED, "reason": _clean(self.lost, address)}
        if refused:
            return {"status": REFUSED, "reason": _clean("; ".join(refused.values()), address)}
        return {"status": SENT}

    def close(self) -> None:
        if self.session is not None:
            self.session.close()


def send_once(
    folder: str | Path,
    items: Sequence[Outgoing],
    settings: MailSettings,
    *,
    failures_only: bool = False,
    progress: Callable[[int, int], None] | None = None,
    clock: Clock | None = None,
    environ: Mapping[str, str] = os.environ,
    cancel: threading.Event | None = None,
) -> list[Outcome]:
    """Send each item never sent before (or, ``failures_only``, each refused or not sent); the outcome of all.

    Per-recipient errors are recorded and the others go on; a refused login
    or an unreachable server raises DeliveryError before anything is sent.
    ``progress(done, total)`` is called after each recipient of this call;
    ``cancel`` set stops between two recipients (the rest stay unsent, "").
    The lock is waited for up to LOCK_WAIT seconds, then DeliveryError.
    """
    folder = Path(folder)
    keys = [item.key for item in items]
    if len(set(keys)) != len(keys):
        raise DeliveryError(_("two recipients share one key; each needs its own (a row number)"))
    todo = [
        o for o, s in zip(items, statuses(folder, items), strict=True) if _wanted(s.status, failures_only)
    ]
    if todo:
        job = _Job(folder, settings, environ, clock or Clock())
        job.open()
        try:
            for done, item in enumerate(todo, start=1):
                if cancel is not None and cancel.is_set():
                    break
                job.wait_for_rate()
                job.one(item, failures_only)
                if progress is not None:
                    progress(done, len(todo))
        finally:
            job.close()
    return statuses(folder, items)
