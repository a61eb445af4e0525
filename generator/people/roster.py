"""A roster file → valid persons in file order, one message per bad row, warnings about the file."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..errors import RosterError
from ..procedure.model import Procedure
from .cells import clean, line_list
from .files import read_rows
from .headers import HEADER_SEARCH, find_header
from .person import Person, check_fields


@dataclass(frozen=True)
class Roster:
    """Valid persons in file order, one message per bad row, and warnings about the file."""

    people: tuple[Person, ...]
    invalid: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    source: Path | None = field(default=None, compare=False)  # the file, named in messages about its rows


def read_roster(path: str | Path, procedure: Procedure, *, sheet: str | None = None) -> Roster:
    """Read a roster (of a workbook, ``sheet`` or the first one); raises RosterError when the file cannot be used."""
    path = Path(path)
    rows, separator = read_rows(path, sheet)
    nonempty = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not nonempty:
        raise RosterError(
            f"{path}: the file is empty (expected a header row such as "
            "Prénom;Nom;Courriel, then one row per person)"
        )
    warns: list[str] = []
    header_line, columns = find_header(path, nonempty[:HEADER_SEARCH], warns)
    people: list[Person] = []
    invalid: list[str] = []
    skipped: list[int] = []
    for line, cells in rows:
        if line <= header_line or not any(c.strip() for c in cells):
            continue
        values = {f: cells[c.index] if c.index < len(cells) else "" for f, c in columns.items()}
        if not any(clean(v) for v in values.values()):
            skipped.append(line)  # content only in ignored columns
            continue
        labels = {f: c.header for f, c in columns.items()}
        person, problems, notes = check_fields(procedure, values, labels, line, separator)
        warns.extend(f"{path}: line {line}: {note}" for note in notes)
        if person is None:
            invalid.append(f"{path}: line {line}: " + "; ".join(problems))
        else:
            people.append(person)
    if not people and not invalid:
        warns.append(f"{path}: no person below the header row (line {header_line})")
    if skipped:
        warns.append(
            f"{path}: {line_list(skipped)} skipped: nothing in the name, identifier, email or manager columns"
        )
    return Roster(
        people=_flag_homonyms(path, people, warns), invalid=tuple(invalid), warnings=tuple(warns), source=path
    )


def _flag_homonyms(path: Path, people: Iterable[Person], warns: list[str]) -> tuple[Person, ...]:
    """Persons whose identifiers collide get the flag "homonym"; one warning per identifier."""
    people = tuple(people)
    lines: dict[str, list[int]] = {}
    for p in people:
        lines.setdefault(p.identifier, []).append(p.row or 0)
    for identifier, rows in lines.items():
        if len(rows) > 1:
            warns.append(
                f"{path}: {line_list(rows, ranges=False)} give the same identifier {identifier!r}: "
                "homonyms, flagged (the directory adds a digit; check it is not one person entered twice)"
            )
    return tuple(
        replace(p, flags=(*p.flags, "homonym")) if len(lines[p.identifier]) > 1 else p for p in people
    )
