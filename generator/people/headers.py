"""The header row of a roster: found among the first rows, each column matched to a field by its name."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..errors import RosterError
from ..i18n import _
from ..numen import adjacent_numen, holds_numen, is_numen_header
from ..numen import shown as quoted
from ..procedure.identifiers import ascii_fold
from .cells import clean, expected, line_list
from .rows import Row

HEADER_SEARCH = 5  # a title row or two may sit above the header row

# Header aliases, compared once folded (no case, accent, space or punctuation).
# Rank 2 beats rank 1 when a roster has both (Nom d'usage over Nom).
HEADER_NAMES = (
    ("first", 1, "Prénom|Prénoms|Prénom usuel|First name|Firstname|Given name|Forename"),
    ("last", 1, "Nom|Last name|Lastname|Surname|Family name"),
    ("last", 2, "Nom d'usage|Nom usuel|Nom marital|Nom d'épouse|Usage name|Married name|Family name (usage)"),
    (
        "birth",
        1,
        "Nom de naissance|Nom de famille|Nom de jeune fille|Nom patronymique|Patronyme|Birth name|"
        "Maiden name",
    ),
    (
        "identifier",
        1,
        "Identifiant|Login|Identifier|Username|User name|Identifiant de connexion|Identifiant messagerie",
    ),
    (
        "email",
        1,
        "Courriel|Email|E-mail|Mail|Adresse électronique|Adresse mail|Adresse e-mail|"
        "Adresse courriel|Email address",
    ),
    (
        "email",
        2,
        "Courriel personnel|Courriel perso|Email personnel|Email perso|Mail personnel|Mail perso|"
        "Adresse personnelle|Adresse électronique personnelle|Adresse mail personnelle|Personal email",
    ),
    ("manager", 1, "Gestionnaire|Manager|Service gestionnaire|Établissement gestionnaire"),
)


def header_key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text))


_ALIASES = {
    header_key(name): (field, rank) for field, rank, names in HEADER_NAMES for name in names.split("|")
}


@dataclass(frozen=True)
class _Column:
    index: int
    header: str  # as written in the file, for messages


@dataclass(frozen=True)
class Header:
    """The header row: its line, the column of each field, and the columns never read (NUMEN)."""

    line: int
    columns: dict[str, _Column]
    labels: tuple[str, ...]  # each column as messages name it: its header, or its letter
    skipped: frozenset[int]  # NUMEN columns: their cells are never read


def has_header(candidates: list[Row]) -> bool:
    """Whether one of these rows names the first-name and family-name columns."""
    return any(_names_a_person(cells) for _line, cells in candidates)


def _fields(cells: list[str]) -> set[str]:
    return {_ALIASES[header_key(c)][0] for c in cells if header_key(c) in _ALIASES}


def _names_a_person(cells: list[str]) -> bool:
    fields = _fields(cells)
    return {"first", "last"} <= fields or {"first", "birth"} <= fields


def find_header(where: str, candidates: list[Row], warns: list[str]) -> Header:
    """The header row among the first non-empty rows, and the column of each field."""
    found = None
    for line, cells in candidates:
        if _names_a_person(cells):
            found = (line, cells)
            break
        if _fields(cells) and found is None:
            found = (line, cells)  # the best guess, to say what is missing
    if found is None:
        raise RosterError(
            _(
                "{where}: no header row (expected a first row naming the columns, "
                "such as Prénom;Nom;Nom de naissance;Courriel;Gestionnaire)"
            ).format(where=where)
        )
    line, cells = found
    if line != candidates[0][0]:
        warns.append(
            _("{where}: {lines} above the header row (line {line}) ignored").format(
                where=where, lines=line_list([n for n, _cells in candidates if n < line]), line=line
            )
        )
    return _columns(where, line, cells, warns)


def _columns(where: str, line: int, cells: list[str], warns: list[str]) -> Header:
    """Each field's column in the header row ``cells``; warnings about the columns ignored."""
    prefix = _("{where}: line {line}").format(where=where, line=line)
    # Two neighbouring headers may hold a NUMEN together (17E123;4567ABC): neither is shown.
    halves = {i + k for i in adjacent_numen([clean(c) for c in cells]) for k in (0, 1)}
    ranked, unknown, skipped, labels = _read_headers(prefix, cells, halves, warns)
    columns = _chosen(prefix, ranked, unknown, warns)
    if "last" not in columns and "birth" in columns:
        columns["last"] = columns.pop("birth")  # "Nom de famille" alone is the family name
    missing = [f for f in ("first", "last") if f not in columns]
    if missing:
        what = _(" and ").join(
            _("the first name (Prénom, First name)")
            if f == "first"
            else _("the family name (Nom, Last name)")
            for f in missing
        )
        shown = (clean(c) for i, c in enumerate(cells) if i not in halves)
        found_text = ", ".join(quoted(c) for c in shown if c) or _("nothing")
        raise RosterError(
            _("{prefix}: no column for {what} (found {found})").format(
                prefix=prefix, what=what, found=found_text
            )
        )
    if unknown:
        warns.append(
            _("{prefix}: columns ignored: {columns}").format(prefix=prefix, columns=", ".join(unknown))
        )
    return Header(line, columns, tuple(labels), frozenset(skipped))


_Ranked = dict[str, list[tuple[int, _Column]]]


def _read_headers(
    prefix: str, cells: list[str], halves: set[int], warns: list[str]
) -> tuple[_Ranked, list[str], set[int], list[str]]:
    """The known headers by field and rank, the unknown ones, the NUMEN columns, each column's label."""
    ranked: _Ranked = {}
    unknown: list[str] = []
    skipped: set[int] = set()
    labels: list[str] = []
    for index, cell in enumerate(cells):
        header = clean(cell)
        key = header_key(header)
        labels.append(column_label("" if index in halves else header, index))
        if index in halves or holds_numen(header):
            skipped.add(index)
            warns.append(
                _(
                    "{prefix}: column {letter} ignored: its header looks like a NUMEN (a password), "
                    "which this tool never reads or shows"
                ).format(prefix=prefix, letter=_letter(index))
            )
        elif is_numen_header(header):
            skipped.add(index)
            warns.append(
                _(
                    "{prefix}: column {column} ({letter}) ignored: the NUMEN is a password; this tool "
                    "never reads, prints or stores it (the sheet leaves 13 boxes to write it by hand)"
                ).format(prefix=prefix, column=quoted(header), letter=_letter(index))
            )
        elif key in _ALIASES:
            field, rank = _ALIASES[key]
            ranked.setdefault(field, []).append((rank, _Column(index, header)))
        elif key:
            unknown.append(f"{quoted(header)} ({_letter(index)})")
    return ranked, unknown, skipped, labels


def _chosen(prefix: str, ranked: _Ranked, unknown: list[str], warns: list[str]) -> dict[str, _Column]:
    """The column of each field: the best-ranked header; a plain "Nom" beside "Nom d'usage" is the birth name."""
    columns: dict[str, _Column] = {}
    for field, found in ranked.items():
        best = max(rank for rank, _col in found)
        top = [col for rank, col in found if rank == best]
        if len(top) > 1:
            names = _(" and ").join(f"{quoted(c.header)} ({_letter(c.index)})" for c in top)
            raise RosterError(
                _(
                    "{prefix}: {names} both give {expected} (expected one such column: rename or delete the other)"
                ).format(prefix=prefix, names=names, expected=expected(field))
            )
        columns[field] = top[0]
        others = [col for rank, col in found if rank != best]
        if field == "last" and others and "birth" not in ranked:
            # "Nom" beside "Nom d'usage" is the birth name, as on French forms.
            columns["birth"] = others.pop(0)
            warns.append(
                _(
                    "{prefix}: column {column} read as the birth name, since {usage} gives the usage name"
                ).format(prefix=prefix, column=quoted(columns["birth"].header), usage=quoted(top[0].header))
            )
        unknown.extend(
            _("{column} ({letter}) (another column gives {expected})").format(
                column=quoted(c.header), letter=_letter(c.index), expected=expected(field)
            )
            for c in others
        )
    return columns


def column_label(header: str, index: int) -> str:
    """A column as a message about one of its cells names it: ``Remarques (E)``, or ``column E``."""
    if header and not holds_numen(header):
        return f"{header} ({_letter(index)})"
    return _("column {letter}").format(letter=_letter(index))


def _letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the spreadsheet's column name."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
