"""Issue 12, files: nothing destroyed that a run did not make, no link followed, one run at a time, clean crashes."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import ROOT, manifest_bytes

from generator.cli import main
from generator.people.person import Person
from generator.run.lock import folder_lock
from generator.run.worker import Made

REPO = ROOT
CLI = "import sys; from generator.cli import main; sys.exit(main(sys.argv[1:]))"
posix_only = pytest.mark.skipif(os.name == "nt", reason="symlinks and signals of POSIX")
linux_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads /proc to find the workers"
)


def roster(path: Path, names: list[tuple[str, str]], email: bool = False) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(["Prénom", "Nom", "Courriel"] if email else ["Prénom", "Nom"])
        for first, last in names:
            row = [first, last, f"{first}.{last}@example.org".lower()] if email else [first, last]
            writer.writerow(row)
    return path


def manifest_rows(out: Path) -> list[dict[str, str]]:
    from generator.run.manifest import read_rows  # French headers, read by the code's keys

    return list(read_rows(out / "manifest.csv"))


def personalise(roster_path: Path, out: Path, *extra: str) -> int:
    return main(["personalise", str(roster_path), "--out", str(out), "--formats", "pdf", *extra])


def visible(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if not p.name.startswith(".")}


# --- nothing destroyed that the run did not make ----------------------------------------------


def test_make_run_writes_its_examples_to_their_own_folder() -> None:
    """`make run` never writes into output/people, where a real session's sheets are."""
    recipe = (REPO / "Makefile").read_text().split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert "output/examples" in recipe
    assert "output/people" not in recipe and "--out output\n" not in recipe + "\n"


def test_a_hand_edited_manifest_never_causes_a_deletion(tmp_path: Path) -> None:
    """manifest.csv listing all.pdf, a user's own PDF and a sheet edited since: none of them is removed."""
    out = tmp_path / "out"
    assert personalise(roster(tmp_path / "a.csv", [("Marie", "Dupont"), ("Luc", "Petit")]), out) == 0
    (out / "mine.pdf").write_bytes(b"%PDF the user's own")
    with (out / "manifest.csv").open("a", encoding="utf-8", newline="") as f:
        for name in ("all.pdf", "mine.pdf", "../outside.pdf"):
            csv.writer(f, delimiter=";").writerow(["9", "X", "Y", "xy", "", "", name, "", name])
    (tmp_path / "outside.pdf").write_bytes(b"%PDF outside")
    assert personalise(roster(tmp_path / "b.csv", [("Anne", "Roux")]), out) == 0
    names = visible(out)
    assert {"all.pdf", "mine.pdf", "aroux.pdf"} <= names
    assert (out / "mine.pdf").read_bytes() == b"%PDF the user's own"
    assert (tmp_path / "outside.pdf").exists()
    assert not {"mdupont.pdf", "lpetit.pdf"} & names  # the earlier run's own sheets, verified by the journal


def test_a_sheet_changed_since_an_earlier_run_is_kept_and_reported(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """lpetit.pdf edited by hand: the next run leaves it and says so, with what to do."""
    out = tmp_path / "out"
    assert personalise(roster(tmp_path / "a.csv", [("Marie", "Dupont"), ("Luc", "Petit")]), out) == 0
    (out / "lpetit.pdf").write_bytes(b"%PDF annotated by the office")
    capsys.readouterr()
    assert personalise(roster(tmp_path / "b.csv", [("Marie", "Dupont")]), out) == 0
    err = capsys.readouterr().err
    assert "kept 1 file of an earlier run" in err and "lpetit.pdf (changed since this tool wrote it)" in err
    assert (out / "lpetit.pdf").read_bytes() == b"%PDF annotated by the office"


def test_a_users_file_in_the_way_refuses_the_run_and_says_what_to_do(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """mdupont.pdf not written by this tool: exit 1, the file as it was, nothing else written."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "mdupont.pdf").write_bytes(b"%PDF someone's own")
    assert personalise(roster(tmp_path / "a.csv", [("Marie", "Dupont"), ("Luc", "Petit")]), out) == 1
    err = capsys.readouterr().err
    assert "1 file is in the way (mdupont.pdf)" in err and "choose another --out" in err
    assert (out / "mdupont.pdf").read_bytes() == b"%PDF someone's own"
    assert visible(out) == {"mdupont.pdf"}


def test_a_run_again_replaces_its_own_sheets(tmp_path: Path) -> None:
    """The same roster twice into one folder: fine, the journal shows the sheets are the tool's own."""
    out = tmp_path / "out"
    path = roster(tmp_path / "a.csv", [("Marie", "Dupont")])
    assert personalise(path, out) == 0 and personalise(path, out) == 0


def test_person_twice_for_the_same_person_gives_the_same_file(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """The same fields twice: the same file, said to be there; a different Dupont gets -2."""
    argv = [
        "person",
        "--first-name",
        "Marie",
        "--last-name",
        "Dupont",
        "--formats",
        "pdf",
        "--out",
        str(tmp_path),
    ]
    assert main(argv) == 0 and main(argv) == 0
    assert "already there" in capsys.readouterr().out
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["mdupont.pdf"]
    argv[2] = "Mathieu"
    assert main(argv) == 0
    assert sorted(p.name for p in tmp_path.glob("*.pdf")) == ["mdupont-2.pdf", "mdupont.pdf"]


def test_build_twice_and_a_users_flyer_in_the_way(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """build again replaces its own flyer; a flyer.pdf of the user's stops it with the way out named."""
    assert main(["build", "--out", str(tmp_path), "--formats", "pdf"]) == 0
    assert main(["build", "--out", str(tmp_path), "--formats", "pdf"]) == 0
    other = tmp_path / "other"
    other.mkdir()
    (other / "flyer.pdf").write_bytes(b"%PDF mine")
    assert main(["build", "--out", str(other), "--formats", "pdf"]) == 1
    assert "in the way (flyer.pdf)" in capsys.readouterr().err
    assert (other / "flyer.pdf").read_bytes() == b"%PDF mine"


# --- manifest.csv for French Excel ------------------------------------------------------------------


def test_manifest_is_utf8_with_a_bom_and_semicolons(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert personalise(roster(tmp_path / "a.csv", [("Zoé", "Hervé")]), out) == 0
    data = (out / "manifest.csv").read_bytes()
    assert data.startswith("\ufeffligne;prénom;nom;identifiant;adresse;".encode())  # French headers
    assert "Zoé;Hervé".encode() in data


@pytest.mark.parametrize(
    "name",
    [
        "Dupont;=1+1",
        "Dupont,=1+1",
        "Dupont\t=1+1",
        'Dupont," =1+1',
        "=HYPERLINK(1)",
        "Dupont;@SUM(1)",
        "a\n+1",
    ],
)
@pytest.mark.parametrize("assumed", [",", ";", "\t"])
def test_no_cell_becomes_a_formula_whatever_separator_the_spreadsheet_assumes(
    name: str, assumed: str
) -> None:
    """Read back with any separator (as a CSV reader, or split naively), no cell starts a formula."""
    data = manifest_bytes([(Person("Marie", name, "mdupont", email="-x@example.org", row=2), Made(2))])
    text = data.decode("utf-8-sig")
    cells = [c for row in csv.reader(io.StringIO(text), delimiter=assumed) for c in row]
    cells += [c for line in text.splitlines() for c in line.split(assumed)]
    for cell in cells:
        assert cell.lstrip(' "')[:1] not in ("=", "+", "-", "@"), (cell, text)


# --- symlinks --------------------------------------------------------------------------------------


@posix_only
@pytest.mark.parametrize("name", ["manifest.csv", "all.pdf", "mdupont.pdf", "mdupont.eml"])
def test_a_symlink_at_a_file_personalise_writes_is_never_followed(tmp_path: Path, name: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """manifest.csv (the folder's own index) is replaced; a link at a sheet or draft stops the run. Target unchanged."""
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "user.txt"
    target.write_bytes(b"the user's")
    (out / name).symlink_to(target)
    code = personalise(roster(tmp_path / "a.csv", [("Marie", "Dupont")], email=True), out, "--eml")
    assert target.read_bytes() == b"the user's"
    if name == "manifest.csv":
        assert code == 0 and not (out / name).is_symlink()
    else:
        assert code == 1 and "symbolic link" in capsys.readouterr().err
        assert (out / name).is_symlink()


@posix_only
@pytest.mark.parametrize("command", ["build", "person", "personalise"])
def test_a_symlink_loop_as_out_is_a_clear_error(tmp_path: Path, command: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """--out LOOP (LOOP → LOOP): one error line saying it is a symbolic link loop."""
    loop = tmp_path / "loop"
    loop.symlink_to(loop)
    argv = {
        "build": ["build"],
        "person": ["person", "--first-name", "A", "--last-name", "B"],
        "personalise": ["personalise", str(roster(tmp_path / "a.csv", [("A", "B")]))],
    }[command]
    code = main([*argv, "--out", str(loop), "--formats", "pdf"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("error: ") and "symbolic link loop" in err and "Traceback" not in err


# --- one run at a time ----------------------------------------------------------------------------


def test_two_personalise_at_once_never_give_a_manifest_listing_missing_files(tmp_path: Path) -> None:
    """Six trials of two personalise into one folder with different rosters: every listed file exists."""
    first = roster(tmp_path / "a.csv", [(f"Marie{chr(97 + i)}", "Dupont") for i in range(8)])
    second = roster(tmp_path / "b.csv", [(f"Luc{chr(97 + i)}", "Petit") for i in range(8)])
    for trial in range(6):
        out = tmp_path / f"out{trial}"
        runs = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-c",
                    CLI,
                    "personalise",
                    str(r),
                    "--out",
                    str(out),
                    "--formats",
                    "pdf",
                    "--jobs",
                    "1",
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            for r in (first, second)
        ]
        results = [r.communicate(timeout=120) for r in runs]
        assert all(b"Traceback" not in err for _, err in results)
        assert any(r.returncode == 0 for r in runs)
        for r, (_, err) in zip(runs, results, strict=True):
            assert r.returncode == 0 or b"is writing into this folder" in err, err
        rows = manifest_rows(out)
        assert rows and all((out / row["pdf"]).is_file() for row in rows)
        assert not [p for p in out.iterdir() if p.name.startswith(".partial-")]


def test_person_while_another_run_holds_the_folder_is_refused_clearly(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """A personalise holding the folder: person waits, then says what holds it; nothing written."""
    out = tmp_path / "out"
    held, release = threading.Event(), threading.Event()

    def hold() -> None:
        with folder_lock(out, command="personalise"):
            held.set()
            release.wait(30)

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        held.wait(10)
        code = main(
            ["person", "--first-name", "A", "--last-name", "B", "--out", str(out), "--formats", "pdf"]
        )
    finally:
        release.set()
        thread.join()
    err = capsys.readouterr().err
    assert code == 1 and "another run (personalise" in err and "wait for it to finish" in err
    assert not out.exists() or visible(out) == set()


# --- crashes and interruptions ---------------------------------------------------------------------


def _children(pid: int) -> set[int]:
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _start_big_run(tmp_path: Path, out: Path) -> tuple[subprocess.Popen[bytes], set[int]]:
    """A personalise with two worker processes, caught once its workers are writing into the staging folder."""
    big = roster(
        tmp_path / "big.csv",
        [(f"Prénom{a}{b}", f"Nom{a}{b}") for a in "abcdefghijklmnopqrst" for b in "abcdefghijklmnopqrst"],
    )
    run = subprocess.Popen(
        [sys.executable, "-c", CLI, "personalise", str(big), "--out", str(out), "--jobs", "2"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        staged = (
            list(out.glob(".partial-*/**/*.pdf")) if out.exists() else []
        )  # each worker in its own sub-folder
        if len(staged) >= 4:
            break
        time.sleep(0.05)
    else:
        run.kill()
        pytest.fail("the run never started writing")
    workers = _children(run.pid)
    assert workers, "the run has worker processes"
    return run, workers


def _gone(pids: set[int], seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.05)
    return False


@linux_only
def test_kill_9_leaves_no_worker_running_and_the_next_run_removes_the_staging_folder(tmp_path: Path) -> None:
    out = tmp_path / "out"
    run, workers = _start_big_run(tmp_path, out)
    os.kill(run.pid, signal.SIGKILL)
    run.communicate(timeout=30)
    assert _gone(workers), "worker processes outlived the killed run"
    small = roster(tmp_path / "small.csv", [("Marie", "Dupont")])
    assert personalise(small, out) == 0
    assert not [p for p in out.iterdir() if p.name.startswith(".partial-")]
    assert visible(out) == {"all.pdf", "manifest.csv", "mdupont.pdf"}


@linux_only
def test_sigterm_ends_a_run_like_ctrl_c(tmp_path: Path) -> None:
    """SIGTERM: exit 130 with the interrupted line, no worker left, no staging folder, nothing in --out."""
    out = tmp_path / "out"
    run, workers = _start_big_run(tmp_path, out)
    os.kill(run.pid, signal.SIGTERM)
    _, err = run.communicate(timeout=60)
    assert run.returncode == 130 and b"interrupted" in err and b"Traceback" not in err
    assert _gone(workers)
    assert not out.exists() or visible(out) == set()
    assert not out.exists() or not [p for p in out.iterdir() if p.name.startswith(".partial-")]


def test_ctrl_c_during_the_final_move_completes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:  # type: ignore[no-untyped-def]
    """SIGINT arrives between two renames: the move completes (every listed file there), then exit 130."""
    import generator.run.commit as commit

    out = tmp_path / "out"
    real = os.replace
    calls = []

    def replace(src, dst):  # type: ignore[no-untyped-def]
        if Path(src).parent.name.startswith(".partial-") and Path(dst).parent == out:  # the final move only
            calls.append(dst)
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return real(src, dst)

    monkeypatch.setattr(commit.os, "replace", replace)
    code = personalise(
        roster(tmp_path / "a.csv", [("Marie", "Dupont"), ("Luc", "Petit"), ("Anne", "Roux")]), out
    )
    monkeypatch.undo()
    assert code == 130 and "interrupted" in capsys.readouterr().err
    rows = manifest_rows(out)
    assert len(rows) == 3 and all((out / r["pdf"]).is_file() for r in rows) and (out / "all.pdf").is_file()
    assert not [p for p in out.iterdir() if p.name.startswith(".partial-")]


def test_gitignore_keeps_output_folders_out_of_version_control() -> None:
    """Output folders hold personal data: git ignores them wherever the README says to keep them."""
    names = [
        "output/people/mdupont.pdf",
        "output/examples/people/manifest.csv",
        "output/flyer.pdf",
        "x/sent.csv",
        "x/a.eml",
    ]
    result = subprocess.run(["git", "check-ignore", *names], cwd=REPO, capture_output=True, text=True)
    assert sorted(result.stdout.split()) == sorted(names)
    assert "personal data" in (REPO / ".gitignore").read_text()
