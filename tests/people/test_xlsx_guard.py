"""The .xlsx size guard: zip bombs and oversized sheets refused in milliseconds, real rosters read."""

from __future__ import annotations

import json
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import openpyxl
import pytest

from generator.errors import RosterError
from generator.people.xlsx_guard import MAX_ROWS, check_workbook

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
)
ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    b'Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    b'<?xml version="1.0" encoding="UTF-8"?><workbook '
    b'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    b'<sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8"?><Relationships '
    b'xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" '
    b'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    b'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
SHEET_TAIL = b"</sheetData></worksheet>"


def _zip(path: Path, parts: list[tuple[str, bytes, int, int]]) -> Path:
    """A zip written by hand from (name, raw deflate data, crc, declared size): the directory may lie."""
    local, central = bytearray(), bytearray()
    for name, data, crc, size in parts:
        encoded = name.encode()
        offset = len(local)
        local += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0
        )
        local += encoded + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50,
            20,
            20,
            0,
            8,
            0,
            0x21,
            crc,
            len(data),
            size,
            len(encoded),
            0,
            0,
            0,
            0,
            0,
            offset,
        )
        central += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(parts), len(parts), len(central), len(local), 0)
    path.write_bytes(bytes(local + central + end))
    return path


def _deflated(data: bytes) -> tuple[bytes, int, int]:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush(), zlib.crc32(data), len(data)


def _workbook(path: Path, sheet: tuple[bytes, int, int], *extra: tuple[str, bytes, int, int]) -> Path:
    parts = [
        ("[Content_Types].xml", *_deflated(CONTENT_TYPES)),
        ("_rels/.rels", *_deflated(ROOT_RELS)),
        ("xl/workbook.xml", *_deflated(WORKBOOK)),
        ("xl/_rels/workbook.xml.rels", *_deflated(WORKBOOK_RELS)),
        ("xl/worksheets/sheet1.xml", *sheet),
    ]
    return _zip(path, parts + list(extra))


def _bomb_sheet(compressed_mb: float = 1.5, declared: int | None = None) -> tuple[bytes, int, int]:
    """A worksheet whose one cell holds a string about 1 000 times the file's size (deflate's best ratio).

    Built from one deflate block repeated after full flushes (each piece then
    stands alone), so the gigabytes are never held or compressed here.
    """
    before = SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>'
    after = b"</t></is></c></row>" + SHEET_TAIL
    block = b"x" * (16 << 20)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(before) + c.flush(zlib.Z_FULL_FLUSH)
    piece = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)
    count = int(compressed_mb * (1 << 20) / len(piece))
    tail = c.compress(after) + c.flush()
    crc = zlib.crc32(before)
    for _ in range(count):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(after, crc)
    size = len(before) + count * len(block) + len(after)
    return head + piece * count + tail, crc, size if declared is None else declared


@pytest.fixture(scope="module")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 1.5 MB .xlsx whose one sheet expands to about 1.5 GB: the kind that killed a run with MemoryError."""
    return _workbook(tmp_path_factory.mktemp("bomb") / "roster.xlsx", _bomb_sheet())


MEASURE = """
import json, resource, sys, time
started = time.perf_counter()
from generator.errors import RosterError
from generator.people.xlsx_guard import check_workbook
try:
    check_workbook(sys.argv[1])
    message = ""
except RosterError as exc:
    message = str(exc)
seconds = time.perf_counter() - started
try:  # the high-water mark of this program (ru_maxrss may keep the parent's across exec)
    status = open("/proc/self/status").read()
    peak = int(status.split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "message": message}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="measures with the resource module")
def test_a_zip_bomb_is_refused_fast_and_small(bomb: Path) -> None:
    """The 1.5 MB bomb: refused in well under 2 s and 200 MB, in a fresh process (imports included)."""
    assert 1.2e6 < bomb.stat().st_size < 2e6
    result = json.loads(subprocess.check_output([sys.executable, "-c", MEASURE, str(bomb)], text=True))
    assert "not read: one part expands to" in result["message"]
    assert "export the list as CSV" in result["message"]
    assert result["seconds"] < 2 and result["peak_mb"] < 200, result


def test_a_zip_bomb_whose_directory_lies_is_refused_while_streaming(tmp_path: Path) -> None:
    """A bomb declaring a small size is cut at the declared size (and fails its CRC): refused, not expanded."""
    path = _workbook(tmp_path / "liar.xlsx", _bomb_sheet(0.2, declared=1 << 20))
    with pytest.raises(RosterError, match="not a readable .xlsx workbook|beyond the size|is damaged"):
        check_workbook(path)


def test_a_highly_compressed_part_is_refused_from_the_directory(tmp_path: Path) -> None:
    """A 20 MB part stored in a few kilobytes: a compression ratio no spreadsheet reaches."""
    sheet = SHEET_HEAD + b'<row r="1">' + b"<c/>" * (5 << 20) + b"</row>" + SHEET_TAIL
    path = _workbook(tmp_path / "ratio.xlsx", _deflated(sheet))
    with pytest.raises(RosterError, match="expands [0-9]+ times its stored size"):
        check_workbook(path)


def test_one_far_cell_making_a_million_rows_is_refused(tmp_path: Path) -> None:
    """A cell at XFD1048576 would make a reader yield a million rows of 16 384 cells: refused."""
    sheet = SHEET_HEAD + b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>' + SHEET_TAIL
    path = _workbook(tmp_path / "far.xlsx", _deflated(sheet))
    with pytest.raises(RosterError, match=r"sheet sheet1 has more than 250 000 rows"):
        check_workbook(path)
    sheet = SHEET_HEAD + b'<row r="2"><c r="XFD2"><v>1</v></c></row>' + SHEET_TAIL
    path = _workbook(tmp_path / "wide.xlsx", _deflated(sheet))
    with pytest.raises(RosterError, match=r"a cell beyond column 256"):
        check_workbook(path)


def test_more_rows_than_a_roster_is_refused(tmp_path: Path) -> None:
    """MAX_ROWS + 1 real rows: refused while streaming, naming the limit."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (n, n) for n in range(1, MAX_ROWS + 2))
    path = _workbook(tmp_path / "long.xlsx", _deflated(SHEET_HEAD + rows + SHEET_TAIL))
    with pytest.raises(RosterError, match="more than 250 000 rows, more than a roster can be"):
        check_workbook(path)


def test_a_dtd_in_a_part_is_refused(tmp_path: Path) -> None:
    """The billion-laughs entity expansion needs a DTD; spreadsheets never write one."""
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE sst [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&b;</t></si></sst>'
    )
    sheet = _deflated(SHEET_HEAD + SHEET_TAIL)
    path = _workbook(tmp_path / "dtd.xlsx", sheet, ("xl/sharedStrings.xml", *_deflated(laughs)))
    with pytest.raises(RosterError, match="declares a DTD"):
        check_workbook(path)


def test_not_a_zip_is_unreadable(tmp_path: Path) -> None:
    """A truncated or renamed file: the usual "save it again" message."""
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(RosterError, match="not a readable .xlsx workbook"):
        check_workbook(path)


def test_a_real_roster_passes_and_is_measured(tmp_path: Path) -> None:
    """A workbook saved by openpyxl with 300 people: accepted, its size counted."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Prénom", "Nom", "Courriel"])
    for n in range(300):
        sheet.append([f"Marie{n}", "Dupont", f"m{n}@example.org"])
    book.save(tmp_path / "roster.xlsx")
    sizes = check_workbook(tmp_path / "roster.xlsx")
    assert [(s.part, s.rows, s.cells) for s in sizes] == [("xl/worksheets/sheet1.xml", 301, 903)]


def test_a_prefixed_sheet_is_counted_too(tmp_path: Path) -> None:
    """Some writers prefix every tag (<x:row>, <x:c>): the rows and cells are still counted."""
    sheet = (
        b'<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        b'<x:sheetData><x:row r="1"><x:c r="A1"><x:v>1</x:v></x:c><x:c r="B1"/></x:row>'
        b'<x:row r="7"><x:c r="A7"><x:v>2</x:v></x:c></x:row></x:sheetData></x:worksheet>'
    )
    sizes = check_workbook(_workbook(tmp_path / "prefixed.xlsx", _deflated(sheet)))
    assert [(s.rows, s.cells) for s in sizes] == [(7, 3)]


def test_a_refusal_speaks_the_reader_s_language(tmp_path: Path) -> None:
    """The same wide sheet refused in English, then in French (no-break spaces before the colons)."""
    from generator.i18n import has_catalog, use_language

    if not has_catalog("fr"):
        pytest.skip("the French catalog is not compiled (make)")
    sheet = SHEET_HEAD + b'<row r="2"><c r="XFD2"><v>1</v></c></row>' + SHEET_TAIL
    path = _workbook(tmp_path / "wide.xlsx", _deflated(sheet))
    with use_language("en"), pytest.raises(RosterError) as english:
        check_workbook(path)
    assert f"{path}: not read: sheet sheet1 has a cell beyond column 256 (IV)" in str(english.value)
    with use_language("fr"), pytest.raises(RosterError) as french:
        check_workbook(path)
    assert str(french.value).startswith(
        f"{path}\u00a0: non lu\u00a0: la feuille sheet1 a une cellule au-delà de la colonne 256 (IV)"
    )
    assert "exportez la liste en CSV" in str(french.value)
