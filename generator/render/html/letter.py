"""A Sheet as the body of an e-mail: one column of HTML (text escaped, never markup) and the same in plain text.

E-mail programs drop ``<style>`` blocks and external sheets unevenly, so
each element carries its style inline. Sizes are in px at 16 or more and no
element has a fixed width: the text reflows at 390 px, and long addresses
break anywhere rather than widen the page.
"""

from __future__ import annotations

import re
from html import escape

from ...sheet.blocks import Contact, HelpBand, Paragraph, PersonalBox, Sheet, StepBlock, plain

TEXT = "#1e1e1e"  # 16.1:1 on white
LINK = "#000091"  # the State's blue, 15.9:1 on white; links are underlined too, never told by colour alone
BODY = (
    f"margin:0;padding:16px;background:#ffffff;color:{TEXT};font-family:Arial,Helvetica,sans-serif;"
    "font-size:18px;line-height:1.5;overflow-wrap:anywhere;word-wrap:break-word"
)
MAIN = "max-width:40em;margin:0 auto"
H1 = "font-size:26px;line-height:1.25;margin:24px 0 8px"
H2 = "font-size:21px;line-height:1.3;margin:20px 0 6px"
P = "margin:0 0 10px;font-size:18px"
A = f"color:{LINK};text-decoration:underline;overflow-wrap:anywhere;word-break:break-word"
BOX = "border:2px solid #6a6a6a;padding:8px 12px;margin:16px 0"
OL = "margin:0;padding:0 0 0 1.6em"


def tel_uri(phone: str) -> str:
    """``05 16 52 66 86`` → ``tel:+33516526686``: a French national number in international form."""
    digits = re.sub(r"\D", "", phone)
    if phone.strip().startswith("+"):
        return f"tel:+{digits}"
    if digits.startswith("00"):
        return f"tel:+{digits[2:]}"
    if len(digits) == 10 and digits.startswith("0"):
        return f"tel:+33{digits[1:]}"
    return f"tel:{digits}"


def _link(href: str, text: str) -> str:
    return f'<a href="{escape(href, quote=True)}" style="{A}">{escape(text)}</a>'


def _runs(paragraph: Paragraph) -> str:
    return "".join(
        f"<strong>{escape(run.text)}</strong>" if run.bold else escape(run.text) for run in paragraph
    )


def _p(inner: str) -> str:
    return f'<p style="{P}">{inner}</p>'


def _contacts(contacts: tuple[Contact, ...]) -> list[str]:
    if not contacts:
        return []
    items = [
        f"<li>{escape(c.name)}&nbsp;: " + ", ".join(_link(f"mailto:{e}", e) for e in c.emails) + "</li>"
        for c in contacts
    ]
    return [f'<ul style="{OL};{P}">', *items, "</ul>"]


def _step(step: StepBlock) -> list[str]:
    out = ['<li style="margin:0 0 8px">', f'<h2 style="{H2}">{escape(step.heading)}</h2>']
    for index, sentence in enumerate(step.sentences):
        if step.qr is not None and index == step.address_after:
            out.append(_p(f"{escape(step.qr.caption)}&nbsp;:<br>{_link(step.qr.url, step.qr.url)}"))
        out.append(_p(_runs(sentence)))
    if step.qr is not None and step.address_after >= len(step.sentences):
        out.append(_p(f"{escape(step.qr.caption)}&nbsp;:<br>{_link(step.qr.url, step.qr.url)}"))
    return [*out, *_contacts(step.contacts), "</li>"]


def _box(box: PersonalBox) -> list[str]:
    labels = box.labels
    out = [f'<div style="{BOX}">', f'<h2 style="{H2};margin-top:4px">{escape(labels.heading)}</h2>']
    out.append(_p(f"{escape(labels.identifier_label)} <strong>{escape(box.identifier)}</strong>"))
    for note in (box.birth_name, box.homonym_note, box.manager):
        if note:
            out.append(_p(escape(note)))
    return [*out, "</div>"]


def _help(band: HelpBand) -> list[str]:
    phone = _link(tel_uri(band.phone), band.phone)
    # The hours on a line of their own: a phrase that starts a sentence keeps its capital.
    return [f'<h2 style="{H2}">{escape(band.label)}</h2>', _p(phone), _p(escape(band.hours))]


def _lines(paragraph: str) -> str:
    """A paragraph's lines: a break the data file made only to wrap its text becomes a space.

    A line kept as a line ends with punctuation or is followed by a capital
    ("Votre identifiant : …" then "Votre mot de passe…"); on a phone the
    other breaks would cut sentences in odd places.
    """
    out = ""
    for line in paragraph.splitlines():
        line = line.strip()
        if out:
            kept = out[-1] in ".,:;!?" or line[:1].isupper()
            out += "<br>\n" if kept else " "
        out += escape(line)
    return out


def _intro(text: str) -> list[str]:
    paragraphs = [p for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return [_p(_lines(p)) for p in paragraphs]


def sheet_html(sheet: Sheet, intro: str = "") -> str:
    """The whole HTML document: ``intro`` (the letter, as text), then everything the sheet says, in its order."""
    page = sheet.page
    title = page.title
    parts = [*_intro(intro), f'<h1 style="{H1}">{escape(title.title)}</h1>']
    if title.purpose:
        parts.append(_p(escape(title.purpose)))
    if sheet.box is not None:
        parts += _box(sheet.box)
    parts.append(f'<ol style="{OL}">')
    for step in page.steps:
        parts += _step(step)
    parts.append("</ol>")
    parts += _help(page.help)
    lang = escape(page.info.language, quote=True)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(sheet.title)}</title>\n</head>\n"
        f'<body style="{BODY}">\n<main style="{MAIN}">\n' + "\n".join(parts) + "\n</main>\n</body>\n</html>\n"
    )


def _text_step(step: StepBlock) -> list[str]:
    out = [f"{step.number}. {step.heading}"]
    for index, sentence in enumerate(step.sentences):
        if step.qr is not None and index == step.address_after:
            out.append(f"   {step.qr.caption} : {step.qr.url}")
        out.append(f"   {plain(sentence)}")
    if step.qr is not None and step.address_after >= len(step.sentences):
        out.append(f"   {step.qr.caption} : {step.qr.url}")
    for contact in step.contacts:
        out.append(f"   - {contact.name} : {', '.join(contact.emails)}")
    return out


def sheet_text(sheet: Sheet, intro: str = "") -> str:
    """The same as ``sheet_html`` in plain text: the steps numbered, each address written out."""
    page = sheet.page
    lines = [intro.strip(), "", page.title.title]
    if page.title.purpose:
        lines.append(page.title.purpose)
    if sheet.box is not None:
        box = sheet.box
        lines += ["", box.labels.heading, f"{box.labels.identifier_label} {box.identifier}"]
        lines += [note for note in (box.birth_name, box.homonym_note, box.manager) if note]
    for step in page.steps:
        lines += ["", *_text_step(step)]
    lines += ["", page.help.label, f"   {page.help.phone}", f"   {page.help.hours}"]
    return "\n".join(lines).lstrip("\n") + "\n"
