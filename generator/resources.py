"""Where the default data and the fonts are, in a checkout or an installed copy."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_REPO = Path(__file__).resolve().parent.parent


def _resource(package: str, name: str, repo_folder: str) -> Path:
    in_repo = _REPO / repo_folder / name
    if in_repo.exists():
        return in_repo
    return Path(str(resources.files(package).joinpath(name)))


def default_procedure() -> Path:
    return _resource("generator._data", "procedure.yaml", "data")


def example_roster() -> Path:
    return _resource("generator._data", "roster.example.csv", "data")


def font(name: str) -> Path:
    return _resource("generator._assets.fonts", name, "assets/fonts")
