"""Mail: drafts (.eml) with the personal sheet, the outbox of a folder, and SMTP sending."""

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
