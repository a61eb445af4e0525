"""Issue 12, sending: SMTP logins and hosts, TLS, hand-edited drafts, --resend, sent.csv, two sends at once."""

from __future__ import annotations

import asyncio
import email
import os
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from pathlib import Path

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from helpers import assert_one_clear_error, run_cli, write_manifest

from generator.mail.drafts import attachment_name, build_message, write_draft
from generator.people.person import Person
from generator.run.worker import Made

PEOPLE = [
    Person("Marie", "Dupont", "mdupont", email="marie.dupont@example.org", row=2),
    Person("Zoé", "Martin", "zmartin", email="zoe.martin@example.net", row=3),
    Person("Paul", "Durand", "pdurand", email="paul.durand@example.com", row=4),
]
ALL = sorted(p.email for p in PEOPLE)
SEND_SCRIPT = "import sys; from generator.cli import main; sys.exit(main(sys.argv[1:]))"
posix_only = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")


@dataclass
class Handler:
    """Stores what the server accepts; can hold each message until ``sessions`` clients have begun one."""

    sessions: int = 0
    received: list[tuple[list[str], email.message.EmailMessage]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    seen: set[int] = field(default_factory=set)

    async def handle_MAIL(self, server, session, envelope, address, mail_options):  # type: ignore[no-untyped-def]  # noqa: N802
        self.seen.add(id(session))
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        for _ in range(100):  # at most 5 s
            if len(self.seen) >= self.sessions:
                break
            await asyncio.sleep(0.05)
        with self.lock:
            self.received.append(
                (list(envelope.rcpt_tos), email.message_from_bytes(envelope.content, policy=policy.default))
            )
        return "250 OK"

    def recipients(self) -> list[str]:
        return sorted(r for rcpts, _ in self.received for r in rcpts)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve(handler: Handler, **kwargs: object) -> Controller:
    controller = Controller(
        handler, hostname="127.0.0.1", port=_free_port(), server_hostname="localhost", **kwargs
    )
    controller.start()
    return controller


@pytest.fixture
def smtp_server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    controller = _serve(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def auth_server() -> Iterator[tuple[Handler, int]]:
    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        return AuthResult(success=auth_data.password == "pässwörd".encode(), handled=False)

    handler = Handler()
    controller = _serve(handler, authenticator=authenticator, auth_require_tls=False)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[ssl.SSLContext, Path]:
    """A server TLS context for 127.0.0.1 and the file of the CA that signed it (trustme)."""
    ca = trustme.CA()
    server = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(server)
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    return server, ca_file


@pytest.fixture
def drafts(tmp_path: Path, procedure) -> Path:  # type: ignore[no-untyped-def]
    """A folder as personalise --eml writes it: three drafts and the manifest (with each address)."""
    folder = tmp_path / "people"
    folder.mkdir()
    rows = []
    for person in PEOPLE:
        message = build_message(procedure, person, b"%PDF-1.7 fake", attachment_name(person))
        write_draft(folder / f"{person.identifier}.eml", message)
        rows.append((person, Made(person.row, {}, f"{person.identifier}.eml")))
    write_manifest(folder, rows)
    return folder


def send_argv(folder: Path, port: int, *extra: str) -> list[str]:
    return ["send", str(folder), "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *extra]


def _edit(draft: Path, old: bytes, new: bytes) -> None:
    data = draft.read_bytes()
    assert old in data
    draft.write_bytes(data.replace(old, new, 1))


# --- logins, hosts, TLS -------------------------------------------------------------------


@pytest.mark.parametrize(("user", "password"), [("jdupont", "pässwörd"), ("jdüpont", "secret")])
def test_a_non_ascii_smtp_password_or_user_logs_in_as_utf8_or_is_a_clear_error(
    drafts: Path,
    auth_server: tuple[Handler, int],
    monkeypatch: pytest.MonkeyPatch,
    capsys,
    user: str,
    password: str,  # type: ignore[no-untyped-def]
) -> None:
    """pässwörd logs in (UTF-8, as RFC 4616 says); a wrong one is one error line; the password never shows."""
    handler, port = auth_server
    monkeypatch.setenv("SMTP_PASSWORD", password)
    code, out, err = run_cli(send_argv(drafts, port, "--yes", "--user", user), capsys)
    assert password not in out + err
    if password == "pässwörd":
        assert code == 0, err
        assert handler.recipients() == ALL
    else:
        assert_one_clear_error(code, err)
        assert "login refused" in err and handler.received == []


@pytest.mark.parametrize("host", ["..", "a" * 64 + ".example.fr", "bad..example.fr", "smtp example.fr"])
def test_a_host_name_idna_refuses_is_a_clear_error(drafts: Path, capsys, host: str) -> None:  # type: ignore[no-untyped-def]
    """--smtp-host .. or a label IDNA refuses: exit 1 with one error line naming the option, dry run or not."""
    for extra in ([], ["--yes"]):
        code, _, err = run_cli(["send", str(drafts), "--smtp-host", host, *extra], capsys)
        assert_one_clear_error(code, err)
        assert "--smtp-host" in err and err.count("\n") == 1


@pytest.mark.parametrize(("option", "server_side"), [("--starttls", "tls_context"), ("--tls", "ssl_context")])
def test_starttls_and_implicit_tls_with_a_trusted_certificate_send(
    drafts: Path,
    certificates: tuple[ssl.SSLContext, Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys,  # type: ignore[no-untyped-def]
    option: str,
    server_side: str,
) -> None:
    """--starttls, and --tls (TLS from the first byte), against aiosmtpd with a trustme certificate."""
    context, ca_file = certificates
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # read by ssl.create_default_context()
    handler = Handler()
    controller = _serve(handler, **{server_side: context})
    try:
        code, _, err = run_cli(send_argv(drafts, controller.port, "--yes", option), capsys)
    finally:
        controller.stop()
    assert code == 0, err
    assert handler.recipients() == ALL


def test_implicit_tls_with_an_untrusted_certificate_is_a_clear_error(
    drafts: Path,
    certificates: tuple[ssl.SSLContext, Path],
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """Without the CA: one error line, nothing sent, nothing recorded."""
    context, _ca = certificates
    handler = Handler()
    controller = _serve(handler, ssl_context=context)
    try:
        code, _, err = run_cli(send_argv(drafts, controller.port, "--yes", "--tls"), capsys)
    finally:
        controller.stop()
    assert_one_clear_error(code, err)
    assert handler.received == [] and not (drafts / "sent.csv").exists()


# --- drafts edited by hand ---------------------------------------------------------------------


@pytest.mark.parametrize("header", ["To", "Cc", "Bcc"])
def test_a_draft_with_an_added_recipient_is_refused_for_that_person(
    drafts: Path,
    smtp_server: tuple[Handler, int],
    capsys,
    header: str,  # type: ignore[no-untyped-def]
) -> None:
    """An added To, Cc or Bcc: that draft goes to nobody and is reported; the others go; exit 1."""
    handler, port = smtp_server
    draft = drafts / "mdupont.eml"
    if header == "To":
        _edit(draft, b"<marie.dupont@example.org>", b"<marie.dupont@example.org>, x@evil.example")
    else:
        draft.write_bytes(f"{header}: x@evil.example\r\n".encode() + draft.read_bytes())
    code, out, err = run_cli(send_argv(drafts, port, "--yes"), capsys)
    assert code == 1 and "Traceback" not in err
    assert "mdupont.eml" in err and "differ from the address personalise recorded" in err
    assert handler.recipients() == ["paul.durand@example.com", "zoe.martin@example.net"]
    code, out, _ = run_cli(send_argv(drafts, port), capsys)  # the dry run says so too
    assert "refused mdupont.eml" in out


def test_a_draft_whose_to_was_replaced_is_refused(
    drafts: Path, smtp_server: tuple[Handler, int], capsys
) -> None:  # type: ignore[no-untyped-def]
    """The To changed to another address: refused; the manifest's address is what counts."""
    handler, port = smtp_server
    _edit(drafts / "mdupont.eml", b"marie.dupont@example.org", b"someone@else.example")
    code, _, err = run_cli(send_argv(drafts, port, "--yes"), capsys)
    assert code == 1 and "mdupont.eml" in err
    assert "someone@else.example" not in handler.recipients()


def test_a_draft_with_two_resent_blocks_is_refused_for_that_person(
    drafts: Path,
    smtp_server: tuple[Handler, int],
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """The hand-edited draft is reported, the two others are sent; exit 1."""
    handler, port = smtp_server
    draft = drafts / "mdupont.eml"
    resent = b"Resent-Date: Mon, 1 Dec 2026 10:00:00 +0100\r\nResent-From: a@example.org\r\n"
    draft.write_bytes(resent * 2 + draft.read_bytes())
    code, _, err = run_cli(send_argv(drafts, port, "--yes"), capsys)
    assert code == 1 and "Traceback" not in err and "mdupont.eml" in err and "Resent-" in err
    assert handler.recipients() == ["paul.durand@example.com", "zoe.martin@example.net"]


def test_resend_sends_a_corrected_draft_again_on_purpose_only(
    drafts: Path,
    smtp_server: tuple[Handler, int],
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """After a corrected draft, send --yes sends nothing; --resend mdupont sends that one only, with a new Message-ID."""
    handler, port = smtp_server
    assert run_cli(send_argv(drafts, port, "--yes"), capsys)[0] == 0
    first_id = handler.received[0][1]["Message-ID"]
    _edit(drafts / "mdupont.eml", b"Subject: ", b"Subject: [corrected] ")
    assert run_cli(send_argv(drafts, port, "--yes"), capsys)[0] == 0
    assert len(handler.received) == 3  # never by accident
    code, out, _ = run_cli(send_argv(drafts, port, "--resend", "mdupont"), capsys)
    assert code == 0 and "would send again mdupont.eml" in out and "zmartin" not in out
    code, out, err = run_cli(send_argv(drafts, port, "--yes", "--resend", "mdupont"), capsys)
    assert code == 0, err
    assert len(handler.received) == 4
    rcpts, message = handler.received[-1]
    assert rcpts == ["marie.dupont@example.org"] and message["Subject"].startswith("[corrected]")
    assert message["Message-ID"] != first_id
    assert (drafts / "sent.csv").read_text().count("mdupont.eml") == 2


def test_resend_of_an_unknown_identifier_is_a_clear_error(
    drafts: Path, smtp_server: tuple[Handler, int], capsys
) -> None:  # type: ignore[no-untyped-def]
    handler, port = smtp_server
    code, _, err = run_cli(send_argv(drafts, port, "--yes", "--resend", "nobody"), capsys)
    assert_one_clear_error(code, err)
    assert "--resend nobody" in err and handler.received == []


# --- manifest and sent.csv as a user may leave them ---------------------------------------


@pytest.mark.parametrize("which", ["manifest.csv", "sent.csv"])
def test_a_cell_over_128_kb_is_a_clear_error(drafts: Path, capsys, which: str) -> None:  # type: ignore[no-untyped-def]
    """A 200 KB cell in manifest.csv or sent.csv: one error line naming the file (dry run)."""
    if which == "manifest.csv":
        (drafts / which).write_text("row;first_name;email;eml\n2;" + "x" * 200_000 + ";a@b.fr;mdupont.eml\n")
    else:
        (drafts / which).write_text("eml,recipient\nmdupont.eml," + "x" * 200_000 + "\n")
    code, _, err = run_cli(["send", str(drafts), "--smtp-host", "127.0.0.1"], capsys)
    assert_one_clear_error(code, err)
    assert which in err and "128 KB" in err


def test_a_nul_in_a_manifest_file_name_is_a_clear_error(drafts: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """eml = 'mdup\\x00ont.eml': refused with the manifest line, no traceback."""
    (drafts / "manifest.csv").write_text("row;email;eml\n2;marie.dupont@example.org;mdup\x00ont.eml\n")
    code, _, err = run_cli(["send", str(drafts), "--smtp-host", "127.0.0.1"], capsys)
    assert_one_clear_error(code, err)
    assert "manifest.csv:2" in err


@posix_only
def test_sent_csv_as_a_symlink_is_refused_and_its_target_unchanged(
    drafts: Path,
    smtp_server: tuple[Handler, int],
    tmp_path: Path,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """sent.csv → a user's file outside the folder: one error line, nothing sent, the file as it was."""
    handler, port = smtp_server
    outside = tmp_path / "user.csv"
    outside.write_text("eml,recipient\n")
    (drafts / "sent.csv").symlink_to(outside)
    code, _, err = run_cli(send_argv(drafts, port, "--yes"), capsys)
    assert_one_clear_error(code, err)
    assert "symbolic link" in err
    assert outside.read_text() == "eml,recipient\n" and handler.received == []


@posix_only
def test_a_draft_that_is_a_symlink_is_never_read(
    drafts: Path, smtp_server: tuple[Handler, int], tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """mdupont.eml → a file elsewhere: refused before anything is sent."""
    handler, port = smtp_server
    elsewhere = tmp_path / "elsewhere.eml"
    (drafts / "mdupont.eml").rename(elsewhere)
    (drafts / "mdupont.eml").symlink_to(elsewhere)
    code, _, err = run_cli(send_argv(drafts, port, "--yes"), capsys)
    assert_one_clear_error(code, err)
    assert "symbolic link" in err and handler.received == []


# --- two runs at once --------------------------------------------------------------------------


def test_two_send_yes_at_once_deliver_each_draft_once(drafts: Path, smtp_server: tuple[Handler, int]) -> None:
    """Two `send --yes` started together: each recipient gets one message; the second waits, then is refused."""
    handler, port = smtp_server
    handler.sessions = 2  # the server holds the first run's messages, hoping for a second session
    argv = [sys.executable, "-c", SEND_SCRIPT, *send_argv(drafts, port, "--yes")]
    runs = [subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(2)]
    results = [r.communicate(timeout=60) for r in runs]
    assert all(b"Traceback" not in err for _, err in results)
    assert handler.recipients() == ALL
    refused = [err for r, (_, err) in zip(runs, results, strict=True) if r.returncode]
    assert all(b"is writing into this folder" in err for err in refused)
