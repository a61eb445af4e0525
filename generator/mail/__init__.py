"""Mail: drafts (.eml) with the personal sheet, the outbox of a folder, and SMTP sending."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .drafts import attachment_name, build_message, write_draft
    from .once import Clock, Outcome, Outgoing, outgoing, send_once, statuses
    from .outbox import Draft, pending_drafts
    from .report import report_csv
    from .send import Delivery, SendReport, SmtpSettings, send_drafts
    from .settings import MailSettings, load_mail_settings

__all__ = [
    "Clock",
    "Delivery",
    "Draft",
    "MailSettings",
    "Outcome",
    "Outgoing",
    "SendReport",
    "SmtpSettings",
    "attachment_name",
    "build_message",
    "load_mail_settings",
    "outgoing",
    "pending_drafts",
    "report_csv",
    "send_drafts",
    "send_once",
    "statuses",
    "write_draft",
]

# Each name from its own module on first use: reading the outbox needs no SMTP, sending no draft builder.
_LAZY = {
    "attachment_name": ".drafts",
    "build_message": ".drafts",
    "write_draft": ".drafts",
    "Draft": ".outbox",
    "pending_drafts": ".outbox",
    "Delivery": ".send",
    "SendReport": ".send",
    "SmtpSettings": ".send",
    "send_drafts": ".send",
    "Clock": ".once",
    "Outcome": ".once",
    "Outgoing": ".once",
    "outgoing": ".once",
    "send_once": ".once",
    "statuses": ".once",
    "report_csv": ".report",
    "MailSettings": ".settings",
    "load_mail_settings": ".settings",
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
