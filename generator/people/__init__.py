"""People: roster files, their headers, and each row → a person (the identifier rule is the procedure's)."""

from .person import Person, make_person
from .roster import Roster, read_roster

__all__ = ["Person", "Roster", "make_person", "read_roster"]
