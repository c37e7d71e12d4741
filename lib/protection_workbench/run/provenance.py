"""What a run record says about where its figures came from: inputs, code, versions."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from .. import __version__
from ..paths import project_root

PACKAGES = (
    "pandas",
    "numpy",
    "pyarrow",
    "papermill",
    "nbconvert",
    "great-expectations",
    "matplotlib",
    "ipykernel",
)


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _git(*args: str) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=project_root(), capture_output=True, text=True, timeout=10
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


def git_commit() -> dict:
    """The code the run used: commit and whether the working tree had changes."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": _git("rev-parse", "HEAD"),
        "modified": bool(status) if status is not None else None,
    }


def versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"protection-workbench": __version__}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    found["python"] = sys.version.split()[0]
    return found


def inputs(export) -> list[dict]:
    """Every input file: dataset, name, SHA-256, size, encoding and rows read (the real
    file names: for the restricted run record; reviewers get :func:`public_inputs`)."""
    rows = []
    for name, ds in export.datasets.items():
        for file in ds.report.files:
            path = export.folder / file
            rows.append(
                {
                    "dataset": name,
                    "file": file,
                    "sha256": sha256(path),
                    "bytes": path.stat().st_size,
                    "encoding": ds.report.encodings.get(file),
                    "rows": int((ds.provenance["source_file"] == file).sum())
                    + int((ds.quarantine["file"] == file).sum()),
                }
            )
    return rows


def public_inputs(rows: list[dict]) -> list[dict]:
    """:func:`inputs` as the reviewers' run.json holds them: a file's name only when it says
    nothing but its dataset or its flight's manifest id (``publish.header.public_file_name``;
    a name such as ``manifest_<name> <phone>.csv`` is data); else ``name_withheld`` and the
    name in the restricted run.json only. The SHA-256 still ties the entry to its file."""
    from ..publish.header import public_file_name

    public = []
    for row in rows:
        row = dict(row)
        if public_file_name(row["file"]) is None:
            del row["file"]
            row["name_withheld"] = True
        public.append(row)
    return public
