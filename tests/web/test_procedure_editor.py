"""/procedure with Flask's test client: edit, preview, save, history, restore, conflicts, who may edit."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from editor_tools import data_copy, editing_app, form_fields
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader

from generator import Procedure, resources
from generator.cli import main
from generator.web import create_app


@pytest.fixture
def data(tmp_path: Path) -> Path:
    return data_copy(tmp_path)


@pytest.fixture
def client(data: Path) -> FlaskClient:
    return editing_app(data).test_client()


def _post(client: FlaskClient, action: str, **changes: str) -> tuple[int, str]:
    fields = form_fields(client.get("/procedure").get_data(as_text=True))
    fields.update(changes, action=action)
    response = client.post("/procedure", data=fields)
    return response.status_code, response.get_data(as_text=True)


def _flyer_text(client: FlaskClient) -> str:
    pdf = client.get("/affiche/flyer.pdf").data
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_form_shows_the_files_values_in_french(client: FlaskClient) -> None:
    page = client.get("/procedure").get_data(as_text=True)
    fields = form_fields(page)
    assert fields["help-phone"] == "05 16 52 66 86"
    assert fields["service-0-name"] == "Lycée Vieljeux"
    assert fields["updated"] == "2026-12-07"
    for words in (
        "Téléphone de l'assistance",
        "Horaires de l'assistance",
        "Ajouter un service",
        "Enregistrer",
    ):
        assert words in page.replace("&#39;", "'").replace("\xa0", " ")


def test_preview_shows_both_pages_and_writes_nothing(client: FlaskClient, data: Path) -> None:
    before = data.read_bytes()
    status, page = _post(client, "preview", **{"help-phone": "05 16 52 66 87"})
    assert status == 200
    assert page.count('src="data:image/png;base64,') == 2
    assert "tient sur une feuille A4" in page
    assert data.read_bytes() == before


def test_save_changes_the_file_the_desk_and_the_history(client: FlaskClient, data: Path) -> None:
    """After a save the flyer the desk serves has the new number; the history lists two versions."""
    assert "05 16 52 66 87" not in _flyer_text(client).replace("\u00a0", " ")
    status, page = _post(client, "save", **{"help-phone": "05 16 52 66 87"})
    assert status == 200
    assert "Téléphone de l'assistance : 05 16 52 66 86 → 05 16 52 66 87" in page.replace(
        "&#39;", "'"
    ).replace("\xa0", " ")
    assert "help:\n  label:" in data.read_text(encoding="utf-8")
    assert "05 16 52 66 87" in _flyer_text(client).replace("\u00a0", " ")
    history = client.get("/procedure/historique").get_data(as_text=True)
    assert history.count("Rétablir cette version") == 1  # the first one; the other is current
    assert "05 16 52 66 86 → 05 16 52 66 87" in history


def test_restore_brings_back_the_old_number(client: FlaskClient, data: Path) -> None:
    original = data.read_bytes()
    _post(client, "save", **{"help-phone": "05 16 52 66 87"})
    history = client.get("/procedure/historique").get_data(as_text=True)
    fields = {
        name: value
        for name, value in re.findall(r'name="(csrf_token|version|name)" value="([^"]+)"', history)
    }
    response = client.post("/procedure/historique/retablir", data=fields)
    assert response.status_code == 303
    assert data.read_bytes() == original
    assert "05 16 52 66 86" in _flyer_text(client).replace("\u00a0", " ")
    history = client.get("/procedure/historique").get_data(as_text=True)
    assert "a été rétablie" in history
    assert history.count("<tr>") == 1 + 3  # the header and three versions


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("webmail", "http://webmail.ac-poitiers.fr", "pas une adresse https"),
        ("step-1-text", "", "aucune phrase"),
        ("step-0-heading", "", "vide"),
        ("help-phone", "05 16 AB 66 86", "pas un numéro de téléphone"),
        ("updated", "le 3 septembre", "pas une date"),
        ("service-0-emails", "christabel.mineau", "pas une adresse"),
    ],
)
def test_an_invalid_value_is_refused_beside_its_field(
    client: FlaskClient, data: Path, field: str, value: str, words: str
) -> None:
    """The message is French, beside the field and in the summary linking to it; the file is unchanged."""
    before = data.read_bytes()
    status, page = _post(client, "save", **{field: value})
    assert status == 422
    error = page[page.index(f'id="{field}-error"') :]
    assert words in error[: error.index("</p>")]
    assert f'href="#{field}"' in page
    assert data.read_bytes() == before
    assert not (data.parent / "procedure.history").exists()


def test_a_second_save_from_the_same_version_is_refused(data: Path) -> None:
    """Two people load the form; the second save is refused, shows the first's change, keeps their values."""
    app = editing_app(data)
    first, second = app.test_client(), app.test_client()
    form_one = form_fields(first.get("/procedure").get_data(as_text=True))
    form_two = form_fields(second.get("/procedure").get_data(as_text=True))
    assert (
        first.post(
            "/procedure", data={**form_one, "help-phone": "05 16 52 66 87", "action": "save"}
        ).status_code
        == 200
    )
    after_first = data.read_bytes()
    response = second.post(
        "/procedure", data={**form_two, "help-hours": "Du lundi au jeudi", "action": "save"}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "05 16 52 66 86 → 05 16 52 66 87" in page
    merged = form_fields(page)
    assert (merged["help-hours"], merged["help-phone"]) == ("Du lundi au jeudi", "05 16 52 66 87")
    assert data.read_bytes() == after_first
    again = second.post("/procedure", data={**merged, "action": "save"})
    assert again.status_code == 200
    assert form_fields(again.get_data(as_text=True))["help-phone"] == "05 16 52 66 87"  # nobody's change lost
    assert "Du lundi au jeudi" in data.read_text(encoding="utf-8")


def test_services_buttons_work_without_javascript(client: FlaskClient) -> None:
    status, page = _post(client, "add")
    assert status == 200 and form_fields(page)["service-count"] == "3"
    status, page = _post(client, "down-0")
    fields = form_fields(page)
    assert [fields["service-0-id"], fields["service-1-id"]] == ["aesh17", "vieljeux"]
    status, page = _post(client, "remove-0")
    assert form_fields(page)["service-count"] == "1"


def test_posts_need_the_csrf_token(client: FlaskClient, data: Path) -> None:
    fields = form_fields(client.get("/procedure").get_data(as_text=True))
    del fields["csrf_token"]
    before = data.read_bytes()
    response = client.post("/procedure", data={**fields, "help-phone": "05 16 52 66 87", "action": "save"})
    assert response.status_code == 400
    assert data.read_bytes() == before


def test_served_to_others_editing_needs_the_edit_code(data: Path) -> None:
    """Not on loopback: /procedure asks for the edit code, refuses a wrong one, lets the right one in."""
    client = editing_app(data, edit_open=False, edit_code="crayon-vert").test_client()
    response = client.get("/procedure")
    assert response.status_code == 303 and response.headers["Location"].endswith("/procedure/code")
    page = client.get("/procedure/code").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    wrong = client.post("/procedure/code", data={"csrf_token": token, "code": "crayon-rouge"})
    assert wrong.status_code == 401 and "n&#39;est pas le bon" in wrong.get_data(as_text=True)
    assert client.get("/procedure/historique").status_code == 303
    right = client.post("/procedure/code", data={"csrf_token": token, "code": "crayon-vert"})
    assert right.status_code == 303
    assert client.get("/procedure").status_code == 200


def test_the_access_code_does_not_open_editing(data: Path) -> None:
    """The desk's access code lets one use the desk, not change the procedure."""
    client = editing_app(data, edit_open=False, edit_code="crayon-vert", access_code="bureau").test_client()
    page = client.get("/acces").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    client.post("/acces", data={"csrf_token": token, "code": "bureau"})
    assert client.get("/procedure").headers["Location"].endswith("/procedure/code")


def test_served_to_others_without_edit_code_editing_is_off(data: Path) -> None:
    response = editing_app(data, edit_open=False).test_client().get("/procedure")
    assert response.status_code == 403
    assert "GENERATOR_EDIT_CODE" in response.get_data(as_text=True)


def test_without_a_data_file_editing_is_off(app: Flask) -> None:
    response = app.test_client().get("/procedure")
    assert response.status_code == 403
    assert "serve --data" in response.get_data(as_text=True)


def test_serve_refuses_an_edit_code_equal_to_the_access_code(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], data: Path
) -> None:
    monkeypatch.setenv("GENERATOR_ACCESS_CODE", "bureau")
    monkeypatch.setenv("GENERATOR_EDIT_CODE", "bureau")
    assert main(["serve", "--data", str(data), "--port", "0"]) != 0
    err = capsys.readouterr().err
    assert "GENERATOR_EDIT_CODE" in err and "bureau" not in err


def test_a_service_added_in_the_editor_is_offered_at_the_desk(client: FlaskClient) -> None:
    """After a save, the desk's "Service gestionnaire" select lists the new service at once."""
    status, page = _post(client, "add")
    fields = form_fields(page)
    fields.update({"service-2-name": "Lycée Élie Vinet", "service-2-emails": "ce.0170001a@ac-poitiers.fr"})
    fields["action"] = "save"
    assert client.post("/procedure", data=fields).status_code == 200
    desk = client.get("/fiche").get_data(as_text=True)
    assert '<option value="lycee-elie-vinet"' in desk and "Lycée Élie Vinet" in desk


@pytest.mark.parametrize("field", ["help-hours", "step-0-text", "email-body", "service-1-name"])
def test_a_numen_typed_in_a_field_is_refused_and_never_shown_back(
    client: FlaskClient, data: Path, field: str
) -> None:
    """A NUMEN (a password) is never written, nor quoted in a message, nor put back in the field."""
    before = data.read_bytes()
    status, page = _post(client, "save", **{field: "Code : 17 E 1234567 ABC"})
    assert status == 422
    assert "1234567" not in page and "NUMEN" in page[page.index(f'id="{field}-error"') :]
    assert form_fields(page)[field] == ""
    assert data.read_bytes() == before


def test_build_reads_the_saved_file(client: FlaskClient, data: Path, tmp_path: Path) -> None:
    """What the pages saved is what build --data FILE prints."""
    _post(client, "save", **{"help-phone": "05 16 52 66 87"})
    out = tmp_path / "out"
    assert main(["build", "--data", str(data), "--out", str(out), "--formats", "pdf"]) == 0
    text = " ".join(p.extract_text() for p in PdfReader(out / "flyer.pdf").pages).replace("\u00a0", " ")
    assert "05 16 52 66 87" in text


def test_a_page_that_no_longer_fits_is_refused_by_the_preview(client: FlaskClient, data: Path) -> None:
    """The one-page check is the preview's verdict: too long a step says the flyer does not fit, nothing is written."""
    before = data.read_bytes()
    sentence = "Cherchez « Académie de Poitiers » dans un moteur de recherche, puis cliquez sur « Authentification »."
    status, page = _post(client, "preview", **{"step-2-text": "\n".join([sentence] * 12)})
    assert status == 422
    summary = page[page.index('id="procedure-problems"') :]
    summary = summary[: summary.index("</div>")]
    assert "ne tient pas sur une page A4" in summary
    assert "data:image/png" not in page
    assert data.read_bytes() == before


def test_wrong_edit_codes_are_bounded(data: Path) -> None:
    """After a wrong edit code the client waits: a try before its time is answered 429 with Retry-After."""
    client = editing_app(data, edit_open=False, edit_code="crayon-vert", wrong_code_delay=30.0).test_client()
    page = client.get("/procedure/code").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    assert client.post("/procedure/code", data={"csrf_token": token, "code": "a"}).status_code == 401
    again = client.post("/procedure/code", data={"csrf_token": token, "code": "crayon-vert"})
    assert again.status_code == 429 and int(again.headers["Retry-After"]) >= 1
    assert client.get("/procedure").status_code == 303


def test_a_folder_that_cannot_be_written_is_said_and_nothing_changes(
    client: FlaskClient, data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing fails (a read-only folder): the page says so in French, the file and the desk are as they were."""
    from generator.file_errors import SafeFileError
    from generator.run import procedure_store as store

    def refuse(path: object, data: bytes, **_options: object) -> None:
        raise SafeFileError(f"{path}: lecture seule")

    monkeypatch.setattr(store, "write_atomic", refuse)
    before = data.read_bytes()
    status, page = _post(client, "save", **{"help-phone": "05 16 52 66 87"})
    assert status == 500 and "lecture seule" in page
    assert data.read_bytes() == before
    assert "05 16 52 66 86" in _flyer_text(client).replace("\u00a0", " ")


def test_the_menu_leads_to_the_editor_only_when_editing_is_on(procedure: Procedure, tmp_path: Path) -> None:
    """« La procédure » in the main menu with serve --data; no such entry when there is nothing to edit."""
    data = tmp_path / "procedure.yaml"
    data.write_bytes(resources.default_procedure().read_bytes())
    with_data = create_app(procedure, data_path=data, work_dir=tmp_path / "a").test_client()
    without = create_app(procedure, work_dir=tmp_path / "b").test_client()
    assert 'href="/procedure"' in with_data.get("/").get_data(as_text=True)
    assert "La procédure" in with_data.get("/").get_data(as_text=True)
    assert 'href="/procedure"' not in without.get("/").get_data(as_text=True)
