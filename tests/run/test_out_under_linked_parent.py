"""File guarantees, both halves: a linked parent of --out is the user's layout; a link at or inside the folder is never followed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from helpers import run_cli

posix_only = pytest.mark.skipif(os.name == "nt", reason="symbolic links of POSIX")
COMMANDS = {
    "personalise": lambda roster: ["personalise", str(roster)],
    "person": lambda roster: ["person", "--first-name", "Marie", "--last-name", "Dupont"],
    "build": lambda roster: ["build"],
}


@pytest.fixture
def layout(tmp_path: Path) -> tuple[Path, Path, Path]:
    """``home → data/home`` (a home folder moved to another disk), a roster, and a folder elsewhere."""
    (tmp_path / "data" / "home").mkdir(parents=True)
    (tmp_path / "home").symlink_to(tmp_path / "data" / "home")
    roster = tmp_path / "liste.csv"
    roster.write_text("Prénom;Nom\nMarie;Dupont\n", encoding="utf-8")
    (tmp_path / "elsewhere").mkdir()
    return tmp_path, roster, tmp_path / "elsewhere"


@posix_only
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_out_folder_under_a_linked_parent_is_written(layout, command: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """--out home/fiches with home a link: the run writes into the real folder the link leads to."""
    root, roster, _elsewhere = layout
    code, _out, err = run_cli(
        [*COMMANDS[command](roster), "--out", str(root / "home" / "fiches"), "--formats", "pdf"], capsys
    )
    assert code == 0, err
    written = {p.name for p in (root / "data" / "home" / "fiches").iterdir() if not p.name.startswith(".")}
    assert written and all(name.endswith((".pdf", ".csv")) for name in written)


@posix_only
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_an_out_folder_that_is_a_link_is_refused_and_nothing_written_where_it_leads(
    layout,
    command: str,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """--out LINK (LINK → a real folder elsewhere): one error line; the folder it leads to stays empty."""
    root, roster, elsewhere = layout
    (root / "home" / "fiches").symlink_to(elsewhere)
    code, _out, err = run_cli(
        [*COMMANDS[command](roster), "--out", str(root / "home" / "fiches"), "--formats", "pdf"], capsys
    )
    assert code == 1 and err.startswith("error: ") and "symbolic link" in err and "Traceback" not in err
    assert list(elsewhere.iterdir()) == []


@posix_only
@pytest.mark.parametrize("name", ["mdupont.pdf", "all.pdf"])
def test_a_link_inside_an_out_folder_under_a_linked_parent_is_not_followed(
    layout,
    name: str,
    capsys,  # type: ignore[no-untyped-def]
) -> None:
    """The parent's link is followed, the one inside the folder never: the file it leads to is unchanged."""
    root, roster, elsewhere = layout
    out = root / "home" / "fiches"
    out.mkdir()
    target = elsewhere / "user.pdf"
    target.write_bytes(b"the user's own file")
    (out / name).symlink_to(target)
    code, _out, err = run_cli(["personalise", str(roster), "--out", str(out), "--formats", "pdf"], capsys)
    assert target.read_bytes() == b"the user's own file"
    assert code == 1 and "symbolic link" in err and (out / name).is_symlink()
    assert [p.name for p in elsewhere.iterdir()] == ["user.pdf"]
