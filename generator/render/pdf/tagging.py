"""Tagged PDF (PDF/UA-1): marked content while drawing, then the structure tree.

The PDF writer hands every block to ``Tagger.block``; decoration is
marked as an artifact, everything else gets a marked-content id (MCID).
When the page is finished, the blocks' tags and structure paths become a
structure tree (``build_tree``, pure), which ``_write`` adds to reportlab's
document before it is saved: the tree, the parent tree, ``/StructParents``
and ``/Tabs`` on the page, ``/MarkInfo`` and the XMP metadata.

Writing through reportlab's document objects adds about 0.5 ms to a page
(5.0 → 5.6 ms); reopening the saved file with pikepdf added about 4 ms
(→ 9.0 ms; measured for issue 8, best of 15 interleaved batches). The
private names of reportlab this needs are behind ``reportlab_internals``;
tests/test_tagging.py reads the result back with pikepdf and pdfua.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape

from reportlab.pdfbase.pdfdoc import DummyDoc, PDFDictionary, PDFName, PDFObject, PDFStream, PDFString

from . import reportlab_internals as internals

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from .layout import Block

# Grouping names the layout uses in a block's ``parent`` path, and the
# standard structure type each one becomes.
GROUPS = {"L": "L", "LI": "LI", "LBody": "LBody", "Box": "Sect", "Help": "Sect", "Div": "Div"}
# Tags a block itself may carry (its marked content is owned by that element).
LEAVES = frozenset({"P", "H1", "H2", "Lbl", "Link", "Figure", "Caption"})


@dataclass
class Tagged:
    """A drawn block with its marked-content id and, for links, annotation index."""

    block: Block
    mcid: int
    annot: int | None = None
    order: float = 0.0  # reading position: the tree follows it, MCIDs follow drawing


@dataclass(eq=False)
class Element:
    """A structure element: its kids are MCIDs, elements or annotation indexes (``Annot``)."""

    type: str
    kids: list[int | Element | Annot] = field(default_factory=list)
    alt: str = ""
    actual_text: str = ""

    def add(self, kid: Element) -> Element:
        self.kids.append(kid)
        return kid


@dataclass(frozen=True)
class Annot:
    """The link annotation number ``index`` of the page, as a kid (an OBJR)."""

    index: int


@dataclass
class Tree:
    """The page's structure: the root element and who owns each MCID and annotation."""

    root: Element
    owners: list[Element]  # by MCID
    links: list[Element]  # by annotation index


def build_tree(items: list[Tagged]) -> Tree:
    """The structure tree of one page from its tagged blocks, in drawing (= reading) order.

    A block's ``parent`` path names its grouping elements ("L", "LI:2",
    "LBody"; "Box" and "Help" become sections); a path may end in "Figure",
    meaning the last figure placed at that path (a caption goes inside it).
    A block with a link becomes (or is wrapped in) a Link element that also
    holds its annotation.
    """
    root = Element("Document")
    nodes: dict[tuple[str, ...], Element] = {(): root}
    owners: list[Element | None] = [None] * len(items)
    links: list[Element | None] = []
    for item in sorted(items, key=lambda i: i.order):
        block = item.block
        if block.tag not in LEAVES:
            raise ValueError(f"tagging: unknown structure tag {block.tag!r}")
        parent = _group(nodes, tuple(block.parent))
        element = Element(
            block.tag,
            [item.mcid],
            alt=block.alt if block.tag == "Figure" else "",
            actual_text=block.actual_text,
        )
        owners[item.mcid] = element
        if block.tag == "Figure":
            nodes[(*block.parent, "Figure")] = element
        if item.annot is None:
            parent.add(element)
            continue
        if block.tag == "Link":
            link = parent.add(element)
        else:  # a linked figure: the Link holds the figure and the annotation
            link = parent.add(Element("Link"))
            link.add(element)
        link.kids.append(Annot(item.annot))
        links.extend([None] * (item.annot + 1 - len(links)))
        links[item.annot] = link
    if any(link is None for link in links):
        raise ValueError("tagging: a link annotation has no Link element")
    if any(owner is None for owner in owners):
        raise ValueError("tagging: MCIDs are not numbered 0 … n-1")
    return Tree(root, [o for o in owners if o is not None], [link for link in links if link is not None])


def _group(nodes: dict[tuple[str, ...], Element], path: tuple[str, ...]) -> Element:
    """The grouping element at ``path``, created (with its ancestors) on first use."""
    if path in nodes:
        return nodes[path]
    name = path[-1].split(":")[0]
    if name not in GROUPS:
        raise ValueError(f"tagging: unknown structure group {path[-1]!r} in {path}")
    element = _group(nodes, path[:-1]).add(Element(GROUPS[name]))
    nodes[path] = element
    return element


_LINKS: dict[Hashable, bytes] = {}  # a link annotation's bytes, by what it says (reportlab_internals)


@dataclass
class Tagger:
    """Wraps each block in marked content while it is drawn; one page per Tagger."""

    canvas: Canvas
    title: str
    items: list[Tagged] = field(default_factory=list)
    annots: int = 0
    links: bool = True  # False: link annotations are numbered only (their bytes come from elsewhere)

    def block(self, block: Block, order: float | None = None) -> None:
        c = self.canvas
        if block.tag == "Artifact":
            c.addLiteral("/Artifact <</Type /Layout>> BDC")
            c.saveState()
            block.draw(c)
            c.restoreState()
            c.addLiteral("EMC")
            return
        mcid = len(self.items)
        c.addLiteral(f"/{block.tag.split(':')[0]} <</MCID {mcid}>> BDC")
        c.saveState()
        block.draw(c)
        c.restoreState()
        c.addLiteral("EMC")
        self.items.append(self._annotate(Tagged(block, mcid, None, mcid if order is None else order)))

    def _annotate(self, item: Tagged) -> Tagged:
        if not item.block.link:
            return item
        url, rect = item.block.link
        # The page is key 0 of the parent tree; its annotations follow: 1, 2, …
        annot = self.annots
        self.annots += 1
        if not self.links:
            return Tagged(item.block, item.mcid, annot, item.order)
        contents = item.block.alt or url

        def make() -> None:
            self.canvas.linkURL(
                url, rect, relative=0, thickness=0, Contents=PDFString(contents), StructParent=annot + 1
            )

        internals.add_link_once(self.canvas, (url, tuple(rect), contents, annot), _LINKS, make)
        return Tagged(item.block, item.mcid, annot, item.order)

    def adopt(self, items: list[Tagged]) -> None:
        """Take over blocks whose marked content was written as prepared operators.

        They must come first on the page: their MCIDs and annotations are
        numbered from zero, as they were when the operators were made.
        """
        if self.items or self.annots:
            raise ValueError("tagging: prepared blocks must come first on the page")
        for item in items:
            self.items.append(self._annotate(Tagged(item.block, item.mcid, None, item.order)))

    def finish_page(self) -> None:
        """Close the page and add its structure to the document, before it is saved."""
        self.canvas.showPage()
        _write(self.canvas, build_tree(self.items))


class _Raw(PDFObject):
    """An indirect object already written out as PDF bytes.

    A page has some fifty small structure objects; formatting them through
    reportlab's generic dictionaries took about 1.2 ms a page, writing them
    here about a third of that.
    """

    def __init__(self) -> None:
        self.data = b""

    def format(self, document: object) -> bytes:
        return self.data


_PLAIN = DummyDoc()  # formats a string as any unencrypted document would


@lru_cache(maxsize=512)
def pdf_text(value: str) -> bytes:
    """A text string as reportlab writes it (PDFDocEncoding when it can, else UTF-16), remembered."""
    return PDFString(value).format(_PLAIN)  # type: ignore[no-any-return]


def _preorder(root: Element) -> list[tuple[Element, int]]:
    """Every element, parents before kids, with the index of its parent in the list (-1: the tree root)."""
    order: list[tuple[Element, int]] = []

    def walk(element: Element, parent: int) -> None:
        here = len(order)
        order.append((element, parent))
        for kid in element.kids:
            if isinstance(kid, Element):
                walk(kid, here)

    walk(root, -1)
    return order


def tree_objects(tree: Tree, first: int, page: int, annots: list[int]) -> list[bytes]:
    """The structure objects numbered from ``first``: the tree root, its elements in pre-order, the parent tree.

    ``page`` is the page's object number, ``annots`` those of its link
    annotations. Pre-order keeps the numbers (and so the bytes) stable.
    """
    if len(annots) != len(tree.links):
        raise ValueError(f"tagging: {len(annots)} annotations on the page, {len(tree.links)} links")
    order = _preorder(tree.root)
    number = {id(element): first + 1 + i for i, (element, _) in enumerate(order)}
    pg = f"/Pg {page} 0 R"
    out = [b""]
    for element, parent in order:
        kids = [
            f"{number[id(kid)]} 0 R"
            if isinstance(kid, Element)
            else f"<< /Type /OBJR /Obj {annots[kid.index]} 0 R {pg} >>"
            if isinstance(kid, Annot)
            else str(kid)
            for kid in element.kids
        ]
        k = kids[0] if len(kids) == 1 else f"[ {' '.join(kids)} ]"
        up = first if parent < 0 else first + 1 + parent
        data = f"<< /Type /StructElem /S /{element.type} /P {up} 0 R {pg} /K {k}".encode()
        if element.alt:
            data += b" /Alt " + pdf_text(element.alt)
        if element.actual_text:
            data += b" /ActualText " + pdf_text(element.actual_text)
        out.append(data + b" >>")
    nums = [f"0 [ {' '.join(f'{number[id(e)]} 0 R' for e in tree.owners)} ]"]
    nums += [f"{index + 1} {number[id(link)]} 0 R" for index, link in enumerate(tree.links)]
    parent_tree = first + 1 + len(order)
    out.append(f"<< /Nums [ {' '.join(nums)} ] >>".encode())
    out[0] = (
        f"<< /Type /StructTreeRoot /K {first + 1} 0 R /ParentTree {parent_tree} 0 R "
        f"/ParentTreeNextKey {len(tree.links) + 1} >>"
    ).encode()
    return out


def _write(c: Canvas, tree: Tree) -> None:
    """Add the tree, parent tree, page keys, MarkInfo and XMP to reportlab's document."""
    doc = internals.document_of(c)
    page = doc.Pages.pages[-1]
    annots = [_number(ref.format(doc)) for ref in page.Annots or []]
    pg = _number(doc.Reference(page).format(doc))
    # Register every object before writing any: they are numbered one after another.
    raws = [_Raw() for _ in range(len(_preorder(tree.root)) + 2)]
    first = _number(doc.Reference(raws[0]).format(doc))
    for raw in raws[1:]:
        doc.Reference(raw)
    for raw, data in zip(raws, tree_objects(tree, first, pg, annots), strict=True):
        raw.data = data

    # PDFPage writes only the keys it knows: teach this one page two more.
    internals.add_page_entries(page, StructParents=0, Tabs=PDFName("S"))
    catalog = doc.Catalog
    catalog.StructTreeRoot = doc.Reference(raws[0])
    catalog.MarkInfo = PDFDictionary({"Marked": "true"})
    catalog.Metadata = PDFStream(
        PDFDictionary({"Type": PDFName("Metadata"), "Subtype": PDFName("XML")}), xmp(doc)
    )


def _number(reference: bytes) -> int:
    """The object number of a formatted reference (``b"7 0 R"``)."""
    return int(reference.split()[0])


def xmp(doc: object) -> bytes:
    """XMP metadata that declares PDF/UA-1 and repeats the Info dictionary (same title, dates)."""
    info = doc.info  # type: ignore[attr-defined]
    ts = internals.creation_time(doc)
    lang = getattr(doc.Catalog, "Lang", None)  # type: ignore[attr-defined]
    lang_text = lang.s if isinstance(lang, PDFString) else ""
    y, mo, d, h, mi, s = ts.YMDhms
    sign = "-" if ts.dhh < 0 else "+"
    date = f"{y:04d}-{mo:02d}-{d:02d}T{h:02d}:{mi:02d}:{s:02d}{sign}{abs(ts.dhh):02d}:{abs(ts.dmm):02d}"

    def alt(value: str) -> str:
        return f'<rdf:Alt><rdf:li xml:lang="x-default">{escape(value)}</rdf:li></rdf:Alt>'

    language = f"<dc:language><rdf:Bag><rdf:li>{escape(lang_text)}</rdf:li></rdf:Bag></dc:language>"
    xml = f"""<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
<rdf:Description rdf:about=""
 xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
 xmlns:xmp="http://ns.adobe.com/xap/1.0/"
 xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">
<dc:format>application/pdf</dc:format>
<dc:title>{alt(info.title)}</dc:title>
<dc:creator><rdf:Seq><rdf:li>{escape(info.author)}</rdf:li></rdf:Seq></dc:creator>
<dc:description>{alt(info.subject)}</dc:description>
{language if lang_text else ""}
<pdf:Producer>{escape(info.producer)}</pdf:Producer>
<pdf:Keywords>{escape(info.keywords)}</pdf:Keywords>
<xmp:CreatorTool>{escape(info.creator)}</xmp:CreatorTool>
<xmp:CreateDate>{date}</xmp:CreateDate>
<xmp:ModifyDate>{date}</xmp:ModifyDate>
<xmp:MetadataDate>{date}</xmp:MetadataDate>
<pdfuaid:part>1</pdfuaid:part>
</rdf:Description>
</rdf:RDF>
</x:xmpmeta>
<?xpacket end="w"?>
"""
    return xml.encode("utf-8")
