"""Serving the app with waitress: the address check, waitress's limits, start, stop. Prints nothing (the CLI does).

server = start(app, host="127.0.0.1", port=8000)  # behind_proxy="127.0.0.1": the proxy's address
url = server.url  # the CLI prints it
server.run()      # until Ctrl-C (or server.close() from another thread)
server.close()    # sockets closed, signing sessions' folders removed
"""

from __future__ import annotations

import ipaddress
import socket
import webbrowser
from typing import Any

from flask import Flask

from .. import GeneratorError
from ..i18n import _

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
ACCESS_CODE_ENV = "GENERATOR_ACCESS_CODE"
# Pages are quick; a signing session's "Créer les fiches" holds one for 2 s. Tried with 3, 8, 12,
# 16 and 24 under the load run (18 users at the desk with no pause, 2 sessions, 2 cores): more
# threads made the light pages faster and "Créer la fiche" slower (users came back sooner to
# wait for a picture), fewer made every page wait; 8 gave the lowest p95 of the slowest kind.
THREADS = 8
# waitress's limits, so that one person cannot take the desk down: a half-sent request is cut
# after CHANNEL_TIMEOUT seconds without a byte (checked every CLEANUP_INTERVAL), and
# connections are accepted well above an office's browsers (waitress's default is 100).
# A connection being answered (a ZIP being downloaded) is never cut by the timeout.
CHANNEL_TIMEOUT = 10
CLEANUP_INTERVAL = 2
CONNECTION_LIMIT = 400  # under the 512 sockets select() watches on Windows
# Behind a reverse proxy: the client's address and the scheme (https: Secure cookies) from
# these headers, read by waitress, and only from the proxy's address.
PROXY_HEADERS = frozenset({"x-forwarded-for", "x-forwarded-proto"})


class ServeError(GeneratorError):
    """The server cannot start as asked (an address refused, a port taken)."""


def is_loopback(host: str) -> bool:
    """The address only this machine reaches (127.0.0.0/8, ::1, localhost)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(
    host: str, access_code: str | None, env_name: str = ACCESS_CODE_ENV, behind_proxy: str | None = None
) -> None:
    """Personal data on the network only behind an access code: any other address needs one.

    Behind a proxy the socket is on loopback but the pages reach whoever
    reaches the proxy: an access code is needed all the same.
    """
    if behind_proxy:
        check_proxy_address(behind_proxy)
    if (behind_proxy or not is_loopback(host)) and not access_code:
        raise ServeError(
            _(
                "refusing to listen on {host} without an access code: set the environment variable "
                "{env} to a code to give the office staff, or keep the default address 127.0.0.1"
            ).format(host=host, env=env_name)
        )


class Server:
    """A waitress server running one app; ``behind_proxy``: the address of the reverse proxy trusted."""

    def __init__(
        self, app: Flask, host: str, port: int, threads: int = THREADS, behind_proxy: str | None = None
    ) -> None:
        from . import hosts, state

        self.app = app
        sock = _listen(host, port)
        try:
            self._server: Any = _waitress(app, sock, threads, behind_proxy)
        except BaseException:
            sock.close()
            raise
        self.host = host
        self.port = int(self._server.effective_port)
        self._closed = False
        # The address listened on is a name the pages answer to.
        state(app).hosts.update(hosts.served_names(host))

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else "::1" if self.host == "::" else self.host
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def run(self) -> None:
        """Serve until Ctrl-C or ``close()``; waitress turns Ctrl-C into a clean return."""
        try:
            self._server.run()
        except KeyboardInterrupt:
            pass

    def open_browser(self) -> bool:
        return webbrowser.open(self.url)

    def close(self) -> None:
        """Stop listening, end the worker threads, remove what signing sessions left."""
        if self._closed:
            return
        self._closed = True
        from waitress import wasyncore

        socket_map = getattr(self._server, "map", None) or getattr(self._server, "_map", {})
        wasyncore.close_all(socket_map)
        self._server.task_dispatcher.shutdown()
        from . import shutdown

        shutdown(self.app)


def start(
    app: Flask, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, behind_proxy: str | None = None
) -> Server:
    """A server listening on ``host:port`` (0: any free port), not yet serving; see ``Server.run``."""
    from . import state

    check_host(host, state(app).access_code)
    return Server(app, host, port, behind_proxy=behind_proxy)


def _listen(host: str, port: int) -> socket.socket:
    """The socket is ours: a port already taken fails here, before waitress has started threads."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise ServeError(
            _("cannot listen on {host}:{port} ({reason}): choose another --port or --host").format(
                host=host, port=port, reason=exc.strerror or exc
            )
        ) from None


def check_proxy_address(address: str) -> str:
    """The proxy's one IP address, as waitress compares it with the peer's (never ``*`` nor a name)."""
    try:
        return str(ipaddress.ip_address(address.strip("[]")))
    except ValueError:
        raise ServeError(
            _("--behind-proxy {address}: expected the IP address of the proxy, like 127.0.0.1").format(
                address=repr(address)
            )
        ) from None


def _waitress(app: Flask, sock: socket.socket, threads: int, behind_proxy: str | None) -> Any:
    from waitress.server import create_server

    proxy: dict[str, Any] = {}
    if behind_proxy:
        proxy = {
            "trusted_proxy": check_proxy_address(behind_proxy),
            "trusted_proxy_count": 1,
            "trusted_proxy_headers": set(PROXY_HEADERS),
        }
    return create_server(
        app,
        sockets=[sock],
        threads=threads,
        ident="generator",
        expose_tracebacks=False,
        # What a browser sends is small; the app refuses anything larger with a page of its own.
        max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]) * 2,
        channel_timeout=CHANNEL_TIMEOUT,
        cleanup_interval=CLEANUP_INTERVAL,
        connection_limit=CONNECTION_LIMIT,
        asyncore_use_poll=True,  # select() cannot watch sockets numbered past 1024
        # X-Forwarded-* from anyone but the trusted proxy never reach the app.
        clear_untrusted_proxy_headers=True,
        **proxy,
    )
