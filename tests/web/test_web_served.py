"""The desk under attack, through waitress itself: slow clients, guessers, a proxy, a server killed mid-batch.

The server runs as ``python -m generator serve`` in a process of its own
(its memory measured apart from the tests'); times and memory are printed
(``pytest -s``) for the report, and bounded generously in the asserts.
"""

from __future__ import annotations

import os
import signal
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from guardtools import Browser, ServerProcess, alive, children, served, wait_until

from generator import Procedure
from generator.web import create_app, server

pytestmark = pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="measures with Linux's /proc")

CODE = "code-secret-42"
PROXY = {"X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def desk(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """A desk with an access code, behind a proxy on 127.0.0.1 (the tests' own address)."""
    env = {"GENERATOR_ACCESS_CODE": CODE, "TMPDIR": str(tmp_path_factory.mktemp("desk"))}
    process = ServerProcess("--behind-proxy", "127.0.0.1", "--allowed-host", "desk.example.fr", env=env)
    yield process
    process.stop()


def _signed_in(port: int, client: str) -> Browser:
    browser = Browser(port)
    headers = {**PROXY, "X-Forwarded-For": client}
    answer = browser.post("/acces", {"csrf_token": browser.token("/acces"), "code": CODE}, headers=headers)
    assert answer.status == 303
    return browser


def _timed_page(browser: Browser, headers: dict[str, str] | None = None) -> float:
    start = time.monotonic()
    answer = browser.get("/fiche", headers)
    took = time.monotonic() - start
    assert answer.status == 200 and "Prénom" in answer.text
    return took


def test_behind_the_proxy_cookies_are_secure_and_each_client_has_its_budget(desk: ServerProcess) -> None:
    """X-Forwarded-Proto: https from the trusted proxy gives Secure cookies; X-Forwarded-For, the client's budget."""
    plain = Browser(desk.port)
    plain.token("/acces")  # http from the proxy too: a cookie without Secure
    assert plain.set_cookies and not any("Secure" in line for line in plain.set_cookies)
    browser = Browser(desk.port)
    token = browser.token("/acces", headers={**PROXY, "X-Forwarded-For": "203.0.113.9"})
    assert browser.set_cookies and all("Secure" in line for line in browser.set_cookies)
    wrong = {"csrf_token": token, "code": "nope"}
    first = browser.post("/acces", wrong, headers={**PROXY, "X-Forwarded-For": "203.0.113.9"})
    assert first.status == 401
    again = browser.post("/acces", wrong, headers={**PROXY, "X-Forwarded-For": "203.0.113.9"})
    assert again.status == 429 and int(again.headers["Retry-After"]) >= 1
    other = browser.post("/acces", wrong, headers={**PROXY, "X-Forwarded-For": "203.0.113.10"})
    assert other.status == 401  # another client behind the same proxy: a budget of its own


def test_without_behind_proxy_forwarded_headers_count_for_nothing(procedure: Procedure) -> None:
    """Directly reached, X-Forwarded-* are dropped: no Secure over http, and rotating them does not rotate the budget."""
    app = create_app(procedure, access_code=CODE, secret_key=b"p" * 32)
    with served(app) as running:
        browser = Browser(running.port)
        token = browser.token("/acces", headers={**PROXY, "X-Forwarded-For": "203.0.113.9"})
        wrong = {"csrf_token": token, "code": "nope"}
        first = browser.post("/acces", wrong, headers={**PROXY, "X-Forwarded-For": "203.0.113.9"})
        assert first.status == 401 and not any("Secure" in line for line in browser.set_cookies)
        other = browser.post("/acces", wrong, headers={**PROXY, "X-Forwarded-For": "203.0.113.10"})
        assert other.status == 429


def test_eight_wrong_codes_at_once_leave_an_authorised_user_served(desk: ServerProcess) -> None:
    """The issue's 8 guesses at once: no thread sleeps, the authorised page comes at once."""
    user = _signed_in(desk.port, "198.51.100.1")
    guessers = [Browser(desk.port) for _ in range(8)]
    tokens = [g.token("/acces") for g in guessers]
    statuses: list[int] = []
    start = threading.Barrier(9)

    def guess(browser: Browser, token: str) -> None:
        start.wait()
        headers = {**PROXY, "X-Forwarded-For": "192.0.2.66"}
        statuses.append(
            browser.post("/acces", {"csrf_token": token, "code": "guess"}, headers=headers).status
        )

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(guessers, tokens, strict=True)]
    for thread in threads:
        thread.start()
    start.wait()
    took = _timed_page(user, {"X-Forwarded-For": "198.51.100.1"})
    for thread in threads:
        thread.join(10)
    print(f"\n8 wrong codes at once: authorised page in {took:.3f} s; server RSS {desk.rss_mb():.0f} MB")
    assert sorted(statuses) == [401] + [429] * 7
    assert took < 5.0  # the issue asks 1 s; generous for a loaded machine, the measure is printed


def test_150_half_open_connections_leave_an_authorised_user_served(desk: ServerProcess) -> None:
    """Half a request line on 150 sockets (waitress's former limit was 100): a full request is still served."""
    user = _signed_in(desk.port, "198.51.100.2")
    slow: list[socket.socket] = []
    try:
        for _ in range(150):
            sock = socket.create_connection(("127.0.0.1", desk.port), timeout=5)
            sock.sendall(b"GET /fic")
            slow.append(sock)
        took = _timed_page(user)
        still_open = sum(_open(sock) for sock in slow)
        rss = desk.rss_mb()
    finally:
        for sock in slow:
            sock.close()
    print(f"\n150 half-open connections: authorised page in {took:.3f} s; server RSS {rss:.0f} MB")
    assert still_open == 150  # served while every slow one was still there
    assert took < 10.0  # the issue asks 2 s; generous for a loaded machine, the measure is printed
    assert rss < 300


def _open(sock: socket.socket) -> bool:
    """Whether the server keeps the connection (nothing to read, not closed)."""
    sock.setblocking(False)
    try:
        return sock.recv(1, socket.MSG_PEEK) != b""
    except BlockingIOError:
        return True
    except OSError:
        return False
    finally:
        sock.setblocking(True)


def test_half_sent_requests_are_cut_after_the_channel_timeout(
    procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A connection silent in the middle of its request is closed by waitress (here after 1 s, 10 s served)."""
    monkeypatch.setattr(server, "CHANNEL_TIMEOUT", 1)
    monkeypatch.setattr(server, "CLEANUP_INTERVAL", 1)
    with served(create_app(procedure)) as running:
        sock = socket.create_connection(("127.0.0.1", running.port), timeout=10)
        sock.sendall(b"GET /fiche HTTP/1.1\r\nHo")
        took = wait_until(lambda: not _open(sock), timeout=8, step=0.1)
        sock.close()
    print(f"\nhalf-sent request cut after {took:.1f} s")


def _roster(people: int) -> bytes:
    letters = "abcdefghijklmnopqrstuvwxyz"
    rows = [
        f"Prénom{letters[i // 676 % 26]}{letters[i // 26 % 26]}{letters[i % 26]};Nom\n" for i in range(people)
    ]
    return ("Prénom;Nom\n" + "".join(rows)).encode()


def _batch_of(server_pid: int) -> list[int]:
    """The server's batch process and its workers, once its pool runs: the multiprocessing child that has
    children (not the resource tracker, nor the picture workers, which have none)."""
    for pid in children(server_pid):
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"spawn_main" in command and b"resource_tracker" not in command and children(pid):
            return [pid, *children(pid)]
    return []


def test_a_batch_ends_when_its_server_is_killed(tmp_path: Path) -> None:
    """kill -9 the server mid-batch: the batch and its workers are gone within seconds, and their files too."""
    desk = ServerProcess(env={"TMPDIR": str(tmp_path)})
    try:
        browser = Browser(desk.port)
        fields = {"csrf_token": browser.token("/session"), "formats": ["pdf", "docx"]}
        answer = browser.post("/session", fields, {"roster": ("liste.csv", _roster(1500))})
        assert answer.status == 303, answer.text
        work = answer.headers["Location"]
        token = browser.token(work)
        threading.Thread(
            target=lambda: _quiet(lambda: browser.post(f"{work}/creer", {"csrf_token": token})), daemon=True
        ).start()
        wait_until(lambda: len(_batch_of(desk.pid)) > 1, timeout=30)  # the run and its pool
        sessions = next(tmp_path.glob("aesh-generator-sessions*"))
        wait_until(lambda: any((sessions).rglob("*.pdf")), timeout=30)  # it writes
        batch = _batch_of(desk.pid)
        rss = desk.rss_mb()
        os.kill(desk.pid, signal.SIGKILL)
        desk.process.wait()
        took = wait_until(lambda: not any(alive(pid) for pid in batch), timeout=15)
        left = [p for p in sessions.rglob("*") if p.is_file()]
    finally:
        desk.stop()
    print(
        f"\nserver killed mid-batch: batch and workers gone in {took:.2f} s; server RSS before {rss:.0f} MB"
    )
    assert took < 10.0
    assert left == []  # stopped writing, and the names and sheets went with it


def _quiet(call) -> None:  # noqa: ANN001
    try:
        call()
    except OSError:
        pass  # the server was killed under the request
