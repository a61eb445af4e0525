"""The e-mail writers of a Sheet: an HTML body a phone can follow and its plain-text twin."""

from __future__ import annotations

from .letter import sheet_html, sheet_text, tel_uri

__all__ = ["sheet_html", "sheet_text", "tel_uri"]
