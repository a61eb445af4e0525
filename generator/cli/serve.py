"""The ``serve`` command: the desk's pages under waitress until Ctrl-C, and where to open them."""

from __future__ import annotations

import argparse
import os

from .. import Procedure
from ..i18n import _


def serve(procedure: Procedure, args: argparse.Namespace) -> int:
    """``serve``: the desk's pages under waitress until Ctrl-C; says where to open them."""
    # The web front, loaded only for this command (Flask, waitress).
    from ..web import create_app
    from ..web.already_running import open_running_desk
    from ..web.server import Server, check_host

    # A second double-click on the shortcut: the desk already running is opened, not a port error.
    if args.open and open_running_desk(args.host, args.port):
        return 0

    code = os.environ.get(args.access_code_env, "") or None
    check_host(args.host, code, args.access_code_env, args.behind_proxy)
    app = create_app(procedure, access_code=code, allowed_hosts=args.allowed_host)
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
