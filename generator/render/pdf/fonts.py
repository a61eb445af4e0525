"""Embedded fonts of the PDF writer: registered once per process, subsets written once per run.

reportlab builds, for every file, each font's subset (the glyphs used),
its widths, its ToUnicode map, and compresses them: about a third of the
time of a one-page sheet. Every personal sheet uses the same characters
(the shared text, plus the letters names are made of, assigned up front by
``seed``), so the same subsets recur: ``SubsetCachingFont`` writes each one
once per run and hands the finished bytes to every later file.

The TTFont internals this needs are in ``reportlab_internals``; the tests
read every file back (fonts embedded, every drawn character in the font,
text extraction), so a change there fails loudly.
"""

from __future__ import annotations

import threading
import unicodedata
import zlib
from collections import OrderedDict
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, makeToUnicodeCMap

from ...resources import font as font_file
from . import reportlab_internals as internals

# Letters a name is likely to need, assigned in every sheet after the shared
# text so that one person's name does not change the subsets of the next.
NAME_LETTERS = (
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 '-.,:;()’«»"
    "àâäáãåçéèêëíìîïñóòôöõøúùûüýÿæœßÀÂÄÁÃÅÇÉÈÊËÍÌÎÏÑÓÒÔÖÕØÚÙÛÜÝŸÆŒ"
)


CACHE_SIZE = 32  # distinct subsets kept per font (about 15 KB each)


class SubsetCachingFont(TTFont):
    """A TrueType font whose subset objects are built once per distinct subset."""

    def __init__(self, name: str, filename: str) -> None:
        super().__init__(name, filename)
        self._cache: OrderedDict[tuple[int, tuple[int, ...]], internals.SubsetParts] = OrderedDict()
        self._lock = threading.Lock()

    def _parts(self, n: int, subset: list[int], base_name: str) -> internals.SubsetParts:
        # Several threads may write files at once: the cache and the font file's reader are shared.
        with self._lock:
            return self._cached_parts(n, subset, base_name)

    def _cached_parts(self, n: int, subset: list[int], base_name: str) -> internals.SubsetParts:
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
        internals.add_subset_objects(self, doc, self._parts)


def seed(fonts: list[TTFont], doc: Any, letters: str = NAME_LETTERS) -> None:
    """Assign the letters of names in each font, in a fixed order, in this document."""
    for font in fonts:
        font.splitString(letters, doc)


FONT = "Atkinson"
FONT_BOLD = "Atkinson-Bold"
_REGISTERING = threading.Lock()
_GLYPHS: frozenset[int] = frozenset()


def register() -> None:
    """Register the embedded fonts with reportlab, once per process (several threads may ask at once)."""
    global _GLYPHS
    with _REGISTERING:
        if FONT in pdfmetrics.getRegisteredFontNames():
            return
        regular = SubsetCachingFont(FONT, str(font_file("AtkinsonHyperlegible-Regular.ttf")))
        bold = SubsetCachingFont(FONT_BOLD, str(font_file("AtkinsonHyperlegible-Bold.ttf")))
        _GLYPHS = frozenset(internals.glyph_map(regular)) & frozenset(internals.glyph_map(bold))
        pdfmetrics.registerFont(regular)
        pdfmetrics.registerFont(bold)
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)


def drawable(value: str) -> str:
    """The text with every character the embedded font lacks replaced.

    U+202F becomes a no-break space; an accented letter the font lacks
    (Vietnamese, say) falls back to its base letter; anything else to "?".
    """
    if all(ord(ch) in _GLYPHS for ch in value):
        return value
    out = []
    for ch in value:
        if ord(ch) in _GLYPHS:
            out.append(ch)
        elif ch == "\u202f":
            out.append("\u00a0")
        else:
            base = "".join(
                b
                for b in unicodedata.normalize("NFKD", ch)
                if ord(b) in _GLYPHS and not unicodedata.combining(b)
            )
            out.append(base or "?")
    return "".join(out)
