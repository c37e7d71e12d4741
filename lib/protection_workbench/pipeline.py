"""The weekly run: clean the exports, execute the report notebooks, publish HTML.

One run writes one folder ``outputs/<run-id>/``. It is built in a hidden staging
folder and moved into place only when complete; a failed run is moved to
``outputs/<run-id>.failed/`` with its error report, and never replaces an
earlier run.
"""

from __future__ import annotations

import json
import sys
import time
import traceback
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from . import __version__
from .clean.load import load_export, write_cleaning_outputs
from .errors import WorkbenchError
from .paths import notebooks_dir

KERNEL = "protection-workbench"
CELL_TIMEOUT_S = 600


@dataclass(frozen=True)
class Report:
    notebook: str  # file in notebooks/
    title: str


# The reports of the weekly run, in reading order.
WEEKLY_REPORTS: tuple[Report, ...] = (
    Report("data_quality.ipynb", "Data quality of the exports"),
    Report("case_integrity.ipynb", "Case integrity"),
    Report("manifest_review.ipynb", "Initial manifest review"),
    Report("referrals_followup.ipynb", "Referrals follow-up"),
)


def make_run_id(as_of: date, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    iso = as_of.isocalendar()
    return f"{iso.year}-W{iso.week:02d}_{now:%Y%m%dT%H%M%S}Z"


def execute_notebook(source: Path, target: Path, parameters: dict, cwd: Path) -> None:
    import papermill as pm

    pm.execute_notebook(
        str(source),
        str(target),
        parameters=parameters,
        kernel_name=KERNEL,
        cwd=str(cwd),
        progress_bar=sys.stderr.isatty(),
        request_save_on_cell_execute=False,
        execution_timeout=CELL_TIMEOUT_S,
    )


def to_html(executed: Path, target: Path) -> None:
    """Reviewer HTML: code hidden, outputs only."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", exclude_input=True, exclude_input_prompt=True)
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text(body, "utf-8")


def run_weekly(data: Path, as_of: date, out: Path) -> dict:
    """Run every weekly report on ``data``; returns the run record (run.json)."""
    data = Path(data).resolve()
    if not data.is_dir():
        raise WorkbenchError(f"{data}: export folder not found")
    out = Path(out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    run_id = make_run_id(as_of)
    staging = out / f".{run_id}.tmp"
    staging.mkdir()
    record: dict = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "data": str(data),
        "workbench_version": __version__,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "reports": [],
        "status": "running",
    }
    try:
        export = load_export(data)
        write_cleaning_outputs(export, staging / "restricted" / "cleaning")
        for report in WEEKLY_REPORTS:
            started = time.perf_counter()
            executed = staging / "notebooks" / report.notebook
            executed.parent.mkdir(exist_ok=True)
            execute_notebook(
                notebooks_dir() / report.notebook,
                executed,
                {"data_dir": str(data), "as_of": as_of.isoformat(), "run_id": run_id},
                cwd=notebooks_dir(),
            )
            html = staging / report.notebook.replace(".ipynb", ".html")
            to_html(executed, html)
            record["reports"].append(
                {
                    "notebook": report.notebook,
                    "title": report.title,
                    "html": html.name,
                    "seconds": round(time.perf_counter() - started, 2),
                    "status": "ok",
                }
            )
        record["status"] = "ok"
    except BaseException as exc:
        record["status"] = "failed"
        record["error"] = f"{type(exc).__name__}: {exc}"
        (staging / "error.txt").write_text(traceback.format_exc(), "utf-8")
        _finish(record, staging, out / f"{run_id}.failed")
        raise
    return _finish(record, staging, out / run_id)


def _finish(record: dict, staging: Path, final: Path) -> dict:
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    (staging / "run.json").write_text(json.dumps(record, indent=2), "utf-8")
    _write_run_index(record, staging)
    staging.rename(final)
    _write_site_index(final.parent)
    return record


def _write_run_index(record: dict, folder: Path) -> None:
    items = "\n".join(f'<li><a href="{r["html"]}">{r["title"]}</a></li>' for r in record["reports"])
    folder.joinpath("index.html").write_text(
        f"<!doctype html><meta charset='utf-8'><title>Run {record['run_id']}</title>"
        f"<h1>Weekly run {record['run_id']}</h1><p>As of {record['as_of']} — status "
        f"{record['status']}</p><ul>{items}</ul>",
        "utf-8",
    )


def _write_site_index(out: Path) -> None:
    runs = []
    for path in sorted(out.iterdir(), reverse=True):
        if path.is_dir() and (path / "run.json").is_file() and not path.name.startswith("."):
            rec = json.loads((path / "run.json").read_text("utf-8"))
            runs.append(
                f'<li><a href="{path.name}/index.html">{rec["run_id"]}</a> — as of '
                f"{rec['as_of']} — {rec['status']}</li>"
            )
    out.joinpath("index.html").write_text(
        "<!doctype html><meta charset='utf-8'><title>Protection workbench reports</title>"
        f"<h1>Weekly runs</h1><ul>{''.join(runs)}</ul>",
        "utf-8",
    )
