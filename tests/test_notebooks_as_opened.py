"""Every notebook runs top to bottom as an analyst opens it: no parameter injected, its
defaults pointing at ../data/demo next to the notebooks (as `make demo` leaves it)."""

from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import nbformat
import papermill as pm
import pytest

from protection_workbench.synth.generate import generate_demo_exports

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    """A copy of notebooks/ with demo data at ../data/demo, like a fresh `make demo`."""
    base = tmp_path_factory.mktemp("as-opened")
    shutil.copytree(ROOT / "notebooks", base / "notebooks")
    generate_demo_exports(base / "data" / "demo", 1200, 9, date.today(), 0.01)
    return base


def _run(path: Path) -> nbformat.NotebookNode:
    out = path.with_name(f"executed-{path.name}")
    pm.execute_notebook(
        str(path),
        str(out),
        kernel_name="protection-workbench",
        cwd=str(path.parent),
        progress_bar=False,
        request_save_on_cell_execute=False,
    )
    return nbformat.read(out, as_version=4)


def test_every_notebook_runs_with_its_defaults(checkout):
    paths = [checkout / "notebooks" / p.name for p in NOTEBOOKS]
    with ThreadPoolExecutor(max_workers=2) as pool:
        executed = dict(zip(paths, pool.map(_run, paths), strict=True))
    for path, nb in executed.items():
        errors = [
            o
            for cell in nb.cells
            if cell.cell_type == "code"
            for o in cell.get("outputs", [])
            if o.get("output_type") == "error"
        ]
        assert errors == [], f"{path.name}: {errors[:1]}"
        assert any(cell.get("outputs") for cell in nb.cells if cell.cell_type == "code")
