"""Personal sheets from a roster: files, all.pdf, manifest, refusals, NUMEN, speed paths."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import pytest
from helpers import ROOT, decode_qr, norm, pdf_pages_text

from generator.cli import main
from generator.people.person import Person
from generator.run import run_batch, runner
from generator.run.manifest import KEYS as MANIFEST_COLUMNS
from generator.run.manifest import read_rows

WEBMAIL = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
NUMENS = ["17E0912345ABC", "08X1234567XYZ", "99Q7654321KLM"]


def write_roster(path: Path, rows: list[list[str]], header: list[str] | None = None) -> Path:
    header = header or ["Prénom", "Nom", "Nom de naissance", "Courriel", "NUMEN"]
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, delimiter=";")
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """One personalise run on a roster with a NUMEN column, homonyms and markup in a name."""
    tmp = tmp_path_factory.mktemp("personalise")
    roster = write_roster(
        tmp / "roster.csv",
        [
            ["Marie", "Dupont", "", "marie@example.org", NUMENS[0]],
            ["Mathieu", "Dupont", "", "", NUMENS[1]],
            ["Seán", "O'Brien & <i>Fils</i>", "", "sean@example.org", NUMENS[2]],
            ["", "", "", "", ""],
            ["Françoise", "Martin", "Lefèvre", "", ""],
        ],
    )
    out = tmp / "out"
    assert main(["personalise", str(roster), "--out", str(out), "--eml"]) == 0
    return roster, out


def long_data(tmp_path: Path, sentences: int) -> Path:
    """The default procedure with ``sentences`` long sentences more in step 3, written to a file."""
    base = (ROOT / "data" / "procedure.yaml").read_text(encoding="utf-8")
    anchor = '      - "Cliquez sur « Authentification », puis connectez-vous comme à l\'étape 2."'
    extra = '      - "Ceci est une phrase longue qui remplit la page et qui continue encore un peu."'
    assert base.count(anchor) == 1
    path = tmp_path / "long.yaml"
    path.write_text(base.replace(anchor, anchor + ("\n" + extra) * sentences), encoding="utf-8")
    return path


def manifest(out: Path) -> list[dict[str, str]]:
    return list(read_rows(out / "manifest.csv"))  # French headers and flags, read by the code's keys


def test_manifest_lists_every_person_with_row_identifier_flags_and_files(run: tuple[Path, Path]) -> None:
    """manifest.csv: roster line numbers (header = 1, blank line counted), homonyms flagged, files named."""
    _roster, out = run
    rows = manifest(out)
    assert list(rows[0]) == list(MANIFEST_COLUMNS)
    assert [r["row"] for r in rows] == ["2", "3", "4", "6"]
    assert [r["identifier"] for r in rows] == ["mdupont", "mdupont", "sobrien-ifilsi", "flefevre"]
    assert "homonym" in rows[0]["flags"].split() and "homonym" in rows[1]["flags"].split()
    assert "homonym" not in rows[2]["flags"].split()
    assert rows[0]["pdf"] != rows[1]["pdf"], "homonyms must get distinct files"
    for r in rows:
        for column in ("pdf", "docx"):
            assert (out / r[column]).is_file()
            assert Path(r[column]).name == r[column], "file names stay inside the folder"
    assert rows[0]["eml"] and not rows[1]["eml"], "a draft only for persons with an address"


def test_each_personal_pdf_is_one_page_with_identifier_and_a_decodable_code(run: tuple[Path, Path]) -> None:
    """Each personal PDF: one page, the person's name and identifier, its QR code decodes to the URL."""
    _roster, out = run
    for r in manifest(out):
        pages = pdf_pages_text(out / r["pdf"])
        assert len(pages) == 1
        assert r["identifier"] in pages[0]
        assert norm(r["first_name"]) in pages[0]
        assert decode_qr(out / r["pdf"]) == [WEBMAIL]


def test_markup_in_a_name_is_printed_as_typed(run: tuple[Path, Path]) -> None:
    """A roster name that looks like markup is text: printed literally, never interpreted."""
    _roster, out = run
    row = manifest(out)[2]
    assert "O'Brien & <i>Fils</i>" in pdf_pages_text(out / row["pdf"])[0]  # as written (#15)


def test_all_pdf_has_one_page_per_person_in_roster_order(run: tuple[Path, Path]) -> None:
    """all.pdf: every personal sheet, one page each, in roster order, each code decodable."""
    _roster, out = run
    rows = manifest(out)
    pages = pdf_pages_text(out / "all.pdf")
    assert len(pages) == len(rows)
    for page_text, r in zip(pages, rows, strict=True):
        assert norm(r["first_name"]) in page_text and r["identifier"] in page_text
    for i in range(len(rows)):
        assert decode_qr(out / "all.pdf", page=i) == [WEBMAIL]


def test_print_file_pages_show_the_same_text_as_the_single_files(run: tuple[Path, Path]) -> None:
    """The shared-form pages of all.pdf carry the same text as each person's own file."""
    _roster, out = run
    pages = pdf_pages_text(out / "all.pdf")
    for page_text, r in zip(pages, manifest(out), strict=True):
        assert sorted(page_text.split()) == sorted(pdf_pages_text(out / r["pdf"])[0].split())


def test_numen_values_never_reach_any_output_byte(
    run: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """NUMEN values of the roster appear in no file written (also not compressed: text checked too)."""
    _roster, out = run
    files = [p for p in out.iterdir() if p.is_file()]
    assert len(files) >= 10
    for path in files:
        data = path.read_bytes()
        for numen in NUMENS:
            assert numen.encode() not in data, f"{numen} in {path.name}"
        if path.suffix == ".pdf":
            for page in pdf_pages_text(path):
                assert not any(n in page for n in NUMENS)
    if (out / "flyer.pdf").exists():  # pragma: no cover - not written by personalise
        raise AssertionError


def test_numen_column_gives_a_warning_and_no_value(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The NUMEN column is ignored with a warning that names it and never echoes its values."""
    roster = write_roster(tmp_path / "r.csv", [["Marie", "Dupont", "", "", NUMENS[0]]])
    assert main(["personalise", str(roster), "--out", str(tmp_path / "o"), "--formats", "pdf"]) == 0
    captured = capsys.readouterr()
    assert "numen" in captured.err.lower()
    assert NUMENS[0] not in captured.err + captured.out


def test_bad_rows_refuse_the_whole_roster_and_write_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad row: exit 1, each bad row named by file and line, and nothing written."""
    roster = write_roster(
        tmp_path / "r.csv",
        [
            ["Marie", "Dupont", "", "", ""],
            ["", "Durand", "", "", ""],
            ["Luc", "Petit", "", "not-an-email", ""],
        ],
    )
    out = tmp_path / "out"
    assert main(["personalise", str(roster), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert f"{roster}: line 3" in err and f"{roster}: line 4" in err
    assert all(line.startswith(("error: ", "warning: ")) for line in err.strip().splitlines())
    assert "Traceback" not in err
    assert not out.exists() or not any(out.iterdir())


def test_skip_invalid_writes_the_good_rows_and_lists_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--skip-invalid: valid rows written, skipped rows listed with their line."""
    roster = write_roster(tmp_path / "r.csv", [["Marie", "Dupont", "", "", ""], ["", "Durand", "", "", ""]])
    out = tmp_path / "out"
    assert main(["personalise", str(roster), "--out", str(out), "--skip-invalid", "--formats", "pdf"]) == 0
    assert "line 3" in capsys.readouterr().err
    assert [r["identifier"] for r in manifest(out)] == ["mdupont"]


def test_a_given_identifier_cannot_choose_a_path_outside_the_folder(tmp_path: Path) -> None:
    """An Identifiant cell like ../../evil never writes outside the output folder."""
    roster = write_roster(
        tmp_path / "r.csv", [["Marie", "Dupont", "../../evil"]], header=["Prénom", "Nom", "Identifiant"]
    )
    out = tmp_path / "a" / "b" / "out"
    code = main(["personalise", str(roster), "--out", str(out), "--formats", "pdf"])
    written = {p.resolve() for p in tmp_path.rglob("*") if p.is_file()} - {roster.resolve()}
    assert all(out.resolve() in p.parents for p in written)
    assert code in (0, 1)


def test_person_command_writes_one_sheet(tmp_path: Path) -> None:
    """`person` at the desk: the identifier is worked out and printed on a one-page sheet."""
    out = tmp_path / "desk"
    assert (
        main(
            [
                "person",
                "--first-name",
                "Jean-Pierre",
                "--last-name",
                "Le Dupond",
                "--out",
                str(out),
                "--formats",
                "pdf",
            ]
        )
        == 0
    )
    pages = pdf_pages_text(out / "jle-dupond.pdf")
    assert len(pages) == 1 and "jle-dupond" in pages[0]


def test_worker_processes_give_the_same_bytes_as_one_process(
    tmp_path: Path, procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parallel path writes byte-identical files (sheets, all.pdf, manifest) to the in-process path."""
    monkeypatch.setattr(runner, "POOL_FROM_MS", 0.0)  # a short roster takes the pool too
    people = [
        Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2) for i in range(runner.IN_PROCESS_BELOW + 5)
    ]
    digests = {}
    for workers in (1, 2):
        out = tmp_path / f"w{workers}"
        run_batch(procedure, people, out, formats=("pdf", "docx"), jobs=workers)
        digests[workers] = {
            p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in out.iterdir()
            if not p.name.startswith(".")
        }
    assert digests[1] == digests[2]
    assert len(digests[1]) == 2 * len(people) + 2  # all.pdf and manifest.csv besides


def test_replayed_shared_part_gives_the_same_bytes_as_drawing_everything(procedure) -> None:
    """The prepared operators of the shared part give byte-identical sheets to a full drawing."""
    from helpers import PdfRenderer

    fast, plain = PdfRenderer(procedure), PdfRenderer(procedure, reuse=False)
    people = [
        None,
        Person("Zoé-Ærin", "Œuvray-Ñúñez", "zoeuvray-nunez", manager="vieljeux"),
        Person("Jean", "Dupont", "jdupont"),
        Person("A" * 40, "B-" * 30 + "C", "ab" * 30),
    ]
    for person in people:
        assert fast.to_bytes(person) == plain.to_bytes(person), person


def test_eml_drafts_carry_the_persons_own_pdf(run: tuple[Path, Path]) -> None:
    """personalise --eml: each draft goes to the person's address with their PDF, byte for byte."""
    import email
    from email import policy

    _roster, out = run
    drafts = [r for r in manifest(out) if r["eml"]]
    assert [r["identifier"] for r in drafts] == ["mdupont", "sobrien-ifilsi"]
    for r in drafts:
        message = email.message_from_bytes((out / r["eml"]).read_bytes(), policy=policy.default)
        assert message["X-Unsent"] == "1"
        assert r["identifier"] in message["Subject"]
        pdfs = [p for p in message.iter_attachments() if p.get_content_type() == "application/pdf"]
        assert len(pdfs) == 1
        assert pdfs[0].get_content() == (out / r["pdf"]).read_bytes()
    assert (
        email.message_from_bytes((out / drafts[0]["eml"]).read_bytes(), policy=policy.default)["To"]
        .addresses[0]
        .addr_spec
        == "marie@example.org"
    )


def test_person_at_the_desk_never_overwrites_another_sheet_or_all_pdf(tmp_path: Path) -> None:
    """`person` after `personalise`: a homonym gets -2, and an identifier 'all' cannot replace all.pdf."""
    out = tmp_path / "p"
    roster = write_roster(tmp_path / "r.csv", [["Marie", "Dupont"]], header=["Prénom", "Nom"])
    assert main(["personalise", str(roster), "--out", str(out), "--formats", "pdf"]) == 0
    marie = (out / "mdupont.pdf").read_bytes()
    assert main(["person", "--first-name", "Mathieu", "--last-name", "Dupont", "--out", str(out)]) == 0
    assert (out / "mdupont.pdf").read_bytes() == marie
    assert "Mathieu" in pdf_pages_text(out / "mdupont-2.pdf")[0]
    assert (
        main(
            [
                "person",
                "--first-name",
                "A",
                "--last-name",
                "B",
                "--identifier",
                "all",
                "--out",
                str(out),
                "--formats",
                "pdf",
            ]
        )
        == 0
    )
    assert len(pdf_pages_text(out / "all.pdf")) == 1 and "Marie" in pdf_pages_text(out / "all.pdf")[0]
    assert (out / "all-2.pdf").is_file()


def test_manifest_names_never_become_spreadsheet_formulas(tmp_path: Path) -> None:
    """A name typed as =HYPERLINK(…) is written to manifest.csv as text, not a formula."""
    from helpers import write_manifest

    from generator.run.worker import Made

    person = Person('=HYPERLINK("http://x","clic")', "+Dupont", "hdupont", row=2)
    write_manifest(tmp_path, [(person, Made(person.row))])
    rows = manifest(tmp_path)
    assert rows[0]["first_name"].startswith("'=") and rows[0]["last_name"] == "'+Dupont"


def test_negative_jobs_is_a_usage_error() -> None:
    """--jobs -1 is refused by the command line (exit 2), not a traceback later."""
    with pytest.raises(SystemExit) as info:
        main(["personalise", "roster.csv", "--jobs", "-1"])
    assert info.value.code == 2


def test_eml_attachment_has_a_clear_name(run: tuple[Path, Path]) -> None:
    """The attached sheet is named fiche-messagerie-<identifier>.pdf, not after the file stem."""
    import email
    from email import policy

    _roster, out = run
    row = next(r for r in manifest(out) if r["eml"])
    message = email.message_from_bytes((out / row["eml"]).read_bytes(), policy=policy.default)
    (pdf,) = [p for p in message.iter_attachments()]
    assert pdf.get_filename() == f"fiche-messagerie-{row['identifier']}.pdf"


def test_out_that_is_a_file_gets_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """build --out pointing at a file: one error line saying it is a file, exit 1."""
    target = tmp_path / "not-a-folder"
    target.write_text("x")
    assert main(["build", "--out", str(target), "--formats", "pdf"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {target}: is a file, expected a folder") and err.count("\n") == 1


def test_a_person_whose_docx_would_take_two_pages_is_refused_before_anything_is_written(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Long data plus a long name: the row is named, nothing is written; --skip-invalid writes the rest."""
    data = long_data(tmp_path, 8)
    roster = write_roster(
        tmp_path / "r.csv",
        [
            ["Marie", "Dupont", "", "", ""],
            ["Marie-Christine", "de La Rochefoucauld-Montmorency", "Martin-Lefèvre", "", ""],
        ],
    )
    out = tmp_path / "out"
    assert (
        main(["personalise", str(roster), "--data", str(data), "--out", str(out), "--formats", "docx"]) == 1
    )
    err = capsys.readouterr().err
    assert f"{roster}: line 3: the DOCX sheet would print on two pages" in err
    assert not out.exists()
    assert (
        main(
            [
                "personalise",
                str(roster),
                "--data",
                str(data),
                "--out",
                str(out),
                "--formats",
                "docx",
                "--skip-invalid",
            ]
        )
        == 0
    )
    assert [r["identifier"] for r in manifest(out)] == ["mdupont"]


def test_a_refused_run_leaves_the_previous_output_as_it_was(tmp_path: Path) -> None:
    """Sheets are made in a staging folder: a run refused after rendering changes nothing in --out."""
    data = long_data(tmp_path, 8)
    out = tmp_path / "out"
    first = write_roster(tmp_path / "first.csv", [["Marie", "Dupont"]], header=["Prénom", "Nom"])
    assert main(["personalise", str(first), "--data", str(data), "--out", str(out), "--formats", "docx"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    second = write_roster(
        tmp_path / "second.csv",
        [
            ["Marie", "Dupont", ""],
            ["Marie-Christine", "de La Rochefoucauld-Montmorency", "Martin-Lefèvre"],
        ],
        header=["Prénom", "Nom", "Nom de naissance"],
    )
    assert (
        main(["personalise", str(second), "--data", str(data), "--out", str(out), "--formats", "docx"]) == 1
    )
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_a_person_whose_pdf_cannot_fit_is_a_bad_row_and_skip_invalid_gets_past_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Long data and a long name: the PDF row is refused by line; --skip-invalid prints the others, all.pdf too."""
    data = long_data(tmp_path, 9)
    roster = write_roster(
        tmp_path / "r.csv",
        [
            ["Marie", "Dupont", ""],
            ["Marie-Christine", "de La Rochefoucauld-Montmorency-Lauraguais", "Martin-Lefèvre-Saint-Aignan"],
        ],
        header=["Prénom", "Nom", "Nom de naissance"],
    )
    out = tmp_path / "out"
    args = ["personalise", str(roster), "--data", str(data), "--out", str(out), "--formats", "pdf"]
    assert main(args) == 1
    assert f"{roster}: line 3: the PDF sheet does not fit" in capsys.readouterr().err
    assert main([*args, "--skip-invalid"]) == 0
    assert [r["identifier"] for r in manifest(out)] == ["mdupont"]
    assert len(pdf_pages_text(out / "all.pdf")) == 1


def test_a_new_run_removes_the_sheets_of_the_previous_one_in_the_same_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Sheets a previous run listed and this run did not make are removed; other files stay."""
    out = tmp_path / "out"
    first = write_roster(
        tmp_path / "a.csv", [["Marie", "Dupont"], ["Luc", "Petit"]], header=["Prénom", "Nom"]
    )
    assert main(["personalise", str(first), "--out", str(out)]) == 0
    (out / "notes.txt").write_text("mine")
    second = write_roster(
        tmp_path / "b.csv", [["Marie", "Dupont"], ["Anne", "Roux"]], header=["Prénom", "Nom"]
    )
    assert main(["personalise", str(second), "--out", str(out)]) == 0
    assert "removed 2 file(s)" in capsys.readouterr().out
    names = {p.name for p in out.iterdir()}
    assert {"mdupont.pdf", "aroux.pdf", "notes.txt", "all.pdf", "manifest.csv"} <= names
    assert not {"lpetit.pdf", "lpetit.docx"} & names
