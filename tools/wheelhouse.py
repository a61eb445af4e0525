"""Builds the offline Windows bundle: build/wheelhouse/ and build/aesh-generator-windows.zip (``make wheelhouse``).

School PCs often sit behind a proxy that blocks PyPI. The bundle holds the
project's wheel and every dependency as a win_amd64 (or pure) wheel for
CPython 3.11, 3.12 and 3.13, so ``windows/installer.bat`` installs with
``pip install --no-index --find-links wheelhouse aesh-generator``. Before
zipping, pip proves the folder complete for each version (a dry run that
may not look at any index).

pip evaluates environment markers for the machine it runs on, even with
``--platform``: a requirement such as ``colorama; platform_system ==
"Windows"`` (tqdm's, click's) is neither downloaded nor missed by the dry
run. ``missing_on_windows`` reads every wheel's requirements with Windows'
markers, and the build downloads what they name until nothing is missing.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import zipfile
from email.parser import Parser
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name, parse_wheel_filename

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


def windows_markers(python: str) -> dict[str, str]:
    """The marker environment of CPython ``python`` on 64-bit Windows."""
    return {
        "os_name": "nt", "sys_platform": "win32", "platform_system": "Windows",
        "platform_machine": "AMD64", "platform_release": "10", "platform_version": "10.0.19045",
        "implementation_name": "cpython", "platform_python_implementation": "CPython",
        "python_version": python, "python_full_version": f"{python}.0",
        "implementation_version": f"{python}.0", "extra": "",
    }  # fmt: skip


def requirements(wheel: Path) -> list[Requirement]:
    with zipfile.ZipFile(wheel) as z:
        name = next(n for n in z.namelist() if n.endswith(".dist-info/METADATA"))
        metadata = Parser().parsestr(z.read(name).decode("utf-8"))
    return [Requirement(line) for line in metadata.get_all("Requires-Dist") or []]


def missing_on_windows(folder: Path, python: str) -> set[str]:
    """Requirements of the folder's wheels, on Windows under ``python``, that no wheel there satisfies."""
    present: dict[str, set[str]] = {}
    for wheel in folder.glob("*.whl"):
        name, version, _build, _tags = parse_wheel_filename(wheel.name)
        present.setdefault(name, set()).add(str(version))
    env = windows_markers(python)
    missing = set()
    for wheel in folder.glob("*.whl"):
        for req in requirements(wheel):
            if req.marker is not None and not req.marker.evaluate(env):
                continue
            versions = present.get(canonicalize_name(req.name), set())
            if not any(req.specifier.contains(v, prereleases=True) for v in versions):
                missing.add(str(Requirement(f"{req.name}{req.specifier}")))
    return missing


def download_windows_only(folder: Path, python: str) -> None:
    """Download what only Windows' markers ask for (and what that needs) until nothing is missing."""
    for _round in range(5):  # a chain of Windows-only requirements is short; never loop forever
        missing = missing_on_windows(folder, python)
        if not missing:
            return
        pip(
            "download", "--quiet", "--only-binary=:all:", "--platform", PLATFORM,
            "--python-version", python, "--dest", str(folder), *sorted(missing),
        )  # fmt: skip
    raise SystemExit(f"{folder}: still missing on Windows for {python}: {missing_on_windows(folder, python)}")


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
        if missing_on_windows(folder, python):
            raise SystemExit(
                f"{folder}: missing on Windows for {python}: {missing_on_windows(folder, python)}"
            )


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
        download_windows_only(folder, python)
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
