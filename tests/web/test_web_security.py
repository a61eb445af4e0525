"""Security of the pages: CSRF, headers, the access code, the cookie, logs and disk free of personal data."""

from __future__ import annotations

import builtins
import io
import logging
import os
import tempfile
import threading
import urllib.request
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import post_desk, token

from generator import Procedure
from generator.cli import main
from generator.errors import GeneratorError
from generator.web import create_app, security, service
from generator.web.server import ServeError, Server, check_host, is_loopback, start

NAME = "Zéphyrine"
FAMILY = "Quaglioxx"


@pytest.mark.parametrize("path", ["/fiche", "/fiche/identifiant", "/fiche/telecharger", "/acces"])
def test_post_without_a_valid_csrf_token_is_refused(client: FlaskClient, path: str) -> None:
    """No token, or a wrong one: 400 with a French page, and nothing made."""
    for data in ({"first_name": "Marie", "last_name": "Dupont", "format": "pdf"}, {"csrf_token": "forged"}):
        response = client.post(path, data=data)
        assert response.status_code == 400
        page = response.get_data(as_text=True)
        assert "La page a expiré" in page and "%PDF" not in page


def test_a_token_from_another_browser_session_is_refused(app: Flask) -> None:
    """A token is tied to the session that got it."""
    first, second = app.test_client(), app.test_client()
    stolen = token(first)
    token(second)
    response = second.post(
        "/fiche", data={"csrf_token": stolen, "first_name": "Marie", "last_name": "Dupont"}
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "path", ["/", "/fiche", "/affiche", "/affiche/flyer.pdf", "/nulle-part", "/static/style.css"]
)
def test_headers_on_every_response(client: FlaskClient, path: str) -> None:
    """CSP with our own scripts and styles only, nosniff, no framing, no referrer."""
    response = client.get(path)
    response.close()  # a static file is streamed from disk
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "style-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"
    if not path.startswith("/static/"):
        assert headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(client: FlaskClient) -> None:
    """The CSP forbids inline code: every script and style is a file."""
    for path in ("/", "/fiche", "/affiche"):
        page = client.get(path).get_data(as_text=True)
        assert (
            "<script>" not in page
            and "<style" not in page
            and " style=" not in page
            and "onclick" not in page
        )
        assert '<script src="/static/desk.js" defer></script>' in page


def test_personal_responses_are_not_stored(client: FlaskClient) -> None:
    """The sheet page, the live identifier and every file: Cache-Control no-store."""
    fields = {"first_name": "Marie", "last_name": "Dupont", "email": "m@example.org"}
    assert post_desk(client, **fields).headers["Cache-Control"] == "no-store"
    assert post_desk(client, "/fiche/identifiant", **fields).headers["Cache-Control"] == "no-store"
    for fmt in ("pdf", "docx", "eml"):
        response = client.post(
            "/fiche/telecharger", data={"csrf_token": token(client), "format": fmt, **fields}
        )
        assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


@pytest.fixture
def guarded(procedure: Procedure) -> Flask:
    return create_app(procedure, access_code="code-secret-42", wrong_code_delay=0.25)


def test_access_code_asked_once_per_browser_session(guarded: Flask) -> None:
    """Every page sends to /acces until the right code is given; then the pages answer."""
    client = guarded.test_client()
    for path in ("/", "/fiche", "/affiche/flyer.pdf"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/acces"
    assert client.post("/fiche/identifiant", data={}).status_code == 303
    response = client.post("/acces", data={"csrf_token": token(client, "/acces"), "code": "code-secret-42"})
    assert response.status_code == 303 and response.headers["Location"] == "/affiche/flyer.pdf"
    assert client.get("/fiche").status_code == 200
    assert guarded.test_client().get("/fiche").status_code == 303  # another browser: asked again


def test_access_code_compared_in_constant_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """The comparison goes through hmac.compare_digest, on digests of equal length."""
    calls: list[tuple[bytes, bytes]] = []
    real = security.hmac.compare_digest
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or real(a, b))
    assert security.code_matches("abc", "abc") and not security.code_matches("ab", "abc")
    assert len(calls) == 2 and all(len(a) == len(b) == 32 for a, b in calls)


def test_session_cookie_flags(guarded: Flask) -> None:
    """HttpOnly and SameSite=Strict; Secure when the page came over https (through a proxy and waitress: test_web_served)."""
    client = guarded.test_client()
    client.post("/acces", data={"csrf_token": token(client, "/acces"), "code": "code-secret-42"})
    cookie = client.get_cookie("generator_session")
    assert cookie is not None and cookie.http_only and cookie.same_site == "Strict" and not cookie.secure
    behind = guarded.test_client()
    response = behind.get("/acces", base_url="https://localhost")
    assert "Secure" in response.headers["Set-Cookie"] and "HttpOnly" in response.headers["Set-Cookie"]


def test_other_addresses_need_an_access_code(
    procedure: Procedure, capsys: pytest.CaptureFixture[str]
) -> None:
    """127.0.0.1 by default; any other address is refused without GENERATOR_ACCESS_CODE."""
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    with pytest.raises(ServeError, match="GENERATOR_ACCESS_CODE"):
        check_host("0.0.0.0", None)
    check_host("0.0.0.0", "a-code")
    with pytest.raises(ServeError):
        start(create_app(procedure), host="0.0.0.0", port=0)
    env = {k: v for k, v in os.environ.items() if k != "GENERATOR_ACCESS_CODE"}
    with pytest.MonkeyPatch.context() as m:
        m.setattr(os, "environ", env)
        assert main(["serve", "--host", "192.168.1.10", "--port", "0"]) == 1
    assert "error: refusing to listen on 192.168.1.10 without an access code" in capsys.readouterr().err


def test_server_serves_on_a_free_port_and_stops_cleanly(procedure: Procedure) -> None:
    """waitress on port 0 answers, and close() ends its loop and threads."""
    server = start(create_app(procedure), port=0)
    thread = threading.Thread(target=server.run)
    thread.start()
    with urllib.request.urlopen(server.url + "fiche", timeout=10) as answer:
        assert answer.status == 200 and "Prénom" in answer.read().decode()
    server.close()
    thread.join(timeout=5)
    assert not thread.is_alive()


def test_a_taken_port_is_a_clear_error(procedure: Procedure) -> None:
    server = Server(create_app(procedure), "127.0.0.1", 0)
    try:
        with pytest.raises(GeneratorError, match=f"cannot listen on 127.0.0.1:{server.port}"):
            Server(create_app(procedure), "127.0.0.1", server.port)
    finally:
        server.close()


def test_logs_hold_no_name_even_when_a_request_fails(
    app: Flask, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing typed reaches a log line, not even the message of an unexpected exception (a French 500 page)."""
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    fields = {"first_name": NAME, "last_name": FAMILY, "email": "zq@example.org"}
    post_desk(client, **fields)
    post_desk(client, "/fiche/identifiant", **fields)
    client.post("/fiche/telecharger", data={"csrf_token": token(client), "format": "pdf", **fields})
    client.post("/fiche", data=fields)  # no token

    def broken(*_args: Any) -> None:
        raise ValueError(f"cannot handle {NAME} {FAMILY}")

    monkeypatch.setattr(service, "check_person", broken)
    response = post_desk(client, **fields)
    assert response.status_code == 500 and "Une erreur s&#39;est produite" in response.get_data(as_text=True)
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    assert "unexpected ValueError" in logged
    for secret in (NAME, FAMILY, "zquaglioxx", "zq@example.org"):
        assert secret.lower() not in logged.lower()


def test_nothing_is_written_to_disk_during_requests(app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    """The sheet, its picture and its files are made in memory: no file opened for writing."""
    client = app.test_client()
    csrf = token(client)
    post_desk(client, first_name="Warm", last_name="Up")  # renderers and fonts ready before watching
    writes: list[str] = []
    real_open, real_os_open = builtins.open, os.open

    def watched_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        if any(flag in mode for flag in "wax+"):
            writes.append(f"open({file!r}, {mode!r})")
        return real_open(file, mode, *args, **kwargs)

    def watched_os_open(path: Any, flags: int, *args: Any, **kwargs: Any) -> int:
        if flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            writes.append(f"os.open({path!r})")
        return real_os_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", watched_open)
    monkeypatch.setattr(io, "open", watched_open)
    monkeypatch.setattr(os, "open", watched_os_open)
    monkeypatch.setattr(
        tempfile, "mkstemp", lambda *a, **k: writes.append("mkstemp") or (_ for _ in ()).throw(AssertionError)
    )
    fields = {"first_name": NAME, "last_name": FAMILY, "email": "zq@example.org", "csrf_token": csrf}
    assert client.post("/fiche", data=fields).status_code == 200
    assert client.post("/fiche/identifiant", data=fields).status_code == 200
    for fmt in ("pdf", "docx", "eml"):
        assert client.post("/fiche/telecharger", data={**fields, "format": fmt}).status_code == 200
    assert writes == []


def test_serve_command_prints_the_address_opens_the_browser_and_stops(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``serve --open``: the address on stdout, the default browser opened on it, a clean stop."""
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    monkeypatch.setattr(Server, "run", lambda self: None)  # Ctrl-C at once
    monkeypatch.setenv("LANG", "C")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert main(["serve", "--port", "0", "--open"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("serving on http://127.0.0.1:") and "stopped" in out
    assert len(opened) == 1 and opened[0] in out


def test_renderers_are_safe_from_waitress_threads(app: Flask) -> None:
    """Sheets drawn at once from several threads are the very bytes drawn one at a time."""
    names = [("Marie", "Dupont"), ("Awa", "N'Diaye"), ("Jean-Pierre", "Le Dupond"), ("Zoé", "Müller")]

    def download(first: str, last: str) -> bytes:
        client = app.test_client()
        data = {"csrf_token": token(client), "format": "pdf", "first_name": first, "last_name": last}
        return client.post("/fiche/telecharger", data=data).data

    alone = [download(*n) for n in names]
    results: dict[int, bytes] = {}
    threads = [
        threading.Thread(target=lambda i=i: results.__setitem__(i, download(*names[i % 4])))
        for i in range(12)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(results[i] == alone[i % 4] for i in range(12))
