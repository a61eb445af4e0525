"""The body-size report behind ``check``: what it says of each kind of sheet is what the writers then print."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
from helpers import ROOT

from generator import render_sheet
from generator.procedure.model import Procedure
from generator.procedure.schema import load_procedure
from generator.render.fit_report import body_size, reduced_sheets
from generator.sheet.variants import Feature, representative_sheets


def _pdf_body(data: bytes) -> float:
    """The size the PDF sets step 1's first sentence at."""
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0].get_textpage()
        start = page.get_text_range().index("Le NUMEN est un code")
        return round(pdfium_c.FPDFText_GetFontSize(page.raw, start), 1)
    finally:
        doc.close()


def test_every_combination_of_features_and_offices_is_represented(procedure: Procedure) -> None:
    """4 features, each combination once per office and once without: 16 × 3 sheets, less the 4 × 3 where
    homonym meets an identifier to confirm (the same sheet as without the homonym: no note)."""
    variants = [variant for variant, _sheet in representative_sheets(procedure)]
    assert len(variants) == (2 ** len(Feature) - 2 ** (len(Feature) - 2)) * (len(procedure.contacts) + 1)
    assert not any({Feature.HOMONYM, Feature.UNSURE} <= set(v.features) for v in variants)
    assert next(representative_sheets(procedure, flyer=True))[0] is None  # the flyer first
    assert len(set(variants)) == len(variants)


def test_the_report_says_the_size_the_pdf_is_printed_at(procedure: Procedure) -> None:
    """For every kind of personal sheet, the PDF's body size is the one the report gives (12 pt when unnamed)."""
    reduced = {r.variant: r.body for r in reduced_sheets(representative_sheets(procedure), ("pdf",))}
    for variant, sheet in representative_sheets(procedure):
        assert _pdf_body(render_sheet(sheet, "pdf")) == reduced.get(variant, 12.0), variant.describe()


def test_the_docx_report_is_the_docx_writers_own_choice(procedure: Procedure) -> None:
    """The DOCX sizes come from its writer's fit: the report and body_size agree for every kind."""
    reduced = {r.variant: r.body for r in reduced_sheets(representative_sheets(procedure), ("docx",))}
    for variant, sheet in representative_sheets(procedure):
        assert body_size(sheet, "docx") == reduced.get(variant, 12.0)


def test_every_kind_of_sheet_holds_at_12_pt(procedure: Procedure) -> None:
    """Issue 24: 12 pt for the flyer and every kind of personal sheet, combined ones too, in both formats."""
    assert reduced_sheets(representative_sheets(procedure, flyer=True)) == []


STEP_3_END = '      - "Cliquez sur « Authentification », puis connectez-vous comme à l\'étape 2."\n'
MORE = (
    '      - "Ajoutez la page à vos favoris pour la retrouver."\n'
    '      - "Fermez la session quand vous quittez un ordinateur partagé."\n'
)


def _docx_body(data: bytes) -> float:
    """The body size a DOCX's styles give its text (the document defaults, in half points)."""
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        styles = package.read("word/styles.xml").decode("utf-8")
    defaults = styles[styles.index("<w:docDefaults") : styles.index("</w:docDefaults>")]
    return int(re.search(r'<w:sz w:val="(\d+)"/>', defaults).group(1)) / 2  # type: ignore[union-attr]


def test_with_longer_steps_the_docx_is_written_at_the_size_the_report_gives(tmp_path: Path) -> None:
    """Two more sentences in step 3: the combined kinds go below 12 pt, each DOCX at the size the report says."""
    text = (ROOT / "data" / "procedure.yaml").read_text(encoding="utf-8")
    path = tmp_path / "longer.yaml"
    path.write_text(text.replace(STEP_3_END, STEP_3_END + MORE), encoding="utf-8")
    procedure = load_procedure(path)
    reduced = {r.variant: r.body for r in reduced_sheets(representative_sheets(procedure), ("docx",))}
    assert reduced and all(body is not None and body < 12.0 for body in reduced.values())
    for variant, sheet in representative_sheets(procedure):
        assert _docx_body(render_sheet(sheet, "docx")) == reduced.get(variant, 12.0), variant.describe()
