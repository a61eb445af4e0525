"""The command line's arguments: every command, option and help text (argparse lives here)."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..render import FORMATS

DEFAULT_OUT = Path("output")


def _jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected 0 (one per core) or a positive number, got {text!r}")
    return value


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(dict.fromkeys(f.strip().lower() for f in text.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown format {', '.join(unknown) or text!r} (expected a comma-separated list of {', '.join(FORMATS)})"
        )
    return chosen


class _Parser(argparse.ArgumentParser):
    def __init__(self, **kwargs: object) -> None:
        kwargs.setdefault("formatter_class", argparse.RawDescriptionHelpFormatter)
        # No abbreviations: '--password X' must not be read as '--password-env X'.
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(**kwargs)  # type: ignore[arg-type]


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="python -m generator",
        description="Turn a procedure kept as YAML into a one-page PDF flyer, an editable DOCX "
        "and personal sheets with each person's login identifier.",
        epilog="Example:\n  python -m generator build\n  python -m generator personalise data/roster.example.csv",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    data_help = "procedure YAML file (default: the embedded data/procedure.yaml)"

    p = sub.add_parser(
        "build",
        help="write the generic flyer (flyer.pdf, flyer.docx)",
        description="Write the generic flyer as PDF and DOCX.",
        epilog="Example:\n  python -m generator build --data data/procedure.yaml --out output",
    )
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: output)")
    p.add_argument("--formats", type=_formats, default=FORMATS, help="pdf, docx or pdf,docx (default: both)")

    p = sub.add_parser(
        "check",
        help="validate a procedure file and print a summary",
        description="Validate a procedure file; every problem is listed with its line.",
        epilog="Example:\n  python -m generator check --data data/procedure.yaml",
    )
    p.add_argument("--data", type=Path, help=data_help)

    p = sub.add_parser(
        "personalise",
        help="personal sheets for every person of a roster (CSV or XLSX)",
        description="One PDF and one DOCX per person of the roster, all.pdf to print them all, "
        "and manifest.csv. The roster is checked whole before anything is written.",
        epilog="Example:\n  python -m generator personalise data/roster.example.csv --out output/people",
    )
    p.add_argument("roster", type=Path, help="roster file: .csv (UTF-8 or Windows-1252, ; or ,) or .xlsx")
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT / "people", help="output folder (default: output/people)"
    )
    p.add_argument("--formats", type=_formats, default=FORMATS, help="pdf, docx or pdf,docx (default: both)")
    p.add_argument("--skip-invalid", action="store_true", help="write the valid rows and list the others")
    p.add_argument(
        "--eml",
        action="store_true",
        help="also write an email draft (.eml) with the PDF for each person who has an address",
    )
    p.add_argument("--jobs", type=_jobs, default=0, help="worker processes (default: one per core)")

    p = sub.add_parser(
        "person",
        help="the personal sheet of one person, typed at the desk",
        description="Write the personal sheet (PDF and DOCX) of one person.",
        epilog='Example:\n  python -m generator person --first-name "Marie-Hélène" --last-name Dupont',
    )
    p.add_argument("--first-name", required=True, help="first name(s), as on the contract")
    p.add_argument("--last-name", required=True, help="usage family name")
    p.add_argument("--birth-name", default="", help="birth family name, when it differs")
    p.add_argument("--identifier", default="", help="the identifier, when the directory already gave it")
    p.add_argument("--manager", default="", help="id of the managing office in the data's contacts")
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument(
        "--out", type=Path, default=DEFAULT_OUT / "people", help="output folder (default: output/people)"
    )
    p.add_argument("--formats", type=_formats, default=FORMATS, help="pdf, docx or pdf,docx (default: both)")

    p = sub.add_parser(
        "send",
        help="send the email drafts of a personalise run through SMTP",
        description="Send the .eml drafts listed in DIR/manifest.csv. Without --yes, only list "
        "what would be sent. The password is read from an environment variable.",
        epilog="Example:\n  SMTP_PASSWORD=… python -m generator send output/people "
        "--smtp-host smtp.example.fr --smtp-port 587 --starttls --user jdupont --yes",
    )
    p.add_argument("dir", type=Path, help="folder written by personalise --eml")
    p.add_argument("--smtp-host", required=True, help="SMTP server name")
    p.add_argument("--smtp-port", type=int, default=587, help="SMTP port (default: 587)")
    p.add_argument("--starttls", action="store_true", help="switch to TLS after connecting")
    p.add_argument("--user", default="", help="SMTP login, when the server asks for one")
    p.add_argument(
        "--password-env",
        default="SMTP_PASSWORD",
        help="environment variable holding the SMTP password (default: SMTP_PASSWORD)",
    )
    p.add_argument("--from", dest="from_addr", default="", help="sender address (default: the drafts' From)")
    p.add_argument("--yes", action="store_true", help="really send (without it: a dry run)")
    _add_serve(sub, data_help)
    return parser


def _add_serve(sub: argparse._SubParsersAction, data_help: str) -> None:
    from ..web.server import ACCESS_CODE_ENV, DEFAULT_HOST, DEFAULT_PORT

    p = sub.add_parser(
        "serve",
        help="the pages for office staff, in a browser (French)",
        description="Serve the desk's pages with waitress: one person's sheet, a signing session, "
        "the flyer. Listens on this machine only unless an access code is set.",
        epilog="Example:\n  python -m generator serve --open\n"
        f"  {ACCESS_CODE_ENV}=… python -m generator serve --host 0.0.0.0 --port 8080",
    )
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on (default: {DEFAULT_HOST})")
    p.add_argument(
        "--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT}; 0: any free port)"
    )
    p.add_argument("--data", type=Path, help=data_help)
    p.add_argument("--open", action="store_true", help="open the pages in the default browser")
    p.add_argument(
        "--access-code-env",
        default=ACCESS_CODE_ENV,
        metavar="NAME",
        help=f"environment variable holding the access code the pages ask for (default: {ACCESS_CODE_ENV}); "
        "required to listen on another address than this machine's",
    )
