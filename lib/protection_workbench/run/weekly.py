"""The weekly run: clean and gate the exports, execute the report notebooks, publish HTML.

A run writes into two roots that never mix:

* the **reviewers' site** ``--out`` (default ``outputs/``): what may be copied whole to a
  shared drive. One folder per run, files readable by all (0644)::

      index.html               the run's page: its reports, tables, sources, status
      <report>.html            reviewer HTML (code hidden, no script, no network request)
      notebooks/<report>.ipynb the executed reviewer notebooks
      tables/                  published tables (CSV with an HXL hashtag row)
      gate.json                the quality gate result (counts, no raw values)
      run.json                 provenance: parameters, inputs with SHA-256 and rows, versions…
      error.txt                (failed run or report) what failed and where, no data values

* the **restricted root** (default ``outputs-restricted/`` next to ``--out``): case workers
  and maintainers only, folder 0700 and files 0600. One folder per run, same name::

      findings.csv, findings.xlsx   findings with real ids
      cleaning/                     cleaning report, quarantine, value issues
      <report>.html, notebooks/     the case workers' copies (real ids, exact counts)
      logs/                         kernel logs, and error.log with full tracebacks

Each run is built in hidden ``.<run-id>.tmp`` folders and moved into place when complete.
Both run folders carry the workbench's marker (with the run id) and a run.json (the
restricted one with the real names of the input files): retention removes only such
folders, newest runs by their recorded start kept. The two roots may be on two file
systems: nothing is renamed from one to the other.
The cleaned data are handed to the notebooks as Parquet files in the restricted run folder
(the notebook parameter ``prepared_dir``) and removed in a ``finally`` whatever happens; the
next run sweeps what a killed run left behind. Every report runs even if another fails;
reports run two at a time, each in its own kernel, and write their tables into a folder of
their own that joins ``tables/`` once the report succeeded. A lock keeps two runs from
writing the same site at once.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import InputFileError, WorkbenchError, printable
from ..outputs import (
    MARKER,
    RUN_KIND,
    check_output_folder,
    claim_folder,
    make_private,
    make_shared,
    mark_run_folder,
    move_file,
    private_umask,
    read_marker,
)
from ..paths import notebooks_dir
from . import provenance
from .copies import write_copies
from .notebooks import execute_notebook, table_links, to_html
from .site import (
    about_html,
    page_banner,
    period_words,
    write_run_datapackage,
    write_run_index,
    write_site_index,
)

# Exit codes of `workbench run weekly` (and of the other commands).
EXIT_OK = 0  # every report produced, gate passed, no error finding
EXIT_GATE_FAILED = 1  # every report produced; the gate failed or records need correcting
EXIT_BAD_INPUT = 2  # unusable input or arguments; nothing published
EXIT_INTERNAL = 3  # a report failed or a bug: the others are published, details in logs/
LOCK_TIMEOUT_S = 2 * 3600
LOCK_FILE = ".weekly-run.lock"
# Reports executed at once. Each runs in its own kernel process, which spends part of its
# time starting up and importing: two keep the two cores of the scheduled machine busy.
REPORT_WORKERS = 2
_ANSI = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]")


@dataclass(frozen=True)
class Report:
    notebook: str  # file in notebooks/
    title: str
    # Also run with restricted=True into the restricted root: the case workers' copy.
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
    """A weekly run failed; the message says where, the run's error report has the details.

    ``public`` is what reviewers may read of it (error.txt, run.json: no file name that
    could hold personal data; default the message); ``kept`` the failed run's folder in
    the reviewers' root, or None when nothing could be kept."""

    def __init__(
        self,
        message: str,
        record: dict,
        exit_code: int = EXIT_INTERNAL,
        public: str | None = None,
        kept: Path | None = None,
    ) -> None:
        super().__init__(message)
        self.record = record
        self.exit_code = exit_code
        self.public = public or message
        self.kept = kept


def make_run_id(as_of: date, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    iso = as_of.isocalendar()
    return f"{iso.year}-W{iso.week:02d}_{now:%Y%m%dT%H%M%S}Z"


def default_restricted_root(out: Path) -> Path:
    """Next to the reviewers' folder, never inside it: ``outputs`` → ``outputs-restricted``."""
    out = Path(out).expanduser().resolve()
    if not out.name:  # the file system's root has no name to put "-restricted" after
        raise WorkbenchError(
            f"--out {out}: is the root of the file system; choose a folder, or name the "
            "restricted folder with --restricted (nothing was changed)"
        )
    return out.with_name(f"{out.name}-restricted")


def _log(message: str) -> None:
    """A line on stderr (the scheduler's log); names from the exports or the folders may
    hold control characters (ESC …): they are shown escaped, never sent to the terminal."""
    print(printable(message), file=sys.stderr, flush=True)


def exit_code_of(record: dict) -> int:
    return {"ok": EXIT_OK, "gate_failed": EXIT_GATE_FAILED}.get(record["status"], EXIT_INTERNAL)


@contextmanager
def run_lock(out: Path, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[None]:
    """Exclusive lock on ``out``: a second run waits for the first, at most ``timeout_s``.

    The lock is the kernel's (``flock``): it dies with its process, so the lock of a killed
    run is free at once. The file names the process holding it, for the waiting message."""
    lock_path = out / LOCK_FILE
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip()[:200] or "another process"
            _log(f"another weekly run ({holder}) is writing to {out}; waiting for it …")
            deadline = time.monotonic() + timeout_s
            while True:
                time.sleep(1)
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise WorkbenchError(
                            f"{lock_path}: another weekly run ({holder}) has held the lock "
                            f"for over {timeout_s / 60:.0f} minutes; if it hangs, stop it "
                            "and start this run again"
                        ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"process {os.getpid()} since {datetime.now(UTC):%Y-%m-%d %H:%M:%S}Z")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)


def _is_run_folder(path: Path) -> bool:
    """A folder that a run of the workbench made (its marker says so), not just one that
    looks like it: only such a folder is ever removed."""
    marker = read_marker(path) if path.is_dir() and not path.is_symlink() else None
    return marker is not None and marker.get("kind") == RUN_KIND


def sweep_leftovers(*roots: Path) -> list[str]:
    """Remove what killed runs left behind: their hidden ``.<run-id>.tmp`` staging folders
    and the ``prepared`` hand-off folder (a copy of the cleaned data) of a run folder; only
    folders that carry a run's marker. Returns what was removed."""
    removed = []
    for root in roots:
        if not root.is_dir():
            continue
        for path in sorted(root.iterdir()):
            if not _is_run_folder(path):
                continue
            if path.name.startswith(".") and path.name.endswith(".tmp"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(str(path))
            elif (path / "prepared").is_dir():
                shutil.rmtree(path / "prepared", ignore_errors=True)
                removed.append(str(path / "prepared"))
    for path in removed:
        _log(f"removed the leftovers of an interrupted run: {path}")
    return removed


@dataclass
class Pruned:
    """What retention did in a restricted root: the run folders it removed, and every
    other entry it left alone with the reason (never removed: not a run of the workbench,
    or one whose record cannot be read)."""

    removed: list[Path] = field(default_factory=list)
    left_alone: list[tuple[Path, str]] = field(default_factory=list)


def _run_started(path: Path) -> datetime | str:
    """When the run of folder ``path`` started (its run.json), or why it cannot be told."""
    if not _is_run_folder(path):
        return "not a run folder of the workbench (no run marker)"
    marker = read_marker(path) or {}
    try:
        record = json.loads((path / "run.json").read_text("utf-8"))
        started = datetime.fromisoformat(record["started"])
        run_id = record["run_id"]
    except (OSError, ValueError, TypeError, KeyError):
        return "its run record (run.json) is missing or unreadable"
    if started.tzinfo is None:
        return "its run record (run.json) has no time zone on its start"
    if (
        not run_id
        or run_id != marker.get("run_id")
        or path.name not in (run_id, f"{run_id}.failed")
    ):
        return "its name, marker and run record name different runs (a copy?)"
    return started


def prune_restricted(restricted_root: Path, keep: int) -> Pruned:
    """Data minimisation: keep the restricted outputs of the newest ``keep`` runs only.

    Only run folders are removed: each carries the workbench's run marker and a readable
    run.json whose run id is the folder's, and the runs are ordered by the start their
    record gives (period runs ``2026-Q4_…`` and weekly runs ``2026-W48_…`` alike; failed
    runs count as runs). Every other entry — a folder of the user's, an unreadable or
    copied run — is left alone and listed. The root itself must be a restricted root the
    workbench made."""
    if keep < 1:
        raise WorkbenchError(f"--keep must be at least 1 (got {keep})")
    marker = read_marker(restricted_root)
    if marker is None or marker.get("kind") != "weekly-restricted":
        raise WorkbenchError(
            f"{restricted_root}: is not a restricted folder made by the workbench (its "
            f"{MARKER} is missing or of another kind); nothing was removed"
        )
    runs, pruned = [], Pruned()
    for path in sorted(restricted_root.iterdir()):
        if path.name in (MARKER, LOCK_FILE):
            continue
        started = _run_started(path)
        if isinstance(started, str):
            pruned.left_alone.append((path, started))
        else:
            runs.append((started, path.name, path))
    runs.sort(reverse=True)
    for _, _, path in runs[keep:]:
        shutil.rmtree(path)
        pruned.removed.append(path)
    return pruned


def claim_roots(
    data: str | Path, out: str | Path, restricted_root: str | Path | None
) -> tuple[Path, Path, Path]:
    """The export folder and the two output roots of a run (weekly or period), checked and
    claimed: the reviewers' root (shared) and the restricted root (owner-only), apart."""
    data = Path(data).expanduser().resolve()
    if not data.is_dir():
        raise WorkbenchError(f"{data}: export folder not found")
    out = check_output_folder(out, data, kind="weekly-site")
    restricted_root = check_output_folder(
        restricted_root or default_restricted_root(out), data, kind="weekly-restricted"
    )
    if restricted_root == out or out in restricted_root.parents:
        raise WorkbenchError(
            f"--restricted {restricted_root}: must not be inside the reviewers' folder {out}"
        )
    claim_folder(out, "weekly-site", private=False)
    claim_folder(restricted_root, "weekly-restricted", private=True)
    return data, out, restricted_root


def run_weekly(
    data: Path,
    as_of: date,
    out: Path,
    reports: tuple[Report, ...] = WEEKLY_REPORTS,
    notebook_dir: Path | None = None,
    restricted_root: Path | None = None,
    keep_restricted: int | None = None,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
    notes: Path | None = None,
    allow_notes_pii: bool = False,
) -> dict:
    """Run every weekly report on ``data`` into a new run folder of ``out`` (and of the
    restricted root).

    ``notes`` is the team's Markdown file of highlights (default ``<data>/highlights.md``;
    none is fine): it is checked for personal data against the cleaned records before any
    report runs, and a finding stops the run (exit 2) unless ``allow_notes_pii``.

    Returns the run record (run.json); its ``status`` says whether every report was
    produced. Raises :class:`RunFailed` (after writing the failed run folder, exit code 2
    or 3) when no report could be produced, and
    :class:`~protection_workbench.errors.WorkbenchError` for unusable arguments.
    """
    data, out, restricted_root = claim_roots(data, out, restricted_root)
    source_dir = Path(notebook_dir or notebooks_dir()).absolute()
    return run_locked(
        out,
        restricted_root,
        keep_restricted,
        lock_timeout_s,
        lambda: _run(
            data, as_of, out, restricted_root, reports, source_dir, (notes, allow_notes_pii)
        ),
    )


def run_locked(
    out: Path,
    restricted_root: Path,
    keep_restricted: int | None,
    lock_timeout_s: float,
    run: Callable[[], dict],
) -> dict:
    """``run()`` (a weekly or period run; it returns its record) under the site's lock and
    a private umask, after sweeping what a killed run left behind; then the restricted
    outputs of all but the newest ``keep_restricted`` runs are removed."""
    with run_lock(out, lock_timeout_s), private_umask():
        swept = sweep_leftovers(out, restricted_root)
        record = run()
        record["swept_leftovers"] = len(swept)
        if keep_restricted:
            pruned = prune_restricted(restricted_root, keep_restricted)
            for path in pruned.removed:
                _log(f"removed restricted outputs of an old run (--keep-restricted): {path}")
            for path, why in pruned.left_alone:
                name = printable(path.name, keep_newlines=False)  # one line per entry
                _log(f"left alone in {restricted_root}: {name}: {why}")
    return record


def start_run(
    out: Path, restricted_root: Path, new_id: Callable[[], str]
) -> tuple[str, Path, Path]:
    """A run id (from ``new_id``) that no run in either root has, and the run's hidden
    staging folders in both: (run id, reviewers' staging, restricted staging)."""
    run_id = new_id()
    while any(
        (root / f"{prefix}{run_id}{suffix}").exists()
        for root in (out, restricted_root)
        for prefix, suffix in (("", ""), ("", ".failed"), (".", ".tmp"))
    ):
        time.sleep(1)  # a rerun within the same second: the next second is a new id
        run_id = new_id()
    staging = out / f".{run_id}.tmp"
    private = restricted_root / f".{run_id}.tmp"
    staging.mkdir()
    private.mkdir()
    mark_run_folder(staging, run_id, private=False)
    mark_run_folder(private, run_id, private=True)
    return run_id, staging, private


def new_record(run_id: str, data: Path, restricted_root: Path, **about) -> dict:
    """The run.json record of a run that starts: its id, what it is (``about``: as-of
    date, period, parameters…), its data and restricted folder, and provenance."""
    return {
        "run_id": run_id,
        **about,
        "data": str(data),
        "restricted": str(restricted_root / run_id),
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "git_commit": provenance.git_commit(),
        "versions": provenance.versions(),
        "stages": {},
        "reports": [],
        "status": "running",
    }


def _run(
    data: Path,
    as_of: date,
    out: Path,
    restricted_root: Path,
    reports,
    source_dir: Path,
    notes: tuple[Path | None, bool] = (None, False),
) -> dict:
    run_id, staging, private = start_run(out, restricted_root, lambda: make_run_id(as_of))
    started = time.perf_counter()
    record = new_record(
        run_id,
        data,
        restricted_root,
        as_of=as_of.isoformat(),
        week="{}-W{:02d}".format(*as_of.isocalendar()[:2]),
        parameters={"data_dir": str(data), "as_of": as_of.isoformat()},
    )
    prepared = private / "prepared"
    try:
        check = _clean_and_check(data, as_of, out, restricted_root, staging, private, record)
        notes_file = _check_notes(*notes, data, check.export, private, record)
        parameters = {
            "data_dir": str(data),
            "as_of": as_of.isoformat(),
            "run_id": run_id,
            "tables_dir": str(staging / "tables"),
            "previous_findings": str(_previous_findings(restricted_root) or ""),
            "prepared_dir": str(prepared),
            "restricted": False,
            "notes_file": notes_file,
        }
        check.save(prepared)
        run_reports(reports, parameters, staging, private, record, source_dir)
        write_copies(record, staging)  # Word and PDF beside each report's HTML
        write_run_datapackage(record, staging)  # datapackage.json: every published table
        _settle_status(record, check.passed, staging, private)
    except BaseException as exc:
        shutil.rmtree(prepared, ignore_errors=True)
        failure = _fail(record, exc, staging, private, started, out, restricted_root)
        raise failure from exc
    finally:
        shutil.rmtree(prepared, ignore_errors=True)  # a copy of the data: never kept
    record["seconds"] = round(time.perf_counter() - started, 2)
    _finish(record, staging, private, out / run_id, restricted_root / run_id)
    return record


def _clean_and_check(data, as_of, out, restricted_root, staging, private, record):
    from ..clean.load import load_export, write_cleaning_outputs
    from ..outputs import write_csv
    from .check import run_check, write_findings_xlsx, write_rule_errors

    _log(f"{record.get('kind', 'weekly')} run {record['run_id']}: reading {data}")
    t = time.perf_counter()
    try:
        export = load_export(data)
    except WorkbenchError as exc:
        raise RunFailed(
            f"the exports could not be read: {exc}",
            record,
            exit_code=EXIT_BAD_INPUT,
            public=f"the exports could not be read: {_public_problem(exc, data)}",
        ) from exc
    # File names are data (a manifest named after a person): the reviewers' run.json names
    # a file only when its name says nothing else than its dataset or flight; the restricted
    # run.json keeps every name, and the files that are not exports.
    inputs = provenance.inputs(export)
    record["inputs"] = provenance.public_inputs(inputs)
    record["unrecognised_files"] = len(export.unrecognised_files)
    record["_restricted"] = {
        "inputs": inputs,
        "unrecognised_files": list(export.unrecognised_files),
    }
    write_cleaning_outputs(export, private / "cleaning")
    record["stages"]["clean"] = round(time.perf_counter() - t, 2)

    t = time.perf_counter()
    check = run_check(data, as_of, export=export)
    record["stages"]["gate_and_rules"] = round(time.perf_counter() - t, 2)
    record["gate"] = {"passed": check.gate_passed, "summary": check.gate.summary()}
    record["findings"] = {
        "errors": check.error_count,
        "warnings": check.warning_count,
        "rules_failed": check.rules_failed(),  # code -> error class: the other rules ran
    }
    for failure in check.failed_rules.values():
        _log(f"  WARNING: {failure.describe()}; the other rules ran (see rule_errors.log)")
    (staging / "gate.json").write_text(json.dumps(check.gate.to_dict(), indent=2), "utf-8")
    write_csv(check.findings, private / "findings.csv", index=False)
    write_findings_xlsx(check.findings, private / "findings.xlsx")
    write_rule_errors(check, private / "rule_errors.log")
    _log(f"  {check.gate.summary()}")
    (staging / "tables").mkdir()
    (staging / "notebooks").mkdir()
    return check


def _public_problem(exc: WorkbenchError, data: Path) -> str:
    """An input error for reviewers: the problem, and the file only if its name may be
    published (else "a file whose name is not shown"; the restricted log names it)."""
    from ..publish.header import public_file_name

    if not isinstance(exc, InputFileError):
        return f"{type(exc).__name__} (the restricted logs/error.log says which file)"
    path = Path(exc.path)
    if path == data:
        return f"the export folder: {exc.problem}"
    shown = public_file_name(path.name) if path.parent == data else None
    return f"{shown or 'a file whose name is not shown'}: {exc.problem}"


def _check_notes(notes, allow_pii, data, export, private, record) -> str:
    """The team's notes, before any report: checked for personal data against the cleaned
    records and copied into the restricted run folder (provenance: what was checked is what
    the weekly report shows). Returns the path the weekly report reads (no file: none)."""
    import hashlib

    from ..errors import InputFileError
    from ..publish.notes import (
        check_notes_file,
        default_notes_path,
        personal_data_message,
        read_notes,
    )

    path = Path(notes).expanduser().resolve() if notes else default_notes_path(data)
    record["notes"] = {"file": str(path), "present": path.is_file()}
    if not path.is_file():
        _log(f"  no team notes in {path}: the weekly report says none were written")
        return str(path)
    copy = private / "notes" / path.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    try:
        read_notes(path)  # its size and encoding first, before a copy is made
        content = path.read_bytes()
        copy.write_bytes(content)
        found = check_notes_file(copy, export.frames)
    except InputFileError as exc:
        raise RunFailed(
            f"the team's notes could not be read: {path}: {exc.problem}", record, EXIT_BAD_INPUT
        ) from None
    record["notes"].update(
        sha256=hashlib.sha256(content).hexdigest(),
        personal_data_lines=sorted({f.line for f in found}),
        personal_data_allowed=bool(found and allow_pii),
    )
    if found and not allow_pii:
        raise RunFailed(personal_data_message(path, found), record, EXIT_BAD_INPUT)
    if found:
        lines = ", ".join(str(n) for n in record["notes"]["personal_data_lines"])
        _log(f"  WARNING: {path}, line(s) {lines}: published with --allow-notes-pii")
    return str(copy)


def _previous_findings(restricted_root: Path) -> Path | None:
    """Findings of the newest earlier completed run (for "what changed")."""
    for run in sorted(restricted_root.iterdir(), reverse=True):
        candidate = run / "findings.csv"
        usable = not run.name.startswith(".") and not run.name.endswith(".failed")
        if run.is_dir() and usable and candidate.is_file():
            return candidate
    return None


def _banner(record: dict, index: str | None = "index.html") -> str:
    """The line above every report (the notebooks show only their title): the report date
    in words and a link to the run page; the run reference and the files read close the
    page ("About this report", :func:`~.site.about_html`)."""
    return page_banner(record, index)


def run_reports(
    reports, parameters: dict, staging: Path, private: Path, record: dict, source_dir: Path
) -> None:
    """Execute ``reports`` (and their case workers' copies), :data:`REPORT_WORKERS` at a
    time. Their entries join ``record["reports"]`` in the order of ``reports``; a report
    that fails is recorded there and the others still run."""
    entries = [{"notebook": r.notebook, "title": r.title, "status": "waiting"} for r in reports]
    record["reports"] += entries
    jobs = [
        (report, entry, f"[{i}/{len(reports)}] {report.title}")
        for i, (report, entry) in enumerate(zip(reports, entries, strict=True), start=1)
    ]

    def run(job) -> None:
        _run_report(*job, parameters, staging, private, record, source_dir)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=REPORT_WORKERS, thread_name_prefix="report") as pool:
        list(pool.map(run, jobs))
    record["stages"]["reports"] = round(time.perf_counter() - started, 2)


def _run_report(
    report: Report,
    entry: dict,
    name: str,
    parameters: dict,
    staging: Path,
    private: Path,
    record: dict,
    source_dir: Path,
) -> None:
    """Execute one report (and its case workers' copy) into ``entry``; a failure is
    recorded, not raised, so that the other reports are still produced.

    The report writes its tables into a folder of its own, so that what it published (and
    the share of cells it hid) is known even while other reports run; they join the run's
    ``tables/`` when the report succeeded, and are dropped with it when it failed."""
    from ..publish.protected import read_disclosure

    started = time.perf_counter()
    entry["status"] = "running"
    html_name = report.notebook.replace(".ipynb", ".html")
    title = f"{report.title} — {period_words(record)}"
    _log(f"  {name} …")
    executed = staging / "notebooks" / report.notebook
    log = private / "logs" / report.notebook.replace(".ipynb", ".kernel.log")
    own_tables = staging / "tables" / f".{Path(report.notebook).stem}.tmp"
    if "tables_dir" in parameters:
        own_tables.mkdir(parents=True)
        parameters = {**parameters, "tables_dir": str(own_tables)}
    try:
        execute_notebook(source_dir / report.notebook, executed, parameters, source_dir, log)
        executed_at = time.perf_counter()
        # the share of cells and people this report hides (publish/protected.write_summary)
        entry.update(read_disclosure(own_tables))
        # the tables this report published, linked from its page and the run's page
        entry["tables"] = _publish_tables(own_tables, staging / "tables")
        links = table_links(entry["tables"], report.notebook)
        to_html(executed, staging / html_name, _banner(record), title, links, about_html(record))
        entry.update(
            html=html_name,
            execute_seconds=round(executed_at - started, 2),
            html_seconds=round(time.perf_counter() - executed_at, 2),
        )
        if report.case_worker_copy:
            copy = private / "notebooks" / report.notebook
            copy.parent.mkdir(parents=True, exist_ok=True)
            execute_notebook(
                source_dir / report.notebook,
                copy,
                # exact counts: never written into the reviewers' tables
                {**parameters, "restricted": True, "tables_dir": ""},
                source_dir,
                log.with_name(log.name.replace(".kernel", ".restricted.kernel")),
            )
            to_html(
                copy,
                private / html_name,
                _banner(record, None) + " · <b>Case workers' copy</b>: real ids, exact counts",
                title,
                about=about_html(record),
            )
            entry["case_worker_copy"] = html_name
        entry["status"] = "ok"
    except Exception as exc:  # noqa: BLE001 (one report's failure must not withhold the others)
        entry.update(status="failed", error_report="error.txt", **_describe_failure(exc, report))
        entry.pop("html", None)
        if executed.exists():  # its error output may quote data: not for reviewers
            _keep_failed_notebook(executed, private / "notebooks" / f"failed-{report.notebook}")
        (staging / html_name).unlink(missing_ok=True)
        _log(f"  {name}: FAILED: {entry['error']}")
    finally:
        shutil.rmtree(own_tables, ignore_errors=True)  # a failed report's tables: unpublished
    entry["seconds"] = round(time.perf_counter() - started, 2)
    if entry["status"] == "ok":
        _log(f"  {name}: done in {entry['seconds']:.1f} s")


def _keep_failed_notebook(executed: Path, target: Path) -> None:
    """Move a failed report's executed notebook (its error output may quote data) from the
    reviewers' folder to the restricted one, which may be on another file system; if even
    that fails it is removed: never left for reviewers, and never the run's end."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        move_file(executed, target)
    except OSError as exc:
        executed.unlink(missing_ok=True)
        _log(f"  the failed notebook could not be kept ({exc.strerror}); it was removed")


def _publish_tables(own: Path, tables: Path) -> list[str]:
    """Move the files a report wrote into ``own`` (its tables and disclosure summary) to
    the run's ``tables`` folder; the names of its tables. Reports name their files after
    themselves: a name another report took already is a bug, not a file to replace."""
    files = sorted(own.iterdir()) if own.is_dir() else []
    taken = [p.name for p in files if (tables / p.name).exists()]
    if taken:
        raise WorkbenchError(f"another report already published {', '.join(taken)}")
    for path in files:
        os.replace(path, tables / path.name)
    return [p.name for p in files if p.suffix == ".csv"]


def _describe_failure(exc: BaseException, report: Report) -> dict:
    """What reviewers may read about a failure (no value from the data: the exception's
    type and where), and the full story for the restricted log."""
    import papermill as pm

    if isinstance(exc, pm.PapermillExecutionError):
        public = (
            f"{report.title}: the notebook {report.notebook} stopped in cell "
            f"{exc.exec_count} ({exc.ename})"
        )
        detail = f"{exc.ename}: {exc.evalue}\n" + "\n".join(exc.traceback or [])
    else:
        public = f"{report.title}: the report could not be produced ({type(exc).__name__})"
        detail = "".join(traceback.format_exception(exc))
    return {"error": public, "_detail": _ANSI.sub("", detail)}


def _fail(record, exc, staging, private, started, out, restricted_root) -> BaseException:
    """A run that produced no report: keep both folders as ``<run-id>.failed`` with the
    error reports; returns what to raise: :class:`RunFailed` (exit 2 for unusable input or
    a full or read-only disk, else 3), or ``exc`` itself when it is not an error (an
    interrupt). If even the failed run cannot be written, both folders are removed."""
    record["status"] = "failed"
    code = EXIT_INTERNAL
    if isinstance(exc, RunFailed) and exc.exit_code == EXIT_BAD_INPUT:
        # An input problem: its message names file, line and problem, never a value; the
        # reviewers' version names no file whose name could hold personal data.
        record["error"] = {"what": exc.public}
        told = str(exc)
        code = EXIT_BAD_INPUT
    elif isinstance(exc, OSError):
        record["error"] = {"what": f"could not write {exc.filename or ''}: {exc.strerror}"}
        told = record["error"]["what"]
        code = EXIT_BAD_INPUT
    else:
        record["error"] = {"what": f"internal error ({type(exc).__name__})"}
        told = record["error"]["what"]
    record["error"]["_detail"] = _ANSI.sub("", "".join(traceback.format_exception(exc)))
    record["seconds"] = round(time.perf_counter() - started, 2)
    run_id = record["run_id"]
    final = out / f"{run_id}.failed"
    try:
        _write_error_reports(record, staging, private)
        kept = _finish(record, staging, private, final, restricted_root / f"{run_id}.failed")
    except OSError:
        # moved into place before the error (the site index then failed): it is kept
        kept = final if final.is_dir() else None
        shutil.rmtree(staging, ignore_errors=True)
        shutil.rmtree(private, ignore_errors=True)  # never a half-written copy of data
        record.pop("_restricted", None)
    if kept is not None:
        where = f"the failed run is kept: {kept / 'error.txt'}"
    else:
        where = "the failed run could not be written either; nothing of it was kept"
    if not isinstance(exc, Exception):
        return exc  # KeyboardInterrupt, SystemExit: after the failed run is written
    return RunFailed(
        f"{record.get('kind', 'weekly')} run {run_id} failed: {told} ({where})",
        record,
        code,
        kept=kept,
    )


def _settle_status(record: dict, gate_passed: bool, staging: Path, private: Path) -> None:
    """The run's status once every report has run: ``reports_failed`` (with the error
    reports) when any failed, else ``ok`` or ``gate_failed``."""
    failed = [r for r in record["reports"] if r["status"] == "failed"]
    if failed:
        record["status"] = "reports_failed"
        record["error"] = {
            "what": f"{len(failed)} of {len(record['reports'])} reports failed: "
            + ", ".join(r["title"] for r in failed)
        }
        _write_error_reports(record, staging, private)
    else:
        record["status"] = "ok" if gate_passed else "gate_failed"


def _write_error_reports(record: dict, staging: Path, private: Path) -> None:
    """``error.txt`` for reviewers (what failed and where, no data value) and
    ``logs/error.log`` in the restricted folder with the full tracebacks."""
    failures = [record["error"]] if record["status"] == "failed" else []
    failures += [r for r in record["reports"] if r.get("status") == "failed"]
    public = [
        f"{record.get('kind', 'weekly').capitalize()} run {record['run_id']} "
        f"(as of {record['as_of']}): {record['error']['what']}.",
        "",
    ]
    public += [f"- {f.get('error') or f.get('what')}" for f in failures]
    public += [
        "",
        "Earlier runs are untouched. The full technical details are in the restricted",
        f"folder of this run (logs/error.log in {record['restricted']}), for the maintainers.",
        "Fix the cause and start the run again: a rerun gets a new run id.",
    ]
    (staging / "error.txt").write_text("\n".join(public) + "\n", "utf-8")
    detail = []
    for f in failures:
        detail += [f.get("error") or f.get("what", ""), f.get("_detail", ""), ""]
    (private / "logs").mkdir(parents=True, exist_ok=True)
    (private / "logs" / "error.log").write_text("\n".join(detail), "utf-8")
    for f in failures:
        f.pop("_detail", None)


def _finish(record: dict, staging: Path, private: Path, final: Path, final_private: Path) -> Path:
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["restricted"] = str(final_private)
    restricted_only = record.get("_restricted", {})
    public = {k: v for k, v in record.items() if k != "_restricted"}
    (staging / "run.json").write_text(json.dumps(public, indent=2, default=str), "utf-8")
    # the restricted copy: the same record with the real names of the input files
    (private / "run.json").write_text(
        json.dumps({**public, **restricted_only}, indent=2, default=str), "utf-8"
    )
    write_run_index(public, staging)
    make_private(private)
    make_shared(staging)
    os.replace(private, final_private)  # each within its own root: one file system
    os.replace(staging, final)
    record.pop("_restricted", None)
    write_site_index(final.parent)
    return final
