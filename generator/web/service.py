"""The one place the web calls the core: today's functions behind the names the pages use.

When the library API of PLAN.md lands (make_person, compose, render,
read_roster, run_batch), only this module changes. It also turns the core's
English messages into French ones tied to a form field, until the core's
own messages are translated.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..batch import RESERVED
from ..errors import RenderError, RosterError
from ..i18n import N_, _, ngettext
from ..identifiers import compute_identifier, safe_file_stem
from ..mail import attachment_name, build_message
from ..model import Person, Procedure
from ..render import FORMATS, Renderer, renderer
from ..roster import (
    _HEADER_NAMES,
    FIELD_LABELS,
    MAX_EMAIL,
    MAX_FAMILY_NAME,
    MAX_FIRST_NAME,
    MAX_IDENTIFIER,
    TEXT_SUFFIXES,
    XLSX_SUFFIXES,
    load_roster,
)
from ..roster import person_from_fields as _person_from_fields
from . import messages

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


_LABEL_TO_FIELD = {FIELD_LABELS[_CORE_KEY.get(name, name)]: name for name in FIELDS}


def _field_problem(problem: str) -> FieldProblem:
    """A problem of person_from_fields ("first name is empty …") → its field and the French message."""
    labels = field_labels()
    said = messages.field_problem(problem, lambda label: labels.get(_LABEL_TO_FIELD.get(label, ""), label))
    field = _LABEL_TO_FIELD.get(said.label)
    if not said.text:
        if field is None:
            return FieldProblem(None, _("These fields cannot make a sheet. Check each of them."))
        return FieldProblem(field, _("{field}: this value cannot be used.").format(field=labels[field]))
    return FieldProblem(field, said.text, said.numen)


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


# --- signing sessions: a roster checked, then personalise run on it ------------------

ROSTER_SUFFIXES = TEXT_SUFFIXES + XLSX_SUFFIXES
# An .xlsx is a zip: one of a few kilobytes can unpack to gigabytes.
MAX_UNPACKED = 64 * 1024 * 1024
MAX_RATIO = 200
_CORE_FIELD = {v: k for k, v in _CORE_KEY.items()}


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


def _unpacks_too_far(path: Path) -> bool:
    if path.suffix.lower() not in XLSX_SUFFIXES or not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        return False  # the roster reader says it cannot be read
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    return len(infos) > 10_000 or unpacked > MAX_UNPACKED or unpacked / packed > MAX_RATIO


def _sheet_note(path: Path) -> str:
    """Which sheet of a workbook the reader reads (the first), said when there are several."""
    if path.suffix.lower() not in XLSX_SUFFIXES:
        return ""
    import warnings as _warnings

    import openpyxl

    try:
        with _warnings.catch_warnings():
            _warnings.simplefilter("ignore")
            book = openpyxl.load_workbook(path, read_only=True)
            names = list(book.sheetnames)
            book.close()
    except Exception:  # the reader has already said what is wrong with the file
        return ""
    if not names:
        return ""
    return ngettext(
        "Sheet read: {name} (the workbook has only this one).",
        "Sheet read: {name}, the first of the {count} sheets of the workbook; the others are not read.",
        len(names),
    ).format(name=messages.quoted(names[0]), count=len(names))


def check_roster(procedure: Procedure, path: Path) -> RosterCheck:
    """The roster read and checked as ``personalise`` reads it; raises RosterProblem for a file it refuses."""
    if _unpacks_too_far(path):
        raise RosterProblem(
            [
                _(
                    "This workbook unpacks to more than {size} MB: it is not a list of people. Save it again as .xlsx or CSV."
                ).format(size=MAX_UNPACKED // (1024 * 1024))
            ]
        )
    try:
        roster = load_roster(path, procedure)
    except RosterError as exc:
        raise RosterProblem([messages.file_message(p, str(path)) for p in exc.problems]) from None
    rows = tuple(RosterRow(p.row or 0, p.display_name, p.identifier, p.flags) for p in roster.people)
    refused = []
    for problem in roster.invalid:
        line, problems = messages.row_problems(problem, str(path))
        refused.append((line, tuple(problems)))
    # Homonyms are shown grouped on the check page: their warning would say it twice.
    warnings = [
        messages.file_message(w, str(path)) for w in roster.warnings if " give the same identifier " not in w
    ]
    note = _sheet_note(path)
    return RosterCheck(rows, tuple(refused), tuple(([note] if note else []) + warnings))


FLAG_NAMES = {
    "homonym": N_("homonym"),
    "birth-name": N_("birth name"),
    "identifier-given": N_("identifier given"),
}


def flag_names(flags: tuple[str, ...]) -> list[str]:
    return [_(FLAG_NAMES[f]) if f in FLAG_NAMES else f for f in flags]


class Batch:
    """``personalise`` on a roster, in a child process: its very files, all the server's cores, a server that stays responsive.

    Progress is read from the sheets appearing in the run's staging folder.
    """

    def __init__(
        self,
        procedure: Procedure,
        roster: Path,
        out: Path,
        *,
        formats: tuple[str, ...],
        eml: bool,
        skip_invalid: bool,
        total: int,
    ) -> None:
        if procedure.source is None:
            raise ValueError("a signing session needs the procedure's file")
        self.out, self.total, self.formats = out, total, formats
        self.argv = [sys.executable, "-m", "generator", "personalise", str(roster), "--out", str(out)]
        self.argv += ["--data", str(procedure.source), "--formats", ",".join(formats)]
        self.argv += ["--eml"] if eml else []
        self.argv += ["--skip-invalid"] if skip_invalid else []
        self.roster = roster
        self.process: subprocess.Popen[bytes] | None = None
        self.returncode: int | None = None
        self.stderr = ""

    def start(self) -> None:
        # English messages from the child: this module knows how to tell them in French.
        env = {**os.environ, "LC_ALL": "C.UTF-8", "LANG": "C.UTF-8", "PYTHONIOENCODING": "utf-8"}
        self.process = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env
        )

    def wait(self) -> int:
        """Until the run ends; its exit code (0: every sheet made)."""
        assert self.process is not None
        _out, err = self.process.communicate()
        self.stderr = err.decode("utf-8", "replace")
        self.returncode = self.process.returncode
        return self.returncode

    def done(self) -> int:
        """How many persons' sheets are made so far."""
        if self.returncode is not None:
            return self.total
        if self.process is None:
            return 0
        staging = self.out / f".partial-{self.process.pid}"
        fmt = self.formats[0]
        try:
            return sum(1 for p in staging.iterdir() if p.suffix == f".{fmt}" and p.name != f"all.{fmt}")
        except OSError:
            return 0

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def problems(self) -> tuple[list[str], list[tuple[int | None, tuple[str, ...]]]]:
        """Why the run stopped (French), and the rows it skipped (line, problems in French)."""
        errors: list[str] = []
        skipped: list[tuple[int | None, tuple[str, ...]]] = []
        path = str(self.roster)
        for line in self.stderr.splitlines():
            if line.startswith("skipped: "):
                row, problems = messages.row_problems(line[len("skipped: ") :], path)
                skipped.append((row, tuple(problems)))
            elif line.startswith("error: "):
                text = line[len("error: ") :]
                if text.startswith(f"{path}: nothing written"):
                    continue
                row, problems = messages.row_problems(text, path)
                prefix = _("line {line}: ").format(line=row) if row is not None else ""
                errors.append(prefix + " ".join(problems))
        if self.returncode not in (0, None) and not errors:
            errors.append(
                _(
                    "The sheets could not be made. Nothing was kept. Try again; if it happens again, tell the IT team."
                )
            )
        return errors, skipped


def manifest_counts(folder: Path) -> tuple[int, int]:
    """People with sheets, and email drafts, as the run's manifest.csv lists them."""
    import csv

    try:
        with (folder / "manifest.csv").open(encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f))
    except OSError:
        return 0, 0
    return len(rows), sum(1 for row in rows if row.get("eml"))


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
