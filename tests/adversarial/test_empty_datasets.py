"""One odd dataset never stops a run (issue 20, defect 4). A header-only ``visits.csv`` or
``placements.csv`` and as-of dates before any data ended ``workbench check`` and the weekly
and period runs in exit 3 (TypeError in the hosting rules), publishing no report; and a rule
that raises is reported as failed, by its code, while the other rules and every report run.
Full runs are few and small (1 500 individuals)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from protection_workbench.rules import RULES
from protection_workbench.run.period import run_period
from protection_workbench.run.weekly import WEEKLY_REPORTS, RunFailed, run_weekly
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)
EXIT_INTERNAL = 3


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("empty-datasets") / "demo"
    generate_demo_exports(folder, 1500, 3, AS_OF, 0.01)
    return folder


def copy_with_header_only(demo: Path, target: Path, *files: str) -> Path:
    """A copy of the export folder where each of ``files`` (CSV) keeps its header only."""
    target.mkdir(parents=True)
    for path in demo.iterdir():
        if path.is_file():
            raw = path.read_bytes()
            if path.name in files:
                raw = raw[: raw.index(b"\n") + 1]
            (target / path.name).write_bytes(raw)
    return target


def workbench(*args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "protection_workbench", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("files", "as_of"),
    [
        pytest.param(("visits.csv",), "2026-11-24", id="header-only-visits"),
        pytest.param(("placements.csv",), "2026-11-24", id="header-only-placements"),
        pytest.param((), "2019-01-31", id="as-of-before-any-data"),
        pytest.param((), "2025-10-01", id="as-of-before-any-placement"),
    ],
)
def test_check_runs_every_rule_and_writes_its_outputs(demo, tmp_path, files, as_of):
    data = copy_with_header_only(demo, tmp_path / "data", *files)
    done = workbench("check", "--data", str(data), "--as-of", as_of, "--out", str(tmp_path / "o"))
    assert done.returncode in (0, 1), done.stderr  # passed or records to fix; never a crash
    assert "internal error" not in done.stderr
    summary = json.loads((tmp_path / "o" / "check.json").read_text())
    assert summary["rules_failed"] == {}
    assert {"visits", "placements"} <= set(summary["datasets"])
    assert (tmp_path / "o" / "findings.xlsx").is_file()


def _broken(ctx):
    raise TypeError("a fault planted by the test")


@pytest.mark.slow
def test_a_weekly_run_with_no_visit_rows_and_a_failing_rule_publishes_every_report(
    demo, tmp_path, monkeypatch
):
    """Header-only visits.csv, and rule H004 raising: every report is published, the run
    record names H004 as failed, the case integrity and hosting pages name it, the
    maintainers' log has its traceback."""
    data = copy_with_header_only(demo, tmp_path / "data", "visits.csv")
    monkeypatch.setitem(RULES, "H004", dataclasses.replace(RULES["H004"], check=_broken))
    try:
        record = run_weekly(data, AS_OF, tmp_path / "out")
    except RunFailed as exc:  # a failed report: the test names which
        pytest.fail(f"{exc}: {[r for r in exc.record['reports'] if r['status'] != 'ok']}")
    assert [r["status"] for r in record["reports"]] == ["ok"] * len(WEEKLY_REPORTS)
    assert record["findings"]["rules_failed"] == {"H004": "TypeError"}
    run = tmp_path / "out" / record["run_id"]
    for report in record["reports"]:
        assert (run / report["html"]).is_file()
    for page in ("case_integrity.html", "community_hosting.html"):
        html = (run / page).read_text("utf-8")
        assert "could not run" in html and "H004 Payment out of line" in html
        assert "a fault planted by the test" not in html  # the error's text stays restricted
    public = json.dumps(record)
    assert "a fault planted by the test" not in public
    log = (Path(record["restricted"]) / "rule_errors.log").read_text("utf-8")
    assert "rule H004" in log and "a fault planted by the test" in log


@pytest.mark.slow
def test_a_period_run_with_no_placement_rows_publishes_its_report(demo, tmp_path):
    data = copy_with_header_only(demo, tmp_path / "data", "placements.csv")
    record = run_period(data, date(2026, 10, 1), date(2026, 10, 31), tmp_path / "out")
    assert [r["status"] for r in record["reports"]] == ["ok"]
    assert record["findings"]["rules_failed"] == {}
    run = tmp_path / "out" / record["run_id"]
    assert (run / record["reports"][0]["html"]).is_file()


@pytest.mark.slow
def test_a_period_run_before_any_data_publishes_its_report(demo, tmp_path):
    record = run_period(demo, date(2019, 1, 1), date(2019, 1, 31), tmp_path / "out")
    assert [r["status"] for r in record["reports"]] == ["ok"]
    assert record["findings"]["rules_failed"] == {}
