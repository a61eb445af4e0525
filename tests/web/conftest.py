"""Fixtures of the web tests: the app, a test client, the CSRF token of a page."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from generator import Procedure
from generator.web import create_app


@pytest.fixture(scope="session")
def app(procedure: Procedure) -> Flask:
    return create_app(procedure, secret_key=b"t" * 32, wrong_code_delay=0.0)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium through Playwright, one per test module (never a downloaded browser)."""
    from browser import CHROMIUM
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        yield chromium
        chromium.close()
