"""File names for a run: one stem per person from their identifier, never twice, never the folder's own."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..people.person import Person
from ..procedure.identifiers import safe_file_stem

RESERVED = ("all", "manifest", "flyer", "sent")  # file stems the folder's own files use


@dataclass(frozen=True, slots=True)  # one per person of the roster
class Job:
    person: Person
    stem: str


def planned(people: Iterable[Person]) -> Iterator[Job]:
    """File stems from identifiers, as the persons come; homonyms get distinct files (only stems given are kept)."""
    taken = set(RESERVED)
    for person in people:
        yield Job(person, free_stem(person.identifier, taken))


def free_stem(identifier: str, taken: set[str]) -> str:
    """A free stem that is never a print volume's (an identifier ``all-001`` gets ``all-001-2``)."""
    stem = safe_file_stem(identifier, taken)
    while any(is_print_file(stem, reserved, "") for reserved in RESERVED):
        stem = safe_file_stem(identifier, taken)
    return stem


VOLUME = 500  # pages of a print file at most, unless --print-volume says otherwise
# reportlab holds a file's pages until it is saved (a few KB each): this bounds a volume's memory.
MOST_PAGES = 2000


@dataclass(frozen=True)
class Volume:
    """One print file of a run: its name and the slice of the printed people it holds."""

    name: str
    start: int  # index of its first page among the people printed
    stop: int


def volumes(count: int, size: int, stem: str, fmt: str) -> list[Volume]:
    """The print files of ``count`` pages: one ``all.pdf`` up to ``size`` pages, else ``all-001.pdf``, ….

    Roster order, at most ``size`` pages each; the numbers are zero-padded to
    the same width so that the files sort in print order.
    """
    if count <= 0:
        return []
    size = max(1, size)
    return [
        Volume(volume_name(n, count, size, stem, fmt), start, min(start + size, count))
        for n, start in enumerate(range(0, count, size))
    ]


def volume_name(number: int, count: int, size: int, stem: str, fmt: str) -> str:
    """The name of volume ``number`` (from 0) of a print file of ``count`` pages, ``size`` a volume."""
    if count <= size:
        return f"{stem}.{fmt}"
    width = max(3, len(str(-(-count // size))))
    return f"{stem}-{number + 1:0{width}d}.{fmt}"


def place(index: int, count: int, size: int, stem: str, fmt: str) -> tuple[str, int]:
    """The print file and page (from 1) of the ``index``-th (from 0) of ``count`` pages."""
    size = max(1, size)
    return volume_name(index // size, count, size, stem, fmt), index % size + 1


def is_print_file(name: str, stem: str, fmt: str) -> bool:
    """``all.pdf`` or a volume ``all-007.pdf`` (the names ``volumes`` gives); with ``fmt`` "", a stem."""
    head = name
    if fmt:
        head, dot, ext = name.rpartition(".")
        if not dot or ext != fmt:
            return False
    elif head == stem:
        return False  # the bare stem is RESERVED's business
    number = head[len(stem) + 1 :]
    return head == stem or (head.startswith(f"{stem}-") and number.isdigit() and len(number) >= 3)
