"""A signing session through Flask's test client: upload, check, make, ZIP, clean-up, bad files."""

from __future__ import annotations

import email
import html
import io
import logging
import os
import re
import stat
import time
import zipfile
from collections.abc import Iterator
from email import policy
from pathlib import Path

import openpyxl
import pytest
from flask import Flask
from flask.testing import FlaskClient
from webtools import token, upload

from generator import Procedure
from generator.cli import main
from generator.web import create_app, shutdown
from generator.web.works import Works

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "data" / "roster.example.csv"


@pytest.fixture
def work_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "server-tmp"
    folder.mkdir()
    return folder


@pytest.fixture
def app(procedure: Procedure, work_dir: Path) -> Iterator[Flask]:
    app = create_app(procedure, secret_key=b"s" * 32, work_dir=work_dir)
    yield app
    shutdown(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).replace("\u00a0", " ").split())


def _work_id(response) -> str:  # noqa: ANN001
    location = response.headers["Location"]
    match = re.fullmatch(r"/session/([\w-]+)", location)
    assert match, location
    return match.group(1)


def _make(client: FlaskClient, work_id: str, **form: str) -> str:
    """Créer les fiches, then follow the progress until the result page; its URL."""
    response = client.post(
        f"/session/{work_id}/creer", data={"csrf_token": token(client, "/session"), **form}
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    deadline = time.monotonic() + 60
    while not location.endswith("/resultat"):
        assert time.monotonic() < deadline
        time.sleep(0.1)
        state = client.get(f"/session/{work_id}/avancement.json").get_json()
        assert 0 <= state["done"] <= state["total"]
        if state["finished"]:
            location = state["next"]
    return location


def _zip(client: FlaskClient, work_id: str) -> dict[str, bytes]:
    response = client.get(f"/session/{work_id}/fiches.zip")
    assert response.status_code == 200 and response.headers["Content-Type"] == "application/zip"
    data = response.data
    response.close()  # the server closes the body once sent: the session is then removed
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _without_date(eml: bytes) -> tuple[object, ...]:
    """A draft's content, without what changes at each writing (date, message id)."""
    message = email.message_from_bytes(eml, policy=policy.default)
    attachment = next(message.iter_attachments()).get_content()
    return (message["To"], message["Subject"], message.get_body(("plain",)).get_content(), attachment)


def test_upload_page_says_what_the_list_must_hold(client: FlaskClient) -> None:
    """The file field's label, the accepted headers from the reader's own table, the options, the button."""
    page = client.get("/session").get_data(as_text=True)
    text = _text(page)
    assert re.search(
        r'<label class="fr-label" for="roster">La liste\s: un fichier Excel \(.xlsx\) ou CSV</label>', page
    )
    assert "Taille maximale : 4 Mo. Formats acceptés : .xlsx, .csv" in text
    assert "UTF-8 ou Windows-1252" not in text and "Envoyez" not in text and "Déposez la liste" in text
    for header in (
        "Prénom",
        "Nom d'usage",
        "Nom de naissance",
        "Courriel personnel",
        "Gestionnaire",
        "Identifiant",
    ):
        assert header in text
    assert "PDF" in text and "DOCX" in text and "Écarter les lignes invalides" in text
    assert "Un courriel prêt à envoyer avec la fiche" in text and ".eml" not in text
    assert "Vérifier la liste" in text


def _roster_files(tmp_path: Path) -> dict[str, tuple[str, bytes]]:
    text = EXAMPLE.read_text(encoding="utf-8")
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Signatures"
    for line in text.splitlines():
        sheet.append(line.split(";"))
    book.create_sheet("Brouillon")
    xlsx = tmp_path / "liste.xlsx"
    book.save(xlsx)
    return {
        "csv-utf8": ("liste.csv", text.encode("utf-8")),
        "csv-windows-1252": ("liste.csv", text.replace("’", "'").encode("cp1252")),
        "xlsx": ("liste.xlsx", xlsx.read_bytes()),
    }


@pytest.mark.parametrize("kind", ["csv-utf8", "csv-windows-1252", "xlsx"])
def test_zip_holds_personalise_s_very_files(client: FlaskClient, tmp_path: Path, kind: str) -> None:
    """Every file of the ZIP is byte for byte what ``personalise`` writes for the same roster and options."""
    name, data = _roster_files(tmp_path)[kind]
    response = upload(client, data, name, eml="y")
    work_id = _work_id(response)
    assert _make(client, work_id).endswith("/resultat")
    files = _zip(client, work_id)

    roster = tmp_path / name
    roster.write_bytes(data)
    out = tmp_path / "cli"
    assert main(["personalise", str(roster), "--out", str(out), "--eml", "--jobs", "1"]) == 0
    # personalise's record of what it wrote (a hidden file, for its next run) is not a sheet: not in the ZIP.
    assert any(p.name.startswith(".") for p in out.iterdir())
    expected = {p.name: p.read_bytes() for p in out.iterdir() if not p.name.startswith(".")}
    assert sorted(files) == sorted(expected)
    for file_name, content in expected.items():
        if file_name.endswith(".eml"):
            assert _without_date(files[file_name]) == _without_date(content), file_name
        else:
            assert files[file_name] == content, file_name


def test_check_page_shows_rows_identifiers_flags_refusals_and_warnings(
    client: FlaskClient, work_dir: Path
) -> None:
    """Line, name, identifier and flags of each row; homonyms grouped; refused rows by line in French; NUMEN column named, values never shown."""
    text = "Prénom;Nom;Nom de naissance;NUMEN;Identifiant\n"
    text += "Marie;Dupont;;17E0912345ABC;\nMathieu;Dupont;;18E0954321XYZ;\nFrançoise;Martin;Lefèvre;;\n"
    text += "Jean;;;;\nZoé;Ωμέγα;;;\nAli;Ben;;;aben2\n"
    response = upload(client, text.encode(), "liste.csv")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    words = _text(page)
    assert "Rien n'est encore fait" in words
    assert "<caption" in page and page.count('<th scope="col"') == 4
    # Refused rows by their line, each problem as the library words it (the column named as in the file).
    assert "ligne 5 : « Nom » est vide (attendu : le nom de famille de la personne)" in words
    assert "ligne 6 : « Nom » contient des lettres hors de l'alphabet latin" in words
    assert "liste.csv : ligne 1 : colonne « NUMEN » (D) ignorée : le NUMEN est un mot de passe" in words
    assert "0912345" not in page and "0954321" not in page
    assert str(work_dir) not in page  # the server's private folder is never named
    homonyms = words[words.index("Homonymes à vérifier") :]
    assert "mdupont — ligne 2 Marie Dupont ; ligne 3 Mathieu Dupont" in homonyms
    assert re.search(
        r"<td[^>]*>4</td>\s*<td>Françoise Martin</td>\s*<td[^>]*>flefevre</td>\s*<td><span class=\"flag\">nom de naissance",
        page,
    )
    assert "identifiant fourni" in words and "aben2" in words
    assert response.headers["Cache-Control"] == "no-store"


def test_refused_rows_need_leave_out_ticked(client: FlaskClient) -> None:
    """With refused rows, Créer les fiches asks for "écarter les lignes refusées" first; then the others are made."""
    text = "Prénom;Nom\nMarie;Dupont\n;Vide\n"
    work_id = _work_id(upload(client, text.encode(), "liste.csv", formats=["pdf"]))
    refused = client.post(f"/session/{work_id}/creer", data={"csrf_token": token(client, "/session")})
    assert refused.status_code == 422
    assert "Cochez « Écarter les lignes refusées »" in _text(refused.get_data(as_text=True))
    result = client.get(_make(client, work_id, skip_invalid="y")).get_data(as_text=True)
    words = _text(result)
    assert (
        "1 fiche faite" in words and "Lignes écartées" in words and "ligne 3 : « Prénom » est vide" in words
    )
    assert (
        "Télécharger le fichier à imprimer (PDF" in words and "Télécharger toutes les fiches (ZIP)" in words
    )
    pdf = client.get(f"/session/{work_id}/all.pdf")
    assert pdf.data.startswith(b"%PDF") and pdf.headers["Cache-Control"] == "no-store"
    pdf.close()
    assert sorted(_zip(client, work_id)) == ["all.pdf", "manifest.csv", "mdupont.pdf"]


def _zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (80 * 1024 * 1024) + b"/>")
    return buffer.getvalue()


BAD_FILES = {
    "xls": (
        "liste.xls",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512,
        "liste.xls : un ancien classeur Excel ne peut pas être lu",
    ),
    "ods": (
        "liste.ods",
        b"PK\x03\x04 libreoffice",
        "liste.ods : un classeur LibreOffice ne peut pas être lu",
    ),
    "garbage-xlsx": (
        "liste.xlsx",
        b"PK\x03\x04" + bytes(range(256)) * 8,
        "liste.xlsx : classeur .xlsx illisible",
    ),
    "zip-bomb": ("liste.xlsx", _zip_bomb(), "une « bombe zip », pas un classeur"),
    "empty": ("liste.csv", b"", "liste.csv : le fichier est vide"),
    "missing-column": (
        "liste.csv",
        "Prénom;Courriel\nMarie;m@example.org\n".encode(),
        "aucune colonne pour le nom de famille",
    ),
    "csv-as-xlsx": ("liste.xlsx", "Prénom;Nom\nMarie;Dupont\n".encode(), "renommez-le en .csv"),
    "unknown-extension": ("liste.pdf", b"%PDF-1.7", "extension inconnue '.pdf' (attendu : .csv ou .xlsx"),
    "binary-csv": ("liste.csv", b"\x00\x01\x02garbage", "ce n'est pas un fichier texte"),
}


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_bad_files_get_a_french_message_and_leave_nothing(
    client: FlaskClient, work_dir: Path, kind: str
) -> None:
    """Old .xls, .ods, garbage or zip-bomb .xlsx, an empty file, a missing column: the reason in French beside the field; no 500, nothing kept."""
    name, data, said = BAD_FILES[kind]
    response = upload(client, data, name)
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert '<a href="#roster">' in page and said in _text(page)
    assert str(work_dir) not in page  # the server's private folder is never named
    assert "Traceback" not in page and "line" not in _text(page).split("Liste (CSV ou XLSX)")[0]
    assert list(work_dir.iterdir()) == []


def test_messages_name_the_file_as_sent_never_the_server_s_folder(
    client: FlaskClient, work_dir: Path
) -> None:
    """The library names the file it read: the page says the name the office gave it, not the private copy's path."""
    response = upload(client, b"", "Signatures rentrée.csv")
    words = _text(response.get_data(as_text=True))
    assert "Signatures rentrée.csv : le fichier est vide" in words
    assert str(work_dir) not in words and "liste.csv" not in words


def test_missing_file_or_format_is_said_beside_the_field(client: FlaskClient) -> None:
    response = client.post(
        "/session", data={"csrf_token": token(client, "/session")}, content_type="multipart/form-data"
    )
    words = _text(response.get_data(as_text=True))
    assert response.status_code == 422
    assert "Choisissez le fichier de la liste" in words and "Choisissez au moins un format" in words


def test_upload_over_the_size_limit_gets_a_french_page(procedure: Procedure) -> None:
    """Over the limit: a clear French page (413), not a bare error."""
    small = create_app(procedure, max_request_bytes=10_000).test_client()
    response = upload(small, b"Prenom;Nom\n" + b"Marie;Dupont\n" * 2000, "liste.csv")
    assert response.status_code == 413
    assert "Le fichier est trop volumineux" in _text(response.get_data(as_text=True))


def test_private_folder_removed_after_the_zip_download(client: FlaskClient, work_dir: Path) -> None:
    """The folder is owner-only while it lives, and gone once the ZIP has been sent."""
    work_id = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    (folder,) = list(work_dir.iterdir())
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    _make(client, work_id)
    assert (folder / "fiches" / "all.pdf").is_file()
    _zip(client, work_id)
    assert list(work_dir.iterdir()) == []
    assert client.get(f"/session/{work_id}/resultat").status_code == 410  # ended, said plainly


def test_sessions_expire_and_stop_with_the_server(app: Flask, client: FlaskClient, work_dir: Path) -> None:
    """After 15 minutes a session is removed; the server's stop removes the others."""
    first = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv"))
    works = app.extensions["generator"].extra["works"]
    assert isinstance(works, Works)
    works.purge(now=time.monotonic() + 14 * 60)
    assert len(list(work_dir.iterdir())) == 1
    works.purge(now=time.monotonic() + 16 * 60)
    assert list(work_dir.iterdir()) == []
    assert client.get(f"/session/{first}").status_code == 404
    upload(client, EXAMPLE.read_bytes(), "liste.csv")
    assert len(list(work_dir.iterdir())) == 1
    shutdown(app)
    assert list(work_dir.iterdir()) == []


def test_two_browsers_never_see_each_other_s_session(app: Flask) -> None:
    """A session's id, tried from another browser, is "page not found"; each gets its own list and files."""
    alice, bob = app.test_client(), app.test_client()
    alice_id = _work_id(upload(alice, "Prénom;Nom\nAlice;Martin\n".encode(), "liste.csv", formats=["pdf"]))
    bob_id = _work_id(upload(bob, "Prénom;Nom\nBob;Durand\n".encode(), "liste.csv", formats=["pdf"]))
    assert alice_id != bob_id and len(alice_id) >= 24
    for path in ("", "/resultat", "/avancement", "/avancement.json", "/fiches.zip", "/all.pdf"):
        assert bob.get(f"/session/{alice_id}{path}").status_code == 404
    assert (
        bob.post(f"/session/{alice_id}/creer", data={"csrf_token": token(bob, "/session")}).status_code == 404
    )
    assert "Alice" not in bob.get(f"/session/{bob_id}").get_data(as_text=True)
    _make(alice, alice_id)
    _make(bob, bob_id)
    assert sorted(_zip(bob, bob_id)) == ["all.pdf", "bdurand.pdf", "manifest.csv"]
    assert sorted(_zip(alice, alice_id)) == ["all.pdf", "amartin.pdf", "manifest.csv"]


def test_remove_now_button(client: FlaskClient, work_dir: Path) -> None:
    work_id = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv"))
    response = client.post(f"/session/{work_id}/supprimer", data={"csrf_token": token(client, "/session")})
    assert response.status_code == 303 and list(work_dir.iterdir()) == []


def test_progress_page_follows_a_long_run_without_javascript(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """While the run lasts: a progress page (a bar, "N fiches faites sur M", a link to refresh) and its JSON."""
    import threading

    from generator.web import session
    from generator.web.batch import Batch

    gate = threading.Event()
    real_wait = Batch.wait
    monkeypatch.setattr(session, "QUICK_WAIT", 0.0)
    monkeypatch.setattr(Batch, "wait", lambda batch: gate.wait(10) and real_wait(batch))
    work_id = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    response = client.post(f"/session/{work_id}/creer", data={"csrf_token": token(client, "/session")})
    assert response.headers["Location"] == f"/session/{work_id}/avancement"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert '<progress max="8" value="0"' in page and "0 fiches faites sur 8" in _text(page)
    assert f'href="/session/{work_id}/avancement"' in page  # without a script: refresh by hand
    assert client.get(f"/session/{work_id}").headers["Location"].endswith("/avancement")
    assert client.get(f"/session/{work_id}/resultat").status_code == 303
    state = client.get(f"/session/{work_id}/avancement.json").get_json()
    assert state == state | {"done": 0, "total": 8, "finished": False}
    gate.set()
    deadline = time.monotonic() + 30
    while not client.get(f"/session/{work_id}/avancement.json").get_json()["finished"]:
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert client.get(f"/session/{work_id}/avancement").headers["Location"].endswith("/resultat")


def test_a_failed_run_is_logged_by_its_kind_never_its_message(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A run that cannot start leaves a trace in the server's log: the exception's type, never its text (a name)."""
    from generator.web.batch import Batch

    def fail(batch: Batch) -> None:
        raise ValueError("Marie Dupont")

    monkeypatch.setattr(Batch, "start", fail)
    work_id = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    with caplog.at_level("ERROR", logger="generator.web"):
        page = client.get(_make(client, work_id)).get_data(as_text=True)
    assert "Les fiches n'ont pas pu être faites. Rien n'a été conservé." in _text(page)
    assert "ValueError" in caplog.text and "Marie" not in caplog.text


def test_issue_more_than_500_people_keep_one_file_to_print(client: FlaskClient) -> None:
    """The web asks run_batch for one all.pdf up to 2000 pages: 501 people still get "Télécharger le fichier à imprimer (PDF"."""
    rows = "".join(
        f"Prénom{chr(97 + i // 26 % 26)}{chr(97 + i % 26)};Nom{chr(97 + i // 676)}\n" for i in range(501)
    )
    work_id = _work_id(upload(client, ("Prénom;Nom\n" + rows).encode(), "liste.csv", formats=["pdf"]))
    words = _text(client.get(_make(client, work_id)).get_data(as_text=True))
    assert "501 fiches faites" in words
    assert "Télécharger le fichier à imprimer (PDF" in words and "partie 1" not in words
    pdf = client.get(f"/session/{work_id}/all.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    pdf.close()


def test_print_volumes_each_get_a_link(client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the volume size, run_batch writes all-001.pdf, …: the page offers each, "partie 1 sur 3"."""
    from generator.web import batch

    monkeypatch.setattr(batch, "PRINT_VOLUME", 3)  # 8 people: volumes of 3, 3 and 2 pages
    work_id = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    page = client.get(_make(client, work_id)).get_data(as_text=True)
    words = _text(page)
    for part in (1, 2, 3):
        assert f"Télécharger le fichier à imprimer, partie {part} sur 3 (PDF" in words
        assert f'href="/session/{work_id}/all-00{part}.pdf"' in page
        volume = client.get(f"/session/{work_id}/all-00{part}.pdf")
        assert volume.status_code == 200 and volume.data.startswith(b"%PDF")
        volume.close()
    assert client.get(f"/session/{work_id}/all.pdf").status_code == 404
    assert client.get(f"/session/{work_id}/liste.pdf").status_code == 404  # only the run's print files


def test_a_new_upload_replaces_the_browser_s_previous_session(client: FlaskClient, work_dir: Path) -> None:
    """One browser keeps one session of work: sending another list removes the earlier list and sheets."""
    first = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    second = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    assert first != second and len(list(work_dir.iterdir())) == 1
    assert client.get(f"/session/{first}").status_code == 404
    assert client.get(f"/session/{second}").status_code == 200


def test_sessions_are_capped_with_a_french_page(
    app: Flask, work_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the cap (20; 2 here), a new browser gets a clear French page asking to try again, and nothing is kept."""
    monkeypatch.setattr(app.extensions["generator"].extra["works"], "most", 2)
    for _browser in range(2):
        assert upload(app.test_client(), EXAMPLE.read_bytes(), "liste.csv").status_code == 303
    response = upload(app.test_client(), EXAMPLE.read_bytes(), "liste.csv")
    assert response.status_code == 503 and response.headers["Retry-After"]
    words = _text(response.get_data(as_text=True))
    assert "Trop de sessions sont en cours sur ce serveur. Réessayez dans quelques minutes." in words
    assert len(list(work_dir.iterdir())) == 2


def test_issue_killed_server_s_session_folders_removed_at_start(procedure: Procedure, work_dir: Path) -> None:
    """A folder whose server is gone (a pid that does not exist, its lock free) is removed when an app starts; a live server's folder stays."""
    dead = work_dir / "generator-session-killed"
    dead.mkdir(mode=0o700)
    (dead / ".server.lock").write_text("pid 999999999\nstarted 0\n")
    (dead / "liste.csv").write_text("Prénom;Nom\nMarie;Dupont\n")
    older = work_dir / "generator-session-old"  # an older version's folder, without a lock, 2 hours old
    older.mkdir(mode=0o700)
    os.utime(older, (time.time() - 7200, time.time() - 7200))
    live = create_app(procedure, secret_key=b"s" * 32, work_dir=work_dir)
    try:
        assert sorted(work_dir.iterdir()) == []
        assert upload(live.test_client(), EXAMPLE.read_bytes(), "liste.csv").status_code == 303
        (folder,) = list(work_dir.iterdir())
        second = create_app(procedure, secret_key=b"s" * 32, work_dir=work_dir)
        assert list(work_dir.iterdir()) == [folder]  # the live server's session stays
        shutdown(second)
    finally:
        shutdown(live)
    assert list(work_dir.iterdir()) == []


def test_session_folders_share_one_owner_only_parent(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without work_dir, every session folder is made in <temp>/aesh-generator-sessions-<uid>, mode 0700."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    app = create_app(procedure, secret_key=b"s" * 32)
    try:
        assert upload(app.test_client(), EXAMPLE.read_bytes(), "liste.csv").status_code == 303
        (parent,) = list(tmp_path.iterdir())
        assert parent.name.startswith("aesh-generator-sessions")
        assert stat.S_IMODE(parent.stat().st_mode) == 0o700
        (folder,) = list(parent.iterdir())
        assert folder.name.startswith("generator-session-") and (folder / ".server.lock").is_file()
    finally:
        shutdown(app)


def test_issue_after_the_zip_the_print_file_link_says_the_session_ended(
    app: Flask, client: FlaskClient
) -> None:
    """The ZIP ends the session (the issue's rule): the page puts the file to print first and says so; a later all.pdf gets a French page, not "page introuvable"."""
    work_id = _work_id(upload(client, EXAMPLE.read_bytes(), "liste.csv", formats=["pdf"]))
    page = client.get(_make(client, work_id)).get_data(as_text=True)
    assert page.index(f"/session/{work_id}/all.pdf") < page.index(f"/session/{work_id}/fiches.zip")
    assert "Télécharger le ZIP termine la session : la liste et les fiches sont alors supprimées" in _text(
        page
    )
    _zip(client, work_id)
    ended = client.get(f"/session/{work_id}/all.pdf")
    assert ended.status_code == 410
    words = _text(ended.get_data(as_text=True))
    assert "Cette session est terminée" in words and "Le fichier à imprimer est aussi dans le ZIP" in words
    assert "introuvable" not in words
    assert (
        app.test_client().get(f"/session/{work_id}/all.pdf").status_code == 404
    )  # another browser: nothing said


def test_a_whole_session_logs_no_name_address_or_identifier(
    client: FlaskClient, caplog: pytest.LogCaptureFixture
) -> None:
    """Found by review: the log test covered only the desk. Upload, check, make, ZIP: no personal data logged."""
    caplog.set_level(logging.DEBUG)
    roster = (
        "Prénom;Nom;Courriel;Remarques\n"
        "Zéphyrine;Quaglioxx;zq.perso@example.org;\n"
        "Aurèle;Brunwaldt;;13E1812345ABC\n"  # refused: a NUMEN in a free column
        "Ysolde;;ys@example.org;\n"  # refused: no family name
    ).encode()
    response = upload(client, roster, "liste.csv", eml="y")
    work_id = _work_id(response)
    page = client.get(f"/session/{work_id}").get_data(as_text=True)
    assert "Quaglioxx" in page and "1812345" not in page  # shown to the office, never the NUMEN
    assert _make(client, work_id, skip_invalid="y").endswith("/resultat")
    assert "zquaglioxx.pdf" in _zip(client, work_id)
    logged = "\n".join(r.getMessage() + str(r.exc_info or "") for r in caplog.records)
    for secret in (
        "Zéphyrine",
        "Quaglioxx",
        "zquaglioxx",
        "zq.perso",
        "Brunwaldt",
        "Ysolde",
        "ys@example",
        "1812345",
    ):
        assert secret.lower() not in logged.lower(), secret
