"""Runs of the library: the flyer, one person typed at the desk, and a whole roster (``run_batch``).

A batch knows no format by name: the writers' registry gives the formats,
their file names and which one prints every sheet (``all.pdf``). It
returns what it made, person by person, and prints nothing.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..csv_cells import MANIFEST
from ..errors import RosterError
from ..i18n import _
from ..journal import Journal, Removal, remove_written
from ..output import atomic_write, check_folder, inside
from ..people.person import Person, make_person
from ..people.roster import Roster
from ..procedure.model import Procedure
from ..render import FORMATS, print_file, writer
from ..sheet.blocks import Sheet
from ..sheet.compose import compose
from .cancel import Cancelled, uninterruptible
from .commit import clear_dead_runs, refuse_in_the_way
from .lock import folder_lock
from .manifest import ManifestWriter, listed, replace_places
from .plan import RESERVED, VOLUME, free_stem, is_print_file, planned
from .runner import Progress, Runner

STEM_EXTENSIONS = (*FORMATS, "eml")  # a stem any of these uses belongs to someone


@dataclass(frozen=True)
class BatchResult:
    """What a batch made: counts (the persons themselves are in ``out/manifest.csv``, a row each)."""

    out: Path
    sheets: int  # persons made, one sheet per format each
    drafts: int = 0  # email drafts (.eml) among them
    homonyms: int = 0  # persons flagged "homonym" among them
    refused: tuple[str, ...] = ()  # one message per row refused (invalid, or a sheet that cannot be made)
    print_files: tuple[str, ...] = ()  # ("all.pdf",), or its volumes ("all-001.pdf", "all-002.pdf", …)
    removed: tuple[str, ...] = ()  # files of an earlier run in the folder that this run did not make again
    kept: tuple[tuple[str, str], ...] = ()  # such files left in place, each with why (changed since, …)
    manifest: str = MANIFEST


@dataclass(frozen=True)
class DeskResult:
    """The files of one person typed at the desk; ``existed`` when the same sheet was already there."""

    paths: tuple[Path, ...]
    person: Person  # as checked: its flags and identifier, for the command's warnings
    sheet: Sheet  # as written: its body size, for the same
    existed: bool = False


def _place(out: Path, journal: Journal, documents: dict[str, bytes]) -> list[Path]:
    """Write ``documents`` (name → bytes) into ``out``, refusing first if one would replace a file not ours."""
    for name in documents:
        inside(out, name)
    staged = {}
    for name, data in documents.items():
        target = out / name
        staged[name] = target
        try:
            if target.lstat().st_size == len(data) and target.read_bytes() == data:
                continue  # the same bytes: nothing to replace
        except OSError:
            pass
        if target.is_symlink() or target.exists():
            reason = journal.removable(name)
            if reason or target.is_symlink():
                raise refuse_in_the_way(out, [name])
    paths = []
    with uninterruptible():  # each file written is journalled: never one without the other
        for name, data in documents.items():
            with atomic_write(out / name) as stream:
                stream.write(data)
            journal.record(out / name)
            paths.append(out / name)
        journal.save()
    return paths


def build_flyer(procedure: Procedure, out: Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """The generic flyer in each format: ``out/flyer.pdf``, ``out/flyer.docx``.

    Every format is made before any file is written: a failure leaves the earlier files as they were.
    """
    sheet = compose(procedure)
    documents = {f"flyer.{fmt}": writer(fmt, sheet.page).to_bytes(sheet) for fmt in formats}
    check_folder(out)
    with folder_lock(out, command="build"):
        return _place(out, Journal.load(out), documents)


def single_person(
    procedure: Procedure, out: Path, formats: Sequence[str] = FORMATS, **fields: str
) -> list[Path]:
    """The personal sheet of one person typed at the desk, in each format."""
    return list(desk_sheet(procedure, out, formats, **fields).paths)


def desk_sheet(
    procedure: Procedure, out: Path, formats: Sequence[str] = FORMATS, **fields: str
) -> DeskResult:
    """One person's sheet at the desk: the same fields twice give the same files, a homonym gets ``-2``.

    The documents are made first; a stem whose files already hold exactly
    these bytes is this person's (nothing is written again); otherwise the
    first stem no file of the folder uses.
    """
    person = make_person(procedure, **fields)
    sheet = compose(procedure, person)
    documents = {fmt: writer(fmt, sheet.page).to_bytes(sheet) for fmt in formats}
    check_folder(out)
    with folder_lock(out, command="person"):
        taken: set[str] = set(RESERVED)
        while True:
            stem = free_stem(person.identifier, taken)
            paths = [out / f"{stem}.{fmt}" for fmt in formats]
            if all(_holds(path, documents[fmt]) for path, fmt in zip(paths, formats, strict=True)):
                return DeskResult(tuple(paths), person, sheet, existed=True)
            if not any(
                (out / f"{stem}.{ext}").exists() or (out / f"{stem}.{ext}").is_symlink()
                for ext in STEM_EXTENSIONS
            ):
                break
        named = {f"{stem}.{fmt}": documents[fmt] for fmt in formats}
        return DeskResult(tuple(_place(out, Journal.load(out), named)), person, sheet)


def _holds(path: Path, data: bytes) -> bool:
    try:
        return (
            path.is_file()
            and not path.is_symlink()
            and path.stat().st_size == len(data)
            and path.read_bytes() == data
        )
    except OSError:
        return False


def _print_files_in(journal: Journal, formats: Sequence[str]) -> set[str]:
    """The print files of ``formats`` (``all.pdf``, ``all-007.pdf``) the folder's journal says this tool wrote."""
    # Only the formats of this run: naming another's print file would import its writer (python-docx,
    # reportlab: a tenth of a second or more); a run without PDF leaves all.pdf alone, as it always did.
    stems = [(print_file(fmt), fmt) for fmt in formats if print_file(fmt)]
    return {name for name in journal.entries for stem, fmt in stems if is_print_file(name, stem, fmt)}


def _refuse(source: object, problems: list[str]) -> RosterError:
    return RosterError(
        [
            *problems,
            _("{source}: nothing written; correct these rows or pass --skip-invalid").format(source=source),
        ]
    )


def run_batch(
    procedure: Procedure,
    people: Roster | Sequence[Person],
    out: Path,
    *,
    formats: Sequence[str] = FORMATS,
    eml: bool = False,
    skip_invalid: bool = False,
    jobs: int = 0,
    progress: Progress | None = None,
    print_volume: int = VOLUME,
    cancel: threading.Event | None = None,
) -> BatchResult:
    """Every person's sheets (and drafts with ``eml``), the print files and manifest.csv in ``out``.

    ``people`` is a roster (its invalid rows refuse the run unless
    ``skip_invalid``) or persons. A row whose sheet cannot be made in one
    format is refused in every format, and the print files leave it out.
    The print file is ``all.pdf`` up to ``print_volume`` pages, else volumes
    ``all-001.pdf``, … of at most that many pages; the manifest gives each
    person's volume and page. The persons are read once, in order, and
    nothing per person is kept: memory stays flat for 200 000 people.
    Nothing reaches ``out`` unless the run is accepted. Raises RosterError.

    ``cancel``, set from any thread, stops the run between two sheets or
    before its files move in: ``Cancelled`` is raised and ``out`` is as it
    was. The run sets no signal handler (any thread may call it).
    """
    roster = people if isinstance(people, Roster) else Roster(tuple(people))
    source = roster.source or _("roster")
    _accept(roster, source, skip_invalid)
    chosen = tuple(formats)
    check_folder(out)
    with folder_lock(out, command="personalise"):
        clear_dead_runs(out)
        journal = Journal.load(out)
        # Files of an earlier run: those this run does not make again go once it is in place.
        # Print files of an earlier run too (all.pdf, all-003.pdf): a shorter run must not leave
        # a stale volume to be printed by mistake. Only those the journal shows this tool wrote go.
        previous = listed(out) | _print_files_in(journal, chosen)
        size = len(roster.people)
        with Runner(procedure, chosen, out, eml, jobs, size=size, volume=print_volume) as runner:
            made = _stage(runner, roster, source, skip_invalid, previous, progress, cancel)
            runner.stop_workers()
            runner.commit(journal, replaceable=(MANIFEST,), cancel=cancel)
        return made.result(out, _remove_previous(journal, previous))


def _accept(roster: Roster, source: object, skip_invalid: bool) -> None:
    """Raise RosterError when the roster's invalid rows refuse the run, or when it holds nobody."""
    if roster.invalid and not skip_invalid:
        raise _refuse(source, list(roster.invalid))
    if not roster.people:
        raise RosterError(_("{source}: no valid person in the roster; nothing written").format(source=source))


def _remove_previous(journal: Journal, previous: set[str]) -> Removal:
    """Remove the files of an earlier run this run did not make again (once this run is in place).

    They would be printed or attached by mistake: removed, but only those the
    journal shows this tool wrote and nobody changed since (the manifest is only a hint).
    """
    removal = remove_written(journal, sorted(previous))
    if previous:  # saved at the move already; again only for the files just removed or found gone
        journal.save()
    return removal


def _stage(
    runner: Runner,
    roster: Roster,
    source: object,
    skip_invalid: bool,
    previous: set[str],
    progress: Progress | None,
    cancel: threading.Event | None,
) -> _Tally:
    """Every person's files in the staging folder, and the print files without the rows refused.

    The print files are taken out of ``previous`` (an earlier run's files).

    Raises RosterError when a sheet cannot be made and ``skip_invalid`` is
    not given, or when no sheet could be made.
    """
    persons = roster.people
    count = len(persons)
    made = _make(runner, persons, count, progress, previous, cancel)
    made.refused = [
        *roster.invalid,
        *(
            _("{path}: line {line}: {problem}").format(path=source, line=row, problem=problem)
            for _index, row, problem in made.unfit
        ),
    ]
    if made.unfit and not skip_invalid:  # a sheet too long for its page is a bad row too
        raise _refuse(source, made.refused)
    if not made.sheets:
        raise RosterError(_("{source}: no valid person in the roster; nothing written").format(source=source))
    if made.unfit:  # the print files were laid out with those rows: made again without them
        unfit = {index for index, _row, _problem in made.unfit}
        kept = (p for index, p in enumerate(persons) if index not in unfit)
        runner.reprint(kept, made.sheets, cancel)
        replace_places(runner.staging / MANIFEST, lambda index: runner.place(index, made.sheets))
    made.printed = tuple(runner.print_names)
    previous.difference_update(made.printed)
    return made


@dataclass
class _Tally:
    """What a batch made, counted as the results come (nothing per person but the rows refused)."""

    sheets: int = 0
    drafts: int = 0
    homonyms: int = 0
    unfit: list[tuple[int, int | None, str]] = field(default_factory=list)  # (index, row, why): not made
    refused: list[str] = field(default_factory=list)  # one message per row refused, roster's own first
    printed: tuple[str, ...] = ()  # the print files made

    def result(self, out: Path, removal: Removal) -> BatchResult:
        return BatchResult(
            out=out,
            sheets=self.sheets,
            drafts=self.drafts,
            homonyms=self.homonyms,
            refused=tuple(self.refused),
            print_files=self.printed,
            removed=removal.removed,
            kept=removal.kept,
        )


def _make(
    runner: Runner,
    persons: Sequence[Person],
    count: int,
    progress: Progress | None,
    previous: set[str],
    cancel: threading.Event | None,
) -> _Tally:
    """Every person's files into the staging folder, and manifest.csv written as they come.

    The names this run makes again are taken out of ``previous`` (an earlier run's files).
    """
    made = _Tally()
    with open(inside(runner.staging, MANIFEST), "xb") as stream:
        manifest = ManifestWriter(stream)
        results = runner.run(planned(persons), count, print_files=True, progress=progress, cancel=cancel)
        # Closed at once if this loop stops (a refusal, Cancelled): the pool's section ends with it.
        with contextlib.closing(results):
            for index, job, result in results:
                person = job.person
                if result.problem:
                    made.unfit.append((index, result.row, result.problem))
                    continue
                # Placed as laid out for every row; made again below if some rows were refused.
                manifest.add(person, result, *runner.place(index, count))
                made.sheets += 1
                made.drafts += bool(result.eml)
                made.homonyms += "homonym" in person.flags
                previous.difference_update(result.files.values())
                previous.discard(result.eml)
        manifest.close()
    return made


__all__ = [
    "BatchResult",
    "Cancelled",
    "DeskResult",
    "build_flyer",
    "desk_sheet",
    "run_batch",
    "single_person",
]
