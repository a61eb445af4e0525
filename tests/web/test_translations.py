"""French everywhere a person reads: every msgid of the package has a translation; the language per context."""

from __future__ import annotations

import re
import string
import sys
import threading
from pathlib import Path

import pytest

from generator import i18n
from generator.i18n import _, current_language, language_from_environment, ngettext, use_language

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "generator"


def _msgids() -> dict[str, str]:
    """Every message given to _(), N_() or ngettext() in the package's code and templates (babel.cfg's map)."""
    from babel.messages.extract import extract_from_dir

    method_map = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "newstyle_gettext": "true"}}
    keywords = {"_": None, "N_": None, "ngettext": (1, 2)}
    found: dict[str, str] = {}
    for filename, line, message, _comments, _context in extract_from_dir(
        str(PACKAGE), method_map, options, keywords
    ):
        singular = (
            message[0] if isinstance(message, tuple) else message
        )  # a catalog keys plurals by the singular
        if singular:
            found.setdefault(singular, f"generator/{filename}:{line}")
    return found


def _catalog():  # -> babel Catalog of every .po merged, as the build merges them
    sys.path.insert(0, str(ROOT))
    from build_catalogs import merged

    return merged(PACKAGE / "locale" / "fr")


def _fields(text: str) -> set[str]:
    """The placeholders a message fills: {name} for str.format, %(name)s in templates."""
    names = {f for _, f, _, _ in string.Formatter().parse(text) if f}
    return names | set(re.findall(r"%\((\w+)\)s", text))


def test_every_message_has_a_french_translation() -> None:
    """A msgid in the code or a template without a French msgstr fails here, named with its place."""
    catalog = _catalog()
    missing = []
    for msgid, where in _msgids().items():
        message = catalog.get(msgid)
        strings = message.string if message is not None else ""
        if not message or not all(strings if isinstance(strings, tuple) else (strings,)):
            missing.append(f"{where}: {msgid!r}")
    assert missing == [], "no French for:\n" + "\n".join(missing)


def test_translations_keep_the_placeholders() -> None:
    """A translation fills the same {names} as its msgid (plural forms together): nothing lost, nothing unknown."""
    wrong = []
    for message in _catalog():
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set().union(*map(_fields, ids))
        given = set().union(*map(_fields, strings))
        if given != wanted:
            wrong.append(repr(ids[0]))
    assert wrong == []


def test_compiled_catalog_is_loaded_with_stdlib_gettext() -> None:
    """The .mo made at build time is read by gettext; English gives the msgids back."""
    import gettext

    assert isinstance(i18n.translations("fr"), gettext.GNUTranslations)
    with use_language("fr"):
        assert _("Create the sheet") == "Créer la fiche"
        assert _("a message nobody wrote") == "a message nobody wrote"
    with use_language("en"):
        assert _("Create the sheet") == "Create the sheet"
        assert ngettext("one sheet", "{n} sheets", 2) == "{n} sheets"


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "fr_FR.UTF-8"}, "fr"),
        ({"LANG": "fr_BE"}, "fr"),
        ({"LANG": "en_GB.UTF-8"}, "en"),
        ({}, "en"),
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LC_ALL": "fr_FR.UTF-8", "LANG": "en_US"}, "fr"),
        ({"LC_ALL": "C", "LANG": "fr_FR"}, "en"),
        ({"LC_MESSAGES": "fr_CA.UTF-8", "LANG": "en_US"}, "fr"),
    ],
)
def test_command_line_language_follows_the_locale(environ: dict[str, str], expected: str) -> None:
    """LC_ALL, then LC_MESSAGES, then LANG: French when it starts with fr, else English."""
    assert language_from_environment(environ) == expected


def test_language_is_per_context() -> None:
    """A thread (a web request) set to French does not change another's language."""
    seen: dict[str, str] = {}

    def request(lang: str) -> None:
        with use_language(lang):
            barrier.wait()
            seen[lang] = _("Create the sheet")

    barrier = threading.Barrier(2)
    threads = [threading.Thread(target=request, args=(lang,)) for lang in ("fr", "en")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == {"fr": "Créer la fiche", "en": "Create the sheet"}
    with pytest.raises(ValueError):
        i18n.set_language("de")
    assert current_language() in ("en", "fr")


def test_cli_serve_messages_follow_the_locale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The serve command's refusal is French under LANG=fr_FR.UTF-8."""
    from generator.cli import main

    monkeypatch.delenv("GENERATOR_ACCESS_CODE", raising=False)
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert main(["serve", "--host", "10.0.0.1", "--port", "0"]) == 1
    assert "refus d'écouter sur 10.0.0.1 sans code d'accès" in capsys.readouterr().err
