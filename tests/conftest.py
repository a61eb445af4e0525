"""Shared fixtures: the default procedure, the made-up one, a person."""

from __future__ import annotations

import os
import shutil
import sys
import tempfile

import pytest
from helpers import OTHER_PROCEDURE, ROOT
from hypothesis import settings

from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.procedure.schema import load_procedure

# No per-example deadline: a busy 2-core CI machine must not turn a slow
# example into a failure. On CI the examples are derandomised, so a run is
# repeatable; locally they vary and keep exploring.
settings.register_profile("default", deadline=None)
settings.register_profile("ci", deadline=None, derandomize=True, database=None)
settings.load_profile("ci" if os.environ.get("CI") else "default")


def pytest_configure(config: pytest.Config) -> None:
    """The French catalog compiled before any test is collected (make and pip install compile it too).

    The DOCX cache goes to a folder of this session's own (never the
    developer's cache), removed at the end; CLI runs in subprocesses inherit it.
    """
    config._aesh_cache = tempfile.mkdtemp(prefix="aesh-generator-cache-")  # type: ignore[attr-defined]
    os.environ["AESH_GENERATOR_CACHE"] = config._aesh_cache  # type: ignore[attr-defined]
    from generator.i18n import has_catalog, translations

    # Staleness first: has_catalog loads the catalog, and stdlib gettext keeps what it loaded.
    if _catalog_is_stale() or not has_catalog("fr"):
        sys.path.insert(0, str(ROOT))
        from build_catalogs import compile_catalogs

        compile_catalogs()
        translations.cache_clear()


def _catalog_is_stale() -> bool:
    """A .po changed (a merge, an edit) since the compiled catalog was made: make it again."""
    folder = ROOT / "generator" / "locale" / "fr" / "LC_MESSAGES"
    compiled = folder / "generator.mo"
    if not compiled.exists():
        return True
    made = compiled.stat().st_mtime
    return any(po.stat().st_mtime > made for po in folder.glob("*.po"))


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = getattr(config, "_aesh_cache", None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def procedure() -> Procedure:
    return load_procedure()


@pytest.fixture(scope="session")
def other_procedure() -> Procedure:
    return load_procedure(OTHER_PROCEDURE)


@pytest.fixture
def person() -> Person:
    return Person(first_name="Marie-Hélène", last_name="Dupont", identifier="mdupont", row=2)
