"""manifest.csv speaks French to the office (headers and flags); the code and ``send`` read it and an earlier English one alike."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from helpers import manifest_bytes
from hypothesis import given
from hypothesis import strategies as st

from generator.cli import main
from generator.csv_cells import FLAG_WORDS, flag_words, flags_of
from generator.mail.outbox import load_drafts
from generator.people.person import Person
from generator.run.manifest import read_rows
from generator.run.worker import Made

ROOT = Path(__file__).resolve().parents[2]
FRENCH = "ligne;prénom;nom;identifiant;adresse;service;indicateurs;pdf;docx;eml;volume;page"
ENGLISH = "row;first_name;last_name;identifier;email;flags;pdf;docx;eml;volume;page"


def _cells(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))


def test_headers_and_every_flag_are_french_words() -> None:
    """The header row is the issue's, and each flag of the code is written as its French word."""
    person = Person(
        "Awa", "N'Diaye", "andiaye", row=2, flags=("homonym", "birth-name", "identifier-given", "unsure")
    )
    cells = _cells(manifest_bytes([(person, Made(row=2, files={"pdf": "andiaye.pdf"}))]))
    assert ";".join(cells[0]) == FRENCH
    assert cells[1][6] == "homonyme nom-de-naissance identifiant-fourni à-confirmer"
    assert cells[1][:5] == ["2", "Awa", "N'Diaye", "andiaye", ""]


@given(st.lists(st.sampled_from(sorted(FLAG_WORDS)), unique=True))
def test_flags_written_in_french_read_back_as_the_code_names_them(flags: list[str]) -> None:
    """flags_of(flag_words(f)) == f, and an English cell (an earlier manifest) reads the same."""
    assert list(flags_of(flag_words(flags))) == flags
    assert list(flags_of(" ".join(flags))) == flags
    assert not set(flag_words(flags).split()) & set(FLAG_WORDS)  # no English word left in the file


def _personalise(tmp_path: Path) -> Path:
    out = tmp_path / "out"
    roster = ROOT / "data" / "roster.example.csv"
    assert (
        main(["personalise", str(roster), "--out", str(out), "--eml", "--formats", "pdf", "--jobs", "1"]) == 0
    )
    return out


def _in_english(path: Path) -> None:
    """The manifest as an earlier version wrote it: English headers and flags, no service column."""
    rows = _cells(path.read_bytes())
    rows[0] = ENGLISH.split(";")
    for row in rows[1:]:
        del row[5]  # the service: this roster names none
        row[5] = " ".join(flags_of(row[5]))
    with open(path, "w", encoding="utf-8-sig", newline="") as stream:
        csv.writer(stream, delimiter=";", lineterminator="\r\n").writerows(rows)


def test_send_reads_a_french_manifest_and_an_earlier_english_one_alike(tmp_path: Path) -> None:
    """``send`` finds the same drafts, each checked against the address the manifest records, in both languages."""
    out = _personalise(tmp_path)
    manifest = out / "manifest.csv"
    assert manifest.read_text("utf-8-sig").startswith(FRENCH)
    assert "homonyme" in manifest.read_text("utf-8-sig")
    french = [(d.name, d.expected, d.problem) for d in load_drafts(out)]
    french_rows = list(read_rows(manifest))
    _in_english(manifest)
    assert manifest.read_text("utf-8-sig").startswith(ENGLISH)
    assert [(d.name, d.expected, d.problem) for d in load_drafts(out)] == french
    assert list(read_rows(manifest)) == [
        {k: v for k, v in row.items() if k != "manager"} for row in french_rows
    ]
    assert len(french) >= 5 and all(expected and not problem for _name, expected, problem in french)
    assert {row["flags"] for row in french_rows} >= {"homonym", "birth-name"}
