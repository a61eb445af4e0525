"""Shared fixtures: the default procedure, the made-up one, a person."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.data import load_procedure
from generator.model import Person, Procedure

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
OTHER_PROCEDURE = TESTS / "data" / "other_procedure.yaml"


@pytest.fixture(scope="session")
def procedure() -> Procedure:
    return load_procedure()


@pytest.fixture(scope="session")
def other_procedure() -> Procedure:
    return load_procedure(OTHER_PROCEDURE)


@pytest.fixture
def person() -> Person:
    return Person(first_name="Marie-Hélène", last_name="Dupont", identifier="mdupont", row=2)
