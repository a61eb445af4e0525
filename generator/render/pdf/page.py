"""The parts of the PDF page, from a sheet's blocks: title, personal box frame, steps, contacts, codes, help.

What the page says comes from the ``Page`` of the sheet; this module only
decides where it goes and how it looks.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ...sheet.blocks import Contact, Page, QrFigure
from ...sheet.fit import PDF_LADDER, Overflow, Rung, first_fit, page_too_long
from .. import qr
from . import reportlab_internals as internals
from .fonts import FONT, FONT_BOLD, drawable
from .layout import BlockPlacer, Layout, link_drawer, paragraph_drawer, text_drawer, wrapped
from .styles import (
    ACCENT,
    MARGIN_BOTTOM,
    MARGIN_X,
    PAGE_W,
    QR_SIZE,
    RULE,
    SMALLEST,
    frame_height,
    markup,
    styles_at,
    text,
)


class PageBuilder(BlockPlacer):
    """Lays out one page of a sheet at one rung of the fit ladder."""

    def __init__(
        self, page: Page, personal: bool, rung: Rung, extra_gap: float = 0.0, box_height: float = 0.0
    ) -> None:
        super().__init__(rung.scale, styles_at(rung.scale))
        self.page = page
        self.personal = personal
        self.extra_gap = extra_gap
        self.box_height = box_height

    def build(self) -> Layout:
        title = self.page.title
        width = PAGE_W - 2 * MARGIN_X
        top = self.y
        text_x = MARGIN_X + 5 * mm
        self.para(
            text(title.audience), self.styles.audience, text_x, width - 5 * mm, gap_after=2 * self.scale
        )
        self.para(
            text(title.title), self.styles.title, text_x, width - 5 * mm, tag="H1", gap_after=3 * self.scale
        )
        if title.purpose:
            self.para(text(title.purpose), self.styles.purpose, text_x, width - 5 * mm)
        bar_y = self.y - 1 * self.scale

        def bar(c: Canvas, y0: float = bar_y, h: float = top - bar_y + 2) -> None:
            c.setFillColor(ACCENT)
            c.rect(MARGIN_X, y0, 1.6 * mm, h, stroke=0, fill=1)

        self.add(MARGIN_X, bar_y, bar, "Artifact")
        self.y -= 7 * mm * self.scale

        if self.personal:
            self._box_frame(width)
        self._steps(width)
        self._help(width)
        return self.layout

    # The personal box has a fixed height, so that every personal sheet shares
    # the rest of the page (one form XObject in all.pdf).
    def _box_frame(self, width: float) -> None:
        h = self.box_height or frame_height(self.styles)
        self.y -= h
        y0 = self.y
        self.layout.box = (MARGIN_X, y0, width, h)

        def frame(c: Canvas) -> None:
            c.setStrokeColor(ACCENT)
            c.setLineWidth(1.4)
            c.roundRect(MARGIN_X, y0, width, h, 3 * mm, stroke=1, fill=0)

        self.add(MARGIN_X, y0, frame, "Artifact")
        self.y -= 6 * mm * self.scale

    def _steps(self, width: float) -> None:
        num_d = 8 * mm * max(self.scale, 0.9)
        text_x = MARGIN_X + num_d + 5 * mm
        full_w = PAGE_W - MARGIN_X - text_x
        narrow_w = full_w - QR_SIZE - 5 * mm
        for index, step in enumerate(self.page.steps):
            li = ("L", f"LI:{step.number}")
            if index:
                self.y -= 1.5 * mm * self.scale + self.extra_gap / 2
                rule_y = self.y

                def rule(c: Canvas, y: float = rule_y) -> None:
                    c.setStrokeColor(RULE)
                    c.setLineWidth(0.6)
                    c.line(MARGIN_X, y, PAGE_W - MARGIN_X, y)

                self.add(MARGIN_X, rule_y, rule, "Artifact")
                self.y -= 4.5 * mm * self.scale + self.extra_gap / 2
            step_top = self.y
            text_w = narrow_w if step.qr else full_w
            # The number: a filled disc (artifact) and the digit (Lbl).
            p_num, h_num = wrapped(text(str(step.number)), self.styles.number, num_d)
            cy = step_top - num_d / 2 - 0.5 * mm

            def disc(c: Canvas, cy: float = cy) -> None:
                c.setFillColor(ACCENT)
                c.circle(MARGIN_X + num_d / 2, cy, num_d / 2, stroke=0, fill=1)

            self.add(MARGIN_X, cy - num_d / 2, disc, "Artifact")
            ny = cy - h_num / 2 + 0.12 * self.styles.number.fontSize
            self.add(MARGIN_X, ny, paragraph_drawer(p_num, MARGIN_X, ny), "Lbl", parent=li)
            body = (*li, "LBody")
            self.para(
                text(step.heading),
                self.styles.heading,
                text_x,
                text_w,
                tag="H2",
                parent=body,
                gap_after=2 * self.scale,
            )
            for sentence in step.sentences:
                self.para(
                    markup(sentence),
                    self.styles.body,
                    text_x,
                    text_w,
                    parent=body,
                    gap_after=2.2 * self.scale,
                )
            if step.contacts:
                self._contacts(step.contacts, text_x, text_w, body)
            if step.qr:
                self._url(step.qr, text_x, text_w, body)
                self._qr(step.qr, step_top, body)
            self.y -= 1.5 * mm * self.scale

    def _contacts(
        self, contacts: tuple[Contact, ...], x: float, width: float, parent: tuple[str, ...]
    ) -> None:
        """Each office: its name, then its addresses as mailto links, wrapped by hand.

        Every address is its own block (a Link with its annotation); the
        separators between them are decoration.
        """
        body_style = self.styles.body
        size, lead = body_style.fontSize, body_style.leading
        sep_w = pdfmetrics.stringWidth(" · ", FONT, size)
        for index, group in enumerate(contacts):
            div = (*parent, f"Div:{index}")
            head = drawable(group.name)
            colon = "\u00a0: "
            top = self.y
            baseline = top - size
            self.add(
                x,
                baseline,
                text_drawer([(head, FONT_BOLD), (colon, FONT)], x, baseline, size),
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
                    self.add(cx, baseline, text_drawer([(" · ", FONT)], cx, baseline, size), "Artifact")
                    cx += sep_w
                rect = (cx, baseline - 0.25 * size, cx + w, baseline + 0.8 * size)
                self.add(
                    cx,
                    baseline,
                    link_drawer(shown, cx, baseline, size),
                    "Link",
                    parent=div,
                    link=(f"mailto:{address}", rect),
                    alt=address,
                )
                cx += w
            self.y = baseline - (lead - size) - 1.2 * self.scale

    def _url(self, code: QrFigure, x: float, width: float, parent: tuple[str, ...]) -> None:
        p, h = wrapped(text(code.url), self.styles.url, width)
        self.y -= h
        y = self.y
        widths = internals.wrapped_line_widths(p, width)

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
            alt=f"{code.caption} : {code.url}",
        )
        self.y -= 2 * self.scale

    def _qr(self, code: QrFigure, step_top: float, parent: tuple[str, ...]) -> None:
        x = PAGE_W - MARGIN_X - QR_SIZE
        y = step_top - QR_SIZE + 4 * mm * self.scale  # the quiet zone rises above the heading line
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
            alt=code.alt,
            link=(code.url, (x, y, x + QR_SIZE, y + QR_SIZE)),
        )
        label_w = QR_SIZE + 6 * mm  # 3 mm past each side of the code: still 12 mm from the edge
        label = text(code.caption)
        if pdfmetrics.stringWidth(drawable(code.caption), FONT, SMALLEST) > label_w and " (" in code.caption:
            # Break before the parenthesis, never inside it.
            head, _, tail = code.caption.partition(" (")
            label = f"{text(head)}<br/>{text('(' + tail)}"
        p, h = wrapped(label, self.styles.qr_label, label_w)
        ly = y - h - 1 * mm  # below the code's quiet zone, which must stay white
        self.add(x - 3 * mm, ly, paragraph_drawer(p, x - 3 * mm, ly), "Caption", parent=(*parent, "Figure"))
        # The code and its label must not run past the step's own text.
        self.y = min(self.y, ly - 1 * mm)

    def _help(self, width: float) -> None:
        help_line = self.page.help
        pad = 5 * mm * self.scale
        phone_w = 70 * mm
        p_label, h_label = wrapped(text(help_line.label), self.styles.help_label, width - phone_w - 2 * pad)
        p_hours, h_hours = wrapped(text(help_line.hours), self.styles.help_hours, width - phone_w - 2 * pad)
        p_phone, h_phone = wrapped(text(help_line.phone), self.styles.help_phone, phone_w)
        phone_width = p_phone.minWidth()
        inner = max(h_label + h_hours + 1 * mm, h_phone)
        h = inner + 2 * pad
        y0 = MARGIN_BOTTOM
        self.layout.free = self.y - (y0 + h) - 5 * mm * self.scale

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


def layout(page: Page, personal: bool, box_height: float = 0.0) -> Layout:
    """The largest type (12 pt body down to 10 pt) at which everything fits on one page.

    ``box_height`` asks for a taller personal box than usual (a very long name).
    """
    try:
        result = first_fit(
            PDF_LADDER, lambda rung: PageBuilder(page, personal, rung, box_height=box_height).build(), _room
        )
    except Overflow as overflow:
        what = "personal sheet (the flyer plus the personal box)" if personal else "flyer"
        raise page_too_long(page.info.source, what, overflow.over, measured=True) from None
    # Spare room goes between the steps (up to 8 mm each), the rest under them.
    gaps = max(1, len(page.steps) - 1)
    extra = min(result.free / (gaps + 1), 8 * mm)
    if extra > 1:
        rung = next(r for r in PDF_LADDER if r.scale == result.scale)
        return PageBuilder(page, personal, rung, extra, box_height).build()
    return result


def _room(result: Layout) -> float:
    return result.free
