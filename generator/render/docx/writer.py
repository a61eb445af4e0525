"""The DOCX writer: a sheet → the editable twin of its PDF (python-docx is imported in this folder only, and only to prepare).

The document is built once per page and body size with python-docx
(prepare.py), with placeholder tokens where a personal sheet differs, and
kept on disk for the next run (cache.py); writing a sheet then only fills
the tokens into the prepared ``word/document.xml`` and appends it to a
prepared zip of the other parts, whose bytes never change. Same sheet,
same bytes, from a fresh preparation or from the cache.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import re
import threading
import unicodedata
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

from ...errors import RenderError
from ...i18n import _
from ...output import atomic_write
from ...sheet.blocks import Page, Paragraph, PersonalBox, Sheet
from ...sheet.fit import LADDER, Outcome, Overflow, Rung, first_fit, name_too_long, page_too_long
from ..drawable import check_drawable
from ..fallback import MAIN, SUBSTITUTES, coverage, font_path, segments
from . import cache
from .look import FALLBACK_FAMILY, PAGE_CAPACITY
from .measure import Estimate, estimated_height
from .package import (
    CORE_PART,
    DOCUMENT_PART,
    Appendix,
    Template,
    without_invalid,
    xml_text,
    zip_parts,
)

_APPENDED = (CORE_PART, DOCUMENT_PART)  # the parts that name the person, after the others in this order
_PERSONAL_FIELDS = (
    "first_name",
    "family_name",
    "birth_name",
    "identifier",
    "homonym_note",
    "manager",
    "identifier_label",  # a token: the label says when the identifier is to be confirmed
)
_STRONG_RPR = '<w:rPr><w:rStyle w:val="Strong"/></w:rPr>'  # the style of **bold** words in the steps


class DocxWriter:
    """Writes the sheets of one page as DOCX files, prepared once per body size."""

    format = "docx"
    print_file = ""  # a print file of many sheets is the PDF's

    def __init__(self, page: Page, sibling: Callable[[Page], DocxWriter] | None = None) -> None:
        self.page = page
        # The writer of another page: the registry's (shared by the run), else one made here, once a page.
        self._sibling = sibling or self._own_sibling
        self._siblings: dict[Page, DocxWriter] = {}
        # The page without a personal box, at each body size (estimated, points).
        self._estimate = Estimate(page.docx_font)
        self._base = {rung.body: estimated_height(page, None, rung.body) for rung in LADDER}
        self._variants: dict[float, _Variant] = {}
        self._lock = threading.Lock()
        try:
            self._flyer_body = self._body(None)
        except Overflow as overflow:
            raise page_too_long(page.info.source, Outcome.DOCX_FLYER, overflow.over, measured=False) from None

    def _own_sibling(self, page: Page) -> DocxWriter:
        with self._lock:
            if page not in self._siblings:
                self._siblings[page] = DocxWriter(page)
            return self._siblings[page]

    def measure(self, sheet: Sheet, rung: Rung) -> float:
        """Room (points) the sheet leaves on one printed page at ``rung``, by the estimate; negative: too tall."""
        return PAGE_CAPACITY - self._height(sheet.box, rung.body)

    def _height(self, box: PersonalBox | None, body: float) -> float:
        return self._base[body] + (self._estimate.box(box, body) if box is not None else 0.0)

    def _body(self, box: PersonalBox | None) -> float:
        """The largest body size at which the page, with this box, holds on one page; raises Overflow."""
        rung = first_fit(LADDER, lambda rung: rung, lambda rung: PAGE_CAPACITY - self._height(box, rung.body))
        return rung.body

    def _variant(self, body: float) -> _Variant:
        # Prepared on first use: a run that never meets a long name never builds the compact one.
        with self._lock:
            if body not in self._variants:
                self._variants[body] = _Variant.prepare(self.page, body)
            return self._variants[body]

    def to_bytes(self, sheet: Sheet) -> bytes:
        if sheet.page is not self.page and sheet.page != self.page:
            # Another page (a managing office's own step 1): that page's writer, prepared once.
            return self._sibling(sheet.page).to_bytes(sheet)
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
        raise RenderError(_("the DOCX writer makes no print file of many sheets"))

    def _personal_sheet(self, box: PersonalBox, title: str) -> bytes:
        # A letter no embedded font has refuses the sheet, naming it, as in the PDF.
        shown = (box.first_name, box.family_name, box.birth_name, box.identifier, box.manager)
        if not all(map(_plain().fullmatch, shown)):
            check_drawable(*shown)
        try:
            body = self._body(box)
        except Overflow as overflow:
            raise name_too_long(self.format, overflow.over, measured=False) from None
        variant = self._variant(body)
        document = variant.documents[(bool(box.manager), bool(box.homonym_note))]
        uses_fallback = False
        values: dict[str, str] = {}
        for field in _PERSONAL_FIELDS:
            header = variant.run_headers.get(field, "")
            if field == "homonym_note":
                values[field], fell_back = _styled_runs_xml(box.homonym_paragraph, header)
            else:
                text = box.label if field == "identifier_label" else getattr(box, field)
                values[field], fell_back = _runs_xml(text, header)
            uses_fallback |= fell_back
        values["identifier"] = unbroken_hyphens(values["identifier"])
        # A long identifier in the large type would wrap over three lines.
        values["identifier_style"], _size = self._estimate.identifier_style(box, body)
        values["name_style"] = "PersonNameLong" if self._estimate.name_is_long(box, body) else "PersonName"
        return variant.package(document.fill(values), title, with_fallback=uses_fallback)


# A hyphen the word processor never breaks at, inside the run (python-docx has no API for it).
_NO_BREAK_HYPHEN = '</w:t><w:noBreakHyphen/><w:t xml:space="preserve">'


def unbroken_hyphens(run_xml: str) -> str:
    """The identifier is one unit: each hyphen of its run text becomes ``<w:noBreakHyphen/>``.

    Word and LibreOffice then move it whole to the next line rather than
    print "mde-la-rochefoucauld-" / "montbazon" (a reader types the first line only).
    """
    return run_xml.replace("-", _NO_BREAK_HYPHEN)


_FALLBACK_RPR = (
    f'<w:rFonts w:ascii="{FALLBACK_FAMILY}" w:hAnsi="{FALLBACK_FAMILY}" '
    f'w:eastAsia="{FALLBACK_FAMILY}" w:cs="{FALLBACK_FAMILY}"/>'
)


@functools.cache
def _plain() -> re.Pattern[str]:
    """Texts of Latin characters drawn as typed in the main font: no check, no fallback run needed.

    Each character is its own cluster (no mark), unchanged by NFC and by the
    fallback's substitutes, and Atkinson draws it; so ``fallback.segments``
    would give one run of the main font, and ``undrawable`` nothing.
    """
    cover = coverage(MAIN)
    kept = [
        chr(code)
        for code in range(0x250)  # up to Latin Extended-B: no two compose under NFC without a mark
        if code in cover
        and code not in SUBSTITUTES
        and not unicodedata.category(chr(code)).startswith(("M", "C"))
        and unicodedata.normalize("NFC", chr(code)) == chr(code)
    ]
    return re.compile("[" + "".join(map(re.escape, kept)) + "]*")


def _runs_xml(value: str, rpr: str) -> tuple[str, bool]:
    """``value`` as text of the run it stands in, letters Atkinson lacks in runs of their own in Noto Sans.

    Returns the XML and whether a fallback run was made. A fallback run
    closes the current run and reopens one with the same properties.
    """
    value = without_invalid(value)
    if _plain().fullmatch(value):
        return xml_text(value), False
    runs = segments(value, whole_words=True)
    if all(key == MAIN for key, _ in runs):
        return xml_text(value), False
    if "<w:rFonts" in rpr:
        fallback_rpr = re.sub(r"<w:rFonts[^>]*/>", _FALLBACK_RPR, rpr)
    elif rpr:
        # After the run's style, if any: rStyle comes first in CT_RPr.
        fallback_rpr = re.sub(
            r"(<w:rPr>(?:<w:rStyle[^>]*/>)?)", lambda m: m.group(1) + _FALLBACK_RPR, rpr, count=1
        )
    else:
        fallback_rpr = f"<w:rPr>{_FALLBACK_RPR}</w:rPr>"
    parts = []
    for key, text in runs:
        if key == MAIN:
            parts.append(xml_text(text))
        else:
            parts.append(
                f'</w:t></w:r><w:r>{fallback_rpr}<w:t xml:space="preserve">{xml_text(text)}</w:t></w:r>'
                f'<w:r>{rpr}<w:t xml:space="preserve">'
            )
    return "".join(parts), True


def _styled_runs_xml(runs: Paragraph, rpr: str) -> tuple[str, bool]:
    """``_runs_xml`` of runs in their styles: a bold run closes the token's run and reopens it after."""
    parts: list[str] = []
    fell_back = False
    for run in runs:
        if not run.bold:
            xml, fell = _runs_xml(run.text, rpr)
            parts.append(xml)
        else:
            xml, fell = _runs_xml(run.text, _STRONG_RPR)
            parts.append(
                f'</w:t></w:r><w:r>{_STRONG_RPR}<w:t xml:space="preserve">{xml}</w:t></w:r>'
                f'<w:r>{rpr}<w:t xml:space="preserve">'
            )
        fell_back |= fell
    return "".join(parts), fell_back


@dataclasses.dataclass(frozen=True)
class _Variant:
    """A prepared package at one body size: every part but the document, and the document with its tokens."""

    plain: Appendix  # every part but the two that name the person
    with_fallback: _Deferred  # the same parts with Noto Sans embedded, for a name that needs it
    documents: dict[tuple[bool, bool], Template]  # by (has a manager line, has a homonym note)
    run_headers: dict[str, str]  # token name → properties of the run it stands in
    core: Template  # docProps/core.xml around the title, which names the person
    generic: bytes

    @classmethod
    def prepare(cls, page: Page, body_pt: float) -> _Variant:
        """The variant from the disk cache when it holds this page's parts, else made (and kept there)."""
        name = cache.key(page, body_pt)
        prepared = cache.load(name) if name is not None else None
        if prepared is not None:
            try:
                return cls.of(prepared)
            except Exception:  # noqa: BLE001 — a file not of this module's making (zipfile raises
                pass  # NotImplementedError for an unknown compression too): the parts are made again
        from .prepare import prepare

        prepared = prepare(page, body_pt, _PERSONAL_FIELDS)
        if name is not None:
            cache.store(name, prepared)
        return cls.of(prepared)

    @classmethod
    def of(cls, prepared: cache.Prepared) -> _Variant:
        """The variant assembled from the parts python-docx made; ValueError or KeyError if they do not fit."""
        documents = {lines: Template.of(xml) for lines, xml in prepared.documents.items()}
        core = Template.of(prepared.core)
        fillable = {*_PERSONAL_FIELDS, "identifier_style", "name_style"}
        if set(documents) != _LINES or core.names != ("title",) or not set(prepared.run_headers) <= fillable:
            raise ValueError("prepared DOCX parts of another shape")
        if any(not set(doc.names) <= fillable for doc in documents.values()):
            raise ValueError("prepared DOCX document with unknown tokens")
        parts = _unzipped(prepared.fixed_zip)  # zipfile.BadZipFile when it is not a whole zip
        if set(parts) & set(_APPENDED) or _unzipped(prepared.generic).keys() != {*parts, *_APPENDED}:
            raise ValueError("prepared DOCX packages of other parts")
        plain = Appendix.learn(prepared.fixed_zip, _APPENDED)
        # Embedding Noto Sans costs more than the rest of the zip: done for the first name that needs it.
        with_fallback = _Deferred(lambda: _with_noto(parts))
        return cls(plain, with_fallback, documents, dict(prepared.run_headers), core, prepared.generic)

    def package(self, document_xml: bytes, title: str, with_fallback: bool = False) -> bytes:
        """The prepared parts plus the two that differ per person, appended without recompressing the rest."""
        core = self.core.fill({"title": xml_text(title)})
        appendix = self.with_fallback.get() if with_fallback else self.plain
        return appendix.package([core, document_xml])


_LINES = {(True, True), (True, False), (False, True), (False, False)}


def _unzipped(package: bytes) -> dict[str, bytes]:
    """The parts of a zip, in its order; every one read, so a damaged one raises here (zipfile checks CRCs)."""
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def _with_noto(parts: dict[str, bytes]) -> Appendix:
    """The fixed parts with Noto Sans embedded, ready to append the person's two parts to."""
    from ..docx_fonts import embed_in_parts

    fonts = {"regular": _noto("Regular"), "bold": _noto("Bold")}
    return Appendix.learn(zip_parts(embed_in_parts(parts, FALLBACK_FAMILY, fonts)), _APPENDED)


class _Deferred:
    """An Appendix made on first use, once, whichever thread asks first."""

    def __init__(self, make: Callable[[], Appendix]) -> None:
        self._make = make
        self._made: list[Appendix] = []
        self._lock = threading.Lock()

    def get(self) -> Appendix:
        if not self._made:
            with self._lock:
                if not self._made:
                    self._made.append(self._make())
        return self._made[0]


def _noto(style: str) -> Path:
    return font_path(f"NotoSans-{style}.ttf")
