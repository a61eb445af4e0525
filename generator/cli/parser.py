"""The command line's arguments: every command, option and help text (argparse lives here).

Usage errors never show what was typed: an unknown ``--password X`` or
``--numen …`` names the option, not its value, since a value may be a secret.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from contextvars import ContextVar
from pathlib import Path
from typing import Any, NoReturn

from ..i18n import _, ngettext
from ..people.numen import holds_numen
from ..render import FORMATS
from ..run.plan import MOST_PAGES, VOLUME

# argparse's own words ("usage:", "options", "the following arguments are required: …") come from
# its module-level gettext, which reads the default domain and follows environment variables only
# (Windows sets none; the language of the context is ignored): its two names are pointed at our
# catalog instead (the msgids are in locale/fr/LC_MESSAGES/office.po).
argparse._ = _  # type: ignore[attr-defined]
argparse.ngettext = ngettext  # type: ignore[attr-defined]

DEFAULT_OUT = Path("output")
# The arguments being parsed, so that an error message can leave their values out.
_ARGV: ContextVar[tuple[str, ...]] = ContextVar("generator_argv", default=())
_HIDDEN_VALUE = "(…)"


def cores() -> int:
    """The cores this process may use: the most worker processes worth starting."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):  # not on Linux
        return max(1, os.cpu_count() or 1)


def not_utf8(arg: str) -> bool:
    """An argument holding bytes that were not UTF-8 (Python keeps them as lone surrogates)."""
    return any("\udc80" <= ch <= "\udcff" for ch in arg)


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(_("expected 0 (one per core) or a positive number"))
    return min(value, cores())  # more processes than cores only slow the batch down


def _print_volume(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if not 1 <= value <= MOST_PAGES:
        raise argparse.ArgumentTypeError(
            _("expected a number of pages from 1 to {most}").format(most=MOST_PAGES)
        )
    return value


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            _("unknown format (expected a comma-separated list of {formats})").format(
                formats=", ".join(FORMATS)
            )
        )
    return chosen


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Every command on one line with its help ("    personalise   …").

    argparse measures the commands two columns less indented than it draws
    them, so the longest one wrapped its help onto the next line.
    """

    def __init__(self, prog: str) -> None:
        super().__init__(prog, max_help_position=30)
        self._action_max_length = len("    personalise") + 2


class _Parser(argparse.ArgumentParser):
    """argparse whose error messages never hold a value from the command line."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        # No abbreviations: '--password X' must not be read as '--password-env X'.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        tokens = tuple(sys.argv[1:] if args is None else args)
        token = _ARGV.set(tokens)
        try:
            namespace, extras = self.parse_known_args(list(tokens), namespace)
            if extras:
                self.error(_unrecognised(extras))
            return namespace
        finally:
            _ARGV.reset(token)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, _("error: {problem}").format(problem=_redacted(message)) + "\n")


def _unrecognised(extras: list[str]) -> str:
    """The unknown options by name; their values and stray words only counted."""
    options = [
        e.split("=", 1)[0] for e in extras if e.startswith("-") and not holds_numen(e.split("=", 1)[0])
    ]
    others = len(extras) - len(options)
    named = ", ".join(options)
    if not others:
        return _("unknown option(s): {options}").format(options=named)
    hidden = ngettext("{count} other argument not shown", "{count} other arguments not shown", others).format(
        count=others
    )
    if not options:
        return _("unexpected argument(s): {hidden}").format(hidden=hidden)
    return _("unknown option(s): {options} ({hidden})").format(options=named, hidden=hidden)


def _redacted(message: str) -> str:
    """argparse's message with every value typed on the command line left out.

    argparse quotes values with repr() ("invalid choice: 'x'", "ignored explicit
    argument 'x'"); each is replaced, and a message still holding a NUMEN is
    not shown at all.
    """
    for token in sorted(_ARGV.get(), key=len, reverse=True):
        for value in {token, token.split("=", 1)[-1]}:
            if value and not re.fullmatch(r"--?[A-Za-z][A-Za-z-]*", value):
                message = message.replace(repr(value), _HIDDEN_VALUE)
    if holds_numen(message):
        return _("invalid arguments (see --help)")
    return message


def _example(*lines: str) -> str:
    return _("Example:") + "\n" + "\n".join(f"  python -m generator {line}" for line in lines)


def build_parser() -> argparse.ArgumentParser:
    """The parser, its help in the reader's language (built per call: the language may change)."""
    parser = _Parser(
        prog="python -m generator",
        description=_(
            "Turn a procedure kept as YAML into a one-page PDF flyer, an editable DOCX "
            "and personal sheets with each person's login identifier."
        ),
        epilog=_example("build", "personalise data/roster.example.csv"),
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    data_help = _("procedure YAML file (default: the embedded data/procedure.yaml)")
    formats_help = _("pdf, docx or pdf,docx (default: both)")

    p = sub.add_parser(
        "build",
        help=_("write the generic flyer (flyer.pdf, flyer.docx)"),
        description=_("Write the generic flyer as PDF and DOCX."),
        epilog=_example("build --data data/procedure.yaml --out output"),
    )
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help=_("output folder (default: output)"))
    p.add_argument("--formats", type=_formats, default=FORMATS, help=formats_help)

    p = sub.add_parser(
        "check",
        help=_("validate a procedure file and print a summary"),
        description=_(
            "Validate a procedure file; every problem is listed with its line. What check accepts, build makes."
        ),
        epilog=_example("check --data data/procedure.yaml"),
    )
    p.add_argument("--data", type=Path, help=data_help)

    people_out = _("output folder (default: output/people)")
    p = sub.add_parser(
        "personalise",
        help=_("personal sheets for every person of a roster (CSV or XLSX)"),
        description=_(
            "One PDF and one DOCX per person of the roster, all.pdf to print them all, "
            "and manifest.csv. The roster is checked whole before anything is written."
        ),
        epilog=_example("personalise data/roster.example.csv --out output/people"),
    )
    p.add_argument("roster", type=Path, help=_("roster file: .csv (UTF-8 or Windows-1252, ; or ,) or .xlsx"))
    p.add_argument(
        "--sheet",
        default=None,
        help=_(
            "the sheet of an .xlsx roster to read (default: the active sheet, or the first with a header row)"
        ),
    )
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT / "people", help=people_out)
    p.add_argument("--formats", type=_formats, default=FORMATS, help=formats_help)
    p.add_argument("--skip-invalid", action="store_true", help=_("write the valid rows and list the others"))
    p.add_argument(
        "--eml",
        action="store_true",
        help=_("also write an email draft (.eml) with the PDF for each person who has an address"),
    )
    p.add_argument(
        "--jobs",
        type=_jobs,
        default=0,
        help=_("worker processes (default: one per core; at most the {cores} cores there are)").format(
            cores=cores()
        ),
    )
    p.add_argument(
        "--print-volume",
        type=_print_volume,
        default=VOLUME,
        metavar="N",
        help=_(
            "pages of a print file at most: a longer run writes all-001.pdf, all-002.pdf, … "
            "(default: {default}; at most {most})"
        ).format(default=VOLUME, most=MOST_PAGES),
    )

    p = sub.add_parser(
        "person",
        help=_("the personal sheet of one person, typed at the desk"),
        description=_("Write the personal sheet (PDF and DOCX) of one person."),
        epilog=_example('person --first-name "Marie-Hélène" --last-name Dupont'),
    )
    p.add_argument("--first-name", required=True, help=_("first name(s), as on the contract"))
    p.add_argument("--last-name", required=True, help=_("usage family name"))
    p.add_argument("--birth-name", default="", help=_("birth family name, when it differs"))
    p.add_argument("--identifier", default="", help=_("the identifier, when the directory already gave it"))
    p.add_argument("--manager", default="", help=_("id of the managing office in the data's contacts"))
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT / "people", help=people_out)
    p.add_argument("--formats", type=_formats, default=FORMATS, help=formats_help)

    p = sub.add_parser(
        "send",
        help=_("send the email drafts of a personalise run through SMTP"),
        description=_(
            "Send the .eml drafts listed in DIR/manifest.csv. Without --yes, only list "
            "what would be sent. The password is read from an environment variable."
        ),
        epilog=_("Example:") + "\n  SMTP_PASSWORD=… python -m generator send output/people "
        "--smtp-host smtp.example.fr --smtp-port 587 --starttls --user jdupont --yes",
    )
    p.add_argument("dir", type=Path, help=_("folder written by personalise --eml"))
    server = p.add_mutually_exclusive_group(required=True)
    server.add_argument("--smtp-host", help=_("SMTP server name"))
    server.add_argument(
        "--mail-settings",
        type=Path,
        metavar="FILE",
        help=_(
            "the mail settings file IT keeps (TOML: host, port, security, user, password_env, "
            "sender, sender_name, reply_to, per_minute); instead of the --smtp-* options"
        ),
    )
    p.add_argument(
        "--smtp-port", type=int, default=None, help=_("SMTP port (default: 587, or 465 with --tls)")
    )
    tls = p.add_mutually_exclusive_group()
    tls.add_argument("--starttls", action="store_true", help=_("switch to TLS after connecting"))
    tls.add_argument(
        "--tls", action="store_true", help=_("TLS from the first byte (SMTPS, usually port 465)")
    )
    p.add_argument("--user", default="", help=_("SMTP login, when the server asks for one"))
    p.add_argument(
        "--password-env",
        default="SMTP_PASSWORD",
        help=_("environment variable holding the SMTP password (default: SMTP_PASSWORD)"),
    )
    p.add_argument(
        "--from", dest="from_addr", default="", help=_("sender address (default: the drafts' From)")
    )
    p.add_argument("--yes", action="store_true", help=_("really send (without it: a dry run)"))
    p.add_argument(
        "--resend",
        action="append",
        default=[],
        metavar="ID",
        help=_(
            "send this draft again even if it went (ID: the identifier, the .eml file's name); "
            "only the drafts named"
        ),
    )
    _add_serve(sub, data_help)
    return parser


# serve's defaults live here, not in generator.web: every other command would import Flask to read them.
SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000
ACCESS_CODE_ENV = "GENERATOR_ACCESS_CODE"


def _add_serve(sub: argparse._SubParsersAction, data_help: str) -> None:
    p = sub.add_parser(
        "serve",
        help=_("the pages for office staff, in a browser (French)"),
        description=_(
            "Serve the desk's pages with waitress: one person's sheet, a signing session, "
            "the flyer. Listens on this machine only unless an access code is set."
        ),
        epilog=_("Example:") + "\n  python -m generator serve --open\n"
        f"  {ACCESS_CODE_ENV}=… python -m generator serve --host 0.0.0.0 --port 8080",
    )
    p.add_argument(
        "--host", default=SERVE_HOST, help=_("address to listen on (default: {host})").format(host=SERVE_HOST)
    )
    p.add_argument(
        "--port",
        type=int,
        default=SERVE_PORT,
        help=_("port (default: {port}; 0: any free port)").format(port=SERVE_PORT),
    )
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument("--open", action="store_true", help=_("open the pages in the default browser"))
    p.add_argument(
        "--mail-settings",
        type=Path,
        metavar="FILE",
        help=_(
            "the mail settings file IT keeps (TOML): the pages then send each person their sheet; "
            "without it they offer the drafts"
        ),
    )
    p.add_argument(
        "--access-code-env",
        default=ACCESS_CODE_ENV,
        metavar="NAME",
        help=_(
            "environment variable holding the access code the pages ask for (default: {env}); "
            "required to listen on another address than this machine's"
        ).format(env=ACCESS_CODE_ENV),
    )
    _add_serve_guards(p)


def _add_serve_guards(p: argparse.ArgumentParser) -> None:
    """serve's options about who may reach the pages: the Host names, the reverse proxy."""
    p.add_argument(
        "--allowed-host",
        action="append",
        default=[],
        metavar="NAME",
        help=_(
            "a name or address people type to reach the pages, besides this machine's "
            "(repeatable); requests naming any other host are refused"
        ),
    )
    p.add_argument(
        "--behind-proxy",
        nargs="?",
        const="127.0.0.1",
        default=None,
        metavar="ADDRESS",
        help=_(
            "the pages are reached through a reverse proxy at ADDRESS (default: 127.0.0.1): "
            "the client's address and https are read from its X-Forwarded-For and X-Forwarded-Proto"
        ),
    )
