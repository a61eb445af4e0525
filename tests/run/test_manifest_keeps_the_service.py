"""The manifest keeps each person's service gestionnaire, as the roster's column named it (its id in the data)."""

from __future__ import annotations

import csv
import io

from helpers import manifest_bytes

from generator import Procedure
from generator.people.person import make_person
from generator.run.worker import Made


def test_the_manifest_has_a_manager_column(procedure: Procedure) -> None:
    people = [
        make_person(procedure, first_name="Marie", last_name="Dupont", manager="Lycée Vieljeux"),
        make_person(procedure, first_name="Jean", last_name="Martin"),
    ]
    data = manifest_bytes([(p, Made(row=None, files={"pdf": f"{p.identifier}.pdf"})) for p in people])
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert [row["service"] for row in rows] == ["vieljeux", ""]
