"""The PDF writer: a sheet → a one-page tagged PDF; many sheets → one print file (``all.pdf``).

The page is laid out once per ``Page`` (``page.layout``): every block gets
its place, its wrapped text and its structure tag. Writing a sheet then
only paints those blocks (replayed as the operators they gave the first
time), plus the person's box, and reportlab's document saves the file;
what recurs from sheet to sheet is made once (font subsets in fonts.py,
link annotations and structure trees in tagging.py, the compressed start
of the page stream here). The same blocks paint a shared form XObject for
the print file. One writer may serve several threads at once: what it
prepares lazily is guarded, and every document has its own font state.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from reportlab.lib.pagesizes import A4
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from ...errors import RenderError
from ...output import atomic_write
from ...sheet.blocks import Page, PersonalBox, Sheet
from ...sheet.fit import Rung, name_too_long
from ..drawable import check_drawable
from . import fonts, tagging, written
from . import reportlab_internals as internals
from .fonts import FONT, FONT_BOLD
from .layout import Block, Layout
from .page import PageBuilder, layout
from .personal_box import box_blocks
from .styles import SMALLEST

TREES_KEPT = 64  # structure trees remembered by shape (long names say themselves: few recur)


@dataclass
class Shared:
    """The shared part of one layout, prepared once: its operators, and what replaying them needs."""

    ops: str  # the operators of the layout's blocks, as drawn in a fresh document
    used_fonts: list[tuple[str, str]]  # the characters each font gave codes, in use order
    marks: list[tagging.Tagged]  # the blocks' marked content, numbered from zero
    shape: Hashable  # what the marks make of the structure tree (tagging.shape_of)
    templates: dict[bool, Any] = field(default_factory=dict)  # documents whose font states sheets copy
    start: written.SharedStart | None = None  # the page stream's start, compressed once (from the first page)


class PdfWriter:
    """Writes the sheets of one page (the flyer or personal sheets) as one-page tagged PDFs."""

    format = "pdf"
    print_file = "all"  # the stem of the file that prints every sheet of a run (``all.pdf``)

    def __init__(
        self, page: Page, reuse: bool = True, sibling: Callable[[Page], object] | None = None
    ) -> None:
        internals.check_version()  # before anything leans on reportlab's internals
        # The writer of another page: the registry's (shared by the run), else one made here, once a page.
        self._sibling = sibling or self._own_sibling
        self._siblings: dict[Page, PdfWriter] = {}
        fonts.register()
        self.page = page
        self.flyer_layout = layout(page, personal=False)
        self.personal_layout = layout(page, personal=True)
        self._tall: dict[int, Layout] = {}
        # The shared part of each layout, written once per run (``reuse``), by the layout itself:
        # a key that holds its layout cannot outlive it.
        self.reuse = reuse
        self._shared: dict[Layout, Shared] = {}
        self._trees = tagging.TreeCache(TREES_KEPT)
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
        """The one-page tagged PDF of the sheet, saved by reportlab's document."""
        own_writer = self._writer_of(sheet.page)
        if own_writer is not self:
            return own_writer.to_bytes(sheet)  # a managing office's own page
        own: list[Block] = []
        if sheet.box is None:
            page_layout = self.flyer_layout
        else:
            page_layout, own = self._layout_and_box(sheet.box)
        buffer = io.BytesIO()
        c = self._canvas(buffer, sheet.title)
        tagger = tagging.Tagger(c, sheet.title)
        ops = self._paint(c, page_layout, own, tagger)
        tagger.finish_page(self._trees)
        doc = internals.document_of(c)
        page = internals.last_page(doc)
        internals.set_page_contents(doc, page, self._start(page_layout, page, ops))
        internals.set_text_resources(page)
        c.save()
        return buffer.getvalue()

    def measure(self, sheet: Sheet, rung: Rung) -> float:
        """Room (points) the sheet leaves on its page at ``rung``; negative when it is too tall."""
        height = 0.0
        if sheet.box is not None:
            assert self.personal_layout.box is not None
            _, needed = box_blocks(self.personal_layout, sheet.box)
            # The height _layout_and_box gives a taller box, so that the measure agrees with the sheet.
            height = float(round(needed) + 1) if needed > self.personal_layout.box[3] + 0.5 else 0.0
        return PageBuilder(self.page, sheet.box is not None, rung, box_height=height).build().free

    def _layout_and_box(self, box: PersonalBox) -> tuple[Layout, list[Block]]:
        """The page layout for this person and the blocks of their box.

        Nearly everyone fits the usual box, and so shares the usual layout;
        a very long name or a homonym's note gets a taller box (and, if need
        be, smaller type): one layout per height, shared by all who need it.
        """
        # A letter no embedded font has refuses the sheet, naming it: never a "?".
        check_drawable(box.first_name, box.family_name, box.birth_name, box.identifier, box.manager)
        usual = self.personal_layout
        blocks, needed = box_blocks(usual, box)
        assert usual.box is not None
        if needed <= usual.box[3] + 0.5:
            return usual, blocks
        tall = self._tall_layout(round(needed))
        # A taller box hangs from the same top edge: at the same type size its lines stand where they
        # stood (a homonym's every sheet set them twice, the tenth of its cost).
        if not same_box_top(tall, usual):
            blocks, _ = box_blocks(tall, box)
        return tall, blocks

    def _tall_layout(self, key: int) -> Layout:
        """The page with a personal box ``key`` points tall (one layout per height, for all who need it)."""
        with self._lock:
            if key not in self._tall:
                try:
                    self._tall[key] = layout(self.page, personal=True, box_height=float(key + 1))
                except RenderError:
                    raise name_too_long(self.format, 0.0, measured=True) from None
            return self._tall[key]

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
        internals.quick_info(internals.document_of(c))
        c.setTitle(title)
        c.setAuthor(info.author)
        c.setSubject(info.subject)
        c.setCreator("aesh-generator")
        c.setViewerPreference("DisplayDocTitle", "true")
        internals.set_creation_time(internals.document_of(c), info.created)
        return c

    def _paint(self, c: Canvas, page_layout: Layout, own_blocks: list[Block], tagger: tagging.Tagger) -> str:
        """The shared blocks first (replayed when prepared), then the person's box; returns the shared operators.

        Drawing order is not reading order: the structure tree puts the box
        where it stands on the page, between the title and the steps.
        """
        split = _first_after_box(page_layout)
        if self.reuse:
            ops = self._replay(c, page_layout, tagger, seeded=bool(own_blocks))
        else:
            start = internals.operator_count(c)
            with self._lock:
                for index, block in enumerate(page_layout.blocks):
                    tagger.block(block, order=float(index))
            ops = internals.operators_since(c, start)
        if own_blocks and not self.reuse:
            # Every sheet then has the same font subsets, written once per run.
            doc = internals.document_of(c)
            fonts.seed([pdfmetrics.getFont(FONT), pdfmetrics.getFont(FONT_BOLD)], doc)
        for index, block in enumerate(own_blocks):
            tagger.block(block, order=split - 0.5 + index / 1000)
        return ops

    def _start(self, page_layout: Layout, page: object, ops: str) -> written.SharedStart:
        """The start of the page stream up to the shared operators ``ops``: compressed once per layout (``reuse``)."""
        if self.reuse:
            with self._lock:
                shared = self._shared[page_layout]
                if shared.start is None:
                    shared.start = _shared_start(internals.page_text(page), ops)
                return shared.start
        return _shared_start(internals.page_text(page), ops)

    def _replay(self, c: Canvas, page_layout: Layout, tagger: tagging.Tagger, seeded: bool) -> str:
        """Write the shared blocks as the operators they gave the first time.

        Replaying is exact because the first use of each character fixes its
        code in the font subset: the same characters are first used in the
        same order here (copied from a document where they were, then the
        letters of names when ``seeded``), so the same operators mean the
        same text.
        """
        with self._lock:
            shared = self._shared.get(page_layout)
            if shared is None:
                shared = self._shared[page_layout] = self._prepare(page_layout)
            template = shared.templates.get(seeded)
            if template is None:
                template = shared.templates[seeded] = self._font_template(shared.used_fonts, seeded)
        internals.copy_font_states(template, internals.document_of(c), fonts.all_fonts())
        c.addLiteral(shared.ops)
        tagger.adopt(shared.marks, shared.shape)
        return shared.ops

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

    def _prepare(self, page_layout: Layout) -> Shared:
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
        return Shared(ops, used_fonts, list(tagger.items), tagging.shape_of(tagger.items))

    # -- the print file ----------------------------------------------------
    def write_many(self, sheets: Iterable[Sheet], target: BinaryIO) -> int:
        """Personal sheets in one print file; the part shared by the pages of each layout is one form.

        It is for printing: untagged and without link annotations (a form
        cannot carry per-page structure); the one-page files are the
        accessible, clickable ones. A layout's form holds the page and the
        parts of the personal box that are the same for everyone (a taller
        box, for a long name or a homonym's note, has its own); each page
        holds only its person's lines, and points at one shared resources
        dictionary. reportlab keeps every page until the file is saved: a
        print file is one volume of a run. Returns the number of pages.
        """
        c = self._canvas(target, self.page.info.title)
        doc = internals.document_of(c)
        forms: dict[Layout, str] = {}
        resources = None
        count = 0
        for sheet in sheets:
            assert sheet.box is not None, "the print file holds personal sheets"
            # Each sheet is drawn on its own page's shared part (its office's step 1).
            own_writer = self._writer_of(sheet.page)
            try:
                page_layout, own_blocks = own_writer._layout_and_box(sheet.box)
            except RenderError:
                continue  # their own sheet reports it: a print file only holds sheets that can be made
            name = forms.get(page_layout)
            if name is None:
                name = forms[page_layout] = own_writer._form(c, page_layout, own_blocks, len(forms))
            c.doForm(name)
            _draw(c, [b for b in own_blocks if not b.shared])
            c.showPage()
            page = internals.last_page(doc)
            internals.compress_page_with(page, written.SMALL_FLATE)  # a page holds only its person's lines
            resources = internals.share_page_resources(doc, page, tuple(forms.values()), resources)
            count += 1
        c.save()
        return count

    def _own_sibling(self, page: Page) -> PdfWriter:
        with self._lock:
            if page not in self._siblings:
                self._siblings[page] = PdfWriter(page, self.reuse)
            return self._siblings[page]

    def _writer_of(self, page: Page) -> PdfWriter:
        """This writer for its own page; for another (a managing office's own step 1), that page's writer."""
        if page is self.page or page == self.page:
            return self
        found = self._sibling(page)
        assert isinstance(found, PdfWriter)
        return found

    def _form(self, c: Canvas, page_layout: Layout, own_blocks: list[Block], number: int) -> str:
        """A form of the layout's blocks and the box's common parts (they say the same on every sheet)."""
        name = f"shared{number}" if number else "shared"
        c.beginForm(name)
        with self._lock:
            _draw(c, page_layout.blocks)
        _draw(c, [b for b in own_blocks if b.shared])
        c.endForm()
        internals.compress_form_with(internals.document_of(c), name, written.FLATE)
        return name


def _shared_start(text: str, ops: str) -> written.SharedStart:
    """The page's operators up to the end of the shared ones (what precedes them is the same on every page)."""
    end = text.find(ops)
    return written.SharedStart(text[: end + len(ops)] if end >= 0 and ops else "")


def same_box_top(one: Layout, other: Layout) -> bool:
    """Whether the person's lines stand at the same places in both layouts' boxes.

    ``box_blocks`` sets them from the box's top edge, left edge and width,
    at the layout's type size: its height only decides where the box ends.
    """
    if one.box is None or other.box is None or one.scale != other.scale:
        return False
    (x, y, w, h), (x2, y2, w2, h2) = one.box, other.box
    return (x, y + h, w) == (x2, y2 + h2, w2)


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
