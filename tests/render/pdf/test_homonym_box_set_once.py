"""A homonym's taller box is set once per sheet, and the lines are those a fresh setting gives."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.pdfgen.canvas import Canvas

from generator.people.person import Person
from generator.render.pdf import personal_box, writer
from generator.render.pdf import reportlab_internals as internals
from generator.render.pdf.fonts import FONT, FONT_BOLD
from generator.render.pdf.personal_box import Span, _width, _wrap, box_blocks
from generator.render.pdf.writer import PdfWriter, same_box_top
from generator.sheet.compose import compose, compose_page

HOMONYM = ("homonym",)
PEOPLE = [
    Person("Marie", "Dupont", "mdupont", row=2, flags=HOMONYM),
    Person(
        "Jean-Pierre", "de La Fontaine-Saint-Exupéry", "jde-la-fontaine-saint-exupery", row=3, flags=HOMONYM
    ),
    Person(
        "Marie-Hélène-Clémentine", "de La Rochefoucauld-Montbazon", "mde-la-rochefoucauld-montbazon", row=4
    ),
    Person("Zoé", "Quenneville", "zquenneville", row=5),
]


def _operators(blocks: list) -> str:
    """What the blocks draw, as page operators."""
    c = Canvas(io.BytesIO(), initialFontName=FONT)
    for block in blocks:
        block.draw(c)
    return internals.operators_since(c, 0)


@pytest.mark.parametrize("person", PEOPLE[:3], ids=["homonym", "long-homonym", "long-name"])
def test_a_taller_box_sets_the_lines_where_the_usual_one_did(procedure, person: Person) -> None:
    """The lines kept for a taller box draw what setting them afresh in it draws.

    A homonym's box (the common taller one) hangs from the usual top at
    the usual type size, so its lines are the ones set to measure it.
    """
    w = PdfWriter(compose_page(procedure, personal=True))
    sheet = compose(procedure, person)
    assert sheet.box is not None
    tall, kept = w._layout_and_box(sheet.box)
    assert tall is not w.personal_layout  # a taller box than everyone's
    if person is PEOPLE[0]:
        assert same_box_top(tall, w.personal_layout)
    fresh, _needed = box_blocks(tall, sheet.box)
    assert _operators(kept) == _operators(fresh)


@pytest.mark.parametrize("person", PEOPLE, ids=["homonym", "long-homonym", "long-name", "plain"])
def test_a_sheet_is_the_same_whether_its_box_is_set_once_or_twice(procedure, person, monkeypatch) -> None:
    """The one-page PDF and the print page: byte for byte what setting the box again for the tall layout gives."""
    sheet = compose(procedure, person)
    once = PdfWriter(compose_page(procedure, personal=True), reuse=False)
    made_once = once.to_bytes(sheet), _print(once, sheet)
    monkeypatch.setattr(writer, "same_box_top", lambda one, other: False)
    twice = PdfWriter(compose_page(procedure, personal=True), reuse=False)
    assert (twice.to_bytes(sheet), _print(twice, sheet)) == made_once


def _print(w: PdfWriter, sheet) -> bytes:
    target = io.BytesIO()
    assert w.write_many([sheet], target) == 1
    return target.getvalue()


def test_a_homonym_sheet_sets_its_box_once(procedure, monkeypatch) -> None:
    """Writing a homonym's PDF and its print page sets the person's lines once each, not once a layout."""
    w = PdfWriter(compose_page(procedure, personal=True))
    sheet = compose(procedure, PEOPLE[0])
    w.to_bytes(sheet)  # the tall layout is made (and measured) once per writer
    calls = []
    real = writer.box_blocks

    def counted(*args, **kwargs):
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(writer, "box_blocks", counted)
    w.to_bytes(sheet)
    w.write_many([sheet], io.BytesIO())
    assert len(calls) == 2


def test_layouts_of_another_type_size_are_not_the_same_box(procedure) -> None:
    """A layout at another scale, or without a box, never passes for the same box."""
    w = PdfWriter(compose_page(procedure, personal=True))
    usual = w.personal_layout
    assert same_box_top(usual, usual)
    assert not same_box_top(usual, w.flyer_layout)
    other = type(usual)(scale=usual.scale * 0.9, body=usual.body, blocks=[], box=usual.box)
    assert not same_box_top(usual, other)


def _words(spans: list[Span]) -> list[list[Span]]:
    """The spans cut after each space and hyphen: a word may change font inside."""
    words: list[list[Span]] = [[]]
    for span in spans:
        for bit in personal_box.re.split(r"(?<=[ -])", span.text):
            if bit:
                words[-1].append(Span(bit, span.font, span.size))
                if bit[-1] in " -":
                    words.append([])
    return [word for word in words if word]


def _greedy(spans: list[Span], width: float) -> list[list[Span]]:
    """The wrapping rule measured the plain way: the whole line again after each word."""
    lines: list[list[Span]] = [[]]
    for word in _words(spans):
        if lines[-1] and _width(lines[-1]) + _width(word, strip=True) > width:
            lines.append([])
        lines[-1].extend(word)
    return [line for line in lines if line]


WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèàçô'ABCDEF", min_size=1, max_size=9)


@settings(max_examples=150, deadline=None)
@given(
    words=st.lists(st.tuples(WORD, st.sampled_from([" ", "-", ""]), st.booleans()), min_size=1, max_size=30),
    width=st.floats(min_value=60, max_value=500),
    size=st.sampled_from([10.0, 11.5, 12.0]),
)
def test_wrapping_breaks_where_measuring_whole_lines_would(words, width, size) -> None:
    """Words no wider than the line: the lines are those of measuring the whole line after each word."""
    spans = [Span(text + sep, FONT_BOLD if bold else FONT, size) for text, sep, bold in words]
    if any(_width(word, strip=True) > width for word in _words(spans)):
        return  # an overlong word is cut: another rule, tested with the box
    got = _wrap(spans, width)
    assert [[(s.text, s.font) for s in line] for line in got] == [
        [(s.text, s.font) for s in line] for line in _greedy(spans, width)
    ]
