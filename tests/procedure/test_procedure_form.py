"""The editor's form ↔ the YAML: a change to any one field shows in the summary; check's field paths find their field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.errors import DataError
from generator.i18n import use_language
from generator.resources import default_procedure
from generator.run.procedure_store import changes, check_text, dump
from generator.web import procedure_form as form

DATA: dict[str, Any] = yaml.safe_load(default_procedure().read_text(encoding="utf-8"))

# (which field of the form, what the summary calls it)
FIELDS = [
    *(
        (("single", name), label)
        for name, label in [
            ("help-phone", "Téléphone de l'assistance"),
            ("help-hours", "Horaires de l'assistance"),
            ("webmail", "Adresse de la messagerie (ordinateur)"),
            ("mobile", "Adresse de la messagerie (téléphone)"),
            ("email-subject", "Objet du courriel"),
            ("email-body", "Texte du courriel"),
        ]
    ),
    (("step-heading", 2), "Étape 3 : titre"),
    (("step-text", 1), "Étape 2 : phrase 1"),
    (("service-name", 1), "Service 2 : nom"),
    (("service-emails", 0), "Service 1 : adresse 1"),
]

VALUE = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Zl", "Zp")),
    min_size=1,
    max_size=60,
).filter(lambda t: t.strip() and "," not in t and ";" not in t)


def _set(values: form.FormValues, where: tuple[str, Any], value: str) -> None:
    kind, key = where
    if kind == "single":
        values.single[key] = value
    elif kind == "step-heading":
        values.steps[key].heading = value
    elif kind == "step-text":
        values.steps[key].text = value + "\n" + "\n".join(values.steps[key].text.split("\n")[1:])
    elif kind == "service-name":
        values.services[key].name = value
    else:
        values.services[key].emails = value + "\n" + "\n".join(values.services[key].emails.split("\n")[1:])


def _all_texts(values: form.FormValues) -> list[str]:
    texts = list(values.single.values())
    for step in values.steps:
        texts += [step.heading, *step.text.split("\n")]
    for service in values.services:
        texts += [service.name, *service.emails.split("\n")]
    return texts


@settings(max_examples=60, deadline=None)
@given(which=st.sampled_from(FIELDS), value=VALUE)
def test_a_change_to_any_one_field_is_in_the_summary(which: tuple[tuple[str, Any], str], value: str) -> None:
    """Whatever one field becomes, the summary has exactly one line, with its label and its new value."""
    where, label = which
    values = form.from_data(DATA)
    if where[0] == "service-emails":
        value = "".join(value.split())
    _set(values, where, value)
    found = changes(DATA, yaml.safe_load(dump(form.apply(DATA, values))))
    with use_language("fr"):
        lines = form.summary(found)
    shown = " ".join(value.split())
    if not found:  # only when the field already held this text (after the form's trimming)
        before = form.from_data(DATA)
        assert shown in {" ".join(str(v).split()) for v in _all_texts(before)}
        return
    assert len(lines) == 1, lines
    assert lines[0].startswith(label.replace(" : ", "\u00a0: ") + "\u00a0: ")
    assert lines[0].endswith(shown[:100]) or shown[:100] in lines[0]


def test_unchanged_form_changes_nothing() -> None:
    """The form as loaded, posted back, gives the same document (every other field kept)."""
    assert changes(DATA, yaml.safe_load(dump(form.apply(DATA, form.from_data(DATA))))) == ()


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("help.phone", "help-phone"),
        ("help.hours", "help-hours"),
        ("links.webmail.url", "webmail"),
        ("links.mobile.url", "mobile"),
        ("document.updated", "updated"),
        ("email.subject", "email-subject"),
        ("email.body", "email-body"),
        ("steps[2].text[0]", "step-2-text"),
        ("steps[2].text", "step-2-text"),
        ("steps[0].heading", "step-0-heading"),
        ("contacts[1].emails[0]", "service-1-emails"),
        ("contacts[1].name", "service-1-name"),
        ("contacts[3].id", "service-3-name"),
        ("identifier.initial", None),
    ],
)
def test_a_field_path_finds_its_form_field(path: str, field: str | None) -> None:
    assert form.field_for(path) == field


def test_checks_problems_go_beside_their_fields(tmp_path: Path) -> None:
    """An http:// address, an empty step, a phone with letters: each French message goes to its field."""
    values = form.from_data(DATA)
    values.single["webmail"] = "http://webmail.ac-poitiers.fr"
    values.steps[1].text = ""
    values.single["help-phone"] = "05 16 AB 66 86"
    shown = tmp_path / "procedure.yaml"
    with use_language("fr"), pytest.raises(DataError) as caught:
        check_text(dump(form.apply(DATA, values)), shown)
    with use_language("fr"):
        problems = form.field_problems(caught.value.problems, str(shown))
    by_field = {p.field: p.text for p in problems}
    assert set(by_field) == {"webmail", "step-1-text", "help-phone"}
    assert "https://" in by_field["webmail"] and "pas une adresse https" in by_field["webmail"]
    assert "pas un numéro de téléphone" in by_field["help-phone"]
    assert str(shown) not in " ".join(by_field.values())


def test_services_are_added_moved_and_removed() -> None:
    """A new service gets an id from its name; moving and removing keep each service's id and addresses."""
    values = form.from_data(DATA)
    form.add_service(values)
    values.services[-1].name = "Lycée Élie Vinet"
    values.services[-1].emails = "ce.0160001a@ac-poitiers.fr"
    form.move_service(values, 2, -1)
    form.move_service(values, 0, -1)  # already first: nothing moves
    form.remove_service(values, 2)
    contacts = form.apply(DATA, values)["contacts"]
    assert [c["id"] for c in contacts] == ["vieljeux", "lycee-elie-vinet"]
    assert contacts[1]["emails"] == ["ce.0160001a@ac-poitiers.fr"]


def test_merge_keeps_both_peoples_changes() -> None:
    """My changed fields stay mine; the fields I did not touch take the other's change."""
    base = form.from_data(DATA)
    mine, theirs = form.from_data(DATA), form.from_data(DATA)
    mine.single["help-hours"] = "Du lundi au jeudi"
    theirs.single["help-phone"] = "05 16 52 66 87"
    theirs.single["help-hours"] = "Le mardi"
    merged = form.merge(base, mine, theirs)
    assert merged.single["help-hours"] == "Du lundi au jeudi"
    assert merged.single["help-phone"] == "05 16 52 66 87"


def test_merge_keeps_my_values_when_services_were_rearranged() -> None:
    base = form.from_data(DATA)
    mine, theirs = form.from_data(DATA), form.from_data(DATA)
    form.add_service(theirs)
    theirs.single["help-phone"] = "05 16 52 66 87"
    assert form.merge(base, mine, theirs).single["help-phone"] == "05 16 52 66 86"
