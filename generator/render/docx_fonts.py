"""Fonts embedded in a DOCX package, so Word and LibreOffice draw names with our fonts.

A DOCX names its fonts; a reader without them installed substitutes
another, which may lack the letters of a name (Vietnamese, ə, Ŋ…) or draw
them in a mix of faces. ECMA-376 Part 1 §17.8.1 lets a package carry the
fonts themselves:

- ``word/fonts/fontN.odttf``: the TrueType file, obfuscated (§17.8.1: the
  first 32 bytes XORed with the 16 bytes of a GUID, in reverse order),
  content type ``application/vnd.openxmlformats-officedocument.obfuscatedFont``;
- ``word/_rels/fontTable.xml.rels``: a ``font`` relationship to each file;
- ``word/fontTable.xml``: the family's ``w:font`` with ``w:embedRegular`` /
  ``w:embedBold`` / … naming the relationship and the GUID (``w:fontKey``);
- ``word/settings.xml``: ``w:embedTrueTypeFonts``, so that Word keeps them
  when the user saves the file again.

Everything is derived from the inputs (the GUID from the font's bytes), so
the same package and fonts give the same bytes. The functions work on a
whole package (``embed_fonts``) or on the parts the DOCX writer prepares
once a run (``embed_in_parts``).
"""

from __future__ import annotations

import hashlib
import io
import re
import uuid
import zipfile
from collections.abc import Mapping
from pathlib import Path
from typing import cast

from lxml import etree

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
CONTENT_TYPES = "http://schemas.openxmlformats.org/package/2006/content-types"
FONT_REL = R + "/font"
FONT_TABLE_REL = R + "/fontTable"
ODTTF_TYPE = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FONT_TABLE_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.fontTable+xml"

FONT_TABLE = "word/fontTable.xml"
FONT_TABLE_RELS = "word/_rels/fontTable.xml.rels"
DOCUMENT_RELS = "word/_rels/document.xml.rels"
SETTINGS = "word/settings.xml"
TYPES = "[Content_Types].xml"

# fontTable's element for each style, in the order the schema wants them.
STYLES = {
    "regular": "embedRegular",
    "bold": "embedBold",
    "italic": "embedItalic",
    "bold_italic": "embedBoldItalic",
}
# Children of w:settings that come before w:embedTrueTypeFonts (CT_Settings is a sequence).
_SETTINGS_BEFORE = (
    "writeProtection",
    "view",
    "zoom",
    "removePersonalInformation",
    "removeDateAndTime",
    "doNotDisplayPageBoundaries",
    "displayBackgroundShape",
    "printPostScriptOverText",
    "printFractionalCharacterWidth",
    "printFormsData",
)

FontData = bytes | Path


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def font_key(data: bytes) -> str:
    """A GUID for one font file, the same for the same bytes: "{XXXXXXXX-XXXX-…}"."""
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_OID, hashlib.sha256(data).hexdigest())).upper() + "}"


def obfuscate(data: bytes, key: str) -> bytes:
    """The font as an .odttf part: its first 32 bytes XORed with the GUID's bytes, last first.

    The same operation undoes it (ECMA-376 Part 1, §17.8.1).
    """
    guid = bytes.fromhex(re.sub(r"[{}-]", "", key))[::-1]
    head = bytes(b ^ guid[i % 16] for i, b in enumerate(data[:32]))
    return head + data[32:]


def embed_fonts(docx: bytes, family: str, fonts: Mapping[str, FontData]) -> bytes:
    """The DOCX package with the TrueType ``fonts`` of ``family`` embedded.

    ``fonts`` maps a style ("regular", "bold", "italic", "bold_italic") to a
    TTF file or its bytes. Each zip entry keeps its date; new ones take the
    date of the document part, so a reproducible package stays reproducible.
    """
    with zipfile.ZipFile(io.BytesIO(docx)) as zf:
        infos = {info.filename: info for info in zf.infolist()}
        parts = {name: zf.read(name) for name in infos}
    parts = embed_in_parts(parts, family, fonts)
    date = infos["word/document.xml"].date_time if "word/document.xml" in infos else (1980, 1, 1, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in parts.items():
            info = infos.get(name) or zipfile.ZipInfo(name, date_time=date)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = info.external_attr or 0o644 << 16
            zf.writestr(info, data)
    return out.getvalue()


def embed_in_parts(
    parts: Mapping[str, bytes], family: str, fonts: Mapping[str, FontData]
) -> dict[str, bytes]:
    """A copy of the package parts (name → bytes) with the fonts of ``family`` embedded."""
    unknown = set(fonts) - set(STYLES)
    if unknown:
        raise ValueError(f"unknown font styles {sorted(unknown)}: expected some of {list(STYLES)}")
    parts = dict(parts)
    if FONT_TABLE not in parts:
        _add_font_table(parts)
    rels = etree.fromstring(parts.get(FONT_TABLE_RELS, f'<Relationships xmlns="{PKG_REL}"/>'.encode()))
    table = etree.fromstring(parts[FONT_TABLE])
    font = _font_element(table, family)
    _drop_embedded(font, rels, parts)

    for style, element in STYLES.items():
        if style not in fonts:
            continue
        source = fonts[style]
        data = source.read_bytes() if isinstance(source, Path) else source
        key = font_key(data)
        name = _free_name(parts, "word/fonts/font{}.odttf")
        parts[name] = obfuscate(data, key)
        rel_id = _free_rel_id(rels)
        etree.SubElement(
            rels, f"{{{PKG_REL}}}Relationship", Id=rel_id, Type=FONT_REL, Target=name.removeprefix("word/")
        )
        embed = etree.SubElement(font, _w(element))
        embed.set(f"{{{R}}}id", rel_id)
        embed.set(_w("fontKey"), key)

    parts[FONT_TABLE] = _xml(table)
    parts[FONT_TABLE_RELS] = _xml(rels)
    parts[TYPES] = _with_default_type(parts[TYPES], "odttf", ODTTF_TYPE)
    if SETTINGS in parts:
        parts[SETTINGS] = _with_embedding_on(parts[SETTINGS])
    return parts


def _xml(root: etree._Element) -> bytes:
    return cast(bytes, etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True))


def _font_element(table: etree._Element, family: str) -> etree._Element:
    for font in table.iterfind(_w("font")):
        if font.get(_w("name")) == family:
            return font
    font = etree.SubElement(table, _w("font"))
    font.set(_w("name"), family)
    # What Word writes for a proportional Latin sans.
    for tag, value in (("charset", "00"), ("family", "swiss"), ("pitch", "variable")):
        etree.SubElement(font, _w(tag)).set(_w("val"), value)
    return font


def _drop_embedded(font: etree._Element, rels: etree._Element, parts: dict[str, bytes]) -> None:
    """Remove the files already embedded for this family (embedding twice replaces them)."""
    for child in list(font):
        if isinstance(child.tag, str) and etree.QName(child).localname in STYLES.values():
            for rel in list(rels):
                if rel.get("Id") == child.get(f"{{{R}}}id"):
                    parts.pop("word/" + rel.get("Target", ""), None)
                    rels.remove(rel)
            font.remove(child)


def _free_name(parts: Mapping[str, bytes], pattern: str) -> str:
    n = 1
    while pattern.format(n) in parts:
        n += 1
    return pattern.format(n)


def _free_rel_id(rels: etree._Element) -> str:
    used = {rel.get("Id") for rel in rels}
    n = 1
    while f"rId{n}" in used:
        n += 1
    return f"rId{n}"


def _with_default_type(data: bytes, extension: str, content_type: str) -> bytes:
    root = etree.fromstring(data)
    if not any(
        el.get("Extension", "").lower() == extension for el in root.iterfind(f"{{{CONTENT_TYPES}}}Default")
    ):
        default = etree.Element(f"{{{CONTENT_TYPES}}}Default", Extension=extension, ContentType=content_type)
        root.insert(0, default)  # Defaults come before Overrides
    return _xml(root)


def _with_embedding_on(data: bytes) -> bytes:
    root = etree.fromstring(data)
    if root.find(_w("embedTrueTypeFonts")) is None:
        index = 0
        for i, child in enumerate(root):
            if isinstance(child.tag, str) and etree.QName(child).localname in _SETTINGS_BEFORE:
                index = i + 1
        root.insert(index, etree.Element(_w("embedTrueTypeFonts")))
    return _xml(root)


def _add_font_table(parts: dict[str, bytes]) -> None:
    """A package without a font table (not python-docx's) gets an empty one, related and typed."""
    parts[FONT_TABLE] = _xml(etree.Element(_w("fonts"), nsmap={"w": W, "r": R}))
    rels = etree.fromstring(parts[DOCUMENT_RELS])
    etree.SubElement(
        rels, f"{{{PKG_REL}}}Relationship", Id=_free_rel_id(rels), Type=FONT_TABLE_REL, Target="fontTable.xml"
    )
    parts[DOCUMENT_RELS] = _xml(rels)
    types = etree.fromstring(parts[TYPES])
    etree.SubElement(
        types, f"{{{CONTENT_TYPES}}}Override", PartName="/" + FONT_TABLE, ContentType=FONT_TABLE_TYPE
    )
    parts[TYPES] = _xml(types)
