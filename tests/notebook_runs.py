"""Shared by the notebook tests: start a papermill run of a project notebook, and read
what an executed notebook shows."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "protection-workbench"


def start_papermill(notebook: str, out: Path, parameters: dict) -> subprocess.Popen:
    """Execute ``notebooks/<notebook>.ipynb`` into ``out`` in a subprocess (so several run
    at once), with the project kernel and ``parameters`` injected."""
    command = [
        sys.executable,
        "-m",
        "papermill",
        str(NOTEBOOKS / f"{notebook}.ipynb"),
        str(out),
        "--kernel",
        KERNEL,
        "--cwd",
        str(NOTEBOOKS),
        "--no-progress-bar",
        "--log-level",
        "ERROR",
        "-y",
        yaml.safe_dump(parameters),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def outputs(nb: dict) -> list[dict]:
    return [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]


def output_text(nb: dict) -> str:
    """Everything a reader sees: streams, markdown, HTML and plain text (not images)."""
    parts = []
    for o in outputs(nb):
        if "text" in o:
            parts.append("".join(o["text"]))
        for mime, value in o.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def markdown(nb: dict) -> str:
    """The Markdown the notebook displayed."""
    return "\n".join(
        "".join(o["data"]["text/markdown"])
        for o in outputs(nb)
        if "text/markdown" in o.get("data", {})
    )


def tiny_notebook(folder: Path, name: str, body: str) -> Path:
    """A report notebook with the usual parameters cell and one cell of ``body``."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(
        'data_dir = ""  # exports\nas_of = ""  # YYYY-MM-DD\nrun_id = ""  # set by the run'
    )
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {name}"),
        params,
        nbformat.v4.new_code_cell(body),
    ]
    nb.metadata["kernelspec"] = {
        "name": "protection-workbench",
        "display_name": "Protection workbench",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.ipynb"
    nbformat.write(nb, path)
    return path
