"""File names for a run: one stem per person from their identifier, never twice, never the folder's own."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..people.identifiers import safe_file_stem
from ..people.person import Person

RESERVED = ("all", "manifest", "flyer", "sent")  # file stems the folder's own files use


@dataclass(frozen=True)
class Job:
    person: Person
    stem: str


def plan(people: Sequence[Person]) -> list[Job]:
    """File stems from identifiers; homonyms get distinct files."""
    taken = set(RESERVED)
    return [Job(person, safe_file_stem(person.identifier, taken)) for person in people]


def stem_beside(out: Path, person: Person, extensions: Iterable[str]) -> str:
    """A stem for one more person in ``out``: never over another person's sheet or the folder's own files.

    A second Mathieu Dupont at the desk gets mdupont-2, not Marie's mdupont.pdf.
    """
    taken = set(RESERVED)
    suffixes = {f".{ext}" for ext in extensions}
    if out.is_dir():
        taken |= {p.stem for p in out.iterdir() if p.suffix in suffixes}
    return safe_file_stem(person.identifier, taken)
