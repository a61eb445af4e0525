"""The report of a sending, to download: one CSV line a person, French headers, cells never formulas."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

from ..csv_cells import neutral
from ..numen import holds_numen
from .once import NOT_SENT, REFUSED, SENT, UNCONFIRMED, Outcome

HEADERS = ("ligne", "prénom", "nom", "identifiant", "adresse", "statut", "raison")
# In French whatever the desk's language: the report is filed with the office's French records.
STATUTS = {
    SENT: "envoyé",
    REFUSED: "refusé",
    NOT_SENT: "non envoyé",
    UNCONFIRMED: "non confirmé",
    "": "pas encore envoyé",
}


def _cell(value: str) -> str:
    # People refuses NUMENs at the door; a server's reason comes from elsewhere: checked here too.
    return "" if holds_numen(value) else neutral(value)


def report_csv(outcomes: Iterable[Outcome]) -> bytes:
    """UTF-8 with a BOM (Excel reads the accents), ``;`` between cells (French Excel), CRLF lines."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for outcome in outcomes:
        person = outcome.person
        row = "" if person.row is None else str(person.row)
        cells = (
            row,
            person.first_name,
            person.last_name,
            person.identifier,
            person.email,
            STATUTS.get(outcome.status, outcome.status),
            outcome.reason,
        )
        writer.writerow([_cell(c) for c in cells])
    return buffer.getvalue().encode("utf-8-sig")
