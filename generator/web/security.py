"""What every response goes through: French, headers, CSRF, the access code, errors that never leak.

- CSRF: Flask-WTF's CSRFProtect on every POST (forms and the live identifier).
- Headers: a Content-Security-Policy with the app's own scripts and styles
  only, nosniff, no framing, no referrer, ``Cache-Control: no-store``.
- The access code (when the server listens beyond this machine): asked
  once per browser session, compared in constant time. Guessing is bounded
  without ever holding a thread: after a wrong try a client address waits
  a delay that doubles (at most a minute), and the whole server accepts at
  most ``WRONG_PER_MINUTE`` wrong tries a minute; a try before its time is
  answered at once with 429 and ``Retry-After``.
- The Host header: only the names this server answers to (``hosts``), a
  page of a DNS-rebinding site is refused before Flask sees it.
- Errors: French pages; a failure is logged by its type and place only,
  since an exception's message may quote what was typed.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import math
import threading
import time
import traceback
from collections import OrderedDict, deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, redirect, render_template, request, session, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.exceptions import HTTPException

from ..i18n import _, ngettext, reset_language, set_language

if TYPE_CHECKING:
    from . import WebState
from . import hosts

CSP = (
    # font-src: the DSFR's Marianne and Spectral, vendored under static/dsfr/fonts.
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
MAX_DELAY = 60.0  # seconds a client address waits at most after its wrong tries
WRONG_PER_MINUTE = 20  # wrong tries the whole server accepts a minute, whatever their addresses
KEPT_CLIENTS = 10_000  # addresses remembered; past it the oldest are forgotten (the server budget remains)
# The legal pages are linked from every page, the access code page too: readable before the code.
OPEN_ENDPOINTS = frozenset(
    {"security.access", "static", "legal.accessibility", "legal.personal_data", "legal.notice"}
)


class _SessionInterface(SecureCookieSessionInterface):
    """The session cookie is Secure whenever the page came over https (behind a proxy too)."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return bool(request and request.is_secure) or super().get_cookie_secure(app)


class WrongTries:
    """The budget of wrong access codes: per client address (a doubling wait) and for the whole server.

    ``attempt`` is taken before the code is compared and counts as a wrong
    try until ``succeeded`` gives it back: 8 tries sent at once are 1 try
    compared and 7 refused, never 8 guesses.
    """

    def __init__(
        self, delay: float, per_minute: int = WRONG_PER_MINUTE, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.delay, self.per_minute, self.clock = delay, per_minute, clock
        self._lock = threading.Lock()
        self._clients: OrderedDict[str, tuple[int, float]] = OrderedDict()  # wrong tries, next allowed
        self._recent: deque[float] = deque()  # the server's wrong tries of the last minute

    def attempt(self, client: str) -> float:
        """0: the try may be compared (and is counted); else the seconds to wait before trying again."""
        now = self.clock()
        with self._lock:
            while self._recent and self._recent[0] <= now - 60.0:
                self._recent.popleft()
            count, allowed = self._clients.get(client, (0, now))
            wait = max(allowed - now, 0.0)
            if len(self._recent) >= self.per_minute:
                wait = max(wait, self._recent[0] + 60.0 - now)
            if wait > 0:
                return wait
            self._recent.append(now)
            self._clients[client] = (count + 1, now + min(self.delay * 2 ** min(count, 16), MAX_DELAY))
            self._clients.move_to_end(client)
            if len(self._clients) > KEPT_CLIENTS:
                self._clients.popitem(last=False)
            return 0.0

    def succeeded(self, client: str) -> None:
        """The right code: the client's count forgotten, its try given back to the server's budget."""
        with self._lock:
            self._clients.pop(client, None)
            if self._recent:
                self._recent.pop()


def client_key(address: str) -> str:
    """Whom a budget of wrong tries belongs to: an IPv4 address, or an IPv6 /64 (one household's many addresses)."""
    try:
        ip = ipaddress.ip_address(address.strip("[]"))
    except ValueError:
        return address
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def _digest(text: str) -> bytes:
    # Equal lengths for compare_digest, whatever was typed.
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()


def code_matches(given: str, expected: str) -> bool:
    """Constant-time comparison of a typed access code with the expected one."""
    return hmac.compare_digest(_digest(given.strip()), _digest(expected))


def install(app: Flask) -> None:
    from . import state

    web = state(app)
    # The client's address and the scheme come from waitress: behind a proxy
    # (serve --behind-proxy) its trusted_proxy settings read X-Forwarded-For
    # and X-Forwarded-Proto; otherwise they are the socket's, whatever is sent.
    app.wsgi_app = hosts.HostCheck(app.wsgi_app, web.hosts)  # type: ignore[method-assign]
    app.session_interface = _SessionInterface()

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

    app.after_request(_headers)
    _access_page(app, web)
    _errors(app)


def _headers(response: Response) -> Response:
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


def _access_page(app: Flask, web: WebState) -> None:
    """/acces: the access code asked, within the budget of wrong tries."""
    tries = WrongTries(web.wrong_code_delay, web.wrong_per_minute)
    web.extra["wrong_tries"] = tries

    def access() -> Any:
        if web.access_code is None:
            return redirect(url_for("desk.home"), code=303)
        if request.method != "POST":
            return render_template("acces.html", error="")
        client = client_key(request.remote_addr or "?")
        wait = tries.attempt(client)
        if wait > 0:
            return _too_many(wait)
        if not code_matches(request.form.get("code", ""), web.access_code):
            error = _("The access code is not the right one. Type it again.")
            return render_template("acces.html", error=error), 401
        tries.succeeded(client)
        after = session.pop("after_access", "/")
        session.clear()
        session["access"] = True
        session.permanent = False
        return redirect(after if after.startswith("/") and not after.startswith("//") else "/", 303)

    from flask import Blueprint

    blueprint = Blueprint("security", __name__)
    blueprint.add_url_rule("/acces", "access", access, methods=["GET", "POST"])
    app.register_blueprint(blueprint)


def _too_many(wait: float) -> Response:
    """Answered at once: no thread of the server sleeps for a guesser."""
    seconds = max(1, math.ceil(wait))
    error = ngettext(
        "Too many wrong access codes were typed. Wait {seconds} second, then type it again.",
        "Too many wrong access codes were typed. Wait {seconds} seconds, then type it again.",
        seconds,
    ).format(seconds=seconds)
    response = Response(render_template("acces.html", error=error), 429)
    response.headers["Retry-After"] = str(seconds)
    return response


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
