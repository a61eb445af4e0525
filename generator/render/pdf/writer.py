"""The PDF writer: a sheet → a one-page tagged PDF; many sheets → one print file (``all.pdf``).

The page is laid out once per ``Page`` (``page.layout``): every block gets
its place, its wrapped text and its structure tag. Writing a sheet then
only paints those blocks (replayed as the operators they gave the first
time), plus the person's box. The same blocks paint a shared form XObject
for the print file. One writer may serve several threads at once: what it
prepares lazily is guarded, and every document has its own font state.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Hashable, Iterable
from pathlib import Path
from typing import BinaryIO

from reportlab import rl_config
from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ...errors import RenderError
from ...run.output import atomic_write
from ...sheet.blocks import Page, PersonalBox, Sheet
from ...sheet.fit import Rung, name_too_long
from ..drawable import check_drawable
from . import assemble, fonts, tagging
from . import reportlab_internals as internals
from .fonts import FONT, FONT_BOLD
from .layout import Block, Layout
from .page import PageBuilder, layout
from .personal_box import box_blocks
from .styles import SMALLEST

# Plain Flate streams: ASCII85 on top only makes files a quarter larger.
rl_config.useA85 = 0

# The shared part of a layout: its operators, the characters each font gave codes (in use order),
# its tagged blocks, and the bytes of its link annotations.
Prepared = tuple[str, list[tuple[str, str]], list[tagging.Tagged], list[bytes]]
# What setViewerPreference("DisplayDocTitle", "true") writes.
TREES_KEPT = 64
VIEWER_PREFERENCES = b"<<\n/DisplayDocTitle true\n>>"


class PdfWriter:
    """Writes the sheets of one page (the flyer or personal sheets) as one-page tagged PDFs."""

    format = "pdf"
    print_file = "all"  # the stem of the file that prints every sheet of a run (``all.pdf``)

    def __init__(self, page: Page, reuse: bool = True) -> None:
        fonts.register()
        self.page = page
        self.flyer_layout = layout(page, personal=False)
        self.personal_layout = layout(page, personal=True)
        self._tall: dict[int, Layout] = {}
        # Operators of the shared part of each layout, written once per run.
        self.reuse = reuse
        self._prepared: dict[int, Prepared] = {}
        self._flates: dict[int, internals.PrefixFlate] = {}
        self._font_templates: dict[tuple[int, bool], object] = {}  # documents whose font states sheets copy
        self._trees: dict[Hashable, list[bytes]] = {}  # structure objects, by the shape of the box
        # Paragraphs remember the canvas they draw on: the shared blocks are drawn by one thread at a time.
        self._lock = threading.RLock()

    # -- one document ----------------------------------------------------
    def write(self, sheet: Sheet, target: str | Path | BinaryIO) -> None:
        """The sheet into a file (written atomically) or a binary stream."""
        if isinstance(target, (str, Path)):
            with atomic_write(Path(target)) as stream:
                stream.write(self.to_bytes(sheet))
        else:
            target.write(self.to_bytes(sheet))

    def to_bytes(self, sheet: Sheet) -> bytes:
        own: list[Block] = []
        if sheet.box is None:
            page_layout = self.flyer_layout
        else:
            page_layout, own = self._layout_and_box(sheet.box)
        if self.reuse and not any(block.link for block in own):
            c = self._canvas(io.BytesIO(), sheet.title)
            tagger = tagging.Tagger(c, sheet.title, links=False)
            self._paint(c, page_layout, own, tagger)
            c.showPage()
            doc = internals.document_of(c)
            if internals.plain_page(doc):
                page = internals.last_page(doc)
                stream = self._flate(page_layout, page).encode(internals.page_text(page))
                annots = self._prepared[id(page_layout)][3]
                tree = self._structure(page_layout, own, tagger, len(annots))
                return assemble.document(doc, stream, annots, tree, VIEWER_PREFERENCES)
        return self._saved_by_reportlab(sheet, page_layout, own)

    def _structure(
        self, page_layout: Layout, own: list[Block], tagger: tagging.Tagger, annots: int
    ) -> list[bytes]:
        """The structure objects' bytes, kept for every sheet whose box has the same tags and texts said.

        Nearly every person's box has the same shape (a heading, one line
        of name, one of identifier, the NUMEN column): their trees are the
        same bytes.
        """
        shape = (id(page_layout), annots, tuple((b.tag, b.parent, b.alt, b.actual_text) for b in own))
        with self._lock:
            found = self._trees.get(shape)
        if found is None:
            found = assemble.structure(tagging.build_tree(tagger.items), annots)
            with self._lock:
                if len(self._trees) >= TREES_KEPT:  # long names say themselves in ActualText: few recur
                    self._trees.pop(next(iter(self._trees)))
                self._trees[shape] = found
        return found

    def _saved_by_reportlab(self, sheet: Sheet, page_layout: Layout, own: list[Block]) -> bytes:
        """The sheet as reportlab's document writes it: the reference ``assemble`` must match, byte for byte."""
        buffer = io.BytesIO()
        c = self._canvas(buffer, sheet.title)
        tagger = tagging.Tagger(c, sheet.title)
        self._paint(c, page_layout, own, tagger)
        tagger.finish_page()
        if self.reuse:
            page = internals.last_page(internals.document_of(c))
            internals.compress_page_with(page, self._flate(page_layout, page))
        c.save()
        return buffer.getvalue()

    def measure(self, sheet: Sheet, rung: Rung) -> float:
        """Room (points) the sheet leaves on its page at ``rung``; negative when it is too tall."""
        height = 0.0
        if sheet.box is not None:
            assert self.personal_layout.box is not None
            _, needed = box_blocks(self.personal_layout, sheet.box)
            height = needed if needed > self.personal_layout.box[3] + 0.5 else 0.0
        return PageBuilder(self.page, sheet.box is not None, rung, box_height=height).build().free

    def _layout_and_box(self, box: PersonalBox) -> tuple[Layout, list[Block]]:
        """The page layout for this person and the blocks of their box.

        Nearly everyone fits the usual box, and so shares the usual layout;
        a very long name gets a taller box (and, if need be, smaller type).
        """
        # A letter no embedded font has refuses the sheet, naming it: never a "?".
        check_drawable(box.first_name, box.family_name, box.birth_name, box.identifier, box.manager)
        page_layout = self.personal_layout
        blocks, needed = box_blocks(page_layout, box)
        assert page_layout.box is not None
        if needed > page_layout.box[3] + 0.5:
            key = round(needed)
            with self._lock:
                if key not in self._tall:
                    try:
                        self._tall[key] = layout(self.page, personal=True, box_height=float(key + 1))
                    except RenderError:
                        raise name_too_long(self.format, 0.0, measured=True) from None
                page_layout = self._tall[key]
            blocks, _ = box_blocks(page_layout, box)
        return page_layout, blocks

    def _canvas(self, stream: BinaryIO, title: str) -> Canvas:
        info = self.page.info
        c = Canvas(
            stream,
            pagesize=A4,
            invariant=1,
            lang=info.language,
            pdfVersion=(1, 7),
            pageCompression=1,
            initialFontName=FONT,
            initialFontSize=SMALLEST,
        )
        c.setTitle(title)
        c.setAuthor(info.author)
        c.setSubject(info.subject)
        c.setCreator("aesh-generator")
        c.setViewerPreference("DisplayDocTitle", "true")
        internals.set_creation_time(internals.document_of(c), info.created)
        return c

    def _paint(self, c: Canvas, page_layout: Layout, own_blocks: list[Block], tagger: tagging.Tagger) -> None:
        """The shared blocks first (replayed when prepared), then the person's box.

        Drawing order is not reading order: the structure tree puts the box
        where it stands on the page, between the title and the steps.
        """
        split = _first_after_box(page_layout)
        if self.reuse:
            self._replay(c, page_layout, tagger, seeded=bool(own_blocks))
        else:
            with self._lock:
                for index, block in enumerate(page_layout.blocks):
                    tagger.block(block, order=float(index))
        if own_blocks and not self.reuse:
            # Every sheet then has the same font subsets, written once per run.
            doc = internals.document_of(c)
            fonts.seed([pdfmetrics.getFont(FONT), pdfmetrics.getFont(FONT_BOLD)], doc)
        for index, block in enumerate(own_blocks):
            tagger.block(block, order=split - 0.5 + index / 1000)

    def _flate(self, page_layout: Layout, page: object) -> internals.PrefixFlate:
        """The page stream's compressor: the replayed shared operators, and what precedes them, done once."""
        key = id(page_layout)
        with self._lock:
            flate = self._flates.get(key)
            if flate is None:
                text = internals.page_text(page)
                ops = self._prepared[key][0]
                end = text.find(ops)
                prefix = text[: end + len(ops)] if end >= 0 else ""
                flate = self._flates[key] = internals.PrefixFlate(prefix.encode("utf8"))
            return flate

    def _replay(self, c: Canvas, page_layout: Layout, tagger: tagging.Tagger, seeded: bool) -> None:
        """Write the shared blocks as the operators they gave the first time.

        Replaying is exact because the first use of each character fixes its
        code in the font subset: the same characters are first used in the
        same order here (copied from a document where they were, then the
        letters of names when ``seeded``), so the same operators mean the
        same text.
        """
        key = id(page_layout)
        with self._lock:
            if key not in self._prepared:
                self._prepared[key] = self._prepare(page_layout)
            ops, used_fonts, marks, _ = self._prepared[key]
            template = self._font_templates.get((key, seeded))
            if template is None:
                template = self._font_templates[key, seeded] = self._font_template(used_fonts, seeded)
        internals.copy_font_states(template, internals.document_of(c), fonts.all_fonts())
        c.addLiteral(ops)
        tagger.adopt(marks)

    def _font_template(self, used_fonts: list[tuple[str, str]], seeded: bool) -> object:
        """A document whose fonts gave codes to the shared text's characters, then (``seeded``) to names'."""
        doc = internals.document_of(self._canvas(io.BytesIO(), ""))
        for name, chars in used_fonts:
            font = pdfmetrics.getFont(name)
            font.splitString(chars, doc)
            font.getSubsetInternalName(0, doc)
        if seeded:
            fonts.seed([pdfmetrics.getFont(FONT), pdfmetrics.getFont(FONT_BOLD)], doc)
        return doc

    def _prepare(self, page_layout: Layout) -> Prepared:
        c = self._canvas(io.BytesIO(), self.page.info.title)
        tagger = tagging.Tagger(c, "")
        start = internals.operator_count(c)
        for index, block in enumerate(page_layout.blocks):
            tagger.block(block, order=float(index))
        ops = internals.operators_since(c, start)
        doc = internals.document_of(c)
        used_fonts = []
        for name in internals.fonts_in_use_order(doc):
            chars = internals.assigned_characters(pdfmetrics.getFont(name), doc)
            if chars is not None:
                used_fonts.append((name, chars))
        return ops, used_fonts, list(tagger.items), internals.page_annotations(c)

    # -- the print file ----------------------------------------------------
    def write_many(self, sheets: Iterable[Sheet], target: BinaryIO) -> int:
        """Personal sheets in one print file; the part shared by every page is one form.

        It is for printing: untagged and without link annotations (a form
        cannot carry per-page structure); the one-page files are the
        accessible, clickable ones. The form holds the page and the parts of
        the personal box that are the same for everyone; each page holds
        only its person's lines, and points at one shared resources
        dictionary. reportlab keeps every page until the file is saved: a
        print file is one volume of a run. Returns the number of pages.
        """
        c = self._canvas(target, self.page.info.title)
        doc = internals.document_of(c)
        shared = self.personal_layout
        c.beginForm("shared")
        with self._lock:
            _draw(c, shared.blocks)
        form_drawn = False
        resources = None
        count = 0
        for sheet in sheets:
            assert sheet.box is not None, "the print file holds personal sheets"
            try:
                page_layout, own_blocks = self._layout_and_box(sheet.box)
            except RenderError:
                continue  # their own sheet reports it: a print file only holds sheets that can be made
            if not form_drawn:
                # The box's common parts come from the first sheet: they say the same on every one.
                _draw(c, [b for b in box_blocks(shared, sheet.box)[0] if b.shared])
                c.endForm()
                form_drawn = True
            if page_layout is shared:
                c.doForm("shared")
                _draw(c, [b for b in own_blocks if not b.shared])
            else:
                with self._lock:
                    _draw(c, page_layout.blocks)
                _draw(c, own_blocks)
            c.showPage()
            resources = internals.share_page_resources(doc, internals.last_page(doc), ("shared",), resources)
            count += 1
        if not form_drawn:
            c.endForm()
        c.save()
        return count


def _first_after_box(page_layout: Layout) -> int:
    """Index of the first block below the personal box (reading order)."""
    if page_layout.box is None:
        return len(page_layout.blocks)
    box_y = page_layout.box[1]
    for i, block in enumerate(page_layout.blocks):
        if block.y < box_y - 1 and block.tag != "Artifact":
            return i
    return len(page_layout.blocks)


def _draw(c: Canvas, blocks: Iterable[Block]) -> None:
    for block in blocks:
        c.saveState()
        block.draw(c)
        c.restoreState()
