"""Project paths, resolved from this package's own location (never from the working directory)."""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout this package was installed from (editable install: lib/..)."""
    return PACKAGE_DIR.parent.parent


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def outputs_dir() -> Path:
    return project_root() / "outputs"


def expectations_dir() -> Path:
    return project_root() / "expectations"


def default_data_dir() -> Path:
    """Where `make demo` writes the demo exports (gitignored)."""
    return project_root() / "data" / "demo"
