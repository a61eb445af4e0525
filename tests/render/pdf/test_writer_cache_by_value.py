"""Writers are found by the page's value, never by the id of an object that may be freed and reused."""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from generator.render import writer
from generator.sheet.compose import compose_page


def test_equal_pages_share_one_writer(procedure) -> None:
    """A copy of the page (another object, the same value) gets the writer already built for it."""
    page = compose_page(procedure)
    copy = dataclasses.replace(page)
    assert copy is not page and copy == page
    assert writer("pdf", copy) is writer("pdf", page)


@settings(max_examples=25, deadline=None)
@given(titles=st.lists(st.sampled_from(["A", "B", "C", "D"]), min_size=1, max_size=30))
def test_a_writer_always_writes_the_page_it_was_asked_for(procedure, titles: list[str]) -> None:
    """Pages made and dropped one after another (their ids free for reuse): each writer found is its page's."""
    page = compose_page(procedure)
    for title in titles:
        other = dataclasses.replace(page, title=dataclasses.replace(page.title, title=title))
        assert writer("pdf", other).page == other  # type: ignore[attr-defined]
        del other
