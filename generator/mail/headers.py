"""The headers of a draft: refused when data could turn into other headers, proved by reading them back."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.headerregistry import Address
from email.message import EmailMessage
from email.parser import BytesParser

from ..errors import DeliveryError, Problem
from ..i18n import _

# "=?" opens an RFC 2047 encoded word: Python's email package decodes one in a
# name or subject while folding the header, so `=?UTF-8?B?…?=` could write
# CR LF "Bcc: …" or more addresses into the draft. No real name holds it.
ENCODED_WORD = "=?"
# CR, LF and other control characters in a header would start a new header
# (header injection) or be refused by the email package: fold them to spaces.
# C1 too (\x9b is a terminal's CSI, as ESC [ is): no name or subject holds one.
CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
# Outlook opens a message carrying this header as an unsent draft.
UNSENT = "X-Unsent"
# Written as ``send`` and the desk write drafts: CRLF lines.
WIRE = policy.default.clone(linesep="\r\n", max_line_length=998)
# Every header a draft's top level holds: drafts.py writes the first six,
# set_content / add_attachment the MIME ones.
WRITTEN = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "X-Unsent",
    "MIME-Version",
    "Content-Type",
    "Content-Transfer-Encoding",
)
_WRITTEN_KEYS = {name.lower() for name in WRITTEN}
_FOLD = re.compile(r"\r?\n[ \t]+")
# C0, DEL and C1 controls, and the bidi embeddings, overrides and isolates
# that reorder what a terminal shows (Trojan Source).
_UNSHOWABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Meant:
    """What a draft's headers must read back as: the one recipient, the sender, the subject."""

    to: tuple[str, str]  # (display name, address)
    sender: tuple[str, str] | None  # None: the draft has no From (send --from gives it)
    subject: str
    reply_to: tuple[str, str] | None = None  # None: the draft has no Reply-To (none may be there)


def one_line(text: str) -> str:
    """``text`` on one line: every control character (CR, LF…) folded to a space, spaces collapsed."""
    return " ".join(CONTROL.sub(" ", text).split())


def shown(text: str) -> str:
    """``text`` safe for a terminal: each control character written as ``\\x1b``, ``\\u202e``…"""
    return _UNSHOWABLE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def has_control(text: str) -> bool:
    return _UNSHOWABLE.search(text) is not None


def refuse_encoded_words(fields: Mapping[str, tuple[str, str]], where: str, line: int | None) -> None:
    """DeliveryError naming ``where`` and each field whose value holds ``=?``; the value is never shown.

    ``fields`` maps a field's key (``first``, ``email.subject``…) to its label and value.
    """
    problems = [
        Problem(
            _(
                '{where}: {field}: holds "=?", which mail programs read as encoded text '
                "that can add recipients; the draft is not written"
            ).format(where=where, field=label),
            field=key,
            line=line,
        )
        for key, (label, value) in fields.items()
        if ENCODED_WORD in value
    ]
    if problems:
        raise DeliveryError(problems)


def prove(message: EmailMessage, meant: Meant, where: str, line: int | None) -> None:
    """Serialise the headers as a draft file holds them, parse them back, compare; DeliveryError if any differs.

    Folding header by header (``Policy.fold_binary``) is what the generator
    writes, without serialising the attachment a second time. The top level
    and the attachments are read back: the other parts' headers hold no data.
    """
    top = _read_back(message.items())
    decoded = _as_rfc2047_reads(message.items())
    reasons = _differences(message, top, decoded) + _top_differences(top, meant, decoded)
    for part in message.iter_attachments():
        # Typeshed's older stubs call the parts Message; under policy.default they are EmailMessage.
        assert isinstance(part, EmailMessage)
        items = part.items()
        reasons += _differences(part, _read_back(items), _as_rfc2047_reads(items))
    if reasons:
        raise DeliveryError(
            Problem(
                _(
                    "{where}: the headers would not read back as written ({reasons}); the draft is not written"
                ).format(where=where, reasons="; ".join(dict.fromkeys(reasons))),
                line=line,
            )
        )


def _read_back(items: Iterable[tuple[str, object]]) -> EmailMessage:
    block = b"".join(WIRE.fold_binary(name, value) for name, value in items)  # type: ignore[arg-type]
    parsed = BytesParser(policy=policy.default).parsebytes(block + b"\r\n", headersonly=True)
    assert isinstance(parsed, EmailMessage)  # policy.default parses into EmailMessage
    return parsed


def _as_rfc2047_reads(items: Iterable[tuple[str, object]]) -> list[str]:
    """Each folded header's text as RFC 2047 reads it: no space between two encoded words.

    A long name is folded into several encoded words, split inside a word
    ("…Exu?= =?utf-8?q?p=C3=A9ry…"); mail programs join them back
    (RFC 2047 §6.2), Python's header parser adds a space. A text that reads
    differently to the parser only is accepted when this reading gives it
    back exactly; the addresses are still counted and compared as parsed.
    """
    block = b"".join(WIRE.fold_binary(name, value) for name, value in items)  # type: ignore[arg-type]
    raw = BytesParser(policy=policy.compat32).parsebytes(block + b"\r\n", headersonly=True)
    return [str(make_header(decode_header(_FOLD.sub(" ", str(value))))) for _name, value in raw.items()]


def _differences(written: EmailMessage, back: EmailMessage, decoded: list[str]) -> list[str]:
    names = [name.lower() for name in written.keys()]
    if [name.lower() for name in back.keys()] != names or len(decoded) != len(names):
        return [_("other headers than those written")]
    return [
        _("{header} reads differently").format(header=name)
        for (name, value), (_name, again), text in zip(written.items(), back.items(), decoded, strict=True)
        if str(value) not in (str(again), text)
    ]


def _top_differences(back: EmailMessage, meant: Meant, decoded: list[str]) -> list[str]:
    texts = dict(zip((name.lower() for name in back.keys()), decoded, strict=False))
    reasons = _one_address(back, "To", meant.to, texts)
    if meant.sender is not None:
        reasons += _one_address(back, "From", meant.sender, texts)
    if meant.reply_to is not None:
        reasons += _one_address(back, "Reply-To", meant.reply_to, texts)
    if meant.subject not in (str(back.get("Subject", "")), texts.get("subject")):
        reasons.append(_("{header} reads differently").format(header="Subject"))
    allowed = _WRITTEN_KEYS | ({"reply-to"} if meant.reply_to is not None else set())
    unknown = [name for name in back.keys() if name.lower() not in allowed]
    if unknown:
        reasons.append(_("other headers than those written"))
    return reasons


def _one_address(back: EmailMessage, header: str, meant: tuple[str, str], texts: dict[str, str]) -> list[str]:
    values = back.get_all(header, [])
    addresses = [a for value in values for a in getattr(value, "addresses", ())]
    if len(values) != 1 or len(addresses) != 1:
        return [_("{header} does not hold exactly one address").format(header=header)]
    name, address = meant
    if addresses[0].addr_spec != address:
        return [_("{header} reads differently").format(header=header)]
    if addresses[0].display_name != name and texts.get(header.lower()) != str(
        Address(name, addr_spec=address)
    ):
        return [_("{header} reads differently").format(header=header)]
    return []


def unwritten_headers(message: EmailMessage) -> list[str]:
    """The top-level headers of a draft that this tool never writes, or writes once and are there twice."""
    seen: dict[str, int] = {}
    for name in message.keys():
        seen[name.lower()] = seen.get(name.lower(), 0) + 1
    odd = [name for name in message.keys() if name.lower() not in _WRITTEN_KEYS or seen[name.lower()] > 1]
    return list(dict.fromkeys(odd))
