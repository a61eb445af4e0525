"""Fixtures of the web tests: the app, a test client, the CSRF token of a page."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from generator import Procedure
from generator.i18n import has_catalog, translations
from generator.web import create_app

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session", autouse=True)
def french_catalog() -> None:
    """The compiled catalog (make and pip install compile it; a bare pytest run does it here)."""
    if not has_catalog("fr"):
        sys.path.insert(0, str(ROOT))
        from build_catalogs import compile_catalogs

        compile_catalogs()
        translations.cache_clear()
    assert has_catalog("fr")


@pytest.fixture(scope="session")
def app(procedure: Procedure) -> Flask:
    return create_app(procedure, secret_key=b"t" * 32, wrong_code_delay=0.0)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
