"""The exceptions the tool raises: one base class, one subclass per stage."""

from __future__ import annotations


class GeneratorError(Exception):
    """A problem the user can fix; the CLI prints each message as one line."""

    def __init__(self, problems: str | list[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        super().__init__("\n".join(self.problems))


class DataError(GeneratorError):
    """The procedure file is missing, unreadable or invalid."""


class RosterError(GeneratorError):
    """The roster file is missing, unreadable or has invalid rows."""


class RenderError(GeneratorError):
    """A document cannot be drawn (for instance, the content does not fit)."""


class DeliveryError(GeneratorError):
    """Files cannot be written or messages cannot be sent."""
