"""The command line speaks French end to end under LANG=fr_FR.UTF-8 (a subprocess, as a user runs it).

Every line printed by build, personalise (with a refused row) and send's
dry run is French: what is left once file names and the roster's values
are taken out holds no English word.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

NBSP = "\u00a0"
# Words of the English messages that no French message uses.
ENGLISH = {
    "the", "is", "are", "not", "no", "to", "of", "and", "or", "for", "with", "in", "into", "from",
    "file", "files", "line", "row", "rows", "wrote", "written", "sent", "send", "would", "already",
    "error", "warning", "skipped", "done", "sheet", "sheets", "nothing", "run", "folder", "empty",
    "expected", "cannot", "draft", "drafts", "email", "lists", "personal", "print", "them", "dry",
    "again", "correct", "these", "pass", "first", "name", "person",
}  # fmt: skip
ROSTER = "Prénom;Nom;Courriel\nMarie;Durand;marie.durand@example.org\n;Morel;\nJosé;Núñez;\n"


def french(*args: str, cwd: Path) -> tuple[int, str]:
    """Run the command line in French in ``cwd``; its exit code and stdout + stderr."""
    env = {**os.environ, "LANG": "fr_FR.UTF-8", "LC_ALL": "", "LC_MESSAGES": "", "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "generator", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=cwd,
        timeout=120,
    )
    return result.returncode, result.stdout + result.stderr


def english_words(output: str) -> list[str]:
    """The English words of ``output`` once paths, file names, addresses and options are taken out."""
    text = re.sub(r"\S*[/@.]\S*|--[\w-]+|\([^()]*@[^()]*\)", " ", output)  # paths, names.ext, addresses
    return sorted({w for w in re.findall(r"[A-Za-z]+", text) if w.lower() in ENGLISH})


def test_build_personalise_and_send_speak_french(tmp_path: Path) -> None:
    """build, personalise with a refused row (refused, then skipped) and send's dry runs: French only."""
    (tmp_path / "liste.csv").write_text(ROSTER, encoding="utf-8")
    outputs = []

    code, out = french("build", "--out", "affiche", cwd=tmp_path)
    assert code == 0 and f"écrit{NBSP}: affiche/flyer.pdf" in out
    outputs.append(out)

    code, out = french("personalise", "liste.csv", "--out", "fiches", cwd=tmp_path)
    assert code == 1
    assert f"erreur{NBSP}: liste.csv{NBSP}: ligne 3{NBSP}: «{NBSP}Prénom{NBSP}» est vide" in out
    assert "rien n’a été écrit" in out and not (tmp_path / "fiches").exists()
    outputs.append(out)

    code, out = french("personalise", "liste.csv", "--out", "fiches", "--skip-invalid", cwd=tmp_path)
    assert code == 0 and f"ignoré{NBSP}: liste.csv{NBSP}: ligne 3" in out
    assert f"terminé{NBSP}: 2 fiches personnelles dans fiches" in out
    outputs.append(out)

    # A folder whose manifest lists no draft (personalise without --eml).
    code, out = french("send", "fiches", "--smtp-host", "localhost", cwd=tmp_path)
    assert code == 0 and f"rien à envoyer{NBSP}: fiches/manifest.csv ne liste aucun brouillon" in out
    outputs.append(out)

    # And one with a draft: the dry run says what would go, in French.
    code, out = french(
        "personalise", "liste.csv", "--out", "courriels", "--skip-invalid", "--eml", cwd=tmp_path
    )
    assert code == 0 and "1 brouillon de courriel" in out
    outputs.append(out)
    code, out = french("send", "courriels", "--smtp-host", "localhost", cwd=tmp_path)
    assert code == 0 and "enverrait mdurand.eml à marie.durand@example.org" in out
    assert f"simple essai{NBSP}: 1 à envoyer, 0 déjà envoyé(s){NBSP}; rien n'a été envoyé" in out
    outputs.append(out)

    assert not [english_words(out) for out in outputs if english_words(out)], outputs


def test_the_english_check_finds_english() -> None:
    """The check itself: an English line is caught; paths, file names and addresses are not words."""
    assert english_words("error: liste.csv: line 3: nothing written") == [
        "error",
        "line",
        "nothing",
        "written",
    ]
    assert english_words(f"écrit{NBSP}: the/flyer.pdf (to@example.org) --skip-invalid") == []
