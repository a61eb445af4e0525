"""Regression: a long accented name was folded inside a word and refused; headers are no longer folded (lines up to
RFC 5322's 998 characters), so the draft is written and reads back exactly, to Python and per RFC 2047."""

from __future__ import annotations

import re
from email.header import decode_header, make_header

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import DeliveryError
from generator.mail.drafts import build_message
from generator.people.person import Person
from generator.procedure.model import Procedure

LONG = ("Marie-Hélène-Véronique", "De La Fontaine-Saint-Exupéry-Montmorency")
ADDRESS = "marie-helene.delafontaine-saint-exupery@example.org"


def to_as_mail_programs_read_it(message_bytes: bytes) -> str:
    """The To line unfolded and decoded as RFC 2047 says (no space kept between two encoded words)."""
    raw = re.search(rb"^To: (.*?)\r?\n(?=\S)", message_bytes, re.M | re.S)
    assert raw is not None
    return str(make_header(decode_header(re.sub(r"\r?\n[ \t]+", " ", raw.group(1).decode("ascii")))))


def test_a_long_accented_name_is_written_and_reads_back_exactly(procedure: Procedure) -> None:
    """It used to be refused ("To reads differently"): Python's parser adds a space where a fold cut a word."""
    import email
    from email import policy

    person = Person(*LONG, "mde-la-fontaine", email=ADDRESS, row=2)
    message = build_message(procedure, person, b"%PDF", "f.pdf")
    data = message.as_bytes()
    assert b"\n " not in data.split(b"\nSubject:")[0].split(b"\nTo:")[1]  # the To line is not folded
    assert to_as_mail_programs_read_it(data) == f"{' '.join(LONG)} <{ADDRESS}>"
    parsed = email.message_from_bytes(data, policy=policy.default)["To"].addresses
    assert parsed[0].display_name == " ".join(LONG)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.text(alphabet="abcdeéèçàôüßøłńİ-", min_size=3, max_size=18).filter(lambda w: w.strip("-")),
        min_size=2,
        max_size=6,
    )
)
def test_any_name_of_letters_and_hyphens_is_written_and_reads_back(
    procedure: Procedure, words: list[str]
) -> None:
    """Names of accented words, long or short: never refused, and the To of the written file reads back as meant."""
    import email
    from email import policy

    first, last = words[0], " ".join(words[1:])
    person = Person(first, last, "x", email=ADDRESS, row=3)
    message = build_message(procedure, person, b"%PDF", "f.pdf")
    (address,) = message["To"].addresses
    data = message.as_bytes()
    parsed = email.message_from_bytes(data, policy=policy.default)["To"].addresses
    assert [a.addr_spec for a in parsed] == [ADDRESS]
    # Python's parser, or else the RFC 2047 reading, gives the name back exactly.
    assert parsed[0].display_name == address.display_name or to_as_mail_programs_read_it(data) == str(address)


def test_an_added_recipient_is_still_refused_whatever_the_reading(procedure: Procedure) -> None:
    """The RFC 2047 reading only excuses a display name: a second address hidden in a name is still refused."""
    attack = "=?utf-8?q?x?= <evil@example.com>, =?utf-8?q?y?="
    with pytest.raises(DeliveryError):
        build_message(procedure, Person(attack, "Dupont", "jd", email=ADDRESS, row=4), b"%PDF", "f.pdf")
