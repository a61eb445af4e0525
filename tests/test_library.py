"""The library the command line and the web share: compose, render, run_batch; safe from several threads."""

from __future__ import annotations

import io
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import manifest_rows, pdf_pages_text
from pypdf import PdfReader

import generator
from generator import FORMATS, compose, load_procedure, make_person, read_roster, render_sheet, run_batch
from generator.cli import main
from generator.people.person import Person
from generator.procedure.model import Procedure

DESK = {"first_name": "Marie-Hélène", "last_name": "Dupont", "birth_name": "Martin", "manager": "vieljeux"}


def test_the_library_api_is_the_plan_s() -> None:
    """The names the web and the command line call are all exported, typed and listed in __all__."""
    for name in (
        "load_procedure",
        "read_roster",
        "make_person",
        "compute_identifier",
        "compose",
        "render_sheet",
        "FORMATS",
        "run_batch",
        "write_draft",
        "send_drafts",
    ):
        assert name in generator.__all__ and hasattr(generator, name), name
    assert FORMATS == ("pdf", "docx")


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_of_a_composed_sheet_is_what_the_person_command_writes(tmp_path: Path, fmt: str) -> None:
    """render_sheet(compose(procedure, person), fmt) gives the bytes `person` writes for the same fields."""
    args = [
        f"--{key.replace('_', '-')}" if i % 2 == 0 else value for key, value in DESK.items() for i in (0, 1)
    ]
    assert main(["person", *args, "--out", str(tmp_path), "--formats", fmt]) == 0
    procedure = load_procedure()
    person = make_person(procedure, **DESK)
    written = tmp_path / f"{person.identifier}.{fmt}"
    assert render_sheet(compose(procedure, person), fmt) == written.read_bytes()


@pytest.mark.parametrize("fmt", FORMATS)
def test_render_of_the_flyer_is_what_build_writes(tmp_path: Path, fmt: str) -> None:
    """render_sheet(compose(procedure), fmt) gives the bytes `build` writes."""
    assert main(["build", "--out", str(tmp_path), "--formats", fmt]) == 0
    assert render_sheet(compose(load_procedure()), fmt) == (tmp_path / f"flyer.{fmt}").read_bytes()


def test_eight_threads_rendering_200_sheets_give_the_serial_bytes(procedure: Procedure) -> None:
    """A web server renders from several threads at once: 8 threads × the same 200 sheets = serial bytes."""
    first = ["Zoé", "Jean-Pierre", "Anne-Charlotte-Éléonore", "Seán", "Ægir", "Marie"]
    people = [
        Person(
            first[i % len(first)],
            f"Dupont-{'Œuvray' * (i % 5)} {i}",
            f"p{i}",
            manager="aesh17" if i % 3 else "",
        )
        for i in range(200)
    ]
    sheets = [compose(procedure, person) for person in people]
    jobs = [(sheet, fmt) for sheet in sheets for fmt in FORMATS]
    serial = [render_sheet(sheet, fmt) for sheet, fmt in jobs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        # Each thread renders every sheet: the same writers, fonts and caches, in 8 orders at once.
        results = list(
            pool.map(
                lambda start: [render_sheet(*jobs[(start + k) % len(jobs)]) for k in range(len(jobs))],
                range(0, len(jobs), len(jobs) // 8),
            )
        )
    for start, got in zip(range(0, len(jobs), len(jobs) // 8), results, strict=True):
        expected = [serial[(start + k) % len(jobs)] for k in range(len(jobs))]
        assert got == expected


def test_run_batch_returns_what_it_made_per_person_and_prints_nothing(
    tmp_path: Path, procedure: Procedure, capsys: pytest.CaptureFixture[str]
) -> None:
    """run_batch returns what it made (counts; the manifest a row per person, its files); it prints nothing."""
    from generator.resources import example_roster

    roster = read_roster(example_roster(), procedure)
    result = run_batch(procedure, roster, tmp_path / "out", jobs=1)
    assert capsys.readouterr() == ("", "")
    rows = manifest_rows(result.out)
    assert [row["identifier"] for row in rows] == [p.identifier for p in roster.people]
    assert result.sheets == len(rows) == len(roster.people) > 0
    for row in rows:
        assert all((result.out / row[fmt]).is_file() for fmt in FORMATS)
    assert result.print_files == ("all.pdf",)
    flagged = [row for row in rows if "homonym" in row["flags"].split()]
    assert result.homonyms == len(flagged) > 0


def test_run_batch_takes_people_without_a_roster(tmp_path: Path, procedure: Procedure) -> None:
    """People made one by one (no roster file, no row numbers) each get their own files."""
    people = [make_person(procedure, first_name="Marie", last_name=f"Dupont {c}") for c in "ABC"]
    result = run_batch(procedure, people, tmp_path, formats=("pdf",), jobs=1)
    assert result.sheets == 3
    assert [row["pdf"] for row in manifest_rows(result.out)] == [
        "mdupont-a.pdf",
        "mdupont-b.pdf",
        "mdupont-c.pdf",
    ]


def _long_data(tmp_path: Path, sentences: int) -> Path:
    """Longer steps, and a DOCX font other than Arial's family, which the DOCX measure estimates wider.

    A long name then fits the PDF but not the DOCX.
    """
    base = load_procedure().source.read_text(encoding="utf-8")  # type: ignore[union-attr]
    base = base.replace('font: "Arial"', 'font: "Georgia"')
    anchor = '      - "Cliquez sur « Authentification », puis connectez-vous comme à l\'étape 2."'
    extra = '      - "Ceci est une phrase longue qui remplit la page et qui continue encore un peu."'
    path = tmp_path / "long.yaml"
    path.write_text(base.replace(anchor, anchor + ("\n" + extra) * sentences), encoding="utf-8")
    return path


def test_issue11_with_skip_invalid_all_pdf_holds_exactly_the_manifest_rows(tmp_path: Path) -> None:
    """Regression: a row whose DOCX does not fit was dropped from the manifest but printed in all.pdf."""
    data = _long_data(tmp_path, 4)
    procedure = load_procedure(data)
    long_one = make_person(
        procedure,
        first_name="Marie-Christine",
        last_name="de La Rochefoucauld-Montmorency",
        birth_name="Martin-Lefèvre",
    )
    sheet = compose(procedure, long_one)
    render_sheet(sheet, "pdf")  # its PDF fits…
    with pytest.raises(generator.RenderError, match="DOCX"):
        render_sheet(sheet, "docx")  # …its DOCX does not: the row is refused in every format
    roster = tmp_path / "r.csv"
    roster.write_text(
        "Prénom;Nom;Nom de naissance\nMarie;Dupont;\nMarie-Christine;de La Rochefoucauld-Montmorency;Martin-Lefèvre\n"
        "Jean;Martin;\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ["personalise", str(roster), "--data", str(data), "--out", str(out), "--jobs", "1"]
    assert main([*args, "--skip-invalid"]) == 0
    rows = manifest_rows(out)  # French headers, read by the code's keys
    assert [r["identifier"] for r in rows] == ["mdupont", "jmartin"]
    assert not (out / "mmartin-lefevre.pdf").exists()
    pages = pdf_pages_text(out / "all.pdf")
    assert len(pages) == len(rows)
    for page, row in zip(pages, rows, strict=True):
        assert row["identifier"] in page
    assert "Rochefoucauld" not in " ".join(pages)


def test_run_batch_lists_a_refused_row_and_leaves_it_out_of_every_format(tmp_path: Path) -> None:
    """A row that cannot be made in one format is refused in all of them and listed with its line."""
    data = _long_data(tmp_path, 4)
    procedure = load_procedure(data)
    roster_path = tmp_path / "r.csv"
    roster_path.write_text(
        "Prénom;Nom;Nom de naissance\nMarie;Dupont;\nMarie-Christine;de La Rochefoucauld-Montmorency;Martin-Lefèvre\n",
        encoding="utf-8",
    )
    with pytest.raises(generator.RosterError, match="line 3: the DOCX sheet"):
        run_batch(procedure, read_roster(roster_path, procedure), tmp_path / "refused", jobs=1)
    assert not (tmp_path / "refused").exists()
    result = run_batch(
        procedure, read_roster(roster_path, procedure), tmp_path / "out", skip_invalid=True, jobs=1
    )
    assert [row["identifier"] for row in manifest_rows(result.out)] == ["mdupont"] and result.sheets == 1
    assert len(result.refused) == 1 and "line 3" in result.refused[0]
    visible = sorted(p.name for p in result.out.iterdir() if not p.name.startswith("."))
    assert visible == ["all.pdf", "manifest.csv", "mdupont.docx", "mdupont.pdf"]
    assert len(PdfReader(io.BytesIO((result.out / "all.pdf").read_bytes())).pages) == 1


def test_problems_carry_their_field_line_and_numen_flag(tmp_path: Path, procedure: Procedure) -> None:
    """A form or a page ties each problem to its field and line from its structure, never from its words."""
    from generator import Problem, RosterError
    from generator.people.person import person_from_fields

    with pytest.raises(RosterError) as refused:
        make_person(procedure, first_name="17E0912345ABC", last_name="", email="pas-une-adresse")
    details = refused.value.details
    assert [(p.field, p.numen) for p in details] == [("first", True), ("last", False), ("email", False)]
    assert refused.value.problems == [p.text for p in details]  # the messages the command line prints
    assert "12345" not in str(refused.value)

    with pytest.raises(RosterError) as named:
        person_from_fields(procedure, {"first": "Marie", "last": ""}, {"last": "Nom d'usage"})
    assert [p.field for p in named.value.details] == ["last"] and "Nom d'usage" in named.value.problems[0]

    roster = tmp_path / "liste.csv"
    roster.write_text(
        "Prénom;Nom;Remarque\nMarie;Dupont;\n;Vide;\nJean;Martin;17E0912345ABC\n", encoding="utf-8"
    )
    read = read_roster(roster, procedure)
    assert [(p.line, p.field, p.numen) for p in read.refusals] == [(3, "first", False), (4, None, True)]
    assert all(p.text in message for p, message in zip(read.refusals, read.invalid, strict=True))
    assert RosterError("plain").details == (Problem("plain"),)
