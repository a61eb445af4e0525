"""Print-ready documents (PDF, DOCX, personal sheets) from a procedure kept as YAML: the library.

The command line (``generator.cli``) and the web pages call these; none of
them prints, exits or parses arguments. Errors are GeneratorError
subclasses whose ``problems`` are the messages, one a line, and whose
``details`` are the same as ``Problem`` objects (with the field, the roster
line and a NUMEN flag when known).

    procedure = load_procedure()
    person = make_person(procedure, first_name="Marie", last_name="Dupont")
    pdf = render(compose(procedure, person), "pdf")
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

# Both cheap, and ``render`` must be the function, not the subpackage of the same name
# that the import system would leave as the package's attribute if it were lazy.
from .errors import DataError, DeliveryError, GeneratorError, Problem, RenderError, RosterError
from .render import FORMATS, render

if TYPE_CHECKING:
    from .mail.drafts import attachment_name, build_message, write_draft
    from .mail.outbox import Draft, pending_drafts
    from .mail.send import Delivery, SendReport, SmtpSettings, send_drafts
    from .people.person import Person, make_person
    from .people.roster import Roster, read_roster
    from .procedure.identifiers import compute_identifier
    from .procedure.model import Procedure
    from .procedure.schema import load_procedure
    from .run.batch import BatchResult, build_flyer, run_batch, single_person
    from .sheet.blocks import Sheet
    from .sheet.compose import compose

    build_draft = build_message

__all__ = [
    "FORMATS",
    "BatchResult",
    "DataError",
    "Delivery",
    "DeliveryError",
    "Draft",
    "GeneratorError",
    "Person",
    "Problem",
    "Procedure",
    "RenderError",
    "Roster",
    "RosterError",
    "SendReport",
    "Sheet",
    "SmtpSettings",
    "attachment_name",
    "build_draft",
    "build_flyer",
    "build_message",
    "compose",
    "compute_identifier",
    "load_procedure",
    "make_person",
    "pending_drafts",
    "read_roster",
    "render",
    "run_batch",
    "send_drafts",
    "single_person",
    "write_draft",
]

# Name → (module, attribute), imported on first use: the command line loads the e-mail
# package only to write drafts or send them, python-docx or reportlab only for their format.
_LAZY = {
    "attachment_name": (".mail.drafts", "attachment_name"),
    "build_message": (".mail.drafts", "build_message"),
    "build_draft": (".mail.drafts", "build_message"),  # the name the plan gives it
    "write_draft": (".mail.drafts", "write_draft"),
    "Draft": (".mail.outbox", "Draft"),
    "pending_drafts": (".mail.outbox", "pending_drafts"),
    "Delivery": (".mail.send", "Delivery"),
    "SendReport": (".mail.send", "SendReport"),
    "SmtpSettings": (".mail.send", "SmtpSettings"),
    "send_drafts": (".mail.send", "send_drafts"),
    "compute_identifier": (".procedure.identifiers", "compute_identifier"),
    "Person": (".people.person", "Person"),
    "make_person": (".people.person", "make_person"),
    "Roster": (".people.roster", "Roster"),
    "read_roster": (".people.roster", "read_roster"),
    "Procedure": (".procedure.model", "Procedure"),
    "load_procedure": (".procedure.schema", "load_procedure"),
    "BatchResult": (".run.batch", "BatchResult"),
    "build_flyer": (".run.batch", "build_flyer"),
    "run_batch": (".run.batch", "run_batch"),
    "single_person": (".run.batch", "single_person"),
    "Sheet": (".sheet.blocks", "Sheet"),
    "compose": (".sheet.compose", "compose"),
}


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _LAZY[name]
    except KeyError:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
