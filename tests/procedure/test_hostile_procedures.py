"""Issue 12, procedure data: check refuses everything build would refuse; build never ends in a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import ROOT, assert_one_clear_error, run_cli

from generator.cli import main

REPO = ROOT
PROCEDURE = REPO / "data" / "procedure.yaml"


# --- procedure data that check accepts and build cannot use ------------------------------------


def _procedure_with(tmp_path: Path, old: str, new: str) -> Path:
    text = PROCEDURE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "procedure.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


FONTS = ["Ari<al", 'Ari\\"al', "Ari&al"]


@pytest.mark.parametrize("font", FONTS)
def test_check_refuses_a_docx_font_that_build_cannot_write(tmp_path: Path, capsys, font: str) -> None:  # type: ignore[no-untyped-def]
    """docx.font with <, " or &: check exits 1 naming docx.font (check means "this will build")."""
    data = _procedure_with(tmp_path, 'font: "Arial"', f'font: "{font}"')
    code, _, err = run_cli(["check", "--data", str(data)], capsys)
    assert code == 1 and "docx.font" in err


@pytest.mark.parametrize("font", FONTS)
def test_build_with_a_bad_docx_font_fails_cleanly_and_keeps_earlier_files(
    tmp_path: Path,
    capsys,
    font: str,  # type: ignore[no-untyped-def]
) -> None:
    """build exits 1 with one error line, and the flyer.pdf and flyer.docx of an earlier build stay as they were.

    (Refused when the procedure loads; the DOCX writer should also escape the name: render/docx, another area.)
    """
    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    data = _procedure_with(tmp_path, 'font: "Arial"', f'font: "{font}"')
    code, _, err = run_cli(["build", "--data", str(data), "--out", str(out)], capsys)
    assert_one_clear_error(code, err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


LONG_URL = "https://id.ac-poitiers.fr/" + "a" * 3000


def test_check_refuses_a_url_too_long_for_a_qr_code(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A 3 000-character link: check exits 1 naming the link (no QR code holds it at level M)."""
    webmail = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
    data = _procedure_with(tmp_path, webmail, LONG_URL)
    code, _, err = run_cli(["check", "--data", str(data)], capsys)
    assert code == 1 and "links.webmail.url" in err


def test_build_with_a_url_too_long_for_a_qr_code_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """build: one error line, exit 1."""
    webmail = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
    data = _procedure_with(tmp_path, webmail, LONG_URL)
    code, _, err = run_cli(["build", "--data", str(data), "--out", str(tmp_path / "out")], capsys)
    assert_one_clear_error(code, err)


@pytest.mark.parametrize("font", ["Ari\\u0007al", "Ari\\u0000al", "Ari'al", "Ari>al"])
def test_check_refuses_a_docx_font_with_a_control_character_or_markup(
    tmp_path: Path, capsys, font: str
) -> None:  # type: ignore[no-untyped-def]
    """A control character, an apostrophe or > in docx.font: refused by check with the field named."""
    data = _procedure_with(tmp_path, 'font: "Arial"', f'font: "{font}"')
    code, _, err = run_cli(["check", "--data", str(data)], capsys)
    assert code == 1 and "docx.font: not a font name" in err and "Traceback" not in err


def test_check_accepts_ordinary_font_names(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Liberation Sans, Atkinson Hyperlegible, Métropolis: accepted."""
    for font in ("Liberation Sans", "Atkinson Hyperlegible", "Métropolis"):
        data = _procedure_with(tmp_path, 'font: "Arial"', f'font: "{font}"')
        code, _, err = run_cli(["check", "--data", str(data)], capsys)
        assert code == 0, err


def test_check_refuses_a_procedure_too_long_for_one_page(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A step made very long: check runs the fit of the flyer and says it does not fit, as build would."""
    text = PROCEDURE.read_text(encoding="utf-8")
    marker = "steps:\n"
    assert marker in text
    long_step = (
        '  - heading: "Lisez"\n    text:\n      - "'
        + "Lisez attentivement ce paragraphe très long. " * 120
        + '"\n'
    )
    path = tmp_path / "procedure.yaml"
    path.write_text(text.replace(marker, marker + long_step, 1), encoding="utf-8")
    code, out, err = run_cli(["check", "--data", str(path)], capsys)
    assert code == 1 and out == "", err
    assert "does not fit on one A4 page" in err or "would print on two pages" in err
    code, _, err2 = run_cli(["build", "--data", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 1 and "Traceback" not in err2


def test_a_url_that_just_fits_a_qr_code_is_accepted_by_check_and_encodes() -> None:
    """The capacity used by check is the real one: 2331 bytes encode at level M, 2332 do not."""
    from generator.procedure.checker import QR_MAX_BYTES
    from generator.render import qr

    url = "https://id.ac-poitiers.fr/" + "a" * (QR_MAX_BYTES - len("https://id.ac-poitiers.fr/"))
    assert len(qr.matrix(url)) == 177  # version 40
    with pytest.raises(Exception):  # noqa: B017 (qrcode's own error: the point is that it fails)
        qr.matrix(url + "a")


def test_a_roster_given_as_data_never_shows_a_numen(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Found by the fuzz test: a roster passed as --data was quoted back, NUMEN cut short but readable."""
    roster = tmp_path / "roster.csv"
    roster.write_text("Prénom;Nom;Remarques\nMarie;Dupont;\nPaul;Martin;13E1812345ABC\n", encoding="utf-8")
    code, out, err = run_cli(["check", "--data", str(roster)], capsys)
    assert_one_clear_error(code, err)
    assert "not a mapping" in err  # the real problem is still named
    assert "1812345" not in out + err


def test_check_blames_the_data_not_a_name_when_the_personal_texts_are_too_long(
    tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """Found by review: a NUMEN label made very long was reported as 'a name this long' for Marie Dupont."""
    text = PROCEDURE.read_text(encoding="utf-8")
    marker = 'numen_label: "Votre NUMEN (à recopier) :"'
    assert marker in text
    path = tmp_path / "procedure.yaml"
    path.write_text(
        text.replace(marker, 'numen_label: "' + "Votre NUMEN, à recopier ici. " * 40 + '"'), encoding="utf-8"
    )
    code, out, err = run_cli(["check", "--data", str(path)], capsys)
    assert code == 1 and out == "", err
    assert "example person (Anne-Sophie de La Fontaine)" in err and "personal box" in err
    assert "a name this long" not in err
