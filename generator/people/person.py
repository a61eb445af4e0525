"""One person, from a roster row or typed at the desk: checked field by field, identifier computed."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..errors import RosterError
from ..procedure.checker import EMAIL_RE
from ..procedure.model import Procedure
from .cells import EXPECTED, FIELD_LABELS, MAX_EMAIL, MAX_IDENTIFIER, MAX_LENGTH, NAME_FIELDS, clean, defect
from .headers import header_key
from .identifiers import compute_identifier, is_valid_identifier
from .numen_guard import holds_numen, shown


@dataclass(frozen=True)
class Person:
    """A new staff member; ``identifier`` is final (given or computed)."""

    first_name: str
    last_name: str
    identifier: str
    birth_name: str = ""
    email: str = ""
    manager: str = ""
    row: int | None = None
    flags: tuple[str, ...] = ()

    @property
    def display_name(self) -> str:
        """``Marie-Hélène DUPONT``: family name in capitals, as French forms do."""
        return f"{self.first_name} {self.last_name.upper()}".strip()


def make_person(
    procedure: Procedure,
    *,
    first_name: str,
    last_name: str,
    birth_name: str = "",
    identifier: str = "",
    email: str = "",
    manager: str = "",
) -> Person:
    """One person typed at the desk, checked as a roster row; raises RosterError listing the problems."""
    values = {
        "first": first_name,
        "last": last_name,
        "birth": birth_name,
        "identifier": identifier,
        "email": email,
        "manager": manager,
    }
    person, problems, _notes = check_fields(procedure, values, FIELD_LABELS, None, None)
    if person is None:
        raise RosterError(problems)
    return person


def check_fields(
    procedure: Procedure,
    values: dict[str, str],
    labels: dict[str, str],
    row: int | None,
    separator: str | None,
) -> tuple[Person | None, list[str], list[str]]:
    """Check one row's raw values; returns the person or the problems, and notes for warnings.

    Both the roster and the one-person path come here, so a value is cleaned
    and refused the same way wherever it was typed. No message quotes a value
    that holds a NUMEN.
    """
    problems: list[str] = []
    notes: list[str] = []

    def label(field: str) -> str:
        return labels.get(field, FIELD_LABELS[field])

    bad: set[str] = set()  # fields already reported: not reported again as empty
    cleaned: dict[str, str] = {}
    for field in FIELD_LABELS:
        raw = values.get(field, "")
        value = clean(raw)
        if holds_numen(raw):
            where = "from the roster" if row is not None else "and type the value alone"
            problem = f"{label(field)} looks like it holds a NUMEN (a password): remove it {where}"
        else:
            problem = defect(raw, field, label(field), separator)
        if not problem and len(value) > MAX_LENGTH.get(field, len(value)):
            problem = f"{label(field)} is {len(value)} characters long ({_limit(field)})"
        if problem:
            problems.append(problem)
            bad.add(field)
            value = ""
        cleaned[field] = value
    values = cleaned
    first, last = values["first"], values["last"]
    for field, value in (("first", first), ("last", last)):
        if not value and field not in bad:
            problems.append(f"{label(field)} is empty (expected {EXPECTED[field]})")
    birth = values.get("birth", "")
    if not re.search(r"[^\W_]", birth):
        birth = ""  # "-" or "/" in a birth-name column means "none"

    identifier = ""
    flags: list[str] = []
    given = values.get("identifier", "")
    if given:
        identifier = given.lower()
        if not is_valid_identifier(identifier):
            problems.append(
                f"{label('identifier')} {shown(given)} is not a valid identifier (expected "
                "lower-case letters a-z, digits and single hyphens, like mdupont)"
            )
        else:
            flags.append("identifier-given")
            if identifier != given:
                notes.append(f"{label('identifier')} {given!r} read as {identifier!r}")
    elif first and last and not bad & set(NAME_FIELDS) and "identifier" not in bad:
        identifier, flags, problem = _computed(procedure, first, last, birth, label)
        if not problem and len(identifier) > MAX_IDENTIFIER:
            problem = (
                f"the identifier computed from {label('first')} and {label('last')} is "
                f"{len(identifier)} characters long ({_limit('identifier')}: give a shorter one "
                f"as {label('identifier')})"
            )
        problems.extend([problem] if problem else [])

    email = values.get("email", "")
    if email and not EMAIL_RE.match(email):
        problems.append(
            f"{label('email')} {shown(email)} is not an email address (expected {EXPECTED['email']})"
        )
    elif email and email.rpartition("@")[2].lower() in _office_domains(procedure):
        # The sheet explains how to open that very mailbox: it cannot be read yet.
        notes.append(
            f"{label('email')} {email!r} is a professional address the person cannot open yet "
            f"(expected {EXPECTED['email']})"
        )
    manager = _manager(procedure, values.get("manager", ""))
    if manager is None:
        known = ", ".join(f"{g.id} ({g.name})" for g in procedure.contacts) or "none in the procedure"
        problems.append(
            f"{label('manager')} {shown(values.get('manager', ''))} is not a managing office "
            f"of the procedure (expected one of {known})"
        )
    if problems:
        return None, problems, notes
    person = Person(
        first_name=first,
        last_name=last,
        identifier=identifier,
        birth_name=birth,
        email=email,
        manager=manager or "",
        row=row,
        flags=tuple(flags),
    )
    return person, problems, notes


def _limit(field: str) -> str:
    """The length limit of a field, as a message says it."""
    if field == "email":
        return f"at most {MAX_EMAIL} in an email address"
    return f"at most {MAX_LENGTH[field]} fit on the sheet"


def _computed(
    procedure: Procedure, first: str, last: str, birth: str, label: Callable[[str], str]
) -> tuple[str, list[str], str]:
    """The identifier the rule gives, its flags, and the problem ("" if none) when it gives none."""
    rule = procedure.identifier
    uses_birth = bool(birth) and rule.family_name == "birth-name-first"
    latin = "(expected a name in Latin letters, or the identifier itself)"
    # A birth name the rule cannot spell must not silently give way to the usage name.
    if uses_birth and not compute_identifier(rule, "a", "", birth):
        return (
            "",
            [],
            f"{label('birth')} {shown(birth)} holds no letter a-z once accents are dropped {latin}",
        )
    identifier = compute_identifier(rule, first, last, birth)
    if identifier:
        changed = uses_birth and identifier != compute_identifier(rule, first, last)
        return identifier, ["birth-name"] if changed else [], ""
    if not compute_identifier(rule, "a", last, birth):
        problem = f"{label('last')} {shown(last)} gives an empty identifier: it holds no letter a-z once "
        return "", [], problem + f"accents are dropped {latin}"
    return "", [], f"{label('first')} {shown(first)} has no letter a-z to take the initial from {latin}"


def _office_domains(procedure: Procedure) -> set[str]:
    """Mail domains of the managing offices (ac-poitiers.fr): the académie's own mailboxes."""
    return {e.rpartition("@")[2].lower() for group in procedure.contacts for e in group.emails}


def _manager(procedure: Procedure, value: str) -> str | None:
    """The contact group id a cell names (by id or name, any case or accents); None if unknown."""
    if not value:
        return ""
    key = header_key(value)
    for group in procedure.contacts:
        if key in (header_key(group.id), header_key(group.name)):
            return group.id
    return None
