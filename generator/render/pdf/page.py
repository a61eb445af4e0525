"""The parts of the PDF page, from a sheet's blocks: title, personal box frame, steps, contacts, codes, help.

What the page says comes from the ``Page`` of the sheet; this module only
decides where it goes and how it looks.
"""

from __future__ import annotations

from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from ...sheet.blocks import Contact, Page, QrFigure, StepBlock
from ...sheet.fit import LADDER, Outcome, Overflow, Rung, first_fit, page_too_long
from .. import qr
from .fonts import FONT, FONT_BOLD, drawable, pieces
from .layout import (
    BlockPlacer,
    Layout,
    link_drawer,
    paragraph_drawer,
    text_drawer,
    url_line_drawer,
    url_lines,
    wrapped,
)
from .styles import (
    ACCENT,
    FRAME_LINE,
    MARGIN_BOTTOM,
    MARGIN_X,
    PAGE_W,
    QR_CODE_MIN,
    QR_SIZE,
    RULE,
    RULE_LINE,
    SMALLEST,
    TEXT_RIGHT,
    TEXT_X,
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
        width = TEXT_RIGHT - TEXT_X
        top = self.y
        self.para(text(title.audience), self.styles.audience, TEXT_X, width, gap_after=2 * self.scale)
        self.para(text(title.title), self.styles.title, TEXT_X, width, tag="H1", gap_after=3 * self.scale)
        if title.purpose:
            self.para(text(title.purpose), self.styles.purpose, TEXT_X, width)
        bar_y = self.y - 1 * self.scale

        def bar(c: Canvas, y0: float = bar_y, h: float = top - bar_y + 2) -> None:
            c.setFillColor(ACCENT)
            c.rect(MARGIN_X, y0, 1.2 * mm, h, stroke=0, fill=1)

        self.add(MARGIN_X, bar_y, bar, "Artifact")
        self.y -= 4.5 * mm * self.scale

        if self.personal:
            self._box_frame()
        self._steps()
        self._help()
        return self.layout

    # The personal box has a fixed height, so that every personal sheet shares
    # the rest of the page (one form XObject in all.pdf).
    def _box_frame(self) -> None:
        width = PAGE_W - 2 * MARGIN_X
        h = self.box_height or frame_height(self.styles)
        self.y -= h
        y0 = self.y
        self.layout.box = (MARGIN_X, y0, width, h)

        def frame(c: Canvas) -> None:
            c.setStrokeColor(ACCENT)
            c.setLineWidth(FRAME_LINE)
            c.roundRect(MARGIN_X, y0, width, h, 3 * mm, stroke=1, fill=0)

        self.add(MARGIN_X, y0, frame, "Artifact")
        self.y -= 4 * mm * self.scale

    def _steps(self) -> None:
        for index, step in enumerate(self.page.steps):
            if index:
                self._rule()
            self._step(step)

    def _rule(self) -> None:
        """The thin rule between two steps (decoration), with the spare room shared around it."""
        self.y -= 1 * mm * self.scale + self.extra_gap / 2
        rule_y = self.y

        def rule(c: Canvas, y: float = rule_y) -> None:
            c.setStrokeColor(RULE)
            c.setLineWidth(RULE_LINE)
            c.line(TEXT_X, y, PAGE_W - MARGIN_X, y)

        self.add(TEXT_X, rule_y, rule, "Artifact")
        self.y -= 3.5 * mm * self.scale + self.extra_gap / 2

    def _number(self, step: StepBlock, li: tuple[str, str]) -> None:
        """The number hangs left of the text's edge: a ring (artifact) and the digit (Lbl)."""
        num_d = 7 * mm * max(self.scale, 0.9)
        p_num, h_num = wrapped(text(str(step.number)), self.styles.number, num_d)
        cy = self.y - self.styles.heading.fontSize * 0.62  # level with the middle of the heading's capitals
        disc_x = TEXT_X - 4 * mm - num_d

        def disc(c: Canvas, cy: float = cy, x: float = disc_x) -> None:
            # A ring, not a disc: the number reads the same in grey and spends little toner.
            c.setStrokeColor(ACCENT)
            c.setLineWidth(1.2)
            c.circle(x + num_d / 2, cy, num_d / 2 - 0.6, stroke=1, fill=0)

        self.add(disc_x, cy - num_d / 2, disc, "Artifact")
        ny = cy - h_num / 2 + 0.12 * self.styles.number.fontSize
        self.add(disc_x, ny, paragraph_drawer(p_num, disc_x, ny), "Lbl", parent=li)

    def _step(self, step: StepBlock) -> None:
        """One step: its number, heading and sentences, the address after the first, its contacts, its code."""
        li = ("L", f"LI:{step.number}")
        step_top = self.y
        text_w = (PAGE_W - MARGIN_X - QR_SIZE - 4 * mm - TEXT_X) if step.qr else (TEXT_RIGHT - TEXT_X)
        self._number(step, li)
        body = (*li, "LBody")
        heading_gap = 2 * self.scale
        self.para(
            text(step.heading),
            self.styles.heading,
            TEXT_X,
            text_w,
            tag="H2",
            parent=body,
            gap_after=heading_gap,
        )
        for i, sentence in enumerate(step.sentences):
            self.para(
                markup(sentence), self.styles.body, TEXT_X, text_w, parent=body, gap_after=1.5 * self.scale
            )
            if step.qr and i + 1 == step.address_after:
                # The address to type comes right after "tapez l'adresse".
                self._url(step.qr, TEXT_X, text_w, body)
        if step.contacts:
            # Addresses are not prose: they may use the page's whole width.
            self._contacts(step.contacts, TEXT_X, PAGE_W - MARGIN_X - TEXT_X, body)
        if step.qr:
            self._qr(step.qr, step_top, body)
        self.y -= 0.5 * mm * self.scale

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
            head = [(piece, FONT_BOLD if f == FONT else f, k) for piece, f, k in pieces(group.name)]
            colon = "\u00a0: "
            top = self.y
            baseline = top - size
            self.add(
                x,
                baseline,
                text_drawer([(p, f) for p, f, _ in head] + [(colon, FONT)], x, baseline, size),
                "P",
                parent=div,
            )
            cx = x + sum(pdfmetrics.stringWidth(p, f, size) for p, f, _ in head)
            cx += pdfmetrics.stringWidth(colon, FONT, size)
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
        """The address to type, at the body size and without "https://": on one line, else its
        first line says the next one continues (broken only after / ? &, underlined around its _)."""
        size, lead = self.styles.body.fontSize, self.styles.body.leading
        lines = url_lines(code.typed, size, width)
        cue = f" {code.continued}" if len(lines) > 1 and code.continued else ""
        if cue:
            lines = url_lines(code.typed, size, width - pdfmetrics.stringWidth(cue, FONT, size))
        top = self.y
        baselines = [top - size - i * lead for i in range(len(lines))]
        self.y = baselines[-1] - (lead - size)
        y = self.y
        widths = [pdfmetrics.stringWidth(line, FONT, size) for line in lines]
        # The cue is no part of the address: black, not underlined, after the first line.
        cue_draw = text_drawer([(drawable(cue), FONT)], x + widths[0], baselines[0], size) if cue else None

        def draw(c: Canvas) -> None:
            for line, base in zip(lines, baselines, strict=True):
                url_line_drawer(line, x, base, size)(c)
            if cue_draw is not None:
                cue_draw(c)

        self.add(
            x,
            y,
            draw,
            "Link",
            parent=parent,
            link=(code.url, (x, y, x + max(widths), top)),
            alt=code.address_alt,
            actual_text=code.typed if len(lines) > 1 else "",
        )
        self.y -= 2.2 * self.scale

    def _qr(self, code: QrFigure, step_top: float, parent: tuple[str, ...]) -> None:
        m = qr.matrix(code.url)
        n = len(m) + 2 * qr.QUIET_ZONE
        module = max(QR_SIZE / n, QR_CODE_MIN / len(m))
        side = module * n
        x = PAGE_W - MARGIN_X - side
        y = step_top - side + 2.5 * mm * self.scale  # the quiet zone rises above the heading line
        runs = qr.dark_runs(m)

        # The path is written once as PDF operators: one rectangle per run of
        # dark modules, filled black. Every sheet reuses the same string.
        ops = ["0 0 0 rg"]
        for row, col, length in runs:
            px = x + (col + qr.QUIET_ZONE) * module
            py = y + side - (row + qr.QUIET_ZONE + 1) * module
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
            link=(code.url, (x, y, x + side, y + side)),
        )
        label_w = side + 4 * mm  # 2 mm past each side of the code: still 13 mm from the edge
        label = text(code.caption)
        if pdfmetrics.stringWidth(drawable(code.caption), FONT, SMALLEST) > label_w and " (" in code.caption:
            # Break before the parenthesis, never inside it.
            head, _, tail = code.caption.partition(" (")
            label = f"{text(head)}<br/>{text('(' + tail)}"
        p, h = wrapped(label, self.styles.qr_label, label_w)
        ly = y - h - 1 * mm  # below the code's quiet zone, which must stay white
        self.add(x - 2 * mm, ly, paragraph_drawer(p, x - 2 * mm, ly), "Caption", parent=(*parent, "Figure"))
        # The code and its label must not run past the step's own text.
        self.y = min(self.y, ly - 1 * mm)

    def _help(self) -> None:
        """The help line in a white band outlined in the accent colour: no solid area to print.

        Left: who answers (the label), when, and who answers what else (the
        note); right: the number, large, a ``tel:`` link. Under the band, the
        date of the procedure ("Mis à jour le …").
        """
        help_line = self.page.help
        width = PAGE_W - 2 * MARGIN_X
        pad = 3 * mm * self.scale
        phone_w = (
            pdfmetrics.stringWidth(drawable(help_line.phone), FONT_BOLD, self.styles.help_phone.fontSize)
            + 1 * mm
        )
        left_w = PAGE_W - MARGIN_X - pad - phone_w - TEXT_X
        parts = [(text(help_line.label), self.styles.help_label, "H2")]
        parts += [(text(t), self.styles.help_hours, "P") for t in (help_line.hours, help_line.note) if t]
        left = [(wrapped(m, style, left_w), tag) for m, style, tag in parts]
        p_phone, h_phone = wrapped(text(help_line.phone), self.styles.help_phone, phone_w)
        inner = max(sum(h for (_p, h), _t in left) + 0.8 * mm * (len(left) - 1), h_phone)
        h = inner + 2 * pad
        y0 = MARGIN_BOTTOM
        self.layout.free = self.y - (y0 + h) - 3 * mm * self.scale

        def band(c: Canvas) -> None:
            c.setStrokeColor(ACCENT)
            c.setLineWidth(FRAME_LINE)
            c.roundRect(MARGIN_X, y0, width, h, 2.5 * mm, stroke=1, fill=0)

        self.add(MARGIN_X, y0, band, "Artifact")
        y = y0 + h - pad
        for (p, ph), tag in left:
            y -= ph
            self.add(TEXT_X, y, paragraph_drawer(p, TEXT_X, y), tag, parent=("Help",))
            y -= 0.8 * mm
        self._phone(p_phone, h_phone, y0, h, pad)
        if self.page.info.updated:
            self._updated(y0 + pad)

    def _phone(self, p_phone: Paragraph, h_phone: float, y0: float, h: float, pad: float) -> None:
        """The number people dial, right of the band: a ``tel:`` link that a phone's reader dials."""
        help_line = self.page.help
        phone_width = p_phone.minWidth()
        px = PAGE_W - MARGIN_X - pad - phone_width
        py = y0 + h - pad - h_phone  # level with the label: the date goes under it
        if help_line.tel:
            rect = (px, py, px + phone_width, py + h_phone)
            self.add(
                px,
                py,
                paragraph_drawer(p_phone, px, py),
                "Link",
                parent=("Help",),
                link=(help_line.tel, rect),
                alt=help_line.phone.replace("\u00a0", " "),
            )
        else:
            self.add(px, py, paragraph_drawer(p_phone, px, py), "P", parent=("Help",))

    def _updated(self, y: float) -> None:
        """ "Mis à jour le …" small, at the band's bottom right under the number: old sheets can be told apart."""
        p, _h = wrapped(text(self.page.info.updated), self.styles.small, 60 * mm)
        shown = drawable(self.page.info.updated)
        x = (
            PAGE_W
            - MARGIN_X
            - 3 * mm * self.scale
            - pdfmetrics.stringWidth(shown, FONT, self.styles.small.fontSize)
        )
        self.add(x, y, paragraph_drawer(p, x, y), "P", parent=("Help",))


def layout(page: Page, personal: bool, box_height: float = 0.0) -> Layout:
    """The largest type (12 pt body down to 10 pt) at which everything fits on one page.

    ``box_height`` asks for a taller personal box than usual (a very long name).
    """
    try:
        result = first_fit(
            LADDER, lambda rung: PageBuilder(page, personal, rung, box_height=box_height).build(), _room
        )
    except Overflow as overflow:
        what = Outcome.PERSONAL_SHEET if personal else Outcome.FLYER
        raise page_too_long(page.info.source, what, overflow.over, measured=True) from None
    # Spare room goes between the steps (up to 8 mm each), the rest under them.
    gaps = max(1, len(page.steps) - 1)
    extra = min(result.free / (gaps + 1), 8 * mm)
    if extra > 1:
        rung = next(r for r in LADDER if r.scale == result.scale)
        return PageBuilder(page, personal, rung, extra, box_height).build()
    return result


def _room(result: Layout) -> float:
    return result.free
