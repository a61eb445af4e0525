"""Email drafts and SMTP sending, against a real SMTP server on loopback."""

from __future__ import annotations

import csv
import email
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from generator.cli import main
from generator.errors import DeliveryError
from generator.mail.drafts import attachment_name, build_message, fill, write_draft
from generator.people.person import Person
from generator.procedure.model import Procedure

PERSONS = [
    Person("Marie-Hélène", "Dupont", "mdupont", email="marie.dupont@example.org", row=2),
    Person("Zoé", "Hervé-Çelik", "zherve-celik", email="zoe.herve@example.net", row=3),
    Person("Jean", "Sans-Adresse", "jsans-adresse", row=4),
    Person("{identifier} <b>", "Martin", "imartin", email="i.martin@example.com", row=5),
]
WITH_EMAIL = [p for p in PERSONS if p.email]
MANIFEST_FIELDS = ["row", "first_name", "last_name", "identifier", "email", "flags", "pdf", "docx", "eml"]


def fake_pdf(person: Person) -> bytes:
    """Distinct bytes per person, with every byte value, so a lossy encoding shows."""
    return f"%PDF-1.7 {person.identifier}\n".encode() + bytes(range(256))


def draft_name(person: Person) -> str:
    return f"{person.identifier}.eml"


@dataclass
class Handler:
    """Stores what the server accepts; can refuse or hang up on chosen recipients."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse_once: set[str] = field(default_factory=set)
    hang_up: dict[str, int] = field(default_factory=dict)  # recipient -> how many times

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 (aiosmtpd hook)
        if address in self.refuse_once:
            self.refuse_once.discard(address)
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd hook)
        for rcpt in envelope.rcpt_tos:
            if self.hang_up.get(rcpt, 0) > 0:
                self.hang_up[rcpt] -= 1
                server.transport.close()  # the client sees the connection drop before any reply
                return "421 closing"
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [r for _, rcpts, _ in self.received for r in rcpts]


def free_port() -> int:
    # aiosmtpd 1.4 cannot listen on port 0 (it connects to its own port to start).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(handler: Handler, **kwargs: object) -> Controller:
    controller = Controller(
        handler, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", **kwargs
    )
    controller.start()
    return controller


@pytest.fixture
def server() -> Iterator[tuple[Handler, int]]:
    handler = Handler()
    controller = start_server(handler)
    try:
        yield handler, controller.port
    finally:
        controller.stop()


@pytest.fixture
def drafts(tmp_path: Path, procedure: Procedure) -> Path:
    """A folder as personalise --eml writes it: drafts and a manifest (one row without address)."""
    folder = tmp_path / "people"
    folder.mkdir()
    rows = []
    for person in PERSONS:
        eml = ""
        if person.email:
            eml = draft_name(person)
            message = build_message(procedure, person, fake_pdf(person), attachment_name(person))
            write_draft(folder / eml, message)
        rows.append(
            {
                "row": person.row,
                "first_name": person.first_name,
                "last_name": person.last_name,
                "identifier": person.identifier,
                "email": person.email,
                "flags": "",
                "pdf": f"{person.identifier}.pdf",
                "docx": f"{person.identifier}.docx",
                "eml": eml,
            }
        )
    with open(folder / "manifest.csv", "w", encoding="utf-8", newline="") as stream:
        writer = csv.DictWriter(stream, MANIFEST_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return folder


def send(folder: Path, port: int, *extra: str) -> int:
    return main(["send", str(folder), "--smtp-host", "127.0.0.1", "--smtp-port", str(port), *extra])


def read_draft(folder: Path, person: Person) -> tuple[bytes, EmailMessage]:
    raw = (folder / draft_name(person)).read_bytes()
    return raw, email.message_from_bytes(raw, policy=policy.default)


def pdf_parts(message: EmailMessage) -> list[EmailMessage]:
    return [part for part in message.iter_attachments() if part.get_content_type() == "application/pdf"]


# --- building drafts -----------------------------------------------------------


def test_draft_parses_back_with_decoded_headers_and_the_exact_pdf(drafts: Path, procedure: Procedure) -> None:
    """A draft reopens with X-Unsent, decoded non-ASCII names, subject and the PDF's exact bytes."""
    zoe = PERSONS[1]
    raw, message = read_draft(drafts, zoe)
    assert message["X-Unsent"] == "1"
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Zoé Hervé-Çelik", "zoe.herve@example.net")
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == (procedure.email.sender_name, procedure.email.sender)
    assert message["Subject"] == "Votre accès à la messagerie académique (zherve-celik)"
    assert message["Message-ID"] and message["Date"]
    (pdf,) = pdf_parts(message)
    assert pdf.get_filename() == "fiche-messagerie-zherve-celik.pdf"
    assert pdf.get_content() == fake_pdf(zoe)
    assert "Bonjour Zoé Hervé-Çelik" in message.get_body(("plain",)).get_content()


def test_draft_file_is_ascii_headers_with_crlf_lines(drafts: Path) -> None:
    """The .eml on disk has RFC 2047 encoded headers and CRLF line ends only."""
    raw, _ = read_draft(drafts, PERSONS[1])
    head = raw.split(b"\r\n\r\n", 1)[0]
    head.decode("ascii")  # raises if a header carries raw UTF-8
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_person_text_is_never_read_as_a_template(drafts: Path) -> None:
    """A first name '{identifier} <b>' stays literal in subject, text and escaped in HTML."""
    person = PERSONS[3]
    _, message = read_draft(drafts, person)
    assert message["To"].addresses[0].display_name == "{identifier} <b> Martin"
    text = message.get_body(("plain",)).get_content()
    assert "Bonjour {identifier} <b> Martin," in text
    html = message.get_body(("html",)).get_content()
    assert "Bonjour {identifier} &lt;b&gt; Martin," in html
    assert "<b>" not in html


def test_fill_leaves_unknown_placeholders_and_values_alone() -> None:
    """Unknown {…} stay, and a value that looks like a placeholder is not expanded."""
    assert fill("{first_name} {nope} {0} {", {"first_name": "{identifier}", "identifier": "x"}) == (
        "{identifier} {nope} {0} {"
    )


def test_line_breaks_in_a_name_cannot_add_headers(procedure: Procedure) -> None:
    """A name carrying CR/LF cannot inject a Bcc header."""
    person = Person("Eve\r\nBcc: spy@example.org", "X", "ex", email="eve@example.org")
    message = build_message(procedure, person, b"%PDF", "f.pdf")
    reparsed = email.message_from_bytes(bytes(message), policy=policy.default)
    assert reparsed["Bcc"] is None
    assert [a.addr_spec for a in reparsed["To"].addresses] == ["eve@example.org"]


@pytest.mark.parametrize(
    ("first", "last"), [("Jürgen", "Großmann"), ("Işıl", "Yıldız"), ("Nguyễn", "Thị Minh")]
)
def test_the_recipient_name_is_written_as_the_roster_writes_it(
    procedure: Procedure, first: str, last: str
) -> None:
    """Regression: the To name was upper-cased (Großmann → GROSSMANN, Işıl's dotless ı lost): now as typed."""
    person = Person(first, last, "x", email="x@example.org")
    message = build_message(procedure, person, b"%PDF", "f.pdf")
    reparsed = email.message_from_bytes(bytes(message), policy=policy.default)
    assert reparsed["To"].addresses[0].display_name == f"{first} {last}"


def test_person_without_address_is_refused(procedure: Procedure) -> None:
    """build_message refuses a person with no email address, naming the row."""
    with pytest.raises(DeliveryError, match="row 4"):
        build_message(procedure, PERSONS[2], b"%PDF", "f.pdf")


# --- sending -------------------------------------------------------------------


def test_dry_run_lists_each_draft_and_sends_nothing(drafts, server, capsys) -> None:
    """Without --yes every draft is listed with address and subject, and nothing leaves."""
    handler, port = server
    assert send(drafts, port) == 0
    out = capsys.readouterr().out.splitlines()
    for person in WITH_EMAIL:
        assert (
            f"would send {draft_name(person)} to {person.email} "
            f"(Votre accès à la messagerie académique ({person.identifier}))"
        ) in out
    assert "jsans-adresse" not in "\n".join(out)
    assert handler.received == []
    assert not (drafts / "sent.csv").exists()


def test_yes_delivers_each_draft_with_its_pdf_and_without_x_unsent(drafts, server, procedure, capsys) -> None:
    """--yes sends each draft to its own person, PDF intact, no longer marked as a draft."""
    handler, port = server
    assert send(drafts, port, "--yes") == 0
    assert "sent 3, already sent 0, failed 0" in capsys.readouterr().out
    assert sorted(handler.recipients()) == sorted(p.email for p in WITH_EMAIL)
    for mail_from, rcpts, message in handler.received:
        (person,) = [p for p in WITH_EMAIL if p.email in rcpts]
        assert mail_from == procedure.email.sender
        assert message["X-Unsent"] is None
        assert message["To"].addresses[0].addr_spec == person.email
        (pdf,) = pdf_parts(message)
        assert pdf.get_content() == fake_pdf(person)
    with open(drafts / "sent.csv", encoding="utf-8", newline="") as stream:
        logged = list(csv.DictReader(stream))
    assert sorted((r["eml"], r["recipient"]) for r in logged) == sorted(
        (draft_name(p), p.email) for p in WITH_EMAIL
    )
    assert all(r["message_id"].startswith("<") and r["sent_at"] for r in logged)


def test_second_run_sends_nothing_more(drafts, server, capsys) -> None:
    """Running send --yes again never sends a draft twice."""
    handler, port = server
    assert send(drafts, port, "--yes") == 0
    assert send(drafts, port, "--yes") == 0
    assert "sent 0, already sent 3, failed 0" in capsys.readouterr().out
    assert len(handler.received) == 3


def test_refused_recipient_does_not_stop_the_others_then_resumes(drafts, server, capsys) -> None:
    """A refused recipient is reported, the others go, exit 1; the next run sends only that one."""
    handler, port = server
    zoe = PERSONS[1]
    handler.refuse_once.add(zoe.email)
    assert send(drafts, port, "--yes") == 1
    captured = capsys.readouterr()
    assert f"error: could not send {draft_name(zoe)} to {zoe.email}: 550" in captured.err
    assert "sent 2, already sent 0, failed 1" in captured.out
    assert sorted(handler.recipients()) == sorted(p.email for p in WITH_EMAIL if p is not zoe)

    handler.received.clear()
    assert send(drafts, port, "--yes") == 0
    assert "sent 1, already sent 2, failed 0" in capsys.readouterr().out
    assert handler.recipients() == [zoe.email]


def test_run_resumes_from_a_sent_log_cut_off_mid_line(drafts, server) -> None:
    """A sent.csv from an interrupted run (last line cut) resumes with the missing drafts only."""
    handler, port = server
    first = WITH_EMAIL[0]
    (drafts / "sent.csv").write_bytes(
        f"eml,recipient,sent_at,message_id\r\n{draft_name(first)},{first.email},2024-09-02T08:00:00+00:00,<x@y>\r\n"
        "zherve-ce".encode()
    )
    assert send(drafts, port, "--yes") == 0
    assert sorted(handler.recipients()) == sorted(p.email for p in WITH_EMAIL[1:])
    handler.received.clear()
    assert send(drafts, port, "--yes") == 0  # the lines written after the cut one are readable
    assert handler.received == []


def test_dropped_connection_is_reopened_once_and_the_draft_sent(drafts, server, capsys) -> None:
    """The server hanging up mid-message: reconnect, send that draft again, then the rest."""
    handler, port = server
    handler.hang_up[PERSONS[1].email] = 1
    assert send(drafts, port, "--yes") == 0
    assert "sent 3, already sent 0, failed 0" in capsys.readouterr().out
    assert sorted(handler.recipients()) == sorted(p.email for p in WITH_EMAIL)


def test_connection_lost_twice_reports_the_rest_as_not_sent(drafts, server, capsys) -> None:
    """After one reconnection the run stops, lists what was not sent, and a later run finishes."""
    handler, port = server
    zoe, martin = PERSONS[1], PERSONS[3]
    handler.hang_up[zoe.email] = 2
    assert send(drafts, port, "--yes") == 1
    captured = capsys.readouterr()
    assert "sent 1, already sent 0, failed 2" in captured.out
    for person in (zoe, martin):
        line = f"error: could not send {draft_name(person)} to {person.email}: connection lost"
        assert line in captured.err
    assert handler.recipients() == [WITH_EMAIL[0].email]

    assert send(drafts, port, "--yes") == 0
    assert sorted(handler.recipients()) == sorted(p.email for p in WITH_EMAIL)


def test_from_option_replaces_the_sender(drafts, server) -> None:
    """--from sets both the From header and the envelope sender."""
    handler, port = server
    assert send(drafts, port, "--yes", "--from", "Bureau AESH <bureau@example.fr>") == 0
    for mail_from, _, message in handler.received:
        assert mail_from == "bureau@example.fr"
        assert [(a.display_name, a.addr_spec) for a in message["From"].addresses] == [
            ("Bureau AESH", "bureau@example.fr")
        ]


# --- login -----------------------------------------------------------------------


@pytest.fixture
def auth_server() -> Iterator[tuple[Handler, int, list[tuple[bytes, bytes]]]]:
    seen: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:
        assert isinstance(auth_data, LoginPassword)
        seen.append((auth_data.login, auth_data.password))
        # handled=False: let aiosmtpd answer 535 itself (its default, True, sends no reply at all).
        return AuthResult(success=auth_data.password == b"s3cret-pw", handled=False)

    handler = Handler()
    # Loopback without TLS: allow AUTH in clear (never required, so aiosmtpd does not warn).
    controller = start_server(handler, authenticator=authenticator, auth_require_tls=False)
    try:
        yield handler, controller.port, seen
    finally:
        controller.stop()


def test_login_reads_the_password_from_the_environment(drafts, auth_server, monkeypatch, capsys) -> None:
    """--user logs in with the password from --password-env's variable, never printed."""
    handler, port, seen = auth_server
    monkeypatch.setenv("AESH_TEST_SMTP_PW", "s3cret-pw")
    assert send(drafts, port, "--yes", "--user", "jdupont", "--password-env", "AESH_TEST_SMTP_PW") == 0
    assert seen == [(b"jdupont", b"s3cret-pw")]
    assert len(handler.received) == 3
    captured = capsys.readouterr()
    assert "s3cret-pw" not in captured.out + captured.err


def test_wrong_password_is_one_clear_line(drafts, auth_server, monkeypatch, capsys) -> None:
    """A refused login gives one error line without the password, and nothing is sent."""
    handler, port, _ = auth_server
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-pw")
    assert send(drafts, port, "--yes", "--user", "jdupont") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "login refused" in err
    assert "wrong-pw" not in err
    assert handler.received == []


def test_missing_password_variable_is_a_clear_error(drafts, server, monkeypatch, capsys) -> None:
    """--user without the password variable set names the variable and sends nothing."""
    handler, port = server
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    assert send(drafts, port, "--yes", "--user", "jdupont") == 1
    assert "SMTP_PASSWORD" in capsys.readouterr().err
    assert handler.received == []


# --- refusing a bad folder ---------------------------------------------------------


def test_missing_manifest_is_one_error_line(tmp_path, server, capsys) -> None:
    """A folder without manifest.csv gives one 'error:' line naming it, exit 1."""
    _, port = server
    assert send(tmp_path, port, "--yes") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "manifest.csv" in err


def test_manifest_without_eml_column_is_refused(drafts, server, capsys) -> None:
    """A manifest written without --eml is refused with a hint."""
    handler, port = server
    (drafts / "manifest.csv").write_text("row,first_name,pdf\n2,Marie,a.pdf\n", encoding="utf-8")
    assert send(drafts, port, "--yes") == 1
    assert "no 'eml' column" in capsys.readouterr().err
    assert handler.received == []


def test_draft_outside_the_folder_is_refused_before_sending(drafts, server, capsys) -> None:
    """An eml path leaving the folder is refused, and no other draft is sent either."""
    handler, port = server
    outside = drafts.parent / "evil.eml"
    outside.write_bytes((drafts / draft_name(PERSONS[0])).read_bytes())
    with open(drafts / "manifest.csv", "a", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerow(
            ["9", "E", "Vil", "evil", "marie.dupont@example.org", "", "", "", "../evil.eml"]
        )
    assert send(drafts, port, "--yes") == 1
    err = capsys.readouterr().err
    assert "'../evil.eml'" in err and "outside" in err
    assert handler.received == []


def test_missing_draft_is_refused_before_sending(drafts, server, capsys) -> None:
    """A listed draft that is missing is named, and nothing is sent."""
    handler, port = server
    (drafts / draft_name(PERSONS[3])).unlink()
    assert send(drafts, port, "--yes") == 1
    assert f"{draft_name(PERSONS[3])} is missing" in capsys.readouterr().err
    assert handler.received == []


def test_semicolon_manifest_with_bom_is_read(drafts, server, capsys) -> None:
    """A manifest saved by a French spreadsheet (BOM, semicolons) lists the same drafts."""
    _, port = server
    text = (drafts / "manifest.csv").read_text(encoding="utf-8")
    rows = list(csv.reader(text.splitlines()))
    with open(drafts / "manifest.csv", "w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream, delimiter=";").writerows(rows)
    assert send(drafts, port) == 0
    assert capsys.readouterr().out.count("would send ") == 3


def test_unreachable_server_is_one_error_line(drafts, capsys) -> None:
    """Nothing listening on the port: one 'error:' line, exit 1, nothing recorded."""
    assert send(drafts, free_port(), "--yes") == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot connect" in err
    assert not (drafts / "sent.csv").exists()


def test_draft_listed_twice_is_sent_once(drafts, server) -> None:
    """A manifest naming the same draft twice (x.eml and ./x.eml) sends it once."""
    handler, port = server
    first = WITH_EMAIL[0]
    with open(drafts / "manifest.csv", "a", encoding="utf-8", newline="") as stream:
        csv.writer(stream).writerow(
            ["9", "M", "D", first.identifier, first.email, "", "", "", f"./{draft_name(first)}"]
        )
    assert send(drafts, port, "--yes") == 0
    assert sorted(handler.recipients()) == sorted(p.email for p in WITH_EMAIL)


def test_mail_fills_exactly_the_placeholders_the_data_checks() -> None:
    """mail fills every placeholder data.py allows in a template, and no other."""
    from generator.mail.drafts import _values
    from generator.people.person import Person
    from generator.procedure.model import EMAIL_PLACEHOLDERS
    from generator.procedure.schema import load_procedure

    values = _values(load_procedure(), Person("Zoé", "Hervé", "zherve"))
    assert set(values) == set(EMAIL_PLACEHOLDERS)


def test_send_on_a_folder_without_drafts_says_why(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A manifest with no eml column values: send explains that personalise needs --eml."""
    (tmp_path / "manifest.csv").write_text(
        "row,first_name,last_name,identifier,flags,pdf,docx,eml\n2,Marie,Dupont,mdupont,,mdupont.pdf,,\n",
        encoding="utf-8",
    )
    from generator.cli import main

    assert main(["send", str(tmp_path), "--smtp-host", "127.0.0.1"]) == 0
    assert "--eml" in capsys.readouterr().out


def test_a_draft_is_dated_when_it_is_sent_not_when_it_was_written(drafts, server) -> None:
    """A draft written long ago goes out with the date of sending."""
    handler, port = server
    old = "Mon, 01 Jan 2024 08:00:00 -0000"
    for path in drafts.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=policy.default)
        del message["Date"]
        message["Date"] = old
        path.write_bytes(message.as_bytes())
    assert send(drafts, port, "--yes") == 0
    assert handler.received
    assert all(message["Date"] != old and "2024" not in message["Date"] for _, _, message in handler.received)
