"""A one-page tagged PDF written straight from what the canvas drew, in the bytes reportlab would write.

The canvas draws (operators, font subsets); reportlab's document would
then format some eighty objects through its generic dictionaries, about
1.5 ms a sheet with the structure tree. Here each object is written from
cached pieces in the order and numbering reportlab gives them:

    1 fonts dictionary · link annotations · the page · the structure tree
    (root, elements in pre-order, parent tree) · four objects a font subset
    (ToUnicode, font program, descriptor, font) · catalog · info · pages ·
    page stream · viewer preferences · MarkInfo · XMP metadata

tests/test_batch.py and tests/test_assemble.py compare every byte with
reportlab's own output (``PdfWriter(page, reuse=False)``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.pdfdoc import PDFName
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN

from . import reportlab_internals as internals
from . import tagging
from .fonts import SubsetCachingFont

HEADER = b"%PDF-1.7\n%\223\214\213\236 ReportLab Generated PDF document (opensource)\n"


def pdf_dict(entries: dict[str, bytes]) -> bytes:
    """A dictionary as ``PDFDictionary.format`` writes it: keys sorted, a line break every six entries."""
    items = [b"/" + key.encode() + b" " + entries[key] for key in sorted(entries)]
    for i in reversed(range(6, len(items), 6)):
        items.insert(i, b"\n ")
    return b"<<\n" + b" ".join(items) + b"\n>>"


def _stream(entries: dict[str, bytes], data: bytes) -> bytes:
    return pdf_dict({**entries, "Length": b"%d" % len(data)}) + b"\nstream\n" + data + b"endstream\n"


def _ref(number: int) -> bytes:
    return b"%d 0 R" % number


# A subset's four objects, by (font, subset, its codes): the two streams whole, and how the
# descriptor and font dictionaries read given the numbers of the objects they point at.
SubsetObjects = tuple[bytes, bytes, Callable[[int], bytes], Callable[[int, int], bytes]]
_SUBSETS: dict[tuple[str, int, tuple[int, ...]], SubsetObjects] = {}
_SUBSETS_KEPT = 64
_lock = threading.Lock()


def _subset_objects(font: SubsetCachingFont, n: int, subset: list[int], internal_name: str) -> SubsetObjects:
    key = (internal_name + "/" + font.fontName, n, tuple(subset))
    with _lock:
        found = _SUBSETS.get(key)
    if found is not None:
        return found
    face = font.face
    base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
    widths, cmap, program, length = font.subset_parts(n, subset, base_name)
    flate = b"/FlateDecode"
    to_unicode = _stream({"Filter": flate}, cmap)
    font_file = _stream({"Filter": flate, "Length1": b"%d" % length}, program)
    described = {
        "Type": b"/FontDescriptor",
        "Ascent": fp_str(face.ascent).encode(),
        "CapHeight": fp_str(face.capHeight).encode(),
        "Descent": fp_str(face.descent).encode(),
        "Flags": fp_str((face.flags & ~FF_NONSYMBOLIC) | FF_SYMBOLIC).encode(),
        "FontBBox": b"[ " + b" ".join(fp_str(v).encode() for v in face.bbox) + b" ]",
        "FontName": PDFName(base_name).encode(),
        "ItalicAngle": fp_str(face.italicAngle).encode(),
        "StemV": fp_str(face.stemV).encode(),
        "MissingWidth": fp_str(face.defaultWidth).encode(),
    }
    font_entries = {
        "Type": b"/Font",
        "Subtype": b"/TrueType",
        "BaseFont": PDFName(base_name).encode(),
        "Name": PDFName(internal_name).encode(),
        "FirstChar": b"0",
        "LastChar": fp_str(len(subset) - 1).encode(),
        "Widths": widths,
    }

    def descriptor(file_number: int) -> bytes:
        return pdf_dict({**described, "FontFile2": _ref(file_number)})

    def font_dict(cmap_number: int, descriptor_number: int) -> bytes:
        return pdf_dict(
            {**font_entries, "ToUnicode": _ref(cmap_number), "FontDescriptor": _ref(descriptor_number)}
        )

    objects = (to_unicode, font_file, descriptor, font_dict)
    with _lock:
        if len(_SUBSETS) >= _SUBSETS_KEPT:  # names with rare letters: keep memory flat
            _SUBSETS.pop(next(iter(_SUBSETS)))
        _SUBSETS[key] = objects
    return objects


def _date(doc: Any) -> bytes:
    ts = internals.creation_time(doc)
    y, mo, d, h, mi, s = ts.YMDhms
    return tagging.pdf_text(f"D:{y:04d}{mo:02d}{d:02d}{h:02d}{mi:02d}{s:02d}{ts.dhh:+03d}'{ts.dmm:02d}'")


def structure(tree: tagging.Tree, annot_count: int) -> list[bytes]:
    """The structure objects of a page with ``annot_count`` link annotations, numbered as ``document`` places them.

    They depend only on the tree and that count: a writer may keep them for
    every sheet whose tree has the same shape.
    """
    page_number = annot_count + 2
    return tagging.tree_objects(tree, page_number + 1, page_number, list(range(2, page_number)))


def document(
    doc: Any, page_stream: bytes, annots: list[bytes], tree_objects: list[bytes], viewer_preferences: bytes
) -> bytes:
    """The file of a one-page document whose page the canvas finished (``showPage``), never saved.

    ``page_stream`` is the page's operators, compressed; ``annots`` the
    bytes of its link annotations; ``tree_objects`` its structure (``structure``).
    """
    objects: list[bytes] = [b""]  # the fonts dictionary, written once the fonts are numbered
    objects += annots
    page_number = len(objects) + 1
    objects.append(b"")  # the page, written once the catalog is numbered
    tree_number = len(objects) + 1
    annot_numbers = list(range(2, 2 + len(annots)))
    objects += tree_objects

    fonts: dict[str, bytes] = {}
    for name in internals.fonts_in_use_order(doc):
        font = pdfmetrics.getFont(name)
        for n, subset in enumerate(internals.font_subsets(font, doc)):
            internal_name = font.getSubsetInternalName(n, doc)[1:]
            to_unicode, font_file, descriptor, font_dict = _subset_objects(font, n, subset, internal_name)
            first = len(objects) + 1
            objects += [to_unicode, font_file, descriptor(first + 1), font_dict(first, first + 2)]
            fonts[internal_name] = _ref(first + 3)
    objects[0] = pdf_dict(fonts)

    catalog = len(objects) + 1
    info, pages, contents, preferences, mark_info, metadata = range(catalog + 1, catalog + 7)
    page = internals.last_page(doc)
    procs = b"[ /PDF /Text /ImageB /ImageC /ImageI ]" if page.hasImages else b"[ /PDF /Text ]"
    page_entries = {
        "Contents": _ref(contents),
        "MediaBox": b"[ 0 0 "
        + fp_str(page.pagewidth).encode()
        + b" "
        + fp_str(page.pageheight).encode()
        + b" ]",
        "Parent": _ref(pages),
        "Resources": pdf_dict({"Font": b"1 0 R", "ProcSet": procs}),
        "Rotate": fp_str(page.Rotate).encode(),
        "StructParents": b"0",
        "Tabs": b"/S",
        "Trans": b"<<\n\n>>",
        "Type": b"/Page",
    }
    if annots:
        page_entries["Annots"] = b"[ " + b" ".join(_ref(n) for n in annot_numbers) + b" ]"
    objects[page_number - 1] = pdf_dict(page_entries)
    catalog_entries = {
        "Type": b"/Catalog",
        "PageMode": b"/UseNone",
        "Pages": _ref(pages),
        "ViewerPreferences": _ref(preferences),
        "StructTreeRoot": _ref(tree_number),
        "MarkInfo": _ref(mark_info),
        "Metadata": _ref(metadata),
    }
    lang = getattr(doc.Catalog, "Lang", None)
    if lang is not None:
        catalog_entries["Lang"] = tagging.pdf_text(lang.s)
    described = doc.info
    date = _date(doc)
    info_entries = {
        "Title": tagging.pdf_text(described.title),
        "Author": tagging.pdf_text(described.author),
        "ModDate": date,
        "CreationDate": date,
        "Producer": tagging.pdf_text(described.producer),
        "Creator": tagging.pdf_text(described.creator),
        "Subject": tagging.pdf_text(described.subject),
        "Keywords": tagging.pdf_text(described.keywords),
        "Trapped": PDFName(described.trapped).encode(),
    }
    objects += [
        pdf_dict(catalog_entries),
        pdf_dict(info_entries),
        b"<<\n/Count 1 /Kids [ " + _ref(page_number) + b" ] /Type /Pages\n>>",
        _stream({"Filter": b"[ /FlateDecode ]"}, page_stream),
        viewer_preferences,
        b"<<\n/Marked true\n>>",
        _stream({"Type": b"/Metadata", "Subtype": b"/XML"}, tagging.xmp(doc)),
    ]
    return _file(objects, catalog, info, internals.document_id(doc))


def _file(objects: list[bytes], root: int, info: int, document_id: bytes) -> bytes:
    """Header, numbered objects, cross-reference table and trailer, as ``PDFDocument.format`` lays them out."""
    parts = [HEADER]
    offset = len(HEADER)
    xref = [b"xref\n0 %d\n0000000000 65535 f " % (len(objects) + 1)]
    for number, body in enumerate(objects, start=1):
        chunk = b"%d 0 obj\n" % number + body + (b"endobj\n" if body.endswith(b"\n") else b"\nendobj\n")
        xref.append(b"%010d 00000 n " % offset)
        parts.append(chunk)
        offset += len(chunk)
    parts.append(b"\n".join(xref) + b"\n")
    trailer = (
        b"/ID " + document_id + b"\n/Info %d 0 R\n/Root %d 0 R\n/Size %d" % (info, root, len(objects) + 1)
    )
    parts.append(b"trailer\n<<\n" + trailer + b"\n>>\nstartxref\n%d\n%%%%EOF\n" % offset)
    return b"".join(parts)
