"""Whether our own desk already answers on a host and port, so a second launch opens it instead of failing."""

from __future__ import annotations

import http.client
import webbrowser
from collections.abc import Callable

from ..i18n import _

# waitress sends its ``ident`` as the Server header; server.py starts it with ident="generator".
SERVER_IDENT = "generator"


def desk_url(host: str, port: int) -> str:
    """The address a browser on this machine uses for a desk listening on ``host:port``."""
    if host in ("0.0.0.0", "", "::"):
        host = "127.0.0.1"  # listening everywhere: the loopback reaches it
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def our_desk_answers(host: str, port: int, timeout: float = 2.0) -> bool:
    """True when ``GET /`` on ``host:port`` is answered by our desk (its Server header), False otherwise.

    http.client, not urllib: urllib would send a loopback request through the
    proxy Windows is set to use. Any failure (nothing listening, another
    program, a closed connection) is False: then the port is simply taken.
    """
    target = "127.0.0.1" if host in ("0.0.0.0", "") else "::1" if host == "::" else host
    connection = http.client.HTTPConnection(target, port, timeout=timeout)
    try:
        connection.request("GET", "/", headers={"Accept": "text/html"})
        response = connection.getresponse()
        return response.getheader("Server", "") == SERVER_IDENT
    except (OSError, http.client.HTTPException):
        return False
    finally:
        connection.close()


def open_running_desk(
    host: str,
    port: int,
    opener: Callable[[str], object] | None = None,
    announce: Callable[[str], object] = print,
) -> bool:
    """Open the browser on our desk when it already runs on ``host:port``, say so; whether it did.

    ``serve --open`` calls it before listening: a second double-click on the
    Windows shortcut then shows the running desk and exits 0.
    """
    if not our_desk_answers(host, port):
        return False
    url = desk_url(host, port)
    announce(_("the desk is already running on {url}: opening it in the browser").format(url=url))
    (opener or webbrowser.open)(url)  # looked up now: the browser module's own choice at that moment
    return True
