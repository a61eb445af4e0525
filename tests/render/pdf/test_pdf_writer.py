"""The one-page PDF (issue 3): page, facts, links, fonts, type size, margins, QR codes, typography."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
import pypdfium2 as pdfium
import pytest
from helpers import A4, ROOT, PdfRenderer, decode_qr, norm, pdf_pages_text
from PIL import Image
from reportlab.pdfbase.ttfonts import TTFont

from generator.errors import RenderError
from generator.people.person import Person
from generator.procedure.model import Procedure, Run, Step
from generator.render import qr
from generator.render.pdf.styles import ACCENT, BLACK
from generator.sheet.compose import personal_box

FONTS = ROOT / "assets" / "fonts"
WEBMAIL = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
MM = 72 / 25.4  # points in a millimetre
MARGIN_MM = 12.0
DPI = 150
BASE14 = {
    "Courier",
    "Courier-Bold",
    "Courier-Oblique",
    "Courier-BoldOblique",
    "Helvetica",
    "Helvetica-Bold",
    "Helvetica-Oblique",
    "Helvetica-BoldOblique",
    "Times-Roman",
    "Times-Bold",
    "Times-Italic",
    "Times-BoldItalic",
    "Symbol",
    "ZapfDingbats",
}

PERSON = Person(
    first_name="Zoé", last_name="Quenneville", identifier="zquenneville", row=2, flags=("homonym",)
)
LONG_PERSON = Person(
    first_name="Marie-Hélène-Françoise-Bernadette-Géraldine",
    last_name="de La Tour d'Auvergne-Lauraguais-Montmorency-Saint-Aignan-Beauvilliers",
    identifier="mde-la-tour-dauvergne-lauraguais-montmorency-saint-aignan-beauvilliers",
    row=3,
)
ROSTER = [
    PERSON,
    Person(first_name="Jean-Pierre", last_name="Le Gall", identifier="jle-gall", row=4),
    LONG_PERSON,
]


# -- fixtures: every document is rendered once for the module ------------------
@pytest.fixture(scope="module")
def renderer(procedure: Procedure) -> PdfRenderer:
    return PdfRenderer(procedure)


@pytest.fixture(scope="module")
def sheet(renderer: PdfRenderer) -> bytes:
    """A personal sheet, rendered before the flyer so that any leak would show on it."""
    return renderer.to_bytes(PERSON)


@pytest.fixture(scope="module")
def flyer(renderer: PdfRenderer, sheet: bytes) -> bytes:
    del sheet  # rendered first on purpose
    return renderer.to_bytes(None)


@pytest.fixture(scope="module")
def long_sheet(renderer: PdfRenderer) -> bytes:
    return renderer.to_bytes(LONG_PERSON)


@pytest.fixture(scope="module")
def print_file(renderer: PdfRenderer) -> bytes:
    out = io.BytesIO()
    assert renderer.render_many(ROSTER, out) == len(ROSTER)
    return out.getvalue()


@pytest.fixture(scope="module")
def other_renderer(request: pytest.FixtureRequest) -> PdfRenderer:
    return PdfRenderer(request.getfixturevalue("other_procedure"))


DOCS = ["flyer", "sheet", "long_sheet"]


def every_page(request: pytest.FixtureRequest) -> Iterator[tuple[str, bytes, int]]:
    """Each one-page document and each page of the print file, named for messages."""
    for name in DOCS:
        yield name, request.getfixturevalue(name), 0
    data = request.getfixturevalue("print_file")
    for i in range(len(ROSTER)):
        yield f"print_file p{i + 1}", data, i
    # The made-up procedure: other captions, two codes, five steps.
    other = request.getfixturevalue("other_renderer")
    yield "other flyer", other.to_bytes(None), 0
    yield (
        "other sheet",
        other.to_bytes(Person("Zoé", "Hervé-Çelik", "zoe-herve-celik", manager="dsden-nulle")),
        0,
    )


# -- reading the content stream like a viewer would ----------------------------
Matrix = tuple[float, float, float, float, float, float]
Colour = tuple[float, float, float]
IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
WHITE: Colour = (1.0, 1.0, 1.0)


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """``m`` applied first, then ``n`` (PDF order: a ``cm`` matrix times the CTM)."""
    a, b, c, d, e, f = m
    p, q, r, s, t, u = n
    return (a * p + b * r, a * q + b * s, c * p + d * r, c * q + d * s, e * p + f * r + t, e * q + f * s + u)


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    return x * m[0] + y * m[2] + m[4], x * m[1] + y * m[3] + m[5]


@dataclass(frozen=True)
class Shown:
    """Text painted by one show operator."""

    size: float  # effective size on the page, in points
    colour: Colour | None
    origin: tuple[float, float]
    font: str
    text: str  # through the font's ToUnicode; U+0000 for a code without a character (.notdef)


@dataclass(frozen=True)
class Filled:
    """A filled path: its colour, its box on the page and how many rectangles made it."""

    colour: Colour | None
    bbox: tuple[float, float, float, float]
    rects: int


def _colour(operator: str, operands: list[float]) -> Colour | None:
    if operator in ("rg", "RG"):
        return (operands[0], operands[1], operands[2])
    if operator in ("g", "G"):
        return (operands[0],) * 3  # type: ignore[return-value]
    if operator in ("k", "K"):
        c, m, y, k = operands
        return ((1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k))
    return None  # sc/scn in some other colour space: unknown, and tests say so


def painted(data: bytes, page: int = 0) -> list[Shown | Filled]:
    """Every text show and every fill of a page, in painting order, form XObjects included."""
    with pikepdf.open(io.BytesIO(data)) as pdf:
        p = pdf.pages[page]
        events: list[Shown | Filled] = []
        _walk(
            pikepdf.parse_content_stream(p), p.obj.get("/Resources", pikepdf.Dictionary()), IDENTITY, events
        )
        return events


def _to_unicode(font: pikepdf.Dictionary) -> dict[int, str]:
    """One-byte codes of a simple font to their characters (bfchar and bfrange of its ToUnicode)."""
    if "/ToUnicode" not in font:
        return {}
    cmap = font.ToUnicode.read_bytes().decode("latin-1")
    out = {}
    for block in re.findall(r"beginbfchar(.*?)endbfchar", cmap, re.S):
        for code, char in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(code, 16)] = bytes.fromhex(char).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", cmap, re.S):
        for lo, hi, first in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            for i, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                out[code] = chr(int(first, 16) + i)
    return out


def _walk(ops: list, resources: pikepdf.Dictionary, ctm: Matrix, events: list[Shown | Filled]) -> None:
    state = {"ctm": ctm, "fill": (0.0, 0.0, 0.0), "font": "", "size": 0.0, "leading": 0.0, "cmap": {}}
    stack: list[dict] = []
    tm = tlm = IDENTITY
    points: list[tuple[float, float]] = []
    rects = 0
    for operands, op in ops:
        name = str(op)
        args = [float(x) if isinstance(x, (int, float, Decimal)) else x for x in operands]
        if name == "q":
            stack.append(dict(state))
        elif name == "Q":
            state = stack.pop()
        elif name == "cm":
            state["ctm"] = _mul(tuple(args), state["ctm"])  # type: ignore[arg-type]
        elif name in ("rg", "g", "k", "sc", "scn"):
            state["fill"] = _colour(name, args)
        elif name == "BT":
            tm = tlm = IDENTITY
        elif name == "Tm":
            tm = tlm = tuple(args)  # type: ignore[assignment]
        elif name in ("Td", "TD"):
            if name == "TD":
                state["leading"] = -args[1]
            tm = tlm = _mul((1, 0, 0, 1, args[0], args[1]), tlm)
        elif name == "TL":
            state["leading"] = args[0]
        elif name == "T*":
            tm = tlm = _mul((1, 0, 0, 1, 0, -state["leading"]), tlm)
        elif name == "Tf":
            font = resources.Font[args[0]]
            state["font"] = str(font.get("/BaseFont", args[0]))
            state["cmap"] = _to_unicode(font)
            state["size"] = args[1]
        elif name in ("Tj", "TJ", "'", '"'):
            if name in ("'", '"'):
                tm = tlm = _mul((1, 0, 0, 1, 0, -state["leading"]), tlm)
            m = _mul(tm, state["ctm"])
            scale = math.hypot(m[2], m[3])  # vertical scaling of text space on the page
            strings = args[-1] if name == "TJ" else [args[-1]]
            codes = b"".join(bytes(x) for x in strings if isinstance(x, pikepdf.String))
            text = "".join(state["cmap"].get(code, "\x00") for code in codes)
            events.append(Shown(state["size"] * scale, state["fill"], (m[4], m[5]), state["font"], text))
        elif name in ("m", "l"):
            points.append(_apply(state["ctm"], args[0], args[1]))
        elif name in ("c", "v", "y"):
            points += [_apply(state["ctm"], args[i], args[i + 1]) for i in range(0, len(args), 2)]
        elif name == "re":
            x, y, w, h = args
            points += [_apply(state["ctm"], x + dx, y + dy) for dx in (0, w) for dy in (0, h)]
            rects += 1
        elif name in ("f", "F", "f*", "B", "B*", "b", "b*", "S", "s", "n"):
            if name not in ("S", "s", "n") and points:
                xs = [pt[0] for pt in points]
                ys = [pt[1] for pt in points]
                events.append(Filled(state["fill"], (min(xs), min(ys), max(xs), max(ys)), rects))
            points, rects = [], 0
        elif name == "Do":
            xobject = resources.XObject[args[0]]
            if xobject.get("/Subtype") == "/Form":
                matrix = tuple(float(v) for v in xobject.get("/Matrix", IDENTITY))
                inner = xobject.get("/Resources", resources)
                _walk(pikepdf.parse_content_stream(xobject), inner, _mul(matrix, state["ctm"]), events)


def shown(data: bytes, page: int = 0) -> list[Shown]:
    return [e for e in painted(data, page) if isinstance(e, Shown)]


def qr_boxes(data: bytes, page: int = 0) -> list[tuple[float, float, float, float]]:
    """Page boxes of the QR codes: the filled paths made of many rectangles."""
    return [e.bbox for e in painted(data, page) if isinstance(e, Filled) and e.rects >= 50]


def render_grey(data: bytes, page: int = 0, dpi: int = DPI) -> Image.Image:
    doc = pdfium.PdfDocument(data)
    try:
        return doc[page].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()


def raw_text(data: bytes, page: int = 0) -> str:
    """The extracted text as pdfium gives it: lines end in CR LF, no-break spaces kept."""
    doc = pdfium.PdfDocument(data)
    try:
        return doc[page].get_textpage().get_text_range()
    finally:
        doc.close()


def flat(text: str) -> str:
    """Text without any whitespace and with typographic apostrophes, to compare wrapped text.

    pdfium reports a hyphen that ends a line as U+FFFE (it may be a soft
    hyphen); names break after their own hyphens, so it stands for "-".
    """
    return "".join(text.replace("\u2019", "'").replace("\ufffe", "-").split())


def luminance(colour: Colour) -> float:
    def channel(v: float) -> float:
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Colour, b: Colour) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def annotations(data: bytes, page: int = 0) -> list[dict[str, str]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        out = []
        for annot in pdf.pages[page].obj.get("/Annots", pikepdf.Array()):
            action = annot.get("/A", pikepdf.Dictionary())
            out.append(
                {
                    "subtype": str(annot.get("/Subtype")),
                    "uri": str(action.get("/URI", "")),
                    "contents": str(annot.get("/Contents", "")),
                }
            )
        return out


def page_sizes(data: bytes) -> list[tuple[float, float]]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return [
            (float(p.mediabox[2] - p.mediabox[0]), float(p.mediabox[3] - p.mediabox[1])) for p in pdf.pages
        ]


def glyph_set(family: str = "AtkinsonHyperlegible") -> frozenset[int]:
    """Characters both faces of ``family`` can draw (read from the TTF files, not from the renderer)."""
    faces = [
        TTFont(f"check-{p.stem}", str(p)).face.charToGlyph for p in sorted(FONTS.glob(f"{family}-*.ttf"))
    ]
    assert len(faces) == 2, faces
    return frozenset(faces[0]) & frozenset(faces[1])


# -- the page ------------------------------------------------------------------
@pytest.mark.parametrize("name", DOCS)
def test_one_a4_portrait_page(request: pytest.FixtureRequest, name: str) -> None:
    """The flyer and personal sheets are exactly one A4 portrait page."""
    sizes = page_sizes(request.getfixturevalue(name))
    assert len(sizes) == 1
    assert sizes[0] == pytest.approx(A4, abs=0.5)


def test_print_file_has_one_a4_page_per_person(print_file: bytes) -> None:
    """The print file has one A4 portrait page per person, in roster order."""
    sizes = page_sizes(print_file)
    assert len(sizes) == len(ROSTER)
    assert all(size == pytest.approx(A4, abs=0.5) for size in sizes)
    texts = [flat(t) for t in pdf_pages_text(print_file)]
    for text, person in zip(texts, ROSTER, strict=True):
        assert flat(person.identifier) in text


def test_other_procedure_gives_one_a4_page(other_renderer: PdfRenderer) -> None:
    """A made-up procedure also renders as one A4 page, flyer and personal sheet."""
    for person in (None, PERSON):
        sizes = page_sizes(other_renderer.to_bytes(person))
        assert len(sizes) == 1
        assert sizes[0] == pytest.approx(A4, abs=0.5)


def test_other_procedure_links_and_codes(other_renderer: PdfRenderer) -> None:
    """A made-up procedure's addresses are clickable and its QR codes decode to them."""
    data = other_renderer.to_bytes(None)
    procedure = other_renderer.procedure
    emails = {f"mailto:{e}" for group in procedure.contacts for e in group.emails}
    assert {a["uri"] for a in annotations(data) if a["subtype"] == "/Link"} == {
        code.url for code in procedure.qr_codes
    } | emails | {"tel:+33999001122"}
    assert decode_qr(data) == sorted(code.url for code in procedure.qr_codes)


# -- every fact of the brief ---------------------------------------------------
FACTS = {
    "1 NUMEN, 13 characters": ["NUMEN", "13 caractères"],
    "2 who gives it": [
        "Lycée Vieljeux",
        "christabel.mineau@ac-poitiers.fr",
        "severine.brache@ac-poitiers.fr",
        "aesh17@ac-poitiers.fr",
    ],
    "3 webmail address": [WEBMAIL.removeprefix("https://")],  # typed without the scheme; the link keeps it
    "4 identifier rule": ["Identifiant :"],  # and what FACT4 says for the document
    "5 password": ["Mot de passe : votre NUMEN", "le nouveau si vous le changez"],
    "6 mailbox": ["arrivez dans votre boîte de messagerie"],
    "7 from a computer": ["« Académie de Poitiers »", "« Authentification »", "comme à l'étape 2"],
    "8 on a phone": ["« Convergence Poitiers »", "Android", "trois points verticaux", "en haut à droite"],
    "9 help line": ["05 16 52 66 86", "lundi au vendredi", "8 h à 17 h 30"],
}
# The flyer says the rule; a personal sheet points at the identifier written at its top.
FACT4 = {
    "flyer": ["l'initiale du prénom", "le nom de naissance", "un espace du nom devient un tiret"],
    "sheet": ["c'est l'identifiant écrit en haut de cette feuille"],
}


def _pieces(fact: str, name: str) -> list[str]:
    return FACTS[fact] + (FACT4[name] if fact.startswith("4 ") else [])


@pytest.mark.parametrize("name", ["flyer", "sheet"])
@pytest.mark.parametrize("fact", FACTS)
def test_every_fact_of_the_brief_is_printed(request: pytest.FixtureRequest, name: str, fact: str) -> None:
    """Each of the brief's nine facts can be read in the extracted text."""
    text = pdf_pages_text(request.getfixturevalue(name))[0].replace("\u2019", "'")
    # The address wraps at the body size (after its & or /): read it without the line break.
    missing = [
        piece
        for piece in _pieces(fact, name)
        if norm(piece) not in text and piece not in text.replace(" ", "")
    ]
    assert not missing, f"fact {fact}: not found {missing}"


def test_every_fact_of_the_brief_is_on_each_print_page(print_file: bytes) -> None:
    """Each page of the print file carries the brief's facts too (the shared form is drawn)."""
    for i, page in enumerate(pdf_pages_text(print_file)):
        text = page.replace("\u2019", "'")
        missing = [
            piece
            for fact in FACTS
            for piece in _pieces(fact, "sheet")
            if norm(piece) not in text and piece not in text.replace(" ", "")
        ]
        assert not missing, f"page {i + 1}: not found {missing}"


# -- links ---------------------------------------------------------------------
@pytest.mark.parametrize("name", DOCS)
def test_every_url_is_a_link_with_contents(
    request: pytest.FixtureRequest, procedure: Procedure, name: str
) -> None:
    """Every address of the data (web and email) is a clickable /Link with its exact /URI and /Contents."""
    annots = annotations(request.getfixturevalue(name))
    links = [a for a in annots if a["subtype"] == "/Link"]
    emails = {f"mailto:{e}" for group in procedure.contacts for e in group.emails}
    tel = {"tel:+33516526686"}  # the help line, dialled from a phone's PDF reader
    assert {a["uri"] for a in links} == {code.url for code in procedure.qr_codes} | emails | tel
    assert WEBMAIL in {a["uri"] for a in links}
    assert all(a["contents"].strip() for a in links), links


# -- fonts ---------------------------------------------------------------------
def _font_dicts(resources: pikepdf.Dictionary, seen: set[tuple[int, int]]) -> Iterator[pikepdf.Dictionary]:
    """Every font dictionary reachable from a resource dictionary, through form XObjects."""
    for font in resources.get("/Font", pikepdf.Dictionary()).values():
        yield font
        yield from font.get("/DescendantFonts", pikepdf.Array())
    for xobject in resources.get("/XObject", pikepdf.Dictionary()).values():
        if xobject.get("/Subtype") == "/Form" and xobject.objgen not in seen:
            seen.add(xobject.objgen)
            yield from _font_dicts(xobject.get("/Resources", pikepdf.Dictionary()), seen)


def font_problems(data: bytes) -> tuple[list[str], list[str]]:
    """The fonts used (base names) and what is wrong with them: not embedded, or a base-14 font."""
    names: list[str] = []
    problems: list[str] = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        fonts = [
            f
            for page in pdf.pages
            for f in _font_dicts(page.obj.get("/Resources", pikepdf.Dictionary()), set())
        ]
        # Anything the page tree does not reach but the file still holds (a stray font object).
        fonts += [o for o in pdf.objects if isinstance(o, pikepdf.Dictionary) and o.get("/Type") == "/Font"]
        for font in fonts:
            base = str(font.get("/BaseFont", "?")).lstrip("/")
            names.append(base)
            if base.split("+")[-1] in BASE14:
                problems.append(f"base-14 font {base}")
            if font.get("/Subtype") == "/Type0":
                continue  # checked through its descendant
            descriptor = font.get("/FontDescriptor")
            files = ("/FontFile", "/FontFile2", "/FontFile3")
            if descriptor is None or not any(k in descriptor for k in files):
                problems.append(f"{base} is not embedded")
    return names, problems


@pytest.mark.parametrize("name", [*DOCS, "print_file"])
def test_every_font_is_embedded(request: pytest.FixtureRequest, name: str) -> None:
    """Every font in the file is embedded; no Helvetica or other base-14 font appears anywhere."""
    names, problems = font_problems(request.getfixturevalue(name))
    assert names, "no font found: the walk is broken"
    assert not problems
    assert all("AtkinsonHyperlegible" in n for n in names), names


def test_font_check_catches_an_unembedded_font() -> None:
    """The font check fails on a file that uses Helvetica (the check itself can fail)."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    c = Canvas(out)
    c.drawString(100, 100, "Helvetica")
    c.save()
    _names, problems = font_problems(out.getvalue())
    assert any("Helvetica" in p for p in problems)


# -- type size -----------------------------------------------------------------
def test_no_text_smaller_than_10_pt(request: pytest.FixtureRequest) -> None:
    """No text anywhere (flyer, sheets, every print page) is drawn under 10 pt."""
    smallest = {}
    for name, data, page in every_page(request):
        sizes = [s.size for s in shown(data, page)]
        assert len(sizes) > 20, f"{name}: too little text found, the content walk is broken"
        smallest[name] = min(sizes)
    assert all(size >= 10 - 1e-6 for size in smallest.values()), smallest


def test_body_text_of_the_flyer_is_12_pt(flyer: bytes) -> None:
    """The flyer's body text (its most common size) is the 12 pt the brief aims for, at least 10."""
    sizes = [round(s.size, 2) for s in shown(flyer)]
    body = max(set(sizes), key=sizes.count)
    assert body >= 10
    assert body == pytest.approx(12, abs=0.01)


def test_sizes_track_the_text_matrix() -> None:
    """The size reader multiplies Tf by the text and graphics matrices (so a scaled 20 pt is caught)."""
    from reportlab.pdfgen.canvas import Canvas

    out = io.BytesIO()
    c = Canvas(out, initialFontName="Times-Roman")
    c.scale(0.4, 0.4)
    c.setFont("Times-Roman", 20)
    c.drawString(100, 100, "small")
    c.save()
    assert min(s.size for s in shown(out.getvalue())) == pytest.approx(8)


# -- margins -------------------------------------------------------------------
def ink_margins_mm(data: bytes, page: int = 0) -> tuple[float, float, float, float]:
    """Distance from each page edge (left, top, right, bottom) to the nearest non-white pixel, in mm."""
    image = render_grey(data, page)
    ink = image.point(lambda v: 255 if v < 255 else 0)
    box = ink.getbbox()
    assert box is not None, "blank page"
    left, top, right, bottom = box
    px = 25.4 / DPI
    return left * px, top * px, (image.width - right) * px, (image.height - bottom) * px


def test_nothing_drawn_in_the_12_mm_margins(request: pytest.FixtureRequest) -> None:
    """The outer 12 mm band on every side of every page is pure white (office printers)."""
    margins = {name: ink_margins_mm(data, page) for name, data, page in every_page(request)}
    # One pixel of anti-aliasing is allowed at the band's inner edge.
    tolerance = 25.4 / DPI
    bad = {n: tuple(round(v, 1) for v in m) for n, m in margins.items() if min(m) < MARGIN_MM - tolerance}
    assert not bad, f"ink inside the margins (left, top, right, bottom in mm): {bad}"


def test_margin_check_sees_ink_near_the_edge(flyer: bytes) -> None:
    """The margin reader finds a mark drawn 5 mm from the edge (the check itself can fail)."""
    with pikepdf.open(io.BytesIO(flyer)) as pdf:
        pdf.pages[0].contents_add(pikepdf.Stream(pdf, b"q 0 g 14.17 400 5 5 re f Q"), prepend=False)
        out = io.BytesIO()
        pdf.save(out)
    assert ink_margins_mm(out.getvalue())[0] == pytest.approx(5, abs=0.5)


# -- QR codes ------------------------------------------------------------------
def test_qr_codes_decode_on_the_flyer(flyer: bytes, procedure: Procedure) -> None:
    """Every QR code of the flyer, read from a 150 dpi greyscale render, gives its exact address."""
    expected = sorted(code.url for code in procedure.qr_codes)
    assert expected == [WEBMAIL]
    assert decode_qr(flyer, dpi=150) == expected


def test_qr_codes_decode_on_a_personal_sheet(sheet: bytes, long_sheet: bytes, procedure: Procedure) -> None:
    """The personal sheets' QR codes decode to their exact addresses."""
    expected = sorted(code.url for code in procedure.qr_codes)
    assert decode_qr(sheet, dpi=150) == expected
    assert decode_qr(long_sheet, dpi=150) == expected


def test_qr_codes_decode_on_every_print_page(print_file: bytes, procedure: Procedure) -> None:
    """Each page of the print file (shared form or not) has its QR codes, decoding to the addresses."""
    expected = sorted(code.url for code in procedure.qr_codes)
    for page in range(len(ROSTER)):
        assert decode_qr(print_file, page=page, dpi=150) == expected, f"page {page + 1}"


def test_qr_printed_size(request: pytest.FixtureRequest, procedure: Procedure) -> None:
    """Each QR code is square and 25 mm or more without its quiet zone, on every page."""
    other = request.getfixturevalue("other_renderer").procedure
    for name, data, page in every_page(request):
        boxes = qr_boxes(data, page)
        assert len(boxes) == len((other if name.startswith("other") else procedure).qr_codes), name
        for x0, y0, x1, y1 in boxes:
            width_mm, height_mm = (x1 - x0) / MM, (y1 - y0) / MM
            assert width_mm == pytest.approx(height_mm, abs=0.05)
            assert width_mm >= 25, f"{name}: QR code {width_mm:.1f} mm"


def quiet_zone_ink(data: bytes, page: int, box: tuple[float, float, float, float], modules: int) -> int:
    """The darkest grey level in the 4-module ring around a QR code (255: nothing drawn there)."""
    x0, y0, x1, y1 = box
    scale = DPI / 72
    quiet = 4 * (x1 - x0) / modules
    # The ring between the code and its quiet-zone edge, less a pixel each side for anti-aliasing.
    outer = (
        round((x0 - quiet) * scale) + 1,
        round((A4[1] - y1 - quiet) * scale) + 1,
        round((x1 + quiet) * scale) - 1,
        round((A4[1] - y0 + quiet) * scale) - 1,
    )
    ring = render_grey(data, page).crop(outer)
    # The code's own edge may fall mid-pixel: two pixels of anti-aliasing around it are its own.
    inner = (
        round(x0 * scale) - outer[0] - 2,
        round((A4[1] - y1) * scale) - outer[1] - 2,
        round(x1 * scale) - outer[0] + 2,
        round((A4[1] - y0) * scale) - outer[1] + 2,
    )
    ring.paste(255, inner)
    return ring.getextrema()[0]


def test_qr_quiet_zone_is_white(request: pytest.FixtureRequest, procedure: Procedure) -> None:
    """Nothing is drawn in the 4-module quiet zone around any QR code."""
    other = request.getfixturevalue("other_renderer").procedure
    for name, data, page in every_page(request):
        codes = (other if name.startswith("other") else procedure).qr_codes
        # Codes stand in step order, from the top of the page down.
        boxes = sorted(qr_boxes(data, page), key=lambda b: -b[3])
        for box, code in zip(boxes, codes, strict=True):
            modules = len(qr.matrix(code.url))
            assert quiet_zone_ink(data, page, box, modules) == 255, f"{name}: ink in the QR quiet zone"


# -- reproducible bytes --------------------------------------------------------
def test_same_data_gives_the_same_bytes(
    renderer: PdfRenderer, procedure: Procedure, flyer: bytes, sheet: bytes, print_file: bytes
) -> None:
    """Rendering again, even with a fresh renderer, gives byte-identical files."""
    fresh = PdfRenderer(procedure)
    assert renderer.to_bytes(None) == flyer == fresh.to_bytes(None)
    assert renderer.to_bytes(PERSON) == sheet == fresh.to_bytes(PERSON)
    again = io.BytesIO()
    fresh.render_many(ROSTER, again)
    assert again.getvalue() == print_file


SCRIPT = """
import hashlib
from generator.procedure.schema import load_procedure
from generator.people.person import Person
from generator import compose, render_sheet
procedure = load_procedure()
p = Person(first_name="Zoé", last_name="Quenneville", identifier="zquenneville", row=2, flags=("homonym",))
flyer, sheet = render_sheet(compose(procedure), "pdf"), render_sheet(compose(procedure, p), "pdf")
print(hashlib.sha256(flyer).hexdigest(), hashlib.sha256(sheet).hexdigest())
"""


def test_same_bytes_across_processes(flyer: bytes, sheet: bytes) -> None:
    """Two separate processes (different hash seeds) write the same bytes as this one."""
    expected = f"{hashlib.sha256(flyer).hexdigest()} {hashlib.sha256(sheet).hexdigest()}"
    for seed in ("1", "2"):
        result = subprocess.run(
            [sys.executable, "-c", SCRIPT],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert result.stdout.strip() == expected


# -- overflow ------------------------------------------------------------------
def _overflowing(procedure: Procedure, extra_steps: int) -> Procedure:
    long = (
        "Vérifiez chaque information avec votre service gestionnaire avant de poursuivre, "
        "puis notez-la sur cette feuille pour la retrouver plus tard. "
    ) * 3
    start = len(procedure.steps) + 1
    steps = tuple(
        Step(number=n, heading=f"Étape ajoutée {n}", paragraphs=((Run(long),), (Run(long),)))
        for n in range(start, start + extra_steps)
    )
    return dataclasses.replace(procedure, steps=procedure.steps + steps)


def _overflow_mm(procedure: Procedure) -> int:
    with pytest.raises(RenderError) as caught:
        PdfRenderer(procedure)
    message = str(caught.value)
    match = re.search(r"(\d+) mm too tall", message)
    assert match, message
    assert "one A4 page" in message and "10 pt" in message
    return int(match.group(1))


def test_content_that_cannot_fit_raises_with_the_overflow_in_mm(procedure: Procedure) -> None:
    """A procedure too long for one page raises RenderError saying by how many mm, more for more text."""
    few = _overflow_mm(_overflowing(procedure, 3))
    many = _overflow_mm(_overflowing(procedure, 8))
    assert 0 < few < many


# -- French typography and characters -------------------------------------------
def _breaks_at_no_break_points(text: str) -> list[str]:
    """Lines that start with : ; ! ? » or end with «: a no-break space was broken."""
    lines = [line.strip(" \u00a0") for line in text.split("\r\n") if line.strip()]
    return [line for line in lines if line[0] in ":;!?»" or line.endswith("«")]


def test_lines_never_break_at_french_no_break_spaces(procedure: Procedure) -> None:
    """Text dense in « : ; ? » never wraps at a no-break space (and would with plain spaces)."""

    def dense(shift: int) -> str:
        # Words of varying length move the line breaks across the units.
        return "".join(
            f"{'m' * ((i + shift) % 9 + 1)} pièce\u00a0: mot\u00a0; «\u00a0Convergence\u00a0» aide\u00a0? "
            for i in range(14)
        )

    def lines_of(paragraph: str) -> str:
        step = dataclasses.replace(procedure.steps[2], paragraphs=((Run(paragraph),),))
        changed = dataclasses.replace(procedure, steps=(*procedure.steps[:2], step, *procedure.steps[3:]))
        text = raw_text(PdfRenderer(changed).to_bytes(None))
        assert text.count("pièce") == 14
        return text

    shifts = range(0, 9, 2)
    assert [_breaks_at_no_break_points(lines_of(dense(k))) for k in shifts] == [[] for _ in shifts]
    # The same texts with plain spaces do break there: the check can see it.
    assert any(_breaks_at_no_break_points(lines_of(dense(k).replace("\u00a0", " "))) for k in shifts)


def _not_in_font(data: bytes, page: int = 0) -> list[str]:
    """Characters drawn that the faces lack, and codes drawn with no character (.notdef boxes)."""
    # Atkinson Hyperlegible, and Noto Sans for the letters of names it lacks.
    glyphs = glyph_set() | glyph_set("NotoSans")
    drawn = "".join(s.text for s in shown(data, page))
    assert len(drawn) > 300, "too little text: the content walk is broken"
    return sorted({f"U+{ord(ch):04X}" for ch in drawn if ch == "\x00" or ord(ch) not in glyphs})


def test_every_character_drawn_exists_in_the_font(request: pytest.FixtureRequest) -> None:
    """Every code shown on every page maps to a character that both embedded faces have."""
    for name, data, page in every_page(request):
        assert not _not_in_font(data, page), name
        assert "\u202f" not in raw_text(data, page), name


def test_characters_the_font_lacks_are_drawn_by_the_fallback_font(renderer: PdfRenderer) -> None:
    """A name with U+202F and Vietnamese letters is drawn exactly, every character in an embedded font."""
    glyphs = glyph_set()
    person = Person(first_name="Thị\u202fNgọc", last_name="Nguyễn", identifier="tnguyen", row=5)
    assert any(ord(ch) not in glyphs for ch in person.first_name + person.last_name)
    data = renderer.to_bytes(person)
    assert not _not_in_font(data)
    text = raw_text(data)
    assert "\u202f" not in text
    assert "Thị Ngọc Nguyễn" in norm(text) and "tnguyen" in text


def test_a_character_no_font_has_refuses_the_sheet_naming_it(renderer: PdfRenderer) -> None:
    """CJK (or an emoji) is in no embedded font: RenderError names it, no "?" is ever printed."""
    with pytest.raises(RenderError, match="U\\+674E"):
        renderer.to_bytes(Person(first_name="Li", last_name="Nguyễn 李", identifier="lnguyen", row=5))


def test_no_replacement_mark_where_the_data_has_none(flyer: bytes, procedure: Procedure) -> None:
    """The flyer draws no '?' beyond those in the data (the help label and the URL)."""
    data_marks = sum(s.count("?") for s in (procedure.help.label, WEBMAIL))
    assert raw_text(flyer).count("?") == data_marks


# -- contrast ------------------------------------------------------------------
def _background(events: list[Shown | Filled], index: int, text: Shown) -> Colour:
    """The colour of the last filled shape painted under a text's origin before it; white paper else."""
    x, y = text.origin
    y += text.size * 0.3  # inside the glyphs, not on the baseline
    for event in reversed(events[:index]):
        if isinstance(event, Filled) and event.colour is not None:
            x0, y0, x1, y1 = event.bbox
            if x0 <= x <= x1 and y0 <= y <= y1:
                return event.colour
    return WHITE


def text_contrasts(data: bytes, page: int = 0) -> dict[tuple[Colour, Colour], float]:
    events = painted(data, page)
    pairs = {}
    for i, event in enumerate(events):
        if isinstance(event, Shown):
            assert event.colour is not None, "text in an unknown colour space"
            background = _background(events, i, event)
            pairs[(event.colour, background)] = contrast(event.colour, background)
    return pairs


def _rgb(colour: object) -> Colour:
    return tuple(round(v, 6) for v in colour.rgb())  # type: ignore[attr-defined,return-value]


def test_text_contrast_is_at_least_4_5(request: pytest.FixtureRequest) -> None:
    """Every text colour against the shape painted under it reaches 4.5:1 (WCAG AA)."""
    for name, data, page in every_page(request):
        pairs = text_contrasts(data, page)
        low = {pair: round(ratio, 2) for pair, ratio in pairs.items() if ratio < 4.5}
        assert not low, f"{name}: {low}"
        # No solid areas (toner): every text stands on white paper.
        backgrounds = {tuple(round(v, 3) for v in bg) for _fg, bg in pairs}
        assert backgrounds == {(1.0, 1.0, 1.0)}, name


def test_palette_contrast() -> None:
    """The renderer's colours: accent and near-black on white, white on accent, all 4.5:1 or more."""
    assert contrast(_rgb(ACCENT), WHITE) >= 4.5
    assert contrast(_rgb(BLACK), WHITE) >= 4.5
    assert contrast((0.6, 0.6, 0.6), WHITE) < 4.5  # a light grey would be caught


# -- person data ---------------------------------------------------------------
def test_personal_sheet_shows_the_person(sheet: bytes, procedure: Procedure) -> None:
    """The personal sheet shows its heading, the name, the identifier, the homonym note, the NUMEN label."""
    text = flat(pdf_pages_text(sheet)[0])
    box = personal_box(procedure, PERSON)
    assert flat(box.labels.heading) in text
    assert flat("Zoé Quenneville") in text  # as the roster writes it: no capitals forced
    assert flat(box.labels.identifier_label + " zquenneville") in text
    assert flat(box.homonym_note) in text
    assert flat(box.labels.numen_label) in text


def test_no_person_data_on_the_flyer(flyer: bytes, procedure: Procedure) -> None:
    """The generic flyer carries no name, identifier or personal-box text, even after a sheet was drawn."""
    text = flat(pdf_pages_text(flyer)[0]).lower()
    box = personal_box(procedure, PERSON)
    for piece in (
        "Zoé",
        "Quenneville",
        "zquenneville",
        box.labels.heading,
        box.labels.numen_label,
        box.homonym_note,
        box.labels.numen_note,
    ):
        assert flat(piece).lower() not in text, piece
    assert b"Quenneville" not in flyer and "Quenneville".encode("utf-16-be") not in flyer
    with pikepdf.open(io.BytesIO(flyer)) as pdf:
        assert str(pdf.docinfo["/Title"]) == procedure.meta.title


@pytest.mark.parametrize(
    "first_name",
    [
        "O'Brien & <i>Fils</i>",
        '<img src="/etc/passwd">',
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_markup_in_a_name_is_printed_as_typed(renderer: PdfRenderer, first_name: str) -> None:
    """A name that looks like markup is drawn as literal text, with no error and no extra link."""
    data = renderer.to_bytes(Person(first_name=first_name, last_name="Martin", identifier="omartin", row=6))
    assert flat(first_name) in flat(pdf_pages_text(data)[0])
    assert all(not a["uri"].startswith("javascript") for a in annotations(data))


def test_a_very_long_name_still_fits_one_page(long_sheet: bytes) -> None:
    """A very long name and identifier give one page with both printed in full."""
    assert len(page_sizes(long_sheet)) == 1
    text = flat(pdf_pages_text(long_sheet)[0])
    assert flat(LONG_PERSON.first_name) in text
    assert flat(LONG_PERSON.last_name) in text
    assert flat(LONG_PERSON.identifier) in text


def test_the_longest_names_the_roster_accepts_fit_one_page(procedure: Procedure) -> None:
    """At the roster's length limits, in the widest letters, the personal PDF is still one page."""
    from generator.people.cells import MAX_FAMILY_NAME, MAX_FIRST_NAME, MAX_IDENTIFIER

    person = Person(
        "W" * MAX_FIRST_NAME,
        "W" * MAX_FAMILY_NAME,
        "w" * MAX_IDENTIFIER,
        birth_name="M" * MAX_FAMILY_NAME,
        manager="aesh17",
    )
    data = PdfRenderer(procedure).to_bytes(person)
    assert len(page_sizes(data)) == 1
    assert flat("w" * MAX_IDENTIFIER) in flat(pdf_pages_text(data)[0])


def _font_programs(data: bytes) -> list[bytes]:
    with pikepdf.open(io.BytesIO(data)) as pdf:
        return sorted(
            bytes(obj.read_raw_bytes())
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and "/Length1" in obj
        )


def test_sheets_share_their_font_subsets_and_a_rare_letter_is_still_embedded(procedure: Procedure) -> None:
    """Two ordinary names give identical embedded subsets (written once a run); a rare letter still prints."""
    renderer = PdfRenderer(procedure)
    zoe = renderer.to_bytes(Person("Zoé", "Lefèvre", "zlefevre"))
    jean = renderer.to_bytes(Person("Jean-Noël", "Dupont", "jdupont"))
    assert _font_programs(zoe) == _font_programs(jean)
    rare = renderer.to_bytes(Person("Łucja", "Wałęsa", "lwalesa"))
    assert _font_programs(rare) != _font_programs(zoe)
    assert "Łucja Wałęsa" in pdf_pages_text(rare)[0]


def test_the_font_subset_cache_stays_small_over_names_with_rare_letters(procedure: Procedure) -> None:
    """Many names with rare letters: the per-font subset cache keeps a bounded number of entries."""
    from reportlab.pdfbase import pdfmetrics

    from generator.render.pdf.fonts import CACHE_SIZE, FONT

    renderer = PdfRenderer(procedure)
    rare = "ĀĂĄĆĈĊČĎĐĒĔĖĘĚĜĞĠĢĤĦĨĪĬĮĴĶĹĻĽĿŁŃŅŇŌŎŐŔŖŘŚŜŞŠŢŤŦŨŪŬŮŰŲŴŶŹŻŽ"
    for i in range(CACHE_SIZE + 10):
        renderer.to_bytes(Person(f"Zo{rare[i % len(rare)]}{rare[(3 * i) % len(rare)]}", "Dupont", "zdupont"))
    assert len(pdfmetrics.getFont(FONT)._cache) <= CACHE_SIZE
