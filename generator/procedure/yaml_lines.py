"""YAML with line numbers: every value of the procedure file keeps the line it starts on."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any, Protocol

import yaml

from ..errors import DataError
from ..i18n import _
from ..numen import quoted

Mapping = dict[str, "Node"]


class Reports(Protocol):
    """Where the reader records what it refuses: the procedure's Checker (checker.py builds on these nodes)."""

    def fail(self, line: int, field: str, what: str, got: str = "", expected: str = "") -> None: ...


class Node:
    """A YAML value with the line it starts on (1-based)."""

    __slots__ = ("value", "line", "key_line")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line
        # Where its key is, for a mapping's value: a missing field inside it is reported there.
        self.key_line = line


def _brief(value: Any, room: int) -> str:
    """A repr of ``value`` (line numbers dropped) of about ``room`` characters at most.

    Work stays in proportion to ``room``, even for aliases that expand a billion times.
    """
    if isinstance(value, Node):
        value = value.value
    if room <= 0:
        return "…"
    if isinstance(value, (dict, list)):
        items = value.items() if isinstance(value, dict) else ((None, v) for v in value)
        opening, closing = ("{", "}") if isinstance(value, dict) else ("[", "]")
        parts: list[str] = []
        used = 2
        for key, item in items:
            if used >= room:
                parts.append("…")
                break
            prefix = "" if key is None else f"{key!r}: "
            part = prefix + _brief(item, room - used - len(prefix))
            parts.append(part)
            used += len(part) + 2
        return opening + ", ".join(parts) + closing
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, str):
        # A roster given as --data by mistake holds NUMENs: a message never shows one, even cut short.
        return quoted(value, limit=max(room, 2))
    return repr(value)


def show(value: Any) -> str:
    text = _brief(value, 60)
    return text if len(text) <= 60 else text[:59] + "…"


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return _("a mapping")
    if isinstance(value, list):
        return _("a list")
    if value is None:
        return _("nothing")
    if isinstance(value, bool):
        return _("a boolean")
    if isinstance(value, (int, float)):
        return _("a number")
    if isinstance(value, (datetime.date, datetime.datetime)):
        return _("a date")
    if isinstance(value, bytes):
        return _("binary data")
    if isinstance(value, str):
        return _("text")
    return type(value).__name__


def got(value: Any) -> str:
    """``a number 12``, ``text 'abc'``, ``nothing`` (in the reader's language)."""
    if value is None:
        return _("nothing")
    return _("{kind} {value}").format(kind=_kind(value), value=show(value))


def join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


class Tree:
    """Turns composed YAML nodes into ``Node``s; reports what YAML allows and we do not."""

    def __init__(self, checker: Reports) -> None:
        self.check = checker
        self.loader = yaml.SafeLoader("")
        self.done: dict[int, Node] = {}  # aliases share one node: linear, even for "billion laughs"
        self.open: set[int] = set()

    def build(self, node: yaml.Node, field: str) -> Node:
        line = node.start_mark.line + 1
        if id(node) in self.done:
            return self.done[id(node)]
        if id(node) in self.open:
            self.check.fail(
                line, field, _("an alias refers to the mapping or list it is in"), expected=_("no loop")
            )
            return Node(None, line)
        self.open.add(id(node))
        try:
            result = Node(self._value(node, field, line), line)
        finally:
            self.open.discard(id(node))
        self.done[id(node)] = result
        return result

    def _value(self, node: yaml.Node, field: str, line: int) -> Any:
        if isinstance(node, yaml.MappingNode):
            mapping: Mapping = {}
            for key_node, value_node in node.value:
                key_line = key_node.start_mark.line + 1
                if not isinstance(key_node, yaml.ScalarNode):
                    self.check.fail(
                        key_line,
                        field,
                        _("a key is not a plain name"),
                        _("a {kind} key").format(kind=key_node.id),
                        _("a field name"),
                    )
                    continue
                key = str(key_node.value)
                if key in mapping:
                    self.check.fail(
                        key_line,
                        join(field, key),
                        _("field given twice"),
                        _("another one at line {line}").format(line=mapping[key].line),
                        _("each field once"),
                    )
                    continue
                child = self.build(value_node, join(field, key))
                if child.key_line == child.line:  # a node reached through an alias keeps its first key
                    child.key_line = min(key_line, child.line)
                mapping[key] = child
            return mapping
        if isinstance(node, yaml.SequenceNode):
            return [self.build(item, f"{field}[{i}]") for i, item in enumerate(node.value)]
        # Scalars: let YAML decide the type (so `yes`, `12` stay what they are).
        if node.tag.startswith("!") and not node.tag.startswith("!!"):
            self.check.fail(
                line, field, _("unknown YAML tag"), repr(node.tag), _("plain values without tags")
            )
            return node.value
        try:
            return self.loader.construct_object(node)
        except Exception as exc:  # noqa: BLE001 — any constructor failure is the data's fault
            reason = getattr(exc, "problem", None) or str(exc)
            self.check.fail(
                line,
                field,
                _("unreadable value: {reason}").format(reason=reason),
                repr(node.value),
                _("text in quotes"),
            )
            return node.value


MAX_VALUES = 100_000  # a real procedure has a few hundred


def _expanded_size(node: yaml.Node, memo: dict[int, int], active: set[int]) -> int:
    """How many values the document holds once every alias is expanded (a loop counts once)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if key in active or not isinstance(node, (yaml.SequenceNode, yaml.MappingNode)):
        return 1
    active.add(key)
    children = node.value if isinstance(node, yaml.SequenceNode) else [v for _k, v in node.value]
    total = 1
    for child in children:
        total += _expanded_size(child, memo, active)
        if total > MAX_VALUES:
            break
    active.discard(key)
    memo[key] = total
    return total


def read_yaml(path: Path, check: Reports, top_fields: tuple[str, ...]) -> Node:
    """The procedure file as nodes with their lines; DataError (one message, with the line) when it cannot be read."""
    root = _compose(path, _text(path, _read(path)))
    _check_size(path, root)
    fields = ", ".join(top_fields)
    if root is None or (isinstance(root, yaml.ScalarNode) and root.tag.endswith(":null") and not root.value):
        raise DataError(
            _("{path}:{line}: the file is empty (expected fields {names})").format(
                path=path, line=1, names=fields
            )
        )
    try:
        node = Tree(check).build(root, "")
    except RecursionError:
        raise DataError(_too_deep(path)) from None
    if not isinstance(node.value, dict):
        raise DataError(
            _(
                "{path}:{line}: top level: not a mapping of fields (got {got}, expected fields {names})"
            ).format(path=path, line=node.line, got=got(node.value), names=fields)
        )
    return node


def _read(path: Path) -> bytes:
    """The file's bytes, or DataError saying why they cannot be had."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DataError(
            _("{path}: file not found (expected a procedure YAML file)").format(path=path)
        ) from None
    except IsADirectoryError:
        raise DataError(_("{path}: is a folder (expected a procedure YAML file)").format(path=path)) from None
    except (OSError, ValueError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise DataError(
            _("{path}: cannot read the file ({reason})").format(path=path, reason=reason)
        ) from None
    return raw


def _text(path: Path, raw: bytes) -> str:
    """The bytes as UTF-8 text (a BOM allowed), or DataError naming the line of the first bad byte."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DataError(
            _("{path}:{line}: saved as UTF-16 (expected UTF-8: save the file as UTF-8)").format(
                path=path, line=1
            )
        )
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        raise DataError(
            _("{path}:{line}: not a text file (got a NUL byte, expected a UTF-8 YAML file)").format(
                path=path, line=line
            )
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise DataError(
            _(
                "{path}:{line}: not valid UTF-8 (got byte {byte}, expected UTF-8: save the file as UTF-8)"
            ).format(path=path, line=line, byte=f"0x{raw[exc.start]:02x}")
        ) from None
    return text


def _compose(path: Path, text: str) -> yaml.Node | None:
    """PyYAML's node tree of ``text`` (None for an empty document), or DataError with the line."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else 1
        problem = exc.problem or exc.context or _("syntax error")  # PyYAML's own words stay in English
        if "\t" in problem or "\\t" in problem:
            problem += _(" (tabs cannot indent YAML: use spaces)")
        raise DataError(
            _("{path}:{line}: invalid YAML: {problem}").format(path=path, line=line, problem=problem)
        ) from None
    except yaml.reader.ReaderError as exc:
        line = text[: exc.position].count("\n") + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise DataError(
            _("{path}:{line}: invalid YAML: control character (got {code}, expected printable text)").format(
                path=path, line=line, code=f"U+{ord(char):04X}"
            )
        ) from None
    except yaml.YAMLError as exc:
        raise DataError(_("{path}: invalid YAML: {problem}").format(path=path, problem=exc)) from None
    except RecursionError:
        raise DataError(_too_deep(path)) from None
    return root


def _check_size(path: Path, root: yaml.Node | None) -> None:
    """DataError when aliases expand the document past MAX_VALUES values (a "billion laughs")."""
    try:
        too_many = root is not None and _expanded_size(root, {}, set()) > MAX_VALUES
    except RecursionError:
        raise DataError(_too_deep(path)) from None
    if too_many:
        raise DataError(
            _(
                "{path}: invalid YAML: aliases (*name) expand to more than {limit} values "
                "(expected a procedure written out, without nested aliases)"
            ).format(path=path, limit=MAX_VALUES)
        )


def _too_deep(path: Path) -> str:
    return _("{path}: invalid YAML: nested too deeply (expected a few levels)").format(path=path)
