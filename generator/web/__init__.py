"""The desk in a browser: the Flask application factory.

``create_app(procedure)`` builds an app whose pages speak French; ``serve``
runs it under waitress (``generator.web.server``). Configuration is passed
in; the app keeps its state in ``app.extensions["generator"]``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from flask import Flask

from .. import Procedure
from .service import Documents

MAX_REQUEST_BYTES = 4 * 1024 * 1024  # a roster of thousands of rows; far above any form


@dataclass
class WebState:
    """What the views share: the procedure and its renderers, the access code, tunables."""

    procedure: Procedure
    documents: Documents
    access_code: str | None = None
    wrong_code_delay: float = 1.0  # seconds, doubled after each wrong try, at most 8 s
    session_minutes: int = 15
    extra: dict[str, object] = field(default_factory=dict)
    cleanups: list[Callable[[], None]] = field(default_factory=list)


def create_app(
    procedure: Procedure | None = None,
    *,
    access_code: str | None = None,
    secret_key: bytes | None = None,
    max_request_bytes: int = MAX_REQUEST_BYTES,
    wrong_code_delay: float = 1.0,
    session_minutes: int = 15,
    work_dir: Path | None = None,
) -> Flask:
    """The web application for ``procedure`` (default: the embedded data).

    ``access_code``: when set, every page asks for it once per browser
    session. ``work_dir``: the one folder signing sessions keep their private
    folders in (default: ``aesh-generator-sessions-<uid>`` in the system's
    temporary folder); at start, those a killed server left are removed.
    """
    from .. import load_procedure
    from . import security, views

    if procedure is None:
        procedure = load_procedure()
    app = Flask(__name__)
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
    app.extensions["generator"] = WebState(
        procedure=procedure,
        documents=Documents(procedure),
        access_code=access_code or None,
        wrong_code_delay=wrong_code_delay,
        session_minutes=session_minutes,
    )
    app.extensions["generator"].extra["work_dir"] = work_dir
    security.install(app)
    views.install(app)
    return app


def shutdown(app: Flask) -> None:
    """What the server calls when it stops: every cleanup the pages registered (signing sessions)."""
    for cleanup in list(state(app).cleanups):
        cleanup()


def state(app: Flask) -> WebState:
    value = app.extensions["generator"]
    assert isinstance(value, WebState)
    return value


__all__ = ["MAX_REQUEST_BYTES", "WebState", "create_app", "shutdown", "state"]
