"""Mail: drafts (.eml) with the personal sheet, the outbox of a folder, and SMTP sending."""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .drafts import attachment_name, build_message, write_draft
    from .outbox import Draft, pending_drafts
    from .send import Delivery, SendReport, SmtpSettings, send_drafts

__all__ = [
    "Delivery",
    "Draft",
    "SendReport",
    "SmtpSettings",
    "attachment_name",
    "build_message",
    "pending_drafts",
    "send_drafts",
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
}


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name], __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
