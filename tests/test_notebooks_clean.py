"""Notebooks are committed without outputs (data must not leak into git), with one
`parameters` cell whose defaults run, and naming the project kernel."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KERNEL = "protection-workbench"


def tracked_notebooks() -> list[Path]:
    listed = subprocess.run(
        ["git", "ls-files", "*.ipynb"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    on_disk = sorted((ROOT / "notebooks").glob("*.ipynb"))
    return sorted({ROOT / p for p in listed} | set(on_disk))


NOTEBOOKS = tracked_notebooks()


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found under notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs(path: Path):
    nb = json.loads(path.read_text("utf-8"))
    dirty = [
        i
        for i, cell in enumerate(nb["cells"])
        if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count"))
    ]
    assert dirty == [], f"{path.name}: cells {dirty} carry outputs; run nbstripout"
    assert "papermill" not in nb["metadata"], f"{path.name}: papermill metadata committed"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_one_parameters_cell_and_the_project_kernel(path: Path):
    nb = json.loads(path.read_text("utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: expected exactly one cell tagged 'parameters'"
    assert nb["metadata"]["kernelspec"]["name"] == KERNEL


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_papermill_reads_every_parameter(path: Path):
    """A parameter papermill cannot parse is silently not injected: the run would use the
    default (e.g. today's date instead of the run's as-of date)."""
    import re

    import papermill

    nb = json.loads(path.read_text("utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    assigned = set(re.findall(r"^(\w+)\s*[:=]", "".join(cell["source"]), flags=re.M))
    params = papermill.inspect_notebook(str(path))
    assert set(params) == assigned, f"{path.name}: papermill cannot read {assigned - set(params)}"
