"""The site pages of the weekly run: every value escaped, a CSP on every page, and an
unreadable run record never stops the index from updating."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from protection_workbench.publish.html import CSP
from protection_workbench.run.site import write_run_index, write_site_index

PAYLOAD = '<img src=x onerror="alert(1)">'


def _record(run_id: str, **extra) -> dict:
    return {
        "run_id": run_id,
        "week": "2026-W48",
        "as_of": "2026-11-24",
        "status": "ok",
        "inputs": [{"file": f"cases{PAYLOAD}.csv"}],
        "gate": {"summary": f"Quality gate passed {PAYLOAD}"},
        "reports": [{"title": PAYLOAD, "html": "weekly_report.html", "seconds": 3}],
        **extra,
    }


def _write_run(out: Path, record: dict) -> Path:
    run = out / record["run_id"]
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps(record))
    write_run_index(record, run)
    return run


def test_run_page_escapes_every_value_and_carries_the_csp(tmp_path):
    run = _write_run(tmp_path, _record("2026-W48_a", error={"what": PAYLOAD}, status="failed"))
    page = (run / "index.html").read_text()
    assert "<img" not in page
    assert "&lt;img src=x" in page
    meta = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">', page)
    assert meta and html.unescape(meta.group(1)) == CSP
    assert "script-src 'none'" in CSP and "img-src data:" in CSP


def test_an_unreadable_run_record_is_listed_and_the_index_still_updates(tmp_path):
    _write_run(tmp_path, _record("2026-W47_a"))
    broken = tmp_path / "2026-W47_b"
    broken.mkdir()
    (broken / "run.json").write_text("{ not json")
    not_a_dict = tmp_path / "2026-W47_c"
    not_a_dict.mkdir()
    (not_a_dict / "run.json").write_text("[1, 2]")
    _write_run(tmp_path, _record("2026-W48_d", status=PAYLOAD, week=PAYLOAD))
    write_site_index(tmp_path)
    page = (tmp_path / "index.html").read_text()
    for run_id in ("2026-W47_a", "2026-W47_b", "2026-W47_c", "2026-W48_d"):
        assert run_id in page
    assert page.count("run record unreadable") == 2
    assert "<img" not in page and "Content-Security-Policy" in page
    assert page.index("2026-W48_d") < page.index("2026-W47_a"), "newest first"
