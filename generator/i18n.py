"""Messages in the reader's language: ``_()`` and ``ngettext()`` over stdlib gettext.

Messages are English msgids; the French catalogs live in
``generator/locale/fr/LC_MESSAGES/*.po`` (one file per area) and are merged
into one compiled ``generator.mo`` at install or build time
(``build_catalogs.py``). The language is chosen per context: the web sets
French for each request, the command line follows the locale.
Format after translating: ``_("{path}: line {line}").format(...)``.
"""

from __future__ import annotations

import contextlib
import gettext
import locale
import os
import sys
from collections.abc import Callable, Iterator
from contextvars import ContextVar, Token
from functools import cache
from pathlib import Path

DOMAIN = "generator"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "fr")  # English is the msgids themselves

_language: ContextVar[str | None] = ContextVar("generator_language", default=None)


def language_from_environment(
    environ: dict[str, str] | None = None, system: Callable[[], str] | None = None
) -> str:
    """``fr`` when the locale asks for French, else ``en``.

    LC_ALL, then LC_MESSAGES, then LANG, then LANGUAGE: the first one set
    decides. When none is set (Windows sets none), the user's locale
    decides: ``system()``, by default ``system_locale_name`` when reading
    the real environment (a given ``environ`` alone is taken as all there is).
    """
    env = os.environ if environ is None else environ
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = env.get(name, "")
        if value:  # the first one set decides, as POSIX says
            return "fr" if value.lower().startswith("fr") else "en"
    if system is None and environ is None:
        system = system_locale_name
    return "fr" if system is not None and is_french_locale(system()) else "en"


def is_french_locale(name: str) -> bool:
    """``fr_FR``, ``fr-BE`` (Windows' locale names) and ``French_France`` (older getlocale on Windows)."""
    return name.strip().lower().startswith(("fr", "french"))


def system_locale_name() -> str:
    """The user's locale when no variable names one: Windows' user locale, else ``locale.getlocale()``."""
    if sys.platform == "win32":
        name = _windows_user_locale()
        if name:
            return name
    try:
        return locale.getlocale()[0] or ""
    except ValueError:  # a locale name Python cannot parse: not French as far as we know
        return ""


def _windows_user_locale() -> str:
    """``GetUserDefaultLocaleName`` ("fr-FR"): the language chosen in Windows' settings."""
    import ctypes

    size = 85  # LOCALE_NAME_MAX_LENGTH
    buffer = ctypes.create_unicode_buffer(size)
    kernel32 = getattr(ctypes, "windll").kernel32  # noqa: B009 (windll exists on Windows only)
    return str(buffer.value) if kernel32.GetUserDefaultLocaleName(buffer, size) else ""


def current_language() -> str:
    return _language.get() or language_from_environment()


def set_language(lang: str) -> Token[str | None]:
    """Set the language of this context; give the token to ``reset_language`` to undo."""
    if lang not in LANGUAGES:
        raise ValueError(f"language {lang!r} (expected one of {', '.join(LANGUAGES)})")
    return _language.set(lang)


def reset_language(token: Token[str | None]) -> None:
    _language.reset(token)


@contextlib.contextmanager
def use_language(lang: str) -> Iterator[None]:
    token = set_language(lang)
    try:
        yield
    finally:
        reset_language(token)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalog of ``lang``; English (and a missing catalog) gives the msgids back."""
    if lang == "en":
        return gettext.NullTranslations()
    return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang], fallback=True)


def has_catalog(lang: str = "fr") -> bool:
    """Whether the compiled catalog is there (``make`` or ``pip install`` compiles it)."""
    return isinstance(translations(lang), gettext.GNUTranslations)


def _(message: str) -> str:
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return translations(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a message for extraction without translating it now (tables built at import)."""
    return message


def quote(value: str) -> str:
    """A value in quotes as the reader's language writes them: 'Dupont', « Dupont » in French."""
    text = value if value.isprintable() else repr(value)[1:-1]
    return _("'{value}'").format(value=text)
