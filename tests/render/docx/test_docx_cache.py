"""The DOCX parts kept on disk between runs: same bytes cold, warm and off; a bad file is ignored and replaced."""

from __future__ import annotations

import base64
import importlib
import json
import os
import subprocess
import sys
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from helpers import ROOT
from reference_cases import make_all
from test_reference import REFERENCE

from generator.people.person import Person
from generator.procedure.model import Procedure
from generator.render.docx import DocxWriter, cache
from generator.render.docx import prepare as prepare_module
from generator.render.docx.look import INDENT, Length
from generator.sheet.compose import compose, compose_page
from generator.sheet.fit import BODY_MAX

PEOPLE = (
    Person("Marie", "Dupont", "mdupont", row=2),
    Person("Zoé", "Quenneville", "zquenneville", manager="aesh17", row=3, flags=("homonym",)),
    Person("Jean", "Martin", "jmartin", manager="aesh17", row=4),
    Person("Thị", "Nguyễn", "tnguyen", row=5),  # letters Atkinson lacks: Noto Sans embedded
    Person("W" * 40, "W" * 60, "w" * 64, birth_name="M" * 60, manager="aesh17", row=6),  # a smaller body
)


def sheets_bytes(procedure: Procedure) -> list[bytes]:
    """The flyer and every sheet of PEOPLE from a new writer, eight threads at once."""
    sheets = [compose(procedure), *(compose(procedure, p) for p in PEOPLE)] * 4
    writer = DocxWriter(compose_page(procedure))
    with ThreadPoolExecutor(8) as pool:
        return list(pool.map(writer.to_bytes, sheets))


def cache_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(f"{cache.PREFIX}*{cache.SUFFIX}"))


def no_python_docx(*_args: object) -> None:
    raise AssertionError("prepared with python-docx although the cache holds the parts")


def test_same_bytes_with_the_cache_cold_warm_and_off(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold cache is filled, a warm one skips python-docx, none at all: the same bytes every time."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, str(folder))
    cold = sheets_bytes(procedure)
    kept = cache_files(folder)
    assert len(kept) >= 2  # the usual body size and the smaller ones of the longest names
    with monkeypatch.context() as patch:
        patch.setattr(prepare_module, "prepare", no_python_docx)
        warm = sheets_bytes(procedure)
    monkeypatch.setenv(cache.ENV, "off")
    off = sheets_bytes(procedure)
    assert cold == warm == off
    assert cache_files(folder) == kept


@pytest.mark.parametrize("state", ["cold", "warm", "off"])
def test_reference_files_in_every_state_of_the_cache(
    state: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The byte references of test_reference hold with the parts made, read from the cache, or never kept."""
    folder = tmp_path / "cache"
    monkeypatch.setenv(cache.ENV, "off" if state == "off" else str(folder))
    render = importlib.import_module("generator.render")
    if state == "warm":
        # Writers of their own: the session's may hold the parts in memory already and never fill the folder.
        monkeypatch.setattr(render, "_writers", OrderedDict())
        make_all(tmp_path / "first")
        monkeypatch.setattr(prepare_module, "prepare", no_python_docx)
    monkeypatch.setattr(
        render, "_writers", OrderedDict()
    )  # writers built again: the parts come from the folder
    make_all(tmp_path / "made")
    docx = sorted(p.relative_to(REFERENCE) for p in REFERENCE.rglob("*.docx"))
    assert docx
    differ = [str(n) for n in docx if (tmp_path / "made" / n).read_bytes() != (REFERENCE / n).read_bytes()]
    assert not differ
    assert bool(cache_files(folder)) == (state != "off")


def _truncated(text: bytes) -> bytes:
    return text[: len(text) // 2]


def _oversized(text: bytes) -> bytes:
    return text + b" " * (cache.LIMIT + 1 - len(text))


def _wrong_type(text: bytes) -> bytes:
    record = json.loads(text)
    record["variant"]["core"] = 42
    return json.dumps(record).encode()


def _wrong_digest(text: bytes) -> bytes:
    record = json.loads(text)
    record["variant"]["run_headers"]["first_name"] = "<w:rPr><w:b/></w:rPr>"
    return json.dumps(record).encode()


def _unknown_token(text: bytes) -> bytes:
    record = json.loads(text)
    record["variant"]["documents"][0][2] += "\ue000password\ue001"
    record["digest"] = cache._digest(record["variant"])
    return json.dumps(record).encode()


def _not_a_zip(text: bytes) -> bytes:
    record = json.loads(text)
    record["variant"]["fixed_zip"] = "UEsDBAAAAAA="  # "PK\3\4" and nothing of a zip after it
    record["digest"] = cache._digest(record["variant"])
    return json.dumps(record).encode()


def _unknown_compression(text: bytes) -> bytes:
    """Every part of the zip said compressed by a method zipfile does not know (it raises NotImplementedError)."""
    record = json.loads(text)
    data = bytearray(base64.b64decode(record["variant"]["fixed_zip"]))
    for signature, offset in ((b"PK\x03\x04", 8), (b"PK\x01\x02", 10)):
        at = data.find(signature)
        while at >= 0:
            data[at + offset : at + offset + 2] = (99).to_bytes(2, "little")
            at = data.find(signature, at + 4)
    record["variant"]["fixed_zip"] = base64.b64encode(bytes(data)).decode("ascii")
    record["digest"] = cache._digest(record["variant"])
    return json.dumps(record).encode()


def _content_in_a_run_header(text: bytes) -> bytes:
    """A run header that would add text (a link, say) before the name: not run properties."""
    record = json.loads(text)
    record["variant"]["run_headers"]["first_name"] = "<w:rPr/></w:r><w:r><w:t>https://example.org</w:t>"
    record["digest"] = cache._digest(record["variant"])
    return json.dumps(record).encode()


@pytest.mark.parametrize(
    "damage",
    [
        _unknown_compression,
        _content_in_a_run_header,
        _truncated,
        _oversized,
        _wrong_type,
        _wrong_digest,
        _unknown_token,
        _not_a_zip,
        lambda _: b"[]",
        lambda _: b"",
    ],
    ids=[
        "unknown-compression",
        "content-in-a-run-header",
        "truncated",
        "oversized",
        "wrong-type",
        "wrong-digest",
        "unknown-token",
        "not-a-zip",
        "a-list",
        "empty",
    ],
)
def test_a_damaged_cache_file_is_ignored_and_replaced(
    damage, procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Whatever is wrong with the file, the parts are made again, with the same bytes, and written anew."""
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    expected = sheets_bytes(procedure)
    for path in cache_files(tmp_path):
        path.write_bytes(damage(path.read_bytes()))
    assert sheets_bytes(procedure) == expected
    for path in cache_files(tmp_path):
        name = path.name.removeprefix(cache.PREFIX).removesuffix(cache.SUFFIX)
        assert cache.load(name) is not None


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX permissions")
def test_a_cache_folder_others_can_write_to_is_not_read(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A shared folder (group-writable): its files could come from anyone, so the parts are made again."""
    shared = tmp_path / "shared"
    monkeypatch.setenv(cache.ENV, str(shared))
    expected = sheets_bytes(procedure)
    names = [p.name.removeprefix(cache.PREFIX).removesuffix(cache.SUFFIX) for p in cache_files(shared)]
    assert names and all(cache.load(name) is not None for name in names)
    shared.chmod(0o775)
    assert all(cache.load(name) is None for name in names)
    monkeypatch.setattr(prepare_module, "prepare", prepare_module.prepare)  # still made: same bytes
    assert sheets_bytes(procedure) == expected
    shared.chmod(0o700)
    (shared / cache_files(shared)[0].name).chmod(0o666)
    assert cache.load(names[0]) is None


def test_the_key_changes_when_the_code_that_makes_the_parts_changes(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edited checkout never reuses stale parts: one changed byte of a source file, another key."""
    copy = tmp_path / "generator"
    for pattern in cache._SOURCES:
        for path in cache._PACKAGE.glob(pattern):
            target = copy / path.relative_to(cache._PACKAGE)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    monkeypatch.setattr(cache, "_PACKAGE", copy)
    cache._environment.cache_clear()
    page = compose_page(procedure)
    before = cache.key(page, BODY_MAX)
    with (copy / "render" / "docx" / "content.py").open("a", encoding="utf-8") as f:
        f.write("\n# edited\n")
    cache._environment.cache_clear()
    assert cache.key(page, BODY_MAX) != before
    monkeypatch.undo()
    cache._environment.cache_clear()


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links here")
def test_a_cache_file_is_never_read_through_a_symbolic_link(
    procedure: Procedure, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link in place of a cache file is replaced by a file, its target left as it was."""
    monkeypatch.setenv(cache.ENV, str(tmp_path / "cache"))
    expected = sheets_bytes(procedure)
    target = tmp_path / "elsewhere.json"
    for path in cache_files(tmp_path / "cache"):
        target.write_bytes(path.read_bytes())
        path.unlink()
        path.symlink_to(target)
    assert sheets_bytes(procedure) == expected
    assert all(not p.is_symlink() for p in cache_files(tmp_path / "cache"))


def test_the_key_names_the_page_and_the_body_size(procedure: Procedure, other_procedure: Procedure) -> None:
    """Another procedure or body size, another key; the same page, the same key."""
    page, other = compose_page(procedure), compose_page(other_procedure)
    keys = {cache.key(page, BODY_MAX), cache.key(page, BODY_MAX - 1), cache.key(other, BODY_MAX)}
    assert len(keys) == 3 and None not in keys
    assert cache.key(page, BODY_MAX) == cache.key(compose_page(procedure), BODY_MAX)
    assert cache.key(object(), BODY_MAX) is None  # nothing without a stable form makes a key


def test_library_versions_are_read_as_importlib_metadata_reads_them() -> None:
    """The cheap reading of the metadata folders' names agrees with importlib.metadata."""
    from importlib import metadata

    found = cache._versions()
    assert found == {dist: metadata.version(dist) for dist in cache._LIBRARIES}


def test_only_a_handful_of_files_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The oldest cache files go beyond KEPT; files of other names in the folder stay."""
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    (tmp_path / "notes.txt").write_text("mine")
    prepared = cache.Prepared(b"PK\3\4", "", {}, {}, b"PK\3\4")
    for n in range(cache.KEPT + 3):
        name = f"{n:064x}"
        cache.store(name, prepared)
        os.utime(tmp_path / f"{cache.PREFIX}{name}{cache.SUFFIX}", ns=(n * 10**9, n * 10**9))
    kept = cache_files(tmp_path)
    assert len(kept) == cache.KEPT
    assert kept[0].name == f"{cache.PREFIX}{3:064x}{cache.SUFFIX}"
    assert (tmp_path / "notes.txt").exists()


def test_the_cache_folder_comes_from_the_environment_or_platformdirs(monkeypatch: pytest.MonkeyPatch) -> None:
    """AESH_GENERATOR_CACHE names the folder or turns the cache off; unset, the user's cache folder."""
    from platformdirs import user_cache_dir

    monkeypatch.setenv(cache.ENV, "OFF")
    assert cache.folder() is None
    monkeypatch.setenv(cache.ENV, "/somewhere/else")
    assert cache.folder() == Path("/somewhere/else")
    monkeypatch.delenv(cache.ENV)
    assert cache.folder() == Path(user_cache_dir("aesh-generator", appauthor=False))


def test_a_run_from_a_warm_cache_imports_neither_python_docx_nor_lxml(tmp_path: Path) -> None:
    """personalise --formats docx with plain names: python-docx, lxml, Pillow and qrcode stay unloaded."""
    roster = tmp_path / "roster.csv"
    roster.write_text("prenom,nom\nMarie,Dupont\nJean,Martin\n", encoding="utf-8")
    script = (
        "import sys\n"
        "from generator.cli import main\n"
        f"assert main(['personalise', {str(roster)!r}, '--out', sys.argv[1], '--formats', 'docx']) == 0\n"
        "print(sorted({'docx', 'lxml', 'PIL', 'qrcode'} & {m.split('.')[0] for m in sys.modules}))\n"
    )
    env = {**os.environ, cache.ENV: str(tmp_path / "cache")}
    loaded = []
    for out in ("cold", "warm"):
        run = subprocess.run(
            [sys.executable, "-c", script, str(tmp_path / out)],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, run.stderr
        loaded.append(run.stdout.splitlines()[-1])
    assert loaded == ["['PIL', 'docx', 'lxml', 'qrcode']", "[]"]


def test_the_indent_converts_as_python_docx_does() -> None:
    """look.Length gives python-docx's millimetres and twips, so the styles keep their bytes."""
    from docx.shared import Mm

    for mm in (0, 1, 3.5, 10, 16, 25.4, 84, 182):
        assert (Length.of_mm(mm).mm, Length.of_mm(mm).twips) == (Mm(mm).mm, Mm(mm).twips)
    assert (INDENT.mm, INDENT.twips) == (Mm(10).mm, Mm(10).twips)
