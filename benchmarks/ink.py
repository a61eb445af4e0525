"""Ink coverage of printed pages (issue 15): prints figures, asserts nothing.

Mean coverage of the greyscale page rendered at 100 dpi, and how much of it
the solid areas hold (rows more than half dark, such as the help band).

    python benchmarks/ink.py [output/flyer.pdf output/people/mdupont.pdf …]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from helpers_ink import MAX_COVERAGE, ink_coverage, render_grey  # noqa: E402 (after the path)

DEFAULT = [ROOT / "output" / "flyer.pdf", ROOT / "output" / "people" / "mdupont.pdf"]


def solid_share(pdf: Path, dpi: int = 100) -> tuple[float, float]:
    """(share of the page's ink in solid rows, coverage with those rows left blank)."""
    image = render_grey(pdf, dpi=dpi)
    width = image.width
    pixels = image.tobytes()
    total = solid = 0
    for y in range(image.height):
        row = pixels[y * width : (y + 1) * width]
        ink = sum(255 - v for v in row)
        total += ink
        if sum(v < 128 for v in row) > width / 2:
            solid += ink
    page = 255 * width * image.height
    return (solid / total if total else 0.0), (total - solid) / page


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path, default=DEFAULT)
    args = parser.parse_args(argv)
    print(f"{'file':<40} {'coverage':>9} {'solid rows':>11} {'without':>8}  (limit {MAX_COVERAGE:.1%})")
    for pdf in args.pdfs:
        share, without = solid_share(pdf)
        name = str(pdf.relative_to(ROOT)) if pdf.is_relative_to(ROOT) else str(pdf)
        print(f"{name:<40} {ink_coverage(pdf):>9.2%} {share:>11.0%} {without:>8.2%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
