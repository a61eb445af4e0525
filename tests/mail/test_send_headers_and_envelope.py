"""``send`` shows drafts with control characters escaped, refuses headers it never writes, and chooses MAIL FROM itself."""

from __future__ import annotations

import dataclasses
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from helpers import run_cli, write_manifest

from generator.mail.drafts import attachment_name, build_message, write_draft
from generator.mail.outbox import pending_drafts
from generator.mail.send import SmtpSettings, send_drafts
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.run.worker import Made

PEOPLE = [
    Person("Marie", "Dupont", "mdupont", email="marie.dupont@example.org", row=2),
    Person("Zoé", "Martin", "zmartin", email="zoe.martin@example.net", row=3),
]
RESENT = b"Resent-Date: Mon, 1 Dec 2026 10:00:00 +0100\r\nResent-From: x@evil.example\r\n"
UNSHOWABLE = ("\x1b", "\x9b", "\u202e", "\x07")


@dataclass
class Handler:
    """Keeps the envelope (MAIL FROM, RCPT TO) and the message of each delivery."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802 (aiosmtpd hook)
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 OK"


def _free_port() -> int:
    # aiosmtpd 1.4 cannot listen on port 0 (it connects to its own port to start).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port(), server_hostname="localhost")
    controller.start()
    try:
        yield handler, controller.port
    finally:
        controller.stop()


def _folder(tmp_path: Path, procedure: Procedure, people: list[Person] = PEOPLE) -> Path:
    """A folder as personalise --eml writes it: a draft per person and the manifest."""
    folder = tmp_path / "people"
    folder.mkdir()
    rows = []
    for person in people:
        message = build_message(procedure, person, b"%PDF-1.7 fake", attachment_name(person))
        write_draft(folder / f"{person.identifier}.eml", message)
        rows.append((person, Made(person.row, {}, f"{person.identifier}.eml")))
    write_manifest(folder, rows)
    return folder


def _argv(folder: Path, port: int, *extra: str) -> list[str]:
    return ["send", str(folder), "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *extra]


def _prepend(draft: Path, headers: bytes) -> None:
    draft.write_bytes(headers + draft.read_bytes())


def _set_subject(draft: Path, subject: bytes) -> None:
    data = draft.read_bytes()
    start = data.index(b"\r\nSubject: ") + 2
    end = data.index(b"\r\n", start)
    while data[end + 2 : end + 3] in (b" ", b"\t"):  # a folded subject goes on
        end = data.index(b"\r\n", end + 2)
    draft.write_bytes(data[:start] + b"Subject: " + subject + data[end:])


# --- the dry run shows, never plays, control characters -------------------------------------


def test_dry_run_escapes_an_escape_sequence_in_a_subject(
    tmp_path: Path, procedure: Procedure, server: tuple[Handler, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """A subject that decodes to ESC [ 2 J (clear screen), CSI and BEL prints as \\x1b, \\x9b, \\x07."""
    handler, port = server
    folder = _folder(tmp_path, procedure)
    # Encoded words: the parser gives ESC, CSI (U+009B) and BEL back in the subject's text.
    _set_subject(folder / "mdupont.eml", b"=?utf-8?q?=1B[2J=C2=9B31m_Fiche=07?=")
    code, out, err = run_cli(_argv(folder, port), capsys)
    assert code == 0, err
    assert not any(c in out + err for c in UNSHOWABLE)
    assert "would send mdupont.eml to marie.dupont@example.org (\\x1b[2J\\x9b31m Fiche\\x07)" in out
    assert handler.received == []


def test_dry_run_escapes_a_bidi_override_from_a_name(
    tmp_path: Path, procedure: Procedure, server: tuple[Handler, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """A name with U+202E (right-to-left override) in a subject made from it shows as \\u202e."""
    handler, port = server
    subject_with_name = dataclasses.replace(procedure.email, subject="Bonjour {first_name}")
    named = dataclasses.replace(procedure, email=subject_with_name)
    person = Person("Ana\u202efdp.exe", "Lopez", "alopez", email="ana@example.org", row=2)
    folder = _folder(tmp_path, named, [person])
    code, out, err = run_cli(_argv(folder, port), capsys)
    assert code == 0, err
    assert "\u202e" not in out
    assert "(Bonjour Ana\\u202efdp.exe)" in out


def test_a_c1_control_in_a_name_never_reaches_a_header(procedure: Procedure) -> None:
    """\\x9b (a terminal's CSI) in a name is folded to a space in To, as ESC and CR LF are."""
    person = Person("Ana\x9b31m", "Lopez", "alopez", email="ana@example.org", row=2)
    message = build_message(procedure, person, b"%PDF", "f.pdf")
    back = email.message_from_bytes(bytes(message), policy=policy.default)
    assert back["To"].addresses[0].display_name == "Ana 31m Lopez"


def test_a_manifest_naming_a_draft_with_an_escape_is_refused_shown_escaped(
    tmp_path: Path, procedure: Procedure, server: tuple[Handler, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """A draft file name with ESC (never one this tool writes) is refused; the error shows it as \\x1b."""
    handler, port = server
    folder = _folder(tmp_path, procedure)
    (folder / "mdupont.eml").rename(folder / "md\x1b[2Jupont.eml")
    manifest = folder / "manifest.csv"
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("mdupont.eml", "md\x1b[2Jupont.eml"))
    code, out, err = run_cli(_argv(folder, port, "--yes"), capsys)
    assert code == 1 and "\x1b" not in out + err and "\\x1b[2J" in err
    assert handler.received == []


# --- headers the tool never writes ----------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        RESENT,
        b"Resent-From: x@evil.example\r\n",
        b"Sender: x@evil.example\r\n",
        b"Cc: marie.dupont@example.org\r\n",
        b"Return-Path: <x@evil.example>\r\n",
        b"From: Eve <x@evil.example>\r\n",  # a second From
    ],
    ids=["Resent block", "Resent-From", "Sender", "Cc to the same person", "Return-Path", "two From"],
)
def test_a_draft_with_a_header_the_tool_never_writes_is_refused(
    tmp_path: Path,
    procedure: Procedure,
    server: tuple[Handler, int],
    capsys: pytest.CaptureFixture[str],
    headers: bytes,
) -> None:
    """That draft goes to nobody and the error names the header; the other draft goes; exit 1."""
    handler, port = server
    folder = _folder(tmp_path, procedure)
    _prepend(folder / "mdupont.eml", headers)
    code, out, _err = run_cli(_argv(folder, port), capsys)
    name = headers.split(b":", 1)[0].decode()
    assert code == 0 and "refused mdupont.eml: " in out and name in out and "would send zmartin.eml" in out
    code, _out, err = run_cli(_argv(folder, port, "--yes"), capsys)
    assert code == 1 and "Traceback" not in err
    assert "could not send mdupont.eml" in err and "did not write" in err and name in err
    assert [rcpts for _, rcpts, _ in handler.received] == [["zoe.martin@example.net"]]
    assert all(mail_from == procedure.email.sender for mail_from, _, _ in handler.received)


# --- MAIL FROM: from the settings, never from a draft's header -----------------------------


def test_mail_from_is_the_from_option_whatever_the_draft_says(
    tmp_path: Path, procedure: Procedure, server: tuple[Handler, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """--from gives MAIL FROM (its address alone), even for a draft whose From was edited."""
    handler, port = server
    folder = _folder(tmp_path, procedure)
    draft = folder / "mdupont.eml"
    draft.write_bytes(draft.read_bytes().replace(procedure.email.sender.encode(), b"other@example.org", 1))
    code, _, err = run_cli(_argv(folder, port, "--yes", "--from", "Bureau <bureau@example.fr>"), capsys)
    assert code == 0, err
    assert [mail_from for mail_from, _, _ in handler.received] == ["bureau@example.fr"] * 2


def test_without_from_option_mail_from_is_the_sender_the_tool_wrote(
    tmp_path: Path, procedure: Procedure, server: tuple[Handler, int], capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --from, MAIL FROM is the data's sender, the one address of the From this tool wrote."""
    handler, port = server
    folder = _folder(tmp_path, procedure)
    code, _, err = run_cli(_argv(folder, port, "--yes"), capsys)
    assert code == 0, err
    assert [mail_from for mail_from, _, _ in handler.received] == [procedure.email.sender] * 2


def test_a_resent_from_never_becomes_mail_from_through_the_library(
    tmp_path: Path, procedure: Procedure, server: tuple[Handler, int]
) -> None:
    """Even a draft let through (problem cleared by a caller), its Resent-From does not choose MAIL FROM.

    smtplib's send_message would take it from a single Resent block; send gives MAIL FROM itself.
    """
    handler, port = server
    folder = _folder(tmp_path, procedure)
    _prepend(folder / "mdupont.eml", RESENT)
    drafts = pending_drafts(folder)
    for draft in drafts:
        draft.problem = ""
        draft.pending = list(draft.recipients)
    report = send_drafts(folder, drafts, SmtpSettings("127.0.0.1", port))
    assert report.sent == 2
    assert [mail_from for mail_from, _, _ in handler.received] == [procedure.email.sender] * 2
    report = send_drafts(
        folder, pending_drafts(folder, "bureau@example.fr", ["mdupont"]), SmtpSettings("127.0.0.1", port)
    )
    assert report.failed == 1 and len(handler.received) == 2  # refused by the outbox itself
