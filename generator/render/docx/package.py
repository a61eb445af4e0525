"""The DOCX package: placeholder tokens, parts made reproducible, and zips that need no clock."""

from __future__ import annotations

import dataclasses
import io
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:  # lxml is loaded only to prepare a page: a run from the disk cache never needs it
    from lxml import etree

ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed, so the same data gives the same bytes
DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"

_TOKEN = re.compile("\ue000(\\w+)\ue001")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def token(name: str) -> str:
    return f"\ue000{name}\ue001"


def without_invalid(value: str) -> str:
    """The text without the characters XML cannot hold (controls, lone surrogates)."""
    return _XML_INVALID.sub("", value)


def xml_text(value: str) -> str:
    """Person text as XML character data: shown exactly as typed, never as markup."""
    value = _XML_INVALID.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def xml_attr(value: str) -> str:
    """A value for a double-quoted XML attribute: never closes the quote nor starts markup."""
    value = _XML_INVALID.sub("", value)
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ('"', "&quot;")):
        value = value.replace(raw, escaped)
    # A literal tab or line end in an attribute is read back as a space (XML normalises it).
    return value.replace("\t", "&#9;").replace("\n", "&#10;").replace("\r", "&#13;")


def serialise(root: etree._Element) -> str:
    from lxml import etree

    return cast(str, etree.tostring(root, encoding="UTF-8", standalone=True).decode("utf-8"))


def split_tokens(xml: str) -> list[str]:
    return _TOKEN.split(xml)


@dataclasses.dataclass(frozen=True)
class Template:
    """XML with named tokens to fill: the text around them already in UTF-8, encoded once."""

    texts: tuple[bytes, ...]  # one more than the names: before the first token, between, after the last
    names: tuple[str, ...]

    @classmethod
    def of(cls, xml: str) -> Template:
        pieces = split_tokens(xml)
        return cls(tuple(piece.encode("utf-8") for piece in pieces[0::2]), tuple(pieces[1::2]))

    def fill(self, values: Mapping[str, str]) -> bytes:
        """The XML with each token replaced by its value (already XML), as UTF-8."""
        parts = [self.texts[0]]
        for name, text in zip(self.names, self.texts[1:], strict=True):
            parts += (values[name].encode("utf-8"), text)
        return b"".join(parts)


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=ZIP_DATE)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = 0o644 << 16
    return info


def zip_parts(parts: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            info = zip_info(name)
            if name.endswith(".png"):
                info.compress_type = zipfile.ZIP_STORED  # already compressed
            zf.writestr(info, data)
    return out.getvalue()


def append_with_zipfile(prefix: bytes, parts: Sequence[tuple[str, bytes]]) -> bytes:
    """``prefix`` (a whole zip) with ``parts`` appended by ``zipfile``: what ``Appendix`` writes faster."""
    out = io.BytesIO(prefix)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a") as zf:
        for name, data in parts:
            zf.writestr(zip_info(name), data)
    return out.getvalue()


# Offsets of the fields that depend on an appended part's data (PKWARE APPNOTE 4.3.7, 4.3.12, 4.3.16).
_LOCAL_SUMS = 14  # CRC-32, compressed size, size
_CENTRAL_SUMS, _CENTRAL_OFFSET = 16, 42  # the same three; where the local header starts
_END_DIRECTORY, _END_SIZE = 12, 22  # size and offset of the central directory; the record's length
_DATA_DESCRIPTOR = 0x08  # general purpose flag: sums and sizes written after the data
# Far below the 2 GiB where zipfile turns to ZIP64 records (sizes, offsets), which Appendix does not write.
_LARGEST = 1 << 30


@dataclasses.dataclass(frozen=True)
class Appendix:
    """A zip of fixed parts, and the bytes that appending parts of known names writes, learnt once from zipfile.

    ``zipfile.ZipFile(…, "a")`` re-reads the whole central directory on each
    opening; here each personal package is assembled from the bytes zipfile
    wrote once, with only the CRC, sizes and offsets of the appended parts
    filled in: the same bytes, and the time left is the compression's.
    """

    prefix: bytes  # the whole zip of the fixed parts, as given
    entries: bytes  # its local entries, where the appended ones follow
    directory: bytes  # its central directory records, as zipfile writes them again after appending
    names: tuple[str, ...]
    local_headers: tuple[bytes, ...]  # of each appended part, sums and sizes zero
    central_records: tuple[bytes, ...]
    end: bytes  # the end of central directory record

    @classmethod
    def learn(cls, prefix: bytes, names: Sequence[str]) -> Appendix:
        names = tuple(names)
        sample = append_with_zipfile(prefix, [(name, b"") for name in names])
        end_at = len(sample) - _END_SIZE  # zipfile writes no archive comment
        if sample[end_at : end_at + 4] != b"PK\x05\x06":
            raise ValueError("zipfile wrote an end record Appendix does not know")
        size, start = struct.unpack_from("<2L", sample, end_at + _END_DIRECTORY)
        records = []
        at = start
        while at < start + size:
            name_len, extra_len, comment_len = struct.unpack_from("<3H", sample, at + 28)
            records.append(sample[at : at + 46 + name_len + extra_len + comment_len])
            at += len(records[-1])
        old, new = records[: -len(names)], records[-len(names) :]
        locals_ = []
        for record in new:
            (flags,) = struct.unpack_from("<H", record, 8)
            if flags & _DATA_DESCRIPTOR:  # the sums would follow the data, not fill the header
                raise ValueError("zipfile wrote a data descriptor Appendix does not know")
            (offset,) = struct.unpack_from("<L", record, _CENTRAL_OFFSET)
            name_len, extra_len = struct.unpack_from("<2H", sample, offset + 26)
            locals_.append(sample[offset : offset + 30 + name_len + extra_len])
        (first,) = struct.unpack_from("<L", new[0], _CENTRAL_OFFSET)
        return cls(
            prefix=prefix,
            entries=sample[:first],
            directory=b"".join(old),
            names=names,
            local_headers=tuple(locals_),
            central_records=tuple(new),
            end=sample[end_at:],
        )

    def package(self, parts: Sequence[bytes]) -> bytes:
        """The fixed parts, then ``parts`` (one for each name, in order) deflated as zipfile does."""
        if len(self.entries) + sum(map(len, parts)) > _LARGEST:
            return append_with_zipfile(self.prefix, list(zip(self.names, parts, strict=True)))
        chunks: list[bytes | bytearray] = [self.entries]
        directory: list[bytes | bytearray] = [self.directory]
        offset = len(self.entries)
        for data, local, central in zip(parts, self.local_headers, self.central_records, strict=True):
            deflated = zlib.compress(data, -1, -15)  # zipfile's compressor: default level, raw deflate
            sums = (zlib.crc32(data), len(deflated), len(data))
            header, record = bytearray(local), bytearray(central)
            struct.pack_into("<3L", header, _LOCAL_SUMS, *sums)
            struct.pack_into("<3L", record, _CENTRAL_SUMS, *sums)
            struct.pack_into("<L", record, _CENTRAL_OFFSET, offset)
            chunks += (header, deflated)
            directory.append(record)
            offset += len(header) + len(deflated)
        end = bytearray(self.end)
        struct.pack_into("<2L", end, _END_DIRECTORY, sum(map(len, directory)), offset)
        return b"".join([*chunks, *directory, end])


def clean_parts(package: bytes) -> dict[str, bytes]:
    """Every part but the document part, with core properties made reproducible."""
    parts = {}
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        for name in zf.namelist():
            if name == DOCUMENT_PART:
                continue
            data = zf.read(name)
            if name == "docProps/core.xml":
                data = _reproducible_core(data)
            parts[name] = data
    return parts


def _reproducible_core(data: bytes) -> bytes:
    """Core properties without creation dates: nothing in the file depends on the clock."""
    from lxml import etree

    root = etree.fromstring(data)
    for el in list(root):
        if etree.QName(el).localname in ("created", "modified", "lastPrinted"):
            root.remove(el)
    return cast(bytes, etree.tostring(root, encoding="UTF-8", standalone=True))
