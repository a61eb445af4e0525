"""A roster file → valid persons in file order, one message per bad row, warnings about the file."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, RosterError
from ..i18n import _, ngettext
from ..procedure.model import Procedure
from .cells import clean, line_list
from .files import Row, read_rows
from .headers import HEADER_SEARCH, column_label, find_header, has_header
from .numen import holds_numen, numen_refusal
from .person import Person, check_fields
from .store import Packer


@dataclass(frozen=True)
class Roster:
    """Valid persons in file order, one message per bad row, and warnings about the file.

    ``people`` of a roster read from a file is a ``People``: kept compressed,
    read back in order (``list(roster.people)`` gives the persons).
    ``refusals`` holds each problem of the bad rows one by one, with its line
    and field (``invalid`` says the same, one message a row, as printed).
    """

    people: Sequence[Person]
    invalid: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    source: Path | None = field(default=None, compare=False)  # the file, named in messages about its rows
    refusals: tuple[Problem, ...] = field(default=(), compare=False)


def read_roster(path: str | Path, procedure: Procedure, *, sheet: str | None = None) -> Roster:
    """Read a roster (of a workbook, ``sheet`` or the one with the header row); raises RosterError when unusable.

    Every cell of every row is looked at for a NUMEN, those of ignored
    columns too: such a row is refused, naming its line and column, never
    the value. Only the cells of a NUMEN column are never read. The rows are
    read one by one: however long the file, only the persons are kept, packed.
    """
    path = Path(path)
    read = read_rows(path, sheet, has_header=lambda rows: has_header(rows[:HEADER_SEARCH]))
    where, rows = read.where, iter(read.rows)
    head: list[Row] = []  # the first non-empty rows: the header row is among them
    for line, cells in rows:
        if any(c.strip() for c in cells):
            head.append((line, cells))
            if len(head) == HEADER_SEARCH:
                break
    if not head:
        raise RosterError(
            _(
                "{where}: the file is empty (expected a header row such as "
                "Prénom;Nom;Courriel, then one row per person)"
            ).format(where=where)
        )
    warns: list[str] = list(read.warnings)
    header = find_header(where, head, warns)
    columns = header.columns
    used = {c.index for c in columns.values()}
    labels = {f: c.header for f, c in columns.items()}
    width = len(header.labels)
    people = Packer()
    homonyms = _Homonyms()
    invalid: list[str] = []
    refusals: list[Problem] = []
    skipped: list[int] = []
    for line, cells in itertools.chain(head, rows):
        if line <= header.line or not any(c.strip() for c in cells):
            continue
        secrets = [
            Problem(
                numen_refusal(header.labels[i] if i < width else column_label("", i)), line=line, numen=True
            )
            for i, cell in enumerate(cells)
            if i not in used and i not in header.skipped and holds_numen(cell)
        ]
        values = {f: cells[c.index] if c.index < len(cells) else "" for f, c in columns.items()}
        if not any(clean(v) for v in values.values()):
            if secrets:
                invalid.append(_refused(_where(where, line), secrets))
                refusals.extend(secrets)
            else:
                skipped.append(line)  # content only in ignored columns
            continue
        # A separator inside a cell is a misplaced quote only when the row came out short.
        separator = read.separator if len(cells) < width else None
        person, problems, notes = check_fields(procedure, values, labels, line, separator)
        warns.extend(
            _("{prefix}: {problems}").format(prefix=_where(where, line), problems=note) for note in notes
        )
        if person is None or secrets:
            invalid.append(_refused(_where(where, line), [*secrets, *problems]))
            refusals.extend([*secrets, *problems])
        else:
            people.add(person)
            homonyms.add(person)
    if not people.count and not invalid:
        warns.append(
            _("{where}: no person below the header row (line {line})").format(where=where, line=header.line)
        )
    if skipped:
        warns.append(
            _("{where}: {lines} skipped: nothing in the name, identifier, email or manager columns").format(
                where=where, lines=line_list(skipped)
            )
        )
    warns.extend(homonyms.warnings(where))
    return Roster(
        people=people.people(homonyms.shared),
        invalid=tuple(invalid),
        warnings=tuple(warns),
        source=path,
        refusals=tuple(refusals),
    )


def _where(where: str, line: int) -> str:
    """``roster.csv: line 7``, made only for a row that has something to say (a message per row costs)."""
    return _("{where}: line {line}").format(where=where, line=line)


def _refused(prefix: str, problems: list[Problem]) -> str:
    """One bad row's message: where, then its problems."""
    return _("{prefix}: {problems}").format(prefix=prefix, problems="; ".join(p.text for p in problems))


SHOWN_HOMONYMS = 20  # warnings about shared identifiers; past them, one line counts the rest


class _Homonyms:
    """Identifiers given by several rows: the first row of every identifier, all rows of a shared one."""

    def __init__(self) -> None:
        self.first: dict[str, int] = {}
        self.shared: dict[str, list[int]] = {}

    def add(self, person: Person) -> None:
        row, identifier = person.row or 0, person.identifier
        if identifier in self.first:
            self.shared.setdefault(identifier, [self.first[identifier]]).append(row)
        else:
            self.first[identifier] = row

    def warnings(self, where: str) -> list[str]:
        """One warning per shared identifier, in the order of their first rows; past SHOWN_HOMONYMS, a count."""
        shared = sorted(self.shared.items(), key=lambda item: item[1][0])
        warns = [
            _(
                "{where}: {lines} give the same identifier {identifier}: homonyms, flagged "
                "(the directory adds a digit; check it is not one person entered twice)"
            ).format(where=where, lines=line_list(rows, ranges=False), identifier=repr(identifier))
            for identifier, rows in shared[:SHOWN_HOMONYMS]
        ]
        if len(shared) > SHOWN_HOMONYMS:
            rest = len(shared) - SHOWN_HOMONYMS
            warns.append(
                ngettext(
                    "{where}: {n} more identifier is given by several rows: see the homonym flag in manifest.csv",
                    "{where}: {n} more identifiers are given by several rows: see the homonym flag in manifest.csv",
                    rest,
                ).format(where=where, n=rest)
            )
        return warns
