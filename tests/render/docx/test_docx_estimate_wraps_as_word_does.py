"""The DOCX's height estimate wraps lines where Word and LibreOffice do, in the widths they give the text."""

from __future__ import annotations

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from generator import compose
from generator.procedure.model import Procedure, Run
from generator.render.docx.look import INDENT, PT_PER_MM, QR_COLUMN_MM, TEXT_W, TITLE_INDENT
from generator.render.docx.measure import WRAP_SLACK, Estimate, _text_width

ARIAL = Estimate("Arial")
STEP_COLUMN = (TEXT_W - INDENT.mm - QR_COLUMN_MM) * PT_PER_MM  # step 2's text, beside the code


def test_a_trailing_space_hangs_past_the_margin() -> None:
    """A line exactly as wide as its room (less the slack) is one line, its space after the last word aside."""
    text = "Ouvrez la messagerie"
    width = _text_width(text, 12) + WRAP_SLACK
    assert ARIAL.lines(text + " ", 12, width) == 1
    assert ARIAL.lines(text, 12, width - 0.5) == 2


def test_the_title_takes_one_line_its_bar_in_the_indent(procedure: Procedure) -> None:
    """The default title (486 pt at 18 pt bold) fits the text width less the indent: the bar stands in it."""
    title = compose(procedure).page.title.title
    assert ARIAL.lines(title, 18, TEXT_W * PT_PER_MM - TITLE_INDENT / 20, bold=True) == 1


def test_a_name_breaks_after_a_hyphen_an_identifier_never() -> None:
    name = "de La Rochefoucauld-Montbazon"
    width = _text_width("de La Rochefoucauld-", 13, bold=True) + WRAP_SLACK + 1
    assert width < _text_width("Rochefoucauld-Montbazon", 13, bold=True)
    assert ARIAL.lines(name, 13, width, bold=True) == 2  # « de La Rochefoucauld- » / « Montbazon »
    # Without a break at its hyphen the whole word moves to the next line, and is cut there.
    assert ARIAL.lines(name, 13, width, bold=True, hyphens=False) == 3
    assert ARIAL.lines("mde-la-rochefoucauld-montbazon", 15, 1000, bold=True, hyphens=False) == 1


def test_bold_words_are_measured_bold() -> None:
    """Step 2's « Mot de passe : … » fits its column in regular type, not with its label in bold (as printed)."""
    label, rest = "Mot de passe\u00a0:", " votre NUMEN, puis le nouveau si vous le\u00a0changez."
    assert ARIAL.paragraph_lines((Run(label + rest),), 12, STEP_COLUMN + WRAP_SLACK) == 1
    assert ARIAL.paragraph_lines((Run(label, bold=True), Run(rest)), 12, STEP_COLUMN + WRAP_SLACK) == 2


def test_the_caption_takes_two_lines_of_the_codes_column(procedure: Procedure) -> None:
    """The layout table's cells have no margins: the caption has the column's whole 43.6 mm (LibreOffice: 2 lines)."""
    (code,) = [step.qr for step in compose(procedure).page.steps if step.qr]
    assert ARIAL.lines(code.caption, 10, QR_COLUMN_MM * PT_PER_MM) == 2


WORDS = st.lists(
    st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçÉ-'", min_size=1, max_size=14), min_size=1, max_size=30
)


@given(WORDS, st.floats(40, 500), st.floats(0, 200))
def test_more_room_never_takes_more_lines(words: list[str], width: float, more: float) -> None:
    text = " ".join(words)
    assert ARIAL.lines(text, 12, width + more) <= ARIAL.lines(text, 12, width)


@settings(max_examples=500, suppress_health_check=[HealthCheck.filter_too_much])
@given(WORDS, st.floats(40, 500))
def test_unbreakable_hyphens_never_take_fewer_lines(words: list[str], width: float) -> None:
    """For words that fit a line: one wider than the line is cut anywhere, and cut after its hyphen
    first it may take one line more (« a- » / « aaaaaa » cut again) — greedy wrapping is not monotone there."""
    assume(all(_text_width(word, 12) <= width - WRAP_SLACK for word in words))
    text = " ".join(words)
    assert ARIAL.lines(text, 12, width, hyphens=False) >= ARIAL.lines(text, 12, width)


@given(WORDS, st.floats(40, 500))
def test_every_line_holds_at_most_its_width(words: list[str], width: float) -> None:
    """The lines are at least the text's width (spaces at line ends aside) over the line's room."""
    text = " ".join(words)
    room = width - WRAP_SLACK
    inked = sum(_text_width(word, 12) for word in text.split(" "))
    assert ARIAL.lines(text, 12, width) * room >= inked
