"""The procedure: YAML with line numbers → checked sections → the immutable model."""

from .model import Procedure
from .schema import DEFAULT_DATA, load_procedure

__all__ = ["DEFAULT_DATA", "Procedure", "load_procedure"]
