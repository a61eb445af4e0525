"""Tagged PDF (issue 8): the one-page sheets are PDF/UA-1 files a screen reader can follow."""

from __future__ import annotations

import io
from pathlib import Path

import pikepdf
import pytest
from helpers import PdfRenderer
from pdfua import validate

from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.render.pdf import tagging
from generator.render.pdf.layout import Block

PAINTING = frozenset({"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "sh", "Do", "BI", "INLINE IMAGE"})
TEXT_SHOWING = frozenset({"Tj", "TJ", "'", '"'})

_renderers: dict[int, PdfRenderer] = {}


def _renderer(procedure: Procedure) -> PdfRenderer:
    # Laying out the page is the slow part: once per procedure for the module.
    if id(procedure) not in _renderers:
        _renderers[id(procedure)] = PdfRenderer(procedure)
    return _renderers[id(procedure)]


def _sheet(procedure: Procedure, person: Person, kind: str) -> bytes:
    return _renderer(procedure).to_bytes(person if kind == "personal" else None)


@pytest.fixture(params=["flyer", "personal"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def sheet(kind: str, procedure: Procedure, person: Person) -> bytes:
    return _sheet(procedure, person, kind)


@pytest.fixture(params=["default", "other"])
def any_sheet(
    request: pytest.FixtureRequest, procedure: Procedure, other_procedure: Procedure, person: Person
) -> bytes:
    chosen = procedure if request.param == "default" else other_procedure
    return _sheet(chosen, person, "personal")


# -- reading the file back ---------------------------------------------------


def _kids(element: pikepdf.Dictionary) -> list[object]:
    k = element.get("/K")
    if k is None:
        return []
    return list(k) if isinstance(k, pikepdf.Array) else [k]


def _is_element(kid: object) -> bool:
    return isinstance(kid, pikepdf.Dictionary) and kid.get("/Type") not in ("/OBJR", "/MCR")


def _children(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    return [kid for kid in _kids(element) if _is_element(kid)]


def _walk(element: pikepdf.Dictionary, depth: int = 0) -> list[tuple[int, pikepdf.Dictionary]]:
    """Every structure element under ``element`` (included), in reading order."""
    out = [(depth, element)]
    for child in _children(element):
        out += _walk(child, depth + 1)
    return out


def _tag(element: pikepdf.Dictionary) -> str:
    return str(element.S)[1:]


def _document(pdf: pikepdf.Pdf) -> pikepdf.Dictionary:
    root = pdf.Root.StructTreeRoot
    assert _tag(root.K) == "Document"
    return root.K


def _parent_tree(pdf: pikepdf.Pdf) -> dict[int, object]:
    tree = pdf.Root.StructTreeRoot.ParentTree
    assert "/Kids" not in tree  # one page: a flat number tree
    nums = list(tree.Nums)
    return {int(nums[i]): nums[i + 1] for i in range(0, len(nums), 2)}


def _marked_content(page: pikepdf.Page) -> tuple[list[tuple[str, int]], list[str], list[str]]:
    """The page's MCIDs in stream order with their tag; operators painting outside any
    marked content; marked content opened inside an artifact."""
    stack: list[str] = []
    mcids: list[tuple[str, int]] = []
    outside: list[str] = []
    nested: list[str] = []
    for instruction in pikepdf.parse_content_stream(page):
        if isinstance(instruction, pikepdf.ContentStreamInlineImage):
            if not stack:
                outside.append("inline image")
            continue
        op = str(instruction.operator)
        if op in ("BDC", "BMC"):
            tag = str(instruction.operands[0])
            if "/Artifact" in stack:
                nested.append(tag)
            props = instruction.operands[1] if len(instruction.operands) > 1 else None
            if isinstance(props, pikepdf.Dictionary) and "/MCID" in props:
                mcids.append((tag[1:], int(props.MCID)))
            stack.append(tag)
        elif op == "EMC":
            stack.pop()
        elif not stack and (op in PAINTING or op in TEXT_SHOWING):
            outside.append(op)
    assert not stack, "marked content left open at the end of the stream"
    return mcids, outside, nested


def _objrs(element: pikepdf.Dictionary) -> list[pikepdf.Dictionary]:
    return [k for k in _kids(element) if isinstance(k, pikepdf.Dictionary) and k.get("/Type") == "/OBJR"]


def _xmp_date(pdf_date: str) -> str:
    """D:YYYYMMDDHHmmSS+HH'mm' written as XMP writes it."""
    d = pdf_date
    return f"{d[2:6]}-{d[6:8]}-{d[8:10]}T{d[10:12]}:{d[12:14]}:{d[14:16]}{d[16:19]}:{d[20:22]}"


def _same(a: object, b: object) -> bool:
    return isinstance(a, pikepdf.Object) and isinstance(b, pikepdf.Object) and a.objgen == b.objgen


# -- the checks ----------------------------------------------------------------


def test_pdfua_reports_nothing(sheet: bytes, tmp_path: Path) -> None:
    """pdfua finds no error, no warning, no note, and skips no rule on the flyer and a personal sheet."""
    path = tmp_path / "sheet.pdf"
    path.write_bytes(sheet)
    report = validate(str(path))
    assert [(f.rule_id, f.message) for f in report.findings] == []
    assert [(o.rule_id, o.skipped_reason) for o in report.skipped] == []


def test_structure_follows_the_page(kind: str, sheet: bytes, procedure: Procedure) -> None:
    """Document holds the title (H1) and the list of steps, each LI a Lbl and an LBody opened by an H2."""
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        document = _document(pdf)
        elements = _walk(document)
        headings = [_tag(e) for _, e in elements if _tag(e) in ("H1", "H2", "H3")]
        box_heading = 1 if kind == "personal" else 0
        # One H1, then H2 for the box, each step and the help band ("Besoin d'aide ?").
        assert headings == ["H1"] + ["H2"] * (box_heading + len(procedure.steps) + 1)
        top = [_tag(e) for e in _children(document)]
        # Only the audience line (drawn above the title) comes before the H1.
        assert top[:3] == ["P", "H1", "P"]
        lists = [e for _, e in elements if _tag(e) == "L"]
        assert len(lists) == 1
        items = _children(lists[0])
        assert [_tag(li) for li in items] == ["LI"] * len(procedure.steps) == ["LI"] * 4
        for li in items:
            assert [_tag(k) for k in _children(li)] == ["Lbl", "LBody"]
            body = _children(li)[1]
            assert _tag(_children(body)[0]) == "H2"
            assert {_tag(k) for k in _children(body)} <= {"H2", "P", "Link", "Div"}
            # An office's addresses: its name, then one Link per address.
            for div in (k for k in _children(body) if _tag(k) == "Div"):
                kids = [_tag(k) for k in _children(div)]
                assert kids[0] == "P" and set(kids[1:]) == {"Link"}
        # The help band closes the page as a section: its heading, then paragraphs and the
        # number, a tel: link.
        assert top[-1] == "Sect"
        band = [_tag(k) for k in _children(_children(document)[-1])]
        assert band[0] == "H2" and set(band[1:]) == {"P", "Link"}


def test_personal_box_is_a_section_before_the_steps(procedure: Procedure, person: Person) -> None:
    """On a personal sheet the box is a Sect (its H2, then P's) between the introduction and the steps."""
    with pikepdf.open(io.BytesIO(_sheet(procedure, person, "personal"))) as pdf:
        top = _children(_document(pdf))
        assert [_tag(e) for e in top] == ["P", "H1", "P", "Sect", "L", "Sect"]
        box = [_tag(k) for k in _children(top[3])]
        assert box[0] == "H2" and set(box[1:]) == {"P"}
    with pikepdf.open(io.BytesIO(_sheet(procedure, person, "flyer"))) as pdf:
        assert [_tag(e) for e in _children(_document(pdf))] == ["P", "H1", "P", "L", "Sect"]


def test_qr_code_is_a_described_figure_inside_its_link(sheet: bytes, procedure: Procedure) -> None:
    """Each QR code is a Figure whose /Alt names what it opens, with its Caption inside, in a Link."""
    codes = [step.qr for step in procedure.steps if step.qr]
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        elements = _walk(_document(pdf))
        figures = [e for _, e in elements if _tag(e) == "Figure"]
        assert len(figures) == len(codes) >= 1
        for figure, code in zip(figures, codes, strict=True):
            alt = str(figure.Alt)
            # What it opens, without reading the 74-character address aloud.
            assert code.label in alt and code.url not in alt and "QR" in alt
            assert [_tag(k) for k in _children(figure)] == ["Caption"]
            assert _tag(figure.P) == "Link"
            assert len(_objrs(figure.P)) == 1


def test_every_link_annotation_belongs_to_a_link_element(any_sheet: bytes) -> None:
    """Each link annotation has /Contents and /StructParent, whose parent-tree entry is the Link
    element holding an OBJR to that very annotation."""
    with pikepdf.open(io.BytesIO(any_sheet)) as pdf:
        page = pdf.pages[0]
        parents = _parent_tree(pdf)
        annots = list(page.obj.Annots)
        assert annots
        keys = []
        for annot in annots:
            assert annot.Subtype == "/Link"
            assert str(annot.Contents).strip()
            key = int(annot.StructParent)
            keys.append(key)
            link = parents[key]
            assert _tag(link) == "Link"
            objrs = _objrs(link)
            assert len(objrs) == 1 and _same(objrs[0].Obj, annot) and _same(objrs[0].Pg, page.obj)
        assert sorted(keys) == list(range(1, len(annots) + 1))
        assert int(pdf.Root.StructTreeRoot.ParentTreeNextKey) == len(annots) + 1
        links = [e for _, e in _walk(_document(pdf)) if _tag(e) == "Link"]
        assert len(links) == len(annots)


def test_every_mcid_has_one_owner_and_the_parent_tree_agrees(any_sheet: bytes) -> None:
    """Every MCID in the content stream is owned by exactly one element of its tag, listed at
    that MCID under the page's /StructParents key."""
    with pikepdf.open(io.BytesIO(any_sheet)) as pdf:
        page = pdf.pages[0]
        mcids, _, _ = _marked_content(page)
        assert [m for _, m in mcids] == list(range(len(mcids)))
        owners: dict[int, list[pikepdf.Dictionary]] = {}
        for _, element in _walk(_document(pdf)):
            for kid in _kids(element):
                if isinstance(kid, int):
                    owners.setdefault(kid, []).append(element)
            for child in _children(element):
                assert _same(child.P, element)
        assert sorted(owners) == [m for _, m in mcids]
        assert int(page.obj.StructParents) == 0
        by_mcid = list(_parent_tree(pdf)[0])
        assert len(by_mcid) == len(mcids)
        for tag, mcid in mcids:
            assert len(owners[mcid]) == 1
            assert _tag(owners[mcid][0]) == tag
            assert _same(by_mcid[mcid], owners[mcid][0])
            assert _same(owners[mcid][0].Pg, page.obj)


def test_nothing_is_painted_outside_marked_content(any_sheet: bytes) -> None:
    """No path-painting or text-showing operator lies outside BDC/EMC, and artifacts nest nothing."""
    with pikepdf.open(io.BytesIO(any_sheet)) as pdf:
        mcids, outside, nested = _marked_content(pdf.pages[0])
        assert mcids
        assert outside == []
        assert nested == []


def test_catalog_and_page_declare_tagged_french_pdf(sheet: bytes) -> None:
    """The catalog has /Lang fr-FR, /MarkInfo Marked, DisplayDocTitle; the page has /Tabs /S."""
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        root = pdf.Root
        assert str(root.Lang) == "fr-FR"
        assert root.MarkInfo.Marked is True
        assert root.ViewerPreferences.DisplayDocTitle is True
        assert root.StructTreeRoot.Type == "/StructTreeRoot"
        page = pdf.pages[0].obj
        assert page.Tabs == "/S"
        assert len(pdf.pages) == 1


def test_xmp_declares_pdfua_and_repeats_the_info_dictionary(sheet: bytes) -> None:
    """XMP says pdfuaid:part 1, and its title, producer and dates are the Info dictionary's."""
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        info = pdf.docinfo
        with pdf.open_metadata(set_pikepdf_as_editor=False, update_docinfo=False) as xmp:
            assert xmp["pdfuaid:part"] == "1"
            assert xmp["dc:title"] == str(info.Title)
            assert xmp["pdf:Producer"] == str(info.Producer)
            assert xmp["xmp:CreatorTool"] == str(info.Creator)
            for key, info_key in (("xmp:CreateDate", "/CreationDate"), ("xmp:ModifyDate", "/ModDate")):
                assert xmp[key] == _xmp_date(str(info[info_key]))
        assert pdf.Root.Metadata.Type == "/Metadata"
        assert "/Filter" not in pdf.Root.Metadata  # readable by tools that do not inflate


def test_personal_title_names_the_person(procedure: Procedure, person: Person) -> None:
    """A personal sheet's XMP title is its own (with the person's name), not the flyer's."""
    with pikepdf.open(io.BytesIO(_sheet(procedure, person, "personal"))) as pdf:
        with pdf.open_metadata() as xmp:
            assert "Marie-Hélène" in xmp["dc:title"]


def test_every_font_is_embedded(sheet: bytes) -> None:
    """Every font the page uses carries its font program."""
    with pikepdf.open(io.BytesIO(sheet)) as pdf:
        fonts = pdf.pages[0].obj.Resources.Font
        assert len(fonts) >= 1
        for name, font in fonts.items():
            descendants = list(font.DescendantFonts) if "/DescendantFonts" in font else [font]
            for f in descendants:
                descriptor = f.FontDescriptor
                assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), name


def test_same_input_gives_the_same_bytes(procedure: Procedure, person: Person) -> None:
    """Rendering twice, even with a new renderer, gives byte-identical tagged files."""
    for kind in ("flyer", "personal"):
        first = _sheet(procedure, person, kind)
        assert _sheet(procedure, person, kind) == first
        fresh = PdfRenderer(procedure).to_bytes(person if kind == "personal" else None)
        assert fresh == first


def test_print_file_stays_untagged(procedure: Procedure, person: Person) -> None:
    """all.pdf (many pages sharing one form) carries no structure tree: it is for printing."""
    out = io.BytesIO()
    assert _renderer(procedure).render_many([person, person], out) == 2
    with pikepdf.open(io.BytesIO(out.getvalue())) as pdf:
        assert "/StructTreeRoot" not in pdf.Root
        assert len(pdf.pages) == 2


def test_unknown_structure_names_are_refused() -> None:
    """A block with a tag or group the tagger does not know fails loudly, not as a broken tree."""

    def nothing(c: object) -> None:
        pass

    with pytest.raises(ValueError, match="Table"):
        tagging.build_tree([tagging.Tagged(Block(0, 0, nothing, "Table"), 0)])
    with pytest.raises(ValueError, match="Aside"):
        tagging.build_tree([tagging.Tagged(Block(0, 0, nothing, "P", parent=("Aside",)), 0)])


def test_a_wrapped_heading_reads_as_one_sentence(procedure) -> None:
    """The title wraps on two lines; its H1 carries the whole title as /ActualText (words not glued)."""
    import io

    import pikepdf
    from helpers import PdfRenderer

    with pikepdf.open(io.BytesIO(PdfRenderer(procedure).to_bytes(None))) as pdf:
        found = []

        def walk(element: object) -> None:
            if isinstance(element, pikepdf.Dictionary) and "/S" in element:
                if element.S == "/H1":
                    found.append(str(element.get("/ActualText", "")))
                kids = element.get("/K")
                for kid in kids if isinstance(kids, pikepdf.Array) else [kids]:
                    walk(kid)

        walk(pdf.Root.StructTreeRoot.K)
    assert found == [procedure.meta.title]
