"""The library's messages on the pages: each one's line in the list, its field, and its words in French.

A message of the library names its place the way the command line prints
it (``liste.csv: line 4: last name is empty (…); email …``): this module
takes off the server's path, finds the line, splits a row's problems and
finds the field each one is about, so that the pages can put it beside the
field or in the row's cell. The words come, for now, from ``core_english``
(the library still writes English); see there what goes once the library
translates its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from ..i18n import _
from . import core_english


@dataclass(frozen=True)
class Said:
    """A library message in French: the label it is about (or ""), and the text."""

    label: str
    text: str
    numen: bool = False


def field_problem(problem: str, shown: Callable[[str], str], row: bool = False) -> Said:
    """One problem of a person (desk fields or a roster row) in French; ``shown(label)`` names the field."""
    told = core_english.field_problem(problem, shown, row)
    if told is not None:
        return Said(*told)
    # A sentence no pattern knows: a general message rather than English (the desk adds the field).
    label = problem.split(" ", 1)[0]
    return Said("", _("{field}: this value cannot be used.").format(field=shown(label)) if row else "")


def quoted(label: str) -> str:
    """A column header as the French pages quote it: « Nom »."""
    return f"«\u00a0{label}\u00a0»"


_LINE = re.compile(r"^line (?P<line>\d+): (?P<rest>.*)$", re.S)


def _without_path(message: str, path: str) -> str:
    """The server's own path (a private folder) is never shown."""
    return message[len(path) + 2 :] if path and message.startswith(f"{path}: ") else message


def file_message(message: str, path: str = "") -> str:
    """A whole-file problem or a warning about a roster, in French, without the server's path."""
    message = _without_path(message, path)
    where = ""
    line = _LINE.match(message)
    if line:
        where = _("line {line}: ").format(line=line.group("line"))
        message = line.group("rest")
    told = core_english.file_message(message, quoted)
    if told is not None:
        return where + told
    return where + _(
        "This list cannot be used as it is: open it in the spreadsheet, check it and save it again as .xlsx or CSV UTF-8."
    )


def row_problems(message: str, path: str = "") -> tuple[int | None, list[str]]:
    """A refused row ``path: line N: problem; problem`` → its line and each problem in French."""
    message = _without_path(message, path)
    line = _LINE.match(message)
    if not line:
        return None, [file_message(message)]
    problems = [field_problem(p, quoted, row=True).text for p in _split(line.group("rest"))]
    return int(line.group("line")), problems


def _split(problems: str) -> list[str]:
    """The problems of one row, joined by "; " by the library (a piece no pattern knows gets a general message)."""
    return problems.split("; ")
