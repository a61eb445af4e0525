"""The font fallback: which font draws each character of a name, and what no font draws."""

from __future__ import annotations

import io
import threading
import unicodedata

import pypdf
import pypdfium2
import pytest
from fontTools.ttLib import TTFont as FontToolsFont
from helpers import ISSUE_NAMES
from hypothesis import given
from hypothesis import strategies as st

from generator.render import fallback
from generator.render.fallback import FALLBACK, MAIN, UndrawableText, segments, undrawable

# The names of issue 15 (helpers.ISSUE_NAMES), then our own list, one or more a language.
OUR_NAMES = [
    # Vietnamese: every tone on every vowel shape
    "Nguyễn Thị Minh Khai",
    "Trần Hưng Đạo",
    "Lê Quý Đôn",
    "Phạm Thị Ngọc Thủy",
    "Huỳnh Tấn Phát",
    "Võ Nguyên Giáp",
    "Hồ Xuân Hương",
    "Ưng Hoàng Phúc",
    "Lý Ỷ Lan",
    # Turkish
    "Çağrı Yılmaz",
    "İlkay Gündoğan",
    "Gülşen Işık",
    # Polish
    "Grzegorz Brzęczyszczykiewicz",
    "Józef Piłsudski",
    "Źdźbło Ąę",
    # Czech and Slovak
    "Antonín Dvořák",
    "Jiří Kůs",
    "Zdeněk Ťoupalík",
    "Ľubomír Ďurčo",
    # Icelandic
    "Ægir Ólafsson",
    "Björk Guðmundsdóttir",
    # Romanian: comma below (ș ț) and the old cedilla forms (ş ţ)
    "Ștefan Țiriac",
    "Mădălina Ionescu",
    "Ş ţ Ș ț",
    # Azerbaijani
    "Xədicə Ağayeva",
    "İlham Əliyev",
    # Wolof, Fula, Hausa
    "Ŋoné Ndiaye",
    "Ɓuuba Ɗiallo",
    "Ƴero Bah",
    "Mamadou Ñaŋ",
    "Ƙasimu Ɗanjuma",
    # Hawaiian: ʻokina and kahakō
    "Kaʻiulani",
    "Liliʻuokalani",
    "Kāne Mōʻī",
    # Latvian
    "Ķēniņš Ļoļa",
    "Līga Ģērmane",
    # Lithuanian
    "Jūratė Čiurlionienė",
    "Įvairus Ąžuolas",
    # Maltese
    "Ħamrun Ġużeppi",
    "Ċensu Żammit",
    # German, Esperanto, Ewe and Yoruba (a mark with no precomposed form)
    "GROẞ Straße",
    "Ĉu Ĝi Ŝajnas Ŭ",
    "Ɛvɔ Dzɔgbenyuie",
    "Ẹ́mi Ọlábísí",
    # French, with the apostrophe and the narrow no-break space
    "Marie-Hélène D’Aubigné",
    "Œdipe Ævar",
]
NAMES = ISSUE_NAMES + OUR_NAMES

UNDRAWABLE = {
    "Marie 😀": ["😀"],
    "Léa ❤️": ["❤", "\ufe0f"],
    "李小龙": ["李", "小", "龙"],
    "محمد": ["م", "ح", "د"],
    "Jean ★": ["★"],
    "→ Paul": ["→"],
    "☎ 05": ["☎"],
    "Иван": ["И", "в", "а", "н"],
    "A\u200bB": ["\u200b"],
}


def joined(runs: list[tuple[str, str]]) -> str:
    return "".join(text for _key, text in runs)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_drawable_and_kept_whole(name: str) -> None:
    """Each name has a font for every letter, and its runs give it back exactly (NFC)."""
    assert undrawable(name) == []
    runs = segments(name)
    assert joined(runs) == unicodedata.normalize("NFC", name)
    assert all(key in (MAIN, FALLBACK) for key, _text in runs)
    # Runs alternate: two runs in a row never share a font.
    assert all(a[0] != b[0] for a, b in zip(runs, runs[1:], strict=False))


def test_the_main_font_draws_what_it_has() -> None:
    """Atkinson draws every letter it has; Noto draws only what Atkinson lacks."""
    assert segments("Thị Nguyễn") == [
        (MAIN, "Th"),
        (FALLBACK, "ị"),
        (MAIN, " Nguy"),
        (FALLBACK, "ễ"),
        (MAIN, "n"),
    ]
    assert segments("İsmail") == [(FALLBACK, "İ"), (MAIN, "smail")]
    assert segments("Łukasz Żółć") == [(MAIN, "Łukasz Żółć")]
    assert segments("ẞ") == [(FALLBACK, "ẞ")]


def test_decomposed_letters_are_composed_first() -> None:
    """A name typed as base + accent draws as the precomposed letter (NFC)."""
    decomposed = unicodedata.normalize("NFD", "Thị Nguyễn Ōta")
    assert joined(segments(decomposed)) == "Thị Nguyễn Ōta"
    assert segments(unicodedata.normalize("NFD", "Ōta"))[0] == (FALLBACK, "Ō")


def test_a_mark_without_precomposed_form_stays_with_its_letter() -> None:
    """Ẹ + U+0301 has no precomposed form: both go to the font that has both."""
    assert segments("Ẹ́mi") == [(FALLBACK, "Ẹ́"), (MAIN, "mi")]
    # Atkinson has n and the combining macron: the pair stays in the main font.
    assert segments("n\u0304") == [(MAIN, "n\u0304")]


def test_the_narrow_no_break_space_is_drawn_as_a_no_break_space() -> None:
    """U+202F, which Atkinson lacks, becomes U+00A0 in the main font."""
    assert segments("Nom\u202f:") == [(MAIN, "Nom\u00a0:")]


@pytest.mark.parametrize(("text", "characters"), UNDRAWABLE.items())
def test_characters_no_font_has_are_named(text: str, characters: list[str]) -> None:
    """Emoji, CJK, Arabic, Cyrillic, symbols and invisible characters are reported, each once."""
    assert undrawable(text) == characters
    with pytest.raises(UndrawableText) as caught:
        segments(text)
    assert caught.value.characters == characters
    assert f"U+{ord(characters[0]):04X}" in str(caught.value)


def test_describe_names_the_character() -> None:
    assert fallback.describe("ɛ") == "'ɛ' (U+025B LATIN SMALL LETTER OPEN E)"
    assert fallback.describe("\u200b") == "an invisible character (U+200B ZERO WIDTH SPACE)"


def _latin_letters() -> list[str]:
    blocks = [(0x00C0, 0x024F), (0x1E00, 0x1EFF)]
    return [
        chr(c)
        for lo, hi in blocks
        for c in range(lo, hi + 1)
        if unicodedata.category(chr(c)).startswith("L") and unicodedata.name(chr(c), "").startswith("LATIN")
    ]


def test_every_latin_letter_has_a_font() -> None:
    """Latin-1, Extended-A, -B and Extended Additional: every letter is drawn by one of the fonts."""
    assert "".join(ch for ch in _latin_letters() if undrawable(ch)) == ""


@given(st.text(alphabet=st.sampled_from(_latin_letters() + list(" -'’.\u0301\u0323\u202f")), max_size=30))
def test_runs_give_the_text_back(text: str) -> None:
    """For any text of Latin letters and marks, the runs join to the drawable form."""
    assert joined(segments(text)) == fallback.drawable_form(text)


@pytest.mark.parametrize("name", [name for pair in fallback.FONT_FILES.values() for name in pair])
def test_character_maps_agree_with_fonttools(name: str) -> None:
    """The small cmap reader finds exactly what fontTools finds."""
    path = fallback.font_path(name)
    assert fallback.cmap_codepoints(path.read_bytes()) == set(FontToolsFont(path).getBestCmap())


def test_both_styles_of_each_font_cover_the_same_characters() -> None:
    for regular, bold in fallback.FONT_FILES.values():
        assert fallback.cmap_codepoints(fallback.font_path(regular).read_bytes()) == fallback.cmap_codepoints(
            fallback.font_path(bold).read_bytes()
        )


def test_fallback_is_scaled_to_the_main_capital_height() -> None:
    """Noto's capitals are 714/1000 em, Atkinson's 668/1000: the factor brings them level."""
    assert fallback.scale(MAIN) == 1.0
    assert fallback.scale(FALLBACK) == pytest.approx(668 / 714, abs=0.001)


def test_loading_is_safe_from_many_threads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Threads starting together all see the full maps (loaded once, under the lock)."""
    monkeypatch.setattr(fallback, "_coverage", {})
    results: list[list[tuple[str, str]]] = []
    barrier = threading.Barrier(8)

    def work() -> None:
        barrier.wait()
        results.append(segments("Thị Nguyễn"))

    threads = [threading.Thread(target=work) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and all(r == results[0] for r in results)


# --- the fonts in a PDF -----------------------------------------------------


def _pdf(names: list[str]) -> bytes:
    """One line a name, each run in its font (Noto at the cap-height scale), as the writers will do."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen.canvas import Canvas

    fonts = {}
    for key, files in fallback.FONT_FILES.items():
        for style, file in zip(("", "-Bold"), files, strict=True):
            fonts[key, style] = f"test-fallback-{key}{style}"
            pdfmetrics.registerFont(TTFont(fonts[key, style], str(fallback.font_path(file))))
    out = io.BytesIO()
    canvas = Canvas(out, initialFontName=fonts[MAIN, ""], invariant=1)
    y = 820.0
    for i, name in enumerate(names):
        text = canvas.beginText(40, y)
        for key, run in segments(name):
            text.setFont(fonts[key, "-Bold" if i % 2 else ""], 12 * fallback.scale(key))
            text.textOut(run)
        canvas.drawText(text)
        y -= 14
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@pytest.fixture(scope="module")
def names_pdf() -> bytes:
    return _pdf(NAMES)


def test_names_round_trip_through_pdf_text_extraction(names_pdf: bytes) -> None:
    """pypdf and PDFium read every name back exactly, one a line (NFC)."""
    by_pypdf = pypdf.PdfReader(io.BytesIO(names_pdf)).pages[0].extract_text()
    page = pypdfium2.PdfDocument(names_pdf)[0]
    by_pdfium = page.get_textpage().get_text_bounded()
    for extracted in (by_pypdf, by_pdfium):
        lines = unicodedata.normalize("NFC", extracted).replace("\r\n", "\n").split("\n")
        assert lines == [unicodedata.normalize("NFC", name) for name in NAMES]


def test_every_font_in_the_pdf_is_embedded_and_subset(names_pdf: bytes) -> None:
    reader = pypdf.PdfReader(io.BytesIO(names_pdf))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    base_names = set()
    for ref in fonts.values():
        font = ref.get_object()
        descriptor = font["/FontDescriptor"].get_object()
        assert "/FontFile2" in descriptor, font["/BaseFont"]
        prefix, _, base = str(font["/BaseFont"]).lstrip("/").partition("+")
        assert len(prefix) == 6 and prefix.isupper()
        base_names.add(base)
    assert base_names == {
        "AtkinsonHyperlegible-Regular",
        "AtkinsonHyperlegible-Bold",
        "NotoSans-Regular",
        "NotoSans-Bold",
    }
