"""The exceptions the tool raises: one base class, one subclass per stage, and the problems they carry."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in the reader's words, and where it is when the library knows.

    ``field`` is the person's field it is about (``first``, ``last``,
    ``birth``, ``identifier``, ``email``, ``manager``), ``line`` the roster
    line; ``numen`` says the value looked like a NUMEN, so that a form
    empties the field and never shows it back. The text is what the command
    line prints; the rest lets a page put it beside its field without
    reading the words.
    """

    text: str
    field: str | None = None
    line: int | None = None
    numen: bool = False

    def __str__(self) -> str:
        return self.text


class GeneratorError(Exception):
    """A problem the user can fix; the CLI prints each message as one line.

    ``problems`` holds the messages; ``details`` the same problems as
    ``Problem`` objects (a plain message becomes one that knows no place).
    """

    def __init__(self, problems: str | Problem | Sequence[str | Problem]) -> None:
        items = [problems] if isinstance(problems, str | Problem) else list(problems)
        self.details = tuple(p if isinstance(p, Problem) else Problem(p) for p in items)
        self.problems = [p.text for p in self.details]
        super().__init__("\n".join(self.problems))


class DataError(GeneratorError):
    """The procedure file is missing, unreadable or invalid."""


class RosterError(GeneratorError):
    """The roster file is missing, unreadable or has invalid rows."""


class RenderError(GeneratorError):
    """A document cannot be drawn (for instance, the content does not fit)."""

    # The characters no embedded font draws, when that is the cause (a page names them beside the field).
    characters: tuple[str, ...] = ()


class DeliveryError(GeneratorError):
    """Files cannot be written or messages cannot be sent."""
