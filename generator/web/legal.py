"""The three pages the DSFR footer links to: accessibility, personal data, legal notice.

What they say is what this tool does (session.py, works.py, security.py):
the contact and the publisher come from the procedure's data.
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from . import state

legal = Blueprint("legal", __name__)


def _contact() -> dict[str, str]:
    """The managing office that answers: the one whose addresses hold the e-mails' sender, else the first listed."""
    procedure = state(current_app).procedure
    sender = procedure.email.sender
    groups = procedure.contacts
    chosen = next((g for g in groups if sender in g.emails), groups[0] if groups else None)
    if chosen is None:
        return {"name": procedure.meta.author, "email": sender}
    return {"name": chosen.name, "email": sender if sender in chosen.emails else chosen.emails[0]}


def _page(template: str) -> str:
    return render_template(
        template,
        author=state(current_app).procedure.meta.author,
        contact=_contact(),
    )


@legal.get("/accessibilite")
def accessibility() -> str:
    return _page("accessibilite.html")


@legal.get("/donnees-personnelles")
def personal_data() -> str:
    return _page("donnees_personnelles.html")


@legal.get("/mentions-legales")
def notice() -> str:
    return _page("mentions_legales.html")
