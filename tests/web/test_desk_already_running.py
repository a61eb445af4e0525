"""A second launch finds our desk on its port and opens it; another program on the port is not ours."""

from __future__ import annotations

import http.server
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from generator.web.already_running import desk_url, open_running_desk, our_desk_answers


@dataclass
class RunningDesk:
    port: int


@pytest.fixture(scope="module")
def running_desk() -> Iterator[RunningDesk]:
    """``serve`` in its own process, as a first double-click starts it (stopped with SIGTERM).

    A process rather than a thread: closing waitress from another thread
    while its loop waits can fail with EBADF in that loop.
    """
    env = {**os.environ, "LANG": "C.UTF-8", "LC_ALL": ""}
    proc = subprocess.Popen(
        [sys.executable, "-m", "generator", "serve", "--host", "127.0.0.1", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
    )  # fmt: skip
    try:
        assert proc.stdout is not None
        match = re.search(r"http://127\.0\.0\.1:(\d+)/", proc.stdout.readline())
        assert match, "serve did not say where it listens"
        yield RunningDesk(int(match.group(1)))
    finally:
        proc.terminate()
        proc.wait(30)
        if proc.stdout is not None:
            proc.stdout.close()


@pytest.fixture
def other_program() -> Iterator[int]:
    """An HTTP server that is not the desk (another program on the port)."""
    httpd = http.server.HTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    httpd.RequestHandlerClass.log_message = lambda *a: None  # type: ignore[method-assign]
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd.server_address[1]
    finally:
        httpd.shutdown()
        httpd.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_our_running_desk_is_recognised_and_opened_in_the_browser(running_desk: RunningDesk) -> None:
    opened: list[str] = []
    said: list[str] = []
    assert our_desk_answers("127.0.0.1", running_desk.port)
    assert open_running_desk("127.0.0.1", running_desk.port, opened.append, said.append)
    assert opened == [f"http://127.0.0.1:{running_desk.port}/"]
    assert opened[0] in said[0]


def test_a_desk_listening_everywhere_is_reached_on_the_loopback(running_desk: RunningDesk) -> None:
    assert our_desk_answers("0.0.0.0", running_desk.port)
    assert desk_url("0.0.0.0", running_desk.port) == f"http://127.0.0.1:{running_desk.port}/"


def test_another_program_on_the_port_is_not_our_desk(other_program: int) -> None:
    opened: list[str] = []
    assert not our_desk_answers("127.0.0.1", other_program)
    assert not open_running_desk("127.0.0.1", other_program, opened.append, opened.append)
    assert opened == []


def test_nothing_listening_is_not_our_desk() -> None:
    opened: list[str] = []
    assert not open_running_desk("127.0.0.1", free_port(), opened.append, opened.append)
    assert opened == []


def test_a_silent_program_on_the_port_is_not_our_desk() -> None:
    """A program that accepts and never answers: the check gives up at its timeout."""
    with socket.create_server(("127.0.0.1", 0)) as listener:
        assert not our_desk_answers("127.0.0.1", listener.getsockname()[1], timeout=0.3)


def test_an_ipv6_host_is_bracketed_in_the_address() -> None:
    assert desk_url("::1", 8000) == "http://[::1]:8000/"


def test_serve_open_a_second_time_opens_the_running_desk(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve --open`` when our desk already answers on the port: the browser opened on it, exit 0, nothing served."""
    from generator.cli import main
    from generator.web import already_running
    from generator.web.server import Server

    opened: list[str] = []
    monkeypatch.setattr(already_running, "our_desk_answers", lambda host, port: True)
    monkeypatch.setattr(already_running.webbrowser, "open", opened.append)
    monkeypatch.setattr(Server, "__init__", lambda *a, **k: pytest.fail("a second server was started"))
    assert main(["serve", "--open", "--port", "8765"]) == 0
    assert opened == ["http://127.0.0.1:8765/"]
