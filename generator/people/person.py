"""One person, from a roster row or typed at the desk: checked field by field, identifier computed."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..errors import Problem, RosterError
from ..i18n import _
from ..procedure.checker import EMAIL_RE
from ..procedure.model import Procedure
from .cells import FIELD_LABELS, MAX_EMAIL, MAX_IDENTIFIER, MAX_LENGTH, NAME_FIELDS, clean, defect, expected
from .headers import header_key
from .identifiers import compute_identifier, is_valid_identifier
from .numen import holds_numen, numen_refusal
from .numen import quoted as shown

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


def check_fields(
    procedure: Procedure,
    values: dict[str, str],
    labels: dict[str, str],
    row: int | None,
    separator: str | None,
) -> tuple[Person | None, list[Problem], list[str]]:
    """Check one row's raw values; returns the person or the problems, and notes for warnings.

    Both the roster and the one-person path come here, so a value is cleaned
    and refused the same way wherever it was typed. No message quotes a value
    that holds a NUMEN. Each problem names its field (and ``row``), so that a
    form can show it beside the field without reading its words.
    """
    problems: list[Problem] = []

    def refuse(field: str, text: str, numen: bool = False) -> None:
        problems.append(Problem(text, field=field, line=row, numen=numen))

    notes: list[str] = []

    def label(field: str) -> str:
        return labels.get(field) or _(FIELD_LABELS[field])

    bad: set[str] = set()  # fields already reported: not reported again as empty
    cleaned: dict[str, str] = {}
    for field in FIELD_LABELS:
        raw = values.get(field, "")
        value = clean(raw)
        numen = bool(raw) and holds_numen(raw, name=field in NAME_FIELDS or field == "identifier")
        if numen:
            problem = numen_refusal(label(field), at_the_desk=row is None)
        else:  # an empty cell has no defect (and its label may cost a translation)
            problem = defect(raw, field, label(field), separator) if raw else ""
        if not problem and len(value) > MAX_LENGTH.get(field, len(value)):
            problem = _("{label} is {length} characters long ({limit})").format(
                label=label(field), length=len(value), limit=_limit(field)
            )
        if problem:
            refuse(field, problem, numen)
            bad.add(field)
            value = ""
        cleaned[field] = value
    values = cleaned
    first, last = values["first"], values["last"]
    for field, value in (("first", first), ("last", last)):
        if not value and field not in bad:
            refuse(
                field,
                _("{label} is empty (expected {expected})").format(
                    label=label(field), expected=expected(field)
                ),
            )
    birth = values.get("birth", "")
    if not _LETTER_OR_DIGIT.search(birth):
        birth = ""  # "-" or "/" in a birth-name column means "none"

    identifier = ""
    flags: list[str] = []
    given = values.get("identifier", "")
    if given:
        identifier = given.lower()
        if not is_valid_identifier(identifier):
            refuse(
                "identifier",
                _(
                    "{label} {value} is not a valid identifier (expected "
                    "lower-case letters a-z, digits and single hyphens, like mdupont)"
                ).format(label=label("identifier"), value=shown(given)),
            )
        else:
            flags.append("identifier-given")
            if identifier != given:
                notes.append(
                    _("{label} {given} read as {identifier}").format(
                        label=label("identifier"), given=repr(given), identifier=repr(identifier)
                    )
                )
    elif first and last and not bad & set(NAME_FIELDS) and "identifier" not in bad:
        identifier, flags, (field, problem) = _computed(procedure, first, last, birth, label)
        if not problem and len(identifier) > MAX_IDENTIFIER:
            field, problem = (
                "identifier",
                _(
                    "the identifier computed from {first} and {last} is {length} characters long "
                    "({limit}: give a shorter one as {identifier})"
                ).format(
                    first=label("first"),
                    last=label("last"),
                    length=len(identifier),
                    limit=_limit("identifier"),
                    identifier=label("identifier"),
                ),
            )
        if problem:
            refuse(field, problem)

    email = values.get("email", "")
    if email and not EMAIL_RE.match(email):
        refuse(
            "email",
            _("{label} {value} is not an email address (expected {expected})").format(
                label=label("email"), value=shown(email), expected=expected("email")
            ),
        )
    elif email and email.rpartition("@")[2].lower() in _office_domains(procedure):
        # The sheet explains how to open that very mailbox: it cannot be read yet.
        notes.append(
            _(
                "{label} {value} is a professional address the person cannot open yet (expected {expected})"
            ).format(label=label("email"), value=repr(email), expected=expected("email"))
        )
    manager = _manager(procedure, values.get("manager", ""))
    if manager is None:
        known = ", ".join(f"{g.id} ({g.name})" for g in procedure.contacts) or _("none in the procedure")
        refuse(
            "manager",
            _("{label} {value} is not a managing office of the procedure (expected one of {known})").format(
                label=label("manager"), value=shown(values.get("manager", "")), known=known
            ),
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
        return identifier, ["birth-name"] if changed else [], ("", "")
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
