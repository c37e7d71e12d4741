"""The period run: `workbench run period` — the donor report for any span of days.

Same machinery as the weekly run (:mod:`.weekly`), imported, not copied: the output roots
and their permissions, the lock, the hidden staging folders moved into place when
complete, cleaning and checking once (as of the period's last day), the Parquet hand-off
removed in a ``finally``, error reports without data values, exit codes 0–3, run.json and
the site index. What differs: the run id names the period (``2026-Q3_…``, ``2026-10_…``,
``2026-07-01_2026-08-15_…``), the notebook is ``period_report.ipynb`` with the parameters
``date_from``, ``date_to`` and ``project``, and run.json records the period and project.
Each report also gets its Word and PDF copies (:mod:`.copies`), and publishes its tables
(CSV with an HXL row) into ``tables/``, described by the run's ``datapackage.json``, as the
weekly run does. The report's title is the project's (config/indicators.yaml).
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, date, datetime
from pathlib import Path

from ..errors import WorkbenchError
from ..paths import notebooks_dir
from .copies import write_copies
from .site import write_run_datapackage
from .weekly import (
    EXIT_BAD_INPUT,
    LOCK_TIMEOUT_S,
    Report,
    RunFailed,
    _clean_and_check,
    _fail,
    _finish,
    _settle_status,
    claim_roots,
    new_record,
    run_locked,
    run_reports,
    start_run,
)

PERIOD_REPORTS: tuple[Report, ...] = (Report("period_report.ipynb", "Period report"),)


def period_tag(start: date, end: date) -> str:
    """``2026-Q3``, ``2026-10`` or ``2026-07-01_2026-08-15``: the period in a run id."""
    from ..dates import parse_month, parse_quarter

    q = (start.month + 2) // 3
    if (start, end) == parse_quarter(f"{start.year}-Q{q}"):
        return f"{start.year}-Q{q}"
    if (start, end) == parse_month(f"{start:%Y-%m}"):
        return f"{start:%Y-%m}"
    return f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"


def make_run_id(start: date, end: date, now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{period_tag(start, end)}_{now:%Y%m%dT%H%M%S}Z"


def run_period(
    data: Path,
    start: date,
    end: date,
    out: Path,
    project: str | None = None,
    reports: tuple[Report, ...] = PERIOD_REPORTS,
    notebook_dir: Path | None = None,
    restricted_root: Path | None = None,
    keep_restricted: int | None = None,
    lock_timeout_s: float = LOCK_TIMEOUT_S,
    notes: Path | None = None,
    allow_notes_pii: bool = False,
) -> dict:
    """Run the period report(s) on ``data`` for ``start``..``end`` into a new run folder of
    ``out`` (and of the restricted root). Returns the run record; raises
    :class:`~.weekly.RunFailed` or :class:`~protection_workbench.errors.WorkbenchError` as
    :func:`~.weekly.run_weekly` does.

    ``notes`` is the team's narrative (default ``<data>/period_notes.md``; none is fine).
    It and the weekly highlights of the period's weeks are checked for personal data
    against the cleaned records before the report runs, as the weekly run checks its
    notes: a finding stops the run (exit 2) unless ``allow_notes_pii``."""
    from ..indicators import get_indicators

    if end < start:
        raise WorkbenchError(f"the period ends ({end}) before it starts ({start})")
    chosen = get_indicators().project(project)  # an unknown project: exit 2, nothing written
    data, out, restricted_root = claim_roots(data, out, restricted_root)
    source_dir = Path(notebook_dir or notebooks_dir()).absolute()
    notes_pii = (Path(notes).expanduser().resolve() if notes else None, allow_notes_pii)
    return run_locked(
        out,
        restricted_root,
        keep_restricted,
        lock_timeout_s,
        lambda: _run(
            data,
            start,
            end,
            chosen.name,
            out,
            restricted_root,
            _titled(reports, chosen.report_title),
            source_dir,
            notes_pii,
        ),
    )


def _titled(reports: tuple[Report, ...], title: str) -> tuple[Report, ...]:
    """The period report titled after the project (its page's and copies' title)."""
    from dataclasses import replace

    return tuple(
        replace(r, title=title) if r.notebook == PERIOD_REPORTS[0].notebook else r for r in reports
    )


def _run(data, start, end, project, out, restricted_root, reports, source_dir, notes) -> dict:
    from ..dates import period_label

    run_id, staging, private = start_run(out, restricted_root, lambda: make_run_id(start, end))
    started = time.perf_counter()
    label = period_label(start, end)
    record = new_record(
        run_id,
        data,
        restricted_root,
        kind="period",
        as_of=end.isoformat(),
        week=period_tag(start, end),  # the site index's period column
        period={"from": start.isoformat(), "to": end.isoformat(), "label": label},
        period_label=label,
        project=project,
        parameters={
            "data_dir": str(data),
            "date_from": start.isoformat(),
            "date_to": end.isoformat(),
            "project": project,
        },
    )
    prepared = private / "prepared"
    try:
        check = _clean_and_check(data, end, out, restricted_root, staging, private, record)
        notes_file = _check_notes(data, start, end, *notes, check.export.frames, record)
        parameters = {
            **record["parameters"],
            "run_id": run_id,
            "prepared_dir": str(prepared),
            "notes_file": notes_file,
            "tables_dir": str(staging / "tables"),  # each report's own folder (run_reports)
        }
        check.save(prepared)
        run_reports(reports, parameters, staging, private, record, source_dir)
        write_copies(record, staging)
        write_run_datapackage(record, staging)  # datapackage.json: every published table
        _settle_status(record, check.passed, staging, private)
    except BaseException as exc:
        shutil.rmtree(prepared, ignore_errors=True)
        raise _fail(record, exc, staging, private, started, out, restricted_root) from exc
    finally:
        shutil.rmtree(prepared, ignore_errors=True)  # a copy of the data: never kept
    record["seconds"] = round(time.perf_counter() - started, 2)
    _finish(record, staging, private, out / run_id, restricted_root / run_id)
    return record


def _check_notes(data, start, end, notes, allow_pii, frames, record) -> str:
    """The team's narrative and the weekly highlights of the period, checked for personal
    data before the report runs (publish.notes, as the weekly run does). Returns the
    narrative's path for the notebook."""
    import hashlib

    from ..errors import InputFileError
    from ..indicators import PERIOD_NOTES_FILE, highlight_files
    from ..publish.notes import check_notes_file, personal_data_message

    narrative = notes or data / PERIOD_NOTES_FILE
    files = [narrative, *highlight_files(data, start, end).values()]
    record["notes"] = []
    for path in (p for p in files if p.is_file()):
        try:
            found = check_notes_file(path, frames)
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except InputFileError as exc:
            raise RunFailed(
                f"the team's notes could not be read: {path}: {exc.problem}", record, EXIT_BAD_INPUT
            ) from None
        record["notes"].append(
            {
                "file": str(path),
                "sha256": digest,
                "personal_data_lines": sorted({f.line for f in found}),
                "personal_data_allowed": bool(found and allow_pii),
            }
        )
        if found and not allow_pii:
            raise RunFailed(personal_data_message(path, found), record, EXIT_BAD_INPUT)
    return str(narrative)
