"""The DOCX writer: a sheet → the editable twin of its PDF (python-docx is imported in this folder only).

The document is built once per page and body size with python-docx, with
placeholder tokens where a personal sheet differs; writing a sheet then
only fills the tokens into the prepared ``word/document.xml`` and appends
it to a prepared zip of the other parts, whose bytes never change. Same
sheet, same bytes.
"""

from __future__ import annotations

import dataclasses
import io
import threading
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from docx.oxml.ns import qn

from ...errors import RenderError
from ...run.output import atomic_write
from ...sheet.blocks import Page, PersonalBox, Sheet
from ...sheet.fit import DOCX_LADDER, Overflow, Rung, first_fit, name_too_long, page_too_long
from .content import BOX_MARK, build
from .look import LARGE_IDENTIFIER_MAX, PAGE_CAPACITY
from .measure import Estimate, estimated_height
from .package import (
    CORE_PART,
    DOCUMENT_PART,
    clean_parts,
    serialise,
    split_tokens,
    token,
    xml_text,
    zip_info,
    zip_parts,
)

_PERSONAL_FIELDS = ("first_name", "family_name", "birth_name", "identifier", "homonym_note", "manager")


class DocxWriter:
    """Writes the sheets of one page as DOCX files, prepared once per body size."""

    format = "docx"
    print_file = ""  # a print file of many sheets is the PDF's

    def __init__(self, page: Page) -> None:
        self.page = page
        # The page without a personal box, at each body size (estimated, points).
        self._estimate = Estimate(page.docx_font)
        self._base = {rung.body: estimated_height(page, None, rung.body) for rung in DOCX_LADDER}
        self._variants: dict[float, _Variant] = {}
        self._lock = threading.Lock()
        try:
            self._flyer_body = self._body(None)
        except Overflow as overflow:
            raise page_too_long(page.info.source, "DOCX flyer", overflow.over, measured=False) from None

    def measure(self, sheet: Sheet, rung: Rung) -> float:
        """Room (points) the sheet leaves on one printed page at ``rung``, by the estimate; negative: too tall."""
        return PAGE_CAPACITY - self._height(sheet.box, rung.body)

    def _height(self, box: PersonalBox | None, body: float) -> float:
        return self._base[body] + (self._estimate.box(box, body) if box is not None else 0.0)

    def _body(self, box: PersonalBox | None) -> float:
        """The largest body size at which the page, with this box, holds on one page; raises Overflow."""
        rung = first_fit(
            DOCX_LADDER, lambda rung: rung, lambda rung: PAGE_CAPACITY - self._height(box, rung.body)
        )
        return rung.body

    def _variant(self, body: float) -> _Variant:
        # Prepared on first use: a run that never meets a long name never builds the compact one.
        with self._lock:
            if body not in self._variants:
                self._variants[body] = _Variant.prepare(self.page, body)
            return self._variants[body]

    def to_bytes(self, sheet: Sheet) -> bytes:
        if sheet.box is None:
            return self._variant(self._flyer_body).generic
        return self._personal_sheet(sheet.box, sheet.title)

    def write(self, sheet: Sheet, target: str | Path | BinaryIO) -> None:
        """The sheet into a file (written atomically) or a binary stream."""
        data = self.to_bytes(sheet)
        if isinstance(target, (str, Path)):
            with atomic_write(Path(target)) as stream:
                stream.write(data)
        else:
            target.write(data)

    def write_many(self, sheets: Iterable[Sheet], target: BinaryIO) -> int:
        raise RenderError("the DOCX writer makes no print file of many sheets")

    def _personal_sheet(self, box: PersonalBox, title: str) -> bytes:
        try:
            body = self._body(box)
        except Overflow as overflow:
            raise name_too_long(self.format, overflow.over, measured=False) from None
        variant = self._variant(body)
        chunks = variant.with_manager if box.manager else variant.without_manager
        values = {f: xml_text(getattr(box, f)) for f in _PERSONAL_FIELDS}
        # A long identifier in the large type would wrap over three lines.
        values["identifier_style"] = (
            "Identifier" if len(box.identifier) <= LARGE_IDENTIFIER_MAX else "IdentifierLong"
        )
        # Odd chunks are token names, even ones the XML around them.
        xml = "".join(values[c] if i % 2 else c for i, c in enumerate(chunks))
        return variant.package(xml.encode("utf-8"), title)


@dataclasses.dataclass(frozen=True)
class _Variant:
    """A prepared package at one body size: every part but the document, and the document in chunks."""

    prefix: bytes
    with_manager: list[str]
    without_manager: list[str]
    core: list[str]  # docProps/core.xml around the title, which names the person
    generic: bytes

    @classmethod
    def prepare(cls, page: Page, body_pt: float) -> _Variant:
        tokens = PersonalBox(page.box_labels, **{f: token(f) for f in _PERSONAL_FIELDS})
        doc = build(page, tokens, body_pt)
        doc.core_properties.title = token("title")
        body = doc.element.body
        box = [el for el in body if el.get(BOX_MARK) is not None]
        for el in box:
            del el.attrib[BOX_MARK]
        manager = [p for p in body.iter(qn("w:p")) if token("manager") in "".join(p.itertext())]

        out = io.BytesIO()
        doc.save(out)
        parts = clean_parts(out.getvalue())
        core = split_tokens(parts.pop(CORE_PART).decode("utf-8"))
        prefix = zip_parts(parts)
        root = doc.element
        with_manager = split_tokens(serialise(root))
        for p in manager:
            p.getparent().remove(p)
        without_manager = split_tokens(serialise(root))
        for el in box:
            body.remove(el)
        variant = cls(prefix, with_manager, without_manager, core, b"")
        generic = variant.package(serialise(root).encode("utf-8"), page.info.title)
        return dataclasses.replace(variant, generic=generic)

    def package(self, document_xml: bytes, title: str) -> bytes:
        """The prepared parts plus the two that differ per person, appended without recompressing the rest."""
        core = "".join(xml_text(title) if i % 2 else c for i, c in enumerate(self.core))
        out = io.BytesIO(self.prefix)
        out.seek(0, io.SEEK_END)
        with zipfile.ZipFile(out, "a") as zf:
            zf.writestr(zip_info(CORE_PART), core.encode("utf-8"))
            zf.writestr(zip_info(DOCUMENT_PART), document_xml)
        return out.getvalue()
