"""Helpers of the web tests: a page's CSRF token, posting the desk's form."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def token(client: FlaskClient, path: str = "/fiche") -> str:
    """The CSRF token the page at ``path`` gives this client's session."""
    match = TOKEN.search(client.get(path).get_data(as_text=True))
    assert match, f"no CSRF token in {path}"
    return match.group(1)


def post_desk(client: FlaskClient, path: str = "/fiche", **fields: str) -> TestResponse:
    data = {"csrf_token": token(client), "manager": "", **fields}
    return client.post(path, data=data)


def upload(client: FlaskClient, data: bytes, filename: str, **options: object) -> TestResponse:
    """Send a roster to /session with the options of the form (formats: a list)."""
    import io

    form: dict[str, object] = {"csrf_token": token(client, "/session"), "formats": ["pdf", "docx"]}
    form.update(options)
    form["roster"] = (io.BytesIO(data), filename)
    return client.post("/session", data=form, content_type="multipart/form-data")
