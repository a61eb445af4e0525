"""windows/*.bat read as cmd would: encoding, quoting, which Pythons, the version check, ZIP and wheelhouse branches.

There is no Windows here: the tests read the scripts and replay the parts
of cmd's logic they rely on (``%VAR:find=%`` substitution, exit codes).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

WINDOWS = Path(__file__).resolve().parents[2] / "windows"
SCRIPTS = sorted(WINDOWS.glob("*.bat"))
INSTALLER = WINDOWS / "installer.bat"
PATH_VARIABLES = ("%~dp0", "%TOP%", "%VENVPY%", "%AESH%", "%HERE%", "%%~fd")


def lines(script: Path) -> list[str]:
    return script.read_bytes().decode("utf-8").split("\r\n")


def code_lines(script: Path) -> list[str]:
    return [line for line in lines(script) if line.strip() and not line.lower().startswith("rem")]


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_utf8_without_bom_crlf_and_ascii_until_chcp_65001(script: Path) -> None:
    """cmd decodes each line in the console's code page: accents only once it is UTF-8 (65001)."""
    data = script.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf"), "a BOM breaks the first line"
    assert b"\n" not in data.replace(b"\r\n", b""), "bare LF: cmd's goto and labels misbehave"
    text = lines(script)
    chcp = next(i for i, line in enumerate(text) if line.strip().lower().startswith("chcp 65001"))
    assert chcp <= 2
    assert all(line.isascii() for line in text[:chcp]), "a non-ASCII byte before chcp 65001"
    assert any(not line.isascii() for line in text), "the French messages have their accents"


def unquoted(line: str, needle: str) -> bool:
    """Whether an occurrence of ``needle`` in ``line`` sits outside double quotes."""
    return any(line[: m.start()].count('"') % 2 == 0 for m in re.finditer(re.escape(needle), line))


@pytest.mark.parametrize("script", SCRIPTS, ids=lambda p: p.name)
def test_every_path_is_quoted(script: Path) -> None:
    bare = [line for line in code_lines(script) for v in PATH_VARIABLES if unquoted(line, v)]
    assert not bare, bare


def test_the_quote_check_finds_a_bare_path() -> None:
    assert unquoted(r"cd /d %TOP%\windows", "%TOP%")
    assert not unquoted(r'pushd "%TOP%" || goto :echec', "%TOP%")


def test_powershell_gets_the_paths_through_the_environment_not_the_command() -> None:
    ps = [line for line in code_lines(INSTALLER) if line.lower().startswith("powershell")]
    assert len(ps) == 1
    command = ps[0].split("-Command", 1)[1]
    assert "%" not in command, "a path spliced into PowerShell's command (an apostrophe would end its string)"
    assert "$env:AESH_SHORTCUT_TARGET" in command and "$env:AESH_SHORTCUT_FOLDER" in command


def python_candidates() -> list[str]:
    return [m.group(1) for line in code_lines(INSTALLER) if (m := re.search(r"call :try_python (.+)$", line))]


def test_every_way_python_is_installed_is_tried() -> None:
    """python.org: py -3; the install manager: py, python; the Microsoft Store: python, python3 (no py)."""
    assert python_candidates() == ["py -3", "python", "python3", "py"]
    uses = [line for line in code_lines(INSTALLER) if re.match(r"\s*py(thon3?)?(\.exe)?\s", line)]
    assert not uses, f"a Python called directly instead of the one found: {uses}"
    assert any(line.startswith('%PYCMD% -m venv "%TOP%\\.venv"') for line in code_lines(INSTALLER))


def test_a_candidate_is_kept_only_when_python_itself_says_3_11_or_newer() -> None:
    body = "\r\n".join(lines(INSTALLER)).split(":try_python\r\n", 1)[1].split("exit /b 0", 2)
    check = "sys.exit(sys.version_info < (3, 11))"
    # The Store's alias without Python exits non-zero: "|| exit /b 0" leaves PYCMD unset.
    assert f'%* -c "import sys; {check}" >nul 2>nul || ' in body[0]
    assert 'set "PYCMD=%*"' in body[1]
    assert any("goto :no_python" in line for line in code_lines(INSTALLER))


def zip_condition() -> list[str]:
    """The substrings whose presence in %HERE% sends the installer to :from_zip (all of them)."""
    line = next(line for line in code_lines(INSTALLER) if line.endswith("goto :from_zip"))
    return re.findall(r'if not "%HERE:([^=]+)=%"=="%HERE%"', line)


def run_from_zip(folder: str) -> bool:
    """cmd's ``%HERE:find=%`` removes ``find`` ignoring case: the condition holds when each one was there."""
    return all(needle.lower() in folder.lower() for needle in zip_condition())


@pytest.mark.parametrize(
    ("folder", "from_zip"),
    [
        (
            "C:\\Users\\marie\\AppData\\Local\\Temp\\Temp1_aesh-generator-windows.zip\\aesh-generator\\windows\\",
            True,
        ),
        ("C:\\Users\\MARIE\\APPDATA\\LOCAL\\TEMP\\7zO1A2\\aesh-generator-windows.zip\\windows\\", True),
        ("C:\\Users\\marie\\Documents\\Outils d'accueil\\aesh-generator\\windows\\", False),
        ("C:\\Users\\marie\\AppData\\Local\\Temp\\aesh-generator\\windows\\", False),
        ("D:\\Echanges (2026) & co\\aesh-generator\\windows\\", False),
    ],
)
def test_run_from_inside_a_zip_is_told_to_extract_first(folder: str, from_zip: bool) -> None:
    assert zip_condition() == ["\\AppData\\Local\\Temp\\", ".zip"]
    assert run_from_zip(folder) == from_zip
    message = "\r\n".join(lines(INSTALLER)).split(":from_zip", 2)[2]
    assert "ZIP" in message.split("exit /b 1")[0] and "Extraire tout" in message


@given(st.text(alphabet="abcdezip XYZ_-'()&é\\.", max_size=40))
def test_a_folder_outside_the_temporary_folder_is_never_taken_for_a_zip(name: str) -> None:
    """Even a folder named like a ZIP ("x.zip\\") is fine outside ...\\AppData\\Local\\Temp\\."""
    assert not run_from_zip(f"D:\\{name}\\aesh-generator\\windows\\")
    assert run_from_zip(f"C:\\Users\\u\\AppData\\Local\\Temp\\Temp1_{name}.zip\\windows\\")


def test_the_wheelhouse_beside_the_installer_is_used_without_any_index() -> None:
    code = code_lines(INSTALLER)
    assert 'if exist "%TOP%\\wheelhouse\\" goto :offline' in code
    offline = code[code.index(":offline") :]
    assert any(
        '"%VENVPY%" -m pip install --quiet --no-index --find-links "%TOP%\\wheelhouse" aesh-generator' in line
        for line in offline[:3]
    )
    online = code[code.index('if exist "%TOP%\\wheelhouse\\" goto :offline') : code.index(":offline")]
    assert any('pip install --quiet "%TOP%"' in line for line in online)
    # Neither a wheelhouse nor a checkout (a ZIP opened by a tool the ZIP check does not know): said so.
    assert 'if not exist "%TOP%\\pyproject.toml" goto :no_source' in online


def test_the_desk_launcher_runs_the_installed_command_with_open() -> None:
    code = code_lines(WINDOWS / "guichet.bat")
    assert '"%AESH%" serve --open' in code
    assert 'if not exist "%AESH%" goto :not_installed' in code
