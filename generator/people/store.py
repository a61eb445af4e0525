"""The valid persons of a roster, kept compressed in memory: 200 000 people in a few megabytes, read back in order.

A national run reads rosters of 140 000 people and more; as objects they
would take ~470 bytes each in every process of the run. ``People`` packs
them by chunks (pickled field tuples, zlib level 1: ~50 bytes a person) and
unpacks one chunk at a time when iterated. The homonym flag is given on the
way out, once the whole roster is known. Nothing is written to disk.
"""

from __future__ import annotations

import pickle
import zlib
from collections.abc import Iterable, Iterator, Sequence
from typing import overload

from .person import Person

CHUNK = 1024  # persons a chunk: a few hundred kilobytes unpacked
HOMONYM = "homonym"


def _pack(persons: list[Person]) -> bytes:
    values = [
        (p.first_name, p.last_name, p.identifier, p.birth_name, p.email, p.manager, p.row, p.flags)
        for p in persons
    ]
    return zlib.compress(pickle.dumps(values, pickle.HIGHEST_PROTOCOL), 1)


class Packer:
    """Persons added one by one, packed a chunk at a time; ``people()`` gives the finished sequence."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.pending: list[Person] = []
        self.count = 0

    def add(self, person: Person) -> None:
        self.pending.append(person)
        self.count += 1
        if len(self.pending) == CHUNK:
            self.chunks.append(_pack(self.pending))
            self.pending = []

    def people(self, homonyms: Iterable[str] = ()) -> People:
        if self.pending:
            self.chunks.append(_pack(self.pending))
            self.pending = []
        return People(tuple(self.chunks), self.count, frozenset(homonyms))


class People(Sequence[Person]):
    """Persons in roster order; ``homonyms``: the identifiers several of them share (flagged "homonym")."""

    __slots__ = ("_chunks", "_count", "_homonyms", "_last")

    def __init__(self, chunks: tuple[bytes, ...], count: int, homonyms: frozenset[str]) -> None:
        self._chunks = chunks
        self._count = count
        self._homonyms = homonyms
        self._last: tuple[int, tuple[Person, ...]] = (-1, ())  # the chunk unpacked last (one step)

    @classmethod
    def of(cls, persons: Iterable[Person], homonyms: Iterable[str] = ()) -> People:
        packer = Packer()
        for person in persons:
            packer.add(person)
        return packer.people(homonyms)

    def _chunk(self, index: int) -> tuple[Person, ...]:
        last = self._last
        if last[0] == index:
            return last[1]
        homonyms = self._homonyms
        persons = tuple(
            Person(
                first,
                last,
                identifier,
                birth,
                email,
                manager,
                row,
                (*flags, HOMONYM) if identifier in homonyms else flags,
            )
            for first, last, identifier, birth, email, manager, row, flags in pickle.loads(
                zlib.decompress(self._chunks[index])
            )
        )
        self._last = (index, persons)  # one assignment: safe when threads share the roster
        return persons

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Person]:
        for index in range(len(self._chunks)):
            yield from self._chunk(index)

    @overload
    def __getitem__(self, index: int) -> Person: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Person, ...]: ...

    def __getitem__(self, index: int | slice) -> Person | tuple[Person, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        if index < 0:
            index += self._count
        if not 0 <= index < self._count:
            raise IndexError("People index out of range")
        return self._chunk(index // CHUNK)[index % CHUNK]

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:  # never the names: a repr may end up in a log
        return f"People({self._count} persons)"
