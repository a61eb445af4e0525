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
import zlib
from collections import OrderedDict
from typing import Any

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont, makeToUnicodeCMap

from ...resources import font as font_file
from .. import fallback
from ..drawable import check_drawable, undrawable_error
from . import reportlab_internals as internals
from . import written

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
        self._cache: OrderedDict[tuple[int, tuple[int, ...]], written.SubsetObjects] = OrderedDict()
        self._lock = threading.Lock()

    def subset_objects(self, n: int, subset: list[int], base_name: str) -> written.SubsetObjects:
        """The ToUnicode map, font program, descriptor and font dictionary of subset ``n``, written out."""
        # Several threads may write files at once: the cache and the font file's reader are shared.
        with self._lock:
            return self._cached_objects(n, subset, base_name)

    def _cached_objects(self, n: int, subset: list[int], base_name: str) -> written.SubsetObjects:
        key = (n, tuple(subset))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        cmap = zlib.compress(makeToUnicodeCMap(base_name, subset).encode("latin-1"))
        program = self.face.makeSubset(subset)
        made = internals.subset_objects(self, base_name, subset, cmap, zlib.compress(program), len(program))
        self._cache[key] = made
        # Names with rare letters make subsets seldom seen again: keep the
        # recent ones only, so memory stays flat over any roster.
        if len(self._cache) > CACHE_SIZE:
            self._cache.popitem(last=False)
        return made

    def addObjects(self, doc: Any) -> None:  # noqa: N802 (reportlab's name)
        """As TTFont.addObjects, with each subset's objects taken from the cache."""
        internals.add_subset_objects(self, doc, self.subset_objects)


def seed(fonts: list[TTFont], doc: Any, letters: str = NAME_LETTERS) -> None:
    """Assign the letters of names in each font, in a fixed order, in this document."""
    for font in fonts:
        font.splitString(letters, doc)


FONT = "Atkinson"
FONT_BOLD = "Atkinson-Bold"
# Noto Sans draws what Atkinson Hyperlegible lacks (Vietnamese, Ŋ, Ō, İ, ə…),
# at ``FALLBACK_SCALE`` times the size so that its capitals stand level.
FALLBACK_FONT = "Noto"
FALLBACK_BOLD = "Noto-Bold"
FALLBACK_SCALE = fallback.scale(fallback.FALLBACK)
_FALLBACK_OF = {FONT: FALLBACK_FONT, FONT_BOLD: FALLBACK_BOLD}
_REGISTERING = threading.Lock()


def register() -> None:
    """Register the embedded fonts with reportlab, once per process (several threads may ask at once)."""
    with _REGISTERING:
        if FALLBACK_BOLD in pdfmetrics.getRegisteredFontNames():
            return
        main, main_bold = fallback.FONT_FILES[fallback.MAIN]
        other, other_bold = fallback.FONT_FILES[fallback.FALLBACK]
        for name, file in (
            (FONT, font_file(main)),
            (FONT_BOLD, font_file(main_bold)),
            (FALLBACK_FONT, fallback.font_path(other)),
            (FALLBACK_BOLD, fallback.font_path(other_bold)),
        ):
            pdfmetrics.registerFont(SubsetCachingFont(name, str(file)))
        pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
        pdfmetrics.registerFontFamily(
            FALLBACK_FONT,
            normal=FALLBACK_FONT,
            bold=FALLBACK_BOLD,
            italic=FALLBACK_FONT,
            boldItalic=FALLBACK_BOLD,
        )


def all_fonts() -> list[TTFont]:
    """The embedded fonts, registered."""
    return [pdfmetrics.getFont(name) for name in (FONT, FONT_BOLD, FALLBACK_FONT, FALLBACK_BOLD)]


def pieces(value: str, font: str = FONT) -> list[tuple[str, str, float]]:
    """``value`` as (text, font, size factor) runs: ``font`` where it draws, Noto Sans where it does not.

    Raises RenderError naming the characters no embedded font has: a
    letter is never dropped, an accent never lost, no ``?`` is printed.
    """
    try:
        runs = fallback.segments(value, whole_words=True)
    except fallback.UndrawableText as exc:
        raise undrawable_error(exc.characters) from None
    return [
        (piece, font, 1.0) if key == fallback.MAIN else (piece, _FALLBACK_OF.get(font, font), FALLBACK_SCALE)
        for key, piece in runs
    ]


def drawable(value: str) -> str:
    """The text as it is drawn (NFC, U+202F as a no-break space), every character in some embedded font."""
    check_drawable(value)
    return fallback.drawable_form(value)
