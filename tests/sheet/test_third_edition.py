"""The sheet's third edition: 12 pt on every sheet, the identifier and the address whole, a first-timer's words."""

from __future__ import annotations

import datetime
import io
from pathlib import Path

import pikepdf
import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from docx import Document
from docx.oxml.ns import qn
from helpers import norm, pdf_link_uris, pdf_pages_text, soffice_available, soffice_to_pdf
from helpers_ink import MAX_COVERAGE, ink_coverage
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from generator import compose
from generator import render_sheet as render
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.procedure.schema import load_procedure
from generator.render.fit_report import body_size
from generator.render.pdf import PdfWriter
from generator.sheet.compose import compose_page

MM = 72 / 25.4
WEBMAIL = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"
TYPED = WEBMAIL.removeprefix("https://")
LONG = Person(
    "Marie-Hélène-Clémentine",
    "de La Rochefoucauld-Montbazon",
    "mde-la-rochefoucauld-montbazon",
    manager="aesh17",
    row=2,
)
# Every variant of the page: the flyer and each kind of personal box.
VARIANTS: dict[str, Person | None] = {
    "flyer": None,
    "plain": Person("Marie", "Dupont", "mdupont", manager="vieljeux", row=2),
    "homonym": Person("Marie", "Dupont", "mdupont", manager="vieljeux", row=2, flags=("homonym",)),
    "long name": LONG,
    "birth name": Person("Françoise", "Martin", "flefevre", birth_name="Lefèvre", manager="aesh17", row=2),
    "unsure": Person("Kɔfi", "Mɛnsah", "kmensah", row=2, flags=("unsure",)),
    "unsure, birth name, no office": Person(
        "Marie-Hélène", "Lefèvre-Dupont", "mlefevre-dupont", birth_name="Martin", flags=("unsure",)
    ),
}
# Several of those at once: the homonym note is not said when the identifier is to be confirmed anyway
# (the service confirms it with its digit), and the note no longer repeats the identifier: 12 pt.
COMBINED = Person(
    "Marie-Hélène", "Lefèvre-Dupont", "mlefevre-dupont", birth_name="Martin", flags=("unsure", "homonym")
)


def _pdf(procedure: Procedure, who: str) -> bytes:
    return render(compose(procedure, VARIANTS[who]), "pdf")


def _sizes_of(data: bytes, text: str) -> set[float]:
    """Font sizes of the characters of the first line of the page that holds ``text``."""
    doc = pdfium.PdfDocument(data)
    try:
        page = doc[0].get_textpage()
        full = page.get_text_range()
        start = full.index(text)
        return {
            round(pdfium_c.FPDFText_GetFontSize(page.raw, i), 1)
            for i in range(start, start + len(text))
            if full[i].strip()
        }
    finally:
        doc.close()


def _lines(data: bytes) -> list[str]:
    doc = pdfium.PdfDocument(data)
    try:
        return [norm(line) for line in doc[0].get_textpage().get_text_range().splitlines()]
    finally:
        doc.close()


# -- 12 pt everywhere ---------------------------------------------------------------
@pytest.mark.parametrize("who", VARIANTS)
def test_the_body_is_12_pt_on_every_variant(procedure: Procedure, who: str) -> None:
    """Flyer, plain, homonym, long name, birth name, unsure: the steps and the address at 12 pt."""
    data = _pdf(procedure, who)
    assert _sizes_of(data, "Le NUMEN est un code de 13") == {12.0}
    assert _sizes_of(data, "La page demande Identifiant") == {12.0}
    assert _sizes_of(data, TYPED) == {12.0}


@pytest.mark.parametrize("who", VARIANTS)
def test_the_docx_of_every_variant_is_set_at_12_pt(procedure: Procedure, who: str) -> None:
    """The DOCX's own fit (its estimate, on the cautious side) keeps 12 pt for each variant, the combined one too."""
    for person in (VARIANTS[who], COMBINED):
        assert body_size(compose(procedure, person), "docx") == 12.0


@pytest.mark.parametrize("who", VARIANTS)
def test_lines_hold_at_most_about_75_characters(procedure: Procedure, who: str) -> None:
    """Prose wraps at about 75 characters (83–84 before); addresses and the long identifier aside."""
    prose = [line for line in _lines(_pdf(procedure, who)) if "@" not in line and "ac-poitiers" not in line]
    assert max(map(len, prose)) <= 78, max(prose, key=len)


@pytest.mark.parametrize("who", VARIANTS)
def test_ink_stays_at_most_6_5_percent(procedure: Procedure, who: str) -> None:
    """Black rules and a larger code, yet no more toner than the brief allows."""
    assert ink_coverage(_pdf(procedure, who)) <= MAX_COVERAGE


def test_several_variants_at_once_still_make_one_page(procedure: Procedure) -> None:
    """Unsure, homonym, birth name and no office together: one page at 12 pt, said once what to check."""
    data = render(compose(procedure, COMBINED), "pdf")
    assert len(pdf_pages_text(data)) == 1
    assert _sizes_of(data, "Le NUMEN est un code de 13") == {12.0}
    text = pdf_pages_text(data)[0]
    assert "à confirmer auprès de votre service" in text and "Homonyme" not in text
    assert ink_coverage(data) <= MAX_COVERAGE
    # A homonym whose identifier is sure keeps the note, without repeating the identifier.
    homonym = pdf_pages_text(_pdf(procedure, "homonym"))[0]
    assert "Homonyme : votre identifiant peut finir par 1, 2… : vérifiez à la connexion." in homonym
    assert "mdupont1" not in homonym


# -- the identifier and the address whole ----------------------------------------------
def test_the_long_identifier_stands_on_one_line_in_the_pdf(procedure: Procedure) -> None:
    """Never "mde-la-rochefoucauld-" / "montbazon": the identifier is one line of the page."""
    lines = _lines(_pdf(procedure, "long name"))
    assert any(line.endswith(LONG.identifier) for line in lines), lines[:12]
    assert not any(line.endswith("mde-la-rochefoucauld-") for line in lines)


def test_the_docx_identifier_hyphens_never_break(procedure: Procedure) -> None:
    """In the DOCX the identifier's hyphens are <w:noBreakHyphen/>: Word keeps it whole."""
    doc = Document(io.BytesIO(render(compose(procedure, LONG), "docx")))
    runs = [r for r in doc.element.body.iter(qn("w:r")) if r.find(qn("w:noBreakHyphen")) is not None]
    assert runs, "no non-breaking hyphen"
    (run,) = runs
    assert "".join(el.text or "" for el in run.iter(qn("w:t"))) == LONG.identifier.replace("-", "")
    assert len(run.findall(qn("w:noBreakHyphen"))) == LONG.identifier.count("-")


@settings(max_examples=25, deadline=None)
@given(st.from_regex(r"[a-z]{1,8}(-[a-z]{1,8}){0,4}", fullmatch=True))
def test_every_identifier_reads_back_whole_from_the_docx(procedure: Procedure, identifier: str) -> None:
    """Whatever its hyphens, the identifier reads back letter for letter (python-docx reads the hyphens)."""
    person = Person("Anne", "Test", identifier, manager="aesh17", row=2)
    doc = Document(io.BytesIO(render(compose(procedure, person), "docx")))
    texts = ["".join(r.text for r in p.runs) for p in doc.paragraphs]
    cells = ["".join(r.text for r in p.runs) for t in doc.tables for c in t._cells for p in c.paragraphs]
    assert any(norm(text).endswith(f": {identifier}") for text in texts + cells)
    # The run that holds it has no breakable hyphen left.
    found = False
    for run in doc.element.body.iter(qn("w:r")):
        kinds = (qn("w:t"), qn("w:noBreakHyphen"))
        pieces = [(el.text or "") if el.tag == qn("w:t") else "-" for el in run if el.tag in kinds]
        if "".join(pieces) == identifier:
            found = True
            assert not any("-" in (t.text or "") for t in run.iter(qn("w:t")))
    assert found


@pytest.mark.parametrize("who", ["flyer", "plain", "long name"])
def test_the_address_to_type_is_one_line_without_https(procedure: Procedure, who: str) -> None:
    """The address is typed from one line, without "https://"; the link and the code keep the full URL."""
    data = _pdf(procedure, who)
    lines = _lines(data)
    assert TYPED in lines
    assert not any("https://id." in line for line in lines)
    assert WEBMAIL in pdf_link_uris(data)


def test_an_address_too_long_for_a_line_says_it_continues(tmp_path: Path) -> None:
    """When the address cannot hold on one line its first line says "(suite de l'adresse)"."""
    long_url = WEBMAIL + "&" + "x" * 40 + "&" + "y" * 30
    source = (Path(__file__).parents[2] / "data" / "procedure.yaml").read_text(encoding="utf-8")
    path = tmp_path / "long.yaml"
    path.write_text(source.replace(WEBMAIL, long_url), encoding="utf-8")
    data = render(compose(load_procedure(path)), "pdf")
    text = pdf_pages_text(data)[0].replace("\u2019", "'")
    assert "(suite de l'adresse)" in text
    assert long_url in pdf_link_uris(data)


# -- help band, date --------------------------------------------------------------------
@pytest.mark.parametrize("who", ["flyer", "plain"])
def test_the_help_number_is_a_tel_link_and_says_who_answers_what(procedure: Procedure, who: str) -> None:
    data = _pdf(procedure, who)
    assert "tel:+33516526686" in pdf_link_uris(data)
    text = pdf_pages_text(data)[0]
    assert "Besoin d'aide pour vous connecter ?" in text.replace("\u2019", "'")
    assert "Pour le NUMEN : votre service gestionnaire" in text


def test_the_docx_help_number_is_a_tel_link(procedure: Procedure) -> None:
    doc = Document(io.BytesIO(render(compose(procedure, VARIANTS["plain"]), "docx")))
    footer = doc.sections[0].footer  # the help band: it stays at the foot whatever is edited above it
    targets = {rel.target_ref for rel in footer.part.rels.values() if rel.is_external}
    assert "tel:+33516526686" in targets


def test_the_sheet_says_when_the_procedure_was_updated(procedure: Procedure, tmp_path: Path) -> None:
    """ "Mis à jour le 07/12/2026" from document.updated in both formats; without it, the data file's date."""
    assert procedure.meta.updated == datetime.date(2026, 12, 7)
    sheet = compose(procedure, VARIANTS["plain"])
    assert "Mis à jour le 07/12/2026" in pdf_pages_text(render(sheet, "pdf"))[0]
    doc = Document(io.BytesIO(render(sheet, "docx")))
    assert any("Mis à jour le 07/12/2026" in norm(p.text) for p in doc.sections[0].footer.paragraphs)
    source = (Path(__file__).parents[2] / "data" / "procedure.yaml").read_text(encoding="utf-8")
    path = tmp_path / "undated.yaml"
    path.write_text(source.replace("  updated: 2026-12-07\n", ""), encoding="utf-8")
    undated = load_procedure(path)
    assert undated.meta.updated is None
    day = datetime.datetime.fromtimestamp(compose_page(undated).info.created, datetime.UTC).date()
    assert f"Mis à jour le {day:%d/%m/%Y}" in pdf_pages_text(render(compose(undated), "pdf"))[0]


@pytest.mark.parametrize("value", ["2026-13-01", "'le 7 décembre'", "7/12/2026"])
def test_a_bad_updated_date_is_refused_with_its_line(tmp_path: Path, value: str) -> None:
    from generator.errors import DataError

    source = (Path(__file__).parents[2] / "data" / "procedure.yaml").read_text(encoding="utf-8")
    path = tmp_path / "bad.yaml"
    path.write_text(source.replace("updated: 2026-12-07", f"updated: {value}"), encoding="utf-8")
    with pytest.raises(DataError, match=r"document\.updated"):
        load_procedure(path)


# -- what a photocopier and a phone make of it ----------------------------------------------
def _threshold(data: bytes, dpi: int = 150) -> Image.Image:
    """The page as a 50 % threshold photocopy: every pixel black or white."""
    doc = pdfium.PdfDocument(data)
    try:
        grey = doc[0].render(scale=dpi / 72, grayscale=True).to_pil().convert("L")
    finally:
        doc.close()
    return grey.point(lambda v: 0 if v < 128 else 255)


@pytest.mark.parametrize("who", ["flyer", "homonym"])
def test_the_qr_code_is_30_mm_and_decodes_after_a_threshold_photocopy(procedure: Procedure, who: str) -> None:
    image = _threshold(_pdf(procedure, who))
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert code.text == WEBMAIL
    pos = code.position
    width_px = max(pos.top_right.x, pos.bottom_right.x) - min(pos.top_left.x, pos.bottom_left.x)
    assert width_px / 150 * 25.4 >= 30.0
    assert str(code.ec_level) == "M"


@pytest.mark.parametrize("who", ["flyer", "plain"])
def test_the_rules_between_steps_survive_a_threshold_photocopy(procedure: Procedure, who: str) -> None:
    """Three rules between four steps stay black lines at least 120 mm long after a 50 % threshold."""
    image = _threshold(_pdf(procedure, who))
    min_run = int(120 / 25.4 * 150)
    long_rows = []
    for y in range(image.height):
        row = image.crop((0, y, image.width, y + 1)).tobytes()
        run = best = 0
        for value in row:
            run = run + 1 if value == 0 else 0
            best = max(best, run)
        if best >= min_run:
            long_rows.append(y)
    # Count separate lines (neighbouring rows are one line); frames add their top and bottom edges.
    lines = [y for i, y in enumerate(long_rows) if i == 0 or y - long_rows[i - 1] > 2]
    assert len(lines) >= 3 + 2


def _numen_boxes(data: bytes) -> list[float]:
    """Left edges (pt) of the rectangles of the NUMEN's size (6 × 8 mm) stroked on the page."""
    xs = []
    with pikepdf.open(io.BytesIO(data)) as pdf:
        for operands, operator in pikepdf.parse_content_stream(pdf.pages[0]):
            if str(operator) == "re":
                x, _y, w, h = (float(v) for v in operands)
                if abs(w - 6 * MM) < 0.2 and abs(h - 8 * MM) < 0.2:
                    xs.append(x)
    return sorted(xs)


def test_the_numen_boxes_are_6_by_8_mm_in_groups_2_1_7_3(procedure: Procedure) -> None:
    xs = _numen_boxes(_pdf(procedure, "plain"))
    assert len(xs) == 13
    gaps = [b - a for a, b in zip(xs, xs[1:], strict=False)]
    wide = [i + 1 for i, gap in enumerate(gaps) if gap > 6 * MM + 0.5]
    assert wide == [2, 3, 10]  # after the 2nd, 3rd and 10th box: 2-1-7-3


# -- step 1 names the person's own office -------------------------------------------------------
def test_step_1_of_a_personal_sheet_names_only_its_office(procedure: Procedure) -> None:
    vieljeux = pdf_pages_text(_pdf(procedure, "plain"))[0]
    aesh = pdf_pages_text(_pdf(procedure, "birth name"))[0]
    nobody = pdf_pages_text(_pdf(procedure, "unsure"))[0]
    assert "christabel.mineau@ac-poitiers.fr" in vieljeux and "aesh17@ac-poitiers.fr" not in vieljeux
    assert "aesh17@ac-poitiers.fr" in aesh and "Vieljeux" not in aesh
    assert "aesh17@ac-poitiers.fr" in nobody and "christabel.mineau@ac-poitiers.fr" in nobody


def test_a_print_file_of_mixed_offices_prints_each_its_own_step_1(procedure: Procedure) -> None:
    """all.pdf draws each sheet on its own page's shared part: a Vieljeux page never shows aesh17."""
    people = [
        Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2, manager=("vieljeux", "aesh17", "")[i % 3])
        for i in range(12)
    ]
    target = io.BytesIO()
    writer = PdfWriter(compose_page(procedure, personal=True))
    assert writer.write_many((compose(procedure, p) for p in people), target) == 12
    texts = pdf_pages_text(target.getvalue())
    for person, text in zip(people, texts, strict=True):
        assert person.last_name in text
        assert ("aesh17@ac-poitiers.fr" in text) == (person.manager != "vieljeux")
        assert ("christabel.mineau@ac-poitiers.fr" in text) == (person.manager != "aesh17")


def test_a_thousand_mixed_pages_stay_small(procedure: Procedure) -> None:
    """1000 pages, one in ten a homonym, three offices: still at most 600 KiB (a form per page variant)."""
    people = [
        Person(
            "Marie",
            f"Dupont {i}",
            f"mdupont{i}",
            row=i + 2,
            manager=("vieljeux", "aesh17", "")[i % 3],
            flags=("homonym",) if i % 10 == 3 else (),
        )
        for i in range(1000)
    ]
    target = io.BytesIO()
    PdfWriter(compose_page(procedure, personal=True)).write_many(
        (compose(procedure, p) for p in people), target
    )
    assert len(target.getvalue()) <= 600 * 1024


# -- LibreOffice's print of the DOCX --------------------------------------------------------------
@pytest.mark.soffice
@pytest.mark.skipif(not soffice_available(), reason="LibreOffice (soffice) is not installed")
def test_libreoffice_prints_the_docx_at_12_pt_with_the_identifier_whole(
    procedure: Procedure, tmp_path: Path
) -> None:
    files = []
    for who in ("flyer", "plain", "homonym", "unsure, birth name, no office", "long name"):
        path = tmp_path / f"{who.replace(' ', '-').replace(',', '')}.docx"
        path.write_bytes(render(compose(procedure, VARIANTS[who]), "docx"))
        files.append(path)
    pdfs = soffice_to_pdf(files, tmp_path / "out")
    for pdf in pdfs:
        data = pdf.read_bytes()
        assert len(pdf_pages_text(data)) == 1, pdf.name
        assert _sizes_of(data, "Le NUMEN est un code de 13") == {12.0}, pdf.name
    long_lines = _lines(pdfs[-1].read_bytes())
    assert any(LONG.identifier in line for line in long_lines), long_lines[:15]


def test_the_docx_address_too_long_for_its_column_says_it_continues(procedure: Procedure) -> None:
    """Beside its code the DOCX column holds less: "(suite de l'adresse)" ends the first line, every piece links."""
    doc = Document(io.BytesIO(render(compose(procedure, VARIANTS["plain"]), "docx")))
    (p,) = [
        p
        for p in doc.paragraphs + [q for t in doc.tables for c in t._cells for q in c.paragraphs]
        if "iwc_static" in p.text
    ]
    links = p._p.findall(qn("w:hyperlink"))
    pieces = ["".join(t.text or "" for t in link.iter(qn("w:t"))) for link in links]
    assert "".join(pieces) == TYPED
    # Arial at 12 pt: 141 mm of address for about 120 mm of column, so two lines.
    assert len(pieces) == 2
    assert norm(p.text).replace("\u2019", "'").startswith(pieces[0] + " (suite de l'adresse)")
    assert {doc.part.rels[link.get(qn("r:id"))].target_ref for link in links} == {WEBMAIL}
