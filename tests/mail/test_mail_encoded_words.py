"""Names written as RFC 2047 encoded words never become headers or recipients of a draft (issue "Trust, second round").

Python's email package decodes an encoded word in a display name or a
subject while folding it, so `=?UTF-8?B?…?=` could write "Bcc: …" or three
recipients into a draft. The people checks refuse such names too (another
branch); these tests build ``Person`` objects directly, or read a roster on
a branch whose people checks still let ``=?`` through: the mail wall alone.
"""

from __future__ import annotations

import base64
import dataclasses
import email
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from helpers import run_cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import DeliveryError
from generator.mail import drafts
from generator.mail.drafts import attachment_name, build_message, write_draft
from generator.mail.headers import WRITTEN, Meant, one_line, prove
from generator.people.person import Person
from generator.procedure.model import Procedure

VICTIM = "victim@example.org"
INJECTED = "Jean\r\nBcc: e@evil.example\r\n"


def b_word(text: str, charset: str = "UTF-8", letter: str = "B") -> str:
    return f"=?{charset}?{letter}?{base64.b64encode(text.encode()).decode()}?="


ATTACKS = {
    "B upper, CR LF Bcc": b_word(INJECTED),
    "b lower, CR LF Bcc": b_word(INJECTED, "utf-8", "b"),
    "Q upper, CR LF Bcc": "=?UTF-8?Q?Jean=0D=0ABcc=3A_e=40evil=2Eexample?=",
    "q lower, CR LF Bcc": "=?utf-8?q?Jean=0d=0abcc=3a_e=40evil=2eexample?=",
    "B commas: three recipients": b_word("a@x.example, b@y.example, Jean"),
    "B angle brackets and quotes": b_word('x" <evil@evil.example>, "y'),
    "Q comma and angle brackets": "=?utf-8?q?a=2C_b_=3Ce=40evil.example=3E=2C?=",
    "Q Bcc: without line break": "=?utf-8?q?Bcc:_e@evil.example?=",
    "inside other words": "Zoé =?utf-8?q?a=2Cb?= Martin",
    "Resent-From by B": b_word("Office\r\nResent-From: x@evil.example"),
}


def parsed(data: bytes) -> EmailMessage:
    return BytesParser(policy=policy.default).parsebytes(data)  # type: ignore[return-value]


def assert_only_the_person(data: bytes, person: Person) -> None:
    """The draft's bytes read back: one To with the person's one address and name, no header not written."""
    message = parsed(data)
    assert len(message.get_all("To", [])) == 1
    addresses = message["To"].addresses
    assert [a.addr_spec for a in addresses] == [person.email]
    assert addresses[0].display_name == one_line(person.display_name)
    written = {name.lower() for name in WRITTEN}
    assert {name.lower() for name in message.keys()} <= written
    for header in ("Cc", "Bcc", "Resent-From", "Resent-To", "Resent-Date", "Sender"):
        assert message[header] is None


@pytest.mark.parametrize("where", ["first", "last"])
@pytest.mark.parametrize("attack", ATTACKS.values(), ids=ATTACKS.keys())
def test_an_encoded_word_in_a_name_is_refused_naming_row_and_field(
    procedure: Procedure, tmp_path: Path, attack: str, where: str
) -> None:
    """No draft: a DeliveryError naming the row and the field, never the value; nothing written."""
    person = Person(
        attack if where == "first" else "Jean",
        attack if where == "last" else "Dupont",
        "jdupont",
        email=VICTIM,
        row=7,
    )
    with pytest.raises(DeliveryError) as caught:
        build_message(procedure, person, b"%PDF", attachment_name(person))
    (problem,) = caught.value.details
    assert problem.field == where and problem.line == 7
    label = "first name" if where == "first" else "last name"
    assert problem.text.startswith(f"row 7: {label}: ") and "=?" in problem.text
    assert attack not in problem.text and "evil" not in problem.text


def test_the_proof_refuses_what_the_first_wall_would_let_through(
    procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the "=?" check, the headers read back from the bytes still refuse the draft (the second wall)."""
    monkeypatch.setattr(drafts, "refuse_encoded_words", lambda *args: None)
    for attack in ATTACKS.values():
        person = Person(attack, "Dupont", "jdupont", email=VICTIM, row=9)
        try:
            message = build_message(procedure, person, b"%PDF", "f.pdf")
        except DeliveryError as exc:
            assert exc.details[0].line == 9 and "row 9: the headers would not read back" in str(exc)
            assert "evil" not in str(exc)
        else:  # let through only when it reads back as the literal text it is
            assert_only_the_person(bytes(message), person)


def test_the_attack_of_the_issue_is_caught_by_the_proof(
    procedure: Procedure, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's example (To: Jean / Bcc: e@evil.example) is one the proof sees, not a harmless case."""
    monkeypatch.setattr(drafts, "refuse_encoded_words", lambda *args: None)
    person = Person(b_word(INJECTED), "Dupont", "jdupont", email=VICTIM, row=9)
    with pytest.raises(DeliveryError, match="would not read back"):
        build_message(procedure, person, b"%PDF", "f.pdf")


def test_prove_refuses_headers_that_read_back_as_another_recipient() -> None:
    """``prove`` compares with what was meant: another address, two addresses, another subject."""
    message = EmailMessage(policy=policy.default)
    message["To"] = "Jean <jean@example.org>, eve@evil.example"
    message["Subject"] = "Bonjour"
    meant = Meant(to=("Jean", "jean@example.org"), sender=None, subject="Bonjour")
    with pytest.raises(DeliveryError, match="To does not hold exactly one address"):
        prove(message, meant, "row 3", 3)
    del message["To"]
    message["To"] = "Jean <jean@example.org>"
    prove(message, meant, "row 3", 3)
    with pytest.raises(DeliveryError, match="Subject reads differently"):
        prove(message, Meant(meant.to, None, "Autre"), "row 3", 3)


# Pieces of encoded words and of address syntax, joined: hypothesis finds the mixes.
NAME_TEXT = st.lists(
    st.sampled_from(
        [*"=?BbQq_<>,;:\"'@\\()[] \r\n\t\x1b", "UTF-8", "utf-8", "Zoé", "a", "é", "İ", "=0A", "=3C"]
    ),
    max_size=20,
).map("".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(first=NAME_TEXT, last=NAME_TEXT)
def test_any_name_gives_a_draft_to_that_person_alone_or_none(
    procedure: Procedure, first: str, last: str
) -> None:
    """Whatever the names hold, a draft is refused, or its bytes read back with the person's one address."""
    person = Person(first, last, "x", email=VICTIM, row=2)
    try:
        message = build_message(procedure, person, b"%PDF", "f.pdf")
    except DeliveryError as exc:
        assert exc.details and all(p.line == 2 for p in exc.details)
        return
    assert_only_the_person(message.as_bytes(policy=message.policy.clone(linesep="\r\n")), person)


def test_a_written_draft_reads_back_as_the_headers_proved(procedure: Procedure, tmp_path: Path) -> None:
    """write_draft's file holds the headers build_message read back: one To, the From of the data."""
    person = Person('Zoé, "l\'Ainée" <x>', "Hervé-Çelik", "zherve", email="zoe@example.net", row=3)
    message = build_message(procedure, person, b"%PDF", attachment_name(person))
    write_draft(tmp_path / "z.eml", message)
    back = parsed((tmp_path / "z.eml").read_bytes())
    assert_only_the_person((tmp_path / "z.eml").read_bytes(), person)
    assert [a.addr_spec for a in back["From"].addresses] == [procedure.email.sender]
    assert back["Subject"] == f"Votre accès à la messagerie académique ({person.identifier})"


def _roster(path: Path, rows: list[tuple[str, str, str]]) -> Path:
    lines = ["Prénom;Nom;Courriel", *(";".join(row) for row in rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# Short enough, and without "@" or a long run of letters and digits, for the roster's own checks
# (length, shifted columns, NUMEN) to let them through: the run meets the mail wall.
ROSTER_ATTACKS = {
    "Q lower, CR LF Bcc": "=?utf-8?q?J=0D=0ABcc:_e=40x.fr?=",
    "Q upper, LF Bcc": "=?UTF-8?Q?J=0ABcc:_e=40x.fr?=",
    "B upper, LF Bcc": b_word("J\nBcc:e"),
    "b lower, commas": b_word("a, b, J", "utf-8", "b"),
    "Q angle brackets": "=?utf-8?Q?=3Ce=40x.fr=3E?=",
    "q Bcc: text": "=?utf-8?q?Bcc:_e=40x.fr?=",
}


@pytest.mark.parametrize("column", [0, 1])
@pytest.mark.parametrize("attack", ROSTER_ATTACKS.values(), ids=ROSTER_ATTACKS.keys())
def test_personalise_eml_never_writes_a_draft_to_anyone_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], attack: str, column: int
) -> None:
    """A roster row with an encoded word as a name: the run is refused naming its line or row, or every
    draft written reads back to its own person only (whichever wall, people or mail, stops it)."""
    row = ["Jean", "Dupont", VICTIM]
    row[column] = attack
    roster = _roster(tmp_path / "liste.csv", [("Marie", "Martin", "marie@example.org"), tuple(row)])  # type: ignore[list-item]
    out = tmp_path / "out"
    argv = ["personalise", str(roster), "--out", str(out), "--eml", "--formats", "pdf", "--jobs", "1"]
    code, _, err = run_cli(argv, capsys)
    assert "Traceback" not in err and attack not in err
    if code != 0:
        assert "error:" in err and ("row 3" in err or "line 3" in err)
        assert not out.exists() or not list(out.glob("*.eml"))
    for draft in out.glob("*.eml") if out.exists() else []:
        message = email.message_from_bytes(draft.read_bytes(), policy=policy.default)
        assert len(message["To"].addresses) == 1
        assert message["Bcc"] is None and message["Cc"] is None
        assert message["To"].addresses[0].addr_spec in (VICTIM, "marie@example.org")
        assert "x.fr" not in str(message["To"])


def test_a_person_without_a_row_is_named_by_place_never_by_the_name(procedure: Procedure) -> None:
    """At the desk (no row), the error says "the person": the refused name is not quoted back."""
    attack = ATTACKS["B commas: three recipients"]
    with pytest.raises(DeliveryError) as caught:
        build_message(procedure, Person(attack, "Dupont", "jd", email=VICTIM), b"%PDF", "f.pdf")
    assert str(caught.value).startswith("the person: first name: ") and attack not in str(caught.value)


@pytest.mark.parametrize(
    ("part", "value", "field"),
    [
        ("sender_name", b_word("Office\r\nResent-From: x@evil.example"), "email.sender_name"),
        ("subject", "Fiche =?utf-8?q?a=0D=0ABcc:_x=40evil.example?=", "email.subject"),
    ],
)
def test_an_encoded_word_in_the_data_is_refused_naming_its_field(
    procedure: Procedure, part: str, value: str, field: str
) -> None:
    """The sender's name and the subject come from the data: "=?" there is refused too, naming the field."""
    made = dataclasses.replace(procedure, email=dataclasses.replace(procedure.email, **{part: value}))
    person = Person("Marie", "Dupont", "mdupont", email=VICTIM, row=4)
    with pytest.raises(DeliveryError) as caught:
        build_message(made, person, b"%PDF", "f.pdf")
    assert [p.field for p in caught.value.details] == [field]
    assert f"row 4: {field}: " in str(caught.value) and "evil" not in str(caught.value)


def test_a_help_phone_in_the_subject_is_checked_as_help_phone(procedure: Procedure) -> None:
    """A value the subject names ({help_phone}) is checked under the data's own field name."""
    email_part = dataclasses.replace(procedure.email, subject="Aide {help_phone}")
    help_part = dataclasses.replace(procedure.help, phone="=?utf-8?q?05=2C_x?=")
    made = dataclasses.replace(procedure, email=email_part, help=help_part)
    with pytest.raises(DeliveryError) as caught:
        build_message(made, Person("Marie", "Dupont", "md", email=VICTIM, row=5), b"%PDF", "f.pdf")
    assert [p.field for p in caught.value.details] == ["help.phone"]
