"""The DOCX's NUMEN boxes: at least 6 × 8 mm, in the groups the sheet's personal box says (2-1-7-3), as in the PDF."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import pikepdf
import pytest
from docx import Document
from docx.oxml.ns import qn
from helpers import soffice_available, soffice_to_pdf

from generator import compose, render_sheet
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.sheet.blocks import NumenBoxes, Sheet

TWIPS_PER_MM = 1440 / 25.4
MM = 72 / 25.4
PERSON = Person("Marie", "Dupont", "mdupont", manager="vieljeux", row=2)


def _numen_row(data: bytes) -> list[tuple[float, bool]]:
    """The NUMEN table's cells as (width in mm, boxed): a gap cell has no top and bottom border."""
    doc = Document(io.BytesIO(data))
    inner = [t for table in doc.tables for cell in table._cells for t in cell.tables]
    (table,) = inner
    (row,) = table.rows
    cells = []
    for cell in row.cells:
        tc_pr = cell._tc.tcPr
        width = int(tc_pr.find(qn("w:tcW")).get(qn("w:w"))) / TWIPS_PER_MM
        borders = tc_pr.find(qn("w:tcBorders"))
        gap = borders is not None and {el.tag: el.get(qn("w:val")) for el in borders} == {
            qn("w:top"): "nil",
            qn("w:bottom"): "nil",
        }
        cells.append((width, not gap))
    return cells


def _groups(cells: list[tuple[float, bool]]) -> list[int]:
    groups = [0]
    for _width, boxed in cells:
        if boxed:
            groups[-1] += 1
        else:
            groups.append(0)
    return groups


def _row_height_mm(data: bytes) -> tuple[float, str]:
    doc = Document(io.BytesIO(data))
    (table,) = [t for table in doc.tables for cell in table._cells for t in cell.tables]
    height = table.rows[0]._tr.trPr.find(qn("w:trHeight"))
    return int(height.get(qn("w:val"))) / TWIPS_PER_MM, height.get(qn("w:hRule"))


def test_the_docx_numen_boxes_are_6_by_8_mm_in_groups_2_1_7_3(procedure: Procedure) -> None:
    """13 boxed cells of 6 mm in a row exactly 8 mm tall, narrow unboxed gaps after the 2nd, 3rd and 10th."""
    data = render_sheet(compose(procedure, PERSON), "docx")
    cells = _numen_row(data)
    assert _groups(cells) == [2, 1, 7, 3]
    assert all(width >= 5.99 for width, boxed in cells if boxed)  # 6 mm, to the twip
    assert all(0.5 <= width < 3 for width, boxed in cells if not boxed)
    height, rule = _row_height_mm(data)
    assert height >= 7.99 and rule == "exact"


def test_the_docx_numen_row_fits_its_column(procedure: Procedure) -> None:
    """The row of boxes is no wider than the personal box's right column, less its cell margins."""
    data = render_sheet(compose(procedure, PERSON), "docx")
    doc = Document(io.BytesIO(data))
    box = doc.tables[0]
    right = box.rows[0].cells[1]
    column = int(right._tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) / TWIPS_PER_MM
    # Its left margin is its own (narrower, between the columns), its right one the style's.
    inner = int(right._tc.tcPr.find(f"{qn('w:tcMar')}/{qn('w:left')}").get(qn("w:w")))
    style = doc.styles["Personal Box"].element
    outer = int(style.find(f"{qn('w:tblPr')}/{qn('w:tblCellMar')}/{qn('w:right')}").get(qn("w:w")))
    assert sum(width for width, _ in _numen_row(data)) <= column - (inner + outer) / TWIPS_PER_MM


def _with_grid(sheet: Sheet, grid: NumenBoxes) -> Sheet:
    assert sheet.box is not None
    labels = dataclasses.replace(sheet.box.labels, numen_boxes=grid)
    page = dataclasses.replace(sheet.page, box_labels=labels)
    return dataclasses.replace(sheet, page=page, box=dataclasses.replace(sheet.box, labels=labels))


def _pdf_box_groups(data: bytes, width_mm: float) -> list[int]:
    """Groups of the PDF's stroked rectangles ``width_mm`` wide, split where two are further apart than that."""
    xs = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(operator) == "re":
                x, _y, w, _h = (float(v) for v in operands)
                if abs(w - width_mm * MM) < 0.1:
                    xs.append(x)
    xs.sort()
    groups = [1]
    for a, b in zip(xs, xs[1:], strict=False):
        if b - a > width_mm * MM + 0.5:
            groups.append(1)
        else:
            groups[-1] += 1
    return groups


def test_both_writers_take_the_group_shape_from_the_sheet(procedure: Procedure) -> None:
    """One fact in one place: another shape in the sheet's personal box changes the PDF and the DOCX alike."""
    grid = NumenBoxes(groups=(4, 4, 5), width_mm=6.5, height_mm=9.0, gap_mm=2.0)
    sheet = _with_grid(compose(procedure, PERSON), grid)
    cells = _numen_row(render_sheet(sheet, "docx"))
    assert _groups(cells) == [4, 4, 5]
    assert all(abs(width - 6.5) < 0.02 for width, boxed in cells if boxed)  # to the twip
    assert _pdf_box_groups(render_sheet(sheet, "pdf"), 6.5) == [4, 4, 5]


def test_the_grid_places_its_boxes_in_groups() -> None:
    """The sheet's grid: 13 boxes, 82.5 mm wide, each group a gap after the last."""
    grid = NumenBoxes()
    lefts = grid.lefts_mm()
    assert grid.count == len(lefts) == 13
    assert grid.total_mm == pytest.approx(13 * 6 + 3 * 1.5)
    steps = [round(b - a, 3) for a, b in zip(lefts, lefts[1:], strict=False)]
    assert [i + 1 for i, step in enumerate(steps) if step > grid.width_mm] == [2, 3, 10]
    assert lefts[-1] + grid.width_mm == pytest.approx(grid.total_mm)


def _lo_strokes(data: bytes) -> tuple[list[tuple[float, float]], list[tuple[float, float]]]:
    """LibreOffice's straight strokes, in mm: horizontal ones as (length, y), vertical ones as (length, top)."""
    horizontal, vertical = [], []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        start = None
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(operator) == "m":
                start = tuple(float(v) / MM for v in operands)
            elif str(operator) == "l" and start is not None:
                x, y = (float(v) / MM for v in operands)
                if abs(y - start[1]) < 0.01:
                    horizontal.append((abs(x - start[0]), y))
                elif abs(x - start[0]) < 0.01:
                    vertical.append((abs(y - start[1]), max(y, start[1])))
    return horizontal, vertical


@pytest.mark.soffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_13_boxes_in_their_groups(procedure: Procedure, tmp_path: Path) -> None:
    """Printed by LibreOffice: each group's top edge 2, 1, 7 and 3 boxes of 6 mm long, 17 sides 8 mm tall."""
    path = tmp_path / "plain.docx"
    path.write_bytes(render_sheet(compose(procedure, PERSON), "docx"))
    (pdf,) = soffice_to_pdf([path], tmp_path / "out")
    horizontal, vertical = _lo_strokes(pdf.read_bytes())
    # Each group's top edge (and its bottom one) is one stroke: its boxes' width, plus a line's.
    edges = [(round(length / 6), y) for length, y in horizontal if abs(length / 6 - round(length / 6)) < 0.1]
    top = max(y for count, y in edges if count == 7)  # the 7-box group is the only one of its length
    groups = [count for count, y in edges if abs(y - top) < 0.05]
    assert groups == [2, 1, 7, 3]
    bottom = min(y for count, y in edges if count == 7)
    assert top - bottom >= 7.9  # the boxes are 8 mm tall
    # Each box's left side and each group's right one, hanging from the top edge.
    sides = [length for length, y in vertical if abs(y - top) < 0.5 and length > 7.5]
    assert len(sides) == 13 + 4
