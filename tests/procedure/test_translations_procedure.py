"""The procedure file's errors in the reader's language: French with use_language("fr"), English otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.cli import main
from generator.i18n import has_catalog, use_language

NBSP = "\u00a0"

# An http:// address and a document without its title: two problems, each with its line and field.
BAD = """\
document:
  audience: AESH
  author: Rectorat
links:
  portail:
    url: http://example.fr/portail
    label: Portail
contacts: []
steps:
  - heading: Un
    text: ["Ouvrez le portail"]
    link: portail
"""


@pytest.fixture
def bad_procedure(tmp_path: Path) -> Path:
    path = tmp_path / "procédure.yaml"
    path.write_text(BAD, encoding="utf-8")
    return path


def check(path: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["check", "--data", str(path)])
    return code, capsys.readouterr().err


def test_a_bad_procedure_is_told_in_english(bad_procedure: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    with use_language("en"):
        code, err = check(bad_procedure, capsys)
    assert code == 1
    assert f"error: {bad_procedure}:1: document.title: required field is missing\n" in err
    assert (
        f"error: {bad_procedure}:6: links.portail.url: not an https address "
        "(got 'http://example.fr/portail', expected an address starting with https://)\n"
    ) in err
    assert (
        f"error: {bad_procedure}:8: contacts: no contact group (got an empty list, expected at least one group)"
        in err
    )


def test_a_bad_procedure_is_told_in_french(bad_procedure: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    if not has_catalog("fr"):
        pytest.skip("the French catalog is not compiled (make)")
    with use_language("fr"):
        code, err = check(bad_procedure, capsys)
    assert code == 1
    # FILE:LINE stays as editors read it, the field path as written in the file.
    assert f"erreur{NBSP}: {bad_procedure}:1{NBSP}: document.title{NBSP}: champ obligatoire manquant\n" in err
    assert (
        f"erreur{NBSP}: {bad_procedure}:6{NBSP}: links.portail.url{NBSP}: ce n'est pas une adresse https "
        f"(trouvé{NBSP}: 'http://example.fr/portail', attendu{NBSP}: une adresse qui commence par https://)\n"
    ) in err
    assert f"{bad_procedure}:8{NBSP}: contacts{NBSP}: aucun groupe de contacts" in err
    assert "required" not in err and "expected" not in err and "got " not in err


@pytest.mark.parametrize(
    ("text", "english", "french"),
    [
        (
            "",
            ":1: the file is empty (expected fields",
            f":1{NBSP}: le fichier est vide (attendu{NBSP}: les champs",
        ),
        (
            "- a\n- b\n",
            ":1: top level: not a mapping of fields (got a list ['a', 'b'], expected fields",
            f":1{NBSP}: niveau principal{NBSP}: ce n'est pas un ensemble de champs "
            f"(trouvé{NBSP}: une liste ['a', 'b'], attendu{NBSP}: les champs",
        ),
        ("a: [\n", ":2: invalid YAML:", f":2{NBSP}: YAML non valide{NBSP}:"),
        (
            "document: {}\ndocument: {}\n",
            ":2: document: field given twice (got another one at line 1, expected each field once)",
            f":2{NBSP}: document{NBSP}: champ donné deux fois "
            f"(trouvé{NBSP}: un autre à la ligne 1, attendu{NBSP}: chaque champ une seule fois)",
        ),
    ],
)
def test_the_file_as_a_whole_in_both_languages(  # type: ignore[no-untyped-def]
    tmp_path: Path, capsys, text: str, english: str, french: str
) -> None:
    """Errors about the whole file (empty, not a mapping, broken YAML, a field twice) are translated too."""
    if not has_catalog("fr"):
        pytest.skip("the French catalog is not compiled (make)")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    with use_language("en"):
        assert english in check(path, capsys)[1]
    with use_language("fr"):
        assert french in check(path, capsys)[1]


def test_too_many_problems_are_counted_in_french(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    """Past 100 problems the rest are counted, with French plurals."""
    if not has_catalog("fr"):
        pytest.skip("the French catalog is not compiled (make)")
    contacts = "".join(f"  - {{id: Bad{i}, name: n, emails: [x]}}\n" for i in range(60))
    path = tmp_path / "p.yaml"
    path.write_text("contacts:\n" + contacts, encoding="utf-8")
    with use_language("en"):
        english = check(path, capsys)[1]
    with use_language("fr"):
        french = check(path, capsys)[1]
    more = english.strip().splitlines()[-1].split(": ")[-1]
    assert more.endswith("more problems not shown"), more
    count = more.split()[0]
    assert french.strip().splitlines()[-1].endswith(f"{NBSP}: {count} autres problèmes non affichés")
