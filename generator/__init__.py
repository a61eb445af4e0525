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

from .errors import DataError, DeliveryError, GeneratorError, Problem, RenderError, RosterError
from .mail.drafts import attachment_name, build_message, write_draft
from .mail.outbox import Draft, pending_drafts
from .mail.send import Delivery, SendReport, SmtpSettings, send_drafts
from .people.identifiers import compute_identifier
from .people.person import Person, make_person
from .people.roster import Roster, read_roster
from .procedure.model import Procedure
from .procedure.schema import load_procedure
from .render import FORMATS, render
from .run.batch import BatchResult, build_flyer, run_batch, single_person
from .sheet.blocks import Sheet
from .sheet.compose import compose

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

build_draft = build_message  # the name the plan gives it: the draft of one person, their PDF attached
