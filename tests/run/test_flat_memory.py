"""Issue 16 (scale), flat memory: the roster read row by row and kept packed, the journal a line per file.

Memory itself is measured by ``make bench`` (``--big``); these tests hold the
mechanisms that keep it flat to what a user sees: the same persons, flags,
files, manifest and journal as before.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import manifest_rows, pdf_pages_text
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import DeliveryError, load_procedure, read_roster, run_batch
from generator.journal import JOURNAL_NAME, Journal, remove_written
from generator.people import store
from generator.people.files import read_rows, text_lines
from generator.people.person import Person
from generator.people.store import People
from generator.procedure.model import Procedure
from generator.run import runner


@pytest.fixture(scope="module")
def procedure() -> Procedure:
    return load_procedure()


def _letters(i: int) -> str:
    return str(i).translate(str.maketrans("0123456789", "abcdefghij"))


def _roster(path: Path, count: int, homonym_every: int = 0) -> Path:
    lines = ["Prénom;Nom;Courriel"]
    for i in range(count):
        # Names hold no digit: the number is spelled in letters (0 → a, 1 → b…).
        last = "Dupont" if homonym_every and i % homonym_every == 0 else f"Dupont {_letters(i)}"
        lines.append(f"Marie;{last};p{i}@example.org")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_people_give_back_the_persons_in_order_with_the_homonym_flag(monkeypatch: pytest.MonkeyPatch) -> None:
    """Packed by chunks, read back in order; the identifiers shared get "homonym", the others are unchanged."""
    monkeypatch.setattr(store, "CHUNK", 3)  # several chunks, one partly full
    persons = [
        Person(
            "Marie",
            f"Dupont {i}",
            "mdupont" if i in (1, 5) else f"mdupont{i}",
            email=f"p{i}@x.org",
            row=i + 2,
        )
        for i in range(8)
    ]
    people = People.of(persons, homonyms={"mdupont"})
    assert len(people) == 8
    flagged = [p.identifier for p in people if "homonym" in p.flags]
    assert flagged == ["mdupont", "mdupont"]
    assert [p.row for p in people] == [p.row for p in persons]
    assert (
        people[5].flags == ("homonym",) and people[-1] == persons[-1] and people[2:4] == tuple(persons[2:4])
    )
    with pytest.raises(IndexError):
        people[8]  # noqa: B018 (the access is the test)
    assert People.of(persons[:2]) == persons[:2] and People.of([]) == ()


def test_people_show_a_count_never_a_name() -> None:
    """A repr of the persons (a log line, a traceback, a debugger) gives their number, never a name."""
    people = People.of([Person("Marie", "Zyxwvutsrq", "mzyxwvutsrq", email="mz@example.org", row=2)])
    assert repr(people) == "People(1 persons)" and "Zyxwvutsrq" not in str(people)


def test_a_roster_is_read_row_by_row(tmp_path: Path) -> None:
    """read_rows gives an iterator, not a list: the rows of a long file are never all held."""
    rows = read_rows(_roster(tmp_path / "r.csv", 5)).rows
    assert iter(rows) is rows
    assert [cells[1] for _line, cells in rows] == ["Nom", *(f"Dupont {_letters(i)}" for i in range(5))]


def test_a_long_roster_flags_homonyms_across_chunks(tmp_path: Path, procedure: Procedure) -> None:
    """Homonyms far apart in a roster longer than a chunk are flagged, each in place, and warned about once."""
    roster = read_roster(
        _roster(tmp_path / "r.csv", 2 * store.CHUNK + 10, homonym_every=store.CHUNK), procedure
    )
    assert isinstance(roster.people, People) and len(roster.people) == 2 * store.CHUNK + 10
    flagged = [index for index, p in enumerate(roster.people) if "homonym" in p.flags]
    assert flagged == [0, store.CHUNK, 2 * store.CHUNK]
    assert sum("give the same identifier 'mdupont'" in w for w in roster.warnings) == 1


@given(st.text(alphabet='ab\r\n;"', max_size=40))
@settings(max_examples=300, deadline=None)
def test_text_lines_are_the_lines_csv_reads(text: str) -> None:
    """The line iterator gives back the whole text, each piece ending at a line end (or the end)."""
    pieces = list(text_lines(text))
    assert "".join(pieces) == text
    for piece in pieces[:-1]:
        assert piece.endswith(("\n", "\r")) and "\n" not in piece.rstrip("\r\n")


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_run_with_a_refused_row_lays_the_volumes_and_manifest_out_again(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """The manifest is written as the sheets come; a row refused on the way moves every later place back."""
    monkeypatch.setattr(runner, "IN_PROCESS_BELOW", 0)
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)
    people = [Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(5)]
    people.insert(2, Person("Li", "Wang \u738b", "lwang", row=99))  # no embedded font draws it: refused
    result = run_batch(
        procedure, people, tmp_path / "out", formats=("pdf",), jobs=jobs, print_volume=2, skip_invalid=True
    )
    rows = manifest_rows(result.out)
    assert [(r["identifier"], r["volume"], r["page"]) for r in rows] == [
        ("mdupont0", "all-001.pdf", "1"),
        ("mdupont1", "all-001.pdf", "2"),
        ("mdupont2", "all-002.pdf", "1"),
        ("mdupont3", "all-002.pdf", "2"),
        ("mdupont4", "all-003.pdf", "1"),
    ]
    assert result.print_files == ("all-001.pdf", "all-002.pdf", "all-003.pdf") and result.sheets == 5
    for row in rows:
        assert row["identifier"] in pdf_pages_text(result.out / row["volume"])[int(row["page"]) - 1]


def test_each_worker_writes_into_its_own_folder_and_every_file_is_moved(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers, two staging sub-folders (files made in one folder are made one at a time): all moved in."""
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)
    monkeypatch.setattr(runner, "IN_PROCESS_BELOW", 0)
    folders: set[str] = set()
    real = runner.Runner.commit

    def commit(self: runner.Runner, *args: object, **kwargs: object) -> None:
        folders.update(
            Path(path).parent.name for _name, path in self.staged() if Path(path).parent != self.staging
        )
        real(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner.Runner, "commit", commit)
    people = [Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(40)]
    result = run_batch(procedure, people, tmp_path / "out", formats=("docx",), jobs=2)
    assert len(folders) == 2 and all(name.startswith("w") for name in folders)
    visible = {p.name for p in result.out.iterdir() if not p.name.startswith(".")}
    assert visible == {f"mdupont{i}.docx" for i in range(40)} | {"manifest.csv"}


def test_a_file_left_behind_by_the_move_stops_the_run(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A sheet the move did not place (a listing cut short on a share): an error, never "done" without it."""
    import generator.run.commit as commit

    real = os.replace

    def replace(src: object, dst: object) -> None:
        if Path(str(dst)).name != "mdupont1.pdf":
            real(src, dst)  # type: ignore[arg-type]

    monkeypatch.setattr(commit.os, "replace", replace)
    people = [Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(3)]
    with pytest.raises(
        DeliveryError, match=r"1 file\(s\) of this run could not be moved in \(mdupont1.pdf\)"
    ):
        run_batch(procedure, people, tmp_path / "out", formats=("pdf",), jobs=1)


def test_the_journal_is_a_line_per_file_and_the_first_format_is_still_read(tmp_path: Path) -> None:
    """Saved a line per file; a journal of the first format (one JSON object) still lets a run remove its files."""
    folder = tmp_path / "out"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf"):
        (folder / name).write_bytes(name.encode())
    journal = Journal(folder)
    journal.record(folder / "a.pdf")
    journal.record(folder / "b.pdf")
    journal.save()
    lines = (folder / JOURNAL_NAME).read_text(encoding="utf-8").splitlines()
    assert json.loads(lines[0]) == {"version": 2} and [json.loads(line)[0] for line in lines[1:]] == [
        "a.pdf",
        "b.pdf",
    ]
    # The same records as the first format wrote them.
    entries = Journal.load(folder).entries
    old = {"version": 1, "files": {name: vars(entries[name]) for name in entries}}
    (folder / JOURNAL_NAME).write_text(json.dumps(old), encoding="utf-8")
    assert remove_written(Journal.load(folder), ["a.pdf"]).removed == ("a.pdf",)
    assert not (folder / "a.pdf").exists() and (folder / "b.pdf").exists()


def test_a_journal_line_made_up_by_hand_removes_nothing(tmp_path: Path) -> None:
    """A line naming a user's file with a made-up hash: the file stays (changed since, as far as we know)."""
    folder = tmp_path / "out"
    folder.mkdir()
    mine = folder / "mine.txt"
    mine.write_text("mine")
    info = os.lstat(mine)
    record = ["mine.txt", 4, "00" * 32, info.st_mtime_ns, info.st_ino, info.st_dev]
    impossible = ["other.txt", -1, "00" * 32, 0, -5, 0]  # negative size and inode: skipped, not the journal
    lines = ['{"version": 2}', json.dumps(impossible), json.dumps(record)]
    (folder / JOURNAL_NAME).write_text("\n".join(lines) + "\n", encoding="utf-8")
    journal = Journal.load(folder)
    assert list(journal.entries) == ["mine.txt"]
    result = remove_written(journal, ["mine.txt"])
    assert result.removed == () and mine.exists()
    assert dict(result.kept) == {"mine.txt": "changed since this tool wrote it"}


def test_an_inode_of_128_bits_is_recorded(tmp_path: Path) -> None:
    """ReFS (Windows) gives 128-bit file ids: the journal keeps them whole."""
    folder = tmp_path / "out"
    folder.mkdir()
    record = ["a.pdf", 1, "ab" * 32, 5, 2**100 + 7, 3]
    (folder / JOURNAL_NAME).write_text(f'{{"version": 2}}\n{json.dumps(record)}\n', encoding="utf-8")
    journal = Journal.load(folder)
    assert journal.entries["a.pdf"].inode == 2**100 + 7
    journal.save()  # written back whole, then read again
    assert Journal.load(folder).entries["a.pdf"].inode == 2**100 + 7


def test_the_workers_make_the_print_files_again_and_end_before_the_move(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused row's volumes are made again by the workers; the move runs with no worker left."""
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)
    monkeypatch.setattr(runner, "IN_PROCESS_BELOW", 0)
    seen: dict[str, bool] = {}
    real_reprint, real_commit = runner.Runner.reprint, runner.Runner.commit

    def reprint(self: runner.Runner, *args: object) -> None:
        seen["reprint with workers"] = self.pool is not None
        real_reprint(self, *args)  # type: ignore[arg-type]

    def commit(self: runner.Runner, *args: object, **kwargs: object) -> None:
        seen["commit with workers"] = self.pool is not None
        real_commit(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(runner.Runner, "reprint", reprint)
    monkeypatch.setattr(runner.Runner, "commit", commit)
    people = [Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(4)]
    people.insert(1, Person("Li", "Wang \u738b", "lwang", row=99))  # refused on the way
    run_batch(
        procedure, people, tmp_path / "out", formats=("pdf",), jobs=2, print_volume=2, skip_invalid=True
    )
    assert seen == {"reprint with workers": True, "commit with workers": False}


def test_staged_gives_every_file_of_every_folder_and_nothing_else(
    tmp_path: Path, procedure: Procedure
) -> None:
    """Files of the staging folder and its sub-folders, by name; never a folder, a temporary file or a link's target."""
    with runner.Runner(procedure, ("pdf",), tmp_path / "out") as run:
        (run.staging / "manifest.csv").write_text("x")
        (run.staging / "w1" / "deep").mkdir(parents=True)
        (run.staging / "w1" / "a.pdf").write_text("a")
        (run.staging / "w1" / "deep" / "b.pdf").write_text("b")
        (run.staging / "w1" / ".a.pdf.1234.tmp").write_text("half")
        elsewhere = tmp_path / "elsewhere"
        elsewhere.mkdir()
        (elsewhere / "c.pdf").write_text("c")
        (run.staging / "linked").symlink_to(elsewhere, target_is_directory=True)
        found = {name: Path(path).relative_to(run.staging).as_posix() for name, path in run.staged()}
    assert found == {
        "manifest.csv": "manifest.csv",
        "a.pdf": "w1/a.pdf",
        "b.pdf": "w1/deep/b.pdf",
        "linked": "linked",  # the link itself, moved as it is (in_the_way names a link in out)
    }


def test_a_run_into_a_new_folder_saves_the_journal_once(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing of an earlier run to look at: the journal written at the move is the last word."""
    saves: list[int] = []
    real = Journal.save
    monkeypatch.setattr(Journal, "save", lambda self: (saves.append(len(self.entries)), real(self))[1])
    people = [Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(2)]
    run_batch(procedure, people, tmp_path / "out", formats=("pdf",), jobs=1)
    assert saves == [4]  # two sheets, all.pdf, manifest.csv
    run_batch(procedure, people[:1], tmp_path / "out", formats=("pdf",), jobs=1)
    assert len(saves) == 3  # the second run removes mdupont1.pdf: saved again after it
