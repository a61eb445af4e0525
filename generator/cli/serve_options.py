"""The ``serve`` command's options: where it listens, the codes it asks for, who may reach it.

serve's defaults live here, not in generator.web: every other command would
import Flask to read them.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from ..i18n import _

SERVE_HOST = "127.0.0.1"
SERVE_PORT = 8000
ACCESS_CODE_ENV = "GENERATOR_ACCESS_CODE"
# The code that lets a served desk's /procedure change the data file (--data); on loopback none is needed.
EDIT_CODE_ENV = "GENERATOR_EDIT_CODE"


def add_serve(sub: argparse._SubParsersAction[Any]) -> None:
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
    p.add_argument(
        "--data",
        type=Path,
        help=_(
            "procedure YAML file; its owners edit it at /procedure (on another address than this "
            "machine's, with the code of {env}); without it, editing is off"
        ).format(env=EDIT_CODE_ENV),
    )
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
