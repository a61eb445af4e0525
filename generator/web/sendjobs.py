"""The sending jobs of the pages: one background job per signing session, and the desk's once-records.

A session's job runs in a thread of the server; ``Sendings.start`` starts
one under a lock and never a second while one runs (a double click, a
refresh, a second tab): what was sent is then said by the library's record
(``envois.json`` in the session's private folder), which a later job reads
before sending anything. The desk keeps nothing of a person: its record is
a folder per random token made with the sheet, with only the token's
status in it, removed after the desk's session lifetime.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import secrets
import shutil
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

from .. import (
    NOT_SENT,
    DeliveryError,
    MailSettings,
    Outcome,
    Outgoing,
    Person,
    Procedure,
    attachment_name,
    build_message,
    send_once,
    statuses,
)
from .. import SEND_FAILURES as FAILURES
from ..i18n import _, current_language, set_language
from . import folders

CHUNK = 25  # messages built and sent per library call: a list of 2000 never sits whole in memory
MOST_TOKENS = 10_000  # desk sheets remembered at once (a few bytes each)
JOIN_WAIT = 5.0  # seconds the server's stop waits for a job to end between two messages
log = logging.getLogger("generator.web")


@dataclass(frozen=True)
class Recipient:
    """One person of a session with an address, and their own PDF in the session's folder."""

    person: Person
    pdf: Path

    @property
    def key(self) -> str:
        return f"row-{self.person.row}"


def light(recipients: Sequence[Recipient]) -> list[Outgoing]:
    """The recipients as the record knows them, without building any message (to read statuses)."""
    return [Outgoing(r.key, r.person, EmailMessage()) for r in recipients]


@dataclass
class Job:
    """One sending of a session: how far it is, and what stopped it (words for the page)."""

    total: int = 0
    done: int = 0
    running: bool = True
    error: str = ""
    unbuilt: dict[str, str] = field(default_factory=dict)  # key → why no message could be made
    thread: threading.Thread | None = None


def _build(procedure: Procedure, settings: MailSettings, recipient: Recipient) -> Outgoing:
    pdf = recipient.pdf.read_bytes()  # the session's own file: the very bytes the ZIP holds
    person = recipient.person
    message = build_message(procedure, person, pdf, attachment_name(person), settings=settings)
    return Outgoing(recipient.key, person, message)


def _wanted(folder: Path, recipients: Sequence[Recipient], failures_only: bool) -> list[Recipient]:
    known = statuses(folder, light(recipients))
    if failures_only:
        return [r for r, o in zip(recipients, known, strict=True) if o.status in FAILURES]
    return [r for r, o in zip(recipients, known, strict=True) if o.status == ""]


@dataclass
class SessionSend:
    """What a session's job needs: where the record is, who, with what settings."""

    procedure: Procedure
    settings: MailSettings
    folder: Path
    recipients: Sequence[Recipient]
    failures_only: bool = False
    # Called as the job goes: the session is not reaped under a sending (2000 people at 30 a minute
    # take over an hour, the session's life is 15 minutes from its upload).
    keep_alive: Callable[[], None] = lambda: None


def run_session(job: Job, task: SessionSend, cancel: threading.Event, language: str) -> None:
    """The job's thread: build and send in chunks, each person once; errors told in ``job``."""
    set_language(language)  # a thread starts with no language: the page's, for the record's reasons
    task.keep_alive()
    try:
        todo = _wanted(task.folder, task.recipients, task.failures_only)
        job.total = len(todo)
        for start in range(0, len(todo), CHUNK):
            if cancel.is_set():
                break
            if start:  # the library spaces the messages of one call; the pause between two is ours
                cancel.wait(task.settings.interval)
            _send_chunk(job, task, todo[start : start + CHUNK], cancel)
    except DeliveryError as exc:  # a refused login, an unreachable server: nothing more is tried
        words = _("Nothing more was sent: {reason}") if job.done else _("Nothing was sent: {reason}")
        job.error = words.format(reason=exc)
    except Exception as exc:  # the kind only: a message may quote a name
        log.error("sending: the job failed with %s", type(exc).__name__)
        job.error = _("The sending stopped on an unexpected error. Tell the IT team.")
    finally:
        task.keep_alive()  # the result stays readable for a session's life after the end
        job.running = False


def _send_chunk(job: Job, task: SessionSend, chunk: Sequence[Recipient], cancel: threading.Event) -> None:
    items: list[Outgoing] = []
    for recipient in chunk:
        try:
            items.append(_build(task.procedure, task.settings, recipient))
        except DeliveryError as exc:  # this person alone: the others go
            job.unbuilt[recipient.key] = str(exc)
            job.done += 1
        except OSError:  # their sheet is gone from the folder (never the path: it is the server's)
            job.unbuilt[recipient.key] = _("the sheet's file could not be read")
            job.done += 1
    base = job.done

    def progress(done: int, _total: int) -> None:
        job.done = base + done
        task.keep_alive()

    if items:
        send_once(
            task.folder,
            items,
            task.settings,
            failures_only=task.failures_only,
            progress=progress,
            cancel=cancel,
        )
    job.done = base + len(items)


def outcomes(folder: Path, recipients: Sequence[Recipient], job: Job | None) -> list[Outcome]:
    """What the record says of each recipient; one whose message could not be made is "not sent", with why."""
    known = statuses(folder, light(recipients)) if recipients else []
    unbuilt = job.unbuilt if job is not None else {}
    return [
        Outcome(o.key, o.person, NOT_SENT, unbuilt[o.key]) if o.status == "" and o.key in unbuilt else o
        for o in known
    ]


class Sendings:
    """The jobs of the app's sessions, by session id; at most one running per session."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: dict[str, Job] = {}
        self.cancel = threading.Event()

    def get(self, work_id: str) -> Job | None:
        with self._lock:
            return self._jobs.get(work_id)

    def start(self, work_id: str, task: SessionSend) -> Job:
        """A new job for the session, unless one runs: then that one (nothing is started twice)."""
        with self._lock:
            job = self._jobs.get(work_id)
            if job is not None and job.running:
                return job
            job = Job()
            self._jobs[work_id] = job
            job.thread = threading.Thread(
                target=run_session,
                args=(job, task, self.cancel, current_language()),
                name="generator-session-send",
                daemon=True,
            )
            job.thread.start()
        return job

    def forget(self, alive: Callable[[str], bool]) -> None:
        """The jobs of sessions gone (their folder removed) are forgotten, finished ones only."""
        with self._lock:
            for work_id in [w for w, j in self._jobs.items() if not j.running and not alive(w)]:
                del self._jobs[work_id]

    def close(self) -> None:
        """The server stops: every job stops between two messages."""
        self.cancel.set()
        with self._lock:
            threads = [j.thread for j in self._jobs.values() if j.thread is not None]
        for thread in threads:
            thread.join(JOIN_WAIT)


class DeskRecords:
    """The desk's "sent once" records: one folder per person's fields, reached through a token tied to them.

    The record is named after a keyed digest of the fields, not after the
    token: making the same sheet again (a refresh of the result page,
    « Modifier » then « Créer la fiche ») gives a new token but the same
    record, so the person is never sent the sheet twice.
    """

    def __init__(self, root: Path, lifetime: float, key: bytes) -> None:
        self.root, self.lifetime, self._key = root, lifetime, key
        self._lock = threading.Lock()
        self._tokens: dict[str, tuple[float, bytes]] = {}
        self._held: folders.Held | None = None

    def _digest(self, fields: Mapping[str, str]) -> bytes:
        # Only a keyed digest is kept, in memory: the fields themselves stay in the page.
        data = json.dumps(sorted(fields.items()), ensure_ascii=False).encode("utf-8")
        return hmac.new(self._key, data, hashlib.sha256).digest()

    def new_token(self, fields: Mapping[str, str]) -> str:
        """A token for the sheet just made, valid ``lifetime`` seconds for these very fields."""
        self.purge()
        token = secrets.token_urlsafe(18)
        with self._lock:
            dropped = []
            if len(self._tokens) >= MOST_TOKENS:  # the oldest sheet's button stops working, never the server
                dropped.append(self._tokens.pop(next(iter(self._tokens)))[1])
            self._tokens[token] = (time.monotonic(), self._digest(fields))
            gone = self._unused(dropped)
        self._remove(gone)
        return token

    def folder(self, token: str, fields: Mapping[str, str]) -> Path | None:
        """The record's folder of ``token``; None when unknown, expired or made for other fields."""
        self.purge()
        with self._lock:
            entry = self._tokens.get(token)
            if entry is None or not hmac.compare_digest(entry[1], self._digest(fields)):
                return None
            if self._held is None:
                # A session folder of its own: swept at the next start if the server is killed.
                self._held = folders.Held(self.root)
            path = self._held.folder / _record_name(entry[1])
        path.mkdir(mode=0o700, exist_ok=True)
        return path

    def purge(self, now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        with self._lock:
            expired = [t for t, (made, _d) in self._tokens.items() if now - made > self.lifetime]
            gone = self._unused([self._tokens.pop(t)[1] for t in expired])
        self._remove(gone)

    def _unused(self, digests: list[bytes]) -> list[str]:
        """The record folders of dropped tokens that no live token leads to any more (under the lock)."""
        live = {digest for _made, digest in self._tokens.values()}
        return [_record_name(d) for d in set(digests) - live]

    def _remove(self, names: list[str]) -> None:
        held = self._held
        for name in names:
            if held is not None:
                shutil.rmtree(held.folder / name, ignore_errors=True)

    def close(self) -> None:
        with self._lock:
            held, self._held = self._held, None
            self._tokens.clear()
        if held is not None:
            held.remove()


def _record_name(digest: bytes) -> str:
    """A record's folder: the digest of the person's fields, never the fields themselves."""
    return digest.hex()[:40]
