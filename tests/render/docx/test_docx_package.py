"""The DOCX package put together by hand: the very bytes zipfile writes when it appends the personal parts."""

from __future__ import annotations

import io
import os
import zipfile
from concurrent.futures import ThreadPoolExecutor

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import RenderError
from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.render import fallback, writer
from generator.render.docx import package
from generator.render.docx.package import (
    CORE_PART,
    DOCUMENT_PART,
    Appendix,
    Template,
    append_with_zipfile,
    token,
    zip_parts,
)
from generator.render.docx.writer import _plain
from generator.sheet.compose import compose, compose_page

NAMES = (CORE_PART, DOCUMENT_PART)
FIXED = zip_parts({"[Content_Types].xml": b"<Types/>" * 40, "word/media/image1.png": os.urandom(300)})
APPENDIX = Appendix.learn(FIXED, NAMES)
PART = st.one_of(
    st.binary(max_size=3000),
    st.text(max_size=3000).map(lambda text: text.encode("utf-8")),
    st.builds(lambda piece, times: piece * times, st.binary(min_size=1, max_size=40), st.integers(0, 400)),
)


@settings(max_examples=300, deadline=None)
@given(PART, PART)
def test_the_hand_made_zip_is_zipfile_s(core: bytes, document: bytes) -> None:
    """Any two parts, empty, random, repetitive or text: the same bytes as ZipFile(…, "a").writestr."""
    made = APPENDIX.package([core, document])
    assert made == append_with_zipfile(FIXED, list(zip(NAMES, [core, document], strict=True)))
    with zipfile.ZipFile(io.BytesIO(made)) as zf:
        assert zf.testzip() is None
        assert zf.read(DOCUMENT_PART) == document and zf.read(CORE_PART) == core


def test_a_template_fills_its_tokens_as_text_would() -> None:
    """Filling the encoded pieces gives the UTF-8 of the filled text."""
    xml = f"<a>é{token('x')}ü<b>{token('y')}</b>{token('x')}</a>"
    template = Template.of(xml)
    values = {"x": "Zoé & Œdipe", "y": ""}
    expected = xml.replace(token("x"), values["x"]).replace(token("y"), "").encode("utf-8")
    assert template.fill(values) == expected


def test_names_that_need_the_fallback_font_get_the_package_with_it(procedure: Procedure) -> None:
    """A Vietnamese letter uses the package with Noto Sans embedded, a Latin name the plain one; no font, no sheet."""
    docx = writer("docx", compose_page(procedure))
    with pytest.raises(RenderError, match="GREEK"):
        docx.to_bytes(compose(procedure, Person(first_name="Zoé", last_name="Παπαδόπουλος", identifier="zp")))
    for last_name, embedded in (("Dupont", False), ("Ørsted-Łukasz", False), ("Nguyễn", True)):
        person = Person(first_name="Zoé", last_name=last_name, identifier="zdupont")
        with zipfile.ZipFile(io.BytesIO(docx.to_bytes(compose(procedure, person)))) as zf:
            assert zf.testzip() is None
            assert any(name.startswith("word/fonts/") for name in zf.namelist()) == embedded, last_name


def test_eight_threads_make_the_same_packages_as_one(procedure: Procedure) -> None:
    """The prepared bytes are shared by every thread; each package is assembled in its own buffers."""
    docx = writer("docx", compose_page(procedure))
    people = [
        Person(first_name="Marie", last_name=f"Dupont {i}é", identifier=f"mdupont{i}") for i in range(200)
    ]
    sheets = [compose(procedure, person) for person in people]
    serial = [docx.to_bytes(sheet) for sheet in sheets]
    with ThreadPoolExecutor(8) as pool:
        assert list(pool.map(docx.to_bytes, sheets)) == serial


@settings(max_examples=500, deadline=None)
@given(
    st.text(st.characters(min_codepoint=0x20, max_codepoint=0x17F), max_size=12)
    | st.text(st.characters(max_codepoint=0x3FF) | st.sampled_from("\u202f\u2019\u0301ễ"), max_size=30)
)
def test_a_plain_value_is_one_run_of_the_main_font(text: str) -> None:
    """What skips the font checks of a sheet is what they would pass whole: drawn as typed, in Atkinson."""
    if _plain().fullmatch(text):
        assert fallback.undrawable(text) == []
        assert fallback.drawable_form(text) == text
        assert all(key == fallback.MAIN for key, _ in fallback.segments(text, whole_words=True))


def test_a_package_past_a_gibibyte_is_left_to_zipfile(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the size where ZIP64 records could be needed, zipfile itself appends: the same bytes still."""
    monkeypatch.setattr(package, "_LARGEST", 100)
    parts = [b"<core/>" * 10, b"<document/>" * 20]
    assert APPENDIX.package(parts) == append_with_zipfile(FIXED, list(zip(NAMES, parts, strict=True)))
