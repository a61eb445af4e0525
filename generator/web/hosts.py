"""The Host header check: the desk answers only to the names it is served under (no DNS rebinding).

A page of another site whose name was made to point at this machine (DNS
rebinding) sends its own name in ``Host``: it is refused with 400 before
Flask sees the request. Names are checked with werkzeug's
``host_is_trusted``; an IPv6 literal (``[::1]``) is compared as an address,
since werkzeug 3.1 cuts a trusted ``[::1]`` at its first colon and so never
matches one. An IP literal cannot be rebound; it is still checked, as asked.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable
from typing import Any

from markupsafe import escape
from werkzeug.sansio.utils import host_is_trusted
from werkzeug.wrappers import Response

from ..i18n import _, use_language

LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
WILDCARDS = ("", "0.0.0.0", "::", "[::]")
_IPV6_HOST = re.compile(r"\[([0-9a-fA-F:.]+)\](?::([1-9][0-9]{0,4}))?")


def served_names(host: str, allowed: Iterable[str] = ()) -> set[str]:
    """The names a browser may use: the loopback ones, the listening address, and ``allowed``.

    Listening on every address (0.0.0.0), the machine's own name is one too;
    any other name or address people type must be given (``--allowed-host``).
    """
    names = set(LOOPBACK_NAMES)
    if host.lower() in WILDCARDS:
        names.add(socket.gethostname().lower())
    else:
        names.add(host.lower())
    names.update(name.strip().lower() for name in allowed if name.strip())
    return {_bracketed(name) for name in names}


def _bracketed(name: str) -> str:
    """``::1`` as a Host header writes it: ``[::1]``."""
    try:
        address = ipaddress.ip_address(name.strip("[]"))
    except ValueError:
        return name
    return f"[{address}]" if address.version == 6 else str(address)


def host_allowed(header: str | None, names: set[str]) -> bool:
    """Whether a ``Host`` header (``name[:port]``) names one of ``names``."""
    if not header:
        return False
    match = _IPV6_HOST.fullmatch(header)
    if match is None:
        plain = [name for name in names if not name.startswith("[")]
        return host_is_trusted(header.lower(), plain)
    if match.group(2) and int(match.group(2)) > 65535:
        return False
    try:
        return f"[{ipaddress.IPv6Address(match.group(1))}]" in names
    except ValueError:
        return False


class HostCheck:
    """WSGI middleware: a request whose Host is not one of ``names`` gets 400 (``names`` may grow later)."""

    def __init__(self, app: Callable[..., Any], names: set[str]) -> None:
        self.app, self.names = app, names

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if host_allowed(environ.get("HTTP_HOST"), self.names):
            return self.app(environ, start_response)
        return _refused()(environ, start_response)


def _refused() -> Response:
    """A French page of its own (the desk's templates need a request the app accepted); the Host not said back."""
    with use_language("fr"):
        title = _("Address not recognised")
        text = _(
            "This server does not answer to the address typed. Open it with the address "
            "the IT team gave (or ask them to add this one with serve --allowed-host)."
        )
    page = (
        f'<!doctype html>\n<html lang="fr">\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
        f"<h1>{escape(title)}</h1>\n<p>{escape(text)}</p>\n</html>\n"
    )
    response = Response(page, 400, mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    response.headers["Content-Security-Policy"] = "default-src 'none'"
    return response
