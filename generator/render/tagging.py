"""Tagged PDF: marked content while drawing, then the structure tree.

The PDF renderer hands every block to ``Tagger.block``; decoration is
marked as an artifact, everything else gets a marked-content id (MCID)
and a place in the structure tree that ``finish`` writes into the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from reportlab.pdfbase.pdfdoc import PDFString

if TYPE_CHECKING:
    from reportlab.pdfgen.canvas import Canvas

    from ..model import Meta
    from .pdf import Block


@dataclass
class Tagged:
    """A drawn block with its marked-content id and, for links, annotation index."""

    block: Block
    mcid: int
    annot: int | None = None


@dataclass
class Tagger:
    canvas: Canvas
    title: str
    items: list[Tagged] = field(default_factory=list)
    annots: int = 0

    def block(self, block: Block) -> None:
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
        annot = None
        if block.link:
            url, rect = block.link
            # Link annotations come after the page in the parent tree: page 0
            # uses key 0, annotations 1, 2, …
            annot = self.annots
            self.annots += 1
            c.linkURL(url, rect, relative=0, thickness=0, Contents=PDFString(block.alt or url),
                      StructParent=annot + 1)
        self.items.append(Tagged(block, mcid, annot))

    def finish_page(self) -> None:
        self.canvas.showPage()


def finish(data: bytes, tagger: Tagger, meta: Meta) -> bytes:
    """Add the structure tree, parent tree, MarkInfo and XMP to a saved PDF."""
    return _structure(data, tagger, meta)


def _structure(data: bytes, tagger: Tagger, meta: Meta) -> bytes:
    # Written by the accessibility work (issue 8): until then, the file has
    # marked content but no structure tree.
    del tagger, meta
    return data


def _unused(*_: Any) -> None:  # pragma: no cover
    pass
