"""The desk's one door into the library: a person checked, their sheet in each format, its picture.

Everything goes through the library API (``generator/__init__.py``): the
desk checks the fields with ``make_person`` and draws with
``render(compose(procedure, person), fmt)``, so its files are byte for byte
those of ``python -m generator person``. The library's messages (French on
the pages) name the fields by the form's labels; each problem's field comes
with it, so that the page puts it beside the field.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .. import (
    FORMATS,
    MAX_EMAIL,
    MAX_FAMILY_NAME,
    MAX_FIRST_NAME,
    MAX_IDENTIFIER,
    RESERVED,
    Person,
    Problem,
    Procedure,
    RenderError,
    RosterError,
    attachment_name,
    compose,
    compute_identifier,
    person_from_fields,
    safe_file_stem,
)
from .. import build_message as build_draft
from .. import render_sheet as render
from ..i18n import N_, _, ngettext
from . import messages
from .picture import page_picture

__all__ = [
    "FIELDS",
    "FORMATS",
    "Documents",
    "FieldProblem",
    "PersonProblems",
    "Preview",
    "check_person",
    "field_labels",
    "file_stem",
    "managers",
    "page_picture",
    "preview_identifier",
    "unsure_words",
]

# The desk's fields, in the order of the form; the keyword arguments of make_person.
FIELDS = ("first_name", "last_name", "birth_name", "identifier", "email", "manager")
# The fields that decide the identifier (the live identifier reads these alone).
IDENTITY = ("first_name", "last_name", "birth_name", "identifier")
# The flag of an identifier that is a guess (a letter with no sure equivalent, or typed against the rule).
UNSURE = "unsure"
# The library's short names for them (make_person's labels and Problem.field).
CORE_KEY = {"first_name": "first", "last_name": "last", "birth_name": "birth"}
LIMITS = {
    "first_name": MAX_FIRST_NAME,
    "last_name": MAX_FAMILY_NAME,
    "birth_name": MAX_FAMILY_NAME,
    "identifier": MAX_IDENTIFIER,
    "email": MAX_EMAIL,
}
_LABELS = {
    "first_name": N_("First name"),
    "last_name": N_("Usage family name"),
    "birth_name": N_("Birth family name"),
    "identifier": N_("Identifier"),
    "email": N_("Personal email"),
    "manager": N_("Managing office"),
}


def field_labels() -> dict[str, str]:
    """Each field's label in the current language (the web: French, exactly as the form shows it)."""
    return {name: _(label) for name, label in _LABELS.items()}


@dataclass(frozen=True)
class FieldProblem:
    field: str | None  # None: about the whole sheet
    message: str  # translated; never quotes a NUMEN
    numen: bool = False  # the value looked like a NUMEN: never show it back


class PersonProblems(Exception):
    """The fields cannot make a sheet; each problem says which field and why."""

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


_FORM_FIELD = {CORE_KEY.get(name, name): name for name in FIELDS}


def _field_problem(problem: Problem) -> FieldProblem:
    """A problem of make_person → the form field it is about (from its structure) and its words as they are."""
    return FieldProblem(_FORM_FIELD.get(problem.field or ""), problem.text, problem.numen)


def check_person(procedure: Procedure, fields: Mapping[str, str]) -> Person:
    """The person the desk's fields describe, checked as ``person`` checks them; raises PersonProblems.

    The library's messages name each field by the form's own label.
    """
    values = {CORE_KEY.get(name, name): str(fields.get(name) or "") for name in FIELDS}
    labels = {CORE_KEY.get(name, name): label for name, label in field_labels().items()}
    try:
        return person_from_fields(procedure, values, labels)
    except RosterError as exc:
        problems = [_field_problem(p) for p in exc.details]
        # In the form's order, as the error summary lists them (the library checks the identifier last).
        order = {name: i for i, name in enumerate(FIELDS)}
        problems.sort(key=lambda p: order.get(p.field or "", len(FIELDS)))
        raise PersonProblems(problems) from None


@dataclass(frozen=True)
class Preview:
    """What the live identifier shows while a name is typed."""

    identifier: str = ""
    flags: tuple[str, ...] = ()
    problems: tuple[FieldProblem, ...] = ()


def preview_identifier(procedure: Procedure, fields: Mapping[str, str]) -> Preview:
    """The identifier the names give (the rule, or the one typed), whatever the other fields hold; or why none.

    Only the names and the identifier decide it: an address still being
    typed never hides it. A NUMEN typed in any field is still said (never echoed).
    """
    numen: tuple[FieldProblem, ...] = ()
    try:
        check_person(procedure, fields)
    except PersonProblems as exc:
        numen = tuple(p for p in exc.problems if p.numen)
    names = {name: str(fields.get(name) or "") for name in IDENTITY}
    try:
        person = check_person(procedure, names)
    except PersonProblems as exc:
        return Preview(problems=numen + tuple(p for p in exc.problems if not p.numen))
    return Preview(person.identifier, person.flags, numen)


def example_identifier(procedure: Procedure) -> str:
    rule = procedure.identifier
    return compute_identifier(rule, rule.example_first_name, rule.example_last_name)


def managers(procedure: Procedure) -> list[tuple[str, str]]:
    """(id, name) of each managing office the data lists."""
    return [(group.id, group.name) for group in procedure.contacts]


def file_stem(person: Person) -> str:
    """The file name ``person`` gives this person's sheet in an empty folder (``mdupont``)."""
    return safe_file_stem(person.identifier, set(RESERVED))


def identifier_note(identifier: str) -> str:
    """What the desk says under the identifier: the directory may add a digit (the sheet's step 2 says it too)."""
    return _(
        "The directory adds a digit ({identifier}1) when another person already has this identifier: "
        "check it at the first login."
    ).format(identifier=identifier)


def unsure_words(flags: tuple[str, ...]) -> tuple[str, str]:
    """("(to confirm)", why) for an identifier that is a guess; ("", "") for a sure one."""
    if UNSURE not in flags:
        return "", ""
    if "identifier-given" in flags:
        why = _("The identifier typed is not the one the rule gives: check it with the office.")
    else:
        why = _("A letter of the name has no sure equivalent: check the identifier with the office.")
    return _("(to confirm)"), why


def _unfit() -> PersonProblems:
    return PersonProblems(
        [
            FieldProblem(
                None,
                _(
                    "The sheet does not fit on one page with these names. "
                    "Shorten them, or type a shorter identifier."
                ),
            )
        ]
    )


def _unprintable(person: Person, characters: tuple[str, ...]) -> PersonProblems:
    """Characters no font of the sheet draws, each said beside the field that holds it."""
    values = {name: str(getattr(person, name, "")) for name in IDENTITY}
    by_field: dict[str | None, list[str]] = {}
    for ch in characters:
        field = next((name for name, value in values.items() if ch in value), None)
        by_field.setdefault(field, []).append(messages.quoted_character(ch))
    labels = field_labels()
    problems = []
    for field, shown in by_field.items():
        text = ngettext(
            "the character {characters} cannot be printed: no font of the sheet draws it. Type the name without it.",
            "the characters {characters} cannot be printed: no font of the sheet draws them. "
            "Type the name without them.",
            len(shown),
        ).format(characters=", ".join(shown))
        if field:
            text = _("{label}: {problem}").format(label=messages.quoted(labels[field]), problem=text)
        problems.append(FieldProblem(field, text[:1].upper() + text[1:]))
    return PersonProblems(problems)


class Documents:
    """The documents of one procedure; the library's writers serve waitress's threads at once."""

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self._flyer: dict[str, bytes] = {}

    def sheet(self, person: Person, fmt: str) -> bytes:
        """The personal sheet in ``fmt``, byte for byte what ``person`` writes; raises PersonProblems."""
        try:
            return render(compose(self.procedure, person), fmt)
        except RenderError as exc:
            # Told apart by what the error carries, never by its words.
            if exc.characters:
                raise _unprintable(person, exc.characters) from None
            raise _unfit() from None

    def flyer(self, fmt: str) -> bytes:
        """The generic flyer in ``fmt``, made once (it holds no personal data)."""
        if fmt not in self._flyer:  # two threads may both make it: the same bytes
            self._flyer[fmt] = render(compose(self.procedure), fmt)
        return self._flyer[fmt]

    def flyer_picture(self) -> bytes:
        """The flyer's picture (PNG), made once: the same for every visitor of /affiche."""
        if "png" not in self._flyer:
            self._flyer["png"] = page_picture(self.flyer("pdf"))
        return self._flyer["png"]

    def draft(self, person: Person, pdf: bytes) -> bytes:
        """The email draft (.eml, CRLF lines) with the sheet attached, as ``personalise --eml`` writes it."""
        message = build_draft(self.procedure, person, pdf, attachment_name(person))
        return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
