"""Print-ready documents (PDF, DOCX, personal sheets) from a procedure kept as YAML."""

from .data import load_procedure
from .errors import DataError, DeliveryError, GeneratorError, RenderError, RosterError
from .identifiers import compute_identifier
from .mail import build_message, write_draft
from .model import Person, Procedure
from .render import FORMATS, RENDERERS, renderer
from .roster import Roster, load_roster, person_from_fields

__all__ = [
    "FORMATS",
    "RENDERERS",
    "DataError",
    "DeliveryError",
    "GeneratorError",
    "Person",
    "Procedure",
    "RenderError",
    "Roster",
    "RosterError",
    "build_message",
    "compute_identifier",
    "load_procedure",
    "load_roster",
    "person_from_fields",
    "renderer",
    "write_draft",
]
