"""document.updated: the date the facts were last checked, kept in the data and the model, checked by check."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from generator import load_procedure
from generator.cli import main
from generator.errors import DataError
from generator.resources import default_procedure


def _data(tmp_path: Path, line: str) -> Path:
    text = default_procedure().read_text(encoding="utf-8")
    path = tmp_path / "procedure.yaml"
    path.write_text(text.replace("  updated: 2026-12-07\n", line), encoding="utf-8")
    return path


def test_the_embedded_data_has_a_date(procedure) -> None:  # type: ignore[no-untyped-def]
    assert procedure.meta.updated == datetime.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("line", "expected"),
    [("  updated: '2026-12-07'\n", datetime.date(2026, 12, 7)), ("", None)],
)
def test_a_quoted_date_or_none(tmp_path: Path, line: str, expected: datetime.date | None) -> None:
    assert load_procedure(_data(tmp_path, line)).meta.updated == expected


def test_check_refuses_a_date_that_is_not_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _data(tmp_path, "  updated: 07/12/2026\n")
    with pytest.raises(DataError) as caught:
        load_procedure(path)
    assert "document.updated" in caught.value.problems[0] and "2026-12-07" in caught.value.problems[0]
    assert main(["check", "--data", str(path)]) != 0
    assert "document.updated" in capsys.readouterr().err
