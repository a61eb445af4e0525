"""Sending the drafts of a personalise folder through SMTP, never twice: results returned, nothing printed."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import formatdate
from pathlib import Path

from ..errors import DeliveryError
from .drafts import UNSENT, one_line
from .outbox import SENT_LOG, Draft, record

TIMEOUT = 30  # seconds; an office SMTP relay that does not answer in that time is down


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = False
    user: str = ""
    password: str | None = None  # read by the caller from where it keeps secrets, never from argv


@dataclass(frozen=True)
class Delivery:
    """One draft to some of its recipients: sent (``error`` empty, one recipient) or not, and why."""

    eml: str
    recipients: tuple[str, ...]
    error: str = ""


@dataclass
class SendReport:
    sent: int = 0  # drafts sent to every pending recipient
    already: int = 0  # drafts sent by an earlier run
    failed: int = 0  # drafts that some recipient did not get
    deliveries: list[Delivery] = field(default_factory=list)


class _Dropped(Exception):
    """The SMTP session is gone (the server hung up or the network failed)."""


def _connect(settings: SmtpSettings) -> smtplib.SMTP:
    where = f"{settings.host}:{settings.port}"
    try:
        smtp = smtplib.SMTP(settings.host, settings.port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException) as exc:
        raise DeliveryError(f"{where}: cannot connect ({exc})") from None
    try:
        if settings.starttls:
            smtp.ehlo()
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise DeliveryError(f"{where}: login refused for user {settings.user!r} ({_reason(exc)})") from None
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
    return f"{code} {one_line(text)}"


def _send_one(smtp: smtplib.SMTP, draft: Draft, from_addr: str) -> dict[str, str]:
    """Send ``draft`` to its pending recipients; the refused ones with their reason."""
    message = draft.message
    del message[UNSENT]
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


class _Session:
    """One SMTP session, reopened at most once when it drops."""

    def __init__(self, settings: SmtpSettings, from_addr: str) -> None:
        self.settings = settings
        self.from_addr = from_addr
        self.smtp: smtplib.SMTP | None = _connect(settings)
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
                self.smtp = _connect(self.settings)
            except DeliveryError as again:
                raise _Dropped(f"{exc}; reconnecting failed: {again}") from None
            # The server did not confirm this draft: send it again on the new session.
            return self._send(draft)

    def _send(self, draft: Draft) -> dict[str, str]:
        if self.smtp is None:
            raise _Dropped("no session")
        return _send_one(self.smtp, draft, self.from_addr)

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


def send_drafts(
    folder: Path,
    drafts: Sequence[Draft],
    settings: SmtpSettings,
    *,
    from_addr: str = "",
    on_delivery: Callable[[Delivery], None] | None = None,
) -> SendReport:
    """Send each draft to its pending recipients (see ``outbox.pending_drafts``), recording each in sent.csv.

    Every delivery is returned in the report, and handed to ``on_delivery``
    as it happens. Raises DeliveryError when no session can be opened, or
    when a message went out but cannot be recorded (then it stops, so that
    nothing is sent twice).
    """
    todo = [d for d in drafts if d.pending]
    report = SendReport(already=len(drafts) - len(todo))

    def tell(delivery: Delivery) -> None:
        report.deliveries.append(delivery)
        if on_delivery is not None:
            on_delivery(delivery)

    if not todo:
        return report
    session = _Session(settings, from_addr)
    try:
        for index, draft in enumerate(todo):
            try:
                refused = session.send(draft)
            except _Dropped as exc:
                for rest in todo[index:]:
                    tell(Delivery(rest.name, tuple(rest.pending), f"connection lost ({exc}); not sent"))
                    report.failed += 1
                return report
            _settle(folder, draft, refused, report, tell)
    finally:
        session.close()
    return report


def _settle(
    folder: Path, draft: Draft, refused: dict[str, str], report: SendReport, tell: Callable[[Delivery], None]
) -> None:
    message_id = str(draft.message.get("Message-ID", ""))
    for recipient in draft.pending:
        if recipient in refused:
            continue
        try:
            now = datetime.now(UTC).isoformat(timespec="seconds")
            record(folder, (draft.name, recipient, now, message_id))
        except OSError as exc:
            raise DeliveryError(
                f"{folder / SENT_LOG}: sent {draft.name} to {recipient} but cannot record it "
                f"({exc.strerror}); stopped so that nothing is sent twice"
            ) from None
        tell(Delivery(draft.name, (recipient,)))
    for recipient, reason in refused.items():
        tell(Delivery(draft.name, (recipient,), reason))
    if refused:
        report.failed += 1
    else:
        report.sent += 1
