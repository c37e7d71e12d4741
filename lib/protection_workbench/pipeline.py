"""The weekly run: clean and gate the exports, execute the report notebooks, publish HTML.

One run writes one folder ``outputs/<run-id>/``. It is built in a hidden staging
folder and moved into place only when complete; a failed run is moved to
``outputs/<run-id>.failed/`` with its error report next to the executed notebook,
and never replaces an earlier run. A lock file keeps two runs from writing the
site at the same time; a rerun of the same week gets a new run id.

Layout of a run folder::

    index.html               the run's page: its reports, as-of date, sources, status
    <report>.html            reviewer HTML (code hidden, no network request)
    notebooks/<report>.ipynb the executed notebooks
    tables/                  published tables (CSV with an HXL hashtag row)
    gate.json                the quality gate result (no raw values)
    run.json                 provenance: parameters, inputs with SHA-256 and rows, versions…
    restricted/              findings with real ids and the cleaning report: case workers only,
                             never linked from any page
"""

from __future__ import annotations

import fcntl
import hashlib
import html
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path

from . import __version__, prepared
from .errors import WorkbenchError
from .paths import notebooks_dir, project_root

KERNEL = "protection-workbench"
CELL_TIMEOUT_S = 600
TEMPLATES = Path(__file__).parent / "templates"
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

EXIT_OK, EXIT_GATE_FAILED, EXIT_FAILED = 0, 1, 2


@dataclass(frozen=True)
class Report:
    notebook: str  # file in notebooks/
    title: str
    # Also run with restricted=True into restricted/: the case workers' copy with real ids.
    case_worker_copy: bool = False


# The reports of the weekly run, in reading order.
WEEKLY_REPORTS: tuple[Report, ...] = (
    Report("weekly_report.ipynb", "Weekly report"),
    Report("data_quality.ipynb", "Data quality of the exports"),
    Report("case_integrity.ipynb", "Case integrity", case_worker_copy=True),
    Report("manifest_review.ipynb", "Initial manifest review", case_worker_copy=True),
    Report("referrals_followup.ipynb", "Referrals follow-up", case_worker_copy=True),
    Report("community_hosting.ipynb", "Community hosting monitoring summary"),
)


class RunFailed(WorkbenchError):
    """A weekly run failed; the message says where, the failed run folder has the details."""

    def __init__(self, message: str, record: dict) -> None:
        super().__init__(message)
        self.record = record


def make_run_id(as_of: date, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    iso = as_of.isocalendar()
    return f"{iso.year}-W{iso.week:02d}_{now:%Y%m%dT%H%M%S}Z"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def _environ(name: str, value: str) -> Iterator[None]:
    old = os.environ.get(name)
    os.environ[name] = value
    try:
        yield
    finally:
        if old is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = old


@contextmanager
def run_lock(out: Path) -> Iterator[None]:
    """Exclusive lock on ``out``: a second run waits until the first has finished."""
    out.mkdir(parents=True, exist_ok=True)
    with open(out / ".weekly-run.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            _log(f"another weekly run is writing to {out}; waiting for it to finish …")
            fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _kernel_manager_class(sockets: Path, log: Path):
    """Kernels of the run talk over local IPC sockets, not TCP ports (nothing listens on the
    network), and write their own messages to ``log`` next to the executed notebook instead
    of the scheduler's log (shutdown chatter is not a problem of the run)."""
    from jupyter_client.manager import AsyncKernelManager

    class RunKernelManager(AsyncKernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            # IPC sockets are files named after ``ip``: keep them out of the notebooks folder.
            kwargs.setdefault("ip", str(sockets / "kernel"))
            super().__init__(**kwargs)

        async def _async_launch_kernel(self, kernel_cmd, **kw):
            handle = open(log, "ab")  # noqa: SIM115 (owned by the kernel process)
            kw.update(stdout=handle, stderr=handle)
            try:
                await super()._async_launch_kernel(kernel_cmd, **kw)
            finally:
                handle.close()

    return RunKernelManager


def execute_notebook(source: Path, target: Path, parameters: dict, cwd: Path) -> None:
    import papermill as pm

    known = pm.inspect_notebook(str(source))
    with tempfile.TemporaryDirectory(prefix="workbench-kernel-") as sockets:
        pm.execute_notebook(
            str(source),
            str(target),
            parameters={k: v for k, v in parameters.items() if k in known},
            kernel_name=KERNEL,
            cwd=str(cwd),
            progress_bar=sys.stderr.isatty(),
            log_output=False,
            request_save_on_cell_execute=False,
            execution_timeout=CELL_TIMEOUT_S,
            kernel_manager_class=_kernel_manager_class(
                Path(sockets), target.with_suffix(".kernel.log")
            ),
        )


def to_html(executed: Path, target: Path, banner: str = "") -> None:
    """Reviewer HTML: code hidden, outputs only, self-contained, no network request."""
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(
        template_name="reviewer",
        extra_template_basedirs=[str(TEMPLATES)],
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )
    body, _ = exporter.from_notebook_node(
        nbformat.read(executed, as_version=4), resources={"workbench_banner": banner}
    )
    target.write_text(body, "utf-8")


def _sha256(path: Path) -> str:
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


def _git_commit() -> dict:
    """The code the run used: commit and whether the working tree had changes."""
    status = _git("status", "--porcelain", "--untracked-files=no")
    return {
        "commit": _git("rev-parse", "HEAD"),
        "modified": bool(status) if status is not None else None,
    }


def _versions() -> dict[str, str | None]:
    found: dict[str, str | None] = {"protection-workbench": __version__}
    for name in PACKAGES:
        try:
            found[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            found[name] = None
    found["python"] = sys.version.split()[0]
    return found


def _inputs(export) -> list[dict]:
    rows = []
    for name, ds in export.datasets.items():
        for file in ds.report.files:
            path = export.folder / file
            rows.append(
                {
                    "dataset": name,
                    "file": file,
                    "sha256": _sha256(path),
                    "bytes": path.stat().st_size,
                    "encoding": ds.report.encodings.get(file),
                    "rows": int((ds.provenance["source_file"] == file).sum())
                    + int((ds.quarantine["file"] == file).sum()),
                }
            )
    return rows


def _previous_findings(out: Path) -> Path | None:
    """Findings of the newest earlier successful run (for "what changed")."""
    for run in sorted(out.iterdir(), reverse=True):
        candidate = run / "restricted" / "findings.csv"
        usable = not run.name.startswith(".") and not run.name.endswith(".failed")
        if run.is_dir() and usable and candidate.is_file():
            return candidate
    return None


def _sources(record: dict) -> str:
    from .reporting import describe_sources

    return describe_sources(sorted({i["file"] for i in record.get("inputs", [])}))


def _banner(record: dict, index: str = "index.html") -> str:
    sources = _sources(record)
    return (
        f"Run <b>{html.escape(record['run_id'])}</b> · as of <b>{record['as_of']}</b> · "
        f"data sources: {html.escape(sources)} · <a href='{index}'>all reports of this run</a>"
    )


def run_weekly(
    data: Path,
    as_of: date,
    out: Path,
    reports: tuple[Report, ...] = WEEKLY_REPORTS,
    notebook_dir: Path | None = None,
) -> dict:
    """Run every weekly report on ``data`` into a new run folder of ``out``.

    Returns the run record (run.json). Raises :class:`RunFailed` (after writing the
    failed run folder) when a notebook fails, and
    :class:`~protection_workbench.errors.WorkbenchError` for unusable input.
    """
    data = Path(data).resolve()
    if not data.is_dir():
        raise WorkbenchError(f"{data}: export folder not found")
    out = Path(out).resolve()
    with run_lock(out):
        return _run(data, as_of, out, reports, Path(notebook_dir or notebooks_dir()))


def _run(data: Path, as_of: date, out: Path, reports, source_dir: Path) -> dict:
    from .check import run_check, write_findings_xlsx
    from .clean.load import load_export, write_cleaning_outputs

    run_id = make_run_id(as_of)
    while any((out / f"{run_id}{s}").exists() for s in ("", ".failed", ".tmp")):
        time.sleep(1)  # a rerun within the same second: the next second is a new id
        run_id = make_run_id(as_of)
    staging = out / f".{run_id}.tmp"
    staging.mkdir()
    started = time.perf_counter()
    record: dict = {
        "run_id": run_id,
        "as_of": as_of.isoformat(),
        "week": "{}-W{:02d}".format(*as_of.isocalendar()[:2]),
        "data": str(data),
        "parameters": {"data_dir": str(data), "as_of": as_of.isoformat()},
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": _git_commit(),
        "versions": _versions(),
        "stages": {},
        "reports": [],
        "status": "running",
    }
    try:
        _log(f"weekly run {run_id}: reading {data}")
        t = time.perf_counter()
        try:
            export = load_export(data)
        except WorkbenchError as exc:
            raise RunFailed(f"the exports could not be read: {exc}", record) from exc
        record["inputs"] = _inputs(export)
        record["unrecognised_files"] = export.unrecognised_files
        restricted = staging / "restricted"
        write_cleaning_outputs(export, restricted / "cleaning")
        record["stages"]["clean"] = round(time.perf_counter() - t, 2)

        t = time.perf_counter()
        check = run_check(data, as_of, export=export)
        record["stages"]["gate_and_rules"] = round(time.perf_counter() - t, 2)
        record["gate"] = {"passed": check.gate_passed, "summary": check.gate.summary()}
        record["findings"] = {"errors": check.error_count, "warnings": check.warning_count}
        (staging / "gate.json").write_text(json.dumps(check.gate.to_dict(), indent=2), "utf-8")
        check.findings.to_csv(restricted / "findings.csv", index=False)
        write_findings_xlsx(check.findings, restricted / "findings.xlsx")
        _log(f"  {check.gate.summary()}")

        previous = _previous_findings(out)
        parameters = {
            "data_dir": str(data),
            "as_of": as_of.isoformat(),
            "run_id": run_id,
            "tables_dir": str(staging / "tables"),
            "previous_findings": str(previous) if previous else "",
            "restricted": False,
        }
        (staging / "tables").mkdir()
        (staging / "notebooks").mkdir()
        # The notebooks reuse the run's cleaned data and check results (see prepared.py).
        snapshot = prepared.save(check, restricted / "prepared.pkl")
        with _environ(prepared.ENV, str(snapshot)):
            for i, report in enumerate(reports, start=1):
                _run_report(report, i, len(reports), parameters, staging, record, source_dir)
        snapshot.unlink()  # a copy of the data: not kept once the reports are written
        record["status"] = "ok" if check.passed else "gate_failed"
    except BaseException as exc:
        record["status"] = "failed"
        record.setdefault("error", {"what": f"{type(exc).__name__}: {exc}"})
        record["seconds"] = round(time.perf_counter() - started, 2)
        _write_error_report(record, staging)
        final = _finish(record, staging, out / f"{run_id}.failed")
        if isinstance(exc, RunFailed):
            raise
        if isinstance(exc, Exception):
            raise RunFailed(
                f"weekly run {run_id} failed: {record['error']['what']} "
                f"(details in {final / 'error.txt'})",
                record,
            ) from exc
        raise
    record["seconds"] = round(time.perf_counter() - started, 2)
    _finish(record, staging, out / run_id)
    return record


def _run_report(
    report: Report, i: int, n: int, parameters: dict, staging: Path, record: dict, source_dir: Path
) -> None:
    import papermill as pm

    started = time.perf_counter()
    executed = staging / "notebooks" / report.notebook
    entry = {"notebook": report.notebook, "title": report.title, "status": "running"}
    record["reports"].append(entry)
    _log(f"  [{i}/{n}] {report.title} …")
    try:
        execute_notebook(source_dir / report.notebook, executed, parameters, source_dir)
    except pm.PapermillExecutionError as exc:
        entry["status"] = "failed"
        entry["seconds"] = round(time.perf_counter() - started, 2)
        record["error"] = {
            "what": f"{exc.ename}: {exc.evalue}",
            "notebook": report.notebook,
            "cell": exc.exec_count,
            "cell_index": exc.cell_index,
            "executed_notebook": f"notebooks/{report.notebook}",
            "traceback": "\n".join(exc.traceback or []),
        }
        raise RunFailed(
            f"report '{report.title}' failed in {report.notebook}, cell {exc.exec_count}: "
            f"{exc.ename}: {exc.evalue}",
            record,
        ) from None
    executed_at = time.perf_counter()
    html_name = report.notebook.replace(".ipynb", ".html")
    to_html(executed, staging / html_name, _banner(record))
    done = time.perf_counter()
    entry.update(
        status="ok",
        html=html_name,
        seconds=round(done - started, 2),
        execute_seconds=round(executed_at - started, 2),
        html_seconds=round(done - executed_at, 2),
    )
    if report.case_worker_copy:
        restricted = staging / "restricted"
        (restricted / "notebooks").mkdir(parents=True, exist_ok=True)
        copy = restricted / "notebooks" / report.notebook
        execute_notebook(
            source_dir / report.notebook, copy, {**parameters, "restricted": True}, source_dir
        )
        to_html(
            copy, restricted / html_name, _banner(record, "../index.html") + " · case workers' copy"
        )
        entry["case_worker_copy"] = f"restricted/{html_name}"
        entry["seconds"] = round(time.perf_counter() - started, 2)
    _log(f"        done in {entry['seconds']:.1f} s")


def _write_error_report(record: dict, staging: Path) -> None:
    import traceback as tb

    err = record.get("error", {})
    lines = [
        f"Weekly run {record['run_id']} FAILED (as of {record['as_of']}).",
        "",
        f"What went wrong: {err.get('what', 'unknown error')}",
    ]
    if err.get("notebook"):
        lines += [
            f"Where: notebook {err['notebook']}, cell {err.get('cell')} "
            f"(the executed notebook is {err.get('executed_notebook')}; open it to see the cell).",
        ]
    lines += [
        "",
        "Earlier runs are untouched. Fix the cause and start the run again: a rerun gets a new"
        " run id.",
        "",
        "Technical details:",
        err.get("traceback") or tb.format_exc(),
    ]
    (staging / "error.txt").write_text("\n".join(lines), "utf-8")


def _finish(record: dict, staging: Path, final: Path) -> Path:
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    (staging / "run.json").write_text(json.dumps(record, indent=2, default=str), "utf-8")
    _write_run_index(record, staging)
    os.replace(staging, final)
    write_site_index(final.parent)
    return final


STATUS_TEXT = {
    "ok": "complete — quality gate passed",
    "gate_failed": "complete — quality gate failed or records need correcting",
    "failed": "FAILED — see error.txt",
}
PAGE_CSS = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:900px;margin:2em auto;padding:0 1em;"
    "color:#222}table{border-collapse:collapse}td,th{padding:4px 10px;border-bottom:1px solid"
    " #ddd;text-align:left}.failed{color:#b00020}.gate_failed{color:#8a5a00}"
    "@media print{a{color:inherit;text-decoration:none}}"
)


def _page(title: str, body: str) -> str:
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<meta name='viewport' content='width=device-width'><title>{html.escape(title)}</title>"
        f"<style>{PAGE_CSS}</style></head><body>{body}</body></html>"
    )


def _write_run_index(record: dict, folder: Path) -> None:
    items = "".join(
        f"<li><a href='{html.escape(r['html'])}'>{html.escape(r['title'])}</a>"
        f" <small>({r.get('seconds', 0):.0f} s)</small></li>"
        if r.get("html")
        else f"<li>{html.escape(r['title'])} — <span class='failed'>{r['status']}</span></li>"
        for r in record["reports"]
    )
    sources = _sources(record)
    status = record["status"]
    error = (
        "<p class='failed'>This run failed: " + html.escape(record["error"]["what"]) + ". "
        "See <a href='error.txt'>error.txt</a>.</p>"
        if status == "failed" and record.get("error")
        else ""
    )
    gate = html.escape(record.get("gate", {}).get("summary", ""))
    body = (
        f"<p><a href='../index.html'>← all runs</a></p><h1>Weekly reports, week "
        f"{record['week']}</h1><p><b>As of</b> {record['as_of']} · <b>Run</b> "
        f"{html.escape(record['run_id'])} · <b>Status</b> <span class='{status}'>"
        f"{STATUS_TEXT.get(status, status)}</span></p><p><b>Data sources</b> "
        f"{html.escape(sources)}</p>{error}<p>{gate}</p><h2>Reports</h2><ul>{items}</ul>"
    )
    (folder / "index.html").write_text(_page(f"Run {record['run_id']}", body), "utf-8")


def write_site_index(out: Path) -> None:
    """``outputs/index.html``: every run, newest first, with its status."""
    rows = []
    for path in sorted(
        (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True
    ):
        run_json = path / "run.json"
        if not run_json.is_file():
            continue
        rec = json.loads(run_json.read_text("utf-8"))
        status = rec.get("status", "unknown")
        rows.append(
            f"<tr><td><a href='{html.escape(path.name)}/index.html'>"
            f"{html.escape(rec['run_id'])}</a></td><td>{rec.get('week', '')}</td>"
            f"<td>{rec['as_of']}</td><td class='{status}'>{STATUS_TEXT.get(status, status)}"
            f"</td><td>{len([r for r in rec.get('reports', []) if r.get('html')])}</td></tr>"
        )
    body = (
        "<h1>Protection workbench — weekly reports</h1>"
        "<p>Aggregated reports for reviewers. Newest run first.</p>"
        "<table><thead><tr><th>Run</th><th>Week</th><th>As of</th><th>Status</th>"
        f"<th>Reports</th></tr></thead><tbody>{''.join(rows)}</tbody></table>"
        if rows
        else "<h1>Protection workbench — weekly reports</h1><p>No run yet.</p>"
    )
    tmp = out / ".index.html.tmp"
    tmp.write_text(_page("Protection workbench — weekly reports", body), "utf-8")
    os.replace(tmp, out / "index.html")
