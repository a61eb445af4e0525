"""``check`` says which kinds of sheet are set below 12 pt, in English and in French, or that all hold at 12 pt."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import ROOT

from generator.cli import main

DEFAULT_DATA = ROOT / "data" / "procedure.yaml"
NBSP = "\u00a0"
REDUCED = re.compile(
    r"warning: (PDF|DOCX): body text reduced to (1[01](?:\.5)?) pt on the personal sheet: (.+)$"
    r"|warning: (PDF|DOCX): the personal sheet does not fit on one page: (.+)$"
)


STEP_3_END = '      - "Cliquez sur « Authentification », puis connectez-vous comme à l\'étape 2."\n'
# One more sentence in step 3: some combined kinds of sheet no longer hold at 12 pt.
MORE = '      - "Ajoutez la page à vos favoris pour la retrouver."\n'


def _longer(tmp_path: Path) -> Path:
    """The default data with one more sentence in step 3: some combined kinds of sheet need 11.5 pt."""
    text = DEFAULT_DATA.read_text(encoding="utf-8")
    assert text.count(STEP_3_END) == 1
    path = tmp_path / "longer.yaml"
    path.write_text(text.replace(STEP_3_END, STEP_3_END + MORE), encoding="utf-8")
    return path


def test_check_names_each_kind_of_sheet_below_12_pt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Longer steps: a warning per format and kind of sheet that needs a smaller body, its features named."""
    assert main(["check", "--data", str(_longer(tmp_path))]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("ok: ") and "every sheet is at 12 pt" not in out
    lines = err.splitlines()
    assert lines and all(REDUCED.match(line) for line in lines), lines
    assert (
        "warning: DOCX: body text reduced to 11.5 pt on the personal sheet: homonym + long name + no managing office"
        in lines
    )
    # A plain sheet, the flyer and each feature alone with an office hold at 12 pt: never named alone.
    said = {REDUCED.match(line).group(3) for line in lines}  # type: ignore[union-attr]
    for alone in ("homonym", "long name", "birth name", "identifier to confirm"):
        assert f"{alone} + Lycée Vieljeux" not in said
    assert "Lycée Vieljeux" not in said
    assert not any("flyer" in line for line in lines)


def test_check_says_when_every_sheet_is_at_12_pt(capsys: pytest.CaptureFixture[str]) -> None:
    """The default data: every kind of sheet holds at 12 pt in the PDF and in the DOCX (issue 24)."""
    assert main(["check"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert (
        out.splitlines()[1]
        == "every sheet is at 12 pt in every format: the flyer and every kind of personal sheet"
    )


def _french_check(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run(
        [sys.executable, "-m", "generator", "check", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )


def test_check_says_it_in_french(tmp_path: Path) -> None:
    """« corps du texte réduit à 11,5 pt sur la fiche personnelle : homonyme + nom long + … », a decimal comma."""
    result = _french_check("--data", str(_longer(tmp_path)))
    assert result.returncode == 0, result.stderr
    expected = (
        f"attention{NBSP}: DOCX{NBSP}: corps du texte réduit à 11,5 pt sur la fiche personnelle{NBSP}: "
        "homonyme + nom long + sans service gestionnaire"
    )
    assert expected in result.stderr.splitlines()
    assert not re.search(r"\b(body|reduced|sheet|homonym|long name|managing)\b", result.stderr)
    default = _french_check()
    assert default.stderr == ""
    assert (
        f"toutes les fiches sont en corps 12 pt, dans chaque format{NBSP}: "
        "l’affiche et chaque sorte de fiche personnelle"
    ) in default.stdout.splitlines()


LONGEST = [
    "--first-name",
    "Marie-Hélène-Clémentine Bénédicte",
    "--last-name",
    "de La Rochefoucauld-Montbazon",
    "--birth-name",
    "Lefèvre-Beaumont de Saint-Aignan d'Auvergne",
]


def test_person_says_when_its_sheet_is_set_below_12_pt(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``person`` with a very long name and birth name, and longer steps: its DOCX at 11.5 pt (the PDF holds
    12), and the terminal says so; with the default steps that name holds at 12 pt."""
    longer = ["--data", str(_longer(tmp_path))]
    assert main(["person", *LONGEST, *longer, "--out", str(tmp_path / "a")]) == 0
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "warning: DOCX: body text reduced to 11.5 pt on this sheet (its texts do not hold at 12 pt)"
    ]
    # The default steps, or a usual name: nothing to say.
    assert main(["person", *LONGEST, "--out", str(tmp_path / "b")]) == 0
    assert capsys.readouterr().err == ""
    usual = ["--first-name", "Marie", "--last-name", "Dupont"]
    assert main(["person", *usual, *longer, "--out", str(tmp_path / "c")]) == 0
    assert capsys.readouterr().err == ""


def test_person_says_it_in_french(tmp_path: Path) -> None:
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "generator",
            "person",
            *LONGEST,
            "--data",
            str(_longer(tmp_path)),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    expected = (
        f"attention{NBSP}: DOCX{NBSP}: corps du texte réduit à 11,5 pt sur cette fiche "
        "(ses textes ne tiennent pas en 12 pt)"
    )
    assert result.stderr.splitlines() == [expected]
