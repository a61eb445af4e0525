"""One person, from a roster row or typed at the desk: checked field by field, identifier computed."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import Problem, RosterError
from ..i18n import _
from ..numen import enough_digits, holds_numen, holds_numen_together, numen_refusal, shown
from ..procedure.checker import EMAIL_RE
from ..procedure.identifiers import compute_identifier, identifier_is_sure, is_valid_identifier
from ..procedure.model import Procedure
from .cells import FIELD_LABELS, MAX_EMAIL, MAX_IDENTIFIER, MAX_LENGTH, NAME_FIELDS, clean, defect, expected
from .headers import header_key

_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


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
        """``Marie-Hélène Dupont``: the names exactly as the roster writes them.

        No capitals forced: ``str.upper()`` turns ß into SS and the Turkish i
        into I, changing the name (the sheets print it as written too).
        """
        return f"{self.first_name} {self.last_name}".strip()


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
    return person_from_fields(procedure, values)


def person_from_fields(
    procedure: Procedure, values: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> Person:
    """``make_person`` for a form: ``values`` and ``labels`` keyed ``first``, ``last``, ``birth``, ``identifier``, ``email``, ``manager``.

    ``labels`` names the fields in the messages (the form's own labels); by
    default the library's names. Each problem of the RosterError also
    carries its field (``details``), for the form to put it beside it.
    """
    named = {field: _(label) for field, label in FIELD_LABELS.items()} | dict(labels or {})
    fields = {field: values.get(field, "") for field in FIELD_LABELS}
    person, problems, _notes = check_fields(procedure, fields, named, None, None)
    if person is None:
        raise RosterError(problems)
    return person


UNSURE = (
    "unsure"  # the identifier is a guess (a letter with no stated spelling, or typed by hand): to confirm
)


def check_fields(
    procedure: Procedure,
    values: dict[str, str],
    labels: dict[str, str],
    row: int | None,
    separator: str | None,
    *,
    numen_possible: bool = True,
) -> tuple[Person | None, list[Problem], list[str]]:
    """Check one row's raw values; returns the person or the problems, and notes for warnings.

    Both the roster and the one-person path come here, so a value is cleaned
    and refused the same way wherever it was typed. No message quotes a value
    that holds a NUMEN, alone or read with the others. Each problem names its
    field (and ``row``), so that a form can show it beside the field without
    reading its words.
    """
    check = _Check(labels, row)
    for field in FIELD_LABELS:
        check.cleaned[field] = check.cell(field, values.get(field, ""), separator)
    # ``numen_possible`` False: the caller counted too few digits in the whole row.
    secret = (
        _numen_across(values, check) if numen_possible and not any(p.numen for p in check.problems) else None
    )
    if secret:
        return None, [secret], []  # no other message: it could show a part of the password
    cleaned = check.cleaned
    first, last = check.required("first"), check.required("last")
    birth = cleaned.get("birth", "")
    if not _LETTER_OR_DIGIT.search(birth):
        birth = ""  # "-" or "/" in a birth-name column means "none"
    identifier, flags = _identifier(procedure, check, first, last, birth)
    email = _email(procedure, check, cleaned.get("email", ""))
    manager = _checked_manager(procedure, check, cleaned.get("manager", ""))
    if check.problems:
        return None, check.problems, check.notes
    person = Person(
        first_name=first,
        last_name=last,
        identifier=identifier,
        birth_name=birth,
        email=email,
        manager=manager,
        row=row,
        flags=tuple(flags),
    )
    return person, check.problems, check.notes


class _Check:
    """One row being checked: its problems, notes, fields already refused, cleaned values."""

    def __init__(self, labels: dict[str, str], row: int | None) -> None:
        self.labels, self.row = labels, row
        self.problems: list[Problem] = []
        self.notes: list[str] = []
        self.bad: set[str] = set()  # fields already reported: not reported again as empty
        self.cleaned: dict[str, str] = {}

    def label(self, field: str) -> str:
        return self.labels.get(field) or _(FIELD_LABELS[field])

    def refuse(self, field: str, text: str, numen: bool = False) -> None:
        self.problems.append(Problem(text, field=field, line=self.row, numen=numen))
        self.bad.add(field)

    def required(self, field: str) -> str:
        """The cleaned value of a field that must not be empty (refused when it is)."""
        value = self.cleaned[field]
        if not value and field not in self.bad:
            self.refuse(
                field,
                _("{label} is empty (expected {expected})").format(
                    label=self.label(field), expected=expected(field)
                ),
            )
        return value

    def cell(self, field: str, raw: str, separator: str | None) -> str:
        """The cleaned value of one cell, or "" once its problem is noted."""
        value = clean(raw)
        numen = bool(raw) and holds_numen(raw, name=field in NAME_FIELDS or field == "identifier")
        if numen:
            problem = numen_refusal(self.label(field), at_the_desk=self.row is None)
        else:  # an empty cell has no defect (and its label may cost a translation)
            problem = defect(raw, field, self.label(field), separator) if raw else ""
        if not problem and len(value) > MAX_LENGTH.get(field, len(value)):
            problem = _("{label} is {length} characters long ({limit})").format(
                label=self.label(field), length=len(value), limit=_limit(field)
            )
        if problem:
            self.refuse(field, problem, numen)
            return ""
        return value


# What a person reads together: the names and the identifier, and each of them beside the
# e-mail's local part. Each alone passes ``holds_numen``; joined they may not.
_READ_TOGETHER = (("first", "last", "birth", "identifier"),) + tuple(
    (field, "email") for field in (*NAME_FIELDS, "identifier")
)


def _numen_across(values: Mapping[str, str], check: _Check) -> Problem | None:
    """A NUMEN split across fields (``17E123`` + ``4567ABC``), refused without naming a value."""
    local = values.get("email", "").rpartition("@")[0] or values.get("email", "")
    parts = {field: values.get(field, "") for field in FIELD_LABELS} | {"email": local}
    if not enough_digits(" ".join(parts.values())):
        return None  # most rows: too few digits in all of them for any NUMEN
    for fields in _READ_TOGETHER:
        present = [field for field in fields if parts[field]]
        if holds_numen_together([parts[field] for field in present]):
            names = _(" and ").join(check.label(field) for field in present)
            text = numen_refusal(names, at_the_desk=check.row is None)
            return Problem(text, field=present[0], line=check.row, numen=True)
    return None


def _identifier(
    procedure: Procedure, check: _Check, first: str, last: str, birth: str
) -> tuple[str, list[str]]:
    """The identifier (given or computed) and its flags; problems go to ``check``."""
    given = check.cleaned.get("identifier", "")
    if given:
        return _given(procedure, check, given, (first, last, birth))
    if not (first and last) or check.bad & {*NAME_FIELDS, "identifier"}:
        return "", []
    identifier, flags, (field, problem) = _computed(procedure, first, last, birth, check.label)
    if not problem and len(identifier) > MAX_IDENTIFIER:
        field, problem = (
            "identifier",
            _(
                "the identifier computed from {first} and {last} is {length} characters long "
                "({limit}: give a shorter one as {identifier})"
            ).format(
                first=check.label("first"),
                last=check.label("last"),
                length=len(identifier),
                limit=_limit("identifier"),
                identifier=check.label("identifier"),
            ),
        )
    if problem:
        check.refuse(field, problem)
    return identifier, flags


def _given(
    procedure: Procedure, check: _Check, given: str, names: tuple[str, str, str]
) -> tuple[str, list[str]]:
    """An identifier typed in the roster or the form: valid, and "unsure" when the rule gives another."""
    identifier = given.lower()
    if not is_valid_identifier(identifier):
        check.refuse(
            "identifier",
            _(
                "{label} {value} is not a valid identifier (expected "
                "lower-case letters a-z, digits and single hyphens, like mdupont)"
            ).format(label=check.label("identifier"), value=shown(given)),
        )
        return "", []
    flags = ["identifier-given"]
    if identifier != compute_identifier(procedure.identifier, *names):
        flags.append(UNSURE)  # typed by hand: nothing says the directory gave it
    if identifier != given:
        check.notes.append(
            _("{label} {given} read as {identifier}").format(
                label=check.label("identifier"), given=shown(given), identifier=shown(identifier)
            )
        )
    return identifier, flags


def _email(procedure: Procedure, check: _Check, email: str) -> str:
    """The e-mail address, refused when it is none; a note when the person cannot open it yet."""
    if email and not EMAIL_RE.match(email):
        check.refuse(
            "email",
            _("{label} {value} is not an email address (expected {expected})").format(
                label=check.label("email"), value=shown(email), expected=expected("email")
            ),
        )
    elif email and email.rpartition("@")[2].lower() in _office_domains(procedure):
        # The sheet explains how to open that very mailbox: it cannot be read yet.
        check.notes.append(
            _(
                "{label} {value} is a professional address the person cannot open yet (expected {expected})"
            ).format(label=check.label("email"), value=shown(email), expected=expected("email"))
        )
    return email


def _checked_manager(procedure: Procedure, check: _Check, value: str) -> str:
    """The contact group id the cell names; refused when the procedure has no such office."""
    manager = _manager(procedure, value)
    if manager is None:
        known = ", ".join(f"{g.id} ({g.name})" for g in procedure.contacts) or _("none in the procedure")
        check.refuse(
            "manager",
            _("{label} {value} is not a managing office of the procedure (expected one of {known})").format(
                label=check.label("manager"), value=shown(value), known=known
            ),
        )
    return manager or ""


def _limit(field: str) -> str:
    """The length limit of a field, as a message says it."""
    if field == "email":
        return _("at most {limit} in an email address").format(limit=MAX_EMAIL)
    return _("at most {limit} fit on the sheet").format(limit=MAX_LENGTH[field])


def _computed(
    procedure: Procedure, first: str, last: str, birth: str, label: Callable[[str], str]
) -> tuple[str, list[str], tuple[str, str]]:
    """The identifier the rule gives, its flags, and (the field, the problem) when it gives none ("" if none)."""
    rule = procedure.identifier
    uses_birth = bool(birth) and rule.family_name == "birth-name-first"
    # A birth name the rule cannot spell must not silently give way to the usage name.
    if uses_birth and not compute_identifier(rule, "a", "", birth):
        problem = _("{label} {value} holds no letter a-z once accents are dropped {expected}").format(
            label=label("birth"), value=shown(birth), expected=_latin()
        )
        return "", [], ("birth", problem)
    identifier = compute_identifier(rule, first, last, birth)
    if identifier:
        changed = uses_birth and identifier != compute_identifier(rule, first, last)
        flags = ["birth-name"] if changed else []
        if not identifier_is_sure(rule, first, last, birth):
            flags.append(UNSURE)  # a letter spelled by anyascii's guess (ə, ŋ, ı…)
        return identifier, flags, ("", "")
    if not compute_identifier(rule, "a", last, birth):
        problem = _(
            "{label} {value} gives an empty identifier: it holds no letter a-z once accents are dropped {expected}"
        ).format(label=label("last"), value=shown(last), expected=_latin())
        return "", [], ("last", problem)
    problem = _("{label} {value} has no letter a-z to take the initial from {expected}").format(
        label=label("first"), value=shown(first), expected=_latin()
    )
    return "", [], ("first", problem)


def _latin() -> str:
    """What a name the rule cannot spell should be, in the reader's language (only when refused)."""
    return _("(expected a name in Latin letters, or the identifier itself)")


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
