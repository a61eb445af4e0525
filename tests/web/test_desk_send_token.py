"""The desk's send token: it opens its own sheet's record only, and only for the desk's session lifetime."""

from __future__ import annotations

import time
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generator.web.sendjobs import DeskRecords

FIELDS = ("first_name", "last_name", "birth_name", "identifier", "email", "manager")
fields = st.fixed_dictionaries({name: st.text(max_size=12) for name in FIELDS})


@given(mine=fields, other=fields)
def test_a_token_opens_the_record_of_its_own_fields_only(tmp_path_factory, mine, other) -> None:  # type: ignore[no-untyped-def]
    """The same fields find the same folder twice (a refresh); any other fields find none."""
    records = DeskRecords(tmp_path_factory.mktemp("desk"), 60.0, b"k" * 32)
    try:
        token = records.new_token(mine)
        folder = records.folder(token, mine)
        assert folder is not None and folder.is_dir() and records.folder(token, mine) == folder
        assert token not in str(folder)  # the folder is named by a digest, never by what was posted
        if other != mine:
            assert records.folder(token, other) is None
        assert records.folder(token + "x", mine) is None
    finally:
        records.close()


def test_an_expired_token_opens_nothing_and_its_record_goes(tmp_path: Path) -> None:
    """Past its life the token is unknown and its folder removed; closing removes the whole record."""
    records = DeskRecords(tmp_path, 60.0, b"k" * 32)
    person = dict.fromkeys(FIELDS, "") | {"first_name": "Marie", "email": "m@example.org"}
    token = records.new_token(person)
    folder = records.folder(token, person)
    assert folder is not None
    (folder / "envois.json").write_text("{}", encoding="utf-8")
    records.purge(now=time.monotonic() + 61)
    assert records.folder(token, person) is None and not folder.exists()
    records.close()
    assert list(tmp_path.iterdir()) == []
