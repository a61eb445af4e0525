"""The e-mail a phone can follow: both bodies hold the whole procedure, written from the Sheet, text never markup."""

from __future__ import annotations

import email
import re
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import DeliveryError
from generator.mail.drafts import build_message
from generator.mail.settings import MailSettings
from generator.people.person import Person
from generator.procedure.model import Procedure, plain
from generator.render.html import tel_uri
from generator.sheet.compose import compose

PERSON = Person(
    "Zoé", "Hervé-Çelik", "zherve-celik", email="zoe.herve@example.net", row=3, manager="vieljeux"
)
PDF = b"%PDF-1.7 fake\n" + bytes(range(256))
WEBMAIL = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"


class Outline(HTMLParser):
    """What a reader meets: links, headings, list items, the html lang and the text."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.headings: list[tuple[str, str]] = []
        self.items = 0
        self.lists: list[str] = []
        self.lang = ""
        self.text: list[str] = []
        self.tags: list[str] = []
        self._heading: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        self.tags.append(tag)
        if tag == "a":
            self.links.append(values.get("href") or "")
        elif tag in ("h1", "h2"):
            self._heading = tag
            self.headings.append((tag, ""))
        elif tag == "html":
            self.lang = values.get("lang") or ""
        elif tag in ("ol", "ul"):
            self.lists.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag == self._heading:
            self._heading = None

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._heading:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data)


def parsed(message: EmailMessage) -> EmailMessage:
    """The message as a mail program reads it: serialised, then parsed back."""
    return email.message_from_bytes(message.as_bytes(), policy=policy.default)  # type: ignore[return-value]


def bodies(message: EmailMessage) -> tuple[str, str]:
    again = parsed(message)
    text = again.get_body(("plain",))
    html = again.get_body(("html",))
    assert text is not None and html is not None
    return text.get_content(), html.get_content()


def outline(html: str) -> Outline:
    reader = Outline()
    reader.feed(html)
    return reader


def test_the_structure_is_mixed_of_alternative_and_the_pdf(procedure: Procedure) -> None:
    """multipart/mixed (multipart/alternative (text/plain, text/html), application/pdf); the PDF's bytes unchanged."""
    again = parsed(build_message(procedure, PERSON, PDF, "fiche.pdf"))
    assert [p.get_content_type() for p in again.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
    ]
    (attachment,) = list(again.iter_attachments())
    assert attachment.get_content() == PDF and attachment.get_filename() == "fiche.pdf"


def test_the_html_holds_tel_and_webmail_links_the_identifier_and_the_steps_in_order(
    procedure: Procedure,
) -> None:
    _, html = bodies(build_message(procedure, PERSON, PDF, "f.pdf"))
    page = outline(html)
    assert "tel:+33516526686" in page.links
    assert WEBMAIL in page.links
    assert "mailto:christabel.mineau@ac-poitiers.fr" in page.links  # who gives the NUMEN: their own office
    assert page.lang == "fr-FR"
    assert [tag for tag, _ in page.headings][0] == "h1" and {t for t, _ in page.headings} == {"h1", "h2"}
    steps = [s.heading for s in compose(procedure, PERSON).page.steps]
    headings = [text for _, text in page.headings]
    assert [h for h in headings if h in steps] == steps  # every step, in order
    assert "ol" in page.lists and page.tags.count("li") >= len(steps)
    assert "zherve-celik" in "".join(page.text)


def test_the_text_part_holds_the_same_steps_in_order(procedure: Procedure) -> None:
    text, _ = bodies(build_message(procedure, PERSON, PDF, "f.pdf"))
    sheet = compose(procedure, PERSON)
    where = [text.index(f"{s.number}. {s.heading}") for s in sheet.page.steps]
    assert where == sorted(where)
    for step in sheet.page.steps:
        for sentence in step.sentences:
            assert plain(sentence) in text
    assert WEBMAIL in text and "zherve-celik" in text and "05\u00a016\u00a052\u00a066\u00a086" in text


def test_the_html_fits_a_phone_by_its_styles(procedure: Procedure) -> None:
    """No fixed width anywhere, every font size 16px or more, long words break anywhere."""
    _, html = bodies(build_message(procedure, PERSON, PDF, "f.pdf"))
    assert not re.search(r"(?<![-\w])width\s*:", html) and "width=" not in html.replace(
        "width=device-width", ""
    )
    sizes = [int(s) for s in re.findall(r"font-size:\s*(\d+)px", html)]
    assert sizes and min(sizes) >= 16
    assert "overflow-wrap:anywhere" in html


# Names as the roster gives them: no control characters (people refuses those), any markup-like text.
NAMES = st.text(
    alphabet=st.one_of(st.sampled_from("<>&\"'/=;"), st.characters(blacklist_categories=("Cc", "Cs"))),
    min_size=1,
    max_size=20,
).filter(lambda s: s.strip() and "=?" not in s)


@settings(max_examples=25, deadline=None)
@given(first=NAMES)
def test_a_name_is_text_never_markup(procedure: Procedure, first: str) -> None:
    """Whatever a first name holds (<b>, <script>, &, quotes), the HTML shows it as text and no tag is added."""
    person = Person(first, "Martin", "imartin", email="i.martin@example.com", row=5)
    try:
        message = build_message(procedure, person, PDF, "f.pdf")
    except DeliveryError:  # a name the headers would not read back as written: refused, nothing to show
        return
    _, html = bodies(message)
    same = Person("Zoé", "Martin", "imartin", email="i.martin@example.com", row=5)
    plain_html = bodies(build_message(procedure, same, PDF, "f.pdf"))[1]
    assert outline(html).tags == outline(plain_html).tags


def test_with_mail_settings_the_from_and_reply_to_are_the_settings(procedure: Procedure) -> None:
    settings_ = MailSettings(
        "smtp.example.fr",
        587,
        "starttls",
        "secretariat@lycee.example.fr",
        "Secrétariat du lycée",
        "aide@lycee.example.fr",
    )
    again = parsed(build_message(procedure, PERSON, PDF, "f.pdf", settings=settings_))
    (sender,) = again["From"].addresses
    assert (sender.addr_spec, sender.display_name) == ("secretariat@lycee.example.fr", "Secrétariat du lycée")
    assert again["Reply-To"].addresses[0].addr_spec == "aide@lycee.example.fr"


@pytest.mark.parametrize(
    ("phone", "uri"),
    [
        ("05 16 52 66 86", "tel:+33516526686"),
        ("05\u00a016\u00a052\u00a066\u00a086", "tel:+33516526686"),
        ("+33 5 16 52 66 86", "tel:+33516526686"),
        ("0033 5 16 52 66 86", "tel:+33516526686"),
        ("3949", "tel:3949"),
    ],
)
def test_a_phone_number_becomes_an_international_tel_link(phone: str, uri: str) -> None:
    assert tel_uri(phone) == uri


def test_lines_wrapped_by_the_data_file_reflow_and_meant_lines_stay(procedure: Procedure) -> None:
    """ "ouvrir votre\\nmessagerie" reflows on a phone; "Votre identifiant…" keeps its own line."""
    _, html = bodies(build_message(procedure, PERSON, PDF, "f.pdf"))
    assert "ouvrir votre messagerie" in html
    assert re.search(r"<br>\s*Votre mot de passe", html)
