"""A page's DOCX made once with python-docx, tokens where a person differs: the parts every sheet is assembled from.

Imported only when the disk cache (cache.py) holds no parts for the page:
a run of a known procedure never loads python-docx.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from copy import deepcopy
from typing import Any

from docx.oxml.ns import qn

from ...sheet.blocks import Page, PersonalBox
from .cache import Prepared
from .content import BOX_MARK, build
from .package import (
    CORE_PART,
    DOCUMENT_PART,
    Appendix,
    Template,
    clean_parts,
    serialise,
    split_tokens,
    token,
    xml_text,
    zip_parts,
)

_OPTIONAL = ("manager", "homonym_note")  # lines left out of a sheet whose person has none


def prepare(page: Page, body_pt: float, fields: Sequence[str]) -> Prepared:
    """The parts of ``page`` at ``body_pt``, each of ``fields`` of the personal box a token."""
    named = {f: token(f) for f in fields}
    tokens = PersonalBox(
        page.box_labels,
        first_name=named["first_name"],
        family_name=named["family_name"],
        identifier=named["identifier"],
        homonym_note=named["homonym_note"],
        manager=named["manager"],
        birth_name=named["birth_name"],
        identifier_label=named["identifier_label"],
    )
    doc = build(page, tokens, body_pt)
    doc.core_properties.title = token("title")
    body = doc.element.body
    box = [el for el in body if el.get(BOX_MARK) is not None]
    for el in box:
        del el.attrib[BOX_MARK]

    out = io.BytesIO()
    doc.save(out)
    parts = clean_parts(out.getvalue())
    core = parts.pop(CORE_PART).decode("utf-8")
    fixed_zip = zip_parts(parts)
    root = doc.element
    full = split_tokens(serialise(root))
    run_headers = {full[i]: _run_header(full[i - 1]) for i in range(1, len(full), 2)}
    documents = {}
    for has_manager in (True, False):
        for has_note in (True, False):
            # No empty paragraph: a line the person's sheet does not need is left out.
            copy = deepcopy(root)
            for name, wanted in zip(_OPTIONAL, (has_manager, has_note), strict=True):
                if not wanted:
                    for p in list(copy.iter(qn("w:p"))):
                        if token(name) in "".join(p.itertext()):
                            p.getparent().remove(p)
            _drop_empty_rows(copy)
            documents[(has_manager, has_note)] = serialise(copy)
    for el in box:
        body.remove(el)
    title = Template.of(core).fill({"title": xml_text(page.info.title)})
    generic = Appendix.learn(fixed_zip, (CORE_PART, DOCUMENT_PART)).package(
        [title, serialise(root).encode("utf-8")]
    )
    return Prepared(fixed_zip, core, documents, run_headers, generic)


def _drop_empty_rows(root: Any) -> None:
    """A table row whose cells lost every paragraph (the box's notes row of a sheet without notes) goes too."""
    for row in list(root.iter(qn("w:tr"))):
        if any(tc.find(qn("w:p")) is None for tc in row.findall(qn("w:tc"))):
            row.getparent().remove(row)


def _run_header(before: str) -> str:
    """The properties (``<w:rPr>…</w:rPr>`` or "") of the run a token stands in, from the XML before it."""
    start = max(before.rfind("<w:r>"), before.rfind("<w:r "))
    head = before[start:].split("<w:t", 1)[0] if start >= 0 else ""
    rpr = re.search(r"<w:rPr>.*?</w:rPr>", head, re.S)
    return rpr.group(0) if rpr else ""
