"""What every response goes through: French, headers, CSRF, the access code, errors that never leak.

- CSRF: Flask-WTF's CSRFProtect on every POST (forms and the live identifier).
- Headers: a Content-Security-Policy with the app's own scripts and styles
  only, nosniff, no framing, no referrer, ``Cache-Control: no-store``.
- The access code (when the server listens beyond this machine): asked
  once per browser session, compared in constant time, each wrong try
  answered after a delay that doubles (at most 8 s).
- Errors: French pages; a failure is logged by its type and place only,
  since an exception's message may quote what was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import threading
import time
import traceback
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from ..i18n import _, reset_language, set_language

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
MAX_DELAY = 8.0
OPEN_ENDPOINTS = frozenset({"security.access", "static"})


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the page came over https (behind a proxy too)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request and request.is_secure) or super().get_cookie_secure(app)


class _WrongTries:
    """Wrong access codes per client address, to slow down guessing."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count: dict[str, int] = {}

    def failed(self, client: str) -> int:
        with self._lock:
            self._count[client] = self._count.get(client, 0) + 1
            if len(self._count) > 10_000:  # bounded: forget the oldest
                self._count.pop(next(iter(self._count)))
            return self._count[client]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._count.pop(client, None)


def _digest(text: str) -> bytes:
    # Equal lengths for compare_digest, whatever was typed.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def code_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of a typed access code with the expected one."""
    return hmac.compare_digest(_digest(given.strip()), _digest(expected))


def install(app: Flask) -> None:
    from . import state

    web = state(app)
    # X-Forwarded-Proto from a reverse proxy tells that the page came over https.
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=0, x_proto=1, x_host=0)  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()
    tries = _WrongTries()

    @app.before_request
    def french() -> None:
        g.language_token = set_language("fr")

    @app.teardown_request
    def back(_exc: BaseException | None) -> None:
        token = g.pop("language_token", None)
        if token is not None:
            reset_language(token)

    @app.before_request
    def gate() -> Any:
        if web.access_code is None or session.get("access") or request.endpoint in OPEN_ENDPOINTS:
            return None
        if request.method == "GET" and request.endpoint is not None:
            # A page of ours (not the browser's favicon.ico); a path never holds personal data.
            session["after_access"] = request.path
        return redirect(url_for("security.access"), code=303)

    # After the language and the gate: a refused token gets a French page, and
    # a browser without the access code is sent to it rather than refused.
    CSRFProtect(app)

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if request.endpoint != "static":
            # Pages and files may hold names and identifiers: never kept by a browser or a proxy.
            response.headers["Cache-Control"] = "no-store"
            response.headers["Pragma"] = "no-cache"
        return response

    def access() -> Any:
        if web.access_code is None:
            return redirect(url_for("desk.home"), code=303)
        error = ""
        if request.method == "POST":
            given = request.form.get("code", "")
            client = request.remote_addr or "?"
            if code_matches(given, web.access_code):
                tries.succeeded(client)
                after = session.pop("after_access", "/")
                session.clear()
                session["access"] = True
                session.permanent = False
                return redirect(after if after.startswith("/") and not after.startswith("//") else "/", 303)
            count = tries.failed(client)
            time.sleep(min(web.wrong_code_delay * 2 ** (count - 1), MAX_DELAY))
            error = _("The access code is not the right one. Type it again.")
        status = 401 if error else 200
        return render_template("acces.html", error=error), status

    from flask import Blueprint

    blueprint = Blueprint("security", __name__)
    blueprint.add_url_rule("/acces", "access", access, methods=["GET", "POST"])
    app.register_blueprint(blueprint)
    _errors(app)


def _error_page(title: str, text: str, status: int) -> tuple[str, int]:
    return render_template("erreur.html", title=title, text=text, status=status), status


def _errors(app: Flask) -> None:
    handlers: dict[int, Callable[[], tuple[str, str]]] = {
        400: lambda: (_("The request cannot be read"), _("Go back to the page and try again.")),
        404: lambda: (_("Page not found"), _("Check the address, or start again from the home page.")),
        405: lambda: (_("Page not found"), _("Check the address, or start again from the home page.")),
        413: lambda: (
            _("The file is too large"),
            _("What was sent is over {size} MB, the most this server accepts. Send a smaller file.").format(
                size=_megabytes(app.config["MAX_CONTENT_LENGTH"])
            ),
        ),
    }

    @app.errorhandler(CSRFError)
    def csrf(_exc: CSRFError) -> tuple[str, int]:
        return _error_page(
            _("The page has expired"),
            _(
                "For your safety, the form is only valid in the page that showed it. Open the page again and send it anew."
            ),
            400,
        )

    @app.errorhandler(HTTPException)
    def http(exc: HTTPException) -> Any:
        code = exc.code or 500
        if code not in handlers:
            return exc
        title, text = handlers[code]()
        return _error_page(title, text, code)

    @app.errorhandler(Exception)
    def failure(exc: Exception) -> tuple[str, int]:
        # The type and the place only: an exception's message may quote a name.
        frames = traceback.extract_tb(exc.__traceback__)
        where = "; ".join(f"{f.filename}:{f.lineno} in {f.name}" for f in frames[-4:])
        app.logger.error("unexpected %s at %s", type(exc).__name__, where)
        return _error_page(
            _("Something went wrong"),
            _(
                "The server could not finish. Nothing was kept. Try again; if it happens again, tell the IT team."
            ),
            500,
        )


def _megabytes(size: int) -> str:
    value = size / (1024 * 1024)
    return f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}".replace(".", ",")
