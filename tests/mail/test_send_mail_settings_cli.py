"""send --mail-settings FILE: the desk's settings on the command line; From, envelope and Reply-To are theirs."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import assert_one_clear_error, run_cli, write_manifest
from mailserver import Recorder, smtp_server

from generator.mail.drafts import attachment_name, build_message, write_draft
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.run.worker import Made

PEOPLE = [
    Person("Marie", "Dupont", "mdupont", email="marie.dupont@example.org", row=2),
    Person("Zoé", "Hervé", "zherve", email="zoe.herve@example.net", row=3),
]


@pytest.fixture
def drafts(tmp_path: Path, procedure: Procedure) -> Path:
    """A folder as personalise --eml writes it (the procedure's From in each draft)."""
    folder = tmp_path / "people"
    folder.mkdir()
    rows = []
    for person in PEOPLE:
        message = build_message(procedure, person, b"%PDF-1.7 fake", attachment_name(person))
        write_draft(folder / f"{person.identifier}.eml", message)
        rows.append((person, Made(person.row, {}, f"{person.identifier}.eml")))
    write_manifest(folder, rows)
    return folder


def settings_file(tmp_path: Path, port: int, extra: str = "") -> Path:
    path = tmp_path / "mail.toml"
    path.write_text(
        f'host = "127.0.0.1"\nport = {port}\nsecurity = "none"\nsender = "secretariat@lycee.example.fr"\n'
        f'sender_name = "Secrétariat"\nreply_to = "aide@lycee.example.fr"\nper_minute = 6000\n{extra}',
        encoding="utf-8",
    )
    return path


def test_send_with_mail_settings_uses_their_sender_and_reply_to(drafts: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Each draft goes once, MAIL FROM and From the settings' sender (not the drafts'), Reply-To theirs."""
    recorder = Recorder()
    with smtp_server(recorder) as port:
        argv = ["send", str(drafts), "--mail-settings", str(settings_file(tmp_path, port)), "--yes"]
        code, _, err = run_cli(argv, capsys)
        assert code == 0, err
        code, _, err = run_cli(argv, capsys)  # a second run: nothing more
    assert sorted(recorder.recipients()) == sorted(p.email for p in PEOPLE)
    for envelope, _rcpts, message in recorder.received:
        (sender,) = message["From"].addresses
        assert envelope == sender.addr_spec == "secretariat@lycee.example.fr"
        assert sender.display_name == "Secrétariat"
        assert [a.addr_spec for a in message["Reply-To"].addresses] == ["aide@lycee.example.fr"]
        assert message.get_body(("html",)) is not None and len(list(message.iter_attachments())) == 1


def test_mail_settings_beside_smtp_options_is_one_clear_error(drafts: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = settings_file(tmp_path, 25)
    code, _, err = run_cli(
        ["send", str(drafts), "--mail-settings", str(path), "--tls", "--user", "x"], capsys
    )
    assert_one_clear_error(code, err)
    assert "--tls" in err and "--user" in err


def test_a_bad_settings_file_is_a_clear_error_naming_it(drafts: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "mail.toml"
    path.write_text(
        'host = "smtp.example.fr"\nsecurity = "none"\nsender = "a@example.fr"\npassword = "Top-Secret-1"\n'
    )
    code, out, err = run_cli(["send", str(drafts), "--mail-settings", str(path), "--yes"], capsys)
    assert code != 0 and "Traceback" not in err
    assert "mail.toml:1: host" in err and "mail.toml:4: password" in err
    assert "Top-Secret-1" not in out + err


def test_neither_smtp_host_nor_mail_settings_is_a_usage_error(drafts: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    code, _, err = run_cli(["send", str(drafts)], capsys)
    assert code == 2 and "--smtp-host" in err and "--mail-settings" in err
