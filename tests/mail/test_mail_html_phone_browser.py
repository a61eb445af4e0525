"""The e-mail's HTML in Chromium at a phone's width (390 px): no sideways scrolling, axe-core clean."""

from __future__ import annotations

import email
import sys
from email import policy
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "web"))
from browser import CHROMIUM, axe_violations, needs_chromium, shoot  # noqa: E402  (the web tests' harness)

from generator.mail.drafts import build_message  # noqa: E402
from generator.people.person import Person  # noqa: E402
from generator.procedure.model import Procedure  # noqa: E402

pytestmark = [pytest.mark.browser, needs_chromium]
# A long name and identifier: what would widen a page if anything did.
PERSON = Person(
    "Marie-Hélène-Véronique",
    "De La Fontaine-Saint-Exupéry-Montmorency",
    "mde-la-fontaine-saint-exupery-montmorency",
    email="marie-helene.delafontaine-saint-exupery@example.org",
    row=7,
    manager="aesh17",
)


def test_the_email_reads_at_390_px_without_zoom_and_axe_finds_nothing(procedure: Procedure) -> None:
    from playwright.sync_api import sync_playwright

    message = build_message(procedure, PERSON, b"%PDF-1.7 fake", "f.pdf")
    again = email.message_from_bytes(message.as_bytes(), policy=policy.default)
    html = again.get_body(("html",)).get_content()  # type: ignore[union-attr]
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM)
        try:
            page = chromium.new_page(viewport={"width": 390, "height": 844}, device_scale_factor=1)
            page.set_content(html)
            assert page.evaluate("document.documentElement.scrollWidth") <= 390
            smallest = page.evaluate(
                "Math.min(...[...document.querySelectorAll('body *')]"
                ".filter(e => e.textContent.trim()).map(e => parseFloat(getComputedStyle(e).fontSize)))"
            )
            assert smallest >= 16
            assert page.locator("a[href='tel:+33516526686']").count() == 1
            shoot(page, "mail-html-390")
            assert axe_violations(page) == []
        finally:
            chromium.close()
