"""The checker of a procedure file: every problem collected as ``FILE:LINE: field: what (got …, expected …)``."""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from ..errors import DataError
from .yaml_lines import Mapping, Node, got, join, show

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
URL_RE = re.compile(r"^https://[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(:\d+)?([/?#]\S*)?$")
ID_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
LANGUAGE_RE = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")
PHONE_RE = re.compile(r"^\+?[0-9 .()-]*[0-9][0-9 .()-]*$")
PLACEHOLDER_RE = re.compile(r"\{[^{}]*\}")
# The identifier keeps only letters, digits and hyphens (identifiers.normalise_identifier):
# any other joiner would silently vanish from every identifier.
SEPARATORS = ("", "-")
MAX_PROBLEMS = 100


class Checker:
    """Collects every problem, each as ``FILE:LINE: field: what (got …, expected …)``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.problems: list[str] = []

    def fail(self, line: int, field: str, what: str, got: str = "", expected: str = "") -> None:
        detail = ", ".join(
            part for part in (got and f"got {got}", expected and f"expected {expected}") if part
        )
        self.problems.append(
            f"{self.path}:{line}: {field or 'top level'}: {what}" + (f" ({detail})" if detail else "")
        )

    def mapping(
        self, node: Node, field: str, known: tuple[str, ...] | None, expected: str = ""
    ) -> Mapping | None:
        """The fields of ``node``, or None (reported) when it is not a mapping; unknown keys are reported."""
        if not isinstance(node.value, dict):
            self.fail(
                node.line,
                field,
                "not a mapping of fields",
                got(node.value),
                expected or f"fields {', '.join(known or ())}",
            )
            return None
        if known is not None:
            for key, child in node.value.items():
                if key not in known:
                    self.fail(
                        child.line, join(field, key), "unknown field", expected=f"one of {', '.join(known)}"
                    )
        return node.value

    def get(
        self, parent: Node, mapping: Mapping | None, key: str, field: str, required: bool = True
    ) -> Node | None:
        """The child ``key``; a missing one is reported only when its parent is a mapping."""
        if mapping is None:
            return None
        if key not in mapping or mapping[key].value is None:
            if required:
                line = mapping[key].line if key in mapping else parent.key_line
                self.fail(line, join(field, key), "required field is missing")
            return None
        return mapping[key]

    def text(
        self,
        parent: Node,
        mapping: Mapping | None,
        key: str,
        field: str,
        required: bool = True,
        default: str = "",
    ) -> str:
        node = self.get(parent, mapping, key, field, required)
        if node is None:
            return default
        return self.text_value(node, join(field, key), required, default)

    def text_value(self, node: Node, field: str, required: bool = True, default: str = "") -> str:
        if not isinstance(node.value, str):
            hint = " in quotes" if isinstance(node.value, (int, float, bool, datetime.date)) else ""
            self.fail(node.line, field, "wrong type", got(node.value), f"text{hint}")
            return default
        if required and not node.value.strip():
            self.fail(node.line, field, "empty", "''", "text")
        return node.value

    def url(self, parent: Node, mapping: Mapping | None, key: str, field: str) -> str:
        value = self.text(parent, mapping, key, field)
        if value and not URL_RE.match(value):
            assert mapping is not None  # text() found a value
            self.fail(
                mapping[key].line,
                join(field, key),
                "not an https address",
                show(value),
                "an address starting with https://",
            )
            return ""
        return value

    def email(self, node: Node, field: str) -> str:
        value = node.value
        if not isinstance(value, str) or not EMAIL_RE.match(value):
            self.fail(node.line, field, "not an email address", got(value), "an address like name@example.fr")
            return ""
        return value

    def choice(
        self,
        parent: Node,
        mapping: Mapping | None,
        key: str,
        field: str,
        choices: tuple[str, ...],
        default: str,
    ) -> str:
        value = self.text(parent, mapping, key, field, required=False, default=default)
        if value not in choices:
            assert mapping is not None
            shown = ", ".join(c if re.fullmatch(r"[a-z-]*[a-z]", c) else repr(c) for c in choices)
            self.fail(
                mapping[key].line, join(field, key), "not an allowed option", show(value), f"one of {shown}"
            )
            return default
        return value

    def sequence(self, node: Node | None, field: str, expected: str) -> list[Node] | None:
        """The items of a list, or None (reported) when ``node`` is not one."""
        if node is None:
            return None
        if not isinstance(node.value, list):
            self.fail(node.line, field, "not a list", got(node.value), expected)
            return None
        return node.value

    def placeholders(self, node: Node | None, field: str, text: str, allowed: tuple[str, ...]) -> None:
        for mark in PLACEHOLDER_RE.findall(text):
            if mark[1:-1] not in allowed:
                expected = " or ".join("{" + a + "}" for a in allowed) or "no placeholder"
                self.fail(node.line if node else 1, field, "unknown placeholder", repr(mark), expected)


def raise_problems(check: Checker) -> None:
    problems = check.problems
    if len(problems) > MAX_PROBLEMS:
        problems = problems[:MAX_PROBLEMS] + [
            f"{check.path}: {len(problems) - MAX_PROBLEMS} more problems not shown"
        ]
    raise DataError(problems)
