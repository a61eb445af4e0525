"""One person entered twice is a duplicate, refused; homonyms (told apart by their e-mails) are kept and flagged."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import pytest
from helpers import manifest_rows, run_cli
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.i18n import use_language
from generator.people.roster import read_roster
from generator.procedure.model import Procedure


def _roster(tmp_path: Path, rows: list[str], header: str = "Prénom;Nom;Nom de naissance;Courriel") -> Path:
    path = tmp_path / "roster.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


def test_same_names_and_same_email_is_one_person_twice(tmp_path: Path, procedure: Procedure) -> None:
    rows = [
        "Marie;Dupont;;marie@example.org",
        "Paul;Martin;;paul@example.org",
        "MARIE;Dupont;;Marie@Example.org",  # case and accents do not tell people apart
    ]
    roster = read_roster(_roster(tmp_path, rows), procedure)
    assert [p.row for p in roster.people] == [2, 3]
    assert roster.invalid == (f"{tmp_path / 'roster.csv'}: line 4: duplicate of line 2",)
    assert not any("homonym" in p.flags for p in roster.people)
    assert not any("same identifier" in w for w in roster.warnings)


def test_same_names_and_nothing_to_tell_them_apart_is_a_duplicate(
    tmp_path: Path, procedure: Procedure
) -> None:
    rows = ["Éloïse;D’Artagnan;;", "Eloise;d'Artagnan;;", "Eloïse;D'ARTAGNAN;;"]
    roster = read_roster(_roster(tmp_path, rows), procedure)
    assert [p.row for p in roster.people] == [2]
    assert [r.split(": ", 1)[1] for r in roster.invalid] == [
        "line 3: duplicate of line 2",
        "line 4: duplicate of line 2",
    ]


def test_same_names_with_different_emails_are_homonyms(tmp_path: Path, procedure: Procedure) -> None:
    rows = ["Marie;Dupont;;marie1@example.org", "Marie;Dupont;;marie2@example.org", "Marie;Dupont;;"]
    roster = read_roster(_roster(tmp_path, rows), procedure)
    assert roster.invalid == ()
    assert [p.flags for p in roster.people] == [("homonym",)] * 3


def test_a_different_birth_name_tells_them_apart(tmp_path: Path, procedure: Procedure) -> None:
    rows = ["Marie;Dupont;Martin;", "Marie;Dupont;;"]
    roster = read_roster(_roster(tmp_path, rows), procedure)
    assert roster.invalid == () and len(roster.people) == 2


def test_a_given_identifier_tells_them_apart(tmp_path: Path, procedure: Procedure) -> None:
    rows = ["Marie;Dupont;", "Marie;Dupont;mdupont2"]
    roster = read_roster(_roster(tmp_path, rows, header="Prénom;Nom;Identifiant"), procedure)
    assert roster.invalid == () and [p.identifier for p in roster.people] == ["mdupont", "mdupont2"]


def test_the_french_message(tmp_path: Path, procedure: Procedure) -> None:
    with use_language("fr"):
        roster = read_roster(_roster(tmp_path, ["Marie;Dupont;;", "Marie;Dupont;;"]), procedure)
    assert roster.invalid[0].endswith("doublon de la ligne 2")


def test_skip_invalid_keeps_the_first_and_lists_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _roster(tmp_path, ["Marie;Dupont;;m@example.org", "Marie;Dupont;;m@example.org", "Paul;Martin;;"])
    out = tmp_path / "out"
    code, _out, err = run_cli(["personalise", str(path), "--out", str(out), "--formats", "pdf"], capsys)
    assert code == 1 and "duplicate of line 2" in err and not out.exists()
    argv = ["personalise", str(path), "--out", str(out), "--formats", "pdf", "--skip-invalid"]
    code, stdout, err = run_cli(argv, capsys)
    assert code == 0, err
    assert "skipped: " in err and "line 3: duplicate of line 2" in err
    rows = manifest_rows(out)
    assert [(r["row"], r["identifier"], r["flags"]) for r in rows] == [
        ("2", "mdupont", ""),
        ("4", "pmartin", ""),
    ]
    assert sorted(p.name for p in out.glob("*.pdf") if p.name != "all.pdf") == ["mdupont.pdf", "pmartin.pdf"]


FIRSTS = st.sampled_from(["Marie", "MARIE", "Marié", "Paul", "Zoé", "Zoe"])
EMAILS = st.sampled_from(["", "a@example.org", "A@example.org", "b@example.org"])


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(FIRSTS, EMAILS), min_size=1, max_size=8))
def test_kept_rows_are_the_first_of_each_person(
    procedure: Procedure, tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, str]]
) -> None:
    """Kept: the first row of each (folded name, e-mail); refused: every later one, naming that first row."""
    tmp_path = tmp_path_factory.mktemp("dup")
    roster = read_roster(_roster(tmp_path, [f"{f};Dupont;;{e}" for f, e in rows]), procedure)
    first: dict[tuple[str, str], int] = {}
    expected_refused = []
    for line, (f, e) in enumerate(rows, start=2):
        key = (f.lower().replace("é", "e"), e.lower())
        if key in first:
            expected_refused.append(f"line {line}: duplicate of line {first[key]}")
        else:
            first[key] = line
    assert [p.row for p in roster.people] == sorted(first.values())
    assert [r.split(": ", 1)[1] for r in roster.invalid] == expected_refused


def test_memory_stays_flat(tmp_path: Path, procedure: Procedure) -> None:
    """5 000 distinct people: what the duplicate check keeps is a hash and a row each, not the rows."""
    rows = [f"Marie;Dupont;;m{i}@example.org" for i in range(5_000)]
    path = _roster(tmp_path, rows)
    tracemalloc.start()
    try:
        roster = read_roster(path, procedure)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(roster.people) == 5_000
    # Measured ~340 bytes a person (packed persons, homonym rows, the hashes); keeping each
    # person's row or Person (~470 bytes) for the duplicate check would pass 600.
    assert peak < 5_000 * 600, peak
