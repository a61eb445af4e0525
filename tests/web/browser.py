"""The real-browser harness: the app under waitress on a free port, Debian's Chromium through Playwright.

Never ``playwright install``: it downloads a browser, which fails here; the
system's Chromium is launched by path. Screenshots go to SHOTS (outside the
repository) to be looked at.
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from generator.web.server import Server

SHOTS = Path(os.environ.get("WEB_SHOTS", "/tmp/web-shots"))
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install chromium)"
)


@contextmanager
def served(app: Flask) -> Iterator[str]:
    """The app under waitress on 127.0.0.1 and a free port; yields its URL, stops it cleanly."""
    server = Server(app, "127.0.0.1", 0)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield server.url.rstrip("/")
    finally:
        server.close()
        thread.join(timeout=5)


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA rules and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} nodes: {v['nodes'][0]['target']})"
        for v in results.response["violations"]
    ]


def shoot(page: Any, name: str, full_page: bool = True) -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path


def wait_until(page: Any, expression: str, timeout: float = 30000) -> None:
    """Wait until ``expression`` is true in the page, polled from here.

    Playwright's ``wait_for_function`` evaluates its string with ``new Function`` inside the
    page, which the pages' Content-Security-Policy (``script-src 'self'``) refuses whenever the
    answer is not there at once; ``evaluate`` goes through the browser's protocol instead.
    """
    import time

    deadline = time.monotonic() + timeout / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise TimeoutError(f"still false after {timeout / 1000:.0f} s: {expression}")
        page.wait_for_timeout(50)
