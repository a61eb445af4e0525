"""The header row of a roster: found among the first rows, each column matched to a field by its name."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..errors import RosterError
from .cells import EXPECTED, clean, line_list
from .files import Row
from .identifiers import ascii_fold
from .numen_guard import shown

HEADER_SEARCH = 5  # a title row or two may sit above the header row

# Header aliases, compared once folded (no case, accent, space or punctuation).
# Rank 2 beats rank 1 when a roster has both (Nom d'usage over Nom).
_HEADER_NAMES = (
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
    header_key(name): (field, rank) for field, rank, names in _HEADER_NAMES for name in names.split("|")
}


@dataclass(frozen=True)
class _Column:
    index: int
    header: str  # as written in the file, for messages


def find_header(path: Path, candidates: list[Row], warns: list[str]) -> tuple[int, dict[str, _Column]]:
    """The header row among the first non-empty rows, and the column of each field."""
    found = None
    for line, cells in candidates:
        fields = {_ALIASES[header_key(c)][0] for c in cells if header_key(c) in _ALIASES}
        if {"first", "last"} <= fields or {"first", "birth"} <= fields:
            found = (line, cells)
            break
        if fields and found is None:
            found = (line, cells)  # the best guess, to say what is missing
    if found is None:
        raise RosterError(
            f"{path}: no header row (expected a first row naming the columns, "
            "such as Prénom;Nom;Nom de naissance;Courriel;Gestionnaire)"
        )
    line, cells = found
    if line != candidates[0][0]:
        warns.append(
            f"{path}: {line_list([n for n, _ in candidates if n < line])} above the header row "
            f"(line {line}) ignored"
        )
    return line, _columns(path, line, cells, warns)


def _columns(path: Path, line: int, cells: list[str], warns: list[str]) -> dict[str, _Column]:
    ranked: dict[str, list[tuple[int, _Column]]] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        header = clean(cell)
        key = header_key(header)
        if not key:
            continue
        if "numen" in key:
            warns.append(
                f"{path}: line {line}: column {shown(header)} ({_letter(index)}) ignored: the NUMEN is "
                "a password; this tool never reads, prints or stores it (the sheet leaves a line "
                "to write it by hand)"
            )
        elif key in _ALIASES:
            field, rank = _ALIASES[key]
            ranked.setdefault(field, []).append((rank, _Column(index, header)))
        else:
            unknown.append(f"{shown(header)} ({_letter(index)})")
    columns: dict[str, _Column] = {}
    for field, found in ranked.items():
        best = max(rank for rank, _ in found)
        top = [col for rank, col in found if rank == best]
        if len(top) > 1:
            names = " and ".join(f"{c.header!r} ({_letter(c.index)})" for c in top)
            raise RosterError(
                f"{path}: line {line}: {names} both give {EXPECTED[field]} "
                "(expected one such column: rename or delete the other)"
            )
        columns[field] = top[0]
        others = [col for rank, col in found if rank != best]
        if field == "last" and others and "birth" not in ranked:
            # "Nom" beside "Nom d'usage" is the birth name, as on French forms.
            columns["birth"] = others.pop(0)
            warns.append(
                f"{path}: line {line}: column {columns['birth'].header!r} read as the birth name, "
                f"since {top[0].header!r} gives the usage name"
            )
        unknown.extend(
            f"{c.header!r} ({_letter(c.index)}) (another column gives {EXPECTED[field]})" for c in others
        )
    if "last" not in columns and "birth" in columns:
        columns["last"] = columns.pop("birth")  # "Nom de famille" alone is the family name
    missing = [f for f in ("first", "last") if f not in columns]
    if missing:
        what = " and ".join(
            {"first": "the first name (Prénom, First name)", "last": "the family name (Nom, Last name)"}[f]
            for f in missing
        )
        found_text = ", ".join(shown(clean(c)) for c in cells if clean(c)) or "nothing"
        raise RosterError(f"{path}: line {line}: no column for {what} (found {found_text})")
    if unknown:
        warns.append(f"{path}: line {line}: columns ignored: {', '.join(unknown)}")
    return columns


def _letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the spreadsheet's column name."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name
