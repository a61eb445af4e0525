"""Embedded fonts for the PDF renderer: subsets written once per run, not once per file.

reportlab builds, for every file, each font's subset (the glyphs used),
its widths, its ToUnicode map, and compresses them: about a third of the
time of a one-page sheet. Every personal sheet uses the same characters
(the shared text, plus the letters names are made of, assigned up front by
``seed``), so the same subsets recur: ``SubsetCachingFont`` writes each one
once per run and hands the finished bytes to every later file.

It leans on reportlab 5's TTFont internals (``state``, ``addObjects``); the
tests read every file back (fonts embedded, every drawn character in the
font, text extraction), so a change there fails loudly.
"""

from __future__ import annotations

import zlib
from collections import OrderedDict
from typing import Any

from reportlab.pdfbase import pdfdoc
from reportlab.pdfbase.ttfonts import FF_NONSYMBOLIC, FF_SYMBOLIC, SUBSETN, TTFont, makeToUnicodeCMap

# Letters a name is likely to need, assigned in every sheet after the shared
# text so that one person's name does not change the subsets of the next.
NAME_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '-.,:;()’«»"
    "àâäáãåçéèêëíìîïñóòôöõøúùûüýÿæœßÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØÚÙÛÜÝŸÆŒ"
)


CACHE_SIZE = 32  # distinct subsets kept per font (about 15 KB each)


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


class SubsetCachingFont(TTFont):
    """A TrueType font whose subset objects are built once per distinct subset."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._cache: OrderedDict[tuple[int, tuple[int, ...]], tuple[bytes, bytes, bytes, int]] = OrderedDict()

    def _parts(self, n: int, subset: list[int], base_name: str) -> tuple[bytes, bytes, bytes, int]:
        key = (n, tuple(subset))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        widths = b"[ " + b" ".join(b"%d" % self.face.getCharWidth(c) for c in subset) + b" ]"
        cmap = zlib.compress(makeToUnicodeCMap(base_name, subset).encode("latin-1"))
        program = self.face.makeSubset(subset)
        self._cache[key] = parts = (widths, cmap, zlib.compress(program), len(program))
        # Names with rare letters make subsets seldom seen again: keep the
        # recent ones only, so memory stays flat over any roster.
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return parts

    def addObjects(self, doc: Any) -> None:  # noqa: N802 (reportlab's name)
        """As TTFont.addObjects, with each subset's parts taken from the cache."""
        state = self.state.get(doc) or self._assignState(doc)
        state.frozen = 1
        face = self.face
        for n, subset in enumerate(state.subsets):
            internal_name = self.getSubsetInternalName(n, doc)[1:]
            base_name = b"".join((SUBSETN(n), b"+", face.name, face.subfontNameX)).decode("pdfdoc")
            widths, cmap, program, length = self._parts(n, subset, base_name)

            font = pdfdoc.PDFTrueTypeFont()
            font.__Comment__ = f"Font {self.fontName} subset {n}"
            font.Name = internal_name
            font.BaseFont = base_name
            font.FirstChar = 0
            font.LastChar = len(subset) - 1
            font.Widths = _Raw(widths)
            font.ToUnicode = doc.Reference(_stream(cmap), "toUnicodeCMap:" + base_name)
            font_file = doc.Reference(
                _stream(program, Length1=length), f"fontFile:{face.filename}({base_name})"
            )
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
            font.FontDescriptor = doc.Reference(descriptor, "fontDescriptor:" + base_name)
            doc.Reference(font, internal_name)
            doc.idToObject["BasicFonts"].dict[internal_name] = font
        del self.state[doc]


def seed(fonts: list[TTFont], doc: Any, letters: str = NAME_LETTERS) -> None:
    """Assign the letters of names in each font, in a fixed order, in this document."""
    for font in fonts:
        font.splitString(letters, doc)
