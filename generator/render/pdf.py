"""The PDF renderer: the only importer of reportlab (fonts, layout, fit, drawing).

The page is laid out once per run (``Layout``): every block gets its place,
its wrapped text and its structure tag. Drawing a sheet then only paints
those blocks, plus the personal box for a personal sheet. The same blocks
paint a shared form XObject for the many-page print file (``all.pdf``).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO
from xml.sax.saxutils import escape, unescape

from reportlab import rl_config
from reportlab.lib.colors import Color, HexColor, white
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from .. import qr
from ..errors import RenderError
from ..model import Person, PersonalBox, Procedure, QrCode, Run, personal_box
from ..output import atomic_write
from . import fonts, tagging
from .fonts import SubsetCachingFont

# Plain Flate streams: ASCII85 on top only makes files a quarter larger.
rl_config.useA85 = 0

FONT = "Atkinson"
FONT_BOLD = "Atkinson-Bold"
ACCENT = HexColor("#000091")  # 14.9:1 on white; white on it is the same
BLACK = HexColor("#161616")  # 17.7:1 on white
RULE = HexColor("#8a8a8a")  # decoration only: never the only carrier of meaning

PAGE_W, PAGE_H = A4
MARGIN_X = 15 * mm
MARGIN_TOP = 14 * mm
MARGIN_BOTTOM = 14 * mm
QR_SIZE = 38 * mm  # with its quiet zone: 37 modules + 8 → about 0.84 mm a module
BODY_MAX, BODY_MIN = 12.0, 10.0
SMALLEST = 10.0  # no text on the page is smaller than this


def _register_fonts() -> None:
    from ..resources import font

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    pdfmetrics.registerFont(SubsetCachingFont(FONT, str(font("AtkinsonHyperlegible-Regular.ttf"))))
    pdfmetrics.registerFont(SubsetCachingFont(FONT_BOLD, str(font("AtkinsonHyperlegible-Bold.ttf"))))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=FONT_BOLD, italic=FONT, boldItalic=FONT_BOLD)
    global _GLYPHS
    _GLYPHS = _load_glyphs()


_GLYPHS: frozenset[int] = frozenset()


def _load_glyphs() -> frozenset[int]:
    regular = pdfmetrics.getFont(FONT).face.charToGlyph  # type: ignore[attr-defined]
    bold = pdfmetrics.getFont(FONT_BOLD).face.charToGlyph  # type: ignore[attr-defined]
    return frozenset(regular) & frozenset(bold)


def drawable(value: str) -> str:
    """The text with every character the embedded font lacks replaced.

    U+202F becomes a no-break space; an accented letter the font lacks
    (Vietnamese, say) falls back to its base letter; anything else to "?".
    """
    if all(ord(ch) in _GLYPHS for ch in value):
        return value
    out = []
    for ch in value:
        if ord(ch) in _GLYPHS:
            out.append(ch)
        elif ch == "\u202f":
            out.append("\u00a0")
        else:
            base = "".join(
                b
                for b in unicodedata.normalize("NFKD", ch)
                if ord(b) in _GLYPHS and not unicodedata.combining(b)
            )
            out.append(base or "?")
    return "".join(out)


def markup(runs: Iterable[Run]) -> str:
    """Paragraph markup from runs: every piece of text is escaped first."""
    return "".join(text(r.text, r.bold) for r in runs)


def text(value: str, bold: bool = False) -> str:
    """Data is text, never markup: escaped before it reaches Paragraph."""
    safe = escape(drawable(value))
    return f"<b>{safe}</b>" if bold else safe


@dataclass
class Block:
    """One thing drawn at a fixed place: a paragraph, a shape, a QR code."""

    x: float
    y: float  # bottom of the block, in points from the bottom of the page
    draw: Callable[[Canvas], None]
    tag: str  # structure tag, or "Artifact" for decoration
    parent: tuple[str, ...] = ()  # structure path, e.g. ("L", "LI:2", "LBody")
    alt: str = ""
    link: tuple[str, tuple[float, float, float, float]] | None = None  # url, rect
    actual_text: str = ""


@dataclass
class Layout:
    scale: float
    body: float
    blocks: list[Block] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None  # personal box x, y, w, h
    free: float = 0.0  # points left between the content and the help band


class Styles:
    def __init__(self, s: float) -> None:
        body = max(BODY_MIN, BODY_MAX * s)
        self.body_size = body
        lead = body * 1.32

        def style(name: str, size: float, leading: float, **kw: object) -> ParagraphStyle:
            return ParagraphStyle(
                name,
                fontName=kw.pop("font", FONT),
                fontSize=size,
                leading=leading,
                textColor=kw.pop("color", BLACK),
                splitLongWords=1,
                **kw,
            )  # type: ignore[arg-type]

        self.audience = style("audience", max(SMALLEST, 11 * s), 14 * s, font=FONT_BOLD, color=ACCENT)
        self.title = style("title", 22 * s, 25.5 * s, font=FONT_BOLD, color=ACCENT)
        self.purpose = style("purpose", body, lead)
        self.heading = style("heading", body + 2.5 * s, (body + 2.5 * s) * 1.25, font=FONT_BOLD)
        self.body = style("body", body, lead, spaceBefore=0)
        self.small = style("small", SMALLEST, SMALLEST * 1.3)
        self.url = style("url", SMALLEST, SMALLEST * 1.3, color=ACCENT)
        self.qr_label = style("qrlabel", SMALLEST, SMALLEST * 1.25, alignment=TA_CENTER)
        self.number = style(
            "number", body + 2 * s, body + 2, font=FONT_BOLD, color=white, alignment=TA_CENTER
        )
        self.box_head = style(
            "boxhead", SMALLEST + 0.5, (SMALLEST + 0.5) * 1.25, font=FONT_BOLD, color=ACCENT
        )
        self.box_name = style("boxname", body + 1, (body + 1) * 1.3)
        self.box_label = style("boxlabel", body, lead)
        self.box_id = style("boxid", 20 * s, 24 * s, font=FONT_BOLD, color=ACCENT)
        self.help_label = style("helplabel", body + 1, (body + 1) * 1.3, font=FONT_BOLD, color=white)
        self.help_hours = style("helphours", body, lead, color=white)
        self.help_phone = style("helpphone", 24 * s, 28 * s, font=FONT_BOLD, color=white)


@lru_cache(maxsize=16)
def _styles(scale: float) -> Styles:
    return Styles(scale)


def _line_widths(p: Paragraph, width: float) -> list[float]:
    """Width of each wrapped line of a paragraph."""
    widths = []
    for line in p.blPara.lines:
        extra = line[0] if isinstance(line, tuple) else line.extraSpace
        widths.append(width - extra)
    return widths or [0.0]


def _plain(markup_text: str) -> str:
    """The text of markup built by ``text``/``markup`` (escaped text in <b>, <font>, <br/>)."""
    return unescape(re.sub(r"<[^>]+>", "", markup_text.replace("<br/>", " ")))


def _drawer(p: Paragraph, x: float, y: float) -> Callable[[Canvas], None]:
    """A block's draw function: the wrapped paragraph at its place."""

    def draw(c: Canvas) -> None:
        p.drawOn(c, x, y)

    return draw


def _text_drawer(pieces: list[tuple[str, str]], x: float, y: float, size: float) -> Callable[[Canvas], None]:
    """Draws already drawable text pieces, each in its font, one after the other on a baseline."""

    def draw(c: Canvas) -> None:
        t = c.beginText(x, y)
        t.setFillColor(BLACK)
        for piece, font_name in pieces:
            t.setFont(font_name, size)
            t.textOut(piece)
        c.drawText(t)

    return draw


def _link_drawer(shown: str, x: float, y: float, size: float) -> Callable[[Canvas], None]:
    """A link's text in the accent colour, underlined: shown by more than its colour."""
    width = pdfmetrics.stringWidth(shown, FONT, size)

    def draw(c: Canvas) -> None:
        c.setFillColor(ACCENT)
        c.setFont(FONT, size)
        c.drawString(x, y, shown)
        c.setStrokeColor(ACCENT)
        c.setLineWidth(0.5)
        c.line(x, y - 1.6, x + width, y - 1.6)

    return draw


def _para(markup_text: str, style: ParagraphStyle, width: float) -> tuple[Paragraph, float]:
    p = Paragraph(markup_text, style)
    _w, h = p.wrap(width, PAGE_H)
    return p, h


class _Builder:
    """Places blocks from the top of the page down."""

    def __init__(
        self, procedure: Procedure, personal: bool, s: float, extra_gap: float = 0.0, box_height: float = 0.0
    ) -> None:
        self.procedure = procedure
        self.box_height = box_height
        self.extra_gap = extra_gap
        self.personal = personal
        self.s = s
        self.st = Styles(s)
        self.layout = Layout(scale=s, body=self.st.body_size)
        self.y = PAGE_H - MARGIN_TOP

    def add(self, x: float, y: float, draw: Callable[[Canvas], None], tag: str, **kw: object) -> None:
        self.layout.blocks.append(Block(x, y, draw, tag, **kw))  # type: ignore[arg-type]

    def para(
        self,
        markup_text: str,
        style: ParagraphStyle,
        x: float,
        width: float,
        tag: str = "P",
        gap_after: float = 0.0,
        **kw: object,
    ) -> float:
        p, h = _para(markup_text, style, width)
        self.y -= h
        y = self.y
        if len(p.blPara.lines) > 1:
            # Wrapped lines carry no space between them in the page: the
            # structure element says the sentence whole, for screen readers.
            kw.setdefault("actual_text", _plain(markup_text))
        self.add(x, y, _drawer(p, x, y), tag, **kw)
        self.y -= gap_after
        return h

    def build(self) -> Layout:
        s = self.s
        meta = self.procedure.meta
        width = PAGE_W - 2 * MARGIN_X
        top = self.y
        text_x = MARGIN_X + 5 * mm
        self.para(text(meta.audience), self.st.audience, text_x, width - 5 * mm, gap_after=2 * s)
        self.para(text(meta.title), self.st.title, text_x, width - 5 * mm, tag="H1", gap_after=3 * s)
        if meta.purpose:
            self.para(text(meta.purpose), self.st.purpose, text_x, width - 5 * mm)
        bar_y = self.y - 1 * s

        def bar(c: Canvas, y0: float = bar_y, h: float = top - bar_y + 2) -> None:
            c.setFillColor(ACCENT)
            c.rect(MARGIN_X, y0, 1.6 * mm, h, stroke=0, fill=1)

        self.add(MARGIN_X, bar_y, bar, "Artifact")
        self.y -= 7 * mm * s

        if self.personal:
            self._box_frame(width)
        self._steps(width)
        self._help(width)
        return self.layout

    # The personal box has a fixed height, so that every personal sheet shares
    # the rest of the page (one form XObject in all.pdf).
    def _box_frame(self, width: float) -> None:
        h = self.box_height or _box_height(self.st)
        self.y -= h
        y0 = self.y
        self.layout.box = (MARGIN_X, y0, width, h)

        def frame(c: Canvas) -> None:
            c.setStrokeColor(ACCENT)
            c.setLineWidth(1.4)
            c.roundRect(MARGIN_X, y0, width, h, 3 * mm, stroke=1, fill=0)

        self.add(MARGIN_X, y0, frame, "Artifact")
        self.y -= 6 * mm * self.s

    def _steps(self, width: float) -> None:
        s = self.s
        st = self.st
        num_d = 8 * mm * max(s, 0.9)
        text_x = MARGIN_X + num_d + 5 * mm
        full_w = PAGE_W - MARGIN_X - text_x
        narrow_w = full_w - QR_SIZE - 5 * mm
        for index, step in enumerate(self.procedure.steps):
            li = ("L", f"LI:{step.number}")
            if index:
                self.y -= 1.5 * mm * s + self.extra_gap / 2
                rule_y = self.y

                def rule(c: Canvas, y: float = rule_y) -> None:
                    c.setStrokeColor(RULE)
                    c.setLineWidth(0.6)
                    c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)

                self.add(MARGIN_X, rule_y, rule, "Artifact")
                self.y -= 4.5 * mm * s + self.extra_gap / 2
            step_top = self.y
            text_w = narrow_w if step.qr else full_w
            # The number: a filled disc (artifact) and the digit (Lbl).
            p_num, h_num = _para(text(str(step.number)), st.number, num_d)
            cy = step_top - num_d / 2 - 0.5 * mm

            def disc(c: Canvas, cy: float = cy) -> None:
                c.setFillColor(ACCENT)
                c.circle(MARGIN_X + num_d / 2, cy, num_d / 2, stroke=0, fill=1)

            self.add(MARGIN_X, cy - num_d / 2, disc, "Artifact")
            ny = cy - h_num / 2 + 0.12 * st.number.fontSize
            self.add(MARGIN_X, ny, _drawer(p_num, MARGIN_X, ny), "Lbl", parent=li)
            body = (*li, "LBody")
            self.para(text(step.heading), st.heading, text_x, text_w, tag="H2", parent=body, gap_after=2 * s)
            for paragraph in step.paragraphs:
                self.para(markup(paragraph), st.body, text_x, text_w, parent=body, gap_after=2.2 * s)
            if step.show_contacts:
                self._contacts(text_x, text_w, body)
            if step.qr:
                self._url(step.qr, text_x, text_w, body)
                self._qr(step.qr, step_top, body)
            self.y -= 1.5 * mm * s

    def _contacts(self, x: float, width: float, parent: tuple[str, ...]) -> None:
        """Each office: its name, then its addresses as mailto links, wrapped by hand.

        Every address is its own block (a Link with its annotation); the
        separators between them are decoration.
        """
        st = self.st.body
        size, lead = st.fontSize, st.leading
        sep_w = pdfmetrics.stringWidth(" · ", FONT, size)
        for index, group in enumerate(self.procedure.contacts):
            div = (*parent, f"Div:{index}")
            head = drawable(group.name)
            colon = "\u00a0: "
            top = self.y
            baseline = top - size
            self.add(
                x,
                baseline,
                _text_drawer([(head, FONT_BOLD), (colon, FONT)], x, baseline, size),
                "P",
                parent=div,
            )
            cx = x + pdfmetrics.stringWidth(head, FONT_BOLD, size) + pdfmetrics.stringWidth(colon, FONT, size)
            for j, address in enumerate(group.emails):
                shown = drawable(address)
                w = pdfmetrics.stringWidth(shown, FONT, size)
                if j and cx + sep_w + w > x + width:
                    baseline -= lead
                    cx = x
                elif j:
                    self.add(cx, baseline, _text_drawer([(" · ", FONT)], cx, baseline, size), "Artifact")
                    cx += sep_w
                rect = (cx, baseline - 0.25 * size, cx + w, baseline + 0.8 * size)
                self.add(
                    cx,
                    baseline,
                    _link_drawer(shown, cx, baseline, size),
                    "Link",
                    parent=div,
                    link=(f"mailto:{address}", rect),
                    alt=address,
                )
                cx += w
            self.y = baseline - (lead - size) - 1.2 * self.s

    def _url(self, code: QrCode, x: float, width: float, parent: tuple[str, ...]) -> None:
        p, h = _para(text(code.url), self.st.url, width)
        self.y -= h
        y = self.y
        widths = _line_widths(p, width)

        def draw(c: Canvas, p: Paragraph = p, y: float = y) -> None:
            p.drawOn(c, x, y)
            c.setStrokeColor(ACCENT)
            c.setLineWidth(0.5)
            # Underlined: a link is shown by more than its colour.
            for i, line_w in enumerate(widths):
                base = y + h - (i + 1) * p.style.leading + 0.2 * p.style.fontSize
                c.line(x, base - 1.0, x + line_w, base - 1.0)

        self.add(
            x,
            y,
            draw,
            "Link",
            parent=parent,
            link=(code.url, (x, y, x + max(widths), y + h)),
            alt=f"{code.label} : {code.url}",
        )
        self.y -= 2 * self.s

    def _qr(self, code: QrCode, step_top: float, parent: tuple[str, ...]) -> None:
        x = PAGE_W - MARGIN_X - QR_SIZE
        y = step_top - QR_SIZE + 4 * mm * self.s  # the quiet zone rises above the heading line
        m = qr.matrix(code.url)
        n = len(m) + 2 * qr.QUIET_ZONE
        module = QR_SIZE / n
        runs = qr.dark_runs(m)

        # The path is written once as PDF operators: one rectangle per run of
        # dark modules, filled black. Every sheet reuses the same string.
        ops = ["0 0 0 rg"]
        for row, col, length in runs:
            px = x + (col + qr.QUIET_ZONE) * module
            py = y + QR_SIZE - (row + qr.QUIET_ZONE + 1) * module
            ops.append(f"{px:.3f} {py:.3f} {length * module:.3f} {module:.3f} re")
        ops.append("f")
        literal = "\n".join(ops)

        def draw(c: Canvas) -> None:
            c.addLiteral(literal)

        self.add(
            x,
            y,
            draw,
            "Figure",
            parent=parent,
            alt=code.alt or code.label,
            link=(code.url, (x, y, x + QR_SIZE, y + QR_SIZE)),
        )
        label_w = QR_SIZE + 6 * mm  # 3 mm past each side of the code: still 12 mm from the edge
        label = text(code.label)
        if pdfmetrics.stringWidth(drawable(code.label), FONT, SMALLEST) > label_w and " (" in code.label:
            # Break before the parenthesis, never inside it.
            head, _, tail = code.label.partition(" (")
            label = f"{text(head)}<br/>{text('(' + tail)}"
        p, h = _para(label, self.st.qr_label, label_w)
        ly = y - h - 1 * mm  # below the code's quiet zone, which must stay white
        self.add(x - 3 * mm, ly, _drawer(p, x - 3 * mm, ly), "Caption", parent=(*parent, "Figure"))
        # The code and its label must not run past the step's own text.
        self.y = min(self.y, ly - 1 * mm)

    def _help(self, width: float) -> None:
        s = self.s
        st = self.st
        help_line = self.procedure.help
        pad = 5 * mm * s
        phone_w = 70 * mm
        p_label, h_label = _para(text(help_line.label), st.help_label, width - phone_w - 2 * pad)
        p_hours, h_hours = _para(text(help_line.hours), st.help_hours, width - phone_w - 2 * pad)
        p_phone, h_phone = _para(text(help_line.phone), st.help_phone, phone_w)
        phone_width = p_phone.minWidth()
        inner = max(h_label + h_hours + 1 * mm, h_phone)
        h = inner + 2 * pad
        y0 = MARGIN_BOTTOM
        self.layout.free = self.y - (y0 + h) - 5 * mm * s

        def band(c: Canvas) -> None:
            c.setFillColor(ACCENT)
            c.roundRect(MARGIN_X, y0, width, h, 2.5 * mm, stroke=0, fill=1)

        self.add(MARGIN_X, y0, band, "Artifact")
        top = y0 + h - pad
        ly = top - h_label
        hy = ly - 1 * mm - h_hours
        self.add(MARGIN_X + pad, ly, lambda c: p_label.drawOn(c, MARGIN_X + pad, ly), "P", parent=("Help",))
        self.add(MARGIN_X + pad, hy, lambda c: p_hours.drawOn(c, MARGIN_X + pad, hy), "P", parent=("Help",))
        px = PAGE_W - MARGIN_X - pad - phone_width
        py = y0 + (h - h_phone) / 2
        self.add(px, py, lambda c: p_phone.drawOn(c, px - 0, py), "P", parent=("Help",))


def layout(procedure: Procedure, personal: bool, box_height: float = 0.0) -> Layout:
    """The largest type (12 pt body down to 10 pt) at which everything fits on one page.

    ``box_height`` asks for a taller personal box than usual (a very long name).
    """
    _register_fonts()
    best = None
    for step in range(0, 11):
        s = 1.0 - step * 0.02  # 12 pt … 9.6 pt body, clamped at 10 pt in Styles
        result = _Builder(procedure, personal, s, box_height=box_height).build()
        best = result
        if result.free >= 0:
            # Spare room goes between the steps (up to 8 mm each), the rest under them.
            gaps = max(1, len(procedure.steps) - 1)
            extra = min(result.free / (gaps + 1), 8 * mm)
            if extra > 1:
                return _Builder(procedure, personal, s, extra, box_height).build()
            return result
        if result.body <= BODY_MIN and step > 0 and BODY_MAX * s < BODY_MIN:
            break
    assert best is not None
    over = -best.free / mm
    raise RenderError(
        f"{procedure.source}: the {'personal sheet (the flyer plus the personal box)' if personal else 'flyer'} "
        f"does not fit on one A4 page: {over:.0f} mm too tall even with body text at {BODY_MIN:g} pt "
        "(the smallest allowed). Shorten the steps or remove a paragraph."
    )


class PdfRenderer:
    """Draws the flyer or a personal sheet as a one-page tagged PDF."""

    extension = "pdf"

    def __init__(self, procedure: Procedure, reuse: bool = True) -> None:
        self.procedure = procedure
        self.flyer_layout = layout(procedure, personal=False)
        self.personal_layout = layout(procedure, personal=True)
        self._tall: dict[int, Layout] = {}
        # Operators of the shared part of each layout, written once per run.
        self.reuse = reuse
        self._prepared: dict[int, tuple[str, list[tuple[str, str]], list[tagging.Tagged]]] = {}

    # -- one document ----------------------------------------------------
    def render(self, person: Person | None, target: str | Path | BinaryIO) -> None:
        if isinstance(target, (str, Path)):
            with atomic_write(Path(target)) as stream:
                stream.write(self.to_bytes(person))
        else:
            target.write(self.to_bytes(person))

    def to_bytes(self, person: Person | None) -> bytes:
        buffer = io.BytesIO()
        c = self._canvas(buffer, person)
        tagger = tagging.Tagger(c, self.procedure.meta.title)
        if person is None:
            self._paint(c, self.flyer_layout, [], tagger)
        else:
            self._paint(c, *self._personal(person), tagger)
        tagger.finish_page()
        c.save()
        return buffer.getvalue()

    def _personal(self, person: Person) -> tuple[Layout, list[Block]]:
        """The page layout for this person and the blocks of their box.

        Nearly everyone fits the usual box, and so shares the usual layout;
        a very long name gets a taller box (and, if need be, smaller type).
        """
        box = personal_box(self.procedure, person)
        page_layout = self.personal_layout
        blocks, needed = _box_blocks(page_layout, box)
        assert page_layout.box is not None
        if needed > page_layout.box[3] + 0.5:
            key = round(needed)
            if key not in self._tall:
                try:
                    self._tall[key] = layout(self.procedure, personal=True, box_height=float(key + 1))
                except RenderError:
                    raise RenderError(
                        "the PDF sheet does not fit on one page with a name this long: "
                        "give a shorter identifier or name"
                    ) from None
            page_layout = self._tall[key]
            blocks, _ = _box_blocks(page_layout, box)
        return page_layout, blocks

    def _canvas(self, stream: BinaryIO, person: Person | None) -> Canvas:
        meta = self.procedure.meta
        c = Canvas(
            stream,
            pagesize=A4,
            invariant=1,
            lang=meta.language,
            pdfVersion=(1, 7),
            pageCompression=1,
            initialFontName=FONT,
            initialFontSize=SMALLEST,
        )
        title = meta.title if person is None else f"{meta.title} – {person.display_name}"
        c.setTitle(title)
        c.setAuthor(meta.author)
        c.setSubject(meta.subject)
        c.setCreator("aesh-generator")
        c.setViewerPreference("DisplayDocTitle", "true")
        return c

    def _paint(self, c: Canvas, page_layout: Layout, box_blocks: list[Block], tagger: tagging.Tagger) -> None:
        """The shared blocks first (replayed when prepared), then the person's box.

        Drawing order is not reading order: the structure tree puts the box
        where it stands on the page, between the title and the steps.
        """
        split = _first_after_box(page_layout)
        if self.reuse:
            self._replay(c, page_layout, tagger, split)
        else:
            for index, block in enumerate(page_layout.blocks):
                tagger.block(block, order=float(index))
        if box_blocks:
            # Every sheet then has the same font subsets, written once per run.
            fonts.seed([pdfmetrics.getFont(FONT), pdfmetrics.getFont(FONT_BOLD)], c._doc)
        for index, block in enumerate(box_blocks):
            tagger.block(block, order=split - 0.5 + index / 1000)

    def _replay(self, c: Canvas, page_layout: Layout, tagger: tagging.Tagger, split: int) -> None:
        """Write the shared blocks as the operators they gave the first time.

        Replaying is exact because the first use of each character fixes its
        code in the font subset: the same characters are first used in the
        same order here, so the same operators mean the same text.
        """
        key = id(page_layout)
        if key not in self._prepared:
            self._prepared[key] = self._prepare(page_layout, split)
        ops, fonts, marks = self._prepared[key]
        doc = c._doc
        for name, chars in fonts:
            font = pdfmetrics.getFont(name)
            font.splitString(chars, doc)
            font.getSubsetInternalName(0, doc)
        c.addLiteral(ops)
        tagger.adopt(marks)

    def _prepare(
        self, page_layout: Layout, split: int
    ) -> tuple[str, list[tuple[str, str]], list[tagging.Tagged]]:
        c = self._canvas(io.BytesIO(), None)
        tagger = tagging.Tagger(c, "")
        start = len(c._code)
        for index, block in enumerate(page_layout.blocks):
            tagger.block(block, order=float(index))
        ops = "\n".join(c._code[start:])
        doc = c._doc
        fonts = []
        for name in doc.fontMapping:  # in the order the fonts were first used
            state = getattr(pdfmetrics.getFont(name), "state", {}).get(doc)
            if state is not None:
                fonts.append((name, "".join(map(chr, state.assignments))))
        return ops, fonts, list(tagger.items)

    # -- the print file ----------------------------------------------------
    def render_many(self, people: Iterable[Person], target: BinaryIO) -> int:
        """All personal sheets in one print file; the part shared by every page is one form.

        It is for printing: untagged and without link annotations (a form
        cannot carry per-page structure); the one-page files are the
        accessible, clickable ones.
        """
        c = self._canvas(target, None)
        shared = self.personal_layout
        c.beginForm("shared")
        _draw(c, shared.blocks)
        c.endForm()
        count = 0
        for person in people:
            try:
                page_layout, box_blocks = self._personal(person)
            except RenderError:
                continue  # their own sheet reports it: a print file only holds sheets that can be made
            if page_layout is shared:
                c.doForm("shared")
            else:
                _draw(c, page_layout.blocks)
            _draw(c, box_blocks)
            c.showPage()
            count += 1
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


def _box_height(st: Styles) -> float:
    """Room for a name, the identifier, a two-line note and the managing office."""
    pad = 4.5 * mm
    return (
        2 * pad
        + st.box_head.leading
        + st.box_name.leading
        + st.box_id.leading
        + 3 * st.small.leading
        + 4.2 * mm
    )


@dataclass(frozen=True)
class Span:
    """A run of text in one font, size and colour (the personal box is set from spans)."""

    text: str
    font: str = FONT
    size: float = SMALLEST
    color: Color = BLACK


def _wrap(spans: list[Span], width: float) -> list[list[Span]]:
    """Lines of spans, broken after spaces and hyphens only.

    The person's lines are set here rather than with Paragraph: a name is
    plain text, and parsing markup for every sheet cost more than drawing
    it. A name or identifier is cut mid-word only when one word is wider
    than the line (``beauvill/iers`` invites typing errors).
    """
    lines: list[list[Span]] = [[]]
    x = 0.0
    for span in spans:
        for token in re.split(r"(?<=[ -])", drawable(span.text)):
            if not token:
                continue
            if x > 0 and x + pdfmetrics.stringWidth(token.rstrip(), span.font, span.size) > width:
                lines.append([])
                x = 0.0
            while len(token) > 1 and pdfmetrics.stringWidth(token.rstrip(), span.font, span.size) > width:
                cut = len(token) - 1
                while cut > 1 and pdfmetrics.stringWidth(token[:cut], span.font, span.size) > width:
                    cut -= 1
                lines[-1].append(replace(span, text=token[:cut]))
                lines.append([])
                token = token[cut:]
            lines[-1].append(replace(span, text=token))
            x += pdfmetrics.stringWidth(token, span.font, span.size)
    return [line for line in lines if line]


def _spans_height(lines: list[list[Span]]) -> float:
    return sum(max(s.size for s in line) * 1.25 for line in lines)


def _spans_drawer(lines: list[list[Span]], x: float, y_top: float) -> Callable[[Canvas], None]:
    def draw(c: Canvas) -> None:
        top = y_top
        for line in lines:
            size = max(s.size for s in line)
            t = c.beginText(x, top - size * 0.95)
            for span in line:
                t.setFont(span.font, span.size)
                t.setFillColor(span.color)
                t.textOut(span.text.rstrip() if span is line[-1] else span.text)
            c.drawText(t)
            top -= size * 1.25

    return draw


def _fit_one_line(
    make: Callable[[float], list[Span]], width: float, start: float, smallest: float
) -> list[list[Span]]:
    """Shrink the type from ``start`` (not below ``smallest``) until the spans hold on one line."""
    size = start
    while True:
        lines = _wrap(make(size), width)
        if len(lines) <= 1 or size <= smallest:
            return lines
        size = max(smallest, size - 1)


def _box_blocks(page_layout: Layout, box: PersonalBox) -> tuple[list[Block], float]:
    """The person's own lines inside the frame of the personal box, and the height they need."""
    assert page_layout.box is not None
    x0, y0, w, h = page_layout.box
    st = _styles(page_layout.scale)
    pad = 4.5 * mm
    right_w = 56 * mm
    left_w = w - right_w - 3 * pad
    blocks: list[Block] = []

    def put(lines: list[list[Span]], x: float, y_top: float, tag: str = "P") -> float:
        height = _spans_height(lines)
        said = " ".join("".join(s.text for s in line).strip() for line in lines) if len(lines) > 1 else ""
        blocks.append(
            Block(x, y_top - height, _spans_drawer(lines, x, y_top), tag, parent=("Box",), actual_text=said)
        )
        return y_top - height

    body, small = st.box_label.fontSize, SMALLEST
    heading = [Span(box.heading, FONT_BOLD, st.box_head.fontSize, ACCENT)]
    top = put(_wrap(heading, left_w), x0 + pad, y0 + h - pad, tag="H2") - 0.6 * mm

    def name_at(size: float) -> list[Span]:
        spans = [Span(box.first_name + " ", FONT, size), Span(box.family_name, FONT_BOLD, size)]
        return spans + ([Span(" " + box.birth_name, FONT, size)] if box.birth_name else [])

    y = put(_fit_one_line(name_at, left_w, st.box_name.fontSize, SMALLEST), x0 + pad, top)

    def ident_at(size: float) -> list[Span]:
        return [Span(box.identifier_label + " ", FONT, body), Span(box.identifier, FONT_BOLD, size, ACCENT)]

    lines = _fit_one_line(ident_at, left_w, st.box_id.fontSize, 15)
    if len(lines) > 1:
        # Too long for the label's line: the identifier gets lines of its own,
        # still in large type, broken only after its hyphens.
        lines = _wrap([Span(box.identifier_label, FONT, body)], left_w) + _wrap(
            [Span(box.identifier, FONT_BOLD, 15, ACCENT)], left_w
        )
    y = put(lines, x0 + pad, y - 1.2 * mm)
    y = put(_wrap([Span(box.homonym_note, FONT, small)], left_w), x0 + pad, y - 1.2 * mm)
    if box.manager:
        put(_wrap([Span(box.manager, FONT, small)], left_w), x0 + pad, y - 1.2 * mm)

    rx = x0 + w - pad - right_w
    ry = put(_wrap([Span(box.numen_label, FONT_BOLD, body)], right_w), rx, y0 + h - pad)
    line_y = ry - 11 * mm

    def write_line(c: Canvas) -> None:
        c.setStrokeColor(BLACK)
        c.setLineWidth(0.8)
        c.line(rx, line_y, rx + right_w, line_y)

    blocks.append(Block(rx, line_y, write_line, "Artifact"))
    put(_wrap([Span(box.numen_note, FONT_BOLD, small)], right_w), rx, line_y - 1.5 * mm)
    lowest = min(block.y for block in blocks)
    return blocks, (y0 + h) - lowest + pad
