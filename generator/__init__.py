"""Print-ready documents (PDF, DOCX, personal sheets) from a procedure kept as YAML: the library.

This module is the library's one face: the command line (``generator.cli``)
and the web pages (``generator.web``) import what ``__all__`` lists and
nothing else of the package (a test checks it); only ``generator.i18n``, the
language of the messages, is shared beside it. None of these prints, exits
or parses arguments. Errors are GeneratorError subclasses whose ``problems``
are the messages, one a line, and whose ``details`` are the same as
``Problem`` objects (with the field, the roster line and a NUMEN flag when
known).

    procedure = load_procedure()
    person = make_person(procedure, first_name="Marie", last_name="Dupont")
    pdf = render_sheet(compose(procedure, person), "pdf")

The pipeline's stages are imported at once (a few tens of milliseconds: the
writers load reportlab or python-docx only for their format); the e-mail
names are imported on first use, so that a run without drafts never loads
the e-mail package nor SMTP.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .csv_cells import MANIFEST
from .errors import DataError, DeliveryError, GeneratorError, Problem, RenderError, RosterError
from .numen import holds_numen, numen_refusal
from .people.cells import MAX_EMAIL, MAX_FAMILY_NAME, MAX_FIRST_NAME, MAX_IDENTIFIER
from .people.files import TEXT_SUFFIXES, XLSX_SUFFIXES, row_limit
from .people.headers import HEADER_NAMES, HEADER_SEARCH, has_header
from .people.person import UNSURE, Person, make_person, person_from_fields
from .people.roster import SHOWN_HOMONYMS, Roster, read_roster
from .people.workbook import sheet_read
from .procedure.identifiers import compute_identifier, safe_file_stem
from .procedure.model import Procedure
from .procedure.schema import load_procedure
from .render import FORMATS
from .render import render as render_sheet
from .render.fit_report import body_size, reduced_sheets
from .run.batch import BatchResult, DeskResult, build_flyer, desk_sheet, run_batch, single_person
from .run.buildable import check_builds
from .run.cancel import Cancelled, interrupt_when_safe
from .run.lock import folder_lock
from .run.manifest import read_rows as read_manifest
from .run.plan import MOST_PAGES, RESERVED, VOLUME
from .run.procedure_store import Change as ProcedureChange
from .run.procedure_store import Conflict as ProcedureConflict
from .run.procedure_store import ProcedureStore
from .run.procedure_store import check_text as check_procedure_text
from .run.procedure_store import dump as dump_procedure
from .run.procedure_store import parse as parse_procedure
from .sheet.blocks import Sheet
from .sheet.compose import compose
from .sheet.variants import representative_sheets

if TYPE_CHECKING:  # for type checkers only: at run time ``__getattr__`` imports these on first use
    from .mail.drafts import attachment_name, build_message, write_draft
    from .mail.once import FAILURES as SEND_FAILURES
    from .mail.once import NOT_SENT, Outcome, Outgoing, outgoing, send_once, statuses
    from .mail.outbox import Draft, pending_drafts
    from .mail.report import report_csv
    from .mail.send import Delivery, SendReport, SmtpSettings, check_smtp_host, send_drafts
    from .mail.settings import MailSettings, load_mail_settings, stamp

__all__ = [
    "FORMATS",
    "HEADER_NAMES",
    "HEADER_SEARCH",
    "MANIFEST",
    "MAX_EMAIL",
    "MAX_FAMILY_NAME",
    "MAX_FIRST_NAME",
    "MAX_IDENTIFIER",
    "MOST_PAGES",
    "NOT_SENT",
    "RESERVED",
    "SEND_FAILURES",
    "SHOWN_HOMONYMS",
    "TEXT_SUFFIXES",
    "UNSURE",
    "VOLUME",
    "XLSX_SUFFIXES",
    "BatchResult",
    "Cancelled",
    "DataError",
    "Delivery",
    "DeliveryError",
    "Draft",
    "GeneratorError",
    "MailSettings",
    "Outcome",
    "Outgoing",
    "Person",
    "Problem",
    "Procedure",
    "ProcedureChange",
    "ProcedureConflict",
    "ProcedureStore",
    "RenderError",
    "Roster",
    "RosterError",
    "SendReport",
    "Sheet",
    "SmtpSettings",
    "attachment_name",
    "body_size",
    "build_flyer",
    "build_message",
    "check_builds",
    "check_procedure_text",
    "check_smtp_host",
    "compose",
    "compute_identifier",
    "DeskResult",
    "desk_sheet",
    "dump_procedure",
    "folder_lock",
    "has_header",
    "holds_numen",
    "interrupt_when_safe",
    "load_mail_settings",
    "load_procedure",
    "make_person",
    "numen_refusal",
    "outgoing",
    "parse_procedure",
    "pending_drafts",
    "person_from_fields",
    "read_manifest",
    "read_roster",
    "reduced_sheets",
    "render_sheet",
    "report_csv",
    "representative_sheets",
    "row_limit",
    "run_batch",
    "safe_file_stem",
    "send_drafts",
    "send_once",
    "sheet_read",
    "single_person",
    "stamp",
    "statuses",
    "write_draft",
]

# The e-mail names: each one's module, imported when the name is first asked for.
_MAIL: dict[str, str | tuple[str, str]] = {
    "attachment_name": ".mail.drafts",
    "build_message": ".mail.drafts",
    "write_draft": ".mail.drafts",
    "Draft": ".mail.outbox",
    "pending_drafts": ".mail.outbox",
    "Delivery": ".mail.send",
    "SendReport": ".mail.send",
    "SmtpSettings": ".mail.send",
    "check_smtp_host": ".mail.send",
    "send_drafts": ".mail.send",
    "MailSettings": ".mail.settings",
    "NOT_SENT": ".mail.once",
    "Outcome": ".mail.once",
    "Outgoing": ".mail.once",
    "SEND_FAILURES": (".mail.once", "FAILURES"),
    "outgoing": ".mail.once",
    "send_once": ".mail.once",
    "statuses": ".mail.once",
    "report_csv": ".mail.report",
    "load_mail_settings": ".mail.settings",
    "stamp": ".mail.settings",
}


def __getattr__(name: str) -> Any:
    if name not in _MAIL:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    where = _MAIL[name]
    module, attribute = where if isinstance(where, tuple) else (where, name)
    value = getattr(importlib.import_module(module, __name__), attribute)
    globals()[name] = value  # found directly from now on
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
