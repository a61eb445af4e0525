"""Which embedded font draws each character: the main font, or the fallback for what it lacks.

Atkinson Hyperlegible (the main font) lacks Vietnamese, part of Latin
Extended-A, ə ɛ ɔ ẞ and more; Noto Sans (static Latin instances made by
``tools/make_fallback_fonts.py``) draws them. ``segments`` cuts a text into
runs, each tagged with the font that draws it, and ``undrawable`` names the
characters no embedded font has, so that a row is refused instead of
printing a ``?`` or dropping an accent.

The rules:
- The text is first put in NFC, so that a letter typed as base + combining
  accent draws as the precomposed letter when one exists (reportlab knows
  no mark positioning), and U+202F (narrow no-break space, which Atkinson
  lacks) becomes U+00A0. The runs hold this drawable text.
- A cluster (a character and the combining marks after it) is drawn by one
  font, never split: the main font when it has every character of the
  cluster, else the fallback when it has every one, else it is undrawable.
- A font "has" a character when both its Regular and Bold files map it.

Each font's character map is read from the TTF files (cmap formats 4 and
12) once, at first use, under a lock: no reportlab, no fontTools at run time.
"""

from __future__ import annotations

import functools
import re
import struct
import threading
import unicodedata
from importlib import resources
from pathlib import Path
from typing import cast

from ..i18n import _

MAIN = "main"
FALLBACK = "fallback"

# Regular and Bold of each font, in assets/fonts/ (shipped as generator._assets.fonts).
FONT_FILES: dict[str, tuple[str, str]] = {
    MAIN: ("AtkinsonHyperlegible-Regular.ttf", "AtkinsonHyperlegible-Bold.ttf"),
    FALLBACK: ("NotoSans-Regular.ttf", "NotoSans-Bold.ttf"),
}
# Characters drawn as another one, in every font.
SUBSTITUTES = {0x202F: 0x00A0}

_REPO_FONTS = Path(__file__).resolve().parents[2] / "assets" / "fonts"


class UndrawableText(ValueError):
    """Some characters of a text are in no embedded font."""

    def __init__(self, characters: list[str]) -> None:
        self.characters = characters
        super().__init__("no embedded font draws " + ", ".join(describe(ch) for ch in characters))


def font_path(name: str) -> Path:
    """Where one of the font files is, in a checkout or an installed copy."""
    in_repo = _REPO_FONTS / name
    if in_repo.exists():
        return in_repo
    return Path(str(resources.files("generator._assets.fonts").joinpath(name)))


def describe(ch: str) -> str:
    """A character as a person can find it again: 'ɛ' (U+025B LATIN SMALL LETTER OPEN E)."""
    name = unicodedata.name(ch, "")
    shown = repr(ch) if ch.isprintable() else _("an invisible character")
    return f"{shown} (U+{ord(ch):04X}{' ' + name if name else ''})"


# --- character maps ------------------------------------------------------


def _table(data: bytes, tag: bytes) -> bytes:
    (count,) = struct.unpack_from(">H", data, 4)
    for i in range(count):
        entry_tag, _checksum, offset, length = struct.unpack_from(">4sIII", data, 12 + 16 * i)
        if entry_tag == tag:
            return data[offset : offset + length]
    raise ValueError(f"no {tag.decode()} table")


def _format4(sub: bytes) -> set[int]:
    seg_count = struct.unpack_from(">H", sub, 6)[0] // 2
    ends = struct.unpack_from(f">{seg_count}H", sub, 14)
    starts = struct.unpack_from(f">{seg_count}H", sub, 16 + 2 * seg_count)
    deltas = struct.unpack_from(f">{seg_count}h", sub, 16 + 4 * seg_count)
    range_base = 16 + 6 * seg_count
    offsets = struct.unpack_from(f">{seg_count}H", sub, range_base)
    mapped: set[int] = set()
    for i in range(seg_count):
        for code in range(starts[i], ends[i] + 1):
            if code == 0xFFFF:
                continue
            if offsets[i] == 0:
                glyph = (code + deltas[i]) & 0xFFFF
            else:
                at = range_base + 2 * i + offsets[i] + 2 * (code - starts[i])
                glyph = struct.unpack_from(">H", sub, at)[0]
                glyph = (glyph + deltas[i]) & 0xFFFF if glyph else 0
            if glyph:
                mapped.add(code)
    return mapped


def _format12(sub: bytes) -> set[int]:
    (groups,) = struct.unpack_from(">I", sub, 12)
    mapped: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", sub, 16 + 12 * i)
        mapped.update(range(start + (glyph == 0), end + 1))
    return mapped


# Windows Unicode BMP and full repertoire, Unicode 2.0 BMP and full.
_UNICODE = ((3, 1), (3, 10), (0, 3), (0, 4))


def cmap_codepoints(data: bytes) -> frozenset[int]:
    """The code points a TrueType font maps to a glyph other than .notdef."""
    cmap = _table(data, b"cmap")
    (count,) = struct.unpack_from(">H", cmap, 2)
    found: dict[int, int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        (fmt,) = struct.unpack_from(">H", cmap, offset)
        if (platform, encoding) in _UNICODE:
            found.setdefault(fmt, offset)
    if 12 in found:
        return frozenset(_format12(cmap[found[12] :]))
    if 4 in found:
        return frozenset(_format4(cmap[found[4] :]))
    raise ValueError("no Unicode cmap of format 4 or 12")


_lock = threading.Lock()
_coverage: dict[str, frozenset[int]] = {}


def coverage(key: str) -> frozenset[int]:
    """The code points both styles of the font ``key`` ("main" or "fallback") draw."""
    if key not in _coverage:
        with _lock:
            if key not in _coverage:
                regular, bold = (cmap_codepoints(font_path(name).read_bytes()) for name in FONT_FILES[key])
                _coverage[key] = regular & bold
    return _coverage[key]


def _cap_height(data: bytes) -> float:
    """The capital height in em (OS/2 sCapHeight over head unitsPerEm)."""
    (units_per_em,) = struct.unpack_from(">H", _table(data, b"head"), 18)
    (cap_height,) = struct.unpack_from(">h", _table(data, b"OS/2"), 88)
    return cast(float, cap_height / units_per_em)


@functools.cache
def scale(key: str) -> float:
    """The factor on the font size that gives the font ``key`` the main font's capital height.

    Noto Sans is drawn larger than Atkinson Hyperlegible at one size (capitals
    714 against 668 thousandths of an em, x-heights 536 against 496): set at
    ``size * scale("fallback")`` (about 0.936), its letters sit level with
    the main font's. Widths must be measured at that size too.
    """
    if key == MAIN:
        return 1.0
    main, other = (_cap_height(font_path(FONT_FILES[k][0]).read_bytes()) for k in (MAIN, key))
    return round(main / other, 3)


# --- segmentation --------------------------------------------------------


def drawable_form(text: str) -> str:
    """The text as it is drawn: NFC, with the substitutes applied."""
    return unicodedata.normalize("NFC", text).translate(SUBSTITUTES)


def _clusters(text: str) -> list[str]:
    """A character with the combining marks that follow it (a mark at the start stands alone)."""
    clusters: list[str] = []
    for ch in text:
        if clusters and unicodedata.category(ch).startswith("M"):
            clusters[-1] += ch
        else:
            clusters.append(ch)
    return clusters


def _font_for(cluster: str) -> str | None:
    for key in (MAIN, FALLBACK):
        cover = coverage(key)
        if all(ord(ch) in cover for ch in cluster):
            return key
    return None


def _missing(cluster: str) -> list[str]:
    """The characters that make a cluster undrawable."""
    anywhere = coverage(MAIN) | coverage(FALLBACK)
    missing = [ch for ch in cluster if ord(ch) not in anywhere]
    if missing:
        return missing
    # Each character is in some font, but no font has them all: name the
    # marks the base's font lacks.
    base_font = coverage(MAIN) if ord(cluster[0]) in coverage(MAIN) else coverage(FALLBACK)
    return [ch for ch in cluster[1:] if ord(ch) not in base_font]


def undrawable(text: str) -> list[str]:
    """The characters of ``text`` no embedded font can draw, each once, in order of appearance."""
    form = drawable_form(text)
    if coverage(MAIN).issuperset(map(ord, form)):  # nearly every name: the main font has it all
        return []
    found: list[str] = []
    for cluster in _clusters(form):
        if _font_for(cluster) is None:
            found.extend(ch for ch in _missing(cluster) if ch not in found)
    return found


def segments(text: str, whole_words: bool = False) -> list[tuple[str, str]]:
    """``text`` cut into runs of (font key, drawable text), main font first.

    Joined, the runs give ``drawable_form(text)``. Raises UndrawableText
    (naming the characters) when a character is in no font: check rows
    with ``undrawable`` before drawing.
    """
    form = drawable_form(text)
    if coverage(MAIN).issuperset(map(ord, form)):  # every cluster in the main font: one run
        return [(MAIN, form)] if form else []
    runs: list[tuple[str, str]] = []
    missing: list[str] = []
    for cluster in _clusters(form):
        key = _font_for(cluster)
        if key is None:
            missing.extend(ch for ch in _missing(cluster) if ch not in missing)
        elif runs and runs[-1][0] == key:
            runs[-1] = (key, runs[-1][1] + cluster)
        else:
            runs.append((key, cluster))
    if missing:
        raise UndrawableText(missing)
    return _whole_words(runs) if whole_words and len(runs) > 1 else runs


def _whole_words(runs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A word that needs the fallback font is drawn in it whole: one face a word, not a patchwork.

    ``Nguyễn`` in Noto Sans, not ``Nguy`` + ``ễ`` + ``n``; a word holding a
    character only the main font has keeps its runs.
    """
    keys = [key for key, piece in runs for _ in piece]
    text = "".join(piece for _, piece in runs)
    for match in re.finditer(r"[^\s\-–/]+", text):
        start, end = match.span()
        if FALLBACK in keys[start:end] and all(ord(ch) in coverage(FALLBACK) for ch in text[start:end]):
            keys[start:end] = [FALLBACK] * (end - start)
    merged: list[tuple[str, str]] = []
    for key, ch in zip(keys, text, strict=True):
        if merged and merged[-1][0] == key:
            merged[-1] = (key, merged[-1][1] + ch)
        else:
            merged.append((key, ch))
    return merged
