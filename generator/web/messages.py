"""The library's messages on the pages: tied to a form field or a list's line by their structure, never by their words.

The library speaks French on the pages (the web sets the language per
request) and its messages already name the file, the line and the field.
The pages show them as they are, with two changes: a problem is put beside
the field (``Problem.field``) or under the line (``Problem.line``) it is
about, and the server's private folder is replaced by the name of the file
the person sent.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..errors import Problem
from ..i18n import _
from ..people.numen import holds_numen


def quoted(label: str) -> str:
    """A name as the French pages quote it: « Nom »."""
    return f"«\u00a0{label}\u00a0»"


def shown_name(filename: str) -> str:
    """The name of a sent file as the pages may repeat it: its last part, never a NUMEN."""
    name = Path((filename or "").replace("\\", "/")).name.strip()
    return name if name and not holds_numen(name) else _("the list")


def in_file_words(message: str, path: Path | str, name: str) -> str:
    """A message about the file at ``path`` (a private folder) naming instead the file as sent."""
    return message.replace(str(path), name) if str(path) else message


def by_line(problems: Iterable[Problem]) -> list[tuple[int | None, tuple[str, ...]]]:
    """The problems of refused rows, grouped by line in file order: (line, texts)."""
    lines: dict[int | None, list[str]] = {}
    for problem in problems:
        lines.setdefault(problem.line, []).append(problem.text)
    return [(line, tuple(texts)) for line, texts in lines.items()]
