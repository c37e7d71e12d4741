"""The reviewers' site: one page per run and ``index.html`` listing every run.

Rendered from ``templates/site/`` with autoescaping on: no value of a run record (which
holds file names from the exports) reaches a page unescaped, and every page carries the
Content-Security-Policy of :mod:`protection_workbench.publish.html`.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

from ..publish.header import describe_sources, week_label_words, week_words
from ..publish.html import CSP, esc
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


def period_words(record: dict) -> str:
    """What a run reports on, as a reader says it: "week 48 of 2026 (23 to 29 November)",
    or a period run's label ("October 2026"). The ISO label (2026-W48) stays in folder and
    file names, run.json and the CSV tables, where machines read it."""
    if record.get("period_label"):
        return str(record["period_label"])
    return week_label_words(str(record.get("week", "")))


def as_of_words(record: dict) -> str:
    """The report date in words: "24 November 2026, in week 48 of 2026 (23 to 29 November)",
    or "31 October 2026 (period: October 2026)"."""
    try:
        as_of = date.fromisoformat(str(record["as_of"]))
    except (KeyError, ValueError):
        return str(record.get("as_of", ""))
    if record.get("period_label"):
        return f"{as_of.day} {as_of:%B %Y} (period: {record['period_label']})"
    return f"{as_of.day} {as_of:%B %Y}, in {week_words(as_of)}"


def _short_date(value: object) -> str:
    """ "24 November 2026" for an ISO date; anything else as it is."""
    try:
        day = date.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    return f"{day.day} {day:%B %Y}"


def page_banner(record: dict, index: str | None = "index.html") -> str:
    """The line above every report of a run (HTML, escaped parts only): the report date in
    words and a link to the run's page. The run reference and the files read are at the
    end of the page (:func:`about_html`), not in the reader's way."""
    link = f" · <a href='{esc(index)}'>all reports of this run</a>" if index else ""
    return f"<b>Figures as of</b> {esc(as_of_words(record))}{link}"


def _made_on(record: dict) -> str:
    try:
        started = datetime.fromisoformat(str(record["started"]))
    except (KeyError, ValueError):
        return ""
    return f", made on {started.day} {started:%B %Y at %H:%M} UTC"


def about_lines(record: dict) -> list[tuple[str, str]]:
    """The facts of "About this report" (label, plain text): the report date, the files
    read and the run reference a reader quotes when asking about a figure."""
    return [
        ("Figures as of", as_of_words(record)),
        ("Files read", f"{sources_of(record)} (the data exports this report was made from)"),
        (
            "Run reference",
            f"{record.get('run_id', '')}{_made_on(record)}. Quote it when you ask about a "
            "figure: it names the exact files and checks behind this report.",
        ),
    ]


def about_html(record: dict) -> str:
    """ "About this report", the last section of every reviewer report (HTML, escaped)."""
    items = "".join(f"<li><b>{esc(k)}</b>: {esc(v)}</li>" for k, v in about_lines(record))
    return f"<h2>About this report</h2><ul>{items}</ul>"


def about_text(record: dict) -> list[str]:
    """The lines of "About this report" for a Word copy (plain text, no heading)."""
    return [f"{k}: {v}" for k, v in about_lines(record)]


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
            f"Period report, {record['period_label']}"
            if record.get("period_label")
            else f"Weekly reports, {period_words(record)}"
        ),
        run=record,
        period=period_words(record),
        as_of=as_of_words(record),
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
        "week": period_words(rec),
        "as_of": _short_date(rec.get("as_of")),
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
