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
from .notebooks import TEMPLATES

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
    return describe_sources(sorted({i["file"] for i in record.get("inputs", [])}))


def write_run_index(record: dict, folder: Path) -> None:
    status = record.get("status", "unknown")
    tables_dir = folder / "tables"
    tables = sorted(p.name for p in tables_dir.glob("*.csv")) if tables_dir.is_dir() else []
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
        gate=record.get("gate", {}).get("summary", ""),
        reports=record.get("reports", []),
        tables=tables,
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
