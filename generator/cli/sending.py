"""The ``send`` command: the drafts of a personalise folder listed (dry run) or sent, each once, with what it prints."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from .. import DeliveryError, folder_lock
from ..i18n import _

if TYPE_CHECKING:
    from .. import Delivery, Draft, MailSettings, SendReport


def send(args: argparse.Namespace) -> int:
    """``send DIR``: list (dry run) or send the drafts of a personalise run, never twice."""
    from .. import check_smtp_host  # the e-mail package, loaded only for this command

    args.settings = _mail_settings(args)
    if args.settings is None:
        check_smtp_host(args.smtp_host)
    folder = Path(args.dir)
    if not args.yes:
        return _send_listed(folder, args)
    # Two `send --yes` on one folder would both read sent.csv before either writes it.
    with folder_lock(folder, command="send"):
        return _send_locked(folder, args)


def _mail_settings(args: argparse.Namespace) -> MailSettings | None:
    """``--mail-settings FILE`` read and checked; it gives the server, login and sender, so no --smtp-* beside it."""
    if args.mail_settings is None:
        return None
    from email.utils import formataddr

    from .. import load_mail_settings

    given = [
        option
        for option, value in (
            ("--smtp-port", args.smtp_port is not None),
            ("--starttls", args.starttls),
            ("--tls", args.tls),
            ("--user", bool(args.user)),
            ("--password-env", args.password_env != "SMTP_PASSWORD"),
            ("--from", bool(args.from_addr)),
        )
        if value
    ]
    if given:
        raise DeliveryError(
            _("--mail-settings gives the server, the login and the sender: leave out {options}").format(
                options=", ".join(given)
            )
        )
    settings = load_mail_settings(args.mail_settings)
    # The settings' sender is the From of every message and the envelope sender.
    args.from_addr = formataddr((settings.sender_name, settings.sender))
    return settings


def _send_listed(folder: Path, args: argparse.Namespace) -> int:
    from .. import pending_drafts

    drafts = pending_drafts(folder, args.from_addr, args.resend)
    if not drafts:
        return _nothing_to_send(folder)
    for draft in drafts:
        if draft.problem:
            print(_("refused {eml}: {reason}").format(eml=draft.name, reason=draft.problem))
            continue
        if args.resend and not draft.resend:
            continue
        values = {
            "eml": draft.name,
            "recipients": ", ".join(draft.pending or draft.recipients),
            "subject": draft.subject,
        }
        if draft.resend:
            line = _("would send again {eml} to {recipients} ({subject})")
        elif draft.pending:
            line = _("would send {eml} to {recipients} ({subject})")
        else:
            line = _("already sent {eml} to {recipients} ({subject})")
        print(line.format(**values))
    todo = sum(1 for d in drafts if d.pending)
    done_before = sum(1 for d in drafts if not d.pending and not d.problem)
    print(
        _("dry run: {todo} to send, {done} already sent; nothing sent (add --yes to send)").format(
            todo=todo, done=done_before
        )
    )
    return 0


def _nothing_to_send(folder: Path) -> int:
    print(
        _(
            "nothing to send: {path} lists no email draft "
            "(run personalise with --eml, on a roster with a Courriel column)"
        ).format(path=folder / "manifest.csv")
    )
    return 0


def _send_locked(folder: Path, args: argparse.Namespace) -> int:
    from .. import SmtpSettings, pending_drafts, send_drafts

    drafts = pending_drafts(folder, args.from_addr, args.resend)
    if not drafts:
        return _nothing_to_send(folder)
    if args.settings is not None:
        return _send_with_settings(folder, drafts, args)
    password = None
    if args.user:
        password = os.environ.get(args.password_env)
        if password is None:
            raise DeliveryError(
                _(
                    "--user {user}: set the SMTP password in the environment variable "
                    "{variable} (it is never read from the command line)"
                ).format(user=args.user, variable=args.password_env)
            )

    port = args.smtp_port or (465 if args.tls else 587)
    settings = SmtpSettings(args.smtp_host, port, args.starttls, args.user, password, tls=args.tls)
    report = send_drafts(folder, drafts, settings, from_addr=args.from_addr, on_delivery=_tell)
    return _summary(report)


def _send_with_settings(folder: Path, drafts: list[Draft], args: argparse.Namespace) -> int:
    """The drafts sent as the desk sends: From and Reply-To from the settings, at their rate."""
    from .. import send_drafts, stamp

    settings: MailSettings = args.settings
    smtp = settings.smtp(os.environ)
    for draft in drafts:
        if draft.pending:
            stamp(draft.message, settings)
    report = send_drafts(
        folder, drafts, smtp, from_addr=args.from_addr, on_delivery=_tell, interval=settings.interval
    )
    return _summary(report)


def _tell(delivery: Delivery) -> None:
    if delivery.error:
        problem = _("could not send {eml} to {recipients}: {reason}").format(
            eml=delivery.eml, recipients=", ".join(delivery.recipients), reason=delivery.error
        )
        print(_("error: {problem}").format(problem=problem), file=sys.stderr)
    else:
        print(_("sent {eml} to {recipient}").format(eml=delivery.eml, recipient=delivery.recipients[0]))


def _summary(report: SendReport) -> int:
    print(
        _("sent {sent}, already sent {already}, failed {failed}").format(
            sent=report.sent, already=report.already, failed=report.failed
        )
    )
    return 1 if report.failed else 0
