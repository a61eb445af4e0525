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

import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import DummyDoc, PDFName, PDFObject, PDFString

from . import reportlab_internals as internals
from . import written

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

    @cached_property
    def size(self) -> int:
        """How many elements the tree holds (the root included)."""
        return len(_preorder(self.root))


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
    adopted: tuple[Hashable, int] | None = None  # the shape of the blocks taken over, and their number

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
        contents = item.block.alt or url

        def make() -> None:
            self.canvas.linkURL(
                url, rect, relative=0, thickness=0, Contents=PDFString(contents), StructParent=annot + 1
            )

        internals.add_link_once(self.canvas, (url, tuple(rect), contents, annot), _LINKS, make)
        return Tagged(item.block, item.mcid, annot, item.order)

    def adopt(self, items: list[Tagged], shape: Hashable = None) -> None:
        """Take over blocks whose marked content was written as prepared operators.

        They must come first on the page: their MCIDs and annotations are
        numbered from zero, as they were when the operators were made.
        ``shape`` is theirs (``shape_of(items)``), when the caller keeps it.
        """
        if self.items or self.annots:
            raise ValueError("tagging: prepared blocks must come first on the page")
        for item in items:
            linked = item.block.link is not None
            self.items.append(
                self._annotate(Tagged(item.block, item.mcid, None, item.order)) if linked else item
            )
        if shape is not None:
            self.adopted = (shape, len(items))

    def finish_page(self, trees: TreeCache | None = None) -> None:
        """Close the page and add its structure to the document, before it is saved.

        With ``trees``, a page whose blocks say what an earlier page's said
        (same tags, paths, texts said, order) gets that page's tree bytes.
        """
        self.canvas.showPage()
        shape = self.shape() if trees is not None else None
        found = None if shape is None or trees is None else trees.tree(shape)
        tree = found if found is not None else build_tree(self.items)
        if found is None and trees is not None:
            trees.keep_tree(shape, tree)
        _write(self.canvas, tree, trees, shape)

    def shape(self) -> Hashable:
        """What the page's structure tree is made of, as a value: equal shapes, equal trees."""
        if self.adopted is None:
            return shape_of(self.items)
        shape, count = self.adopted
        return shape, shape_of(self.items[count:])


def shape_of(items: list[Tagged]) -> Hashable:
    """What decides the structure tree of these tagged blocks, as a value."""
    return tuple(
        (i.block.tag, tuple(i.block.parent), i.block.alt, i.block.actual_text, i.mcid, i.annot, i.order)
        for i in items
    )


class TreeCache:
    """Structure trees and their objects' bytes by the shape of the page, for one writer's sheets.

    Nearly every person's box has the same shape (a heading, one line of
    name, one of identifier, the NUMEN column): their trees are the same.
    Long names say themselves in ActualText: few of those recur, so only
    the ``kept`` latest shapes are remembered.
    """

    def __init__(self, kept: int = 64) -> None:
        self.kept = kept
        self._trees: OrderedDict[Hashable, Tree] = OrderedDict()
        self._objects: OrderedDict[Hashable, list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def tree(self, shape: Hashable) -> Tree | None:
        with self._lock:
            return self._trees.get(shape)

    def keep_tree(self, shape: Hashable, tree: Tree) -> None:
        self._keep(self._trees, shape, tree)

    def get(self, key: Hashable) -> list[bytes] | None:
        with self._lock:
            return self._objects.get(key)

    def put(self, key: Hashable, objects: list[bytes]) -> None:
        self._keep(self._objects, key, objects)

    def _keep(self, table: OrderedDict[Hashable, Any], key: Hashable, value: object) -> None:
        with self._lock:
            table[key] = value
            while len(table) > self.kept:
                table.popitem(last=False)


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
            data += b" /Alt " + written.pdf_text(element.alt)
        if element.actual_text:
            data += b" /ActualText " + written.pdf_text(element.actual_text)
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


def _write(c: Canvas, tree: Tree, trees: TreeCache | None = None, shape: Hashable = None) -> None:
    """Add the tree, parent tree, page keys, MarkInfo and XMP to reportlab's document.

    ``trees`` keeps the structure objects' bytes by ``shape`` (what decides
    the tree) and by the numbers they point at: nearly every sheet of a run
    has the same tree at the same numbers.
    """
    doc = internals.document_of(c)
    page = internals.last_page(doc)
    annots = internals.annotation_numbers(doc, page)
    pg = internals.object_number(doc, page)
    # Register every object before writing any: they are numbered one after another.
    raws = [_Raw() for _ in range(tree.size + 2)]
    first = internals.add_objects(doc, raws)
    key = None if trees is None or shape is None else (shape, first, pg, tuple(annots))
    datas = None if key is None or trees is None else trees.get(key)
    if datas is None:
        datas = tree_objects(tree, first, pg, annots)
        if key is not None and trees is not None:
            trees.put(key, datas)
    for raw, data in zip(raws, datas, strict=True):
        raw.data = data

    # PDFPage writes only the keys it knows: teach this one page two more.
    internals.add_page_entries(page, StructParents=0, Tabs=PDFName("S"))
    internals.set_catalog_entries(
        doc,
        StructTreeRoot=internals.reference(doc, raws[0]),
        MarkInfo=internals.raw(b"<< /Marked true >>"),
        Metadata=internals.raw(written.metadata_stream(written.xmp(*_described(doc)))),
    )


def _described(doc: object) -> tuple[object, object, str]:
    """What the XMP repeats of the document: its Info values, its time stamp, its language."""
    return internals.document_info(doc), internals.creation_time(doc), internals.document_language(doc)
