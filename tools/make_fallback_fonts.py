"""Make the fallback fonts: static, Latin-only Noto Sans Regular and Bold in assets/fonts/.

Atkinson Hyperlegible, the main font, lacks Vietnamese, part of Latin
Extended-A, ə ɛ ɔ ẞ and more; Noto Sans draws them. PyPI's
``fontpkg-noto-sans`` ships Noto Sans only as a variable font, which
reportlab reads at its default instance alone, so this script cuts two
static instances out of it (wght 400 and 700, wdth 100) and keeps only the
characters a roster's names may hold, so the files stay small.

Run it again after a new Noto release (the output is byte-identical for the
same inputs)::

    .venv/bin/pip install fonttools==4.68.0 fontpkg-noto-sans==2.15
    .venv/bin/python tools/make_fallback_fonts.py

fontTools is needed here only, never at run time.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont
from fontTools.varLib import instancer

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "assets" / "fonts"

INSTANCES = {"Regular": {"wght": 400, "wdth": 100}, "Bold": {"wght": 700, "wdth": 100}}

# Every character a name may hold, and the punctuation around it.
RANGES = [
    (0x0020, 0x007E),  # Basic Latin: letters, digits, punctuation
    (0x00A0, 0x00FF),  # Latin-1 Supplement (no-break space, « », À…ÿ)
    (0x0100, 0x017F),  # Latin Extended-A (İ Ō Ŋ Ł Ż Ş …)
    (0x0180, 0x024F),  # Latin Extended-B (Ș ș Ț ț ɓ ɗ ƴ Ơ ơ Ư ư …)
    (0x0250, 0x02AF),  # IPA letters used in African orthographies (ə ɛ ɔ ŋ …)
    (0x02B0, 0x02FF),  # Spacing modifiers: ʻokina, ʼ, ˈ
    (0x0300, 0x036F),  # Combining diacritics, for letters without a precomposed form
    (0x1E00, 0x1EFF),  # Latin Extended Additional: all of Vietnamese, ẞ, Ḍ Ṣ Ẓ …
    (0x2C60, 0x2C7F),  # Latin Extended-C (Ɑ Ɱ Ȿ …): small, and seen in some orthographies
    (0xA78B, 0xA78C),  # Saltillo Ꞌ ꞌ
    (0x2010, 0x2027),  # Hyphens, dashes, quotes, bullet, ellipsis
    (0x202F, 0x202F),  # Narrow no-break space (French typography)
    (0x2030, 0x203A),  # ‰ ′ ″ ‹ ›
    (0x2044, 0x2044),  # Fraction slash
    (0x20AC, 0x20AC),  # Euro sign
]


def codepoints() -> list[int]:
    return [c for lo, hi in RANGES for c in range(lo, hi + 1)]


def default_source() -> Path:
    import fontpkg_noto_sans  # type: ignore[import-not-found]

    return Path(fontpkg_noto_sans.ROOT) / "files" / "NotoSans[wdth,wght].ttf"


def make_instance(source: Path, axes: dict[str, int]) -> bytes:
    """A static instance of the variable font, subset to ``RANGES``."""
    # recalcTimestamp=False keeps head.modified from the source: same input, same bytes.
    varfont = TTFont(source, recalcTimestamp=False)
    static = instancer.instantiateVariableFont(varfont, axes, updateFontNames=True)
    options = subset.Options()
    # Keep only the layout features that draw a name right: LibreOffice and
    # Word place combining marks with mark/mkmk and compose with ccmp/locl
    # (reportlab uses neither; it draws the precomposed letters NFC gives).
    # Small capitals, figures styles and fractions would add 450 glyphs.
    options.layout_features = ["ccmp", "locl", "mark", "mkmk", "kern"]
    options.name_IDs = ["*"]  # copyright, licence and version strings stay
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.recalc_timestamp = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=codepoints())
    subsetter.subset(static)
    buffer = io.BytesIO()
    static.save(buffer)
    return buffer.getvalue()


def check(data: bytes, style: str) -> None:
    font = TTFont(io.BytesIO(data))
    cmap = font.getBestCmap()
    missing = [chr(c) for c in codepoints() if c not in cmap and 0x20 <= c]
    # Noto has every code point of RANGES; a new release that drops one should be noticed.
    if missing:
        raise SystemExit(f"{style}: the source lacks {''.join(missing)!r}")
    names = {n.nameID: n.toUnicode() for n in font["name"].names if n.platformID == 3}
    if names.get(1) != "Noto Sans" or names.get(2) != style:
        raise SystemExit(f"{style}: unexpected names {names.get(1)!r} / {names.get(2)!r}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--source", type=Path, help="NotoSans[wdth,wght].ttf (default: from fontpkg-noto-sans)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    source = args.source or default_source()
    for style, axes in INSTANCES.items():
        data = make_instance(source, axes)
        check(data, style)
        target = args.out / f"NotoSans-{style}.ttf"
        target.write_bytes(data)
        print(f"{target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}: {len(data)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
