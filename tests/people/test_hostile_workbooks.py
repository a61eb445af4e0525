"""Trust, second round: hostile workbooks (late DTD, billion laughs, damaged zip, NUMEN sheet names) refused cleanly."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers import assert_one_clear_error, run_cli
from hostile_books import (
    NUMEN_SHEETS,
    bad_crc,
    book_bytes,
    corrupt_deflate,
    laughs_after_comment,
    shared_strings_book,
    truncated,
    with_part,
    write,
)
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from generator.errors import RosterError
from generator.people.roster import read_roster
from generator.people.xlsx_guard import MAX_CELLS, check_workbook

DTD_REFUSED = "declares a DTD"


def test_a_dtd_after_5000_characters_of_comment_is_refused(tmp_path: Path) -> None:
    """The first guard looked at 4096 bytes: a DOCTYPE after a long comment passed and was expanded."""
    path = write(tmp_path / "late.xlsx", laughs_after_comment(5_000))
    with pytest.raises(RosterError, match=DTD_REFUSED):
        check_workbook(path)


def test_the_billion_laughs_in_shared_strings_is_refused(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """The DOCTYPE right at the start of sharedStrings, read through the roster reader: one clean refusal."""
    path = write(tmp_path / "laughs.xlsx", laughs_after_comment(0))
    with pytest.raises(RosterError, match=DTD_REFUSED) as caught:
        read_roster(path, procedure)
    assert str(caught.value).startswith(str(path))


# The DOCTYPE starts 45 + comment bytes into the part; the scan reads it in chunks of 1 MiB.
ACROSS_THE_FIRST_CHUNK = 1024 * 1024 - 45


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(comment=st.integers(min_value=0, max_value=3 * 1024 * 1024), spaces=st.integers(0, 64))
@example(comment=ACROSS_THE_FIRST_CHUNK - 4, spaces=0)  # "<!DO" | "CTYPE"
@example(comment=ACROSS_THE_FIRST_CHUNK - 1, spaces=0)  # "<" | "!DOCTYPE"
@example(comment=ACROSS_THE_FIRST_CHUNK - 8, spaces=0)  # "<!DOCTYP" | "E"
def test_a_dtd_is_found_wherever_it_sits_in_a_part(tmp_path: Path, comment: int, spaces: int) -> None:
    """Whatever the comment's length, the DOCTYPE is found, across the chunks the scan reads too."""
    data = shared_strings_book(
        b'<?xml version="1.0" encoding="UTF-8"?>'
        + b"<!--"
        + (b"lol> " * (comment // 5 + 1))[:comment]
        + b"-->"
        + b" " * spaces
        + b'<!DOCTYPE sst [<!ENTITY a "a">]>'
        + b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>&a;</t></si></sst>'
    )
    with pytest.raises(RosterError, match=DTD_REFUSED):
        check_workbook(write(tmp_path / "any.xlsx", data))


def test_an_xml_part_not_in_utf8_that_would_hide_a_dtd_from_the_byte_search_is_refused(
    tmp_path: Path,
) -> None:
    """In UTF-16, UTF-32 or EBCDIC ``<!DOCTYPE`` is not the bytes searched for: such a part is refused for its encoding."""
    text = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE sst [<!ENTITY a "a">]><sst><si><t>&a;</t></si></sst>'
    path = write(tmp_path / "utf16.xlsx", shared_strings_book(text.encode("utf-16")))
    with pytest.raises(RosterError, match="not written in UTF-8"):
        check_workbook(path)
    declared = b'<?xml version="1.0" encoding="ISO-2022-JP"?><sst><si><t>a</t></si></sst>'
    with pytest.raises(RosterError, match="not written in UTF-8"):
        check_workbook(write(tmp_path / "declared.xlsx", shared_strings_book(declared)))
    for encoding in (
        "utf-16-le",
        "utf-32-be",
        "cp500",
    ):  # no byte-order mark, no declaration: guessed by parsers
        hidden = '<!DOCTYPE sst [<!ENTITY a "a">]><sst><si><t>&a;</t></si></sst>'.encode(encoding)
        if encoding == "cp500":  # EBCDIC is told by its declaration's first bytes
            hidden = '<?xml version="1.0" encoding="cp500"?>'.encode(encoding) + hidden
        with pytest.raises(RosterError, match="not written in UTF-8"):
            check_workbook(write(tmp_path / f"{encoding}.xlsx", shared_strings_book(hidden)))


def test_rows_of_a_sheet_stored_under_another_name_are_counted(tmp_path: Path) -> None:
    """A worksheet part named ``xl/data.xml`` (its relationship may say so) is bounded like ``sheet1.xml``."""
    sheet = (
        b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        b'spreadsheetml/2006/main"><sheetData><row r="250001"><c r="A250001"><v>1</v></c></row>'
        b"</sheetData></worksheet>"
    )
    path = write(tmp_path / "hidden.xlsx", with_part(book_bytes(), "xl/data.xml", sheet))
    with pytest.raises(RosterError, match=r"sheet data has more than 250 000 rows"):
        check_workbook(path)


def test_a_shared_strings_table_larger_than_any_roster_is_refused(tmp_path: Path) -> None:
    """openpyxl keeps every shared string in memory: more of them than a roster has cells is refused."""
    strings = b"".join(b"<si><t>%x</t></si>" % n for n in range(MAX_CELLS + 1))
    path = write(tmp_path / "strings.xlsx", shared_strings_book(b'<sst xmlns="x">' + strings + b"</sst>"))
    with pytest.raises(RosterError, match=r"more than 2 000 000 texts.*200 000 people of about ten columns"):
        check_workbook(path)


def test_a_real_workbook_still_passes(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """The new checks refuse nothing openpyxl writes: two sheets, accents, the list read."""
    rows = [["Prénom", "Nom"], ["Zoé", "Lefèvre"], ["Marie", "Dupont"]]
    path = write(tmp_path / "ok.xlsx", book_bytes(rows, ("Liste", "Consignes")))
    assert [s.rows for s in check_workbook(path) if s.part.endswith("sheet1.xml")] == [3]
    assert [p.identifier for p in read_roster(path, procedure).people] == ["zlefevre", "mdupont"]


# --- damaged archives --------------------------------------------------------------------------


DAMAGES = {
    "corrupt-deflate": (corrupt_deflate, "is damaged"),
    "bad-crc": (bad_crc, "is damaged"),
    "truncated": (truncated, "not a readable .xlsx workbook"),
}


@pytest.mark.parametrize("kind", sorted(DAMAGES))
def test_a_damaged_archive_is_one_clear_error_on_the_cli(tmp_path: Path, kind: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """A corrupt deflate stream ended in a zlib.error traceback: now one ``error:`` line naming the file, exit 1."""
    damage, said = DAMAGES[kind]
    path = write(tmp_path / "liste.xlsx", damage(book_bytes()))
    code, out, err = run_cli(["personalise", str(path), "--out", str(tmp_path / "out")], capsys)
    assert_one_clear_error(code, err)
    assert code == 1 and err.count("error:") == 1 and "zlib" not in err
    assert err.startswith(f"error: {path}") and said in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_corrupt_deflate_stream_is_a_zlib_error_underneath(tmp_path: Path) -> None:
    """The file of the test above really breaks zlib (the test would prove nothing otherwise)."""
    path = write(tmp_path / "liste.xlsx", corrupt_deflate(book_bytes()))
    with zipfile.ZipFile(path) as archive, pytest.raises(Exception) as caught:
        archive.read("xl/worksheets/sheet1.xml")
    assert type(caught.value).__module__ == "zlib"


# --- sheet names holding a NUMEN -----------------------------------------------------------------


def _numen_free(text: str) -> None:
    squeezed = "".join(text.split())
    assert "1234567" not in squeezed and "17E1234567ABC" not in squeezed, text


@pytest.mark.parametrize("title", NUMEN_SHEETS)
def test_a_numen_as_a_sheet_name_is_never_shown_on_the_cli(tmp_path: Path, title: str, capsys) -> None:  # type: ignore[no-untyped-def]
    """The name of the sheet read (in every row's message) and of the others (in the warning) is withheld."""
    rows = [["Prénom", "Nom"], ["Marie", ""], ["Jean", "Martin"]]
    path = write(tmp_path / "liste.xlsx", book_bytes(rows, (title, f"x{title}")))
    code, out, err = run_cli(
        ["personalise", str(path), "--out", str(tmp_path / "out"), "--formats", "pdf"], capsys
    )
    assert "line 2" in err and "a sheet whose name holds a NUMEN" in err
    _numen_free(out + err)
    for sheet in (title, "Nope"):
        code, out, err = run_cli(
            ["personalise", str(path), "--sheet", sheet, "--out", str(tmp_path / "o2")], capsys
        )
        _numen_free(out + err)


def test_a_numen_sheet_name_is_withheld_when_no_sheet_has_a_header(tmp_path: Path, procedure) -> None:  # type: ignore[no-untyped-def]
    """The error listing the sheets looked at names the others, not the NUMEN."""
    path = write(tmp_path / "liste.xlsx", book_bytes([["rien"]], ("17E1234567ABC", "Autre")))
    with pytest.raises(RosterError) as caught:
        read_roster(path, procedure)
    assert "'Autre'" in str(caught.value)
    _numen_free(str(caught.value))


# --- the parser underneath, and memory ----------------------------------------------------------


READ_BYPASSING_THE_GUARD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a parser that expands fails here, not the machine
from generator.errors import RosterError
from generator.people import workbook
from generator.people.files import read_rows
if sys.argv[2] == "bypass":
    workbook.check_workbook = lambda path: ()  # defusedxml alone must refuse
if sys.argv[2] == "early":
    import openpyxl  # imported before the reader, with defusedxml turned off: the reader must refuse
try:
    read = read_rows(__import__("pathlib").Path(sys.argv[1]))
    rows = list(read.rows)
    message = ""
except RosterError as exc:
    message = str(exc)
try:
    peak = int(open("/proc/self/status").read().split("VmHWM:")[1].split()[0]) / 1024
except (OSError, IndexError):
    peak = None
rusage = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
defused = sys.modules["openpyxl"].DEFUSEDXML
print(json.dumps({"message": message, "peak_mb": peak, "ru_maxrss_mb": rusage, "defused": defused}))
"""


@pytest.mark.skipif(sys.platform == "win32", reason="measures with the resource module")
@pytest.mark.parametrize("mode", ["guarded", "bypass"])
def test_reading_the_hostile_workbook_stays_small(tmp_path: Path, mode: str) -> None:
    """The 12 KB workbook that took 5.7 GB: refused within a few hundred MB, by the guard and by defusedxml alone."""
    path = write(tmp_path / "laughs.xlsx", laughs_after_comment(5_000))
    assert path.stat().st_size < 20_000
    result = json.loads(subprocess.check_output(_measure(path, mode), text=True, env=_env()))
    print(result)  # the measure, for the record
    assert result["defused"] is True
    assert DTD_REFUSED in result["message"]
    assert (result["peak_mb"] or result["ru_maxrss_mb"]) < 400, result


@pytest.mark.skipif(sys.platform == "win32", reason="sets a memory limit with the resource module")
def test_openpyxl_imported_without_defusedxml_makes_the_reader_refuse(tmp_path: Path) -> None:
    """openpyxl chose its parser before the reader could turn defusedxml on: workbooks are refused, not parsed."""
    path = write(tmp_path / "ok.xlsx", book_bytes())
    result = json.loads(subprocess.check_output(_measure(path, "early"), text=True, env=_env()))
    assert result["defused"] is False
    assert "cannot be read safely here: the defusedxml library is missing or turned off" in result["message"]


def _measure(path: Path, mode: str) -> list[str]:
    return [sys.executable, "-c", READ_BYPASSING_THE_GUARD, str(path), mode]


def _env() -> dict[str, str]:
    """This environment with openpyxl's defusedxml turned off: the reader must turn it back on (or refuse)."""
    return {**os.environ, "OPENPYXL_DEFUSEDXML": "False"}
