"""The PDF writer (the only importer of reportlab): layout, fonts, tagging, and reportlab's internals."""

from .writer import PdfWriter

__all__ = ["PdfWriter"]
