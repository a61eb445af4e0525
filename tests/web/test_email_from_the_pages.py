"""E-mail from the pages, through Flask's test client: a session's sheets and the desk's sheet, each sent once."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sendtools import (
    Recorder,
    made_session,
    roster,
    settings_for,
    smtp_server,
    text_of,
    wait_sent,
    zip_pdfs,
)
from webtools import post_desk, token

from generator import Procedure
from generator.web import create_app, shutdown

NOT_SET_UP = "L'envoi par courriel n'est pas configuré sur ce poste : téléchargez les brouillons."


@pytest.fixture
def server() -> Iterator[tuple[Recorder, int]]:
    recorder = Recorder()
    with smtp_server(recorder) as port:
        yield recorder, port


@pytest.fixture
def mail_app(procedure: Procedure, tmp_path: Path, server: tuple[Recorder, int]) -> Iterator[Flask]:
    app = create_app(
        procedure, secret_key=b"m" * 32, work_dir=tmp_path, mail_settings=settings_for(server[1])
    )
    yield app
    shutdown(app)


@pytest.fixture
def client(mail_app: Flask) -> FlaskClient:
    return mail_app.test_client()


def _attachments(recorder: Recorder) -> dict[str, tuple[str, bytes]]:
    """Recipient → (attachment's name, its bytes), one entry per message received."""
    found = {}
    for _sender, recipients, message in recorder.received:
        (part,) = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
        (address,) = recipients
        found[address] = (part.get_filename(), part.get_content())
    return found


def test_without_settings_the_pages_say_so_and_send_nothing(procedure: Procedure, tmp_path: Path) -> None:
    """No --mail-settings: the session's result and the desk say sending is not set up; the send pages refuse."""
    app = create_app(procedure, secret_key=b"n" * 32, work_dir=tmp_path)
    client = app.test_client()
    try:
        work_id = made_session(client, roster(3))
        assert NOT_SET_UP in text_of(client.get(f"/session/{work_id}/resultat").get_data(as_text=True))
        refused = client.get(f"/session/{work_id}/envoi")
        assert refused.status_code == 409 and NOT_SET_UP in text_of(refused.get_data(as_text=True))
        page = post_desk(client, first_name="Marie", last_name="Dupont", email="marie@example.org")
        text = text_of(page.get_data(as_text=True))
        assert NOT_SET_UP in text and "Envoyer la fiche par courriel" not in text
    finally:
        shutdown(app)


def test_a_session_sends_each_person_their_own_sheet_once(
    client: FlaskClient, server: tuple[Recorder, int]
) -> None:
    """20 people and 2 without address: one message each, to their address, with the ZIP's very PDF; never twice."""
    recorder, _port = server
    recorder.refuse.add("p5@example.org")
    work_id = made_session(client, roster(20, without=2))
    result = text_of(client.get(f"/session/{work_id}/resultat").get_data(as_text=True))
    assert "Envoyer les courriels (20)" in result
    confirm = text_of(client.get(f"/session/{work_id}/envoi").get_data(as_text=True))
    assert "p0@example.org" in confirm and "fiche-messagerie-pnomaa.pdf" in confirm
    assert "2 personnes sans adresse" in confirm and "Sans Adressea" in confirm
    assert recorder.received == []  # the confirmation page sends nothing
    csrf = token(client, "/session")
    assert client.post(f"/session/{work_id}/envoi", data={"quoi": "tout"}).status_code == 400  # no CSRF token
    assert (
        client.post(f"/session/{work_id}/envoi", data={"csrf_token": csrf, "quoi": "tout"}).status_code == 303
    )
    text = wait_sent(client, work_id)
    assert "19 messages envoyés" in text and "refusé par le serveur" in text and "mailbox unavailable" in text
    assert sorted(recorder.recipients()) == sorted(f"p{i}@example.org" for i in range(20) if i != 5)

    # A refresh, a double click, "Confirmer" again: nothing more goes; the confirmation shows the outcome.
    for _ in range(2):
        client.post(f"/session/{work_id}/envoi", data={"csrf_token": csrf, "quoi": "tout"})
        wait_sent(client, work_id)
    assert client.get(f"/session/{work_id}/envoi").headers["Location"].endswith("/envoi/resultat")
    assert len(recorder.received) == 19

    recorder.refuse.clear()  # the address is corrected on the server's side: "Renvoyer les échecs" sends it alone
    assert "Renvoyer les échecs (1)" in text
    client.post(f"/session/{work_id}/envoi", data={"csrf_token": csrf, "quoi": "echecs"})
    assert "20 messages envoyés" in wait_sent(client, work_id)
    assert recorder.recipients()[19:] == ["p5@example.org"]

    report = client.get(f"/session/{work_id}/envoi/rapport.csv")
    lines = report.get_data().decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 22 and sum(";envoyé;" in line for line in lines) == 20
    download = client.get(f"/session/{work_id}/fiches.zip")
    pdfs = zip_pdfs(download.get_data())
    download.close()  # the server removes the session once the body is closed
    for address, (name, data) in _attachments(recorder).items():
        identifier = f"pnom{chr(97 + int(address[1:-12]) // 26)}{chr(97 + int(address[1:-12]) % 26)}"
        assert name == f"fiche-messagerie-{identifier}.pdf"
        assert data == pdfs[f"{identifier}.pdf"]


def test_two_sendings_at_once_send_each_person_once(
    client: FlaskClient, server: tuple[Recorder, int]
) -> None:
    """Two tabs confirm at the same moment: one job runs, each person gets exactly one message."""
    recorder, _port = server
    work_id = made_session(client, roster(8))
    csrf = token(client, "/session")
    answers: list[int] = []

    def confirm() -> None:
        answers.append(
            client.post(f"/session/{work_id}/envoi", data={"csrf_token": csrf, "quoi": "tout"}).status_code
        )

    threads = [threading.Thread(target=confirm) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [303] * 4
    assert "8 messages envoyés" in wait_sent(client, work_id)
    assert sorted(recorder.recipients()) == sorted(f"p{i}@example.org" for i in range(8))


def test_a_refused_login_says_so_at_once_and_sends_nothing(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The relay refuses the login: one French message on the result page, no password shown, nothing sent."""
    from aiosmtpd.smtp import AuthResult

    def authenticator(*_args: object) -> AuthResult:
        return AuthResult(success=False, handled=False)

    monkeypatch.setenv("TEST_SEND_PAGES_PASSWORD", "Secret-Pass-9876")
    recorder = Recorder()
    with smtp_server(recorder, authenticator=authenticator, auth_require_tls=False) as port:
        settings = settings_for(port, user="aesh17", password_env="TEST_SEND_PAGES_PASSWORD")
        app = create_app(procedure, secret_key=b"l" * 32, work_dir=tmp_path, mail_settings=settings)
        client = app.test_client()
        try:
            work_id = made_session(client, roster(3))
            client.post(f"/session/{work_id}/envoi", data={"csrf_token": token(client, "/session")})
            text = wait_sent(client, work_id)
        finally:
            shutdown(app)
    assert "Rien n'a été envoyé : " in text and "connexion refusée pour l’utilisateur 'aesh17'" in text
    assert "Secret-Pass-9876" not in text
    assert "0 message envoyé" in text and recorder.received == []


def test_the_desk_sends_the_sheet_once(client: FlaskClient, server: tuple[Recorder, int]) -> None:
    """ "Envoyer la fiche par courriel", confirm: one message with the desk's PDF; a refresh sends nothing more."""
    recorder, _port = server
    fields = {"first_name": "Marie", "last_name": "Dupont", "email": "marie@example.org", "manager": ""}
    page = post_desk(client, **fields).get_data(as_text=True)
    assert "Envoyer la fiche par courriel" in text_of(page)
    sheet_token = page.split('name="envoi" value="', 1)[1].split('"', 1)[0]
    csrf = token(client)
    form = {"csrf_token": csrf, "envoi": sheet_token, "birth_name": "", "identifier": "", **fields}
    confirm = text_of(client.post("/fiche/envoi", data=form).get_data(as_text=True))
    assert "marie@example.org" in confirm and "fiche-messagerie-mdupont.pdf" in confirm
    assert recorder.received == []
    assert client.post("/fiche/envoi/confirmer", data={**form, "csrf_token": ""}).status_code == 400
    for _ in range(3):  # the result, then a refresh (the browser posts again) and a double click
        answer = client.post("/fiche/envoi/confirmer", data=form)
        assert answer.status_code == 200 and "Fiche de Marie Dupont : envoyé" in text_of(
            answer.get_data(as_text=True)
        )
    assert recorder.recipients() == ["marie@example.org"]
    pdf = client.post("/fiche/telecharger", data={**form, "format": "pdf"}).get_data()
    assert _attachments(recorder)["marie@example.org"] == ("fiche-messagerie-mdupont.pdf", pdf)


def test_the_same_sheet_made_again_is_not_sent_twice(
    client: FlaskClient, server: tuple[Recorder, int]
) -> None:
    """Regression: a refresh of the result page (or « Modifier » then « Créer ») made a new token and a new record."""
    recorder, _port = server
    fields = {"first_name": "Marie", "last_name": "Dupont", "email": "marie@example.org", "manager": ""}
    for _ in range(2):  # the sheet made twice for the same person: two tokens
        page = post_desk(client, **fields).get_data(as_text=True)
        sheet_token = page.split('name="envoi" value="', 1)[1].split('"', 1)[0]
        form = {
            "csrf_token": token(client),
            "envoi": sheet_token,
            "birth_name": "",
            "identifier": "",
            **fields,
        }
        assert client.post("/fiche/envoi/confirmer", data=form).status_code == 200
    assert recorder.recipients() == ["marie@example.org"]


def test_the_desk_token_sends_only_its_own_person(client: FlaskClient, server: tuple[Recorder, int]) -> None:
    """A token made for one sheet sends nothing for other fields, nor an unknown token."""
    recorder, _port = server
    fields = {"first_name": "Marie", "last_name": "Dupont", "email": "marie@example.org", "manager": ""}
    page = post_desk(client, **fields).get_data(as_text=True)
    sheet_token = page.split('name="envoi" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token(client), "envoi": sheet_token, "birth_name": "", "identifier": "", **fields}
    other = client.post("/fiche/envoi/confirmer", data={**form, "email": "someone@example.org"})
    unknown = client.post("/fiche/envoi/confirmer", data={**form, "envoi": "made-up"})
    assert other.status_code == 410 and unknown.status_code == 410
    assert "Rien n'a été envoyé" in text_of(other.get_data(as_text=True))
    assert recorder.received == []


def test_a_session_is_not_removed_while_it_sends(
    mail_app: Flask, client: FlaskClient, server: tuple[Recorder, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session older than its life when its sending ends is kept: the sending renews it, the result stays readable."""
    import time

    from generator.web import sendjobs, state

    recorder, _port = server
    gate = threading.Event()
    real_send = sendjobs.send_once

    def held(*args: object, **kwargs: object) -> object:
        gate.wait(20)
        return real_send(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(sendjobs, "send_once", held)
    work_id = made_session(client, roster(3))
    client.post(f"/session/{work_id}/envoi", data={"csrf_token": token(client, "/session")})
    works = state(mail_app).extra["works"]
    works._works[work_id].created -= works.lifetime + 10  # type: ignore[attr-defined]  # as if made long ago
    gate.set()
    job = state(mail_app).extra["sendings"].get(work_id)  # type: ignore[attr-defined]
    deadline = time.monotonic() + 30
    while job.running:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    works.purge()  # type: ignore[attr-defined]
    assert "3 messages envoyés" in wait_sent(client, work_id)
    assert len(recorder.received) == 3


def test_a_sheet_gone_from_the_folder_is_not_sent_and_the_others_go(
    mail_app: Flask, client: FlaskClient, server: tuple[Recorder, int]
) -> None:
    """One person's PDF cannot be read: "non envoyé" with why, and the other messages go."""
    from generator.web import state

    recorder, _port = server
    work_id = made_session(client, roster(3))
    work = state(mail_app).extra["works"]._works[work_id]  # type: ignore[attr-defined]
    (work.out / "pnomab.pdf").unlink()
    client.post(f"/session/{work_id}/envoi", data={"csrf_token": token(client, "/session")})
    text = wait_sent(client, work_id)
    assert "2 messages envoyés" in text and "le fichier de la fiche n'a pas pu être lu" in text
    assert sorted(recorder.recipients()) == ["p0@example.org", "p2@example.org"]


def test_the_desk_s_outcome_elides_before_a_vowel(client: FlaskClient, server: tuple[Recorder, int]) -> None:
    """« Fiche d'Anne Martin : envoyé », as the desk's own title says it."""
    fields = {"first_name": "Anne", "last_name": "Martin", "email": "anne@example.org", "manager": ""}
    page = post_desk(client, **fields).get_data(as_text=True)
    sheet_token = page.split('name="envoi" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": token(client), "envoi": sheet_token, "birth_name": "", "identifier": "", **fields}
    answer = text_of(client.post("/fiche/envoi/confirmer", data=form).get_data(as_text=True))
    assert "Fiche d'Anne Martin : envoyé" in answer.replace("’", "'")
    assert server[0].recipients() == ["anne@example.org"]


def test_the_zip_waits_for_the_sending(mail_app: Flask, client: FlaskClient) -> None:
    """Regression: downloading the ZIP while e-mails went removed the session and its record of what went."""
    from types import SimpleNamespace

    from generator.web import state

    work_id = made_session(client, roster(3))
    sendings = state(mail_app).extra["sendings"]
    sendings._jobs[work_id] = SimpleNamespace(running=True)  # a sending under way
    refused = client.get(f"/session/{work_id}/fiches.zip")
    assert refused.status_code == 409 and "attendez la fin de l'envoi" in text_of(
        refused.get_data(as_text=True)
    )
    sendings._jobs[work_id] = SimpleNamespace(running=False, thread=None)  # it is over
    download = client.get(f"/session/{work_id}/fiches.zip")
    assert download.status_code == 200
    download.close()


def test_the_personal_data_page_says_what_sending_keeps(
    client: FlaskClient, procedure: Procedure, tmp_path: Path
) -> None:
    """With --mail-settings the page says the server sends and keeps a record; without, it says nothing of it."""
    assert "L'envoi des fiches par courriel" in text_of(
        client.get("/donnees-personnelles").get_data(as_text=True)
    )
    plain = create_app(procedure, secret_key=b"n" * 32, work_dir=tmp_path / "plain").test_client()
    assert "L'envoi des fiches par courriel" not in text_of(
        plain.get("/donnees-personnelles").get_data(as_text=True)
    )
