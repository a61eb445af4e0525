"""The DOCX package: placeholder tokens, parts made reproducible, and zips that need no clock."""

from __future__ import annotations

import io
import re
import zipfile

from lxml import etree

ZIP_DATE = (2024, 1, 1, 0, 0, 0)  # fixed, so the same data gives the same bytes
DOCUMENT_PART = "word/document.xml"
CORE_PART = "docProps/core.xml"

_TOKEN = re.compile("\ue000(\\w+)\ue001")
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def token(name: str) -> str:
    return f"\ue000{name}\ue001"


def xml_text(value: str) -> str:
    """Person text as XML character data: shown exactly as typed, never as markup."""
    value = _XML_INVALID.sub("", value)
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def serialise(root: etree._Element) -> str:
    return etree.tostring(root, encoding="UTF-8", standalone=True).decode("utf-8")


def split_tokens(xml: str) -> list[str]:
    return _TOKEN.split(xml)


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
    root = etree.fromstring(data)
    for el in list(root):
        if etree.QName(el).localname in ("created", "modified", "lastPrinted"):
            root.remove(el)
    return etree.tostring(root, encoding="UTF-8", standalone=True)
