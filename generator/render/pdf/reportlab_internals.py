"""Every private name of reportlab the PDF writer leans on, behind a function named for what it does.

reportlab's public API draws pages; a tagged PDF, subsets written once per
run and operators replayed on every sheet need a few of its internals
(``Canvas._doc``, ``Canvas._code``, ``Canvas._addAnnotation``, ``PDFPage.stream``, ``PDFPage.Contents``, ``PDFDocument.fontMapping``,
``TTFont.state`` and ``_assignState``, ``Paragraph.blPara``,
``PDFPage.__NoDefault__``, ``PDFPage.Resources``, ``PDFDocument.xobjDict``, ``PDFDocument._timeStamp``, ``idToObject``, and
the body of ``TTFont.addObjects``). They live here only, each tested in
tests/test_reportlab_internals.py, and importing this module refuses a
reportlab version they were not tested with.
"""

from __future__ import annotations

import copy
import threading
import time
import zlib
from collections.abc import Callable, Hashable
from typing import Any

import reportlab
from reportlab.lib.utils import TimeStamp
from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

TESTED_VERSIONS = ("5.1",)  # major.minor of the reportlab releases these functions were tested with


def check_version(version: str = reportlab.Version) -> None:
    """Refuse a reportlab whose internals were never tested here (they change without notice)."""
    if ".".join(version.split(".")[:2]) not in TESTED_VERSIONS:
        raise ImportError(
            f"reportlab {version} is installed, but generator/render/pdf/reportlab_internals.py was tested "
            f"with reportlab {', '.join(v + '.x' for v in TESTED_VERSIONS)} only: install one of those "
            "(pip install 'reportlab>=5.1,<5.2'), or test this module with the new version and add it"
        )


check_version()


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


def assigned_characters(font: TTFont, doc: Any) -> str | None:
    """The characters given a code in ``font``'s subsets for ``doc``, in order; None if it used none."""
    state = getattr(font, "state", {}).get(doc)
    if state is None:
        return None
    return "".join(map(chr, state.assignments))


def copy_font_states(source: Any, target: Any, fonts: list[TTFont]) -> None:
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


def glyph_map(font: TTFont) -> dict[int, int]:
    """Code point → glyph of a TrueType font."""
    return font.face.charToGlyph  # type: ignore[no-any-return]


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


def add_subset_objects(font: TTFont, doc: Any, parts: Callable[[int, list[int], str], SubsetParts]) -> None:
    """What ``TTFont.addObjects`` does, with each subset's bytes from ``parts(n, subset, base_name)``.

    A copy of reportlab 5.1's method, so that a subset made once per run is
    not compressed again for every file.
    """
    state = font.state.get(doc) or font._assignState(doc)  # type: ignore[attr-defined]
    state.frozen = 1
    face = font.face
    for n, subset in enumerate(state.subsets):
        internal_name = font.getSubsetInternalName(n, doc)[1:]
        base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
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
                "Flags": (face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC,
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


def wrapped_line_widths(paragraph: Paragraph, width: float) -> list[float]:
    """Width of each line of a paragraph wrapped at ``width``."""
    widths = []
    for line in paragraph.blPara.lines:
        extra = line[0] if isinstance(line, tuple) else line.extraSpace
        widths.append(width - extra)
    return widths or [0.0]


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
    when None. The page keeps its own content.
    """
    if shared is None:
        resources = pdfdoc.PDFResourceDictionary()
        resources.basicFonts()
        if forms:
            resources.XObject = doc.xobjDict(list(forms))
        shared = doc.Reference(resources, "SharedPageResources")
    page.Resources = shared
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


def compress_page_with(page: Any, flate: PrefixFlate) -> None:
    """Have ``flate`` compress the page's stream (instead of reportlab's own zlib call)."""
    stream = pdfdoc.PDFStream(content=page.stream, filters=[flate])
    stream.__Comment__ = "page stream"
    page.Contents = stream


def page_annotations(canvas: Canvas) -> list[bytes]:
    """The link annotations of the page being drawn, each as the bytes of its dictionary."""
    doc = canvas._doc
    return [doc.idToObject[ref.name].format(doc) for ref in canvas._annotationrefs]


def font_subsets(font: TTFont, doc: Any) -> list[list[int]]:
    """The code points of each subset ``font`` has in ``doc``, by code (empty when it used none)."""
    state = font.state.get(doc)
    return [] if state is None else state.subsets  # type: ignore[no-any-return]


def plain_page(doc: Any) -> bool:
    """True when the document holds only its font dictionary and one finished page without images,
    forms, colour spaces, shadings, transparency or extra boxes (what ``assemble`` knows how to write)."""
    if doc.objectcounter != 2 or len(doc.Pages.pages) != 1:
        return False
    page = doc.Pages.pages[0]
    extra = ("XObjects", "ExtGState", "CropBox", "ArtBox", "BleedBox", "TrimBox", "Dur")
    return not (any(getattr(page, name, None) for name in extra) or page._colorsUsed or page._shadingUsed)


def document_id(doc: Any) -> bytes:
    """The trailer's /ID value, as ``PDFDocument.GetPDFData`` would write it for this document now."""
    signature = doc.signature.copy()
    doc.info.digest(signature)
    ids = pdfdoc.PDFText(signature.digest(), enc="raw").format(pdfdoc.DummyDoc())
    return b"\n[" + ids + ids + b"]\n% ReportLab generated PDF document -- digest (opensource)\n"


def set_creation_time(doc: Any, seconds: int) -> None:
    """Date the document ``seconds`` after 1970 (UTC), as reportlab's invariant mode does for 2000-01-01."""
    stamp = TimeStamp(invariant=1)
    stamp.t = seconds
    stamp.lt = time.gmtime(seconds)
    stamp.YMDhms = tuple(stamp.lt)[:6]
    doc._timeStamp = stamp


def creation_time(doc: Any) -> Any:
    """The document's time stamp (fixed in invariant mode): ``YMDhms``, ``dhh``, ``dmm``."""
    return doc._timeStamp
