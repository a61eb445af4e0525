"""``make bench`` rosters are read whole: its names once held digits, every row was refused and it timed nothing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.people.roster import read_roster

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
bench = pytest.importorskip("bench")


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=0, max_value=10**7))
def test_a_number_spelled_is_letters_and_tells_numbers_apart(a: int, b: int) -> None:
    """Letters only, a capital first, and two numbers never spell alike."""
    word = bench.spelled(a)
    assert word.isalpha() and word.isascii() and word[0].isupper()
    assert (word == bench.spelled(b)) == (a == b)


@pytest.mark.parametrize(
    ("kind", "homonyms"),
    [({}, 0), ({"homonyms": True}, 100), ({"same_name": True}, 100)],
    ids=["plain", "pairs", "same-name"],
)
def test_every_row_of_a_bench_roster_is_a_person(procedure, tmp_path: Path, kind, homonyms: int) -> None:
    """1000 rows, none refused; the homonym rosters flag one person in ten."""
    path = tmp_path / "roster.csv"
    bench.make_roster(path, 1000, **kind)
    roster = read_roster(path, procedure)
    assert not roster.invalid
    assert len(roster.people) == 1000
    assert sum("homonym" in person.flags for person in roster.people) == homonyms
