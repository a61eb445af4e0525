"""Issue 16 (scale): print volumes, their manifest columns, stale volumes, same bytes however the run is cut."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pikepdf
import pytest
from helpers import pdf_pages_text

from generator import load_procedure, run_batch
from generator.cli import main
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.run import plan, runner
from generator.run.plan import Volume, is_print_file, volumes

PEOPLE = 8


@pytest.fixture(scope="module")
def procedure() -> Procedure:
    return load_procedure()


def _people(count: int, start: int = 0) -> list[Person]:
    return [Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(start, start + count)]


def _manifest(out: Path) -> list[dict[str, str]]:
    from generator.run.manifest import read_rows  # French headers, read by the code's keys

    return list(read_rows(out / "manifest.csv"))


def _visible(out: Path) -> set[str]:
    return {p.name for p in out.iterdir() if not p.name.startswith(".")}


def _digests(out: Path, suffixes: tuple[str, ...] = (".pdf", ".docx")) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in out.iterdir()
        if p.suffix in suffixes and not is_print_file(p.name, "all", "pdf")
    }


def test_volumes_cut_the_pages_in_order_at_most_n_each() -> None:
    """all.pdf up to N pages; beyond, all-001.pdf … of at most N pages, numbered to sort in print order."""
    assert volumes(0, 500, "all", "pdf") == []
    assert volumes(500, 500, "all", "pdf") == [Volume("all.pdf", 0, 500)]
    cut = volumes(1001, 500, "all", "pdf")
    assert [v.name for v in cut] == ["all-001.pdf", "all-002.pdf", "all-003.pdf"]
    assert [(v.start, v.stop) for v in cut] == [(0, 500), (500, 1000), (1000, 1001)]
    many = volumes(12_000, 10, "all", "pdf")
    assert many[0].name == "all-0001.pdf" and many[-1].name == "all-1200.pdf"
    assert [v.name for v in many] == sorted(v.name for v in many)


def test_an_identifier_shaped_like_a_volume_never_takes_its_file_name() -> None:
    """A person whose identifier is all-001 gets all-001-2, never the name of a print volume."""
    jobs = plan.planned([Person("A", "Ll", "all-001", row=2), Person("B", "Ll", "all", row=3)])
    assert [job.stem for job in jobs] == ["all-001-2", "all-2"]


def test_print_volumes_hold_every_sheet_in_roster_order_and_the_manifest_says_where(
    tmp_path: Path, procedure: Procedure
) -> None:
    """--print-volume 3 on 8 people: all-001 (3 pages), all-002 (3), all-003 (2); manifest volume and page."""
    out = tmp_path / "out"
    result = run_batch(procedure, _people(PEOPLE), out, formats=("pdf",), jobs=1, print_volume=3)
    assert result.print_files == ("all-001.pdf", "all-002.pdf", "all-003.pdf")
    assert "all.pdf" not in _visible(out)
    rows = _manifest(out)
    assert [len(pdf_pages_text(out / name)) for name in result.print_files] == [3, 3, 2]
    for row in rows:
        page_text = pdf_pages_text(out / row["volume"])[int(row["page"]) - 1]
        assert row["last_name"] in page_text and row["identifier"] in page_text
    assert [(r["volume"], r["page"]) for r in rows][:4] == [
        ("all-001.pdf", "1"),
        ("all-001.pdf", "2"),
        ("all-001.pdf", "3"),
        ("all-002.pdf", "1"),
    ]


def test_a_run_of_n_pages_or_fewer_keeps_the_single_all_pdf(tmp_path: Path, procedure: Procedure) -> None:
    """Up to --print-volume pages: one all.pdf, and every manifest row says all.pdf with its page."""
    out = tmp_path / "out"
    result = run_batch(procedure, _people(3), out, formats=("pdf",), jobs=1, print_volume=3)
    assert result.print_files == ("all.pdf",)
    assert [(r["volume"], r["page"]) for r in _manifest(out)] == [
        ("all.pdf", "1"),
        ("all.pdf", "2"),
        ("all.pdf", "3"),
    ]
    with pikepdf.open(out / "all.pdf") as pdf:
        pages = [page.obj for page in pdf.pages]
        # Issue 16: each page holds its own content only; resources are one shared dictionary.
        assert len({page.Resources.objgen for page in pages}) == 1


def test_same_personal_files_whatever_the_workers_and_the_volume_size(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Byte-identical personal PDF and DOCX: one process or two workers, volumes of 3 or 500 pages."""
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)
    people = _people(runner.IN_PROCESS_BELOW + 5)
    made = {}
    for jobs, volume in ((1, 500), (2, 3), (2, 500)):
        out = tmp_path / f"j{jobs}-v{volume}"
        result = run_batch(procedure, people, out, jobs=jobs, print_volume=volume)
        made[(jobs, volume)] = _digests(out)
        pages = sum(len(pdf_pages_text(out / name)) for name in result.print_files)
        assert pages == len(people)
    assert made[(1, 500)] == made[(2, 3)] == made[(2, 500)]
    assert len(made[(1, 500)]) == 2 * len(people)


def test_a_shorter_run_removes_the_stale_volumes_it_wrote_and_keeps_a_users_file(
    tmp_path: Path, procedure: Procedure
) -> None:
    """8 people in volumes of 3, then 4: all-003.pdf (ours, unchanged) goes; a user's all-009.pdf stays."""
    out = tmp_path / "out"
    run_batch(procedure, _people(PEOPLE), out, formats=("pdf",), jobs=1, print_volume=3)
    (out / "all-009.pdf").write_bytes(b"%PDF- a user's own file")
    result = run_batch(procedure, _people(4), out, formats=("pdf",), jobs=1, print_volume=3)
    assert result.print_files == ("all-001.pdf", "all-002.pdf")
    assert "all-003.pdf" in result.removed
    names = _visible(out)
    assert "all-003.pdf" not in names and "all-009.pdf" in names
    assert len(pdf_pages_text(out / "all-002.pdf")) == 1
    # Back to one all.pdf: the volumes of the earlier run go too.
    result = run_batch(procedure, _people(2), out, formats=("pdf",), jobs=1, print_volume=3)
    assert result.print_files == ("all.pdf",)
    assert {"all-001.pdf", "all-002.pdf"} <= set(result.removed)


@pytest.mark.parametrize("jobs", [1, 2])
def test_skip_invalid_volumes_hold_exactly_the_manifest_rows(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch, jobs: int
) -> None:
    """A row refused after the print volumes were started: the volumes are made again without it."""
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)
    monkeypatch.setattr(runner, "IN_PROCESS_BELOW", 0)
    # A letter no embedded font draws: the sheet cannot be made, the row is refused in every format.
    people = _people(4) + [Person("Li", "Wang \u738b", "lwang", row=6)] + _people(3, start=10)
    out = tmp_path / "out"
    result = run_batch(procedure, people, out, formats=("pdf",), jobs=jobs, print_volume=3, skip_invalid=True)
    assert len(result.refused) == 1 and "line 6" in result.refused[0]
    rows = _manifest(out)
    printed = [text for name in result.print_files for text in pdf_pages_text(out / name)]
    assert len(printed) == len(rows) == result.sheets == 7
    for row, text in zip(rows, printed, strict=True):
        assert row["identifier"] in text
    assert [(r["volume"], r["page"]) for r in rows][-1] == (
        result.print_files[-1],
        str(len(printed) % 3 or 3),
    )


def test_a_print_file_writer_is_never_given_more_than_a_volume(
    tmp_path: Path, procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Memory stays flat: reportlab holds a file's pages until saved, and no file gets more than N of them."""
    given: list[int] = []
    real = runner.write_print_file

    def counting(procedure: Procedure, people: list[Person], out: Path, name: str) -> Path:
        people = list(people)
        given.append(len(people))
        return real(procedure, people, out, name)

    monkeypatch.setattr(runner, "write_print_file", counting)
    run_batch(procedure, _people(PEOPLE), tmp_path / "out", formats=("pdf",), jobs=1, print_volume=3)
    assert given == [3, 3, 2]


def test_cli_print_volume_option_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--print-volume N is checked (1 … the most a volume may hold) and the summary names the volumes."""
    roster = tmp_path / "roster.csv"
    lines = ["Prénom;Nom"] + [f"Marie;Dupont {letter}" for letter in "abcde"]  # names hold no digit
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    with pytest.raises(SystemExit) as refused:
        main(["personalise", str(roster), "--out", str(out), "--print-volume", "0"])
    assert refused.value.code == 2
    capsys.readouterr()
    assert (
        main(["personalise", str(roster), "--out", str(out), "--print-volume", "2", "--formats", "pdf"]) == 0
    )
    captured = capsys.readouterr()
    assert "all-001.pdf … all-003.pdf" in captured.out and "(3 volumes)" in captured.out
    assert captured.err == ""  # no progress bar on a pipe
