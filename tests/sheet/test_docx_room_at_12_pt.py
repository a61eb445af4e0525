"""The DOCX's estimate against LibreOffice's print: what it accepts at 12 pt prints on one page with room to spare.

The estimate counts Word's line heights and keeps a margin under the
page; LibreOffice sets Arial's lines a little shorter. Each kind of sheet
the estimate accepts at 12 pt must print on one page with at least 8 mm
between the body's lowest text and the help band (a margin for Word's
own line breaks), with the default steps and with longer ones, whose
estimates come close to the limit.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
from helpers import ROOT, soffice_available, soffice_to_pdf

from generator import render_sheet
from generator.procedure.model import Procedure
from generator.procedure.schema import load_procedure
from generator.render import writer
from generator.render.docx.look import PAGE_CAPACITY
from generator.render.fit_report import body_size
from generator.sheet.fit import LADDER
from generator.sheet.variants import representative_sheets

MM = 72 / 25.4
(AT_12_PT,) = [rung for rung in LADDER if rung.body == 12.0]
SPARE_MM = 8  # room LibreOffice leaves, at least, for Word's own line breaks
STEP_3_END = '      - "Cliquez sur « Authentification », puis connectez-vous comme à l\'étape 2."\n'
# Sentences of one line each: every kind's estimate climbs by a line and its spacing (about 6 mm).
MORE = (
    '      - "Ajoutez la page à vos favoris pour la retrouver."\n',
    '      - "Fermez la session quand vous quittez un ordinateur partagé."\n',
)


def _procedure(tmp_path: Path, more: int) -> Procedure:
    """The default data with ``more`` one-line sentences added to step 3."""
    text = (ROOT / "data" / "procedure.yaml").read_text(encoding="utf-8")
    assert text.count(STEP_3_END) == 1
    path = tmp_path / f"more{more}.yaml"
    path.write_text(text.replace(STEP_3_END, STEP_3_END + "".join(MORE[:more])), encoding="utf-8")
    return load_procedure(path)


def _room_mm(pdf: Path) -> tuple[int, float]:
    """Pages of the print, and the millimetres between the body's lowest text and the help band's top."""
    doc = pdfium.PdfDocument(str(pdf))
    try:
        page = doc[0]
        height = page.get_height()
        text_page = page.get_textpage()
        text = text_page.get_text_range()
        band_text = height - text_page.get_charbox(text.index("Besoin"))[3]
        # The band's outline: the lowest wide line drawn above its heading, within a few millimetres.
        tops = [
            height - obj.get_bounds()[3]
            for obj in page.get_objects(max_depth=3)
            if obj.type == pdfium_c.FPDF_PAGEOBJ_PATH
            and obj.get_bounds()[2] - obj.get_bounds()[0] > 300
            and 0 <= band_text - (height - obj.get_bounds()[1]) < 10 * MM
        ]
        assert tops, "no outline above the help band"
        band_top = max(tops)
        bottoms = [
            height - text_page.get_charbox(i)[1]
            for i in range(text_page.count_chars())
            if text[i].strip() and height - text_page.get_charbox(i)[1] < band_top
        ]
        return len(doc), (band_top - max(bottoms)) / MM
    finally:
        doc.close()


@pytest.mark.soffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
@pytest.mark.parametrize("more", [0, 1, 2])
def test_each_kind_the_estimate_keeps_at_12_pt_prints_with_room(tmp_path: Path, more: int) -> None:
    procedure = _procedure(tmp_path, more)
    files, estimates = [], {}
    for index, (variant, sheet) in enumerate(representative_sheets(procedure, flyer=True)):
        if body_size(sheet, "docx") != 12.0:
            continue
        path = tmp_path / f"kind{index:02d}.docx"
        path.write_bytes(render_sheet(sheet, "docx"))
        files.append(path)
        room = writer("docx", sheet.page).measure(sheet, AT_12_PT)
        estimates[path.stem] = (variant.describe() if variant else "flyer", (PAGE_CAPACITY - room) / MM)
    assert files
    if more == 0:  # the default steps: every kind holds at 12 pt (issue 24)
        assert len(files) == sum(1 for _ in representative_sheets(procedure, flyer=True))
    else:  # near the limit: the estimate comes within 4 mm of it
        assert max(mm for _kind, mm in estimates.values()) > PAGE_CAPACITY / MM - 4
    for pdf in soffice_to_pdf(files, tmp_path / "out"):
        pages, room = _room_mm(pdf)
        kind, estimate = estimates[pdf.stem]
        assert pages == 1, kind
        assert room >= SPARE_MM, f"{kind}: {room:.1f} mm above the help band (estimated {estimate:.1f} mm)"
