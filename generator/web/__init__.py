"""The desk in a browser: the Flask application factory.

``create_app(procedure)`` builds an app whose pages speak French; ``serve``
runs it under waitress (``generator.web.server``). Configuration is passed
in; the app keeps its state in ``app.extensions["generator"]``.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from flask import Flask

from .. import Procedure
from .service import Documents

if TYPE_CHECKING:
    from .. import MailSettings

MAX_REQUEST_BYTES = 4 * 1024 * 1024  # a roster of thousands of rows; far above any form
# What one signing session may write (list, sheets, print files, ZIP): 2000 people in both
# formats with their print file and ZIP take about 0.5 GB; 20 sessions at most on a server.
SESSION_BYTES = 1024 * 1024 * 1024


@dataclass
class WebState:
    """What the views share: the procedure and its renderers, the access code, tunables."""

    procedure: Procedure
    documents: Documents
    access_code: str | None = None
    wrong_code_delay: float = 1.0  # seconds a client waits after a wrong try, doubled each time
    wrong_per_minute: int = 20  # wrong access codes the whole server accepts a minute
    session_bytes: int = SESSION_BYTES  # the disk one signing session may fill
    hosts: set[str] = field(default_factory=set)  # the Host names answered (web.hosts)
    session_minutes: int = 15
    mail_settings: MailSettings | None = None  # serve --mail-settings: None, the pages offer the drafts
    extra: dict[str, object] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)


def create_app(
    procedure: Procedure | None = None,
    *,
    access_code: str | None = None,
    secret_key: bytes | None = None,
    max_request_bytes: int = MAX_REQUEST_BYTES,
    wrong_code_delay: float = 1.0,
    wrong_per_minute: int = 20,
    session_minutes: int = 15,
    session_bytes: int = SESSION_BYTES,
    work_dir: Path | None = None,
    allowed_hosts: Iterable[str] = (),
    data_path: Path | None = None,
    edit_code: str | None = None,
    edit_open: bool = False,
    mail_settings: MailSettings | None = None,
) -> Flask:
    """The web application for ``procedure`` (default: the embedded data).

    ``access_code``: when set, every page asks for it once per browser
    session. ``work_dir``: the one folder signing sessions keep their private
    folders in (default: ``aesh-generator-sessions-<uid>`` in the system's
    temporary folder); at start, those a killed server left are removed.
    ``allowed_hosts``: Host names answered besides the loopback ones (the
    server adds the address it listens on). ``session_bytes``: the disk a
    signing session may fill before its run is stopped. ``data_path``: the
    procedure file /procedure edits (None: editing is off); ``edit_open``:
    whoever reaches the pages may edit (the desk on loopback), else editing
    asks for ``edit_code`` (None: editing is off). ``mail_settings``: IT's
    settings (``load_mail_settings``), to send the sheets from the pages.
    """
    from .. import load_procedure
    from . import editor, hosts, security, sending, views

    if procedure is None:
        procedure = load_procedure()
    app = Flask(__name__)
    _configure(app, secret_key, max_request_bytes)
    app.extensions["generator"] = WebState(
        procedure=procedure,
        documents=Documents(procedure),
        access_code=access_code or None,
        wrong_code_delay=wrong_code_delay,
        wrong_per_minute=wrong_per_minute,
        session_minutes=session_minutes,
        session_bytes=session_bytes,
        hosts=hosts.served_names("localhost", allowed_hosts),
        mail_settings=mail_settings,
    )
    app.extensions["generator"].extra["work_dir"] = work_dir
    security.install(app)
    views.install(app)
    editor.install(app, data_path, edit_code or None, edit_open)
    sending.install(app)
    return app


def _configure(app: Flask, secret_key: bytes | None, max_request_bytes: int) -> None:
    app.config.update(
        # A fresh key at each start: sessions end with the server.
        SECRET_KEY=secret_key or secrets.token_bytes(32),
        MAX_CONTENT_LENGTH=max_request_bytes,
        MAX_FORM_MEMORY_SIZE=max_request_bytes,
        SESSION_COOKIE_NAME="generator_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Strict",
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the browser session
        WTF_CSRF_SSL_STRICT=False,  # Referrer-Policy: no-referrer leaves no Referer to check
        TEMPLATES_AUTO_RELOAD=False,
    )


def shutdown(app: Flask) -> None:
    """What the server calls when it stops: every cleanup the pages registered (signing sessions)."""
    for cleanup in list(state(app).cleanups):
        cleanup()


_SWAP = threading.Lock()


def swap_procedure(app: Flask, procedure: Procedure) -> None:
    """The desk uses ``procedure`` from now on: its renderers made first, then both swapped together."""
    documents = Documents(procedure)
    web = state(app)
    with _SWAP:
        web.procedure, web.documents = procedure, documents


def state(app: Flask) -> WebState:
    value = app.extensions["generator"]
    assert isinstance(value, WebState)
    return value


__all__ = [
    "MAX_REQUEST_BYTES",
    "SESSION_BYTES",
    "WebState",
    "create_app",
    "shutdown",
    "state",
    "swap_procedure",
]
