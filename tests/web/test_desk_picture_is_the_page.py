"""The desk's picture of a sheet is the very page of its PDF, in grey, written as a PNG any reader opens."""

from __future__ import annotations

import base64
import io
import re

import pypdfium2 as pdfium
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image
from webtools import post_desk, token

from generator.web import create_app, picture

PICTURE = re.compile(r'<img src="data:image/png;base64,([^"]+)"')


def _picture(page: str) -> Image.Image:
    match = PICTURE.search(page)
    assert match, "no picture on the page"
    image = Image.open(io.BytesIO(base64.b64decode(match.group(1))))
    image.load()
    return image


def _pdfium_grey(pdf: bytes, width: int) -> Image.Image:
    document = pdfium.PdfDocument(pdf)
    page = document[0]
    image = page.render(scale=width / page.get_width(), grayscale=True).to_pil()
    page.close()
    document.close()
    return image


def test_sheet_picture_holds_every_pixel_of_the_pdf_page(client: FlaskClient) -> None:
    """The PNG on the result page decodes to pdfium's grey render of the PDF the download gives, pixel for pixel."""
    fields = {"first_name": "Marie-Hélène", "last_name": "Dupont"}
    shown = _picture(post_desk(client, **fields).get_data(as_text=True))
    pdf = client.post(
        "/fiche/telecharger", data={"csrf_token": token(client), "format": "pdf", **fields}
    ).data
    assert shown.mode == "L" and shown.size[0] == 900
    assert shown.tobytes() == _pdfium_grey(pdf, 900).tobytes()
    # Not a blank page: the sheet's text is drawn (dark pixels), on white paper.
    assert shown.getextrema()[0] < 40 and shown.getextrema()[1] == 255


def test_flyer_picture_is_made_once_for_every_visitor(procedure, monkeypatch) -> None:
    """/affiche holds no personal data: its picture is made at the first visit, then served as made."""
    app: Flask = create_app(procedure, secret_key=b"f" * 32)
    made: list[int] = []
    real = picture.page_picture

    def counted(pdf: bytes, width: int = 900) -> bytes:
        made.append(width)
        return real(pdf, width)

    monkeypatch.setattr("generator.web.service.page_picture", counted)
    pages = [app.test_client().get("/affiche").get_data(as_text=True) for _ in range(3)]
    assert made == [900]
    first = _picture(pages[0])
    assert first.tobytes() == _picture(pages[2]).tobytes()
    assert first.tobytes() == _pdfium_grey(app.test_client().get("/affiche/flyer.pdf").data, 900).tobytes()


@settings(max_examples=60, deadline=None)
@given(width=st.integers(1, 40), height=st.integers(1, 12), data=st.data())
def test_grey_png_reads_back_as_its_pixels(width: int, height: int, data: st.DataObject) -> None:
    """Any grey pixels come back the same from a PNG reader (Pillow), whatever the filter bytes held before."""
    rows = picture.png_rows(width, height)
    # Whatever the drawing left in the rows' filter bytes and the spare byte: noise everywhere first.
    rows[:] = data.draw(st.binary(min_size=len(rows), max_size=len(rows)))
    pixels = [bytes(rows[1 + y * (width + 1) : 1 + y * (width + 1) + width]) for y in range(height)]
    image = Image.open(io.BytesIO(picture.grey_png(rows, (width, height))))
    image.load()
    assert image.mode == "L" and image.size == (width, height)
    assert image.tobytes() == b"".join(pixels)
