"""Builds the offline Windows bundle: build/wheelhouse/ and build/aesh-generator-windows.zip (``make wheelhouse``).

School PCs often sit behind a proxy that blocks PyPI. The bundle holds the
project's wheel and every dependency as a win_amd64 (or pure) wheel for
CPython 3.11, 3.12 and 3.13, so ``windows/installer.bat`` installs with
``pip install --no-index --find-links wheelhouse aesh-generator``. Before
zipping, pip proves the folder complete for each version (a dry run that
may not look at any index).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHONS = ("3.11", "3.12", "3.13")
PLATFORM = "win_amd64"
PROJECT = "aesh-generator"
TOP = "aesh-generator"  # the folder the ZIP extracts to


def pip(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "pip", *args], check=True)


def build_project_wheel(folder: Path) -> Path:
    """The project's own wheel (catalogs compiled, DSFR included) in ``folder``."""
    for old in folder.glob("aesh_generator-*.whl"):
        old.unlink()  # one version of the project only, the one being built
    pip("wheel", "--no-deps", "--quiet", "--wheel-dir", str(folder), str(ROOT))
    return next(folder.glob("aesh_generator-*.whl"))


def download_dependencies(wheel: Path, folder: Path, python: str) -> None:
    pip(
        "download", "--quiet", "--only-binary=:all:", "--platform", PLATFORM,
        "--python-version", python, "--dest", str(folder), str(wheel),
    )  # fmt: skip


def dry_run_command(folder: Path, python: str, target: Path) -> list[str]:
    """pip's proof that ``folder`` alone installs the project on Windows for ``python`` (used by the tests)."""
    return [
        sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--no-index",
        "--find-links", str(folder), "--platform", PLATFORM, "--python-version", python,
        "--only-binary=:all:", "--target", str(target), PROJECT,
    ]  # fmt: skip


def check_complete(folder: Path, scratch: Path) -> None:
    for python in PYTHONS:
        subprocess.run(dry_run_command(folder, python, scratch / python), check=True)


def write_zip(folder: Path, out: Path) -> Path:
    """The ZIP office staff extract: windows/ scripts, README, wheelhouse/ beside them."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for script in sorted((ROOT / "windows").iterdir()):
            z.write(script, f"{TOP}/windows/{script.name}")
        z.write(ROOT / "README.md", f"{TOP}/README.md")
        for wheel in sorted(folder.glob("*.whl")):
            z.write(wheel, f"{TOP}/wheelhouse/{wheel.name}")
    return out


def build(build_dir: Path) -> Path:
    folder = build_dir / "wheelhouse"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = build_project_wheel(folder)
    for python in PYTHONS:
        download_dependencies(wheel, folder, python)
    check_complete(folder, build_dir / "wheelhouse-check")
    return write_zip(folder, build_dir / "aesh-generator-windows.zip")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Build the offline Windows bundle.")
    parser.add_argument("--build-dir", type=Path, default=ROOT / "build")
    out = build(parser.parse_args(argv).build_dir)
    print(f"{out} ({out.stat().st_size // 1024} KiB)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
