"""The vendored DSFR: the files the pages will use are there, and the CSS names no file left out."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DSFR = ROOT / "generator" / "web" / "static" / "dsfr"
sys.path.insert(0, str(ROOT / "tools"))
from update_dsfr import FAMILIES, LOCAL_URL, TOP_FILES, WOFF_FALLBACK, wanted  # noqa: E402

STYLESHEETS = ["dsfr.min.css", *(f"utility/icons/icons-{f}/icons-{f}.min.css" for f in FAMILIES)]


def local_urls(css: Path) -> list[str]:
    return LOCAL_URL.findall(css.read_text("utf-8"))


def test_the_files_the_pages_use_are_vendored_with_their_licence_and_version() -> None:
    for name in (
        *TOP_FILES,
        "LICENSE.md",
        "README.md",
        "favicon/favicon.svg",
        "fonts/Marianne-Regular.woff2",
    ):
        assert (DSFR / name).is_file(), name
    assert "Etalab" in (DSFR / "LICENSE.md").read_text("utf-8")
    assert re.search(r"DSFR 1\.\d+\.\d+", (DSFR / "README.md").read_text("utf-8"))
    for family in FAMILIES:
        assert any((DSFR / "icons" / family).glob("*.svg")), family


@pytest.mark.parametrize("stylesheet", STYLESHEETS)
def test_every_url_of_a_kept_stylesheet_resolves_to_a_vendored_file(stylesheet: str) -> None:
    css = DSFR / stylesheet
    urls = local_urls(css)
    assert urls, f"{stylesheet} names no file: the pattern no longer matches the CSS"
    missing = sorted({u for u in urls if not (css.parent / u).resolve().is_file()})
    assert not missing, f"{stylesheet}: {missing[:5]}"
    assert all((css.parent / u).resolve().is_relative_to(DSFR) for u in urls)


def test_the_fonts_are_woff2_only_and_the_css_names_no_other_font() -> None:
    css = (DSFR / "dsfr.min.css").read_text("utf-8")
    assert not WOFF_FALLBACK.search(css)
    fonts = {u for u in LOCAL_URL.findall(css) if u.startswith("fonts/")}
    assert fonts and all(u.endswith(".woff2") for u in fonts)
    assert {p.name for p in (DSFR / "fonts").iterdir()} == {u.removeprefix("fonts/") for u in fonts}


def test_nothing_is_fetched_from_elsewhere_and_the_size_stays_reasonable() -> None:
    for stylesheet in STYLESHEETS:
        assert not [u for u in local_urls(DSFR / stylesheet) if "//" in u], stylesheet
    size = sum(p.stat().st_size for p in DSFR.rglob("*") if p.is_file())
    assert size < 3 * 1024 * 1024, f"{size // 1024} KiB vendored"


def test_the_selection_rule_keeps_the_named_families_and_drops_the_rest() -> None:
    assert wanted("icons/system/close-line.svg", set())
    assert not wanted("icons/health/capsule-fill.svg", set())
    assert wanted("icons/logo/github-fill.svg", {"icons/logo/github-fill.svg"})
    assert not wanted("fonts/Marianne-Bold.woff", set())
    assert not wanted("dsfr.css", set())
