"""Helpers of the editor's tests: an app editing a copy of the data, the fields a page's form would post."""

from __future__ import annotations

import html
import re
from pathlib import Path

from flask import Flask

from generator import load_procedure
from generator.resources import default_procedure
from generator.web import create_app

INPUT = re.compile(r"<input\b[^>]*?\bname=\"([^\"]+)\"[^>]*?\bvalue=\"([^\"]*)\"")
TEXTAREA = re.compile(r"<textarea\b[^>]*?\bname=\"([^\"]+)\"[^>]*>\n?(.*?)</textarea>", re.DOTALL)


def data_copy(folder: Path) -> Path:
    path = folder / "procedure.yaml"
    path.write_bytes(default_procedure().read_bytes())
    return path


def editing_app(
    path: Path, *, edit_open: bool = True, edit_code: str | None = None, **options: object
) -> Flask:
    options.setdefault("wrong_code_delay", 0.0)
    return create_app(
        load_procedure(path),
        secret_key=b"e" * 32,
        data_path=path,
        edit_open=edit_open,
        edit_code=edit_code,
        **options,  # type: ignore[arg-type]
    )


def form_fields(page: str) -> dict[str, str]:
    """What the editor's form posts as the page shows it (hidden fields, inputs, textareas)."""
    form = page[page.index('id="procedure-form"') :]
    form = form[: form.index("</form>")]
    fields = {name: html.unescape(value) for name, value in INPUT.findall(form)}
    fields.update({name: html.unescape(value) for name, value in TEXTAREA.findall(form)})
    return fields
