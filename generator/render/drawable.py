"""The one refusal both writers share: a name holding a character no embedded font draws."""

from __future__ import annotations

import unicodedata

from ..errors import RenderError
from ..i18n import _
from . import fallback


def undrawable_message(characters: list[str]) -> str:
    described = ", ".join(fallback.describe(ch) for ch in characters)
    return _("no font embedded in the sheet can draw {characters}: retype the name without it").format(
        characters=described
    )


def undrawable_error(characters: list[str]) -> RenderError:
    """The refusal of ``characters``, carrying them so that a page can say which field holds them."""
    error = RenderError(undrawable_message(characters))
    error.characters = tuple(characters)
    return error


def check_drawable(*values: str) -> None:
    """Raise RenderError naming every character of ``values`` that neither Atkinson nor Noto Sans draws."""
    missing: list[str] = []
    for value in values:
        # Control characters are dropped by the writers (no document can hold them), not refused.
        shown = "".join(ch for ch in value if unicodedata.category(ch) != "Cc")
        missing.extend(ch for ch in fallback.undrawable(shown) if ch not in missing)
    if missing:
        raise undrawable_error(missing)
