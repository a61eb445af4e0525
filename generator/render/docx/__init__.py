"""The DOCX writer (the only importer of python-docx): look, styles, content, package, measure."""

from .writer import DocxWriter

__all__ = ["DocxWriter"]
