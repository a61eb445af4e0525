"""Sending the drafts of a personalise folder through SMTP, never twice: results returned, nothing printed."""

from __future__ import annotations

import base64
import hmac
import smtplib
import ssl
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.base64mime import body_encode as encode_base64
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path

from ..errors import DeliveryError
from ..i18n import _
from .headers import UNSENT, one_line, shown
from .outbox import SENT_LOG, Draft, check_log, record

TIMEOUT = 30  # seconds; an office SMTP relay that does not answer in that time is down


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    starttls: bool = False
    user: str = ""
    # Read by the caller from where it keeps secrets, never from argv; never in a repr (logs, tracebacks).
    password: str | None = field(default=None, repr=False)
    tls: bool = False  # implicit TLS from the first byte (SMTPS, port 465)


def check_smtp_host(host: str) -> None:
    """A name the resolver can take (IDNA: no empty label, none over 63 characters), or DeliveryError."""
    reason = ""
    if not host.strip() or any(c.isspace() or c in "/\\@" or ord(c) < 32 for c in host):
        reason = _("not a host name")
    else:
        try:
            host.encode("idna")
        except UnicodeError as exc:
            reason = str(exc.__cause__ or exc) or _("not a host name")
    if reason:
        raise DeliveryError(
            _(
                "--smtp-host {host!r}: not a valid host name ({reason}); give the name of the SMTP server"
            ).format(host=host[:100], reason=reason)
        )


class _Utf8Auth(smtplib.SMTP):
    """AUTH with the user name and password as UTF-8 (RFC 4616, 4954); smtplib sends only ASCII."""

    def auth(self, mechanism, authobject, *, initial_response_ok=True):  # type: ignore[no-untyped-def]
        mechanism = mechanism.upper()
        initial = authobject() if initial_response_ok else None
        if initial is not None:
            response = encode_base64(initial.encode("utf-8"), eol="")
            code, resp = self.docmd("AUTH", mechanism + " " + response)
            self._auth_challenge_count = 1
        else:
            code, resp = self.docmd("AUTH", mechanism)
            self._auth_challenge_count = 0
        while code == 334:
            self._auth_challenge_count += 1
            challenge = base64.decodebytes(resp)
            response = encode_base64(authobject(challenge).encode("utf-8"), eol="")
            code, resp = self.docmd(response)
            if self._auth_challenge_count > smtplib._MAXCHALLENGE:  # type: ignore[attr-defined]
                raise smtplib.SMTPException(
                    _("the server keeps asking for the password again (last answer: {answer})").format(
                        answer=repr((code, resp))
                    )
                )
        if code in (235, 503):
            return (code, resp)
        raise smtplib.SMTPAuthenticationError(code, resp)

    def auth_cram_md5(self, challenge=None):  # type: ignore[no-untyped-def]
        if challenge is None:
            return None
        # login() sets user and password; read through getattr, as older stubs do not declare them.
        password = (getattr(self, "password", None) or "").encode("utf-8")
        return getattr(self, "user", "") + " " + hmac.HMAC(password, challenge, "md5").hexdigest()


class _SMTP(_Utf8Auth):
    pass


class _SMTPS(_Utf8Auth, smtplib.SMTP_SSL):
    pass


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
    check_smtp_host(settings.host)
    where = f"{settings.host}:{settings.port}"
    try:
        if settings.tls:
            smtp: smtplib.SMTP = _SMTPS(
                settings.host, settings.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            smtp = _SMTP(settings.host, settings.port, timeout=TIMEOUT)
    except (OSError, smtplib.SMTPException, UnicodeError) as exc:
        raise DeliveryError(_("{where}: cannot connect ({reason})").format(where=where, reason=exc)) from None
    try:
        if settings.starttls:
            smtp.ehlo()
            smtp.starttls(context=ssl.create_default_context())
            smtp.ehlo()
        if settings.user:
            smtp.login(settings.user, settings.password or "")
    except smtplib.SMTPAuthenticationError as exc:
        smtp.close()
        raise DeliveryError(
            _("{where}: login refused for user {user} ({reason})").format(
                where=where, user=repr(settings.user), reason=_reason(exc)
            )
        ) from None
    except (OSError, smtplib.SMTPException, UnicodeError, ValueError) as exc:
        smtp.close()
        raise DeliveryError(
            _("{where}: cannot open the session ({reason})").format(where=where, reason=_reason(exc))
        ) from None
    return smtp


def _reason(exc: BaseException) -> str:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{addr}: {_reason_of(code, msg)}" for addr, (code, msg) in exc.recipients.items())
    if isinstance(exc, smtplib.SMTPResponseException):
        return _reason_of(exc.smtp_code, exc.smtp_error)
    return str(exc) or type(exc).__name__


def _reason_of(code: int, message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message)
    return f"{code} {shown(one_line(text))}"


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
    # MAIL FROM given, never derived: smtplib would take it from a Resent-From
    # or Sender header (outbox refuses both; this holds even if it did not).
    envelope = parseaddr(from_addr)[1] if from_addr else draft.sender
    if draft.resend:  # a corrected message is a new message: a relay must not drop it as a duplicate
        domain = str(message.get("Message-ID", "")).rpartition("@")[2].rstrip(">") or "localhost"
        del message["Message-ID"]
        message["Message-ID"] = make_msgid(domain=domain)
    try:
        refused = smtp.send_message(message, from_addr=envelope, to_addrs=draft.pending)
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
    except (ValueError, UnicodeError) as exc:  # a message smtplib cannot send as it stands
        return dict.fromkeys(draft.pending, _("cannot be sent as it stands ({reason})").format(reason=exc))
    except OSError as exc:  # timeout, connection reset
        raise _Dropped(_reason(exc)) from None
    return {addr: _reason_of(code, msg) for addr, (code, msg) in refused.items()}


class _Session:
    """One SMTP session, reopened at most once when it drops."""

    def __init__(self, settings: SmtpSettings, from_addr: str, resend_on_drop: bool = True) -> None:
        self.settings = settings
        self.from_addr = from_addr
        self.smtp: smtplib.SMTP | None = _connect(settings)
        # A drop after the message's data may follow the server's acceptance: sending once
        # (the pages) never sends such a message again; send's drafts are re-sent as before.
        self.reconnected = not resend_on_drop

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
                raise _Dropped(
                    _("{reason}; reconnecting failed: {problem}").format(reason=exc, problem=again)
                ) from None
            # The server did not confirm this draft: send it again on the new session.
            return self._send(draft)

    def _send(self, draft: Draft) -> dict[str, str]:
        if self.smtp is None:
            raise _Dropped(_("no session"))
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
    interval: float = 0.0,
    sleep: Callable[[float], None] = time.sleep,
) -> SendReport:
    """Send each draft to its pending recipients (see ``outbox.pending_drafts``), recording each in sent.csv.

    Every delivery is returned in the report, and handed to ``on_delivery``
    as it happens. Raises DeliveryError when no session can be opened, or
    when a message went out but cannot be recorded (then it stops, so that
    nothing is sent twice). ``interval`` seconds pass between two messages
    (the relay's rate), slept with ``sleep``.
    """
    todo = [d for d in drafts if d.pending]
    edited = [d for d in drafts if d.problem]
    report = SendReport(already=len(drafts) - len(todo) - len(edited))

    def tell(delivery: Delivery) -> None:
        report.deliveries.append(delivery)
        if on_delivery is not None:
            on_delivery(delivery)

    _refuse_edited(edited, report, tell)
    if not todo:
        return report
    check_log(folder)  # a link or a shared file as sent.csv stops the run before anything goes
    session = _Session(settings, from_addr)
    try:
        for index, draft in enumerate(todo):
            if index and interval > 0:
                sleep(interval)
            try:
                refused = session.send(draft)
            except _Dropped as exc:
                for rest in todo[index:]:
                    lost = _("connection lost ({reason}); not sent").format(reason=exc)
                    tell(Delivery(rest.name, tuple(rest.pending), lost))
                    report.failed += 1
                return report
            _settle(folder, draft, refused, report, tell)
    finally:
        session.close()
    return report


def _refuse_edited(edited: Sequence[Draft], report: SendReport, tell: Callable[[Delivery], None]) -> None:
    """Drafts edited by hand are reported for their person, failed; the others still go."""
    for draft in edited:
        shown_to = tuple(shown(r) for r in draft.recipients or (draft.expected,))  # printed as they are
        tell(Delivery(draft.name, shown_to, draft.problem))
        report.failed += 1


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
        except (OSError, DeliveryError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise DeliveryError(
                _(
                    "{path}: sent {eml} to {recipient} but cannot record it ({reason}); "
                    "stopped so that nothing is sent twice"
                ).format(path=folder / SENT_LOG, eml=draft.name, recipient=recipient, reason=reason)
            ) from None
        tell(Delivery(draft.name, (recipient,)))
    for recipient, reason in refused.items():
        tell(Delivery(draft.name, (recipient,), reason))
    if refused:
        report.failed += 1
    else:
        report.sent += 1
