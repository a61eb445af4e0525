"""The fields the procedure's owners edit in a form ↔ the YAML document, and the field paths of ``check`` ↔ those fields.

The form edits what changes from one school year to the next: the
services gestionnaires, the help line, the webmail and mobile addresses,
each step's heading and sentences, the e-mail's subject and text, the date
of update. Everything else in the file is kept as it is.
"""

from __future__ import annotations

import copy
import datetime
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import ProcedureChange as Change
from .. import holds_numen, numen_refusal
from ..i18n import _

# Form field ids of the single fields, and the field path each one edits.
SINGLE = {
    "updated": "document.updated",
    "help-phone": "help.phone",
    "help-hours": "help.hours",
    "webmail": "links.webmail.url",
    "mobile": "links.mobile.url",
    "email-subject": "email.subject",
    "email-body": "email.body",
}
_PATH_FIELD = {path: name for name, path in SINGLE.items()}
_INDEXED = re.compile(r"^(contacts|steps)\[(\d+)\](?:\.(\w+))?")
MAX_SERVICES = 20
SHOWN_VALUE = 120  # characters of a value a summary line shows


@dataclass
class Service:
    id: str
    name: str
    emails: str  # one address a line


@dataclass
class StepText:
    heading: str
    text: str  # one sentence a line


@dataclass
class FormValues:
    """What the form shows and posts, as text."""

    services: list[Service] = field(default_factory=list)
    steps: list[StepText] = field(default_factory=list)
    single: dict[str, str] = field(default_factory=dict)


def _text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return "" if value is None else str(value)


def _get(data: Any, path: str) -> Any:
    for key in path.split("."):
        data = data.get(key) if isinstance(data, dict) else None
    return data


def from_data(data: Mapping[str, Any]) -> FormValues:
    """The form's values for a YAML document (as ``yaml.safe_load`` reads it)."""
    services = [
        Service(
            _text(group.get("id")),
            _text(group.get("name")),
            "\n".join(_text(e) for e in group.get("emails") or []),
        )
        for group in data.get("contacts") or []
        if isinstance(group, dict)
    ]
    steps = [
        StepText(_text(step.get("heading")), "\n".join(_text(t) for t in step.get("text") or []))
        for step in data.get("steps") or []
        if isinstance(step, dict)
    ]
    single = {name: _text(_get(data, path)) for name, path in SINGLE.items()}
    return FormValues(services, steps, single)


def _clean(value: str | None) -> str:
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


def from_form(form: Mapping[str, str]) -> FormValues:
    """The values a posted form holds (``service-count`` services, ``step-count`` steps)."""

    def count(name: str, most: int) -> int:
        text = form.get(name, "")
        return min(int(text), most) if text.isdigit() else 0

    services = [
        Service(
            _clean(form.get(f"service-{i}-id")).strip(),
            _clean(form.get(f"service-{i}-name")).strip(),
            _clean(form.get(f"service-{i}-emails")),
        )
        for i in range(count("service-count", MAX_SERVICES))
    ]
    steps = [
        StepText(_clean(form.get(f"step-{i}-heading")).strip(), _clean(form.get(f"step-{i}-text")))
        for i in range(count("step-count", 50))
    ]
    single = {name: _clean(form.get(name)) for name in SINGLE}
    return FormValues(services, steps, single)


def slug(name: str) -> str:
    """An id for a new service from its name: lower-case ASCII letters, digits and hyphens."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name).strip("-")[:40]


def _service_ids(services: list[Service]) -> list[str]:
    """Each service's id: the one it has, else one made from its name, never twice the same."""
    taken: set[str] = {s.id for s in services if s.id}
    ids = []
    for number, service in enumerate(services, start=1):
        if service.id:
            ids.append(service.id)
            continue
        base = slug(service.name) or f"service-{number}"
        new, extra = base, 1
        while new in taken:
            extra += 1
            new = f"{base}-{extra}"
        taken.add(new)
        ids.append(new)
    return ids


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.split("\n") if line.strip()]


def _emails(text: str) -> list[str]:
    return [part for part in re.split(r"[\s,;]+", text) if part]


def _date_or_text(text: str) -> Any:
    """An ISO date is written as a YAML date; anything else as typed (``check`` then names it)."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return text.strip()


def _contacts(data: Mapping[str, Any], services: list[Service]) -> list[dict[str, Any]]:
    """The contacts section: each service's other keys kept, found by its id."""
    before = {g.get("id"): g for g in data.get("contacts") or [] if isinstance(g, dict)}
    groups = []
    for service, group_id in zip(services, _service_ids(services), strict=True):
        group = dict(before.get(group_id) or {})
        group.update(id=group_id, name=service.name, emails=_emails(service.emails))
        groups.append(group)
    return groups


def apply(data: Mapping[str, Any], values: FormValues) -> dict[str, Any]:
    """The document ``data`` with the form's values in their places; every other field as it was."""
    new: dict[str, Any] = copy.deepcopy(dict(data))
    for name, path in SINGLE.items():
        *parents, key = path.split(".")
        section = new
        for parent in parents:
            section = section.setdefault(parent, {}) if isinstance(section.get(parent, {}), dict) else {}
        value = values.single.get(name, "")
        if name == "updated":
            if value.strip():
                section[key] = _date_or_text(value)
            else:
                section.pop(key, None)
        elif name == "email-body":
            section[key] = value.rstrip("\n") + "\n" if value.strip() else ""
        else:
            section[key] = value.strip()
    new["contacts"] = _contacts(data, values.services)
    for step, text in zip(new.get("steps") or [], values.steps, strict=False):
        if isinstance(step, dict):
            step["heading"] = text.heading
            step["text"] = _lines(text.text)
    return new


def field_for(path: str) -> str | None:
    """The form field a problem's field path is about (``steps[2].text[0]`` → ``step-2-text``); None: no field."""
    for known, name in _PATH_FIELD.items():
        if path == known or path.startswith(known + "[") or path.startswith(known + "."):
            return name
    match = _INDEXED.match(path)
    if not match:
        return None
    section, index, key = match.groups()
    if section == "steps":
        return f"step-{index}-heading" if key == "heading" else f"step-{index}-text"
    return f"service-{index}-emails" if key == "emails" else f"service-{index}-name"


def label_for(path: str) -> str:
    """What the form calls the field at ``path`` (the path itself for a field the form does not show)."""
    labels = {
        "document.updated": _("Date of update"),
        "help.phone": _("Help line phone"),
        "help.hours": _("Help line hours"),
        "links.webmail.url": _("Webmail address (computer)"),
        "links.mobile.url": _("Webmail address (phone)"),
        "email.subject": _("E-mail subject"),
        "email.body": _("E-mail text"),
    }
    if path in labels:
        return labels[path]
    match = re.match(r"^(contacts|steps)\[(\d+)\](?:\.(\w+))?(?:\[(\d+)\])?$", path)
    if not match:
        return path
    section, index, key, item = match.groups()
    number = int(index) + 1
    if section == "steps":
        if key == "heading":
            return _("Step {number}: heading").format(number=number)
        if key == "text" and item is not None:
            return _("Step {number}: sentence {item}").format(number=number, item=int(item) + 1)
        if key == "text":
            return _("Step {number}: sentences").format(number=number)
        return _("Step {number}").format(number=number)
    if key == "emails" and item is not None:
        return _("Service {number}: address {item}").format(number=number, item=int(item) + 1)
    if key == "emails":
        return _("Service {number}: addresses").format(number=number)
    if key in ("name", "id"):
        return _("Service {number}: name").format(number=number)
    return _("Service {number}").format(number=number)


def _shown(value: str) -> str:
    flat = " ".join(value.split())
    return flat if len(flat) <= SHOWN_VALUE else flat[: SHOWN_VALUE - 1] + "…"


def summary(found: tuple[Change, ...] | list[Change]) -> list[str]:
    """What changed, one line a field, in the reader's words: ``Help line phone: 05 … 86 → 05 … 87``."""
    lines = []
    for change in found:
        label = label_for(change.path)
        if not change.old:
            lines.append(_("{label}: added {new}").format(label=label, new=_shown(change.new)))
        elif not change.new:
            lines.append(_("{label}: removed ({old})").format(label=label, old=_shown(change.old)))
        else:
            lines.append(
                _("{label}: {old} → {new}").format(
                    label=label, old=_shown(change.old), new=_shown(change.new)
                )
            )
    return lines


@dataclass(frozen=True)
class FieldProblem:
    """A problem of ``check`` for the form: the field it is about (None: the whole procedure) and its words."""

    field: str | None
    text: str  # what is wrong, without the file and line
    label: str = ""  # the field's label, for the error summary


def field_problems(problems: list[str], shown_as: str) -> list[FieldProblem]:
    """``check``'s messages (``FILE:LINE: field: what``) → each beside the form field its field path names."""
    where = re.compile(rf"^{re.escape(shown_as)}:\d+\s?: (\S+)\s?: (.*)$", re.DOTALL)
    found = []
    for problem in problems:
        match = where.match(problem)
        if match is None:
            text = problem.removeprefix(shown_as).lstrip(" :\u00a0")
            found.append(FieldProblem(None, text))
            continue
        path, text = match.groups()
        found.append(FieldProblem(field_for(path), text, label_for(path)))
    return found


def _typed(values: FormValues) -> list[tuple[str, str, str]]:
    """Every value typed in the form: (its form field, its field path, the value)."""
    found = [(name, SINGLE[name], values.single.get(name, "")) for name in SINGLE]
    for i, step in enumerate(values.steps):
        found += [(f"step-{i}-heading", f"steps[{i}].heading", step.heading)]
        found += [(f"step-{i}-text", f"steps[{i}].text", step.text)]
    for i, service in enumerate(values.services):
        found += [(f"service-{i}-name", f"contacts[{i}].name", service.name)]
        found += [(f"service-{i}-emails", f"contacts[{i}].emails", service.emails)]
    return found


def numen_problems(values: FormValues) -> list[FieldProblem]:
    """The fields that hold a NUMEN (a password): refused before any check, so that no message quotes one.

    Each such field is emptied in ``values``: the page never shows it back.
    """
    problems = []
    for name, path, value in _typed(values):
        if value and holds_numen(value):
            label = label_for(path)
            problems.append(FieldProblem(name, numen_refusal(label, at_the_desk=True), label))
            _blank(values, name)
    return problems


def _blank(values: FormValues, name: str) -> None:
    _put(values, name, "")


def _put(values: FormValues, name: str, value: str) -> None:
    """Set the form field ``name`` (``help-phone``, ``step-2-text``, ``service-0-emails``…)."""
    if name in values.single:
        values.single[name] = value
        return
    kind, index, part = name.split("-")
    target = values.steps[int(index)] if kind == "step" else values.services[int(index)]
    setattr(target, part, value)


def _shape(values: FormValues) -> tuple[list[str], int]:
    return [s.id for s in values.services], len(values.steps)


def merge(base: FormValues, mine: FormValues, theirs: FormValues) -> FormValues:
    """My values where I changed them since ``base``; theirs wherever I did not: nobody's change is lost.

    When the services or the steps were added, removed or reordered on
    either side, fields cannot be matched: my values are kept as they are.
    """
    if not _shape(base) == _shape(mine) == _shape(theirs):
        return mine
    merged = copy.deepcopy(mine)
    before = {name: value for name, _path, value in _typed(base)}
    now = {name: value for name, _path, value in _typed(theirs)}
    for name, _path, value in _typed(mine):
        if _same(value, before.get(name, "")):
            _put(merged, name, now.get(name, value))
    return merged


def _same(one: str, other: str) -> bool:
    return one.strip() == other.strip()


def add_service(values: FormValues) -> None:
    if len(values.services) < MAX_SERVICES:
        values.services.append(Service("", "", ""))


def remove_service(values: FormValues, index: int) -> None:
    if 0 <= index < len(values.services):
        del values.services[index]


def move_service(values: FormValues, index: int, delta: int) -> None:
    """Service ``index`` one place up (-1) or down (+1); at an end nothing moves."""
    other = index + delta
    if 0 <= index < len(values.services) and 0 <= other < len(values.services):
        values.services[index], values.services[other] = values.services[other], values.services[index]


__all__ = [
    "SINGLE",
    "FieldProblem",
    "FormValues",
    "Service",
    "StepText",
    "add_service",
    "apply",
    "field_for",
    "field_problems",
    "from_data",
    "from_form",
    "label_for",
    "merge",
    "move_service",
    "numen_problems",
    "remove_service",
    "summary",
]
