"""The offline Windows bundle is complete: pip installs the project from it alone, for CPython 3.11-3.13."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools"))
import wheelhouse  # noqa: E402


def fake_wheel(folder: Path, name: str, version: str, *requires: str) -> Path:
    path = folder / f"{name}-{version}-py3-none-any.whl"
    metadata = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n"
    metadata += "".join(f"Requires-Dist: {r}\n" for r in requires)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(f"{name}-{version}.dist-info/METADATA", metadata)
    return path


def test_a_requirement_only_windows_asks_for_is_missed_until_its_wheel_is_there(tmp_path: Path) -> None:
    """pip on Linux ignores ``colorama; platform_system == "Windows"``; the bundle must not."""
    fake_wheel(
        tmp_path, "tqdm", "4.70.1",
        'colorama; platform_system == "Windows"', 'requests; extra == "discord"',
        'uvloop; sys_platform == "linux"', 'tomli; python_version < "3.11"', "click>=8",
    )  # fmt: skip
    assert wheelhouse.missing_on_windows(tmp_path, "3.12") == {"colorama", "click>=8"}
    fake_wheel(tmp_path, "click", "7.0")
    assert wheelhouse.missing_on_windows(tmp_path, "3.12") == {"colorama", "click>=8"}
    fake_wheel(tmp_path, "click", "8.1.0")
    fake_wheel(tmp_path, "colorama", "0.4.6")
    assert wheelhouse.missing_on_windows(tmp_path, "3.12") == set()
    assert wheelhouse.missing_on_windows(tmp_path, "3.10") == {"tomli"}


def registry_reachable(tmp_path: Path) -> bool:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
         "--platform", "win_amd64", "--python-version", "3.12", "--dest", str(tmp_path), "colorama"],
        capture_output=True, timeout=120,
    )  # fmt: skip
    return done.returncode == 0


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``make wheelhouse``'s output when there, else one built now (skipped when PyPI is unreachable)."""
    built = ROOT / "build"
    if (built / "aesh-generator-windows.zip").is_file():
        return built
    scratch = tmp_path_factory.mktemp("probe")
    if not registry_reachable(scratch):
        pytest.skip("the package registry is unreachable: the Windows bundle cannot be built here")
    out = tmp_path_factory.mktemp("bundle")
    wheelhouse.build(out)
    return out


@pytest.mark.network
@pytest.mark.parametrize("python", wheelhouse.PYTHONS)
def test_the_wheelhouse_alone_installs_the_project_on_windows(
    bundle: Path, python: str, tmp_path: Path
) -> None:
    folder = bundle / "wheelhouse"
    done = subprocess.run(
        wheelhouse.dry_run_command(folder, python, tmp_path / "target"), capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert wheelhouse.missing_on_windows(folder, python) == set()


@pytest.mark.network
def test_the_zip_holds_the_scripts_the_readme_and_the_wheels(bundle: Path) -> None:
    with zipfile.ZipFile(bundle / "aesh-generator-windows.zip") as z:
        names = set(z.namelist())
    top = wheelhouse.TOP
    assert {f"{top}/windows/installer.bat", f"{top}/windows/guichet.bat", f"{top}/README.md"} <= names
    wheels = {n.rsplit("/", 1)[-1] for n in names if n.startswith(f"{top}/wheelhouse/")}
    assert any(w.startswith("aesh_generator-") for w in wheels)
    assert any(w.startswith("colorama-") for w in wheels)
    for python in wheelhouse.PYTHONS:
        tag = "cp" + python.replace(".", "")
        assert any(w.startswith("pillow-") and f"-{tag}-" in w and "win_amd64" in w for w in wheels), python
