"""The help hours put inside a sentence's parentheses start lower-case: "05 16 52 66 86 (du lundi au vendredi…)"."""

from __future__ import annotations

import dataclasses
import email
from email import policy
from email.message import EmailMessage

from hypothesis import example, given
from hypothesis import strategies as st

from generator.mail.drafts import build_message, fill
from generator.people.person import Person
from generator.procedure.model import Procedure

HOURS = "Du lundi au vendredi, de 8 h à 17 h 30"
PERSON = Person("Élodie", "Dupont", "edupont", email="elodie@example.org", row=2)


def _bodies(message: EmailMessage) -> tuple[str, str]:
    back = email.message_from_bytes(bytes(message), policy=policy.default)
    text = back.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    html = back.get_body(("html",)).get_content()  # type: ignore[union-attr]
    return text, html


def _with(procedure: Procedure, body: str, hours: str = HOURS) -> Procedure:
    return dataclasses.replace(
        procedure,
        email=dataclasses.replace(procedure.email, body=body),
        help=dataclasses.replace(procedure.help, hours=hours),
    )


def test_the_draft_reads_du_lundi_after_the_phone(procedure: Procedure) -> None:
    """Text and HTML parts: "(du lundi au vendredi, …)", never "(Du lundi"."""
    made = _with(procedure, "En cas de difficulté : {help_phone} ({help_hours}).\n")
    text, html = _bodies(build_message(made, PERSON, b"%PDF", "f.pdf"))
    for body in (text, html):
        assert f"{procedure.help.phone} (du lundi au vendredi, de 8 h à 17 h 30)." in body
        assert "(Du lundi" not in body


def test_the_shipped_procedure_writes_no_capital_after_a_parenthesis(procedure: Procedure) -> None:
    """With the data as it is: the hours, wherever the body puts them mid-sentence, are not capitalised."""
    text, _html = _bodies(build_message(procedure, PERSON, b"%PDF", "f.pdf"))
    assert f"({procedure.help.hours}" not in text or procedure.help.hours[:1].islower()


def test_a_sentence_that_begins_with_the_parenthesis_keeps_the_capital() -> None:
    """At the start of the text, of a paragraph, or after a full stop, the value is left as written."""
    values = {"help_hours": HOURS}
    assert fill("({help_hours})", values) == f"({HOURS})"
    assert fill("Appelez.\n\n({help_hours})", values) == f"Appelez.\n\n({HOURS})"
    assert fill("Appelez. ({help_hours})", values) == f"Appelez. ({HOURS})"
    assert fill("Appelez le\n({help_hours})", values).endswith("(du lundi au vendredi, de 8 h à 17 h 30)")


def test_capitals_of_an_acronym_stay() -> None:
    assert fill("voir ({help_hours})", {"help_hours": "ENT ouvert"}) == "voir (ENT ouvert)"


NAMES = st.text(st.characters(categories=["Lu", "Ll", "Zs"]), min_size=1, max_size=12)


@given(first=NAMES, last=NAMES, before=st.sampled_from(["Bonjour (", "Madame (", "(", "x\n("]))
def test_names_are_never_changed_even_inside_parentheses(first: str, last: str, before: str) -> None:
    """Only phrases (the hours) change case: a name in parentheses is written as the roster writes it."""
    template = before + "{first_name} {last_name})"
    assert fill(template, {"first_name": first, "last_name": last}) == f"{before}{first} {last})"


@given(hours=st.text(st.characters(categories=["Lu", "Ll", "Zs", "Nd"]), min_size=1, max_size=30))
@example(hours="İstanbul")
@example(hours="Ǆemal")
def test_hours_mid_sentence_change_at_most_their_first_letter(hours: str) -> None:
    """The rule touches one letter, and only ever to lower-case it."""
    out = fill("Téléphone : 05 ({help_hours}).", {"help_hours": hours})
    inner = out[len("Téléphone : 05 (") : -2]
    assert inner[1:] == hours[1:]
    assert inner[:1] in (hours[:1], hours[:1].lower())
