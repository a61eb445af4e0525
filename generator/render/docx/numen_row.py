"""The row of boxes a NUMEN is written in by hand, in the DOCX: a one-row table in the groups the sheet says."""

from __future__ import annotations

from typing import Any

from docx.enum.table import WD_ROW_HEIGHT_RULE
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Mm

from ...sheet.blocks import NumenBoxes


def numen_row(cell: Any, grid: NumenBoxes) -> None:
    """The NUMEN's boxes in their groups: a one-row table inside the box's right column.

    A narrow cell without top and bottom borders stands between two groups:
    its left and right borders are the boxes' own.
    """
    columns = numen_columns(grid)
    table = cell.add_table(rows=1, cols=len(columns))
    # python-docx closes the cell with an empty paragraph after the table; the note follows instead.
    after = table._tbl.getnext()
    if after is not None and after.tag == qn("w:p") and not "".join(after.itertext()):
        after.getparent().remove(after)
    table.style = cell.part.document.styles["NUMEN Boxes"]
    tbl_pr = table._tbl.tblPr
    tbl_pr.append(parse_xml(f'<w:tblLayout {nsdecls("w")} w:type="fixed"/>'))
    row = table.rows[0]
    row.height = Mm(grid.height_mm)
    row.height_rule = WD_ROW_HEIGHT_RULE.EXACTLY
    for c, (width, gap) in zip(row.cells, columns, strict=True):
        c.width = Mm(width)
        c.paragraphs[0].style = "NUMEN Box"
        if gap:  # after tcW, where the schema wants it
            c._tc.get_or_add_tcPr().append(
                parse_xml(
                    f'<w:tcBorders {nsdecls("w")}><w:top w:val="nil"/><w:bottom w:val="nil"/></w:tcBorders>'
                )
            )
    for col, (width, _gap) in zip(table.columns, columns, strict=True):
        col.width = Mm(width)


def numen_columns(grid: NumenBoxes) -> list[tuple[float, bool]]:
    """The table's columns (width in mm, whether a gap): each group's boxes, a gap between two groups."""
    columns: list[tuple[float, bool]] = []
    for index, size in enumerate(grid.groups):
        if index:
            columns.append((grid.gap_mm, True))
        columns += [(grid.width_mm, False)] * size
    return columns
