"""What each command does with the library, and the words it prints (stdout: results, stderr: problems).

``send`` and ``serve`` have modules of their own (sending.py, serve.py).
"""

from __future__ import annotations

import argparse
import sys
import threading
from collections.abc import Callable, Sequence

from .. import (
    UNSURE,
    BatchResult,
    DeskResult,
    Procedure,
    Roster,
    body_size,
    build_flyer,
    check_builds,
    desk_sheet,
    load_procedure,
    read_roster,
    reduced_sheets,
    representative_sheets,
    run_batch,
)
from ..i18n import _, current_language, ngettext
from .progress import ProgressBar
from .sending import send
from .serve import serve


def run(args: argparse.Namespace, cancel: threading.Event | None = None) -> int:
    """The command ``args`` names; ``cancel`` set (Ctrl-C) stops a personalise between two sheets."""
    if args.command == "send":
        return send(args)
    procedure = load_procedure(args.data)
    if args.command == "personalise":
        return personalise(procedure, args, cancel)
    return COMMANDS[args.command](procedure, args)  # argparse only lets known commands through


def check(procedure: Procedure, args: argparse.Namespace) -> int:
    """``check``: the data is loaded and every document made in memory, so "ok" means build will work."""
    check_builds(procedure)
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
    _body_sizes(procedure)
    return 0


def _body_sizes(procedure: Procedure) -> None:
    """Which sheets do not hold at 12 pt (a warning each), or that every one does."""
    reduced = reduced_sheets(representative_sheets(procedure, flyer=True))
    if not reduced:
        print(_("every sheet is at 12 pt in every format: the flyer and every kind of personal sheet"))
    for sheet in reduced:
        where = sheet.variant.describe() if sheet.variant is not None else ""
        if sheet.body is None and sheet.variant is None:
            problem = _("{format}: the flyer does not fit on one page")
        elif sheet.body is None:
            problem = _("{format}: the personal sheet does not fit on one page: {variant}")
        elif sheet.variant is None:
            problem = _("{format}: body text reduced to {size} pt on the flyer")
        else:
            problem = _("{format}: body text reduced to {size} pt on the personal sheet: {variant}")
        shown = problem.format(format=sheet.format.upper(), size=_number(sheet.body or 0.0), variant=where)
        print(_("warning: {problem}").format(problem=shown), file=sys.stderr)


def _number(value: float) -> str:
    """11.5 in English, 11,5 in French."""
    text = f"{value:g}"
    return text.replace(".", ",") if current_language() == "fr" else text


def build(procedure: Procedure, args: argparse.Namespace) -> int:
    """``build``: the flyer in each format."""
    for path in build_flyer(procedure, args.out, args.formats):
        print(_("wrote {path}").format(path=path))
    return 0


def person(procedure: Procedure, args: argparse.Namespace) -> int:
    """``person``: one person's sheet, as the desk makes it; an identifier to confirm is said."""
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
    _desk_warnings(desk, args.formats)
    return 0


COMMANDS: dict[str, Callable[[Procedure, argparse.Namespace], int]] = {
    "check": check,
    "build": build,
    "person": person,
    "serve": serve,
}


def personalise(procedure: Procedure, args: argparse.Namespace, cancel: threading.Event | None) -> int:
    """``personalise``: a sheet per person of the roster, a progress bar on a terminal, then the summary."""
    roster = read_roster(args.roster, procedure, sheet=args.sheet)
    for warning in roster.warnings:
        print(_("warning: {problem}").format(problem=warning), file=sys.stderr)
    bar = ProgressBar()
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
            "{n} more identifier to confirm: see the à-confirmer flag in manifest.csv",
            "{n} more identifiers to confirm: see the à-confirmer flag in manifest.csv",
            rest,
        ).format(n=rest)
        print(_("warning: {problem}").format(problem=problem), file=sys.stderr)


def _desk_warnings(desk: DeskResult, formats: Sequence[str]) -> None:
    """The warnings of ``person``: an identifier to confirm, a body set below 12 pt."""
    person = desk.person
    if UNSURE in person.flags:
        problem = _(
            "identifier {identifier} to confirm with the directory "
            "(a letter of the name has no sure spelling, or it was typed by hand)"
        ).format(identifier=person.identifier)
        print(_("warning: {problem}").format(problem=problem), file=sys.stderr)
    for fmt in formats:
        body = body_size(desk.sheet, fmt)
        if body is not None and body < 12:
            problem = _(
                "{format}: body text reduced to {size} pt on this sheet (its texts do not hold at 12 pt)"
            )
            shown = problem.format(format=fmt.upper(), size=_number(body))
            print(_("warning: {problem}").format(problem=shown), file=sys.stderr)
