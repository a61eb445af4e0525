"""The desk one person cannot take down: the access code's budget, the Host check, the session cap and disk."""

from __future__ import annotations

import html
import os
import re
import threading
import time
from pathlib import Path

import pytest
from flask import Flask
from guardtools import Browser, rss_mb, served
from hypothesis import given, settings
from hypothesis import strategies as st
from webtools import token, upload

from generator import Procedure
from generator.web import batch, create_app, folders, hosts, security, shutdown, state
from generator.web.security import WrongTries
from generator.web.works import Work, Works

CODE = "code-secret-42"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _guarded(procedure: Procedure, **options: object) -> tuple[Flask, Clock]:
    app = create_app(procedure, access_code=CODE, secret_key=b"g" * 32, **options)  # type: ignore[arg-type]
    clock = Clock()
    tries = state(app).extra["wrong_tries"]
    assert isinstance(tries, WrongTries)
    tries.clock = clock
    return app, clock


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _try(client, code: str, address: str = "192.0.2.1"):  # noqa: ANN001, ANN202
    data = {"csrf_token": token(client, "/acces"), "code": code}
    return client.post("/acces", data=data, environ_base={"REMOTE_ADDR": address})


def test_wrong_codes_are_answered_at_once_with_429_and_retry_after(
    procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each wrong try makes its address wait a doubling delay; a try before its time: 429 at once, even the right code."""
    monkeypatch.setattr(security.time, "sleep", lambda _s: pytest.fail("a thread slept"))
    app, clock = _guarded(procedure, wrong_code_delay=1.0)
    client = app.test_client()
    assert _try(client, "nope").status_code == 401
    refused = _try(client, CODE)
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "Attendez 1 seconde," in _text(refused.get_data(as_text=True))
    assert client.get("/fiche").status_code == 303  # still outside
    clock.now += 1.0
    assert _try(client, "nope-again").status_code == 401
    assert _try(client, "x").headers["Retry-After"] == "2"
    assert _try(client, "x", address="192.0.2.2").status_code == 401  # another address: its own wait
    clock.now += 2.0
    assert _try(client, CODE).status_code == 303
    assert client.get("/fiche").status_code == 200


def test_the_whole_server_has_a_budget_of_wrong_codes_a_minute(procedure: Procedure) -> None:
    """Rotating addresses: past the server's budget every address waits, until the minute has passed."""
    app, clock = _guarded(procedure, wrong_code_delay=0.0, wrong_per_minute=5)
    client = app.test_client()
    for n in range(5):
        assert _try(client, "nope", address=f"198.51.100.{n}").status_code == 401
        clock.now += 1.0
    refused = _try(client, CODE, address="198.51.100.77")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "55"
    clock.now += 55.0
    assert _try(client, CODE, address="198.51.100.77").status_code == 303


def test_a_right_code_gives_its_try_back(procedure: Procedure) -> None:
    """Office staff typing the right code never use the server's budget up."""
    app, clock = _guarded(procedure, wrong_code_delay=0.0, wrong_per_minute=2)
    for n in range(10):
        assert _try(app.test_client(), CODE, address=f"203.0.113.{n}").status_code == 303
    assert _try(app.test_client(), "nope").status_code == 401


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(st.sampled_from(["a", "b", "c", "d"]), st.floats(0, 5), st.booleans()), max_size=80)
)
def test_budget_rules_hold_for_any_sequence_of_tries(tries: list[tuple[str, float, bool]]) -> None:
    """Compared tries: at most ``per_minute`` wrong ones in any minute; an address's wrong tries spaced by its doubling delay."""
    clock = Clock()
    budget = WrongTries(0.5, per_minute=6, clock=clock)
    wrong: list[float] = []
    last: dict[str, tuple[int, float]] = {}
    for client, step, right in tries:
        clock.now += step
        if budget.attempt(client) > 0:
            continue
        count, at = last.get(client, (0, -1e9))
        assert clock.now - at >= min(0.5 * 2 ** (count - 1), security.MAX_DELAY) - 1e-9 or count == 0
        if right:
            budget.succeeded(client)
            last.pop(client, None)
            continue
        wrong.append(clock.now)
        last[client] = (count + 1, clock.now)
        assert sum(1 for t in wrong if t > clock.now - 60.0) <= 6


def test_tries_sent_at_once_are_one_guess(procedure: Procedure) -> None:
    """8 wrong codes at once from one address through waitress: one compared (401), the others 429 at once."""
    app = create_app(procedure, access_code=CODE, secret_key=b"h" * 32, wrong_code_delay=30.0)
    with served(app) as server:
        browsers = [Browser(server.port) for _ in range(8)]
        tokens = [b.token("/acces") for b in browsers]
        statuses: list[int] = []
        threads = [
            threading.Thread(
                target=lambda b=b, t=t: statuses.append(
                    b.post("/acces", {"csrf_token": t, "code": "x"}).status
                )
            )
            for b, t in zip(browsers, tokens, strict=True)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)
    assert sorted(statuses) == [401] + [429] * 7


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("localhost", 200),
        ("localhost:8000", 200),
        ("127.0.0.1:8000", 200),
        ("[::1]:8000", 200),
        ("[0:0::1]", 200),
        ("desk.example.fr", 200),
        ("DESK.example.fr:443", 200),
        ("evil.example", 400),
        ("desk.example.fr.evil.example", 400),
        ("localhost.evil.example", 400),
        ("[::2]:8000", 400),
        ("127.0.0.2", 400),
        ("localhost:99999", 400),
        ("", 400),
    ],
)
def test_only_the_served_names_are_answered(procedure: Procedure, host: str, status: int) -> None:
    """DNS rebinding: a page of another name pointed at this machine gets 400, in French, before the app."""
    app = create_app(procedure, allowed_hosts=["desk.example.fr"])
    response = app.test_client().get("/fiche", headers={"Host": host})
    assert response.status_code == status
    if status == 400:
        page = response.get_data(as_text=True)
        assert "Ce serveur ne répond pas à l'adresse" in html.unescape(page) and 'lang="fr"' in page
        assert not host or host not in page


def test_served_names_follow_the_listening_address(procedure: Procedure) -> None:
    """The address listened on is answered; on 0.0.0.0, the machine's own name too; ::1 as [::1]."""
    import socket

    assert hosts.served_names("192.168.1.10") >= {"localhost", "127.0.0.1", "[::1]", "192.168.1.10"}
    assert socket.gethostname().lower() in hosts.served_names("0.0.0.0")
    assert "[fe80::1]" in hosts.served_names("::1", ["fe80::1"])
    app = create_app(procedure)
    with served(app) as server:
        assert Browser(server.port).get("/fiche").status == 200
        assert Browser(server.port).get("/fiche", {"Host": "rebound.example"}).status == 400


@given(st.from_regex(r"[a-z0-9.-]{1,30}(:[1-9][0-9]{0,3})?", fullmatch=True))
def test_no_other_name_is_answered(header: str) -> None:
    names = hosts.served_names("localhost", ["desk.example.fr"])
    name = header.rsplit(":", 1)[0] if ":" in header else header
    assert hosts.host_allowed(header, names) == (name in names)


def test_the_session_cap_holds_when_uploads_race(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """25 uploads at once through waitress: at most 20 sessions, and every other browser told the server is busy."""
    real = folders.Held.__init__

    def slow(self: folders.Held, parent: Path) -> None:
        time.sleep(0.05)  # the time a busy disk takes: the window in which the cap was passed
        real(self, parent)

    monkeypatch.setattr(folders.Held, "__init__", slow)
    app = create_app(procedure, secret_key=b"r" * 32, work_dir=tmp_path)
    roster = "Prénom;Nom\nMarie;Dupont\n".encode()
    with served(app) as server:
        browsers = [Browser(server.port) for _ in range(25)]
        tokens = [b.token("/session") for b in browsers]
        statuses: list[int] = []

        def send(browser: Browser, csrf: str) -> None:
            fields = {"csrf_token": csrf, "formats": ["pdf"]}
            statuses.append(browser.post("/session", fields, {"roster": ("liste.csv", roster)}).status)

        threads = [threading.Thread(target=send, args=pair) for pair in zip(browsers, tokens, strict=True)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        works = state(app).extra["works"]
        held = len(works)  # type: ignore[arg-type]
        on_disk = len(list(tmp_path.glob(f"{folders.PREFIX}*")))
        rss = rss_mb(os.getpid())
    print(f"\n25 uploads at once: {held} sessions; RSS of the tests' process, server in it: {rss:.0f} MB")
    assert held == 20 and on_disk == 20
    assert sorted(statuses) == [303] * 20 + [503] * 5


def _session_run(app: Flask, people: int) -> tuple[str, Work]:
    """A list of ``people`` sent and made in both formats: the result page's words, the session."""
    client = app.test_client()
    rows = "".join(f"Prénom{chr(97 + i // 26)}{chr(97 + i % 26)};Nom\n" for i in range(people))
    response = upload(client, ("Prénom;Nom\n" + rows).encode(), "liste.csv", formats=["pdf", "docx"])
    work_id = response.headers["Location"].rsplit("/", 1)[1]
    client.post(f"/session/{work_id}/creer", data={"csrf_token": token(client, "/session")})
    deadline = time.monotonic() + 60
    while not client.get(f"/session/{work_id}/avancement.json").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    works = state(app).extra["works"]
    assert isinstance(works, Works)
    return _text(client.get(f"/session/{work_id}/resultat").get_data(as_text=True)), works._works[work_id]


def test_a_session_s_disk_is_bounded(procedure: Procedure, tmp_path: Path) -> None:
    """Past its budget the run stops, a French message says why, and what it wrote is gone."""
    app = create_app(procedure, secret_key=b"d" * 32, work_dir=tmp_path, session_bytes=1024 * 1024)
    words, work = _session_run(app, 40)
    assert "prendraient plus de 1 Mo sur le serveur" in words and "Télécharger toutes les fiches" not in words
    assert [p for p in work.out.rglob("*") if p.is_file()] == []
    shutdown(app)


def test_the_run_is_stopped_as_it_writes(procedure: Procedure, tmp_path: Path) -> None:
    """A budget the first sheets pass: the run stops at its first measure, long before its 40 people."""
    app = create_app(procedure, secret_key=b"e" * 32, work_dir=tmp_path, session_bytes=200 * 1024)
    words, work = _session_run(app, 40)
    assert "prendraient plus de 0,2 Mo sur le serveur" in words
    assert work.batch is not None and work.batch.outcome == "too-large"
    assert 0 < work.batch._done.value < 40  # the sheets made when it was stopped
    assert [p for p in work.out.rglob("*") if p.is_file()] == []
    shutdown(app)


def test_the_disk_is_measured_as_the_run_writes(tmp_path: Path) -> None:
    """Every file under the session's folder counts, the ZIP to come as much again; measured at most every DISK_EVERY."""
    (tmp_path / "fiches" / ".staging").mkdir(parents=True)
    (tmp_path / "liste.csv").write_bytes(b"x" * 100)
    (tmp_path / "fiches" / ".staging" / "a.pdf").write_bytes(b"x" * 300)
    assert batch.folder_bytes(tmp_path) == 400
    disk = batch._Disk(tmp_path, budget=1000)
    assert not disk.over(now=10.0)
    (tmp_path / "fiches" / "b.pdf").write_bytes(b"x" * 101)  # 501 bytes: 1002 with the ZIP
    assert not disk.over(now=10.0 + batch.DISK_EVERY / 2)  # not measured again so soon
    assert disk.over(now=10.0 + batch.DISK_EVERY)
    assert not batch._Disk(tmp_path, budget=None).over(now=99.0)


def test_serve_options_reach_waitress_and_the_host_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """``serve --behind-proxy --allowed-host NAME``: the proxy trusted by waitress for its two headers, NAME answered."""
    from generator.cli import main
    from generator.web.server import Server

    seen: list[Server] = []
    monkeypatch.setattr(Server, "run", lambda self: seen.append(self))
    monkeypatch.setenv("GENERATOR_ACCESS_CODE", "code-du-service")
    assert main(["serve", "--port", "0", "--behind-proxy", "--allowed-host", "Guichet.example.fr"]) == 0
    adjustments = seen[0]._server.adj
    assert adjustments.trusted_proxy == "127.0.0.1" and adjustments.trusted_proxy_count == 1
    assert adjustments.trusted_proxy_headers == {"x-forwarded-for", "x-forwarded-proto"}
    assert adjustments.clear_untrusted_proxy_headers and adjustments.connection_limit == 400
    assert "guichet.example.fr" in state(seen[0].app).hosts
    assert main(["serve", "--port", "0"]) == 0
    assert seen[1]._server.adj.trusted_proxy is None and "guichet.example.fr" not in state(seen[1].app).hosts


def test_behind_a_proxy_the_desk_needs_an_access_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Behind a proxy the socket is on loopback but anyone reaching the proxy reaches the pages: no code, no desk."""
    from generator.cli import main
    from generator.web.server import Server

    monkeypatch.delenv("GENERATOR_ACCESS_CODE", raising=False)
    monkeypatch.setattr(Server, "run", lambda self: pytest.fail("the desk was served without a code"))
    assert main(["serve", "--port", "0", "--behind-proxy"]) == 1
    assert "GENERATOR_ACCESS_CODE" in capsys.readouterr().err


@pytest.mark.parametrize("address", ["*", "localhost", "proxy.example.fr"])
def test_the_proxy_is_named_by_its_ip_address(
    address: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """waitress compares the proxy with the peer's address as text: ``*`` or a name would trust all or none."""
    from generator.cli import main
    from generator.web.server import Server

    monkeypatch.setenv("GENERATOR_ACCESS_CODE", "code-du-service")
    monkeypatch.setattr(Server, "run", lambda self: pytest.fail("served with an unchecked proxy"))
    assert main(["serve", "--port", "0", "--behind-proxy", address]) == 1
    assert "--behind-proxy" in capsys.readouterr().err


def test_wrong_codes_counted_past_a_thousand_still_get_429() -> None:
    """The doubling wait stops growing: 2**1024 would overflow and answer 500."""
    from generator.web.security import WrongTries

    now = [0.0]
    tries = WrongTries(delay=1.0, per_minute=10**9, clock=lambda: now[0])
    for _ in range(1100):
        assert tries.attempt("192.0.2.1") == 0.0
        now[0] += 3600.0


def test_an_ipv6_household_shares_one_budget() -> None:
    """Addresses of one IPv6 /64 count as one client; IPv4 and mapped IPv4 as themselves."""
    from generator.web.security import client_key

    assert client_key("2001:db8:1:2::a") == client_key("2001:db8:1:2:ffff::b") == "2001:db8:1:2::/64"
    assert client_key("2001:db8:1:3::a") != client_key("2001:db8:1:2::a")
    assert client_key("::ffff:192.0.2.7") == client_key("192.0.2.7") == "192.0.2.7"
    assert client_key("?") == "?"
