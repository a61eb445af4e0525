"""A signing session's list: the accepted headers, the check page's rows, the ZIP of what the run wrote.

The list is read with the library's ``read_roster``, as ``personalise``
reads it (the same header table, the same guards against a zip bomb); its
messages are shown as the library words them (French on the pages), the
refused rows' problems grouped by their line, and the file named as sent.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from .. import HEADER_NAMES as _HEADER_NAMES
from .. import (
    HEADER_SEARCH,
    SHOWN_HOMONYMS,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    Procedure,
    Roster,
    RosterError,
    has_header,
    read_roster,
    sheet_read,
)
from ..i18n import N_, _, ngettext
from . import messages
from .service import CORE_KEY, UNSURE, field_labels

ROSTER_SUFFIXES = TEXT_SUFFIXES + XLSX_SUFFIXES
_CORE_FIELD = {v: k for k, v in CORE_KEY.items()}


def accepted_headers() -> list[tuple[str, list[str]]]:
    """Each field's label and the column headers the roster reader accepts for it (its own table)."""
    labels = field_labels()
    names: dict[str, list[str]] = {}
    for core_field, _rank, aliases in _HEADER_NAMES:
        for alias in aliases.split("|"):
            if alias not in names.setdefault(core_field, []):
                names[core_field].append(alias)
    return [
        (labels[_CORE_FIELD.get(f, f)], names[f])
        for f in ("first", "last", "birth", "identifier", "email", "manager")
    ]


@dataclass(frozen=True)
class RosterRow:
    line: int
    name: str
    identifier: str
    flags: tuple[str, ...]


@dataclass(frozen=True)
class RosterCheck:
    """What the check page shows; nothing is rendered yet."""

    rows: tuple[RosterRow, ...]
    refused: tuple[tuple[int | None, tuple[str, ...]], ...]  # (line, problems in French)
    warnings: tuple[str, ...]  # in French; a NUMEN column is named, never its values
    roster: Roster = field(default_factory=lambda: Roster(()), compare=False)  # what the run will make
    name: str = ""  # the file as sent, said in messages instead of the server's path

    @property
    def unsure(self) -> bool:
        """Some identifier is a guess: the page marks it "(to confirm)" and says why."""
        return any(UNSURE in row.flags for row in self.rows)

    @property
    def homonyms(self) -> dict[str, list[RosterRow]]:
        groups: dict[str, list[RosterRow]] = {}
        for row in self.rows:
            if "homonym" in row.flags:
                groups.setdefault(row.identifier, []).append(row)
        return groups


class RosterProblem(Exception):
    """The file as a whole cannot be used; the messages are in French."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def roster_file_name(filename: str) -> str:
    """The name the upload is kept under in the private folder: ``liste`` and its (safe) extension."""
    suffix = Path(filename or "").suffix.lower()
    return "liste" + (suffix if re.fullmatch(r"\.[a-z0-9]{1,8}", suffix) else "")


def _sheet_note(path: Path) -> str:
    """Which sheet of a workbook the reader read (a name holding a NUMEN is not repeated)."""
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return ""
    read = sheet_read(path, lambda rows: has_header(rows[:HEADER_SEARCH]))  # as read_roster chooses
    if read is None:
        return ""
    return ngettext(
        "Sheet read: {name} (the workbook has only this one).",
        "Sheet read: {name}, one of the {count} sheets of the workbook; the others are not read.",
        read[1],
    ).format(name=messages.quoted(read[0]), count=read[1])


def check_roster(procedure: Procedure, path: Path, name: str = "") -> RosterCheck:
    """The roster read and checked as ``personalise`` reads it; raises RosterProblem for a file it refuses.

    ``name`` is the file's name as sent: the messages say it instead of the
    server's private path.
    """
    shown = messages.shown_name(name or path.name)
    try:
        roster = read_roster(path, procedure)
    except RosterError as exc:
        raise RosterProblem([messages.in_file_words(p, path, shown) for p in exc.problems]) from None
    rows = tuple(RosterRow(p.row or 0, p.display_name, p.identifier, p.flags) for p in roster.people)
    refused = messages.by_line(roster.refusals)
    warnings = [messages.in_file_words(w, path, shown) for w in _other_warnings(roster, rows)]
    note = _sheet_note(path)
    return RosterCheck(rows, tuple(refused), tuple(([note] if note else []) + warnings), roster, shown)


def _other_warnings(roster: Roster, rows: tuple[RosterRow, ...]) -> tuple[str, ...]:
    """The roster's warnings but those about shared identifiers, which the page's homonym list says once.

    The reader adds those last, one per shared identifier up to
    SHOWN_HOMONYMS, then one counting the rest: told apart by that place.
    """
    shared = len({row.identifier for row in rows if "homonym" in row.flags})
    about_homonyms = min(shared, SHOWN_HOMONYMS) + (1 if shared > SHOWN_HOMONYMS else 0)
    warnings = tuple(roster.warnings)
    return warnings[: len(warnings) - about_homonyms]


FLAG_NAMES = {
    "homonym": N_("homonym"),
    "birth-name": N_("birth name"),
    "identifier-given": N_("identifier given"),
    UNSURE: N_("to confirm"),
}


def flag_names(flags: tuple[str, ...]) -> list[str]:
    return [_(FLAG_NAMES[f]) if f in FLAG_NAMES else f for f in flags]


def zip_folder(folder: Path, target: Path) -> Path:
    """Every file of ``folder`` (as ``personalise`` wrote it) in one ZIP, names in order.

    PDF and DOCX files are compressed already: stored as they are, they cost
    no time (a third of the ZIP's time for 1000 people otherwise).
    """
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                packed = path.suffix in (".pdf", ".docx")
                archive.write(path, arcname=path.name, compress_type=zipfile.ZIP_STORED if packed else None)
    return target
