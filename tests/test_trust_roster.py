"""Issue 12, rosters: NUMENs never shown nor written, files as offices save them read."""

from __future__ import annotations

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
    from generator.people import read_roster as load_roster

    roster = load_roster(_roster(tmp_path, 'Prénom,Nom\nHélène,"Bérénger, épouse Martin"\n'), procedure)
    assert roster.invalid == ()
    assert [p.last_name for p in roster.people] == ["Bérénger, épouse Martin"]


@xfail("a '|' file ends in 'no header row', which does not say what is wrong")
def test_a_pipe_separated_file_says_the_separator_was_not_recognised(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """Prénom|Nom: the message names the separator problem."""
    from generator.errors import RosterError
    from generator.people import read_roster as load_roster

    with pytest.raises(RosterError) as caught:
        load_roster(_roster(tmp_path, "Prénom|Nom|Courriel\nMarie|Dupont|m@example.org\n"), procedure)
    assert "separator" in str(caught.value)
