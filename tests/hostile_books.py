"""Hostile .xlsx files built by hand: a real workbook from openpyxl, then one part replaced or its bytes broken."""

from __future__ import annotations

import io
import struct
import zipfile
from pathlib import Path

import openpyxl

NUMEN_SHEETS = ("17E1234567ABC", "17 E 123 4567 ABC")
# The billion laughs: ten levels of ten references, 10^9 "lol" once expanded.
LAUGHS_DTD = (
    b'<!DOCTYPE sst [<!ENTITY lol "lol">'
    + b"".join(
        b'<!ENTITY lol%d "%s">'
        % (n, b"".join(b"&lol%s;" % (b"" if n == 1 else b"%d" % (n - 1)) for _ in range(10)))
        for n in range(1, 10)
    )
    + b"]>"
)
STRINGS_TAIL = (
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">'
    b"<si><t>Pr\xc3\xa9nom</t></si><si><t>Nom</t></si><si><t>&lol9;</t></si></sst>"
)


def book_bytes(rows: list[list[str]] | None = None, titles: tuple[str, ...] = ("Liste",)) -> bytes:
    """A workbook as openpyxl writes it: the first sheet holds ``rows``, the others a note."""
    book = openpyxl.Workbook()
    first = book.active
    assert first is not None
    first.title = titles[0]
    for row in rows if rows is not None else [["Prénom", "Nom"], ["Marie", "Dupont"]]:
        first.append(row)
    for title in titles[1:]:
        book.create_sheet(title)["A1"] = "notes"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def with_part(data: bytes, name: str, content: bytes) -> bytes:
    """``data`` (a zip) with the part ``name`` replaced by (or added as) ``content``, deflated."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as source,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            if info.filename != name:
                target.writestr(info.filename, source.read(info))
        target.writestr(name, content)
    return out.getvalue()


MAIN = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELS = b"http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE = b"http://schemas.openxmlformats.org/officeDocument/2006/relationships"
CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" '
    b'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
# Prénom, Nom (shared strings 0 and 1), then a person whose first name is shared string 2.
SHEET_USING_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="' + MAIN + b'"><sheetData>'
    b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>'
    b'<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" t="inlineStr"><is><t>Dupont</t></is></c></row>'
    b"</sheetData></worksheet>"
)


def shared_strings_book(strings: bytes) -> bytes:
    """A workbook made by hand whose sharedStrings part is ``strings`` (its first three are read)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr(
            "_rels/.rels",
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="' + RELS + b'">'
            b'<Relationship Id="rId1" Type="' + OFFICE + b'/officeDocument" Target="xl/workbook.xml"/>'
            b"</Relationships>",
        )
        archive.writestr(
            "xl/workbook.xml",
            b'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="'
            + MAIN
            + b'" xmlns:r="'
            + OFFICE
            + b'">'
            b'<sheets><sheet name="Liste" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            b'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="' + RELS + b'">'
            b'<Relationship Id="rId1" Type="' + OFFICE + b'/worksheet" Target="worksheets/sheet1.xml"/>'
            b'<Relationship Id="rId2" Type="' + OFFICE + b'/sharedStrings" Target="sharedStrings.xml"/>'
            b"</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", SHEET_USING_STRINGS)
        archive.writestr("xl/sharedStrings.xml", strings)
    return out.getvalue()


def laughs_after_comment(comment_chars: int = 5_000) -> bytes:
    """The billion laughs in sharedStrings, its DOCTYPE after a comment of ``comment_chars`` characters."""
    comment = b"<!--" + b"x" * comment_chars + b"-->"
    return shared_strings_book(
        b'<?xml version="1.0" encoding="UTF-8"?>' + comment + LAUGHS_DTD + STRINGS_TAIL
    )


def _local_data(data: bytes, name: str) -> tuple[int, int, int]:
    """Where the stored bytes of part ``name`` start, their length, and where its local header starts."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(name)
    start = info.header_offset
    name_length, extra_length = struct.unpack("<HH", data[start + 26 : start + 30])
    return start + 30 + name_length + extra_length, info.compress_size, start


def corrupt_deflate(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The deflate stream of ``name`` overwritten with 0xFF bytes: an invalid block type for zlib."""
    begin, size, _start = _local_data(data, name)
    return data[:begin] + b"\xff" * size + data[begin + size :]


def bad_crc(data: bytes, name: str = "xl/worksheets/sheet1.xml") -> bytes:
    """The CRC of ``name`` changed in the local header and the central directory: the data reads, the check fails."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        crc = archive.getinfo(name).CRC
    wrong = struct.pack("<I", crc ^ 0xFFFFFFFF)
    return data.replace(struct.pack("<I", crc), wrong)


def truncated(data: bytes) -> bytes:
    """The first two thirds of the file: a download or an attachment cut short."""
    return data[: len(data) * 2 // 3]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
