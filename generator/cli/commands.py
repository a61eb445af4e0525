"""What each command does with the library, and the words it prints (stdout: results, stderr: problems)."""

from __future__ import annotations

import argparse
import os
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DeliveryError
from ..i18n import _, ngettext
from ..people.person import UNSURE, make_person
from ..people.roster import Roster, read_roster
from ..procedure.buildable import check_builds
from ..procedure.model import Procedure
from ..procedure.schema import load_procedure
from ..run.batch import BatchResult, build_flyer, desk_sheet, run_batch
from ..run.lock import folder_lock

if TYPE_CHECKING:
    from ..mail.outbox import Draft
    from ..mail.send import Delivery, SendReport
    from ..mail.settings import MailSettings


def run(args: argparse.Namespace, cancel: threading.Event | None = None) -> int:
    """The command ``args`` names; ``cancel`` set (Ctrl-C) stops a personalise between two sheets."""
    if args.command == "send":
        return send(args)
    procedure = load_procedure(args.data)
    if args.command == "serve":
        return serve(procedure, args)
    if args.command == "check":
        check_builds(procedure)  # check means "build will work"
        addresses = sum(len(g.emails) for g in procedure.contacts)
        steps, groups, codes = len(procedure.steps), len(procedure.contacts), len(procedure.qr_codes)
        print(
            _("ok: {source}: {steps}, {groups} ({addresses}), {codes}").format(
                source=procedure.source,
                steps=ngettext("{n} step", "{n} steps", steps).format(n=steps),
                groups=ngettext("{n} contact group", "{n} contact groups", groups).format(n=groups),
                addresses=ngettext("{n} address", "{n} addresses", addresses).format(n=addresses),
                codes=ngettext("{n} QR code", "{n} QR codes", codes).format(n=codes),
            )
        )
        return 0
    if args.command == "build":
        for path in build_flyer(procedure, args.out, args.formats):
            print(_("wrote {path}").format(path=path))
        return 0
    if args.command == "person":
        desk = desk_sheet(
            procedure,
            args.out,
            args.formats,
            first_name=args.first_name,
            last_name=args.last_name,
            birth_name=args.birth_name,
            identifier=args.identifier,
            manager=args.manager,
        )
        for path in desk.paths:
            if desk.existed:
                print(_("{path}: already there with this person's sheet, unchanged").format(path=path))
            else:
                print(_("wrote {path}").format(path=path))
        _desk_unsure(procedure, args)
        return 0
    if args.command == "personalise":
        roster = read_roster(args.roster, procedure, sheet=args.sheet)
        for warning in roster.warnings:
            print(_("warning: {problem}").format(problem=warning), file=sys.stderr)
        bar = _ProgressBar()
        try:
            result = run_batch(
                procedure,
                roster,
                args.out,
                formats=args.formats,
                eml=args.eml,
                skip_invalid=args.skip_invalid,
                jobs=args.jobs,
                progress=bar.update,
                print_volume=args.print_volume,
                cancel=cancel,
            )
        finally:
            bar.close()
        _report(result, args.eml)
        _roster_unsure(roster)
        return 0
    raise AssertionError(args.command)  # argparse only lets known commands through


def _report(result: BatchResult, eml: bool) -> None:
    for problem in result.refused:
        print(_("skipped: {problem}").format(problem=problem), file=sys.stderr)
    if result.removed:
        removed = len(result.removed)
        # One wording whatever the count: scripts and tests read this line.
        print(_("removed {n} file(s) of the previous run (listed in its manifest.csv)").format(n=removed))
    if result.kept:
        shown = ", ".join(f"{name} ({why})" for name, why in result.kept[:5]) + (
            ", …" if len(result.kept) > 5 else ""
        )
        print(
            ngettext(
                "warning: kept {count} file of an earlier run that this run did not make again: {names}; "
                "move it away if it is not wanted",
                "warning: kept {count} files of an earlier run that this run did not make again: {names}; "
                "move them away if they are not wanted",
                len(result.kept),
            ).format(count=len(result.kept), names=shown),
            file=sys.stderr,
        )
    homonyms, drafts, sheets = result.homonyms, result.drafts, result.sheets
    parts = [
        ngettext("{n} personal sheet in {out}", "{n} personal sheets in {out}", sheets).format(
            n=sheets, out=result.out
        )
    ]
    printed = result.print_files
    if len(printed) == 1:
        parts.append(_("{name} to print them").format(name=printed[0]))
    elif printed:
        parts.append(
            _("{first} … {last} to print them ({n} volumes)").format(
                first=printed[0], last=printed[-1], n=len(printed)
            )
        )
    if eml:
        parts.append(ngettext("{n} email draft", "{n} email drafts", drafts).format(n=drafts))
    if homonyms:
        parts.append(
            ngettext(
                "{n} homonym flagged in manifest.csv", "{n} homonyms flagged in manifest.csv", homonyms
            ).format(n=homonyms)
        )
    if result.refused:
        skipped = len(result.refused)
        parts.append(ngettext("{n} row skipped", "{n} rows skipped", skipped).format(n=skipped))
    print(_("done: {summary}").format(summary=", ".join(parts)))


SHOWN_UNSURE = 20  # warning lines about identifiers to confirm; past them, one line counts the rest


def _roster_unsure(roster: Roster) -> None:
    """A warning per person whose identifier is a guess or typed by hand (flagged "unsure" in manifest.csv)."""
    for line, identifier in roster.unsure[:SHOWN_UNSURE]:
        problem = _(
            "{where}: line {line}: identifier {identifier} to confirm with the directory "
            "(a letter of the name has no sure spelling, or it was typed by hand)"
        ).format(where=roster.source, line=line, identifier=identifier)
        print(_("warning: {problem}").format(problem=problem), file=sys.stderr)
    rest = len(roster.unsure) - SHOWN_UNSURE
    if rest > 0:
        problem = ngettext(
            "{n} more identifier to confirm: see the unsure flag in manifest.csv",
            "{n} more identifiers to confirm: see the unsure flag in manifest.csv",
            rest,
        ).format(n=rest)
        print(_("warning: {problem}").format(problem=problem), file=sys.stderr)


def _desk_unsure(procedure: Procedure, args: argparse.Namespace) -> None:
    """The warning of ``person`` when the identifier is to confirm (the person was checked already)."""
    person = make_person(
        procedure,
        first_name=args.first_name,
        last_name=args.last_name,
        birth_name=args.birth_name,
        identifier=args.identifier,
        manager=args.manager,
    )
    if UNSURE in person.flags:
        problem = _(
            "identifier {identifier} to confirm with the directory "
            "(a letter of the name has no sure spelling, or it was typed by hand)"
        ).format(identifier=person.identifier)
        print(_("warning: {problem}").format(problem=problem), file=sys.stderr)


SHOWN_FROM = 20  # rows: shorter runs end before a bar is worth drawing


class _ProgressBar:
    """On a terminal, for long rosters: sheets done, rate and time left; nothing on a pipe or a file."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < SHOWN_FROM or not sys.stderr.isatty():
                return
            from tqdm import tqdm

            # tqdm fills in the fields in braces: {n_fmt}/{total_fmt} done, {rate_fmt}, {remaining} (m:ss).
            shape = "{percentage:3.0f}% |{bar}| " + _(
                "{n_fmt}/{total_fmt} sheets, {rate_fmt}, {remaining} left"
            )
            self.bar = tqdm(
                total=total,
                unit=_("sheet"),
                file=sys.stderr,
                leave=False,
                bar_format=shape,
                mininterval=0.25,
                smoothing=0.1,
            )
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def send(args: argparse.Namespace) -> int:
    """``send DIR``: list (dry run) or send the drafts of a personalise run, never twice."""
    from ..mail.send import check_host

    args.settings = _mail_settings(args)
    if args.settings is None:
        check_host(args.smtp_host)
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

    from ..mail.settings import load_mail_settings

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
    from ..mail.outbox import pending_drafts

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
    from ..mail.outbox import pending_drafts
    from ..mail.send import SmtpSettings, send_drafts

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
    from ..mail.send import send_drafts
    from ..mail.settings import stamp

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


def serve(procedure: Procedure, args: argparse.Namespace) -> int:
    """``serve``: the desk's pages under waitress until Ctrl-C; says where to open them."""
    from ..web import create_app
    from ..web.already_running import open_running_desk
    from ..web.server import Server, check_host

    # A second double-click on the shortcut: the desk already running is opened, not a port error.
    if args.open and open_running_desk(args.host, args.port):
        return 0

    code = os.environ.get(args.access_code_env, "") or None
    check_host(args.host, code, args.access_code_env, args.behind_proxy)
    mail_settings = None
    if args.mail_settings is not None:
        from ..mail.settings import load_mail_settings

        mail_settings = load_mail_settings(args.mail_settings)
        mail_settings.smtp()  # the password's variable is checked now, not at the first sending
    app = create_app(
        procedure, access_code=code, allowed_hosts=args.allowed_host, mail_settings=mail_settings
    )
    server = Server(app, args.host, args.port, behind_proxy=args.behind_proxy)
    try:
        print(_("serving on {url} (Ctrl-C to stop)").format(url=server.url), flush=True)
        if code:
            print(
                _("the pages ask for the access code of {env}").format(env=args.access_code_env), flush=True
            )
        if args.open:
            server.open_browser()
        server.run()
    finally:
        server.close()
    print(_("stopped; the signing sessions' files were removed"))
    return 0
