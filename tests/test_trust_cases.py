"""Issue 12 reproductions: what the current CLI does wrong with bad input, as strict xfails.

Each test states the behaviour wanted (a clear ``error:`` line, exit 1 or 2, no
traceback, no NUMEN or secret echoed, nothing written twice) and is marked
``xfail(strict=True)`` with the exception or assertion the current code gives:
when a case gets fixed, its test passes, strict xfail turns that into a
failure, and the mark is removed. Imports of today's modules sit inside the
tests so that moving them (issue 11) breaks one test, not the file.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.cli import main

REPO = Path(__file__).resolve().parent.parent
PROCEDURE = REPO / "data" / "procedure.yaml"


def xfail(reason: str, raises: type[BaseException] | tuple[type[BaseException], ...] = AssertionError):  # type: ignore[no-untyped-def]
    """Today's behaviour, precisely: the test fails with ``raises`` for ``reason``."""
    return pytest.mark.xfail(strict=True, raises=raises, reason=reason)




def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The CLI in-process: exit code (SystemExit included), stdout, stderr."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_clear_error(code: int, err: str) -> None:
    assert code in (1, 2), code
    assert "Traceback" not in err
    assert err.startswith("error: ") or "error:" in err


# --- procedure data that check accepts and build cannot use ------------------------------------


def _procedure_with(tmp_path: Path, old: str, new: str) -> Path:
    text = PROCEDURE.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "procedure.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


FONTS = ["Ari<al", 'Ari\\"al', "Ari&al"]


@xfail("check does not look at docx.font: it says ok")
@pytest.mark.parametrize("font", FONTS)
def test_check_refuses_a_docx_font_that_build_cannot_write(tmp_path: Path, capsys, font: str) -> None:  # type: ignore[no-untyped-def]
    """docx.font with <, " or &: check exits 1 naming docx.font (check means "this will build")."""
    data = _procedure_with(tmp_path, 'font: "Arial"', f'font: "{font}"')
    code, _, err = run(["check", "--data", str(data)], capsys)
    assert code == 1 and "docx.font" in err


@xfail("the DOCX writer parses XML built with the font name unescaped: lxml XMLSyntaxError", SyntaxError)
@pytest.mark.parametrize("font", FONTS)
def test_build_with_a_bad_docx_font_fails_cleanly_and_keeps_earlier_files(
    tmp_path: Path,
    capsys,
    font: str,  # type: ignore[no-untyped-def]
) -> None:
    """build exits 1 with one error line, and the flyer.pdf and flyer.docx of an earlier build stay as they were."""
    out = tmp_path / "out"
    assert main(["build", "--out", str(out)]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    data = _procedure_with(tmp_path, 'font: "Arial"', f'font: "{font}"')
    code, _, err = run(["build", "--data", str(data), "--out", str(out)], capsys)
    assert_one_clear_error(code, err)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


LONG_URL = "https://id.ac-poitiers.fr/" + "a" * 3000


@xfail("check does not encode the QR codes: it says ok")
def test_check_refuses_a_url_too_long_for_a_qr_code(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A 3 000-character link: check exits 1 naming the link (no QR code holds it at level M)."""
    webmail = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
    data = _procedure_with(tmp_path, webmail, LONG_URL)
    code, _, err = run(["check", "--data", str(data)], capsys)
    assert code == 1 and "links.webmail.url" in err


@xfail("qrcode raises ValueError('Invalid version (was 41…)'), not caught", ValueError)
def test_build_with_a_url_too_long_for_a_qr_code_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """build: one error line, exit 1."""
    webmail = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
    data = _procedure_with(tmp_path, webmail, LONG_URL)
    code, _, err = run(["build", "--data", str(data), "--out", str(tmp_path / "out")], capsys)
    assert_one_clear_error(code, err)


# --- arguments and paths -----------------------------------------------------------------------


@pytest.mark.skipif(os.name == "nt", reason="POSIX byte arguments")
@xfail("a surrogate-escaped name reaches the PDF writer: UnicodeEncodeError traceback")
def test_an_argument_that_is_not_utf8_is_a_clear_error(tmp_path: Path) -> None:
    """person --first-name b'Mar\\xffie': exit 1 or 2 with one error line, never a traceback."""
    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONUTF8": "0"}
    argv = [
        sys.executable,
        "-m",
        "generator",
        "person",
        b"--first-name",
        b"Mar\xffie",
        "--last-name",
        "Dupont",
    ]
    argv += ["--formats", "pdf", "--out", str(tmp_path / "out")]
    result = subprocess.run(argv, capture_output=True, env=env, timeout=60)
    assert result.returncode in (1, 2)
    assert b"Traceback" not in result.stderr and result.stderr.startswith(b"error: ")


@xfail("argparse prints 'unrecognized arguments: OPTION VALUE', the value included")
@pytest.mark.parametrize(
    "argv",
    [
        ["send", "out", "--smtp-host", "h", "--password", "hunter2-secret"],
        ["person", "--first-name", "A", "--last-name", "B", "--numen", "13E1812345ABC"],
    ],
)
def test_unknown_options_are_never_echoed(argv: list[str], capsys) -> None:  # type: ignore[no-untyped-def]
    """An unknown option ends in exit 2 naming the option, never its value."""
    code, out, err = run(argv, capsys)
    assert code == 2 and argv[-2] in err
    assert argv[-1] not in out + err and "12345" not in out + err


@xfail("argparse says 'the following arguments are required: COMMAND' without listing them")
def test_no_arguments_lists_the_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    """python -m generator alone: the commands and what each does, exit 2 (or 0)."""
    code, out, err = run([], capsys)
    assert code in (0, 2)
    for command in ("build", "check", "personalise", "person", "send"):
        assert f"  {command} " in out + err


# --- rosters ---------------------------------------------------------------------------------------


def _roster(tmp_path: Path, text: str, name: str = "roster.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@xfail("the NUMEN check misses ':', so the email error quotes the value")
def test_a_numen_with_a_colon_in_the_email_column_is_not_printed_back(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Courriel = 13E1812345:ABC: line and column named, the value shown nowhere."""
    roster = _roster(tmp_path, "Prénom;Nom;Courriel\nMarie;Dupont;13E1812345:ABC\n")
    code, out, err = run(["personalise", str(roster), "--out", str(tmp_path / "out")], capsys)
    assert code == 1
    assert "line 2: Courriel looks like it holds a NUMEN" in err
    assert "12345" not in out + err


@xfail("the NUMEN check misses the en dash: the name reaches the manifest, file names and PDFs")
def test_a_numen_in_a_family_name_never_reaches_the_outputs(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Nom = 'Dupont 13E1812345–ABC': the row is refused, nothing written, nothing echoed."""
    roster = _roster(tmp_path, "Prénom;Nom\nMarie;Dupont 13E1812345\u2013ABC\n")
    out = tmp_path / "out"
    code, stdout, err = run(["personalise", str(roster), "--out", str(out), "--formats", "pdf"], capsys)
    written = b"".join(p.read_bytes() for p in out.rglob("*") if p.is_file()) if out.exists() else b""
    assert b"12345" not in written
    assert code == 1 and "12345" not in stdout + err


@xfail("a separator inside a correctly quoted field is taken for a misplaced quote")
def test_a_quoted_csv_field_holding_a_comma_is_read(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """Hélène,"Bérénger, épouse Martin": one person, the comma kept in the name."""
    from generator.roster import load_roster

    roster = load_roster(_roster(tmp_path, 'Prénom,Nom\nHélène,"Bérénger, épouse Martin"\n'), procedure)
    assert roster.invalid == ()
    assert [p.last_name for p in roster.people] == ["Bérénger, épouse Martin"]


@xfail("a '|' file ends in 'no header row', which does not say what is wrong")
def test_a_pipe_separated_file_says_the_separator_was_not_recognised(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """Prénom|Nom: the message names the separator problem."""
    from generator.roster import load_roster

    from generator.errors import RosterError

    with pytest.raises(RosterError) as caught:
        load_roster(_roster(tmp_path, "Prénom|Nom|Courriel\nMarie|Dupont|m@example.org\n"), procedure)
    assert "separator" in str(caught.value)
