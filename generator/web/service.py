"""The desk's one door into the library: a person checked, their sheet in each format, its picture.

Everything goes through the library API (``generator/__init__.py``): the
desk checks the fields with ``make_person`` and draws with
``render(compose(procedure, person), fmt)``, so its files are byte for byte
those of ``python -m generator person``. The library's English messages are
told in French, tied to a form field, by ``messages``.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass

from .. import (
    FORMATS,
    Person,
    Procedure,
    RenderError,
    RosterError,
    attachment_name,
    build_draft,
    compose,
    compute_identifier,
    make_person,
    render,
)
from ..i18n import N_, _
from ..people.cells import FIELD_LABELS, MAX_EMAIL, MAX_FAMILY_NAME, MAX_FIRST_NAME, MAX_IDENTIFIER
from ..people.identifiers import safe_file_stem
from ..run.plan import RESERVED
from . import messages

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
]

# The desk's fields, in the order of the form; the keyword arguments of make_person.
FIELDS = ("first_name", "last_name", "birth_name", "identifier", "email", "manager")
# The library's short names for them (its messages say FIELD_LABELS[...] of these).
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


_LABEL_TO_FIELD = {FIELD_LABELS[CORE_KEY.get(name, name)]: name for name in FIELDS}


def _field_problem(problem: str) -> FieldProblem:
    """A problem of make_person ("first name is empty …") → its field and the French message."""
    labels = field_labels()
    said = messages.field_problem(problem, lambda label: labels.get(_LABEL_TO_FIELD.get(label, ""), label))
    field = _LABEL_TO_FIELD.get(said.label)
    if not said.text:
        if field is None:
            return FieldProblem(None, _("These fields cannot make a sheet. Check each of them."))
        return FieldProblem(field, _("{field}: this value cannot be used.").format(field=labels[field]))
    return FieldProblem(field, said.text, said.numen)


def check_person(procedure: Procedure, fields: Mapping[str, str]) -> Person:
    """The person the desk's fields describe, checked as ``person`` checks them; raises PersonProblems."""
    values = {name: str(fields.get(name) or "") for name in FIELDS}
    try:
        return make_person(procedure, **values)
    except RosterError as exc:
        raise PersonProblems([_field_problem(p) for p in exc.problems]) from None


@dataclass(frozen=True)
class Preview:
    """What the live identifier shows while a name is typed."""

    identifier: str = ""
    flags: tuple[str, ...] = ()
    problems: tuple[FieldProblem, ...] = ()


def preview_identifier(procedure: Procedure, fields: Mapping[str, str]) -> Preview:
    """The identifier the fields give (the rule, or the one typed), or why none yet; never echoes a NUMEN."""
    try:
        person = check_person(procedure, fields)
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


class Documents:
    """The documents of one procedure; the library's writers serve waitress's threads at once."""

    def __init__(self, procedure: Procedure) -> None:
        self.procedure = procedure
        self._flyer: dict[str, bytes] = {}

    def sheet(self, person: Person, fmt: str) -> bytes:
        """The personal sheet in ``fmt``, byte for byte what ``person`` writes; raises PersonProblems."""
        try:
            return render(compose(self.procedure, person), fmt)
        except RenderError:
            raise _unfit() from None

    def flyer(self, fmt: str) -> bytes:
        """The generic flyer in ``fmt``, made once (it holds no personal data)."""
        if fmt not in self._flyer:  # two threads may both make it: the same bytes
            self._flyer[fmt] = render(compose(self.procedure), fmt)
        return self._flyer[fmt]

    def draft(self, person: Person, pdf: bytes) -> bytes:
        """The email draft (.eml, CRLF lines) with the sheet attached, as ``personalise --eml`` writes it."""
        message = build_draft(self.procedure, person, pdf, attachment_name(person))
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
