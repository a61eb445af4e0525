"""Vendors the DSFR (Système de design de l'État) into generator/web/static/dsfr/ from a pinned npm version.

Usage: ``python tools/update_dsfr.py 1.15.3`` (``make update-dsfr``).
npm is needed here only, never at install or run time: the script packs the
version into a temporary folder, checks the tarball against the registry's
``dist.integrity`` (sha512), and copies what the pages use, keeping the
layout of ``dist/`` so the relative ``url(...)`` of the CSS still resolve:

- ``dsfr.min.css`` (its .woff fallbacks stripped: only the woff2 fonts ship),
  ``dsfr.module.min.js``, ``dsfr.nomodule.min.js``, ``favicon/``;
- ``fonts/*.woff2`` (Marianne, Spectral);
- the icon CSS and SVGs of the ``system``, ``document``, ``user`` and
  ``business`` families, plus every other icon ``dsfr.min.css`` itself names;
- the licence (etalab-2.0) and a README.md naming the version.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "generator" / "web" / "static" / "dsfr"
PACKAGE = "@gouvfr/dsfr"
FAMILIES = ("system", "document", "user", "business")
TOP_FILES = ("dsfr.min.css", "dsfr.module.min.js", "dsfr.nomodule.min.js")
# The .woff fallback of each @font-face: every browser the offices use reads woff2.
WOFF_FALLBACK = re.compile(r',url\(fonts/[^)]+\.woff\) format\("woff"\)')
LOCAL_URL = re.compile(r"url\((?![\"']?data:)[\"']?([^)\"']+)[\"']?\)")


def npm(*args: str, cwd: Path | None = None) -> str:
    done = subprocess.run(["npm", *args], cwd=cwd, check=True, capture_output=True, text=True)
    return done.stdout.strip()


def sri_sha512(path: Path) -> str:
    """The Subresource Integrity string npm publishes for a tarball."""
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode("ascii")


def fetch_tarball(version: str, folder: Path) -> Path:
    """``npm pack`` of the version into ``folder``, refused unless it matches the registry's integrity."""
    expected = npm("view", f"{PACKAGE}@{version}", "dist.integrity")
    name = npm("pack", f"{PACKAGE}@{version}", "--pack-destination", str(folder), "--silent").splitlines()[-1]
    tarball = folder / name
    got = sri_sha512(tarball)
    if got != expected:
        raise SystemExit(f"{tarball.name}: integrity {got} differs from the registry's {expected}")
    return tarball


def wanted(name: str, css_icons: set[str]) -> bool:
    """Whether a path under ``dist/`` is vendored (see the module's docstring)."""
    if name in TOP_FILES or name.startswith("favicon/"):
        return True
    if name.startswith("fonts/"):
        return name.endswith(".woff2")
    for family in FAMILIES:
        if name.startswith(f"icons/{family}/") and name.endswith(".svg"):
            return True
        if name == f"utility/icons/icons-{family}/icons-{family}.min.css":
            return True
    return name in css_icons


def extract(tarball: Path, target: Path) -> list[str]:
    """Copy the wanted members of ``package/dist/`` (and the licence) into ``target``; their names."""
    with tarfile.open(tarball, "r:gz") as tar:
        members = {m.name: m for m in tar.getmembers() if m.isfile()}
        css = tar.extractfile(members["package/dist/dsfr.min.css"]).read().decode("utf-8")  # type: ignore[union-attr]
        css_icons = {url for url in LOCAL_URL.findall(css) if url.startswith("icons/")}
        copied = []
        for full, member in sorted(members.items()):
            name = full.removeprefix("package/dist/")
            if name == full or not wanted(name, css_icons):
                continue
            out = target / name
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_bytes(tar.extractfile(member).read())  # type: ignore[union-attr]
            copied.append(name)
        (target / "LICENSE.md").write_bytes(tar.extractfile(members["package/LICENSE.md"]).read())  # type: ignore[union-attr]
    css_path = target / "dsfr.min.css"
    css_path.write_text(WOFF_FALLBACK.sub("", css_path.read_text("utf-8")), "utf-8")
    return copied


def write_readme(target: Path, version: str, integrity: str, size: int) -> None:
    (target / "README.md").write_text(
        f"# DSFR {version}, vendored\n\n"
        f"The Système de design de l'État, npm package `{PACKAGE}@{version}`\n"
        f"(tarball integrity `{integrity}`), licence etalab-2.0 (LICENSE.md; its\n"
        "terms of use reserve the DSFR to the French administration).\n\n"
        "Written by `tools/update_dsfr.py` (`make update-dsfr`): do not edit by hand.\n"
        "Kept from `dist/`: dsfr.min.css (its .woff fallbacks removed: woff2 only),\n"
        "dsfr.module.min.js, dsfr.nomodule.min.js, favicon/, fonts/*.woff2, the icon\n"
        f"CSS and SVGs of the {', '.join(FAMILIES)} families and every icon dsfr.min.css\n"
        f"names. Size: {size // 1024} KiB.\n",
        "utf-8",
    )


def update(version: str, target: Path = TARGET) -> int:
    """Replace ``target`` with the files of ``version``; the vendored size in bytes."""
    with tempfile.TemporaryDirectory(prefix="dsfr-") as tmp:
        tarball = fetch_tarball(version, Path(tmp))
        staging = Path(tmp) / "dsfr"
        extract(tarball, staging)
        size = sum(p.stat().st_size for p in staging.rglob("*") if p.is_file())
        write_readme(staging, version, sri_sha512(tarball), size)
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(staging, target)
    return size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Vendor a pinned DSFR version into the desk's static files.")
    parser.add_argument("version", help="the @gouvfr/dsfr version, e.g. 1.15.3")
    args = parser.parse_args(argv)
    size = update(args.version)
    print(f"DSFR {args.version} vendored in {TARGET.relative_to(ROOT)} ({size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
