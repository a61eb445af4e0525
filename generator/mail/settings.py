"""Mail settings set once by IT: a TOML file read and checked whole, the password left in the environment."""

from __future__ import annotations

import ipaddress
import os
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from ..errors import DeliveryError, Problem
from ..i18n import _
from ..safe_files import read_limited
from .headers import ENCODED_WORD, has_control
from .send import SmtpSettings, check_smtp_host

SECURITIES = ("starttls", "tls", "none")
DEFAULT_PORTS = {"starttls": 587, "tls": 465, "none": 25}
DEFAULT_PER_MINUTE = 30  # what office relays take without flagging a burst
MOST_PER_MINUTE = 6000
MAX_BYTES = 64 * 1024  # a settings file is a dozen lines
KEYS = (
    "host",
    "port",
    "security",
    "user",
    "password_env",
    "sender",
    "sender_name",
    "reply_to",
    "per_minute",
)
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class MailSettings:
    """Where and how the desk sends: never the password, only the name of the variable that holds it."""

    host: str
    port: int
    security: str  # "starttls", "tls" or "none"
    sender: str  # the envelope sender and the From of every message
    sender_name: str = ""
    reply_to: str = ""
    user: str = ""
    password_env: str = ""
    per_minute: int = DEFAULT_PER_MINUTE
    source: Path | None = field(default=None, compare=False)

    def password(self, environ: Mapping[str, str] = os.environ) -> str | None:
        """The SMTP password from ``password_env`` (None without a user); DeliveryError when it is not set."""
        if not self.user:
            return None
        value = environ.get(self.password_env)
        if value is None:
            raise DeliveryError(
                Problem(
                    _(
                        "{path}: password_env: the environment variable {variable} is not set; "
                        "set it to the SMTP password of {user} before starting"
                    ).format(path=self.source, variable=self.password_env, user=repr(self.user)),
                    field="password_env",
                )
            )
        return value

    def smtp(self, environ: Mapping[str, str] = os.environ) -> SmtpSettings:
        """The connection settings, the password read from the environment now."""
        return SmtpSettings(
            self.host,
            self.port,
            starttls=self.security == "starttls",
            user=self.user,
            password=self.password(environ),
            tls=self.security == "tls",
        )

    @property
    def interval(self) -> float:
        """Seconds between two messages at ``per_minute``."""
        return 60.0 / self.per_minute


def load_mail_settings(path: str | Path) -> MailSettings:
    """The settings of ``path``, every problem named (file, line, key, what was expected) at once."""
    path = Path(path)
    try:
        text = read_limited(path, MAX_BYTES).decode("utf-8-sig")
    except FileNotFoundError:
        raise DeliveryError(_("{path}: no such mail settings file").format(path=path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise DeliveryError(_("{path}: cannot read ({reason})").format(path=path, reason=reason)) from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise DeliveryError(_("{path}: not a TOML file ({reason})").format(path=path, reason=exc)) from None
    return _checked(path, text, data)


def _checked(path: Path, text: str, data: dict[str, Any]) -> MailSettings:
    reader = _Reader(path, text, data)
    reader.unknown_keys()
    security = reader.choice("security", SECURITIES, "starttls")
    host = reader.host(security)
    settings = MailSettings(
        host=host,
        port=reader.integer("port", 1, 65535, DEFAULT_PORTS.get(security, 587)),
        security=security,
        sender=reader.address("sender", required=True),
        sender_name=reader.phrase("sender_name"),
        reply_to=reader.address("reply_to"),
        user=reader.phrase("user"),
        password_env=reader.variable(),
        per_minute=reader.integer("per_minute", 1, MOST_PER_MINUTE, DEFAULT_PER_MINUTE),
        source=path,
    )
    if reader.problems:
        raise DeliveryError(reader.problems)
    return settings


class _Reader:
    """Reads the keys one by one, collecting a Problem for each bad one."""

    def __init__(self, path: Path, text: str, data: dict[str, Any]) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.data = data
        self.problems: list[Problem] = []

    def where(self, key: str) -> str:
        pattern = re.compile(rf"^\s*{re.escape(key)}\s*=")
        for number, line in enumerate(self.lines, start=1):
            if pattern.match(line):
                return f"{self.path}:{number}: {key}"
        return f"{self.path}: {key}"

    def refuse(self, key: str, expected: str, got: object = None) -> None:
        text = _("{where}: expected {expected}").format(where=self.where(key), expected=expected)
        if got is not None:
            text += _(", got {value}").format(value=repr(got)[:80])
        self.problems.append(Problem(text, field=key))

    def unknown_keys(self) -> None:
        if "password" in self.data:  # its value is never shown back
            self.problems.append(
                Problem(
                    _(
                        "{where}: the password is never kept in this file; put it in an environment "
                        "variable and give that variable's name as password_env"
                    ).format(where=self.where("password")),
                    field="password",
                )
            )
        for key in self.data:
            if key not in KEYS and key != "password":
                self.problems.append(
                    Problem(
                        _("{where}: unknown key; expected one of {keys}").format(
                            where=self.where(key), keys=", ".join(KEYS)
                        ),
                        field=key,
                    )
                )

    def string(self, key: str, default: str = "") -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            self.refuse(key, _("a text in quotes"), value)
            return default
        if has_control(value):
            self.refuse(key, _("text without control characters"))
            return default
        return value.strip()

    def phrase(self, key: str) -> str:
        value = self.string(key)
        if ENCODED_WORD in value:
            self.refuse(key, _('text without "=?" (mail programs read it as encoded text)'))
            return ""
        return value

    def choice(self, key: str, choices: tuple[str, ...], default: str) -> str:
        value = self.string(key, default).lower()
        if value not in choices:
            self.refuse(key, _("one of {choices}").format(choices=", ".join(choices)), value)
            return default
        return value

    def integer(self, key: str, low: int, high: int, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.refuse(key, _("a whole number from {low} to {high}").format(low=low, high=high), value)
            return default
        return value

    def host(self, security: str) -> str:
        if "host" not in self.data:
            self.refuse("host", _('the name of the SMTP server (host = "smtp.example.fr")'))
            return ""
        host = self.string("host")
        try:
            check_smtp_host(host)
        except DeliveryError:
            self.refuse("host", _("a host name like smtp.example.fr"), host)
            return host
        if security == "none" and not is_loopback(host):
            self.refuse(
                "host",
                _(
                    'this machine (localhost, 127.0.0.1 or ::1) when security = "none": a password '
                    "and personal data never cross a network unencrypted"
                ),
                host,
            )
        return host

    def address(self, key: str, *, required: bool = False) -> str:
        if key not in self.data:
            if required:
                self.refuse(key, _("the address the messages come from, like aesh17@ac-poitiers.fr"))
            return ""
        value = self.string(key)
        try:
            parsed = Address(addr_spec=value)
            ok = bool(parsed.username and parsed.domain) and parsed.addr_spec == value
        except (ValueError, IndexError):
            ok = False
        if not ok:
            self.refuse(key, _("one email address like name@example.fr"), value)
        return value

    def variable(self) -> str:
        name = self.string("password_env")
        user = self.data.get("user")
        if name and not _ENV_NAME.fullmatch(name):
            self.refuse("password_env", _("the name of an environment variable, like SMTP_PASSWORD"), name)
        elif user and not name:
            self.refuse(
                "password_env", _("the name of the environment variable holding the password of user")
            )
        elif name and not user:
            self.refuse("user", _("the SMTP login whose password {variable} holds").format(variable=name))
        return name


def is_loopback(host: str) -> bool:
    """localhost, 127.0.0.0/8 or ::1: a server on this machine."""
    if host.lower().rstrip(".") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def stamp(message: EmailMessage, settings: MailSettings) -> None:
    """From and Reply-To as the settings say, whatever the message held: the office sends, nobody else."""
    del message["From"]
    message["From"] = Address(display_name=settings.sender_name, addr_spec=settings.sender)
    del message["Reply-To"]
    if settings.reply_to:
        message["Reply-To"] = settings.reply_to
