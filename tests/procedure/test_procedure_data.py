"""The procedure data: the facts it carries, its model, and every way a file can be wrong."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from helpers import OTHER_PROCEDURE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import DataError
from generator.procedure.identifiers import compute_identifier
from generator.procedure.model import Procedure, plain
from generator.procedure.schema import DEFAULT_DATA, load_procedure
from generator.procedure.typography import NBSP, french_spacing, split_bold

BASE = DEFAULT_DATA.read_text(encoding="utf-8")
OTHER = OTHER_PROCEDURE.read_text(encoding="utf-8")
POITIERS_URL = "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"


# ---------------------------------------------------------------- helpers


def norm(text: str) -> str:
    """Spaces folded (no-break ones included) and curly apostrophes straightened."""
    return " ".join(text.replace(NBSP, " ").replace("\u202f", " ").replace("\u2019", "'").split())


def all_text(p: Procedure) -> str:
    """Every piece of text the documents can show, as one string."""
    parts = [p.meta.audience, p.meta.title, p.meta.purpose, p.meta.author, p.meta.subject]
    parts += [f"{code.label} {code.url}" for code in p.qr_codes]
    parts += [f"{g.name} {' '.join(g.emails)}" for g in p.contacts]
    for step in p.steps:
        parts.append(step.heading)
        parts += [plain(par) for par in step.paragraphs]
    parts += [p.help.label, p.help.phone, p.help.hours]
    t = p.personal
    # The personal texts keep their **bold** marks until a sheet is composed.
    note = "".join(part for part, _bold in split_bold(t.homonym_note))
    parts += [t.heading, t.identifier_label, note, t.numen_label, t.numen_note, t.manager_note]
    parts += [p.email.sender, p.email.sender_name, p.email.subject, p.email.body]
    return norm(" ".join(parts))


def line_of(text: str, needle: str) -> int:
    """1-based line of the first line of ``text`` that contains ``needle``."""
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    raise AssertionError(f"{needle!r} not in the text")


def variant(tmp_path: Path, old: str, new: str, base: str = BASE, name: str = "bad.yaml") -> Path:
    """The default data with one exact piece replaced, written to a file."""
    assert base.count(old) == 1, f"{old!r} must occur once"
    path = tmp_path / name
    path.write_text(base.replace(old, new), encoding="utf-8")
    return path


def problems(path: Path) -> list[str]:
    """The problems load_procedure reports for ``path`` (it must refuse the file)."""
    with pytest.raises(DataError) as info:
        load_procedure(path)
    return info.value.problems


def only_problem(path: Path) -> str:
    found = problems(path)
    assert len(found) == 1, found
    return found[0]


# ---------------------------------------------------------------- the default data


def test_default_data_loads_with_four_steps_two_groups_one_code(procedure: Procedure) -> None:
    """The embedded procedure is valid: 4 steps, 2 contact groups, 1 QR code."""
    assert [s.number for s in procedure.steps] == [1, 2, 3, 4]
    assert [g.id for g in procedure.contacts] == ["vieljeux", "aesh17"]
    assert len(procedure.qr_codes) == 1
    assert procedure.source == DEFAULT_DATA


def test_fact1_numen_is_13_characters_given_at_signing(procedure: Procedure) -> None:
    """Fact 1: the NUMEN, 13 characters, is given at contract signing."""
    text = all_text(procedure)
    assert "NUMEN est un code de 13 caractères" in text
    assert "signature de votre contrat" in text


def test_fact2_numen_comes_from_the_managing_office(procedure: Procedure) -> None:
    """Fact 2: lycée Vieljeux (two addresses) or the AESH unit (aesh17@), shown in the NUMEN step."""
    groups = {g.id: g for g in procedure.contacts}
    assert "Vieljeux" in groups["vieljeux"].name
    assert groups["vieljeux"].emails == ("christabel.mineau@ac-poitiers.fr", "severine.brache@ac-poitiers.fr")
    assert groups["aesh17"].emails == ("aesh17@ac-poitiers.fr",)
    numen_step = procedure.steps[0]
    assert numen_step.show_contacts and "NUMEN" in numen_step.heading
    assert not any(step.show_contacts for step in procedure.steps[1:])


def test_fact3_webmail_address_is_exact_and_has_a_code(procedure: Procedure) -> None:
    """Fact 3: the webmail address, character for character, is a link and a QR code."""
    assert procedure.steps[1].qr is not None and procedure.steps[1].qr.url == POITIERS_URL
    assert procedure.qr_codes[0].url == POITIERS_URL
    assert procedure.steps[1].qr is procedure.qr_codes[0]


def test_fact4_identifier_is_initial_plus_family_name(procedure: Procedure) -> None:
    """Fact 4: initial of the first name + full birth name, nothing between; the example says ade-la-fontaine."""
    text = all_text(procedure)
    assert (
        "l'initiale du prénom puis, sans espace, le nom de naissance ; un espace du nom devient un tiret"
        in text
    )
    rule = procedure.identifier
    assert (rule.initial, rule.joiner) == ("first-letter", "")
    assert compute_identifier(rule, rule.example_first_name, rule.example_last_name) == "ade-la-fontaine"
    runs = procedure.steps[1].paragraphs[2]
    assert any(run.bold and run.text == "ade-la-fontaine" for run in runs)


def test_fact5_password_is_the_numen_then_changeable(procedure: Procedure) -> None:
    """Fact 5: the first password is the NUMEN; it can be changed afterwards (then the new one is typed)."""
    text = all_text(procedure)
    assert "Mot de passe : votre NUMEN, puis le nouveau si vous le changez." in text


def test_fact6_login_lands_in_the_mailbox(procedure: Procedure) -> None:
    """Fact 6: after login you land in your mailbox."""
    assert "Vous arrivez dans votre boîte de messagerie." in all_text(procedure)


def test_fact7_from_a_computer_search_then_authentification(procedure: Procedure) -> None:
    """Fact 7: search « Académie de Poitiers », then « Authentification » (the intranet, off-task, is left out)."""
    text = all_text(procedure)
    assert "Cherchez « Académie de Poitiers » dans un moteur de recherche" in text
    assert "Cliquez sur « Authentification », puis connectez-vous comme à l'étape 2." in text
    assert "intranet" not in text


def test_fact8_on_a_phone_convergence_and_android_home_screen(procedure: Procedure) -> None:
    """Fact 8: « Convergence Poitiers », « Authentification », Android three dots top right."""
    text = all_text(procedure)
    assert (
        "cherchez « Convergence Poitiers » (c'est le nom de la messagerie), puis touchez « Authentification »."
        in text
    )
    assert "Android : touchez les trois points verticaux en haut à droite" in text
    assert "« Ajouter à l'écran d'accueil »" in text
    assert "iPhone : touchez Partager, puis « Sur l'écran d'accueil »." in text


def test_fact9_help_line_number_and_hours(procedure: Procedure) -> None:
    """Fact 9: 05 16 52 66 86, Monday to Friday, 8:00 to 17:30, number kept on one line."""
    assert procedure.help.phone == NBSP.join(["05", "16", "52", "66", "86"])
    assert norm(procedure.help.hours) == "Du lundi au vendredi, de 8 h à 17 h 30"


def test_phone_step_points_back_to_the_shared_code(procedure: Procedure) -> None:
    """Webmail and mobile share an address: one code, shared label, step 4 says « scannez le code de l'étape 2 »."""
    (code,) = procedure.qr_codes
    assert [step.number for step in procedure.steps if step.qr is code] == [2]
    assert norm(code.label) == "Scannez avec l'appareil photo de votre téléphone"  # a computer cannot scan it
    phone_step = procedure.steps[3]
    assert phone_step.qr is None
    assert norm(plain(phone_step.paragraphs[1])) == "Ou scannez le code de l'étape 2."


# ---------------------------------------------------------------- the made-up procedure


def test_other_procedure_renders_its_own_facts(other_procedure: Procedure) -> None:
    """The made-up académie loads with its own 5 steps, 1 group, help line, rule and DOCX font."""
    p = other_procedure
    assert [s.heading for s in p.steps][0] == "Récupérez votre code personnel"
    assert len(p.steps) == 5
    assert [g.id for g in p.contacts] == ["dsden-nulle"]
    assert p.help.phone == NBSP.join(["09", "99", "00", "11", "22"])
    assert p.identifier.initial == "first-name" and p.identifier.word_separator == ""
    assert p.docx.font == "Liberation Sans"
    assert p.meta.author == "Académie de Nulle-Part"


def test_other_procedure_holds_no_fact_of_poitiers(other_procedure: Procedure) -> None:
    """Nothing about Poitiers leaks into a procedure that does not mention it."""
    text = all_text(other_procedure).lower()
    for word in ("poitiers", "vieljeux", "aesh17", "05 16 52", "convergence", "mdupont"):
        assert word not in text


def test_other_procedure_two_addresses_give_two_codes(other_procedure: Procedure) -> None:
    """Two distinct addresses: two codes, each with its own label, beside steps 2 and 4."""
    codes = other_procedure.qr_codes
    assert [c.url for c in codes] == [
        "https://messagerie.ac-nullepart.example/connexion?origine=papier",
        "https://m.ac-nullepart.example/",
    ]
    assert [c.label for c in codes] == ["Webmail de Nulle-Part", "Application mobile Nulle-Part"]
    assert [s.number for s in other_procedure.steps if s.qr] == [2, 4]
    assert not any("même page" in plain(par) for s in other_procedure.steps for par in s.paragraphs)


def test_other_procedure_example_follows_its_own_rule(other_procedure: Procedure) -> None:
    """The example identifier in the text is the one the made-up rule computes."""
    rule = other_procedure.identifier
    example = compute_identifier(rule, "Jean-Pierre", "Le Dupont")
    assert example and example != "mdupont"
    runs = other_procedure.steps[1].paragraphs[1]
    assert [r.text for r in runs if r.bold] == ["Identifiant\u00a0:", example]


def test_same_address_twice_gives_one_code_and_a_note(tmp_path: Path) -> None:
    """When mobile reuses the webmail address: one code, the shared label, step 4 points to step 2."""
    path = variant(
        tmp_path,
        '"https://m.ac-nullepart.example/"',
        '"https://messagerie.ac-nullepart.example/connexion?origine=papier"',
        base=OTHER,
    )
    p = load_procedure(path)
    (code,) = p.qr_codes
    assert code.label == "Messagerie de Nulle-Part"
    assert p.steps[1].qr is code and p.steps[3].qr is None
    assert [norm(plain(par)) for par in p.steps[3].paragraphs] == [
        "Ouvrez « Nulle-Part Mobile » sur votre téléphone.",
        "Le code de l'étape 2 ouvre la même page.",
    ]


# ---------------------------------------------------------------- typography and markup


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Exemple : oui", "Exemple\u00a0: oui"),
        ("Vraiment ? Oui ! Bon ; fin", "Vraiment\u00a0? Oui\u00a0! Bon\u00a0; fin"),
        ("« Authentification »", "«\u00a0Authentification\u00a0»"),
        ("«Authentification»", "«\u00a0Authentification\u00a0»"),
        ("espace fine\u202f: ici", "espace fine\u00a0: ici"),
        ("l'écran d'accueil", "l\u2019écran d\u2019accueil"),
        ("de 8 h à 17 h 30", "de 8\u00a0h à 17\u00a0h\u00a030"),
        ("https://a.fr/x?y=1 à 8:00", "https://a.fr/x?y=1 à 8:00"),
    ],
)
def test_french_spacing(typed: str, expected: str) -> None:
    """No-break spaces before : ; ! ? and inside « », curly apostrophes; URLs and times untouched."""
    assert french_spacing(typed) == expected


@given(st.text(alphabet=" :;!?«»'h8a\u00a0\u202f", max_size=30))
def test_french_spacing_is_stable_and_maps_the_narrow_space(text: str) -> None:
    """Applying the spacing twice changes nothing, and U+202F (missing from the font) never survives."""
    once = french_spacing(text)
    assert french_spacing(once) == once
    assert "\u202f" not in once and "'" not in once


def test_bold_markup_splits_into_runs() -> None:
    """``**b**`` becomes a bold run between plain ones; text without marks is one plain run."""
    assert split_bold("a **b** c") == [("a ", False), ("b", True), (" c", False)]
    assert split_bold("**x** et **y**") == [("x", True), (" et ", False), ("y", True)]
    assert split_bold("rien") == [("rien", False)]


def test_model_paragraph_has_bold_runs_with_french_spacing(procedure: Procedure) -> None:
    """« **Mot de passe :** votre NUMEN » is a bold run with a no-break space, then a plain run."""
    runs = procedure.steps[1].paragraphs[3]
    assert runs[0].bold and runs[0].text == "Mot de passe\u00a0:"
    assert not runs[1].bold and runs[1].text.startswith(" votre NUMEN")
    assert "**" not in all_text(procedure)


# ---------------------------------------------------------------- unreadable files


def test_missing_file(tmp_path: Path) -> None:
    """A missing file names the path and says what was expected."""
    path = tmp_path / "nope.yaml"
    assert only_problem(path) == f"{path}: file not found (expected a procedure YAML file)"


def test_folder_instead_of_file(tmp_path: Path) -> None:
    """A folder given as the data file is refused by name."""
    assert only_problem(tmp_path) == f"{tmp_path}: is a folder (expected a procedure YAML file)"


def test_invalid_yaml_gives_its_line(tmp_path: Path) -> None:
    """A YAML syntax error names the line where it is."""
    old = '  author: "Académie de Poitiers"'
    path = variant(tmp_path, old, "  author: Académie: de Poitiers")
    assert (
        only_problem(path)
        == f"{path}:{line_of(BASE, old)}: invalid YAML: mapping values are not allowed here"
    )


def test_tab_indentation_says_to_use_spaces(tmp_path: Path) -> None:
    """A tab used for indentation gives its line and the fix."""
    old = '  author: "Académie de Poitiers"'
    path = variant(tmp_path, old, '\tauthor: "Académie de Poitiers"')
    message = only_problem(path)
    assert message.startswith(f"{path}:{line_of(BASE, old)}: invalid YAML: ")
    assert "use spaces" in message


def test_top_level_list(tmp_path: Path) -> None:
    """A document that is a list, not a mapping, is refused at its first line."""
    path = tmp_path / "list.yaml"
    path.write_text("# a list\n- document\n- steps\n", encoding="utf-8")
    assert only_problem(path) == (
        f"{path}:2: top level: not a mapping of fields (got a list ['document', 'steps'], "
        "expected fields document, links, contacts, steps, help, identifier, personal, email, docx)"
    )


@pytest.mark.parametrize("content", ["", "# only a comment\n", "---\n"])
def test_empty_file(tmp_path: Path, content: str) -> None:
    """An empty file (or one with only comments) says so."""
    path = tmp_path / "empty.yaml"
    path.write_text(content, encoding="utf-8")
    assert only_problem(path).startswith(f"{path}:1: the file is empty (expected fields document, links")


def test_binary_file(tmp_path: Path) -> None:
    """NUL bytes mean a binary file: refused, with the line of the first one."""
    path = tmp_path / "image.yaml"
    path.write_bytes(b"document:\n  title: x\x00\x01\x02\n")
    assert only_problem(path) == f"{path}:2: not a text file (got a NUL byte, expected a UTF-8 YAML file)"


def test_not_utf8(tmp_path: Path) -> None:
    """A Windows-1252 byte gives its line and the fix."""
    old = '  author: "Académie de Poitiers"'
    path = tmp_path / "latin.yaml"
    path.write_bytes(BASE.replace(old, '  author: "Acad\x00"').encode("utf-8").replace(b"\x00", b"\xe9"))
    assert only_problem(path) == (
        f"{path}:{line_of(BASE, old)}: not valid UTF-8 (got byte 0xe9, expected UTF-8: save the file as UTF-8)"
    )


def test_utf16_file_is_named_as_such(tmp_path: Path) -> None:
    """A file saved as UTF-16 (Windows Notepad) is refused with the fix, not as "binary"."""
    path = tmp_path / "utf16.yaml"
    path.write_bytes(BASE.encode("utf-16"))
    assert only_problem(path) == f"{path}:1: saved as UTF-16 (expected UTF-8: save the file as UTF-8)"


def test_control_character_gives_its_line(tmp_path: Path) -> None:
    """A control character YAML refuses is reported at its line, not at a character offset."""
    old = '  author: "Académie de Poitiers"'
    path = variant(tmp_path, old, '  author: "Académie\x07 de Poitiers"')
    assert only_problem(path) == (
        f"{path}:{line_of(BASE, old)}: invalid YAML: control character (got U+0007, expected printable text)"
    )


# ---------------------------------------------------------------- invalid fields, one at a time

# (old text, new text, line marker in BASE, expected "field: message")
FIELD_CASES = {
    "missing required field": (
        '  author: "Académie de Poitiers"\n',
        "",
        "document:",
        "document.author: required field is missing",
    ),
    "number where text expected": (
        'phone: "05 16 52 66 86"',
        "phone: 12",
        "phone:",
        "help.phone: wrong type (got a number 12, expected text in quotes)",
    ),
    "http address": (
        '    url: "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"\n'
        '    label: "Messagerie (ordinateur)"',
        '    url: "http://id.ac-poitiers.fr/"\n    label: "Messagerie (ordinateur)"',
        "url:",
        "links.webmail.url: not an https address (got 'http://id.ac-poitiers.fr/', "
        "expected an address starting with https://)",
    ),
    "malformed email": (
        "      - aesh17@ac-poitiers.fr",
        "      - aesh17@",
        "- aesh17@",
        "contacts[1].emails[0]: not an email address (got text 'aesh17@', expected an address like name@example.fr)",
    ),
    "malformed sender": (
        'sender: "aesh17@ac-poitiers.fr"',
        'sender: "aesh17 at ac-poitiers.fr"',
        "sender:",
        "email.sender: not an email address (got text 'aesh17 at ac-poitiers.fr', "
        "expected an address like name@example.fr)",
    ),
    "unknown link id": (
        "    link: mobile",
        "    link: mobil",
        "link: mobil",
        "steps[3].link: unknown link (got 'mobil', expected one of mobile, webmail)",
    ),
    "unknown top field": (
        "\nhelp:\n",
        "\ncolour: red\nhelp:\n",
        "colour:",
        "colour: unknown field (expected one of document, links, contacts, steps, help, identifier, personal, "
        "email, docx)",
    ),
    "unknown nested field": (
        '  font: "Arial"',
        '  fnot: "Arial"',
        "fnot:",
        "docx.fnot: unknown field (expected one of font)",
    ),
    "unknown step field": (
        "    contacts: true",
        "    contacts: true\n    colour: red",
        "colour:",
        "steps[0].colour: unknown field (expected one of heading, text, contacts, link)",
    ),
    "duplicate contact id": (
        "  - id: aesh17",
        "  - id: vieljeux  # again",
        "# again",
        "contacts[1].id: duplicate id (got 'vieljeux' again, first at line "
        f"{line_of(BASE, '- id: vieljeux')}, expected a different id for each group)",
    ),
    "bad identifier option": (
        "initial: first-letter ",
        "initial: initials ",
        "initial:",
        "identifier.initial: not an allowed option (got 'initials', expected one of first-letter, first-name, none)",
    ),
    "joiner the identifier would drop": (
        'joiner: ""',
        'joiner: "."',
        "joiner:",
        "identifier.joiner: not an allowed option (got '.', expected one of '', '-')",
    ),
    "step text is a string": (
        '    text:\n      - "Cherchez « Académie de Poitiers » dans un moteur de recherche."\n'
        '      - "Cliquez sur « Authentification », puis connectez-vous comme à l\'étape 2."\n',
        '    text: "Cherchez sur le web."\n',
        'text: "Cherchez',
        "steps[2].text: not a list (got text 'Cherchez sur le web.',"
        " expected a list of sentences, each on a line starting with -)",
    ),
    "link entry is a string": (
        '  webmail:\n    url: "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"\n'
        '    label: "Messagerie (ordinateur)"\n',
        '  webmail: "https://id.ac-poitiers.fr/"\n',
        "webmail:",
        "links.webmail: not a mapping of fields (got text 'https://id.ac-poitiers.fr/', "
        "expected url: and label: fields)",
    ),
    "contacts flag is text": (
        "    contacts: true",
        "    contacts: yes please",
        "contacts: yes",
        "steps[0].contacts: wrong type (got text 'yes please', expected true or false)",
    ),
    "step without text": (
        "    link: mobile\n",
        '    link: mobile\n  - heading: "Fin"\n',
        'heading: "Fin"',
        "steps[4].text: required field is missing",
    ),
    "field given twice": (
        "  language: fr-FR",
        '  language: fr-FR\n  title: "Encore"',
        'title: "Encore"',
        "document.title: field given twice (got another one at line 13, expected each field once)",
    ),
    "unclosed bold": (
        "**Mot de passe :**",
        "**Mot de passe :",
        "Mot de passe :",
        "steps[1].text[3]: unclosed bold mark (got '**Mot de passe : votre NUMEN, puis le nouveau si vous le c…, "
        "expected **bold** in pairs)",
    ),
    "misspelt placeholder": (
        '** {rule}"',
        '** {regle}"',
        "{regle}",
        "steps[1].text[2]: unknown placeholder (got '{regle}', expected {example} or {rule})",
    ),
    "unknown yaml tag": (
        '  author: "Académie de Poitiers"',
        '  author: !secret "Académie de Poitiers"',
        "!secret",
        "document.author: unknown YAML tag (got '!secret', expected plain values without tags)",
    ),
    "impossible date": (
        '  - heading: "Revenez depuis un ordinateur"',
        "  - heading: 2024-13-01",
        "2024-13-01",
        "steps[2].heading: unreadable value: month must be in 1..12 (got '2024-13-01', expected text in quotes)",
    ),
    "bad language tag": (
        "  language: fr-FR",
        "  language: français",
        "français",
        "document.language: not a language tag (got 'français', expected a tag like fr-FR)",
    ),
}


@pytest.mark.parametrize("case", FIELD_CASES, ids=list(FIELD_CASES))
def test_field_problem_is_reported_with_file_line_and_field(tmp_path: Path, case: str) -> None:
    """Each kind of bad field gives exactly one FILE:LINE: field.path: what (got …, expected …) message."""
    old, new, marker, message = FIELD_CASES[case]
    path = variant(tmp_path, old, new)
    text = path.read_text(encoding="utf-8")
    assert only_problem(path) == f"{path}:{line_of(text, marker)}: {message}"


def test_two_contacts_without_id_are_reported_not_crashed(tmp_path: Path) -> None:
    """Regression: two groups missing their id once raised KeyError (duplicate check on a missing key)."""
    path = variant(tmp_path, "  - id: vieljeux\n    name", "  - name")
    path.write_text(path.read_text(encoding="utf-8").replace("  - id: aesh17\n    name", "  - name"), "utf-8")
    text = path.read_text(encoding="utf-8")
    first, second = line_of(text, "Lycée Vieljeux"), line_of(text, "Pôle académique de gestion")
    assert problems(path) == [
        f"{path}:{first}: contacts[0].id: required field is missing",
        f"{path}:{second}: contacts[1].id: required field is missing",
    ]


def test_list_value_is_shown_as_data_not_as_internal_objects(tmp_path: Path) -> None:
    """Regression: a list where text is expected was shown as ``[<generator.data._Node object …>]``."""
    path = variant(
        tmp_path, 'title: "Accéder à votre messagerie académique professionnelle"', "title: [a, b]"
    )
    assert (
        only_problem(path) == f"{path}:13: document.title: wrong type (got a list ['a', 'b'], expected text)"
    )


def test_steps_that_is_a_number(tmp_path: Path) -> None:
    """``steps: 5`` is one clean problem at its line (no "at least one step" echo)."""
    start, end = BASE.index("steps:\n"), BASE.index("help:\n")
    path = tmp_path / "steps.yaml"
    path.write_text(BASE[:start] + "steps: 5\n\n" + BASE[end:], encoding="utf-8")
    assert only_problem(path) == (
        f"{path}:{BASE[:start].count(chr(10)) + 1}: steps: not a list "
        "(got a number 5, expected a list of steps, each with heading: and text:)"
    )


def test_missing_section_is_reported_once(tmp_path: Path) -> None:
    """``document: null`` is one problem, not one per field inside it."""
    path = variant(tmp_path, "document:\n  audience", "document: null\nxdocument:\n  audience")
    found = problems(path)
    assert f"{path}:11: document: required field is missing" in found
    assert not any("document." in p for p in found)


def test_several_problems_are_all_reported_at_once(tmp_path: Path) -> None:
    """Four mistakes in one file: four messages, each at its own line, in one DataError."""
    text = BASE
    edits = [
        ('  author: "Académie de Poitiers"\n', ""),
        (
            '    url: "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"\n'
            '    label: "Messagerie (téléphone)"',
            '    url: "http://m.ac-poitiers.fr/"\n    label: "Téléphone"',
        ),
        ("      - aesh17@ac-poitiers.fr", "      - aesh17.ac-poitiers.fr"),
        ('phone: "05 16 52 66 86"', "phone: 516526686"),
    ]
    for old, new in edits:
        assert text.count(old) == 1
        text = text.replace(old, new)
    path = tmp_path / "many.yaml"
    path.write_text(text, encoding="utf-8")
    found = problems(path)
    assert sorted(found) == sorted(
        [
            f"{path}:{line_of(text, 'document:')}: document.author: required field is missing",
            f"{path}:{line_of(text, 'http://m.ac')}: links.mobile.url: not an https address "
            "(got 'http://m.ac-poitiers.fr/', expected an address starting with https://)",
            f"{path}:{line_of(text, 'aesh17.ac')}: contacts[1].emails[0]: not an email address "
            "(got text 'aesh17.ac-poitiers.fr', expected an address like name@example.fr)",
            f"{path}:{line_of(text, 'phone:')}: help.phone: wrong type (got a number 516526686, expected text in quotes)",
        ]
    )


# ---------------------------------------------------------------- hostile documents


@pytest.mark.parametrize(
    "content",
    [
        "a: &x [*x]\n",  # an alias inside itself
        "? [a, b]\n: 1\n",  # a list as a key
        "document: [[[[[]]]]]\nsteps: [[1], {a: b}, null]\n",
        "a: " + "[" * 3000 + "]" * 3000 + "\n",  # deeper than Python's recursion limit
        "steps: &s\n  - heading: x\n    text: *s\n",
        "!!binary aGVsbG8=\n",
        "--- a\n--- b\n",  # two documents
        "document: !!python/object:os.system {}\n",
        "steps: 5\ndocument: null\nlinks: {a: 1, b: [x], c: {url: 5, label: [1]}}\n",
        "contacts: [{emails: x}, {emails: []}, {id: 1, emails: [1, null, {}]}]\n",
        "links: {shared_label: 1, shared_note: '{nope}'}\nidentifier: {example: 3, joiner: 4}\n",
        "\t- x\n",
    ],
)
def test_hostile_documents_raise_only_data_errors(tmp_path: Path, content: str) -> None:
    """Anchors, loops, odd keys, deep nesting, tags, wrong shapes: a DataError naming the file, nothing else."""
    path = tmp_path / "hostile.yaml"
    path.write_text(content, encoding="utf-8")
    found = problems(path)
    assert found and all(p.startswith(f"{path}:") for p in found)


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    """Aliases that expand a billion times are walked once each: the load fails fast with a short list."""
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    lines.append("steps: *i")
    path = tmp_path / "laughs.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    started = time.perf_counter()
    found = problems(path)
    assert time.perf_counter() - started < 5
    assert 1 <= len(found) <= 101


def test_anchors_for_a_shared_address_are_allowed(tmp_path: Path) -> None:
    """An anchor and alias to reuse the webmail address are ordinary YAML and load fine."""
    path = variant(
        tmp_path,
        'url: "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"\n'
        '    label: "Messagerie (ordinateur)"',
        'url: &webmail "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"\n'
        '    label: "Messagerie (ordinateur)"',
    )
    text = path.read_text(encoding="utf-8").replace(
        'url: "https://id.ac-poitiers.fr/iwc_static/layout/main.html?lang=fr&02.01_183522"', "url: *webmail"
    )
    path.write_text(text, encoding="utf-8")
    aliased = load_procedure(path)
    (code,) = aliased.qr_codes  # the mobile link reached the webmail address through the alias
    assert code.url == POITIERS_URL and aliased.steps[3].qr is None


YAMLISH = st.text(alphabet="ab:-_ \n\t[]{},&*!|>'\"#?%@`~0123456789.é\u00a0", max_size=80)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(YAMLISH)
def test_random_yamlish_text_gives_data_error_or_procedure(tmp_path: Path, text: str) -> None:
    """Whatever the bytes, load_procedure returns a Procedure or raises DataError, never anything else."""
    path = tmp_path / "fuzz.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_procedure(path)
    except DataError as exc:
        assert exc.problems and all(p.startswith(str(path)) for p in exc.problems)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.integers(min_value=0, max_value=BASE.count("\n") - 1), YAMLISH)
def test_default_data_with_a_line_replaced_fails_cleanly(tmp_path: Path, index: int, junk: str) -> None:
    """Any line of the real file replaced by junk: a Procedure or a DataError whose lines exist in the file."""
    lines = BASE.split("\n")
    lines[index] = junk
    text = "\n".join(lines)
    path = tmp_path / "mutated.yaml"
    path.write_text(text, encoding="utf-8")
    try:
        load_procedure(path)
    except DataError as exc:
        total = text.count("\n") + 1
        for problem in exc.problems:
            match = re.match(rf"{re.escape(str(path))}(?::(\d+))?: ", problem)
            assert match, problem
            assert match.group(1) is None or 1 <= int(match.group(1)) <= total, problem


def test_misspelt_email_placeholder_is_refused_before_it_reaches_anyone(tmp_path: Path) -> None:
    """A placeholder the mail cannot fill ({identifiant}) is an error at load, with its line."""
    old = 'subject: "Votre accès à la messagerie académique ({identifier})"'
    path = variant(tmp_path, old, old.replace("{identifier}", "{identifiant}"))
    with pytest.raises(DataError) as info:
        load_procedure(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path}:{line_of(BASE, old)}: email.subject: unknown placeholder")
    assert "{identifiant}" in problem


def test_nested_aliases_that_expand_a_billion_times_are_refused_at_once(tmp_path: Path) -> None:
    """A 'billion laughs' of nested list aliases under steps: one clear DataError, no hang."""
    lines = ['document: &a ["x","x","x","x","x","x","x","x","x","x"]']
    previous = "a"
    for i in range(8):
        lines.append(f"y{i}: &b{i} [{', '.join(['*' + previous] * 10)}]")
        previous = f"b{i}"
    lines.append(f"steps: *{previous}")
    path = tmp_path / "bomb.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = problems(path)
    assert len(found) == 1 and "aliases" in found[0] and found[0].startswith(f"{path}:")


def test_a_short_last_word_never_stands_alone_on_a_line() -> None:
    """The last space of a sentence ending in a short word is a no-break space; long URLs are left alone."""
    from generator.procedure.typography import no_widow

    assert no_widow("Exemple : mdupont pour Marie Dupont.") == "Exemple : mdupont pour Marie\u00a0Dupont."
    assert (
        no_widow("voir https://exemple.fr/une-adresse-longue") == "voir https://exemple.fr/une-adresse-longue"
    )
