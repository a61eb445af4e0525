"""Fonts embedded in a DOCX: the package parts, the obfuscation, and LibreOffice drawing with them."""

from __future__ import annotations

import io
import subprocess
import unicodedata
import zipfile
from pathlib import Path

import docx
import pypdf
import pypdfium2
import pytest
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from helpers import ISSUE_NAMES, soffice_available, soffice_to_pdf
from lxml import etree

from generator.render import docx_fonts, fallback

W = docx_fonts.W
NOTO = {
    "regular": fallback.font_path("NotoSans-Regular.ttf"),
    "bold": fallback.font_path("NotoSans-Bold.ttf"),
}
ATKINSON = {
    "regular": fallback.font_path("AtkinsonHyperlegible-Regular.ttf"),
    "bold": fallback.font_path("AtkinsonHyperlegible-Bold.ttf"),
}
FAMILIES = {fallback.MAIN: "Atkinson Hyperlegible", fallback.FALLBACK: "Noto Sans"}
# Names whose letters all have a precomposed form: LibreOffice prints each as
# one glyph cluster, which text extraction gives back in order. (A mark with
# no precomposed form, Ẹ́, is drawn right but extracted after the next letters.)
NAMES = [
    *ISSUE_NAMES,
    "Ɓuuba Ɗiallo",
    "Ștefan Țiriac",
    "Kaʻiulani",
    "Ħamrun Ġużeppi",
]


def _names_docx(main_family: str = "Atkinson Hyperlegible") -> bytes:
    """One paragraph a name, each run naming the font segments() chose for it (the second half bold)."""
    document = docx.Document()
    for i, name in enumerate(NAMES):
        paragraph = document.add_paragraph()
        for key, text in fallback.segments(name):
            run = paragraph.add_run(text)
            run.bold = i >= len(NAMES) // 2
            family = FAMILIES[key] if key == fallback.FALLBACK else main_family
            fonts = OxmlElement("w:rFonts")
            for attribute in ("ascii", "hAnsi", "cs", "eastAsia"):
                fonts.set(qn(f"w:{attribute}"), family)
            run._r.get_or_add_rPr().insert(0, fonts)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _parts(package: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(package)) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_obfuscation_follows_ecma_376() -> None:
    """Bytes 0–31 are XORed with the GUID's 16 bytes read from the last pair to the first; the rest is kept."""
    key = "{01234567-89AB-CDEF-0011-223344556677}"
    data = bytes(range(64))
    hex_digits = key.strip("{}").replace("-", "")
    guid = [int(hex_digits[i : i + 2], 16) for i in range(0, 32, 2)]
    expected = bytes(b ^ guid[15 - i % 16] for i, b in enumerate(data[:32])) + data[32:]
    assert docx_fonts.obfuscate(data, key) == expected
    assert docx_fonts.obfuscate(expected, key) == data


def test_font_keys_are_guids_that_depend_on_the_font() -> None:
    regular, bold = (NOTO[s].read_bytes() for s in ("regular", "bold"))
    key = docx_fonts.font_key(regular)
    assert len(key) == 38 and key.startswith("{") and key.endswith("}") and key == key.upper()
    assert key == docx_fonts.font_key(regular) != docx_fonts.font_key(bold)


def test_the_package_carries_the_fonts() -> None:
    """fontTable names each file with its key, the relationships lead to it, it is typed, and it decodes to the TTF."""
    package = docx_fonts.embed_fonts(_names_docx(), "Noto Sans", NOTO)
    parts = _parts(package)
    table = etree.fromstring(parts["word/fontTable.xml"])
    (font,) = [f for f in table.iterfind(f"{{{W}}}font") if f.get(f"{{{W}}}name") == "Noto Sans"]
    rels = {
        rel.get("Id"): rel
        for rel in etree.fromstring(parts["word/_rels/fontTable.xml.rels"])
        if rel.get("Id")
    }
    embeds = [el for el in font if etree.QName(el).localname.startswith("embed")]
    assert [etree.QName(el).localname for el in embeds] == ["embedRegular", "embedBold"]
    for element, style in zip(embeds, ("regular", "bold"), strict=True):
        rel = rels[element.get(qn("r:id"))]
        assert rel.get("Type") == docx_fonts.FONT_REL
        data = parts["word/" + rel.get("Target")]
        assert docx_fonts.obfuscate(data, element.get(qn("w:fontKey"))) == NOTO[style].read_bytes()
    types = etree.fromstring(parts["[Content_Types].xml"])
    assert any(
        d.get("Extension") == "odttf" and d.get("ContentType") == docx_fonts.ODTTF_TYPE
        for d in types.iter("{*}Default")
    )
    settings = [etree.QName(el).localname for el in etree.fromstring(parts["word/settings.xml"])]
    # CT_Settings is a sequence: after zoom, before everything else python-docx writes.
    assert settings[: settings.index("embedTrueTypeFonts") + 2] == [
        "zoom",
        "embedTrueTypeFonts",
        "proofState",
    ]
    # Word's reader, python-docx here, still opens it and sees every name.
    texts = [p.text for p in docx.Document(io.BytesIO(package)).paragraphs]
    assert texts == NAMES


def test_embedding_is_reproducible_and_replaces_earlier_files() -> None:
    base = _names_docx()
    once = docx_fonts.embed_fonts(base, "Noto Sans", NOTO)
    assert once == docx_fonts.embed_fonts(base, "Noto Sans", NOTO)
    twice = docx_fonts.embed_fonts(once, "Noto Sans", NOTO)
    fonts = sorted(name for name in _parts(twice) if name.startswith("word/fonts/"))
    assert fonts == ["word/fonts/font1.odttf", "word/fonts/font2.odttf"]
    both = docx_fonts.embed_fonts(once, "Atkinson Hyperlegible", ATKINSON)
    assert len([name for name in _parts(both) if name.endswith(".odttf")]) == 4


def test_an_unknown_style_is_refused() -> None:
    with pytest.raises(ValueError, match="semibold"):
        docx_fonts.embed_fonts(_names_docx(), "Noto Sans", {"semibold": NOTO["bold"]})


# --- LibreOffice -------------------------------------------------------------


def _fonts_of(pdf: Path) -> set[str]:
    """The embedded fonts of page 1, without their subset prefix (as pdffonts lists them)."""
    names = set()
    for ref in pypdf.PdfReader(pdf).pages[0]["/Resources"]["/Font"].values():
        font = ref.get_object()
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]
        names.add(str(font["/BaseFont"]).split("+", 1)[-1])
    return names


def _noto_installed() -> bool:
    try:
        out = subprocess.run(["fc-list", "Noto Sans"], capture_output=True, text=True, check=False).stdout
    except FileNotFoundError:
        return False
    return bool(out.strip())


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The names DOCX with the two families embedded, and without, printed by LibreOffice.

    Two soffice calls: LibreOffice keeps a document's embedded fonts for the
    rest of the process, so a file converted after it in the same call would
    get them too.
    """
    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("docx-fonts")
    embedded = docx_fonts.embed_fonts(_names_docx(), "Noto Sans", NOTO)
    embedded = docx_fonts.embed_fonts(embedded, "Atkinson Hyperlegible", ATKINSON)
    pdfs = {}
    for stem, data in {"embedded": embedded, "bare": _names_docx()}.items():
        path = folder / f"{stem}.docx"
        path.write_bytes(data)
        (pdfs[stem],) = soffice_to_pdf([path], folder / "pdf")
    return pdfs


@pytest.mark.soffice
def test_libreoffice_draws_names_with_the_embedded_fonts(printed: dict[str, Path]) -> None:
    """Noto Sans and Atkinson Hyperlegible, installed nowhere, come from the package and are embedded in the PDF."""
    assert _fonts_of(printed["embedded"]) == {
        "NotoSans-Regular",
        "NotoSans-Bold",
        "AtkinsonHyperlegible-Regular",
        "AtkinsonHyperlegible-Bold",
    }
    if not _noto_installed():
        # Without the embedded files LibreOffice substitutes a system font.
        assert not {"NotoSans-Regular", "AtkinsonHyperlegible-Regular"} & _fonts_of(printed["bare"])


@pytest.mark.soffice
def test_names_printed_by_libreoffice_extract_exactly(printed: dict[str, Path]) -> None:
    """PDFium (which reads LibreOffice's ActualText for Noto's decomposed ị ặ) gives every name back, NFC."""
    page = pypdfium2.PdfDocument(printed["embedded"])[0]
    text = unicodedata.normalize("NFC", page.get_textpage().get_text_bounded())
    assert text.replace("\r\n", "\n").split("\n") == NAMES
