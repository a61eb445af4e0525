"""Compiles the French catalogs: every ``generator/locale/<lang>/LC_MESSAGES/*.po`` → one ``generator.mo``.

Used twice: by setuptools (``[tool.setuptools.cmdclass]`` in pyproject.toml)
so that ``pip install .`` ships compiled catalogs, and by ``make`` for the
development checkout (``python build_catalogs.py``). Each area keeps its own
.po file so that helpers never edit the same one; a msgid translated two
different ways in two files is an error.
"""

from __future__ import annotations

import sys
from pathlib import Path

from setuptools.command.build_py import build_py as _build_py

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "generator" / "locale"
DOMAIN = "generator"


def merged(lang_dir: Path):  # -> babel.messages.Catalog
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import read_po

    catalog = Catalog(locale=lang_dir.name, domain=DOMAIN, fuzzy=False)
    seen: dict[object, tuple[str, object]] = {}
    plural_forms = ""
    for po in sorted((lang_dir / "LC_MESSAGES").glob("*.po")):
        with po.open("rb") as f:
            part = read_po(f, locale=lang_dir.name)
        # The .po files say the plural rule (French: nplurals=2; plural=(n > 1);),
        # not Babel's CLDR default: they must agree, and the compiled file keeps it.
        header = dict(part.mime_headers).get("Plural-Forms", "")
        if header and plural_forms and header != plural_forms:
            raise SystemExit(f"{po}: Plural-Forms {header!r} differs from {plural_forms!r}")
        if header and not plural_forms:
            plural_forms = header
            catalog.mime_headers = [("Plural-Forms", header)]
        for message in part:
            if not message.id or message.fuzzy:
                continue
            if message.id in seen and seen[message.id][1] != message.string:
                raise SystemExit(
                    f"{po}: {message.id!r} is translated differently in {seen[message.id][0]}; keep one"
                )
            seen[message.id] = (po.name, message.string)
            catalog[message.id] = message
    return catalog


def compile_catalogs(source: Path = SOURCE, target: Path = SOURCE) -> list[Path]:
    """Write ``target/<lang>/LC_MESSAGES/generator.mo`` for each language folder of ``source``."""
    from babel.messages.mofile import write_mo

    written = []
    for lang_dir in sorted(p for p in source.iterdir() if (p / "LC_MESSAGES").is_dir()):
        out = target / lang_dir.name / "LC_MESSAGES" / f"{DOMAIN}.mo"
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".mo.part")
        with tmp.open("wb") as f:
            write_mo(f, merged(lang_dir), use_fuzzy=False)
        tmp.replace(out)
        written.append(out)
    return written


class BuildPy(_build_py):
    """setuptools' build_py, then the compiled catalogs beside the modules (or in the tree when editable)."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            compile_catalogs()
        else:
            compile_catalogs(SOURCE, Path(self.build_lib) / "generator" / "locale")


if __name__ == "__main__":
    for path in compile_catalogs():
        print(f"compiled {path.relative_to(ROOT)}", file=sys.stderr)
