"""The print file: every layout's shared part is one form, homonyms' taller boxes included; Flate only."""

from __future__ import annotations

import io

import pikepdf
from helpers import pdf_pages_text

from generator.people.person import Person
from generator.render.pdf import PdfWriter
from generator.sheet.compose import compose, compose_page

HOMONYM = ("homonym",)


def _people(count: int) -> list[Person]:
    """One person in ten a homonym (a note in a taller box), the others plain."""
    return [
        Person("Marie", f"Dupont {i}", f"mdupont{i}", row=i + 2, flags=HOMONYM if i % 10 == 3 else ())
        for i in range(count)
    ]


def test_homonyms_pages_share_their_own_form_and_say_everything(procedure) -> None:
    """A homonym's page draws its taller box's form (not the whole page again), and still says its note."""
    people = _people(40)
    writer = PdfWriter(compose_page(procedure))
    target = io.BytesIO()
    assert writer.write_many((compose(procedure, p) for p in people), target) == len(people)
    data = target.getvalue()
    assert b"ASCII85" not in data
    with pikepdf.open(io.BytesIO(data)) as pdf:
        forms = {
            name: xobject.objgen
            for page in pdf.pages
            for name, xobject in page.Resources.XObject.items()
            if xobject.Subtype == pikepdf.Name.Form
        }
        assert len(forms) == 2  # the usual box, the homonyms' taller one
        used = []
        for page in pdf.pages:
            content = page.Contents.read_bytes()
            (name,) = [n for n in forms if f"{n} Do".encode() in content]
            used.append(name)
            assert b"BT" in content and len(content) < 3000  # the person's lines only
            assert [f.Filter for f in page.Resources.XObject.values()] == [
                pikepdf.Array([pikepdf.Name.FlateDecode])
            ] * 2
        homonym_form = used[3]
        assert [i for i, name in enumerate(used) if name == homonym_form] == [
            i for i in range(40) if i % 10 == 3
        ]
    texts = pdf_pages_text(data)
    for person, text in zip(people, texts, strict=True):
        assert person.last_name in text
        assert ("Homonyme" in text) == ("homonym" in person.flags)


def test_a_thousand_pages_with_homonyms_stay_small(procedure) -> None:
    """1000 pages, one in ten a homonym's: at most 600 KiB (the shared parts are written once a layout)."""
    writer = PdfWriter(compose_page(procedure))
    target = io.BytesIO()
    writer.write_many((compose(procedure, p) for p in _people(1000)), target)
    assert len(target.getvalue()) <= 600 * 1024
