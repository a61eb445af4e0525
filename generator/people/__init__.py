"""People: the identifier rule, roster files, their headers, NUMEN detection, and each row → a person."""

from .identifiers import compute_identifier
from .person import Person, make_person
from .roster import Roster, read_roster

__all__ = ["Person", "Roster", "compute_identifier", "make_person", "read_roster"]
