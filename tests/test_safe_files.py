"""Safe files: no write through a symlink, atomic replacement, and removal of only what a run wrote."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from generator.journal import JOURNAL_NAME, Journal, remove_written
from generator.safe_files import (
    SafeFileError,
    ensure_folder,
    open_for_append,
    write_atomic,
)

pytestmark = pytest.mark.skipif(os.name == "nt", reason="symlinks need privileges on Windows")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A user's file outside the output folder."""
    path = tmp_path / "user-file.txt"
    path.write_bytes(b"the user's own text\n")
    return path


# The path as a Path and as the str the command line passes: refused alike.
OPENERS = [open_for_append, lambda path: open_for_append(str(path))]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    path = tmp_path / "out"
    path.mkdir()
    return path


def test_append_creates_and_extends_a_plain_file(folder: Path) -> None:
    """The ordinary case: append twice."""
    for _ in range(2):
        with open_for_append(folder / "sent.csv") as file:
            file.write(b"a;b\n")
    assert (folder / "sent.csv").read_bytes() == b"a;b\na;b\n"
    assert (folder / "sent.csv").stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("opener", OPENERS)
def test_a_symlink_to_a_file_outside_the_folder_is_refused(folder: Path, outside: Path, opener) -> None:  # type: ignore[no-untyped-def]
    """sent.csv as a link to a user's file: refused, the user's file unchanged."""
    (folder / "sent.csv").symlink_to(outside)
    with pytest.raises(SafeFileError, match="is a symbolic link; this tool never writes through a link"):
        opener(folder / "sent.csv")
    assert outside.read_bytes() == b"the user's own text\n"


@pytest.mark.parametrize("opener", OPENERS)
def test_a_dangling_symlink_is_refused_and_creates_nothing(folder: Path, tmp_path: Path, opener) -> None:  # type: ignore[no-untyped-def]
    """A link to a missing file would create that file outside the folder: refused."""
    target = tmp_path / "elsewhere" / "created.csv"
    target.parent.mkdir()
    (folder / "sent.csv").symlink_to(target)
    with pytest.raises(SafeFileError, match="symbolic link"):
        opener(folder / "sent.csv")
    assert not target.exists()


@pytest.mark.parametrize("opener", OPENERS)
def test_a_symlink_loop_is_a_clear_error(folder: Path, opener) -> None:  # type: ignore[no-untyped-def]
    """a → b → a: one line saying it is a link loop, no traceback of ELOOP."""
    (folder / "a").symlink_to(folder / "b")
    (folder / "b").symlink_to(folder / "a")
    with pytest.raises(SafeFileError, match=r"a: is a symbolic link loop"):
        opener(folder / "a")


def test_a_symlink_loop_in_the_folder_path_is_a_clear_error(tmp_path: Path) -> None:
    """--out pointing through a loop: the message names the loop."""
    (tmp_path / "loop").symlink_to(tmp_path / "loop")
    with pytest.raises(SafeFileError, match="symbolic link loop"):
        open_for_append(tmp_path / "loop" / "sent.csv")
    with pytest.raises(SafeFileError, match="symbolic link"):
        ensure_folder(tmp_path / "loop")


def test_a_hard_link_to_a_users_file_is_not_appended_to(folder: Path, outside: Path) -> None:
    """Appending to a second name of a user's file would change it: refused."""
    os.link(outside, folder / "sent.csv")
    with pytest.raises(SafeFileError, match="hard links"):
        open_for_append(folder / "sent.csv")
    assert outside.read_bytes() == b"the user's own text\n"


def test_a_fifo_is_refused_without_hanging(folder: Path) -> None:
    """A named pipe at the name would block a writer for ever: refused at once."""
    os.mkfifo(folder / "sent.csv")
    with pytest.raises(SafeFileError, match="pipe or device"):
        open_for_append(folder / "sent.csv")


def test_write_atomic_replaces_a_symlink_and_leaves_its_target(folder: Path, outside: Path) -> None:
    """An atomic write replaces the link itself by the new file; the user's file keeps its text."""
    (folder / "manifest.csv").symlink_to(outside)
    write_atomic(folder / "manifest.csv", b"new manifest\n")
    assert not (folder / "manifest.csv").is_symlink()
    assert (folder / "manifest.csv").read_bytes() == b"new manifest\n"
    assert outside.read_bytes() == b"the user's own text\n"
    assert sorted(p.name for p in folder.iterdir()) == ["manifest.csv"]  # no temporary left


def test_write_atomic_over_a_loop_and_a_dangling_link(folder: Path, tmp_path: Path) -> None:
    """A loop or a dangling link at the name is replaced, nothing created elsewhere."""
    (folder / "a").symlink_to(folder / "a")
    (folder / "b").symlink_to(tmp_path / "nowhere.csv")
    write_atomic(folder / "a", b"1")
    write_atomic(folder / "b", b"2")
    assert (folder / "a").read_bytes() == b"1" and (folder / "b").read_bytes() == b"2"
    assert not (tmp_path / "nowhere.csv").exists()


def test_write_atomic_refuses_a_folder_and_keeps_it(folder: Path) -> None:
    """A folder at the name is an error, not replaced."""
    (folder / "all.pdf").mkdir()
    with pytest.raises(SafeFileError, match="folder"):
        write_atomic(folder / "all.pdf", b"%PDF")
    assert (folder / "all.pdf").is_dir()


def test_ensure_folder_refuses_a_symlinked_folder(folder: Path, tmp_path: Path) -> None:
    """people/ as a link to another folder: refused, so no run writes there through it."""
    (tmp_path / "other").mkdir()
    (folder / "people").symlink_to(tmp_path / "other")
    with pytest.raises(SafeFileError, match="symbolic link"):
        ensure_folder(folder / "people")
    assert ensure_folder(folder / "drafts").is_dir()


# --- the journal: removing only what a run wrote ---------------------------------


def _run_writes(folder: Path, names: list[str]) -> Journal:
    journal = Journal.load(folder)
    for name in names:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        write_atomic(folder / name, f"sheet {name}".encode())
        journal.record(folder / name)
    journal.save()
    return journal


def test_files_a_run_wrote_and_nobody_changed_are_removed(folder: Path) -> None:
    """A later run removes the earlier run's files, still as written."""
    _run_writes(folder, ["a.pdf", "people/b.pdf"])
    result = remove_written(Journal.load(folder), ["a.pdf", "people/b.pdf"])
    assert result.removed == ("a.pdf", "people/b.pdf") and result.kept == ()
    assert not (folder / "a.pdf").exists()


def test_a_hand_edited_manifest_naming_a_users_file_removes_nothing(folder: Path) -> None:
    """all.pdf or notes.txt named by a manifest but never recorded in the journal: kept."""
    _run_writes(folder, ["a.pdf"])
    (folder / "notes.txt").write_text("the user's notes")
    (folder / "all.pdf").write_bytes(b"%PDF printed by hand")
    result = remove_written(Journal.load(folder), ["notes.txt", "all.pdf", "../user-file.txt", "/etc/passwd"])
    assert result.removed == ()
    assert [reason for _, reason in result.kept] == [
        "not written by this tool in an earlier run",
        "not written by this tool in an earlier run",
        "not a plain file name inside the folder",
        "not a plain file name inside the folder",
    ]
    assert (folder / "notes.txt").exists() and (folder / "all.pdf").exists()


def test_a_file_changed_or_replaced_since_the_run_is_kept(folder: Path) -> None:
    """Edited, replaced by another file of the same content, or turned into a link: kept."""
    _run_writes(folder, ["edited.pdf", "replaced.pdf", "linked.pdf"])
    (folder / "edited.pdf").write_bytes(b"annotated by hand")
    content = (folder / "replaced.pdf").read_bytes()
    (folder / "replaced.pdf").unlink()
    (folder / "replaced.pdf").write_bytes(content)  # same bytes, another file
    (folder / "linked.pdf").unlink()
    (folder / "linked.pdf").symlink_to(folder / "edited.pdf")
    result = remove_written(Journal.load(folder), ["edited.pdf", "replaced.pdf", "linked.pdf"])
    assert result.removed == ()
    assert dict(result.kept) == {
        "edited.pdf": "changed since this tool wrote it",
        "replaced.pdf": "changed since this tool wrote it",
        "linked.pdf": "not a plain file any more",
    }


def test_a_hand_edited_journal_is_not_trusted(folder: Path) -> None:
    """A journal naming a user's file with made-up figures, or broken JSON, removes nothing."""
    (folder / "mine.txt").write_text("mine")
    (folder / JOURNAL_NAME).write_text(
        '{"version": 1, "files": {"mine.txt": {"size": 4, "sha256": "0", "mtime_ns": 0, "inode": 0, "device": 0}}}'
    )
    assert remove_written(Journal.load(folder), ["mine.txt"]).removed == ()
    (folder / JOURNAL_NAME).write_text("{not json")
    assert Journal.load(folder).entries == {}
    assert (folder / "mine.txt").exists()


def test_a_symlinked_subfolder_stops_removal(folder: Path, tmp_path: Path) -> None:
    """people/ swapped for a link to another folder: nothing removed through it."""
    _run_writes(folder, ["people/a.pdf"])
    (folder / "people").rename(tmp_path / "real-people")
    (folder / "people").symlink_to(tmp_path / "real-people")
    result = remove_written(Journal.load(folder), ["people/a.pdf"])
    assert result.removed == () and (tmp_path / "real-people" / "a.pdf").exists()


def test_the_journal_is_never_written_through_a_link(folder: Path, outside: Path) -> None:
    """The hidden journal as a link to a user's file: replaced, the file unchanged."""
    (folder / JOURNAL_NAME).symlink_to(outside)
    _run_writes(folder, ["a.pdf"])
    assert outside.read_bytes() == b"the user's own text\n"
    assert "a.pdf" in Journal.load(folder).entries
