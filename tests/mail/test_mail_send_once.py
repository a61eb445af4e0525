"""Send once: each person gets one message, whatever the refreshes, tabs and threads; failures are sent again on demand."""

from __future__ import annotations

import csv
import io
import json
import ssl
import threading
from pathlib import Path

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword
from mailserver import Recorder, smtp_server

from generator.errors import DeliveryError
from generator.mail.drafts import build_message
from generator.mail.once import (
    NOT_SENT,
    RECORD,
    REFUSED,
    SENT,
    UNCONFIRMED,
    Clock,
    outgoing,
    send_once,
    statuses,
)
from generator.mail.report import HEADERS, report_csv
from generator.mail.settings import MailSettings
from generator.people.person import Person
from generator.procedure.model import Procedure

SENDER = "secretariat@lycee.example.fr"
PEOPLE = [
    Person(f"Prénom{i}", f"Nom{i}", f"pnom{i}", email=f"personne{i}@example.org", row=i + 2)
    for i in range(20)
]


def pdf_of(person: Person) -> bytes:
    """Distinct bytes per person, with every byte value, so a mix-up or a lossy encoding shows."""
    return f"%PDF-1.7 {person.identifier}\n".encode() + bytes(range(256))


def settings_for(port: int, **extra: object) -> MailSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": SENDER,
        "sender_name": "Secrétariat",
        "per_minute": 6000,
    }
    values.update(extra)
    return MailSettings(**values)  # type: ignore[arg-type]


class FakeClock:
    """Time that moves only when slept: the sleeps are what the rate asked for."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []
        self.lock = threading.Lock()

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.sleeps.append(seconds)
            self.t += seconds

    def clock(self) -> Clock:
        return Clock(self.now, self.sleep)


def items(procedure: Procedure, people: list[Person] = PEOPLE, settings: MailSettings | None = None):  # type: ignore[no-untyped-def]
    return [
        outgoing(p, build_message(procedure, p, pdf_of(p), f"{p.identifier}.pdf", settings=settings))
        for p in people
    ]


@pytest.fixture
def server():  # type: ignore[no-untyped-def]
    recorder = Recorder()
    with smtp_server(recorder) as port:
        yield recorder, port


def test_twenty_people_each_get_one_message_with_their_own_pdf(
    procedure: Procedure, server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    """20 recipients: one message each, to their own address, their own PDF byte for byte, From the settings."""
    recorder, port = server
    settings = settings_for(port, reply_to="aide@lycee.example.fr")
    ticks: list[tuple[int, int]] = []
    outcomes = send_once(
        tmp_path, items(procedure, settings=settings), settings, progress=lambda d, t: ticks.append((d, t))
    )
    assert [o.status for o in outcomes] == [SENT] * 20
    assert sorted(recorder.recipients()) == sorted(p.email for p in PEOPLE)
    by_address = {rcpts[0]: (sender, message) for sender, rcpts, message in recorder.received}
    for person in PEOPLE:
        envelope, message = by_address[person.email]
        assert envelope == SENDER and message["From"].addresses[0].addr_spec == SENDER
        assert message["Reply-To"].addresses[0].addr_spec == "aide@lycee.example.fr"
        assert message["To"].addresses[0].addr_spec == person.email
        assert "X-Unsent" not in message
        (attachment,) = list(message.iter_attachments())
        assert attachment.get_content() == pdf_of(person)
    assert ticks == [(i, 20) for i in range(1, 21)]


def test_a_second_call_sends_nothing(procedure: Procedure, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """A refresh or a second tab: the same call again sends nothing and reports every one as sent."""
    recorder, port = server
    settings = settings_for(port)
    send_once(tmp_path, items(procedure), settings)
    again = send_once(tmp_path, items(procedure), settings)
    assert len(recorder.received) == 20
    assert [o.status for o in again] == [SENT] * 20
    assert [o.status for o in send_once(tmp_path, items(procedure), settings, failures_only=True)] == [
        SENT
    ] * 20
    assert len(recorder.received) == 20


def test_two_threads_at_once_send_each_message_once(procedure: Procedure, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """Two staff members confirming at the same moment: every person still gets exactly one message."""
    recorder, port = server
    settings = settings_for(port)
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def job() -> None:
        mine = items(procedure)
        start.wait()
        try:
            send_once(tmp_path, mine, settings)
        except BaseException as exc:  # noqa: BLE001 (reported to the test below)
            errors.append(exc)

    threads = [threading.Thread(target=job) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert sorted(recorder.recipients()) == sorted(p.email for p in PEOPLE)


def test_a_refused_address_is_recorded_with_its_reason_and_resent_alone(  # type: ignore[no-untyped-def]
    procedure: Procedure, server, tmp_path: Path
) -> None:
    """550 for one address: "refused" with the reason, the others sent; resend-failures sends only it."""
    recorder, port = server
    settings = settings_for(port)
    refused = PEOPLE[5]
    recorder.refuse.add(refused.email)
    outcomes = send_once(tmp_path, items(procedure), settings)
    assert [o.key for o in outcomes if o.status != SENT] == ["row-7"]
    (bad,) = [o for o in outcomes if o.status == REFUSED]
    assert bad.person == refused and bad.reason.startswith("550") and "mailbox unavailable" in bad.reason
    assert refused.email not in (tmp_path / RECORD).read_text(encoding="utf-8")  # no address in the record
    assert len(recorder.received) == 19
    recorder.refuse.clear()
    assert (
        send_once(tmp_path, items(procedure), settings)[5].status == REFUSED
    )  # a plain second call: nothing
    assert len(recorder.received) == 19
    after = send_once(tmp_path, items(procedure), settings, failures_only=True)
    assert [o.status for o in after] == [SENT] * 20
    assert recorder.recipients()[19:] == [refused.email]


def test_a_refused_login_stops_at_once_with_one_clear_error(procedure: Procedure, tmp_path: Path) -> None:
    def authenticator(server, session, envelope, mechanism, auth_data) -> AuthResult:  # type: ignore[no-untyped-def]
        assert isinstance(auth_data, LoginPassword)
        return AuthResult(success=False, handled=False)

    recorder = Recorder()
    with smtp_server(recorder, authenticator=authenticator, auth_require_tls=False) as port:
        settings = settings_for(port, user="secretariat", password_env="TEST_SMTP_PASSWORD")
        with pytest.raises(DeliveryError) as caught:
            send_once(tmp_path, items(procedure), settings, environ={"TEST_SMTP_PASSWORD": "wrong-Pass-42"})
    text = str(caught.value)
    assert "login refused" in text and "wrong-Pass-42" not in text and "\n" not in text
    assert recorder.received == []
    assert [o.status for o in statuses(tmp_path, items(procedure))] == [""] * 20  # nothing claimed


def test_the_rate_is_respected_through_the_clock(procedure: Procedure, server, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """per_minute = 30: two seconds asked between two messages, none before the first."""
    _, port = server
    fake = FakeClock()
    send_once(tmp_path, items(procedure, PEOPLE[:5]), settings_for(port, per_minute=30), clock=fake.clock())
    assert fake.sleeps == pytest.approx([2.0] * 4)


def test_a_job_cut_while_sending_is_unconfirmed_and_never_sent_again(  # type: ignore[no-untyped-def]
    procedure: Procedure, server, tmp_path: Path
) -> None:
    """A record left at "sending" (the process died mid-message): not sent again, by either call."""
    recorder, port = server
    record = {"version": 1, "recipients": {"row-2": {"status": "sending"}}}
    (tmp_path / RECORD).write_text(json.dumps(record), encoding="utf-8")
    settings = settings_for(port)
    outcomes = send_once(tmp_path, items(procedure, PEOPLE[:3]), settings)
    send_once(tmp_path, items(procedure, PEOPLE[:3]), settings, failures_only=True)
    assert [o.status for o in outcomes] == [UNCONFIRMED, SENT, SENT]
    assert PEOPLE[0].email not in recorder.recipients() and len(recorder.received) == 2


class HangingUp(Recorder):
    """Drops the connection, without a reply, when a message for one of ``hang_up`` arrives."""

    def __init__(self) -> None:
        super().__init__()
        self.hang_up: set[str] = set()

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        if self.hang_up & set(envelope.rcpt_tos):
            server.transport.close()
            return "421 closing"
        return await super().handle_DATA(server, session, envelope)


def test_a_lost_connection_leaves_the_rest_not_sent_and_resend_sends_them(  # type: ignore[no-untyped-def]
    procedure: Procedure, tmp_path: Path
) -> None:
    """The server hangs up on the third message: it is "unconfirmed" (the server may have taken it), never
    sent again by itself and never reconnected for; the rest are "not sent"; resend sends only those."""
    recorder = HangingUp()
    recorder.hang_up.add(PEOPLE[2].email)
    with smtp_server(recorder) as port:
        settings = settings_for(port)
        outcomes = send_once(tmp_path, items(procedure, PEOPLE[:5]), settings)
        assert [o.status for o in outcomes] == [SENT, SENT, UNCONFIRMED, NOT_SENT, NOT_SENT]
        assert all("connection lost" in o.reason for o in outcomes[2:])
        recorder.hang_up.clear()
        again = send_once(tmp_path, items(procedure, PEOPLE[:5]), settings, failures_only=True)
    assert [o.status for o in again] == [SENT, SENT, UNCONFIRMED, SENT, SENT]
    assert sorted(recorder.recipients()) == sorted(p.email for p in PEOPLE[:5] if p is not PEOPLE[2])


def test_an_unreachable_server_raises_before_anything_is_claimed(
    procedure: Procedure, tmp_path: Path
) -> None:
    from mailserver import free_port

    with pytest.raises(DeliveryError) as caught:
        send_once(tmp_path, items(procedure, PEOPLE[:3]), settings_for(free_port()))
    assert "cannot connect" in str(caught.value)
    assert [o.status for o in statuses(tmp_path, items(procedure, PEOPLE[:3]))] == [""] * 3


@pytest.mark.parametrize(("security", "side"), [("starttls", "tls_context"), ("tls", "ssl_context")])
def test_starttls_and_tls_settings_send_with_a_trusted_certificate(  # type: ignore[no-untyped-def]
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, security: str, side: str
) -> None:
    ca = trustme.CA()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    monkeypatch.setenv("SSL_CERT_FILE", str(ca_file))  # read by ssl.create_default_context()
    recorder = Recorder()
    folder = tmp_path / "session"
    folder.mkdir()
    with smtp_server(recorder, **{side: context}) as port:
        outcomes = send_once(folder, items(procedure, PEOPLE[:2]), settings_for(port, security=security))
    assert [o.status for o in outcomes] == [SENT, SENT] and len(recorder.received) == 2


def test_the_report_has_french_headers_safe_cells_and_no_numen(
    procedure: Procedure, server, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    recorder, port = server
    people = [
        Person('=HYPERLINK("http://x")', "Martin", "hmartin", email="h.martin@example.org", row=2),
        Person("Zoé", "Hervé", "zherve", email="zoe@example.org", row=3),
    ]
    recorder.refuse.add("zoe@example.org")
    outcomes = send_once(tmp_path, items(procedure, people), settings_for(port))
    data = report_csv(outcomes)
    assert data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert (
        tuple(rows[0]) == HEADERS == ("ligne", "prénom", "nom", "identifiant", "adresse", "statut", "raison")
    )
    assert rows[1][:6] == [
        "2",
        '\'=HYPERLINK("http://x")',
        "Martin",
        "hmartin",
        "h.martin@example.org",
        "envoyé",
    ]
    assert rows[2][5] == "refusé" and rows[2][6].startswith("550")


def test_cancel_stops_between_two_recipients_and_the_rest_can_go_later(  # type: ignore[no-untyped-def]
    procedure: Procedure, server, tmp_path: Path
) -> None:
    recorder, port = server
    settings = settings_for(port)
    stop = threading.Event()
    outcomes = send_once(
        tmp_path, items(procedure, PEOPLE[:4]), settings, progress=lambda d, t: stop.set(), cancel=stop
    )
    assert [o.status for o in outcomes] == [SENT, "", "", ""]
    assert [o.status for o in send_once(tmp_path, items(procedure, PEOPLE[:4]), settings)] == [SENT] * 4
    assert len(recorder.received) == 4


def test_a_message_to_another_address_than_the_persons_is_not_sent(  # type: ignore[no-untyped-def]
    procedure: Procedure, server, tmp_path: Path
) -> None:
    """A mix-up by the caller (Zoé's message under Marie's name) is caught: "not sent", nothing goes."""
    recorder, port = server
    marie, zoe = PEOPLE[:2]
    mixed = outgoing(marie, build_message(procedure, zoe, pdf_of(zoe), "z.pdf"))
    (outcome,) = send_once(tmp_path, [mixed], settings_for(port))
    assert outcome.status == NOT_SENT and "not addressed" in outcome.reason
    assert recorder.received == []
