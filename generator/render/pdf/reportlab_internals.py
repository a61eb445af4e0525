"""Every private name of reportlab the PDF writer leans on, behind a function named for what it does.

reportlab's public API draws pages and saves documents; a tagged PDF (PDF/UA)
and the caches that make a sheet cheap (operators replayed, font subsets and
link annotations written once per run, page streams compressed from a shared
prefix) need a few of its internals: ``Canvas._doc``, ``Canvas._code``,
``Canvas._addAnnotation``, ``Canvas._annotationCount``, ``PDFPage.stream``,
``Contents``, ``Resources`` and ``__NoDefault__``, ``PDFDocument.fontMapping``,
``delayedFonts``, ``idToObject``, ``Catalog``, ``Pages`` and ``_timeStamp``,
``TTFont.state`` and ``_assignState``, ``Paragraph.blPara``, and the body of
``TTFont.addObjects``. They live here only, each tested in
tests/test_reportlab_internals.py; ``check_version`` (called by every new PDF
writer) refuses a reportlab they were not tested with. Only public modules
are imported here, so that a new reportlab reaches that check.
"""

from __future__ import annotations

import copy
import threading
import time
import zlib
from collections.abc import Callable, Hashable
from typing import Any, Protocol

import reportlab
from reportlab.lib import utils
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ...errors import RenderError
from ...i18n import _

TESTED_VERSIONS = ("5.1",)  # major.minor of the reportlab releases these functions were tested with
TESTED_PIN = "reportlab>=5.1,<5.2"  # what pyproject.toml asks for: the install command of the message


class UntestedReportlab(RenderError):
    """The installed reportlab is not a release these functions were tested with."""


def check_version(version: str | None = None) -> None:
    """Refuse a reportlab whose internals were never tested here (they change without notice).

    ``version`` defaults to the installed one, read at each call.
    """
    found = reportlab.Version if version is None else version
    if ".".join(found.split(".")[:2]) not in TESTED_VERSIONS:
        raise UntestedReportlab(
            _(
                "reportlab {version} is installed, but this version of aesh-generator was tested with "
                'reportlab {tested} only: install it with pip install "{pin}"'
            ).format(version=found, tested=", ".join(TESTED_VERSIONS), pin=TESTED_PIN)
        )


# --- the canvas ------------------------------------------------------------------


def document_of(canvas: Canvas) -> Any:
    """The PDFDocument a canvas writes into (fonts, pages and objects are kept there)."""
    return canvas._doc


def operator_count(canvas: Canvas) -> int:
    """How many operator lines the current page holds so far."""
    return len(canvas._code)


def operators_since(canvas: Canvas, start: int) -> str:
    """The page's operators from line ``start`` on, as one string ``Canvas.addLiteral`` takes back."""
    return "\n".join(canvas._code[start:])


def add_link_once(
    canvas: Canvas, key: Hashable, cache: dict[Hashable, bytes], make: Callable[[], None]
) -> None:
    """A link annotation: ``make()`` adds it (``canvas.linkURL``) the first time, its bytes are reused after.

    Every personal sheet has the same links at the same places; formatting
    their dictionaries again for each file cost about 0.3 ms a sheet. The
    annotation holds no reference to another object, so its bytes are the
    same in every document.
    """
    data = cache.get(key)
    if data is None:
        make()
        doc = canvas._doc
        name = doc.annotationName("NUMBER" + repr(canvas._annotationCount))
        data = doc.idToObject[name].format(doc)
        if len(cache) < LINKS_KEPT:
            cache[key] = data
        return
    canvas._addAnnotation(_Raw(data))


LINKS_KEPT = 256  # distinct links remembered (a run has a handful)


# --- fonts -------------------------------------------------------------------------


def fonts_in_use_order(doc: Any) -> list[str]:
    """Names of the fonts a document has used, in the order of their first use."""
    return list(doc.fontMapping)


def assigned_characters(font: ttfonts.TTFont, doc: Any) -> str | None:
    """The characters given a code in ``font``'s subsets for ``doc``, in order; None if it used none."""
    state = getattr(font, "state", {}).get(doc)
    if state is None:
        return None
    return "".join(map(chr, state.assignments))


def copy_font_states(source: Any, target: Any, fonts: list[ttfonts.TTFont]) -> None:
    """Give ``target`` (a document nothing was drawn in yet) the codes, subsets and names ``source`` has.

    Every sheet first assigns the same characters in the same order (the
    shared text, then the letters of names): assigning them once, in a
    template document, and copying the result cost a tenth as much.
    """
    for font in fonts:
        state = font.state.get(source)
        if state is not None:
            clone = copy.copy(state)
            clone.assignments = dict(state.assignments)
            clone.subsets = [list(subset) for subset in state.subsets]
            font.state[target] = clone
    target.fontMapping.update(source.fontMapping)
    target.delayedFonts.extend(source.delayedFonts)


SubsetParts = tuple[
    bytes, bytes, bytes, int
]  # widths array, compressed ToUnicode, compressed program, length


class _Raw(pdfdoc.PDFObject):
    """A direct PDF value already written out (a widths array)."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: object) -> bytes:
        return self.data


def _stream(data: bytes, **entries: Any) -> pdfdoc.PDFStream:
    """A stream whose content is already Flate-compressed (reportlab then leaves it alone)."""
    dictionary = pdfdoc.PDFDictionary({"Filter": pdfdoc.PDFName("FlateDecode"), **entries})
    return pdfdoc.PDFStream(dictionary, data)


def add_subset_objects(
    font: ttfonts.TTFont, doc: Any, parts: Callable[[int, list[int], str], SubsetParts]
) -> None:
    """What ``TTFont.addObjects`` does, with each subset's bytes from ``parts(n, subset, base_name)``.

    A copy of reportlab 5.1's method, so that a subset made once per run is
    not compressed again for every file.
    """
    state = font.state.get(doc) or font._assignState(doc)  # type: ignore[attr-defined]
    state.frozen = 1
    face = font.face
    for n, subset in enumerate(state.subsets):
        internal_name = font.getSubsetInternalName(n, doc)[1:]
        base_name = b"".join((ttfonts.SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
        widths, cmap, program, length = parts(n, subset, base_name)

        pdf_font = pdfdoc.PDFTrueTypeFont()
        pdf_font.__Comment__ = f"Font {font.fontName} subset {n}"
        pdf_font.Name = internal_name
        pdf_font.BaseFont = base_name
        pdf_font.FirstChar = 0
        pdf_font.LastChar = len(subset) - 1
        pdf_font.Widths = _Raw(widths)
        pdf_font.ToUnicode = doc.Reference(_stream(cmap), "toUnicodeCMap:" + base_name)
        font_file = doc.Reference(_stream(program, Length1=length), f"fontFile:{face.filename}({base_name})")
        descriptor = pdfdoc.PDFDictionary(
            {
                "Type": "/FontDescriptor",
                "Ascent": face.ascent,
                "CapHeight": face.capHeight,
                "Descent": face.descent,
                "Flags": (face.flags & ~ttfonts.FF_NONSYMBOLIC) | ttfonts.FF_SYMBOLIC,
                "FontBBox": pdfdoc.PDFArray(face.bbox),
                "FontName": pdfdoc.PDFName(base_name),
                "ItalicAngle": face.italicAngle,
                "StemV": face.stemV,
                "FontFile2": font_file,
                "MissingWidth": face.defaultWidth,
            }
        )
        pdf_font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)
        doc.Reference(pdf_font, internal_name)
        doc.idToObject["BasicFonts"].dict[internal_name] = pdf_font
    del font.state[doc]


# --- paragraphs ----------------------------------------------------------------------


def wrapped_line_count(paragraph: Paragraph) -> int:
    """How many lines a wrapped paragraph takes."""
    return len(paragraph.blPara.lines)


# --- the document's objects ----------------------------------------------------------


def add_page_entries(page: Any, **entries: Any) -> None:
    """Set entries PDFPage does not know: it writes only the keys listed in its ``__NoDefault__``."""
    page.__NoDefault__ = [*page.__NoDefault__, *entries]
    for key, value in entries.items():
        setattr(page, key, value)


def last_page(doc: Any) -> Any:
    """The PDFPage the canvas added last (by ``showPage``)."""
    return doc.Pages.pages[-1]


def share_page_resources(doc: Any, page: Any, forms: tuple[str, ...], shared: Any = None) -> Any:
    """Point ``page`` at one resources dictionary shared by every page; returns it (pass it for the next).

    reportlab writes a resources dictionary into every page, and an empty
    ``/Trans`` and ``/Rotate 0``: about 150 bytes a page of a print file
    whose pages all use the same fonts and ``forms``. ``shared`` is made
    when None; a form not yet in it is added (a print file meets its forms
    as it goes). The page keeps its own content.
    """
    if shared is None:
        shared = pdfdoc.PDFResourceDictionary()
        shared.basicFonts()
        shared.XObject = doc.xobjDict([])
    if forms:
        shared.XObject.dict.update(doc.xobjDict(list(forms)).dict)
    page.Resources = doc.Reference(shared, "SharedPageResources")
    page.Rotate = None
    page.Trans = None
    return shared


class PrefixFlate:
    """A Flate filter for page streams that begin with the same operators: that prefix is compressed once.

    Every sheet's page starts with the shared blocks (replayed operators,
    some 20 KB); compressing them again for each file was a tenth of a
    sheet's time. The compressor's state after the prefix is copied for
    each page, which then compresses only its own part. A stream that does
    not start with the prefix is compressed whole.
    """

    pdfname = "FlateDecode"

    def __init__(self, prefix: bytes) -> None:
        self.prefix = prefix
        self._state = zlib.compressobj()
        self._head = self._state.compress(prefix)
        self._lock = threading.Lock()

    def encode(self, text: str | bytes) -> bytes:
        data = text.encode("utf8") if isinstance(text, str) else text
        if not data.startswith(self.prefix):
            return zlib.compress(data)
        with self._lock:  # copy() reads the shared state: one thread at a time
            state = self._state.copy()
        return self._head + state.compress(data[len(self.prefix) :]) + state.flush()


def page_text(page: Any) -> str:
    """The operators of a page the canvas has finished (``showPage``), as they will be written."""
    return str(page.stream)


class Filter(Protocol):
    """A stream filter as reportlab applies it: the name it writes, and the encoding."""

    pdfname: str

    def encode(self, text: str | bytes) -> bytes: ...


FLATE: Filter = pdfdoc.PDFZCompress  # Flate alone: ASCII85 on top only makes files a quarter larger


def compress_page_with(page: Any, flate: Filter) -> None:
    """Have ``flate`` compress the page's stream (instead of the filters reportlab picks when saving).

    reportlab picks them from the global ``rl_config.useA85`` (ASCII85 on
    by default); naming the filter here leaves that setting alone.
    """
    stream = pdfdoc.PDFStream(content=page.stream, filters=[flate])
    stream.__Comment__ = "page stream"
    page.Contents = stream


def compress_form_with(doc: Any, name: str, flate: Filter) -> None:
    """Have ``flate`` compress the stream of form ``name`` (ended by ``Canvas.endForm``), as pages are."""
    form = doc.idToObject[doc.getXObjectName(name)]
    form.compression = 0
    stream = pdfdoc.PDFStream(content=form.stream, filters=[flate])
    stream.__Comment__ = "xobject form stream"
    form.Contents = stream


# --- the structure tree (PDF/UA) ----------------------------------------------------


def object_number(doc: Any, obj: Any) -> int:
    """The number of ``obj`` in the document, given it (the next free one) if it has none yet."""
    return int(doc.Reference(obj).format(doc).split()[0])


def annotation_numbers(doc: Any, page: Any) -> list[int]:
    """The object numbers of a finished page's annotations, in the page's order."""
    return [int(ref.format(doc).split()[0]) for ref in page.Annots or []]


def set_catalog_entries(doc: Any, **entries: Any) -> None:
    """Entries of the document's catalog (``StructTreeRoot``, ``MarkInfo``, ``Metadata``)."""
    for key, value in entries.items():
        setattr(doc.Catalog, key, value)


def document_language(doc: Any) -> str:
    """The document's language (``Canvas(lang=…)``), "" when it has none."""
    lang = getattr(doc.Catalog, "Lang", None)
    return str(lang.s) if isinstance(lang, pdfdoc.PDFString) else ""


def document_info(doc: Any) -> Any:
    """The Info dictionary's values: ``title``, ``author``, ``subject``, ``creator``, ``producer``, ``keywords``."""
    return doc.info


def set_creation_time(doc: Any, seconds: int) -> None:
    """Date the document ``seconds`` after 1970 (UTC), as reportlab's invariant mode does for 2000-01-01."""
    stamp = utils.TimeStamp(invariant=1)
    stamp.t = seconds
    stamp.lt = time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    doc._timeStamp = stamp


def creation_time(doc: Any) -> Any:
    """The document's time stamp (fixed in invariant mode): ``YMDhms``, ``dhh``, ``dmm``."""
    return doc._timeStamp
