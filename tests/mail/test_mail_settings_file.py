"""Mail settings read from IT's TOML file: each problem names the file, line and key; the password stays out."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.errors import DeliveryError
from generator.mail.settings import MailSettings, is_loopback, load_mail_settings

GOOD = """\
host = "smtp.ac-poitiers.fr"
port = 587
security = "starttls"
user = "aesh17"
password_env = "AESH_SMTP_PASSWORD"
sender = "aesh17@ac-poitiers.fr"
sender_name = "Pôle académique de gestion des AESH"
reply_to = "aesh17-reponses@ac-poitiers.fr"
per_minute = 20
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mail.toml"
    path.write_text(text, encoding="utf-8")
    return path


def refusal(path: Path) -> str:
    with pytest.raises(DeliveryError) as caught:
        load_mail_settings(path)
    return str(caught.value)


def test_a_complete_file_gives_every_setting(tmp_path: Path) -> None:
    """Every key is read as written; the SMTP settings carry STARTTLS and the password from the environment."""
    settings = load_mail_settings(write(tmp_path, GOOD))
    assert (settings.host, settings.port, settings.security) == ("smtp.ac-poitiers.fr", 587, "starttls")
    assert (settings.sender, settings.reply_to, settings.per_minute) == (
        "aesh17@ac-poitiers.fr",
        "aesh17-reponses@ac-poitiers.fr",
        20,
    )
    assert settings.interval == 3.0
    smtp = settings.smtp({"AESH_SMTP_PASSWORD": "s3cret-pass"})
    assert smtp.starttls and not smtp.tls and smtp.user == "aesh17" and smtp.password == "s3cret-pass"
    assert "s3cret-pass" not in repr(smtp) + repr(settings)


def test_the_default_port_follows_the_security(tmp_path: Path) -> None:
    """tls → 465, starttls → 587, none (to this machine) → 25."""
    for security, port, host in (
        ("tls", 465, "smtp.example.fr"),
        ("starttls", 587, "x.fr"),
        ("none", 25, "::1"),
    ):
        path = write(tmp_path, f'host = "{host}"\nsecurity = "{security}"\nsender = "a@example.fr"\n')
        assert load_mail_settings(path).port == port


def test_a_password_in_the_file_is_refused_without_showing_it(tmp_path: Path) -> None:
    """password = "…" is refused naming the line and key, and the value never shows."""
    text = refusal(write(tmp_path, GOOD + 'password = "hunter2-Secret"\n'))
    assert "mail.toml:10: password" in text and "password_env" in text
    assert "hunter2-Secret" not in text


def test_an_unset_password_variable_names_the_file_and_variable(tmp_path: Path) -> None:
    settings = load_mail_settings(write(tmp_path, GOOD))
    with pytest.raises(DeliveryError) as caught:
        settings.smtp({})
    assert "mail.toml" in str(caught.value) and "AESH_SMTP_PASSWORD" in str(caught.value)


@pytest.mark.parametrize("host", ["smtp.example.fr", "10.0.0.5", "192.168.1.2", "localhost.example.fr"])
def test_security_none_to_another_machine_is_refused(tmp_path: Path, host: str) -> None:
    """security = "none" only to a loopback host: the error names the file, the line of host, and what is expected."""
    text = refusal(write(tmp_path, f'host = "{host}"\nsecurity = "none"\nsender = "a@example.fr"\n'))
    assert "mail.toml:1: host" in text and "localhost" in text and repr(host) in text


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1", "127.3.2.1", "::1", "LOCALHOST"])
def test_security_none_to_this_machine_is_accepted(tmp_path: Path, host: str) -> None:
    settings = load_mail_settings(
        write(tmp_path, f'host = "{host}"\nsecurity = "none"\nsender = "a@example.fr"\n')
    )
    smtp = settings.smtp({})
    assert not smtp.starttls and not smtp.tls


def test_every_problem_is_named_at_once(tmp_path: Path) -> None:
    """A bad security, port, sender, rate and an unknown key: one error listing each by line and key."""
    text = refusal(
        write(
            tmp_path,
            'host = "smtp.example.fr"\nsecurity = "ssl"\nport = 70000\nsender = "not an address"\n'
            "per_minute = 0\nsendr = 1\n",
        )
    )
    for where in (
        "mail.toml:2: security",
        "mail.toml:3: port",
        "mail.toml:4: sender",
        "mail.toml:5: per_minute",
    ):
        assert where in text, text
    assert "mail.toml:6: sendr: unknown key" in text
    assert "starttls, tls, none" in text


def test_missing_host_and_sender_are_named(tmp_path: Path) -> None:
    text = refusal(write(tmp_path, 'security = "tls"\n'))
    assert "mail.toml: host" in text and "mail.toml: sender" in text


def test_a_user_without_password_env_and_the_reverse_are_refused(tmp_path: Path) -> None:
    base = 'host = "smtp.example.fr"\nsender = "a@example.fr"\n'
    assert "password_env" in refusal(write(tmp_path, base + 'user = "jdupont"\n'))
    assert "mail.toml: user" in refusal(write(tmp_path, base + 'password_env = "SMTP_PASSWORD"\n'))
    assert "password_env" in refusal(write(tmp_path, base + 'user = "j"\npassword_env = "NOT-A-NAME"\n'))


def test_a_file_that_is_not_toml_names_the_file(tmp_path: Path) -> None:
    text = refusal(write(tmp_path, "host = smtp.example.fr\n"))
    assert "mail.toml" in text and "TOML" in text


def test_a_sender_name_with_an_encoded_word_is_refused(tmp_path: Path) -> None:
    text = refusal(write(tmp_path, GOOD.replace("Pôle académique", "=?UTF-8?B?QmNjOg==?=")))
    assert "mail.toml:7: sender_name" in text


@given(st.ip_addresses())
def test_loopback_is_exactly_127_slash_8_and_colon_colon_1(address) -> None:  # type: ignore[no-untyped-def]
    """Any IPv4 or IPv6 address: loopback for the rule exactly when the ipaddress module says so."""
    assert is_loopback(str(address)) == address.is_loopback


def test_settings_are_frozen(tmp_path: Path) -> None:
    settings = load_mail_settings(write(tmp_path, GOOD))
    assert isinstance(settings, MailSettings)
    with pytest.raises(AttributeError):
        settings.host = "elsewhere"  # type: ignore[misc]
