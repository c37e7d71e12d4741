"""The reviewers' site: one page per run and ``index.html`` listing every run.

Rendered from ``templates/site/`` with autoescaping on: no value of a run record (which
holds file names from the exports) reaches a page unescaped, and every page carries the
Content-Security-Policy of :mod:`protection_workbench.publish.html`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..publish.header import describe_sources
from ..publish.html import CSP
from .notebooks import TEMPLATES, table_links

STATUS_TEXT = {
    "ok": "complete — quality gate passed",
    "gate_failed": "complete — quality gate failed or records need correcting",
    "reports_failed": "incomplete — some reports failed (see below)",
    "failed": "FAILED — see error.txt",
}


def _environment():
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES / "site")),
        autoescape=True,
        undefined=jinja2.ChainableUndefined,
    )


def _render(template: str, **context) -> str:
    return _environment().get_template(template).render(csp=CSP, **context)


def sources_of(record: dict) -> str:
    """The run's export files for a page (banner, run index, Word copy): named only where
    the name says nothing but a dataset or a flight's manifest id, else counted; the
    one-per-flight manifests counted in words when there are more than two."""
    return describe_sources([i.get("file") for i in record.get("inputs", [])])


def gate_text(record: dict) -> str:
    """The quality gate's result in plain words (its details, with column names, are in
    gate.json and in the data quality and case integrity reports)."""
    gate = record.get("gate")
    if not isinstance(gate, dict) or "passed" not in gate:
        return ""
    if gate["passed"]:
        return "Quality gate passed: the exports meet every check."
    return (
        "Quality gate failed: some records need correcting (see the case integrity and data "
        "quality reports)."
    )


def _published_tables(record: dict, folder: Path) -> list[tuple[str, list[tuple[str, str]]]]:
    """The run's published tables grouped by the report that wrote them: (report title,
    [(link, table title)]); tables no report claims come last, under "Other tables"."""
    tables_dir = folder / "tables"
    files = sorted(p.name for p in tables_dir.glob("*.csv")) if tables_dir.is_dir() else []
    groups, claimed = [], set()
    for report in record.get("reports", []):
        names = [n for n in report.get("tables", []) if n in files]
        if names:
            groups.append((str(report.get("title", "")), table_links(names, report["notebook"])))
            claimed.update(names)
    rest = [n for n in files if n not in claimed]
    if rest:
        groups.append(("Other tables", table_links(rest)))
    return groups


def write_run_datapackage(record: dict, folder: Path) -> Path | None:
    """``datapackage.json`` in the run folder: every published table of ``tables/`` with its
    Table Schema and HXL hashtags (for partners' tools and HDX); None when there is none."""
    from ..publish.datapackage import report_prefixes, write_datapackage

    tables = sorted((folder / "tables").glob("*.csv"))
    if not tables:
        return None
    groups = {
        name: (str(r.get("title", "")), report_prefixes(str(r.get("notebook", ""))))
        for r in record.get("reports", [])
        for name in r.get("tables", [])
    }
    period = record.get("period_label") or f"week {record.get('week', '')}"
    return write_datapackage(
        folder,
        tables,
        name=f"protection-workbench-{record['run_id']}",
        title=f"Published tables of the reports, {period}",
        description=(
            f"Aggregate tables of the protection, voluntary humanitarian return and community "
            f"hosting reports of IOM Libya, {period} (as of {record.get('as_of', '')}). Each CSV "
            "has an HXL hashtag row under its headers. Counts of people from 1 to 4 are hidden "
            "and marked in a marker column beside them; rows of totals are flagged."
        ),
        groups=groups,
        created=record.get("started"),
    )


def write_run_index(record: dict, folder: Path) -> None:
    status = record.get("status", "unknown")
    page = _render(
        "run_index.html.j2",
        title=(
            f"Period report, {record['period_label']} — run {record['run_id']}"
            if record.get("period_label")
            else f"Weekly reports, week {record.get('week', '')} — run {record['run_id']}"
        ),
        run=record,
        status_text=STATUS_TEXT.get(status, status),
        sources=sources_of(record),
        gate=gate_text(record),
        reports=record.get("reports", []),
        tables=_published_tables(record, folder),
        datapackage=(folder / "datapackage.json").is_file(),
    )
    (folder / "index.html").write_text(page, "utf-8")


def _run_row(path: Path) -> dict | None:
    """A row of the site index for the run folder ``path``; a run record that cannot be
    read is listed as such (it never stops the index from being written)."""
    run_json = path / "run.json"
    if not run_json.is_file():
        return None
    try:
        rec = json.loads(run_json.read_text("utf-8"))
        if not isinstance(rec, dict):
            raise ValueError("not an object")
    except (OSError, ValueError):
        return {
            "folder": path.name,
            "run_id": path.name,
            "week": "",
            "as_of": "",
            "status": "failed",
            "status_text": "run record unreadable (run.json)",
            "reports": "",
        }
    status = str(rec.get("status", "unknown"))
    reports = rec.get("reports") if isinstance(rec.get("reports"), list) else []
    return {
        "folder": path.name,
        "run_id": str(rec.get("run_id", path.name)),
        "week": str(rec.get("week", "")),
        "as_of": str(rec.get("as_of", "")),
        "status": status,
        "status_text": STATUS_TEXT.get(status, status),
        "reports": len([r for r in reports if isinstance(r, dict) and r.get("html")]),
    }


def write_site_index(out: Path) -> None:
    """``outputs/index.html``: every run, newest first, with its status."""
    runs = sorted(
        (p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")), reverse=True
    )
    rows = [row for row in map(_run_row, runs) if row is not None]
    page = _render("site_index.html.j2", title="Protection workbench — weekly reports", rows=rows)
    tmp = out / ".index.html.tmp"
    tmp.write_text(page, "utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, out / "index.html")
