"""The prepared DOCX parts kept on disk between runs, so a run of a known procedure needs no python-docx.

Preparing a page's package (python-docx, the QR pictures) costs about a
tenth of a second a run; what it makes depends only on the page and the
body size, never on a person. It is kept in the user's cache folder
(``platformdirs``; ``AESH_GENERATOR_CACHE`` names another folder, ``off``
turns the cache off), one JSON file per page and body size, named by a hash
of everything its bytes depend on: the page, this package's version and the
source of the modules that make the content, the versions of the libraries
that write it. Never pickle: a file in a user's folder must not be able to
run code. A file that is missing, too large, unreadable, of another shape or
whose digest does not match is ignored, and the parts are made again.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import functools
import hashlib
import json
import os
import re
import sys
import zlib
from contextlib import suppress
from pathlib import Path, PurePath
from typing import Any

from ...file_errors import SafeFileError
from ...safe_files import ensure_folder, lstat_or_none, read_limited, write_atomic

ENV = "AESH_GENERATOR_CACHE"
FORMAT = 1  # of the file; a new shape is a new number, and old files are simply not read
LIMIT = 4 << 20  # bytes: a prepared page is about 80 KB; a larger file is not one this module wrote
KEPT = 8  # files kept in the folder (a run has one page; a desk a few procedures at two body sizes)
PREFIX, SUFFIX = "docx-", ".json"
# The properties of a run a name stands in: nothing but run properties (no element that adds content).
_RUN_HEADER = re.compile(
    r"(<w:rPr>(?:<w:(?:rStyle|rFonts|b|bCs|i|iCs|sz|szCs|color|lang|noProof)\b[^<>]*/>)*</w:rPr>)?"
)

_PACKAGE = Path(__file__).resolve().parents[2]  # generator/
# The modules whose code decides the bytes of a prepared page (the DOCX writer's, the blocks it reads,
# the QR pictures, the fonts) and the data they read: an edited checkout never reuses stale parts.
_SOURCES = ("render/docx/*.py", "render/docx/*.json", "render/*.py", "sheet/*.py", "procedure/model.py")
# Distributions whose versions change the bytes (lxml serialises the XML, Pillow writes the QR pictures).
_LIBRARIES = ("aesh-generator", "python-docx", "lxml", "pillow", "qrcode")


@dataclasses.dataclass(frozen=True)
class Prepared:
    """What python-docx made for one page and body size: the writer assembles every sheet from it."""

    fixed_zip: bytes  # every part but the two that name the person, zipped
    core: str  # docProps/core.xml, with the title's token
    documents: dict[tuple[bool, bool], str]  # word/document.xml with tokens, by (manager line, homonym note)
    run_headers: dict[str, str]  # token name → properties of the run it stands in
    generic: bytes  # the flyer: the whole package, no personal box


def folder() -> Path | None:
    """The cache folder, or None when ``AESH_GENERATOR_CACHE=off``."""
    chosen = os.environ.get(ENV, "").strip()
    if chosen.lower() == "off":
        return None
    if chosen:
        return Path(chosen)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("aesh-generator", appauthor=False))


def key(page: object, body_pt: float) -> str | None:
    """The hash naming the prepared parts of ``page`` at ``body_pt``; None when the page cannot be hashed."""
    try:
        described = json.dumps([_plain_data(page), body_pt], ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        return None
    return hashlib.sha256(f"{_environment()}\n{described}".encode()).hexdigest()


def load(name: str) -> Prepared | None:
    """The parts stored under ``name`` (a ``key``), or None when there are none usable."""
    place = folder()
    if place is None:
        return None
    path = place / f"{PREFIX}{name}{SUFFIX}"
    try:
        if not (_own(place) and _own(path)):
            return None
        data = read_limited(path, LIMIT)
        return _from_json(json.loads(data), name)
    except (OSError, SafeFileError, ValueError, TypeError, KeyError, binascii.Error):
        return None


def _own(path: Path) -> bool:
    """Only this user may have written ``path``: owned by them, writable by nobody else (POSIX).

    The parts become every sheet's text and links: a cache folder another
    account can write to (``AESH_GENERATOR_CACHE`` pointed at a shared
    folder) is not read. On Windows the profile's own folder is per user.
    """
    getuid = getattr(os, "getuid", None)
    if getuid is None:
        return True
    info = os.lstat(path)
    return info.st_uid == getuid() and not info.st_mode & 0o022


def store(name: str, prepared: Prepared) -> None:
    """Keep ``prepared`` under ``name`` (written whole or not at all), then forget the oldest files.

    A cache that cannot be written (a read-only home, a full disk) only
    costs the next run the preparation: nothing is reported.
    """
    place = folder()
    if place is None:
        return
    text = _to_json(prepared, name)
    if len(text) > LIMIT:
        return
    with suppress(OSError, SafeFileError):
        if lstat_or_none(place) is None:
            place.mkdir(mode=0o700, parents=True)  # the user's alone: see _own
        ensure_folder(place)
        write_atomic(place / f"{PREFIX}{name}{SUFFIX}", text, mode=0o600, durable=False)
        _prune(place)


def _prune(place: Path) -> None:
    """Remove the oldest cache files beyond KEPT (plain files of this module's names only)."""
    pattern = re.compile(re.escape(PREFIX) + "[0-9a-f]{64}" + re.escape(SUFFIX))
    with os.scandir(place) as entries:
        found = [
            Path(e.path) for e in entries if pattern.fullmatch(e.name) and e.is_file(follow_symlinks=False)
        ]
    if len(found) <= KEPT:
        return
    dated = []
    for path in found:
        stat = lstat_or_none(path)
        if stat is not None:
            dated.append((stat.st_mtime_ns, path))
    for _, path in sorted(dated)[: max(0, len(dated) - KEPT)]:
        with suppress(FileNotFoundError):
            path.unlink()


def _to_json(prepared: Prepared, name: str) -> bytes:
    variant = {
        "fixed_zip": base64.b64encode(prepared.fixed_zip).decode("ascii"),
        "core": prepared.core,
        "documents": [[m, n, xml] for (m, n), xml in sorted(prepared.documents.items())],
        "run_headers": prepared.run_headers,
        "generic": base64.b64encode(prepared.generic).decode("ascii"),
    }
    return json.dumps(
        {"format": FORMAT, "key": name, "digest": _digest(variant), "variant": variant}
    ).encode()


def _digest(variant: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(variant, sort_keys=True).encode()).hexdigest()


def _from_json(record: Any, name: str) -> Prepared | None:
    """The parts of a parsed file, or None unless every field has the shape ``_to_json`` writes."""
    if not isinstance(record, dict) or record.get("format") != FORMAT or record.get("key") != name:
        return None
    variant = record.get("variant")
    if not isinstance(variant, dict) or record.get("digest") != _digest(variant):
        return None
    core, documents, headers = variant["core"], variant["documents"], variant["run_headers"]
    if not isinstance(core, str) or not isinstance(headers, dict) or not isinstance(documents, list):
        return None
    if not all(
        isinstance(k, str) and isinstance(v, str) and _RUN_HEADER.fullmatch(v) for k, v in headers.items()
    ):
        return None
    by_lines: dict[tuple[bool, bool], str] = {}
    for item in documents:
        if not (isinstance(item, list) and len(item) == 3 and all(isinstance(x, bool) for x in item[:2])):
            return None
        if not isinstance(item[2], str):
            return None
        by_lines[(item[0], item[1])] = item[2]
    if len(by_lines) != 4:
        return None
    fixed_zip = _bytes(variant["fixed_zip"])
    generic = _bytes(variant["generic"])
    if fixed_zip is None or generic is None:
        return None
    return Prepared(fixed_zip, core, by_lines, headers, generic)


def _bytes(text: Any) -> bytes | None:
    """Base64 text of a zip, decoded; None for anything else."""
    if not isinstance(text, str):
        return None
    data = base64.b64decode(text, validate=True)
    return data if data.startswith(b"PK\x03\x04") else None


def _plain_data(value: object) -> object:
    """``value`` (a page: frozen dataclasses of texts, numbers, paths, tuples) as JSON data, field by field.

    Anything else raises TypeError: no object's address or unordered set
    ever makes its way into a key.
    """
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return [
            type(value).__qualname__,
            {f.name: _plain_data(getattr(value, f.name)) for f in dataclasses.fields(value)},
        ]
    if isinstance(value, (tuple, list)):
        return [_plain_data(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, PurePath):
        return ["path", str(value)]
    raise TypeError(f"no stable form for {type(value).__name__}")


@functools.cache
def _environment() -> str:
    """Everything but the page the prepared bytes depend on: code, library versions, zlib, Python."""
    sources = hashlib.sha256()
    for pattern in _SOURCES:
        for path in sorted(_PACKAGE.glob(pattern)):
            sources.update(f"{path.relative_to(_PACKAGE).as_posix()}\0".encode())
            sources.update(path.read_bytes())
            sources.update(b"\0")
    versions = _versions()
    return json.dumps(
        {
            "format": FORMAT,
            "sources": sources.hexdigest(),
            "versions": versions,
            "zlib": [zlib.ZLIB_VERSION, zlib.ZLIB_RUNTIME_VERSION],
            "python": sys.version,
        },
        sort_keys=True,
    )


def _versions() -> dict[str, str]:
    """The installed version of each of ``_LIBRARIES``, read from the names of their metadata folders.

    ``importlib.metadata`` costs about 30 ms to import; the folder names on
    ``sys.path`` say the same in well under one. A distribution not found
    that way is asked to importlib.metadata after all.
    """
    wanted = {_normal(dist): dist for dist in _LIBRARIES}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for folder_name in names:
            stem, dot, kind = folder_name.rpartition(".")
            if not dot or kind not in ("dist-info", "egg-info"):
                continue
            dist, _, rest = stem.partition("-")
            normal = _normal(dist)
            if normal in wanted and wanted[normal] not in found and rest:
                found[wanted[normal]] = rest.split("-")[0]
    for dist in _LIBRARIES:
        if dist not in found:
            found[dist] = _metadata_version(dist)
    return found


def _metadata_version(dist: str) -> str:
    from importlib import metadata

    try:
        return metadata.version(dist)
    except metadata.PackageNotFoundError:
        return "not installed"


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()
