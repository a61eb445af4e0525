"""``serve --mail-settings FILE``: the settings reach the pages; a bad file or an unset password stops at start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.web import state

SETTINGS = """host = "127.0.0.1"
security = "none"
port = 2525
user = "aesh17"
password_env = "TEST_SERVE_SMTP_PASSWORD"
sender = "aesh17@ac-poitiers.example"
"""


class FakeServer:
    """Stands for waitress: keeps the app it was given and returns at once."""

    apps: list[Any] = []

    def __init__(self, app: Any, host: str, port: int, behind_proxy: Any = None) -> None:
        self.apps.append(app)
        self.url = f"http://{host}:{port}/"

    def run(self) -> None:
        pass

    def close(self) -> None:
        pass


@pytest.fixture
def settings_file(tmp_path: Path) -> Path:
    path = tmp_path / "courriel.toml"
    path.write_text(SETTINGS, encoding="utf-8")
    return path


def test_the_settings_reach_the_pages(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """With the password's variable set, serve starts with the settings; the password is printed nowhere."""
    from generator.web import server

    monkeypatch.setenv("TEST_SERVE_SMTP_PASSWORD", "Pass-Word-77")
    monkeypatch.setattr(server, "Server", FakeServer)
    FakeServer.apps.clear()
    assert main(["serve", "--port", "0", "--mail-settings", str(settings_file)]) == 0
    (app,) = FakeServer.apps
    settings = state(app).mail_settings
    assert settings is not None and settings.sender == "aesh17@ac-poitiers.example"
    out = capsys.readouterr()
    assert "Pass-Word-77" not in out.out + out.err


def test_an_unset_password_stops_serve_at_once(
    settings_file: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The password's variable is checked at start: one error line naming it, no traceback, no server."""
    from generator.web import server

    monkeypatch.delenv("TEST_SERVE_SMTP_PASSWORD", raising=False)
    monkeypatch.setattr(server, "Server", FakeServer)
    FakeServer.apps.clear()
    assert main(["serve", "--mail-settings", str(settings_file)]) != 0
    err = capsys.readouterr().err
    assert "TEST_SERVE_SMTP_PASSWORD" in err and "Traceback" not in err
    assert FakeServer.apps == []


def test_a_wrong_settings_file_is_named_with_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A wrong key: the file, its line and the key, before any server starts."""
    from generator.web import server

    path = tmp_path / "courriel.toml"
    path.write_text('host = "127.0.0.1"\nsecurity = "none"\nsender = "pas une adresse"\n', encoding="utf-8")
    monkeypatch.setattr(server, "Server", FakeServer)
    FakeServer.apps.clear()
    assert main(["serve", "--mail-settings", str(path)]) != 0
    err = capsys.readouterr().err
    assert f"{path}:3" in err and "sender" in err and FakeServer.apps == []
