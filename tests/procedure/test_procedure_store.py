"""The procedure's store: a save is checked first and atomic, every version is kept, a stale save is refused."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest
import yaml

from generator.errors import DataError
from generator.resources import default_procedure
from generator.run.procedure_store import Conflict, ProcedureStore, dump, version_of


class Clock:
    """A clock that moves one minute at each call: history names follow one another."""

    def __init__(self) -> None:
        self.now = datetime.datetime(2026, 12, 7, 10, 30, tzinfo=datetime.UTC)

    def __call__(self) -> datetime.datetime:
        self.now += datetime.timedelta(minutes=1)
        return self.now


@pytest.fixture
def store(tmp_path: Path) -> ProcedureStore:
    path = tmp_path / "procedure.yaml"
    path.write_bytes(default_procedure().read_bytes())
    return ProcedureStore(path, clock=Clock())


def _with(store: ProcedureStore, section: str, key: str, value: object) -> str:
    data = yaml.safe_load(store.path.read_bytes())
    data[section][key] = value
    return dump(data)


def test_save_writes_the_file_and_keeps_both_versions(store: ProcedureStore) -> None:
    """The first save keeps the file as it was and the new one; the file holds the new text."""
    before, version = store.current()
    procedure, saved = store.save(_with(store, "help", "phone", "05 16 52 66 87"), version)
    assert procedure.help.phone == "05\u00a016\u00a052\u00a066\u00a087"
    assert yaml.safe_load(store.path.read_bytes())["help"]["phone"] == "05 16 52 66 87"
    history = store.history()
    assert [v.first for v in history] == [False, True]
    assert store.text_of(history[1].name) == before
    assert [(c.path, c.old, c.new) for c in saved.changes] == [
        ("help.phone", "05 16 52 66 86", "05 16 52 66 87")
    ]
    assert (store.folder / f"{saved.name}.yaml").read_bytes() == store.path.read_bytes()
    assert saved.name == "2026-12-07T10-32-00Z"


def test_failed_check_writes_nothing(store: ProcedureStore) -> None:
    """A candidate that check refuses leaves the file byte for byte and no history, no temporary file."""
    before, version = store.current()
    folder = sorted(store.path.parent.iterdir())
    with pytest.raises(DataError) as caught:
        store.save(_with(store, "help", "phone", "05 16 AB 66 86"), version)
    assert "help.phone" in caught.value.problems[0]
    assert str(store.path) in caught.value.problems[0]
    assert store.path.read_bytes() == before
    assert sorted(store.path.parent.iterdir()) == folder
    assert store.history() == []


def test_a_stale_save_is_refused_with_the_others_change(store: ProcedureStore) -> None:
    """Two people load the same version; the second save is refused, names the first's change, writes nothing."""
    _data, loaded = store.current()
    store.save(_with(store, "help", "phone", "05 16 52 66 87"), loaded)
    after_first = store.path.read_bytes()
    with pytest.raises(Conflict) as caught:
        store.save(_with(store, "help", "hours", "Du lundi au jeudi"), loaded)
    assert [(c.path, c.new) for c in caught.value.changes] == [("help.phone", "05 16 52 66 87")]
    assert store.path.read_bytes() == after_first
    assert len(store.history()) == 2


def test_restore_is_a_new_version(store: ProcedureStore) -> None:
    """Bringing back the first version saves its text as a third version, whose change is the way back."""
    _data, version = store.current()
    store.save(_with(store, "help", "phone", "05 16 52 66 87"), version)
    first = store.history()[-1]
    procedure, restored = store.restore(first.name, store.current()[1])
    assert store.path.read_bytes() == store.text_of(first.name)
    assert restored.restored_from == first.name
    assert [(c.path, c.old, c.new) for c in restored.changes] == [
        ("help.phone", "05 16 52 66 87", "05 16 52 66 86")
    ]
    assert len(store.history()) == 3
    assert procedure.help.phone.startswith("05\u00a016")


def test_a_file_edited_by_hand_is_kept_before_the_next_save(store: ProcedureStore) -> None:
    """Changed in a text editor between two saves: that version is kept too, never lost."""
    _data, version = store.current()
    store.save(_with(store, "help", "phone", "05 16 52 66 87"), version)
    store.path.write_text(_with(store, "help", "hours", "Du lundi au jeudi"), encoding="utf-8")
    by_hand, version = store.current()
    store.save(_with(store, "help", "phone", "05 16 52 66 88"), version)
    kept = [store.text_of(v.name) for v in store.history()]
    assert by_hand in kept and len(kept) == 4


def test_the_written_yaml_reads_back_the_same(store: ProcedureStore) -> None:
    """The YAML written keeps every value (texts of several lines as blocks, the date as a date)."""
    data = yaml.safe_load(store.path.read_bytes())
    text = dump(data)
    assert yaml.safe_load(text) == data
    assert "body: |" in text
    assert version_of(text.encode()) != version_of(store.path.read_bytes())
