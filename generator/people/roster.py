"""A roster file → valid persons in file order, one message per bad row, warnings about the file."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problem, RosterError
from ..i18n import _, ngettext, quote
from ..numen import adjacent_numen, enough_digits, holds_numen, numen_refusal
from ..procedure.identifiers import ascii_fold
from ..procedure.model import Procedure
from .cells import clean, line_list
from .files import read_rows
from .headers import HEADER_SEARCH, Header, column_label, find_header, has_header
from .person import UNSURE, Person, check_fields
from .rows import Row
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
    # (line, identifier) of each person flagged "unsure": the identifier is to confirm.
    unsure: tuple[tuple[int, str], ...] = field(default=(), compare=False)


def read_roster(path: str | Path, procedure: Procedure, *, sheet: str | None = None) -> Roster:
    """Read a roster (of a workbook, ``sheet`` or the one with the header row); raises RosterError when unusable.

    Every cell of every row is looked at for a NUMEN, those of ignored
    columns too, and each two neighbouring cells together: such a row is
    refused, naming its line and columns, never the value. Only the cells of
    a NUMEN column are never read. The rows are read one by one: however
    long the file, only the persons are kept, packed.
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
    reading = _Reading(procedure, where, header, read.separator)
    for line, cells in itertools.chain(head, rows):
        if line > header.line and any(c.strip() for c in cells):
            reading.row(line, cells)
    return reading.roster(path, warns)


class _Reading:
    """The rows of one roster as they are read: persons packed, refusals and warnings gathered."""

    def __init__(self, procedure: Procedure, where: str, header: Header, separator: str | None) -> None:
        self.procedure, self.where, self.header, self.separator = procedure, where, header, separator
        self.used = {c.index for c in header.columns.values()}
        self.labels = {f: c.header for f, c in header.columns.items()}
        self.width = len(header.labels)
        self.people = Packer()
        self.homonyms = _Homonyms()
        self.twins = _Duplicates()
        self.invalid: list[str] = []
        self.refusals: list[Problem] = []
        self.skipped: list[int] = []
        self.notes: list[str] = []
        self.unsure: list[tuple[int, str]] = []
        self.digits = True  # whether the row being read has digits enough for a NUMEN

    def row(self, line: int, cells: list[str]) -> None:
        """One non-empty row below the header: a person, a refusal, or a row skipped."""
        secrets, across = self._secrets(line, cells)
        values = {f: cells[c.index] if c.index < len(cells) else "" for f, c in self.header.columns.items()}
        if not any(clean(v) for v in values.values()):
            if secrets or across:
                self._refuse(line, [*secrets, *across])
            else:
                self.skipped.append(line)  # content only in ignored columns
            return
        if across:
            self._refuse(line, [*secrets, *across])  # nothing else said: it could show a part of the password
            return
        # A separator inside a cell is a misplaced quote only when the row came out short.
        separator = self.separator if len(cells) < self.width else None
        person, problems, notes = check_fields(
            self.procedure, values, self.labels, line, separator, numen_possible=self.digits
        )
        self.notes.extend(
            _("{prefix}: {problems}").format(prefix=_where(self.where, line), problems=note) for note in notes
        )
        if person is not None and not secrets:
            twin = self.twins.first(person)
            if twin is not None:
                problems = [Problem(_("duplicate of line {line}").format(line=twin), line=line)]
                person = None
        if person is None or secrets:
            self._refuse(line, [*secrets, *problems])
            return
        self.people.add(person)
        self.homonyms.add(person)
        if UNSURE in person.flags:
            self.unsure.append((line, person.identifier))

    def _secrets(self, line: int, cells: list[str]) -> tuple[list[Problem], list[Problem]]:
        """A NUMEN in an ignored cell, or across two neighbouring cells of any column but a NUMEN one."""
        header, width = self.header, self.width

        def label(i: int) -> str:
            return header.labels[i] if i < width else column_label("", i)

        readable = (
            [cell for i, cell in enumerate(cells) if i not in header.skipped] if header.skipped else cells
        )
        self.digits = enough_digits("\x1f".join(readable))
        if not self.digits:
            return [], []  # most rows: too few digits in the whole row for any NUMEN
        secrets = [
            Problem(numen_refusal(label(i)), line=line, numen=True)
            for i, cell in enumerate(cells)
            if i not in self.used and i not in header.skipped and holds_numen(cell)
        ]
        readable = ["" if i in header.skipped else cell for i, cell in enumerate(cells)]
        across = [
            Problem(numen_refusal(_(" and ").join((label(i), label(i + 1)))), line=line, numen=True)
            for i in adjacent_numen(readable)
        ]
        return secrets, across

    def _refuse(self, line: int, problems: list[Problem]) -> None:
        self.invalid.append(_refused(_where(self.where, line), problems))
        self.refusals.extend(problems)

    def roster(self, path: Path, warns: list[str]) -> Roster:
        """The finished roster, its warnings after those about the file and the header."""
        warns.extend(self.notes)
        if not self.people.count and not self.invalid:
            warns.append(
                _("{where}: no person below the header row (line {line})").format(
                    where=self.where, line=self.header.line
                )
            )
        if self.skipped:
            warns.append(
                _(
                    "{where}: {lines} skipped: nothing in the name, identifier, email or manager columns"
                ).format(where=self.where, lines=line_list(self.skipped))
            )
        warns.extend(self.homonyms.warnings(self.where))
        return Roster(
            people=self.people.people(self.homonyms.shared),
            invalid=tuple(self.invalid),
            warnings=tuple(warns),
            source=path,
            refusals=tuple(self.refusals),
            unsure=tuple(self.unsure),
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
            ).format(where=where, lines=line_list(rows, ranges=False), identifier=quote(identifier))
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


class _Duplicates:
    """One person entered twice: the same names (folded as the identifier rule reads them) and nothing telling them apart.

    Two rows are one person when their names fold alike and their e-mails are
    the same, or when neither has an e-mail nor a given identifier. Only a
    hash of each key is kept, with the first row: memory stays flat however
    long the roster (a 64-bit hash: a false match is about one in 10^9 for
    200 000 rows).
    """

    def __init__(self) -> None:
        self.seen: dict[int, int] = {}

    def first(self, person: Person) -> int | None:
        """The earlier row of this person, or None (then remembered as the first)."""
        email = person.email.casefold()
        if not email and "identifier-given" in person.flags:
            return None  # the identifier tells them apart: homonyms, not duplicates
        # The names are cleaned (one space between words); computing the identifier folded them already.
        names = (ascii_fold(person.first_name), ascii_fold(person.last_name), ascii_fold(person.birth_name))
        key = hash((*names, email))
        earlier = self.seen.get(key)
        if earlier is None:
            self.seen[key] = person.row or 0
        return earlier
