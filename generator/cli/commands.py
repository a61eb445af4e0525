"""What each command does with the library, and the words it prints (stdout: results, stderr: problems)."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from ..errors import DeliveryError
from ..people.roster import read_roster
from ..procedure.model import Procedure
from ..procedure.schema import load_procedure
from ..run.batch import BatchResult, build_flyer, run_batch, single_person


def _count(n: int, one: str, many: str = "") -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def run(args: argparse.Namespace) -> int:
    if args.command == "send":
        return send(args)
    procedure = load_procedure(args.data)
    if args.command == "serve":
        return serve(procedure, args)
    if args.command == "check":
        addresses = sum(len(g.emails) for g in procedure.contacts)
        print(
            f"ok: {procedure.source}: {_count(len(procedure.steps), 'step')}, "
            f"{_count(len(procedure.contacts), 'contact group')} ({_count(addresses, 'address', 'addresses')}), "
            f"{_count(len(procedure.qr_codes), 'QR code')}"
        )
        return 0
    if args.command == "build":
        for path in build_flyer(procedure, args.out, args.formats):
            print(f"wrote {path}")
        return 0
    if args.command == "person":
        written = single_person(
            procedure,
            args.out,
            args.formats,
            first_name=args.first_name,
            last_name=args.last_name,
            birth_name=args.birth_name,
            identifier=args.identifier,
            manager=args.manager,
        )
        for path in written:
            print(f"wrote {path}")
        return 0
    if args.command == "personalise":
        roster = read_roster(args.roster, procedure)
        for warning in roster.warnings:
            print(f"warning: {warning}", file=sys.stderr)
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
            )
        finally:
            bar.close()
        _report(result, args.eml)
        return 0
    raise AssertionError(args.command)  # argparse only lets known commands through


def _report(result: BatchResult, eml: bool) -> None:
    for problem in result.refused:
        print(f"skipped: {problem}", file=sys.stderr)
    if result.removed:
        print(f"removed {len(result.removed)} file(s) of the previous run (listed in its manifest.csv)")
    homonyms = sum(1 for row in result.rows if "homonym" in row.flags)
    drafts = sum(1 for row in result.rows if row.eml)
    parts = [f"{len(result.rows)} personal sheet(s) in {result.out}"]
    parts += [f"{name} to print them" for name in result.print_files]
    if eml:
        parts.append(f"{drafts} email draft(s)")
    if homonyms:
        parts.append(f"{homonyms} homonym(s) flagged in manifest.csv")
    if result.refused:
        parts.append(f"{len(result.refused)} row(s) skipped")
    print("done: " + ", ".join(parts))


class _ProgressBar:
    """A progress bar on a terminal for long rosters; nothing otherwise."""

    def __init__(self) -> None:
        self.bar: Any = None
        self.done = 0

    def update(self, done: int, total: int) -> None:
        if self.bar is None:
            if total < 20 or not sys.stderr.isatty():
                return
            from tqdm import tqdm

            self.bar = tqdm(total=total, unit="fiche", file=sys.stderr, leave=False)
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def send(args: argparse.Namespace) -> int:
    """``send DIR``: list (dry run) or send the drafts of a personalise run, never twice."""
    from ..mail.outbox import pending_drafts
    from ..mail.send import Delivery, SmtpSettings, send_drafts

    folder = Path(args.dir)
    drafts = pending_drafts(folder, args.from_addr)
    todo = [d for d in drafts if d.pending]
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
        done_before = len(drafts) - len(todo)
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

    def tell(delivery: Delivery) -> None:
        if delivery.error:
            print(
                f"error: could not send {delivery.eml} to {', '.join(delivery.recipients)}: {delivery.error}",
                file=sys.stderr,
            )
        else:
            print(f"sent {delivery.eml} to {delivery.recipients[0]}")

    settings = SmtpSettings(args.smtp_host, args.smtp_port, args.starttls, args.user, password)
    report = send_drafts(folder, drafts, settings, from_addr=args.from_addr, on_delivery=tell)
    print(f"sent {report.sent}, already sent {report.already}, failed {report.failed}")
    return 1 if report.failed else 0


def serve(procedure: Procedure, args: argparse.Namespace) -> int:
    """``serve``: the desk's pages under waitress until Ctrl-C; says where to open them."""
    from ..i18n import _
    from ..web import create_app
    from ..web.server import Server, check_host

    code = os.environ.get(args.access_code_env, "") or None
    check_host(args.host, code, args.access_code_env)
    server = Server(create_app(procedure, access_code=code), args.host, args.port)
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
