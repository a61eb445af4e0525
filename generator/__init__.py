"""Print-ready documents (PDF, DOCX, personal sheets) from a procedure kept as YAML."""

from .data import load_procedure
from .errors import DataError, DeliveryError, GeneratorError, RenderError, RosterError
from .identifiers import compute_identifier
from .model import Person, Procedure
from .render import FORMATS, RENDERERS, renderer

__all__ = [
    "FORMATS",
    "RENDERERS",
    "DataError",
    "DeliveryError",
    "GeneratorError",
    "Person",
    "Procedure",
    "RenderError",
    "RosterError",
    "compute_identifier",
    "load_procedure",
    "renderer",
]
