"""Runs of the library: the flyer, one person typed at the desk, and a whole roster (``run_batch``).

A batch knows no format by name: the writers' registry gives the formats,
their file names and which one prints every sheet (``all.pdf``). It
returns what it made, person by person, and prints nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import RenderError, RosterError
from ..people.person import Person, make_person
from ..people.roster import Roster
from ..procedure.model import Procedure
from ..render import FORMATS, print_file, writer
from ..sheet.compose import compose
from .manifest import MANIFEST, listed, write_manifest
from .output import inside
from .plan import Job, plan, stem_beside
from .runner import Progress, Runner
from .worker import Made, Worker


@dataclass(frozen=True)
class RowResult:
    """One person of a batch: the files made per format and the draft, or why the row was refused."""

    person: Person
    files: dict[str, str] = field(default_factory=dict)  # format → file name in the output folder
    eml: str = ""
    problem: str = ""

    @property
    def flags(self) -> tuple[str, ...]:
        return self.person.flags


@dataclass(frozen=True)
class BatchResult:
    out: Path
    rows: tuple[RowResult, ...]  # the persons made, in roster order
    refused: tuple[str, ...] = ()  # one message per row refused (invalid, or a sheet that cannot be made)
    print_files: tuple[str, ...] = ()  # e.g. ("all.pdf",)
    removed: tuple[str, ...] = ()  # files of an earlier run in the folder that this run did not make again
    manifest: str = MANIFEST


def build_flyer(procedure: Procedure, out: Path, formats: Sequence[str] = FORMATS) -> list[Path]:
    """The generic flyer in each format: ``out/flyer.pdf``, ``out/flyer.docx``."""
    sheet = compose(procedure)
    written = []
    for fmt in formats:
        path = inside(out, f"flyer.{fmt}")
        writer(fmt, sheet.page).write(sheet, path)
        written.append(path)
    return written


def single_person(
    procedure: Procedure, out: Path, formats: Sequence[str] = FORMATS, **fields: str
) -> list[Path]:
    """The personal sheet of one person typed at the desk, in each format."""
    person = make_person(procedure, **fields)
    stem = stem_beside(out, person, (*FORMATS, "eml"))
    made = Worker(procedure, tuple(formats), out, eml=False).run(Job(person, stem))
    if made.problem:
        raise RenderError(f"{person.display_name}: {made.problem}")
    return [out / made.files[fmt] for fmt in FORMATS if fmt in made.files]


def _refuse(source: object, problems: list[str]) -> RosterError:
    return RosterError([*problems, f"{source}: nothing written; correct these rows or pass --skip-invalid"])


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
) -> BatchResult:
    """Every person's sheets (and drafts with ``eml``), the print file and manifest.csv in ``out``.

    ``people`` is a roster (its invalid rows refuse the run unless
    ``skip_invalid``) or persons. A row whose sheet cannot be made in one
    format is refused in every format, and the print file leaves it out.
    Nothing reaches ``out`` unless the run is accepted. Raises RosterError.
    """
    roster = people if isinstance(people, Roster) else Roster(tuple(people))
    source = roster.source or "roster"
    if roster.invalid and not skip_invalid:
        raise _refuse(source, list(roster.invalid))
    persons = list(roster.people)
    if not persons:
        raise RosterError(f"{source}: no valid person in the roster; nothing written")
    chosen = tuple(formats)
    with Runner(procedure, chosen, out, eml, jobs, size=len(persons)) as runner:
        made: list[Made] = list(runner.render(plan(persons), print_files=True, progress=progress))
        # A sheet too long for its page is a bad row too; nothing has reached out/ yet.
        unfit = [f"{source}: line {m.row}: {m.problem}" for m in made if m.problem]
        refused = [*roster.invalid, *unfit]
        if unfit and not skip_invalid:
            raise _refuse(source, refused)
        rows = [(p, m) for p, m in zip(persons, made, strict=True) if not m.problem]
        if not rows:
            raise RosterError(f"{source}: no valid person in the roster; nothing written")
        runner.reprint([p for p, _ in rows])
        previous = listed(out)
        runner.commit()
    write_manifest(out, rows)
    # Sheets of an earlier run in this folder that this run did not make again
    # would be printed or attached by mistake: the old manifest says which.
    kept = {name for _, m in rows for name in (*m.files.values(), m.eml)}
    stale = sorted(previous - kept)
    for name in stale:
        inside(out, name).unlink(missing_ok=True)
    return BatchResult(
        out=out,
        rows=tuple(RowResult(p, m.files, m.eml) for p, m in rows),
        refused=tuple(refused),
        print_files=tuple(f"{print_file(fmt)}.{fmt}" for fmt in chosen if print_file(fmt)),
        removed=tuple(stale),
    )


__all__ = ["BatchResult", "RowResult", "build_flyer", "run_batch", "single_person"]
