"""Renderers, registered by format: each takes the model and writes one file.

A renderer is a class built once per run from a ``Procedure`` (fonts, QR
codes and everything that is the same for every person are prepared
there); ``to_bytes(person)`` gives one document, the generic flyer when
``person`` is None, and ``render(person, target)`` writes it to a path
(atomically) or a binary stream. A sheet that cannot be made (too long
for its page) raises RenderError, which the batch reports as a bad row.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, Protocol

if TYPE_CHECKING:
    from ..model import Person, Procedure

Target = str | Path | BinaryIO


class Renderer(Protocol):
    extension: str

    def __init__(self, procedure: Procedure) -> None: ...

    def to_bytes(self, person: Person | None) -> bytes: ...

    def render(self, person: Person | None, target: Target) -> None: ...


def _pdf() -> type[Renderer]:
    from .pdf import PdfRenderer

    return PdfRenderer


def _docx() -> type[Renderer]:
    from .docx import DocxRenderer

    return DocxRenderer


# Imported on demand, so that building only a PDF never loads python-docx.
RENDERERS = {"pdf": _pdf, "docx": _docx}
FORMATS = tuple(RENDERERS)


def renderer(fmt: str, procedure: Procedure) -> Renderer:
    return RENDERERS[fmt]()(procedure)
