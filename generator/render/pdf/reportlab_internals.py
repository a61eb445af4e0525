"""Every private name of reportlab the PDF writer leans on, behind a function named for what it does.

Tagging (PDF/UA) and the caches that make a sheet cheap need a few of
reportlab's internals: the canvas's document and operators, its pages'
streams, resources and keys, its documents' fonts, objects and numbers,
TrueType font states, the body of ``TTFont.addObjects``. They live here
only, each tested in tests/test_reportlab_internals.py; ``check_version``
(run by every new PDF writer) refuses a reportlab they were not tested
with. Only public modules are imported, so a new reportlab reaches that check.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Hashable
from typing import Any, cast

import reportlab
from reportlab.lib import utils
from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc, ttfonts
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ...errors import RenderError
from ...i18n import _
from . import written

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

    Every sheet has the same links (formatting them cost 0.3 ms a sheet); an
    annotation points at no other object, so its bytes suit every document.
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


def subset_objects(
    font: ttfonts.TTFont, base_name: str, subset: list[int], cmap: bytes, program: bytes, length: int
) -> written.SubsetObjects:
    """A subset's objects, from its compressed ToUnicode map and compressed program (``length`` bytes whole)."""
    face = font.face
    name = pdfdoc.PDFName(base_name)
    flags = (face.flags & ~ttfonts.FF_NONSYMBOLIC) | ttfonts.FF_SYMBOLIC
    ascent, cap, descent, italic, stem, missing = map(
        fp_str, (face.ascent, face.capHeight, face.descent, face.italicAngle, face.stemV, face.defaultWidth)
    )
    descriptor = (
        f"<< /Type /FontDescriptor /FontName {name} /Ascent {ascent} /CapHeight {cap} /Descent {descent} "
        f"/Flags {flags} /FontBBox [ {' '.join(map(fp_str, face.bbox))} ] /ItalicAngle {italic} "
        f"/StemV {stem} /MissingWidth {missing}"
    )
    widths = " ".join(str(int(face.getCharWidth(code))) for code in subset)
    font_dict = (
        f"<< /Type /Font /Subtype /TrueType /BaseFont {name} /FirstChar 0 /LastChar {len(subset) - 1} "
        f"/Widths [ {widths} ]"
    )
    return written.SubsetObjects(
        written.flate_stream(cmap),
        written.flate_stream(program, b" /Length1 %d" % length),
        descriptor.encode("latin-1"),
        font_dict.encode("latin-1"),
    )


class _Raw(pdfdoc.PDFObject):
    """An object already written out."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    def format(self, document: object) -> bytes:
        return self.data


class _Closed(pdfdoc.PDFObject):
    """An open dictionary (``head``) closed by entries that point at other objects, by their names."""

    def __init__(self, head: bytes, tail: bytes, refs: tuple[tuple[bytes, str], ...]) -> None:
        self.head, self.tail, self.refs = head, tail, refs

    def format(self, document: Any) -> bytes:
        numbers = document.idToObjectNumberAndVersion
        entries = b"".join(b" %s %d 0 R" % (key, numbers[name][0]) for key, name in self.refs)
        return self.head + self.tail + entries + b" >>"


def add_subset_objects(
    font: ttfonts.TTFont, doc: Any, objects: Callable[[int, list[int], str], written.SubsetObjects]
) -> None:
    """What ``TTFont.addObjects`` does, with each subset's objects from ``objects(n, subset, base_name)``.

    reportlab 5.1's method builds, compresses and formats every subset again
    for each file; a subset made once per run is handed over as bytes.
    """
    state = font.state.get(doc) or font._assignState(doc)
    state.frozen = 1
    face = font.face
    for n, subset in enumerate(state.subsets):
        internal_name = font.getSubsetInternalName(n, doc)[1:]
        base_name = b"".join((ttfonts.SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
        made = objects(n, subset, base_name)
        cmap, program, descriptor = (
            f"{kind}:{face.filename}({base_name})" for kind in ("toUnicodeCMap", "fontFile", "fontDescriptor")
        )
        doc.Reference(_Raw(made.to_unicode), cmap)
        doc.Reference(_Raw(made.font_file), program)
        doc.Reference(_Closed(made.descriptor, b"", ((b"/FontFile2", program),)), descriptor)
        name = b" /Name " + pdfdoc.PDFName(internal_name).encode("latin-1")
        refs = ((b"/ToUnicode", cmap), (b"/FontDescriptor", descriptor))
        doc.Reference(_Closed(made.font, name, refs), internal_name)
        doc.idToObject["BasicFonts"].dict[internal_name] = pdfdoc.PDFObjectReference(internal_name)
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


def page_text(page: Any) -> str:
    """The operators of a page the canvas has finished (``showPage``), as they will be written."""
    return str(page.stream)


def compress_page_with(page: Any, flate: written.Filter) -> None:
    """Have ``flate`` compress the page's stream: reportlab would pick filters from its global ``useA85``."""
    stream = pdfdoc.PDFStream(content=page.stream, filters=[flate])
    stream.__Comment__ = "page stream"
    page.Contents = stream


def set_page_contents(doc: Any, page: Any, start: written.SharedStart) -> None:
    """The page's content: ``start``'s stream then the rest, or one stream if the page does not begin so."""
    text = page_text(page)
    if not text.startswith(start.prefix):
        compress_page_with(page, written.FLATE)
        return
    own = written.flate_stream(written.small_flate(text[len(start.prefix) :].encode("utf8")))
    page.Contents = pdfdoc.PDFArray([doc.Reference(_Raw(start.stream)), doc.Reference(_Raw(own))])


def set_text_resources(page: Any) -> bool:
    """Give a page that uses fonts only its resources written out (reportlab formats a dictionary a page).

    Also leaves out the empty ``/Trans`` and ``/Rotate 0`` reportlab writes.
    False (the page left as it was) when it uses more: image, form, transparency, colour space.
    """
    more = ("XObjects", "ExtGState", "_colorsUsed", "_shadingUsed")
    if any(getattr(page, name, None) for name in more):
        return False
    # The procedure sets reportlab names (obsolete since PDF 1.4, kept as it writes them).
    procs = b"[ /PDF /Text /ImageB /ImageC /ImageI ]" if page.hasImages else b"[ /PDF /Text ]"
    page.Resources = _Closed(b"<< /ProcSet " + procs, b"", ((b"/Font", "BasicFonts"),))
    page.Rotate = None
    page.Trans = None
    return True


def compress_form_with(doc: Any, name: str, flate: written.Filter) -> None:
    """Have ``flate`` compress the stream of form ``name`` (ended by ``Canvas.endForm``), as pages are."""
    form = doc.idToObject[doc.getXObjectName(name)]
    form.compression = 0
    stream = pdfdoc.PDFStream(content=form.stream, filters=[flate])
    stream.__Comment__ = "xobject form stream"
    form.Contents = stream


# --- the structure tree (PDF/UA) ----------------------------------------------------


def object_number(doc: Any, obj: Any) -> int:
    """The number of ``obj`` in the document, given it (the next free one) if it has none yet."""
    return int(doc.idToObjectNumberAndVersion[doc.Reference(obj).name][0])


def add_objects(doc: Any, objects: list[Any]) -> int:
    """Number ``objects`` (new to the document) one after another; returns the number of the first.

    What ``PDFDocument.Reference`` does for each, at once: a page's fifty
    structure objects cost a fifth of a millisecond one call at a time.
    """
    first = doc.objectcounter + 1
    numbers, ids, registered = doc.idToObjectNumberAndVersion, doc.numberToId, doc.idToObject
    for number, obj in enumerate(objects, start=first):
        name = f"R{number}"
        if name in registered or hasattr(obj, "__InternalName__"):
            raise ValueError(f"add_objects: {name} or {obj!r} is already in the document")
        obj.__InternalName__ = name
        numbers[name] = (number, 0)
        ids[number] = name
        registered[name] = obj
    doc.objectcounter = first + len(objects) - 1
    return cast(int, first)


def reference(doc: Any, obj: Any) -> Any:
    """A reference to ``obj`` (numbered if it was not), to put in a dictionary."""
    return doc.Reference(obj)


def raw(data: bytes) -> pdfdoc.PDFObject:
    """A value (or object) already written out as PDF bytes."""
    return _Raw(data)


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


class _QuickInfo(pdfdoc.PDFInfo):
    """The Info dictionary written from remembered pieces: the same few texts recur in every file."""

    def format(self, document: Any) -> bytes:
        stamp = document._timeStamp
        date = written.pdf_date(stamp.YMDhms, stamp.dhh, stamp.dmm)
        entries = (
            (b"/Title", written.pdf_text(self.title)),
            (b"/Author", written.pdf_text(self.author)),
            (b"/Subject", written.pdf_text(self.subject)),
            (b"/Creator", written.pdf_text(self.creator)),
            (b"/Producer", written.pdf_text(self.producer)),
            (b"/Keywords", written.pdf_text(self.keywords)),
            (b"/CreationDate", date),
            (b"/ModDate", date),
            (b"/Trapped", b"/" + self.trapped.encode("latin-1")),
        )
        return b"<< " + b" ".join(key + b" " + value for key, value in entries) + b" >>"


def quick_info(doc: Any) -> None:
    """Have the document write its Info dictionary from remembered pieces (call before setting its title)."""
    info = _QuickInfo()
    info.__dict__.update(doc.info.__dict__)
    doc.info = info


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
