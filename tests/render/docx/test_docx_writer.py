"""The DOCX flyer and personal sheets: reopened with python-docx, printed by LibreOffice."""

from __future__ import annotations

import dataclasses
import io
import zipfile
from pathlib import Path

import pytest
from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml.ns import qn
from docx.shared import Mm
from helpers import (
    OTHER_PROCEDURE,
    DocxRenderer,
    decode_qr,
    norm,
    pdf_link_uris,
    pdf_pages_text,
    soffice_available,
    soffice_to_pdf,
)
from PIL import Image

from generator.errors import RenderError
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.procedure.schema import load_procedure
from generator.sheet.compose import personal_box

OTHER = OTHER_PROCEDURE
# The longest names the roster accepts (roster.MAX_*), in the widest letters,
# and the heaviest box that still takes the usual 12 pt page.
AT_THE_LIMITS = Person("W" * 40, "W" * 60, "w" * 64, birth_name="M" * 60, manager="aesh17")
HEAVIEST_USUAL = Person("Marie", "W" * 21, "mdupont", manager="aesh17")
MARKUP_NAME = Person(first_name="Seán <b>", last_name="O'Brien & <i>Fils</i>", identifier="sobrien-fils")
LONG_NAME = Person(
    first_name="Marie-Hélène Françoise Bénédicte",
    last_name="de La Rochefoucauld-Montmorency d'Harcourt",
    identifier="mde-la-rochefoucauld-montmorency-dharcourt",
    manager="aesh17",
)


def render(renderer: DocxRenderer, person: Person | None) -> bytes:
    out = io.BytesIO()
    renderer.render(person, out)
    return out.getvalue()


def reopen(data: bytes):
    return Document(io.BytesIO(data))


def all_text(doc) -> str:
    """Every paragraph's text, tables included, in document order, then the footer's (the help band)."""
    footer = doc.sections[0].footer._element
    pieces = [t.text or "" for part in (doc.element.body, footer) for t in part.iter(qn("w:t"))]
    return norm(" ".join(pieces))


@pytest.fixture(scope="module")
def renderer(procedure: Procedure) -> DocxRenderer:
    return DocxRenderer(procedure)


@pytest.fixture(scope="module")
def flyer(renderer: DocxRenderer) -> bytes:
    return render(renderer, None)


@pytest.fixture(scope="module")
def marie() -> Person:
    return Person(first_name="Marie-Hélène", last_name="Dupont", identifier="mdupont", manager="vieljeux")


@pytest.fixture(scope="module")
def personal(renderer: DocxRenderer, marie: Person) -> bytes:
    return render(renderer, marie)


# --- the document, reopened --------------------------------------------------


def test_page_is_a4_portrait_with_margins_of_at_least_12_mm(flyer: bytes) -> None:
    """Office printers need A4 and a margin they can print."""
    section = reopen(flyer).sections[0]
    assert abs(section.page_width - Mm(210)) < Mm(0.5)
    assert abs(section.page_height - Mm(297)) < Mm(0.5)
    for margin in (section.left_margin, section.right_margin, section.top_margin, section.bottom_margin):
        assert margin >= Mm(12)


def test_title_headings_and_a_real_numbered_list_carry_the_structure(
    flyer: bytes, procedure: Procedure
) -> None:
    """One H1 (the title), then level-2 headings for the steps (numbered) and the help band (#15)."""
    doc = reopen(flyer)
    by_style: dict[str, list[str]] = {}
    # The help band is the page's footer (it stays at the foot whatever is edited above it).
    for p in [*doc.paragraphs, *doc.sections[0].footer.paragraphs]:
        by_style.setdefault(p.style.name, []).append(p.text)
    assert by_style["Heading 1"] == [procedure.meta.title]
    assert by_style["Step Heading"] == [step.heading for step in procedure.steps]
    assert by_style["Help Heading"] == [procedure.help.label]
    assert procedure.meta.audience in by_style["Audience"]
    assert "Title" not in by_style  # Word's Title style is no heading
    # The step headings number themselves through a decimal list defined in numbering.xml.
    heading = doc.styles["Step Heading"].element
    num_id = heading.find(qn("w:pPr")).find(qn("w:numPr")).find(qn("w:numId")).get(qn("w:val"))
    numbering = doc.part.numbering_part.element
    num = [n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == num_id]
    assert len(num) == 1
    abstract_id = num[0].find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = [
        a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id
    ]
    assert abstract[0].find(qn("w:lvl")).find(qn("w:numFmt")).get(qn("w:val")) == "decimal"


def test_text_is_formatted_by_styles_not_by_direct_formatting(personal: bytes) -> None:
    """Runs name a character style at most; sizes, colours and fonts live in styles."""
    body = reopen(personal).element.body
    for rpr in body.iter(qn("w:rPr")):
        assert [child.tag for child in rpr] == [qn("w:rStyle")], rpr.xml
    for ppr in body.iter(qn("w:pPr")):
        # The help band's frame is written in each paragraph: LibreOffice ignores a frame in a style.
        assert {child.tag for child in ppr} <= {qn("w:pStyle"), qn("w:jc"), qn("w:framePr")}, ppr.xml


def test_font_language_and_sizes_are_set_in_the_style_defaults(flyer: bytes, procedure: Procedure) -> None:
    """fr-FR for spelling and hyphenation, the procedure's font, body text 10 pt or more."""
    styles = reopen(flyer).styles.element
    rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    assert rpr.find(qn("w:lang")).get(qn("w:val")) == "fr-FR"
    fonts = rpr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == procedure.docx.font
    assert not [a for a in fonts.attrib if "heme" in a], "a theme font would override the procedure's"
    sizes = [int(sz.get(qn("w:val"))) for sz in styles.iter(qn("w:sz"))]
    assert sizes and min(sizes) >= 20  # half-points


def test_every_url_is_a_real_hyperlink_with_the_hyperlink_style(flyer: bytes, procedure: Procedure) -> None:
    """LibreOffice keeps a link only when its run has a character style; emails are mailto links."""
    doc = reopen(flyer)
    targets = []
    footer = doc.sections[0].footer
    links = [(doc.part, link) for link in doc.element.body.iter(qn("w:hyperlink"))]
    links += [(footer.part, link) for link in footer._element.iter(qn("w:hyperlink"))]
    for part, link in links:
        rel = part.rels[link.get(qn("r:id"))]
        assert rel.reltype == RT.HYPERLINK and rel.is_external
        targets.append(rel.target_ref)
        styles = {r.get(qn("w:val")) for r in link.iter(qn("w:rStyle"))}
        # The webmail address is not underlined (an underline hides its _): its own style.
        # The help line's number keeps its large style: a character style too.
        expected = (
            "WebAddress"
            if rel.target_ref.startswith("https://id.")
            else "HelpPhone"
            if rel.target_ref.startswith("tel:")
            else "Hyperlink"
        )
        assert styles == {expected}
    emails = {f"mailto:{e}" for group in procedure.contacts for e in group.emails}
    assert set(targets) == {code.url for code in procedure.qr_codes} | emails | {"tel:+33516526686"}
    assert doc.styles["Hyperlink"].type == 2  # character style


def test_every_qr_picture_says_what_it_opens_and_is_sharp_at_32_mm(
    flyer: bytes, procedure: Procedure
) -> None:
    """Alt text for screen readers; 300 dpi or more at the printed size."""
    doc = reopen(flyer)
    shapes = doc.inline_shapes
    assert len(shapes) == len(procedure.qr_codes) >= 1
    for shape, code in zip(shapes, procedure.qr_codes, strict=True):
        doc_pr = shape._inline.docPr
        # What it opens, without reading the 74-character address aloud (#15).
        assert code.label in doc_pr.get("descr") and code.url not in doc_pr.get("descr")
        assert doc_pr.get("title")
        assert abs(shape.width - Mm(37.6)) < Mm(0.5)  # 31 mm of modules, as in the PDF
        blip = shape._inline.graphic.graphicData.pic.blipFill.blip
        image = Image.open(io.BytesIO(doc.part.related_parts[blip.embed].blob))
        assert image.width / (shape.width / Mm(25.4)) >= 300


def test_core_properties_come_from_the_procedure_without_template_leftovers(
    flyer: bytes, procedure: Procedure
) -> None:
    """Title, subject, author, language; no 'python-docx', no 2013 date, no clock time."""
    props = reopen(flyer).core_properties
    assert props.title == procedure.meta.title
    assert props.subject == procedure.meta.subject
    assert props.author == procedure.meta.author
    assert props.language == procedure.meta.language
    assert props.created is None and props.modified is None
    with zipfile.ZipFile(io.BytesIO(flyer)) as zf:
        names = zf.namelist()
        package = b"".join(zf.read(n) for n in names if not n.endswith(".png"))
    assert b"python-docx" not in package and b"2013" not in package
    assert not [n for n in names if "thumbnail" in n or "customXml" in n or "stylesWithEffects" in n]


def test_same_data_gives_the_same_bytes(
    procedure: Procedure, marie: Person, flyer: bytes, personal: bytes
) -> None:
    """Two renderers built apart write identical files, with fixed zip dates."""
    again = DocxRenderer(procedure)
    assert render(again, None) == flyer
    assert render(again, marie) == personal
    with zipfile.ZipFile(io.BytesIO(personal)) as zf:
        assert {info.date_time for info in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}


def test_a_personal_sheet_only_changes_the_document_part_and_its_title(
    flyer: bytes, personal: bytes, marie: Person, procedure: Procedure
) -> None:
    """The per-person render patches word/document.xml and the title; every other part is the same bytes."""
    with zipfile.ZipFile(io.BytesIO(flyer)) as a, zipfile.ZipFile(io.BytesIO(personal)) as b:
        assert sorted(a.namelist()) == sorted(b.namelist())
        differ = sorted(n for n in a.namelist() if a.read(n) != b.read(n))
    # Marie's office is known: step 1 lists its addresses alone, so the links (rels) differ too.
    assert differ == ["docProps/core.xml", "word/_rels/document.xml.rels", "word/document.xml"]
    # The name as the roster writes it: no capitals forced.
    assert (
        reopen(personal).core_properties.title
        == f"{procedure.meta.title} – {marie.first_name} {marie.last_name}"
    )


def test_personal_sheet_shows_name_identifier_and_manager(
    personal: bytes, marie: Person, procedure: Procedure
) -> None:
    """The box sits between the purpose line and the first step; the NUMEN line stays blank."""
    doc = reopen(personal)
    text = all_text(doc)
    name = f"{marie.first_name} {marie.last_name}"
    for fact in (name, marie.identifier, "Lycée Vieljeux", "Ne le communiquez à personne"):
        assert norm(fact) in text
    assert text.index(marie.identifier) < text.index(procedure.steps[0].heading)
    assert text.index(norm(procedure.meta.purpose)) < text.index(name)
    # No empty paragraph outside the NUMEN's row: its 13 boxes and the 3 gaps between their groups (#15, #24).
    empty = [
        p
        for p in doc.element.body.iter(qn("w:p"))
        if not "".join(p.itertext()).strip() and p.find(qn("w:r")) is None
    ]
    styles = {p.find(qn("w:pPr")).find(qn("w:pStyle")).get(qn("w:val")) for p in empty}
    assert len(empty) == 13 + 3 and styles == {"NUMENBox"}


def test_the_generic_flyer_has_no_personal_box(flyer: bytes, procedure: Procedure) -> None:
    text = all_text(reopen(flyer))
    assert norm(procedure.personal.numen_note) not in text
    assert "mdupont11" not in text


def test_manager_line_only_when_the_roster_names_a_known_office(
    renderer: DocxRenderer, procedure: Procedure
) -> None:
    """A known office is named once, in step 1, alone; without one (or an unknown one) step 1 lists every office."""
    people = {
        manager: Person(first_name="Jean", last_name="Martin", identifier="jmartin", manager=manager)
        for manager in ("", "unknown", "aesh17")
    }
    assert not personal_box(procedure, people["aesh17"]).manager  # step 1 says it: the box does not repeat it
    texts = {manager: all_text(reopen(render(renderer, p))) for manager, p in people.items()}
    own, other = norm(procedure.contact("aesh17").name), norm(procedure.contact("vieljeux").name)
    assert texts["aesh17"].count(own) == 1 and other not in texts["aesh17"]
    assert "aesh17@ac-poitiers.fr" in texts["aesh17"]
    for manager in ("", "unknown"):
        assert texts[manager].count(own) == 1 and other in texts[manager]


def test_markup_looking_name_shows_literally(renderer: DocxRenderer) -> None:
    """A name is text: & < > and quotes are shown as typed, never parsed."""
    data = render(renderer, MARKUP_NAME)
    assert norm(f"{MARKUP_NAME.first_name} {MARKUP_NAME.last_name}") in all_text(reopen(data))
    assert "Seán <b> O'Brien & <i>Fils</i>" == f"{MARKUP_NAME.first_name} {MARKUP_NAME.last_name}"


def test_control_characters_in_a_name_do_not_break_the_file(renderer: DocxRenderer) -> None:
    person = Person(first_name="Ana\x0b", last_name="Lima\x00", identifier="alima")
    assert "Ana Lima" in all_text(reopen(render(renderer, person)))


def test_render_to_a_path_writes_the_same_bytes_and_no_temporary_file(
    renderer: DocxRenderer, personal: bytes, marie: Person, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "marie.docx"
    renderer.render(marie, target)
    renderer.render(marie, str(target))  # over an existing file
    assert target.read_bytes() == personal
    assert [p.name for p in target.parent.iterdir()] == ["marie.docx"]


# --- printed by LibreOffice ---------------------------------------------------

FACTS = [
    "NUMEN",
    "13 caractères",
    "christabel.mineau@ac-poitiers.fr",
    "severine.brache@ac-poitiers.fr",
    "id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522",  # typed without "https://"
    "Identifiant",
    "Authentification",
    "Convergence Poitiers",
    "05 16 52 66 86",
    "lundi",
    "vendredi",
    "8 h",
    "17 h 30",
]
# The flyer says the identifier rule; a personal sheet points at the identifier at its top.
FACT4 = {
    "flyer": ["initiale", "prénom", "nom de naissance", "un espace du nom devient un tiret"],
    "marie": ["écrit en haut de cette feuille"],
}
# Every variant of the personal box at once, with a usual name.
EVERY_VARIANT = Person(
    "Marie-Hélène",
    "Lefèvre-Dupont",
    "mlefevre-dupont",
    birth_name="Martin",
    manager="aesh17",
    flags=("homonym", "unsure"),
)


@pytest.fixture(scope="module")
def printed(
    renderer: DocxRenderer, marie: Person, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """Every file to print, converted in one soffice call (~1.5 s a call)."""
    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("docx")
    files = {
        "flyer": None,
        "marie": marie,
        "long": LONG_NAME,
        "markup": MARKUP_NAME,
        "limits": AT_THE_LIMITS,
        "heaviest_usual": HEAVIEST_USUAL,
        "every_variant": EVERY_VARIANT,
    }
    paths = []
    for name, person in files.items():
        renderer.render(person, folder / f"{name}.docx")
        paths.append(folder / f"{name}.docx")
    if OTHER.exists():
        other = DocxRenderer(load_procedure(OTHER))
        other.render(None, folder / "other.docx")
        other.render(
            Person(first_name="Zoé", last_name="Ngô", identifier="zngo"), folder / "other_personal.docx"
        )
        paths += [folder / "other.docx", folder / "other_personal.docx"]
    pdfs = soffice_to_pdf(paths, folder / "pdf")
    return {p.stem: p for p in pdfs}


@pytest.mark.soffice
@pytest.mark.parametrize(
    "name", ["flyer", "marie", "long", "markup", "limits", "heaviest_usual", "every_variant"]
)
def test_libreoffice_prints_exactly_one_page(printed: dict[str, Path], name: str) -> None:
    """The flyer and personal sheets, up to the roster's longest names in the widest letters, fit one page."""
    assert len(pdf_pages_text(printed[name])) == 1


@pytest.mark.soffice
@pytest.mark.parametrize("name", ["flyer", "marie"])
def test_every_fact_of_the_brief_is_printed(printed: dict[str, Path], name: str) -> None:
    text = pdf_pages_text(printed[name])[0]
    # The address wraps at the body size: read it without the line break.
    # …and without the cue between its two lines.
    text = text.replace("\u2019", "'").replace(" (suite de l'adresse) ", "")
    facts = FACTS + FACT4[name]
    missing = [fact for fact in facts if fact not in text and fact not in text.replace(" ", "")]
    assert not missing


@pytest.mark.soffice
def test_printed_personal_sheet_carries_name_and_identifier_as_typed(
    printed: dict[str, Path], marie: Person
) -> None:
    assert norm(f"{marie.first_name} {marie.last_name}") in pdf_pages_text(printed["marie"])[0]
    assert "mdupont" in pdf_pages_text(printed["marie"])[0]
    assert norm(f"{MARKUP_NAME.first_name} {MARKUP_NAME.last_name}") in pdf_pages_text(printed["markup"])[0]


@pytest.mark.soffice
@pytest.mark.parametrize("name", ["flyer", "marie"])
def test_qr_codes_decode_to_their_exact_urls(
    printed: dict[str, Path], procedure: Procedure, name: str
) -> None:
    """Read back from a 150 dpi greyscale render, as a phone would from a print."""
    assert decode_qr(printed[name], dpi=150) == sorted(code.url for code in procedure.qr_codes)


@pytest.mark.soffice
def test_links_stay_clickable_in_the_printed_pdf(printed: dict[str, Path], procedure: Procedure) -> None:
    uris = set(pdf_link_uris(printed["flyer"]))
    assert {code.url for code in procedure.qr_codes} <= uris
    assert "mailto:aesh17@ac-poitiers.fr" in uris


@pytest.mark.soffice
def test_another_procedure_prints_on_one_page_with_its_own_codes(printed: dict[str, Path]) -> None:
    """Nothing of the Poitiers procedure is baked into the renderer."""
    other = load_procedure(OTHER)
    for name in ("other", "other_personal"):
        pages = pdf_pages_text(printed[name])
        assert len(pages) == 1
        assert norm(other.meta.title) in pages[0]
        assert norm(other.help.phone) in pages[0]
        assert decode_qr(printed[name], dpi=150) == sorted(code.url for code in other.qr_codes)
    assert "zngo" in pdf_pages_text(printed["other_personal"])[0]


def test_a_long_identifier_gets_the_smaller_identifier_style(renderer: DocxRenderer, personal: bytes) -> None:
    """The large type is kept for identifiers that fit a line of the box."""

    def identifier_styles(data: bytes) -> set[str]:
        body = reopen(data).element.body
        return {s.get(qn("w:val")) for s in body.iter(qn("w:rStyle")) if "Identifier" in s.get(qn("w:val"))}

    assert identifier_styles(personal) == {"Identifier"}
    assert identifier_styles(render(renderer, LONG_NAME)) == {"IdentifierLong"}


def test_normal_is_still_the_default_paragraph_style(flyer: bytes) -> None:
    """Replacing the template's styles must keep a default: Word and LibreOffice need one."""
    styles = reopen(flyer).styles
    assert styles.default(WD_STYLE_TYPE.PARAGRAPH).name == "Normal"
    assert styles.default(WD_STYLE_TYPE.CHARACTER).name == "Default Paragraph Font"


def test_usual_names_keep_the_12_pt_page_and_the_longest_take_a_smaller_one(
    renderer: DocxRenderer, procedure: Procedure
) -> None:
    """The usual sheet keeps 12 pt; the longest names the roster allows take a smaller body."""
    usual = personal_box(procedure, Person("Marie-Hélène", "Dupont", "mdupont", manager="vieljeux"))
    assert renderer._body(usual) == 12
    # The longest office name wraps the manager line: the (cautious) estimate takes the next rung.
    longest_office = personal_box(procedure, Person("Marie-Hélène", "Dupont", "mdupont", manager="aesh17"))
    assert renderer._body(longest_office) >= 11.5
    assert renderer._body(None) == 12
    assert renderer._body(personal_box(procedure, AT_THE_LIMITS)) < 12


def _longer(procedure: Procedure, sentences: int) -> Procedure:
    """The procedure with ``sentences`` more sentences in its third step."""
    from generator.procedure.model import Run

    steps = list(procedure.steps)
    text = "Ceci est une phrase longue qui remplit la page et qui continue encore un peu."
    steps[2] = dataclasses.replace(
        steps[2], paragraphs=steps[2].paragraphs + tuple((Run(text),) for _ in range(sentences))
    )
    return dataclasses.replace(procedure, steps=tuple(steps))


def _variants(procedure: Procedure) -> dict[str, Procedure]:
    """The default data, another font (missing here: LibreOffice substitutes a wider one), long addresses."""
    long_mail = tuple(
        dataclasses.replace(
            group, emails=tuple(f"prenom-compose.nom-de-famille-tres-long.{e}" for e in group.emails)
        )
        for group in procedure.contacts
    )
    return {
        "default": procedure,
        "font": dataclasses.replace(
            procedure, docx=dataclasses.replace(procedure.docx, font="Atkinson Hyperlegible")
        ),
        "mail": dataclasses.replace(procedure, contacts=long_mail),
    }


@pytest.fixture(scope="module")
def near_the_limit(procedure: Procedure, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Documents whose estimate stands just under the page, at 12 pt and at the smaller sizes."""
    from generator.sheet.fit import BODIES
    from generator.sheet.fit import LADDER as DOCX_LADDER

    if not soffice_available():
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("limit")
    marie = Person("Marie", "Dupont", "mdupont", manager="vieljeux")
    paths = []
    for variant, data in _variants(procedure).items():
        for who, person in (("flyer", None), ("marie", marie)):
            chosen: dict[float, int] = {}
            for sentences in range(0, 30):
                longer = _longer(data, sentences)
                try:
                    r = DocxRenderer(longer)
                except RenderError:
                    break
                sheet = r.sheet(person)
                rung = next((rung for rung in DOCX_LADDER if r.measure(sheet, rung) >= 0), None)
                if rung is None:
                    break
                chosen[rung.body] = sentences  # the last (longest) one at each size
            for body, sentences in chosen.items():
                path = folder / f"{variant}-{who}-{body}.docx"
                DocxRenderer(_longer(data, sentences)).render(person, path)
                paths.append(path)
            assert chosen, f"{variant} {who}: nothing accepted"
            if variant == "default":
                assert set(chosen) == set(BODIES), f"{who}: sizes reached {sorted(chosen)}"
    return {p.stem: p for p in soffice_to_pdf(paths, folder / "pdf")}


@pytest.mark.soffice
def test_what_the_estimate_lets_through_prints_on_one_page(near_the_limit: dict[str, Path]) -> None:
    """The longest data the DOCX accepts, at each body size, in Arial or another font, prints on one page."""
    pages = {name: len(pdf_pages_text(path)) for name, path in near_the_limit.items()}
    assert len(pages) >= 12 and set(pages.values()) == {1}, pages


def test_data_too_long_even_at_10_pt_is_refused_with_the_overflow(procedure: Procedure) -> None:
    """A procedure too long for one page even at 10 pt: a RenderError saying how many mm too tall."""
    with pytest.raises(RenderError, match=r"would print on two pages: about \d+ mm too tall"):
        DocxRenderer(_longer(procedure, 40))


@pytest.mark.parametrize("font", ['A&B "x" <y>', "Ari'al </w:rFonts>", "Tab\there"])
def test_a_font_name_never_breaks_the_document_even_past_the_yaml_check(
    procedure: Procedure, font: str
) -> None:
    """A Procedure built in code with a font the YAML check refuses: the DOCX opens and names it as given."""
    from generator import compose, make_person, render_sheet
    from generator.procedure.model import DocxOptions

    odd = dataclasses.replace(procedure, docx=DocxOptions(font=font))
    person = make_person(odd, first_name="Marie", last_name="Dupont")
    for sheet in (compose(odd), compose(odd, person)):
        styles = reopen(render_sheet(sheet, "docx")).styles.element
        rpr = styles.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
        fonts = rpr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:cs")) == font
