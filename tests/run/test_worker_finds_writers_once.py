"""A worker finds the writers of the run's page once; a person of a known office still gets that office's page."""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from generator.people.person import Person, make_person
from generator.run import worker as worker_module
from generator.run.plan import Job
from generator.run.worker import Worker


def _job(person: Person, stem: str) -> Job:
    return Job(person=person, stem=stem)


def test_sheets_of_the_run_page_ask_the_registry_nothing(procedure, tmp_path: Path, monkeypatch) -> None:
    """The writers found when the worker starts serve every sheet of the run's page (no look-up per sheet)."""
    w = Worker(procedure, ("pdf", "docx"), tmp_path, eml=False)
    looked_up: list[str] = []
    real = worker_module.writer

    def counted(fmt, page):
        looked_up.append(fmt)
        return real(fmt, page)

    monkeypatch.setattr(worker_module, "writer", counted)
    for i, name in enumerate(["Dupont", "Martin", "Lefèvre"]):
        made = w.run(_job(Person("Marie", name, f"m{name.lower()}", row=i + 2), f"p{i}"))
        assert not made.problem and set(made.files) == {"pdf", "docx"}
    assert looked_up == []


def test_a_person_of_a_known_office_gets_its_page(procedure, tmp_path: Path) -> None:
    """Step 1 of their sheet names their office alone: the writer of that page, not the run's."""
    w = Worker(procedure, ("pdf",), tmp_path, eml=False)
    office = procedure.contacts[0]
    other = procedure.contacts[1]
    person = make_person(procedure, first_name="Marie", last_name="Dupont", manager=office.id)
    plain = Person("Zoé", "Quenneville", "zquenneville", row=3)
    w.run(_job(person, "office"))
    w.run(_job(plain, "plain"))
    office_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "office.pdf").pages)
    plain_text = "".join(p.extract_text() for p in PdfReader(tmp_path / "plain.pdf").pages)
    assert other.emails[0] in plain_text  # the run's page lists every office
    assert other.emails[0] not in office_text
    assert office.emails[0] in office_text
