"""Reading what we produce the way a user's tools would: text, links, QR codes."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

import pypdfium2 as pdfium
import pytest
import zxingcpp
from pypdf import PdfReader

from generator.csv_cells import MANIFEST
from generator.people.person import Person
from generator.run.manifest import ManifestWriter
from generator.run.worker import Made

# Paths every test may need, wherever its file sits under tests/ (imported from here, never from
# conftest: tests/ and tests/web/ each have a conftest.py, and only one can be the module "conftest").
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
OTHER_PROCEDURE = TESTS / "data" / "other_procedure.yaml"
A4 = (595.2756, 841.8898)  # points


def norm(text: str) -> str:
    """Text with every kind of space folded to one plain space."""
    return " ".join(text.replace("\u00a0", " ").replace("\u202f", " ").split())


def pdf_pages_text(data: bytes | Path) -> list[str]:
    if isinstance(data, Path):
        data = data.read_bytes()
    doc = pdfium.PdfDocument(data)
    try:
        return [norm(doc[i].get_textpage().get_text_range()) for i in range(len(doc))]
    finally:
        doc.close()


def pdf_link_uris(data: bytes | Path, page: int = 0) -> list[str]:
    import io

    if isinstance(data, Path):
        data = data.read_bytes()
    reader = PdfReader(io.BytesIO(data))
    uris = []
    for annot in reader.pages[page].get("/Annots") or []:
        obj = annot.get_object()
        if obj.get("/Subtype") == "/Link" and "/A" in obj:
            uris.append(str(obj["/A"].get("/URI")))
    return uris


def decode_qr(data: bytes | Path, page: int = 0, dpi: int = 150) -> list[str]:
    """Every QR code found on a greyscale render of the page, as text."""
    if isinstance(data, Path):
        data = data.read_bytes()
    doc = pdfium.PdfDocument(data)
    try:
        image = doc[page].render(scale=dpi / 72, grayscale=True).to_pil()
    finally:
        doc.close()
    results = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    return sorted(r.text for r in results)


def manifest_rows(out: Path) -> list[dict[str, str]]:
    """The rows of ``out/manifest.csv``: what a batch made, a person a row, keyed as the code names columns and flags."""
    from generator.run.manifest import read_rows

    return list(read_rows(out / "manifest.csv"))


def soffice_available() -> bool:
    return shutil.which("soffice") is not None


def soffice_to_pdf(docx_files: list[Path], outdir: Path) -> list[Path]:
    """Convert with LibreOffice headless; fails clearly when a PDF is missing.

    soffice exits 0 even when it could not load a file, so the PDFs are
    checked one by one. A private profile keeps concurrent runs apart.
    """
    outdir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                "soffice",
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--norestore",
                "--convert-to",
                "pdf",
                "--outdir",
                str(outdir),
                *map(str, docx_files),
            ],
            check=True,
            capture_output=True,
            timeout=240,
            env={**os.environ, "HOME": profile},
        )
    pdfs = [outdir / (f.stem + ".pdf") for f in docx_files]
    missing = [p for p in pdfs if not p.exists()]
    assert not missing, f"LibreOffice did not convert: {missing}"
    return pdfs


class SheetRenderer:
    """A writer of one format driven the way the library does: compose the person's sheet, then write it.

    A fresh writer each time (not the registry's shared one), so that tests
    can compare a new writer with a used one.
    """

    def __init__(self, procedure, fmt: str, **options) -> None:
        from generator.render.docx import DocxWriter
        from generator.render.pdf import PdfWriter
        from generator.sheet.compose import compose_page

        self.procedure = procedure
        kind = PdfWriter if fmt == "pdf" else DocxWriter
        # The personal sheets' page and the flyer's differ (step 2): one writer for each.
        self.writer = kind(compose_page(procedure, personal=True), **options)
        self.flyer_writer = kind(compose_page(procedure), **options)

    def sheet(self, person):
        from generator.sheet.compose import compose

        return compose(self.procedure, person)

    def _for(self, person):
        return self.flyer_writer if person is None else self.writer

    def to_bytes(self, person) -> bytes:
        return self._for(person).to_bytes(self.sheet(person))

    def render(self, person, target) -> None:
        self._for(person).write(self.sheet(person), target)

    def render_many(self, people, target) -> int:
        return self.writer.write_many((self.sheet(p) for p in people), target)

    def __getattr__(self, name: str):
        return getattr(self.writer, name)


def PdfRenderer(procedure, **options) -> SheetRenderer:  # noqa: N802 (reads as the class it stands for)
    return SheetRenderer(procedure, "pdf", **options)


def DocxRenderer(procedure, **options) -> SheetRenderer:  # noqa: N802
    return SheetRenderer(procedure, "docx", **options)


def run_cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """The CLI in-process: exit code (SystemExit included), stdout, stderr."""
    from generator.cli import main

    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_clear_error(code: int, err: str) -> None:
    """Exit 1 or 2 with an ``error:`` line, never a traceback."""
    assert code in (1, 2), code
    assert "Traceback" not in err
    assert "error:" in err


# The names of issue 15 that Atkinson Hyperlegible alone cannot print (Noto Sans draws the rest).
ISSUE_NAMES = [
    "Thị Nguyễn",
    "Dương Đặng",
    "İsmail",
    "Ōta",
    "Ŋoné",
    "Əliyev",
    "Łukasz Żółć",
    "Þórunn Guðmundsdóttir",
    "Şükrü Öztürk",
    "ẞ",
]


def manifest_bytes(rows: Sequence[tuple[Person, Made]], places: Sequence[tuple[str, int]] = ()) -> bytes:
    """The manifest ``personalise`` would write for ``rows`` (each person and what was made), with print places."""
    buffer = io.BytesIO()
    manifest = ManifestWriter(buffer)
    for index, (person, made) in enumerate(rows):
        manifest.add(person, made, *(places[index] if index < len(places) else ("", 0)))
    manifest.close()
    return buffer.getvalue()


def write_manifest(out: Path, rows: Sequence[tuple[Person, Made]]) -> Path:
    """``out/manifest.csv`` as ``personalise`` writes it, for tests that start from a made folder."""
    path = Path(out) / MANIFEST
    path.write_bytes(manifest_bytes(rows))
    return path
