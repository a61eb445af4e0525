"""Helpers of the sending pages' tests: the loopback SMTP server, settings for it, a roster with addresses."""

from __future__ import annotations

import io
import re
import sys
import time
import zipfile
from pathlib import Path

from flask.testing import FlaskClient
from webtools import token, upload

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "mail"))
from mailserver import Recorder, smtp_server  # noqa: E402

from generator.mail import MailSettings  # noqa: E402

SENDER = "aesh17@ac-poitiers.example"
__all__ = ["Recorder", "smtp_server"]


def settings_for(port: int, **extra: object) -> MailSettings:
    values: dict[str, object] = {
        "host": "127.0.0.1",
        "port": port,
        "security": "none",
        "sender": SENDER,
        "sender_name": "Pôle AESH",
        "per_minute": 6000,
    }
    values.update(extra)
    return MailSettings(**values)  # type: ignore[arg-type]


def roster(count: int = 20, without: int = 0) -> bytes:
    """``count`` people with their own address, then ``without`` people with none."""
    lines = ["Prénom;Nom;Courriel"]
    lines += [f"Personne;Nom{chr(97 + i // 26)}{chr(97 + i % 26)};p{i}@example.org" for i in range(count)]
    lines += [f"Sans;Adresse{chr(97 + i)};" for i in range(without)]
    return ("\n".join(lines) + "\n").encode("utf-8")


def made_session(client: FlaskClient, data: bytes, formats: tuple[str, ...] = ("pdf",)) -> str:
    """Upload, check, make: the session's id once its result page is ready."""
    response = upload(client, data, "liste.csv", formats=list(formats))
    assert response.status_code == 303, response.get_data(as_text=True)[:400]
    work_id = response.headers["Location"].rsplit("/", 1)[1]
    make_checked(client, work_id)
    return work_id


def make_checked(client: FlaskClient, work_id: str) -> None:
    """« Créer les fiches » on a checked session, then wait until its run is finished."""
    made = client.post(f"/session/{work_id}/creer", data={"csrf_token": token(client, "/session")})
    assert made.status_code == 303
    deadline = time.monotonic() + 60
    while not client.get(f"/session/{work_id}/avancement.json").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)


def wait_sent(client: FlaskClient, work_id: str) -> str:
    """Follow the sending's progress to its result page; the page's text."""
    deadline = time.monotonic() + 60
    while not client.get(f"/session/{work_id}/envoi/avancement.json").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    response = client.get(f"/session/{work_id}/envoi/resultat")
    assert response.status_code == 200
    return text_of(response.get_data(as_text=True))


def text_of(page: str) -> str:
    import html

    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def zip_pdfs(folder_zip: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(folder_zip)) as archive:
        return {n: archive.read(n) for n in archive.namelist() if n.endswith(".pdf") and n != "all.pdf"}
