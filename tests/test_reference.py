"""The output is byte-identical to the reference files made before the restructuring (#11)."""

from __future__ import annotations

from pathlib import Path

from reference_cases import make_all

REFERENCE = Path(__file__).parent / "reference"


def test_every_file_equals_the_reference(tmp_path: Path) -> None:
    """Flyer, desk sheets, every sheet of the example roster, all.pdf and manifest.csv: same bytes."""
    make_all(tmp_path)
    expected = sorted(
        p.relative_to(REFERENCE) for p in REFERENCE.rglob("*") if p.is_file() and p.parent != REFERENCE
    )
    made = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert made == expected
    differ = [
        str(name) for name in expected if (tmp_path / name).read_bytes() != (REFERENCE / name).read_bytes()
    ]
    assert not differ, (
        f"differ from tests/reference (a change of design must update them on purpose): {differ}"
    )
