"""The ``serve`` command: the desk's pages under waitress until Ctrl-C, and where to open them."""

from __future__ import annotations

import argparse
import os

from .. import Procedure
from ..i18n import _


def _edit_code(access_code: str | None) -> str | None:
    """The code of GENERATOR_EDIT_CODE; refused when it is the access code (everyone at the desk has that one)."""
    from ..web.server import ServeError
    from .serve_options import EDIT_CODE_ENV

    edit_code = os.environ.get(EDIT_CODE_ENV, "") or None
    if edit_code is not None and access_code is not None and edit_code.strip() == access_code.strip():
        raise ServeError(
            _("{env} must differ from the access code: the office staff all know that one").format(
                env=EDIT_CODE_ENV
            )
        )
    return edit_code


def _tell_editing(args: argparse.Namespace, edit_code: str | None, url: str) -> None:
    """Where the procedure's owners edit it, or why they cannot."""
    from ..web.server import is_loopback
    from .serve_options import EDIT_CODE_ENV

    if args.data is None:
        message = _("editing the procedure is off: start serve with --data FILE to edit it in the pages")
    elif edit_code is None and not (is_loopback(args.host) and not args.behind_proxy):
        message = _("editing the procedure is off: set {env} to a code for the office that owns it").format(
            env=EDIT_CODE_ENV
        )
    else:
        message = _("the procedure {path} is edited at {url}procedure").format(path=args.data, url=url)
    print(message, flush=True)


def serve(procedure: Procedure, args: argparse.Namespace) -> int:
    """``serve``: the desk's pages under waitress until Ctrl-C; says where to open them."""
    # The web front, loaded only for this command (Flask, waitress).
    from ..web import create_app, picture
    from ..web.already_running import open_running_desk
    from ..web.server import Server, check_host, is_loopback

    # A second double-click on the shortcut: the desk already running is opened, not a port error.
    if args.open and open_running_desk(args.host, args.port):
        return 0

    code = os.environ.get(args.access_code_env, "") or None
    check_host(args.host, code, args.access_code_env, args.behind_proxy)
    edit_code = _edit_code(code)
    mail_settings = None
    if args.mail_settings is not None:
        from .. import load_mail_settings  # the e-mail package only when the pages send

        mail_settings = load_mail_settings(args.mail_settings)
        mail_settings.smtp()  # the password's variable is checked now, not at the first sending
    app = create_app(
        procedure,
        access_code=code,
        allowed_hosts=args.allowed_host,
        data_path=args.data,
        edit_code=edit_code,
        # On loopback whoever uses the desk may edit; served to others, only with the edit code.
        edit_open=is_loopback(args.host) and not args.behind_proxy,
        mail_settings=mail_settings,
    )
    server = Server(app, args.host, args.port, behind_proxy=args.behind_proxy)
    try:
        # The sheets' pictures in processes of their own: in this one they waited for the GIL (web.picture).
        picture.start_worker()
        print(_("serving on {url} (Ctrl-C to stop)").format(url=server.url), flush=True)
        if code:
            print(
                _("the pages ask for the access code of {env}").format(env=args.access_code_env), flush=True
            )
        _tell_editing(args, edit_code, server.url)
        if args.open:
            server.open_browser()
        server.run()
    finally:
        server.close()
        picture.stop_worker()
    print(_("stopped; the signing sessions' files were removed"))
    return 0
