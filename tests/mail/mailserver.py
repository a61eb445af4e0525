"""An SMTP server on loopback (aiosmtpd) for the mail tests: records what it accepts, refuses chosen addresses."""

from __future__ import annotations

import email
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass
class Recorder:
    """What the server accepted (envelope sender, recipients, message); ``refuse`` answers 550 at RCPT."""

    received: list[tuple[str, list[str], EmailMessage]] = field(default_factory=list)
    refuse: set[str] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # type: ignore[no-untyped-def]  # noqa: N802
        if address in self.refuse:
            return f"550 5.1.1 <{address}>: mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def recipients(self) -> list[str]:
        return [r for _, rcpts, _ in self.received for r in rcpts]


def free_port() -> int:
    # aiosmtpd cannot listen on port 0 (it connects to its own port to start).
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def smtp_server(recorder: Recorder, **kwargs: Any) -> Iterator[int]:
    """The server on 127.0.0.1; yields its port."""
    controller = Controller(
        recorder, hostname="127.0.0.1", port=free_port(), server_hostname="localhost", **kwargs
    )
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()
