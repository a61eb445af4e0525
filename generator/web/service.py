"""The one place the web calls the core: today's functions behind the names the pages use.

When the library API of PLAN.md lands (make_person, compose, render,
read_roster, run_batch), only this module changes. It also turns the core's
English messages into French ones tied to a form field, until the core's
own messages are translated.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from ..batch import RESERVED
from ..errors import GeneratorError, RenderError, RosterError
from ..i18n import N_, _
from ..identifiers import compute_identifier, safe_file_stem
from ..mail import attachment_name, build_message
from ..model import Person, Procedure
from ..render import FORMATS, Renderer, renderer
from ..roster import FIELD_LABELS, MAX_EMAIL, MAX_FAMILY_NAME, MAX_FIRST_NAME, MAX_IDENTIFIER
from ..roster import person_from_fields as _person_from_fields

__all__ = [
    "FIELDS",
    "FORMATS",
    "Documents",
    "FieldProblem",
    "PersonProblems",
    "Preview",
    "check_person",
    "file_stem",
    "field_labels",
    "managers",
    "page_picture",
    "preview_identifier",
]

# The desk's fields, in the order of the form; the keys of person_from_fields.
FIELDS = ("first_name", "last_name", "birth_name", "identifier", "email", "manager")
_CORE_KEY = {"first_name": "first", "last_name": "last", "birth_name": "birth"}
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


# --- the core's English messages → a field and a French message ----------------
# person_from_fields names a field by FIELD_LABELS ("first name" …) at the start
# of each problem; the rest says what is wrong. Each pattern below is one
# message of roster._person; the group "n"/"limit" carry the numbers.
_LABEL_TO_FIELD = {label: name for name in FIELDS for label in [FIELD_LABELS[_CORE_KEY.get(name, name)]]}
_LABEL = "(?P<label>" + "|".join(re.escape(label) for label in _LABEL_TO_FIELD) + ")"
_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.S), message)
    for pattern, message in (
        (
            _LABEL + r" looks like it holds a NUMEN",
            N_(
                "{field}: this looks like a NUMEN, which is a password: it was not kept. "
                "Type the value alone; the sheet leaves boxes to write the NUMEN by hand."
            ),
        ),
        (_LABEL + r" holds a line break", N_("{field}: holds a line break. Type it on one line.")),
        (
            _LABEL + r" holds a control character",
            N_("{field}: holds an invisible control character. Type it again."),
        ),
        (
            _LABEL + r" holds an '@'",
            N_("{field}: holds an “@”. Type the name here and the address in “Personal email”."),
        ),
        (
            _LABEL + r" has letters outside the Latin alphabet",
            N_(
                "{field}: has letters outside the Latin alphabet. Type it in Latin letters, as on the contract."
            ),
        ),
        (
            _LABEL + r" is (?P<n>\d+) characters long \(at most (?P<limit>\d+) in an email address\)$",
            N_("{field}: {n} characters; an email address has at most {limit}."),
        ),
        (
            _LABEL + r" is (?P<n>\d+) characters long \(at most (?P<limit>\d+) fit on the sheet\)$",
            N_("{field}: {n} characters; at most {limit} fit on the sheet."),
        ),
        (
            _LABEL + r" is empty \(expected [^()]*\)$",
            N_("{field}: this field is empty. Type it as on the contract."),
        ),
        (
            r"(?P<label>identifier) .* is not a valid identifier \(expected [^()]*\)$",
            N_("{field}: expected lower-case letters a-z, digits and single hyphens, like mdupont."),
        ),
        (
            r"the identifier computed from .* is (?P<n>\d+) characters long \(at most (?P<limit>\d+) .*$",
            N_(
                "The identifier the rule gives is {n} characters long; at most {limit} fit on the sheet. "
                "Type a shorter one in “Identifier”."
            ),
        ),
        (
            r"(?P<label>email) .* is not an email address \(expected [^()]*\)$",
            N_("{field}: expected an address like prenom.nom@example.fr."),
        ),
        (
            r"(?P<label>manager) .* is not a managing office of the procedure .*$",
            N_("{field}: choose one of the list."),
        ),
        (
            r"(?P<label>birth name) .* holds no letter a-z once accents are dropped .*$",
            N_(
                "{field}: holds no letter a-z once accents are dropped. Type it in Latin letters, or type the identifier."
            ),
        ),
        (
            r"(?P<label>last name) .* gives an empty identifier: .*$",
            N_(
                "{field}: holds no letter a-z once accents are dropped. Type it in Latin letters, or type the identifier."
            ),
        ),
        (
            r"(?P<label>first name) .* has no letter a-z to take the initial from .*$",
            N_(
                "{field}: has no letter a-z to take the initial from. Type it in Latin letters, or type the identifier."
            ),
        ),
    )
)


def _field_problem(problem: str) -> FieldProblem:
    labels = field_labels()
    for pattern, message in _PATTERNS:
        match = pattern.match(problem)
        if match is None:
            continue
        found = match.groupdict()
        field = _LABEL_TO_FIELD[found["label"]] if found.get("label") else "identifier"
        values = {k: v for k, v in found.items() if k in ("n", "limit")}
        text = _(message).format(field=labels[field], **values)
        return FieldProblem(field, text, numen="NUMEN" in message)
    # A message this adapter does not know yet: name the field, never echo the value.
    named = next((f for label, f in _LABEL_TO_FIELD.items() if problem.startswith(label + " ")), None)
    if named is None:
        return FieldProblem(None, _("These fields cannot make a sheet. Check each of them."))
    return FieldProblem(named, _("{field}: this value cannot be used.").format(field=labels[named]))


def _person(procedure: Procedure, fields: Mapping[str, str]) -> Person:
    values = {name: str(fields.get(name) or "") for name in FIELDS}
    try:
        return _person_from_fields(procedure, **values)
    except RosterError as exc:
        raise PersonProblems([_field_problem(p) for p in exc.problems]) from None


def check_person(procedure: Procedure, fields: Mapping[str, str]) -> Person:
    """The person the desk's fields describe, checked as ``person`` checks them; raises PersonProblems."""
    return _person(procedure, fields)


@dataclass(frozen=True)
class Preview:
    """What the live identifier shows while a name is typed."""

    identifier: str = ""
    flags: tuple[str, ...] = ()
    problems: tuple[FieldProblem, ...] = ()


def preview_identifier(procedure: Procedure, fields: Mapping[str, str]) -> Preview:
    """The identifier the fields give (the rule, or the one typed), or why none yet; never echoes a NUMEN."""
    try:
        person = _person(procedure, fields)
    except PersonProblems as exc:
        return Preview(problems=tuple(exc.problems))
    return Preview(person.identifier, person.flags)


def example_identifier(procedure: Procedure) -> str:
    rule = procedure.identifier
    return compute_identifier(rule, rule.example_first_name, rule.example_last_name)


def managers(procedure: Procedure) -> list[tuple[str, str]]:
    """(id, name) of each managing office the data lists."""
    return [(group.id, group.name) for group in procedure.contacts]


def file_stem(person: Person) -> str:
    """The file name ``person`` gives this person's sheet in an empty folder (``mdupont``)."""
    return safe_file_stem(person.identifier, set(RESERVED))


def homonym_note(procedure: Procedure, identifier: str) -> str:
    """The sheet's note on homonyms (the data's text), for this identifier."""
    return procedure.personal.homonym_note.replace("{identifier}", identifier)


class Documents:
    """Renderers built once per procedure, shared by waitress's threads.

    The renderers keep caches and reportlab keeps module state, so one lock
    lets a single thread draw at a time: drawing is pure Python, the GIL
    would serialise it anyway.
    """

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self._lock = threading.Lock()
        self._renderers: dict[str, Renderer] = {}
        self._flyer: dict[str, bytes] = {}

    def _renderer(self, fmt: str) -> Renderer:
        if fmt not in self._renderers:
            self._renderers[fmt] = renderer(fmt, self.procedure)
        return self._renderers[fmt]

    def sheet(self, person: Person, fmt: str) -> bytes:
        """The personal sheet in ``fmt``, byte for byte what ``person`` writes; raises PersonProblems."""
        with self._lock:
            try:
                return self._renderer(fmt).to_bytes(person)
            except RenderError:
                raise PersonProblems(
                    [
                        FieldProblem(
                            None,
                            _(
                                "The sheet does not fit on one page with these names. "
                                "Shorten them, or type a shorter identifier."
                            ),
                        )
                    ]
                ) from None

    def flyer(self, fmt: str) -> bytes:
        """The generic flyer in ``fmt``, made once (it holds no personal data)."""
        with self._lock:
            if fmt not in self._flyer:
                self._flyer[fmt] = self._renderer(fmt).to_bytes(None)
            return self._flyer[fmt]

    def draft(self, person: Person, pdf: bytes) -> bytes:
        """The email draft (.eml, CRLF lines) with the sheet attached, as ``personalise --eml`` writes it."""
        message = build_message(self.procedure, person, pdf, attachment_name(person))
        return message.as_bytes(policy=message.policy.clone(linesep="\r\n"))


_PDFIUM = threading.Lock()  # pdfium is not thread-safe


def page_picture(pdf: bytes, width: int = 900) -> bytes:
    """A PNG picture of the PDF's first page, ``width`` pixels wide, rendered in memory."""
    import io

    import pypdfium2 as pdfium

    with _PDFIUM:
        document = pdfium.PdfDocument(pdf)
        try:
            page = document[0]
            image = page.render(scale=width / page.get_width()).to_pil()
            page.close()
        finally:
            document.close()
    buffer = io.BytesIO()
    # Grey, as office lasers print it; a third of the bytes of colour.
    image.convert("L").save(buffer, format="PNG", compress_level=6)
    return buffer.getvalue()


def is_core_error(exc: BaseException) -> bool:
    return isinstance(exc, GeneratorError)
