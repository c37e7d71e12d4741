"""Every report built on one protected table set, attacked with everything it publishes.

For each report whose numbers come from ``publish.protected.TableSet`` (the reviewer
version), on generated exports of 2 000 and 20 000 individuals and two seeds, the
attacker of tests/attacker.py recounts every published cell from the records the report
counted and, by linear programming over all the tables of one set of records together,
tries to pin each hidden cell: it must find none, and every marker must be true of the
value it hides. Charts, sentences and published CSV files read these same cells, so this
covers them too.
"""

from __future__ import annotations

import re
from pathlib import Path

import attacker
import pytest

from protection_workbench.cli import main
from protection_workbench.reports import (
    case_integrity,
    community_hosting,
    data_quality,
    manifest_review,
    referrals,
    weekly,
    weekly_tables,
)
from protection_workbench.rules import catalogue
from protection_workbench.run.check import run_check

ROOT = Path(__file__).resolve().parents[1]
AS_OF = "2026-11-24"
M = 5
EXPORTS = [(2_000, 3), (2_000, 4), (20_000, 3), (20_000, 4)]  # individuals, seed


def _weekly(result):
    return weekly_tables.publish(weekly.weekly_data(result.export.frames, AS_OF))


def _case_integrity(result):
    cases = result.export.frames.get("cases")
    return case_integrity.protected_tables(result.findings, catalogue(), cases)


def _data_quality(result):
    export = result.export
    return data_quality.protected_tables(export.report_table(), export.quarantine())


def _manifest_review(result):
    manifest = result.export.frames["manifest"]
    chosen = manifest_review.pick_manifest(manifest, AS_OF)
    review = manifest_review.review_flights(result.findings, manifest, AS_OF, catalogue())
    return manifest_review.protected_tables(review, result.findings, manifest, chosen, catalogue())


def _referrals(result):
    refs = result.export.frames["referrals"]
    return referrals.protected_tables(referrals.referral_followups(refs, AS_OF), refs)


def _community_hosting(result):
    frames, findings = result.export.frames, result.findings
    report = community_hosting.hosting_report(frames, findings, AS_OF, catalogue=catalogue())
    return report.published_set


# the report modules built on a TableSet, and how their notebook calls them
REPORTS = {
    "weekly_tables": _weekly,
    "case_integrity": _case_integrity,
    "community_hosting": _community_hosting,
    "data_quality": _data_quality,
    "manifest_review": _manifest_review,
    "referrals": _referrals,
}


def test_every_report_on_a_table_set_is_attacked_here():
    using = {
        p.stem
        for p in (ROOT / "lib" / "protection_workbench" / "reports").glob("*.py")
        if re.search(r"\bTableSet\(", p.read_text("utf-8"))
    }
    assert using <= set(REPORTS), f"add an attack for {sorted(using - set(REPORTS))}"


@pytest.fixture(scope="module", params=EXPORTS, ids=lambda p: f"{p[0]}-seed{p[1]}")
def checked(request, tmp_path_factory):
    n, seed = request.param
    out = tmp_path_factory.mktemp(f"exports-{n}-{seed}") / "exports"
    args = ["demo-data", "--out", str(out), "--individuals", str(n), "--seed", str(seed)]
    assert main([*args, "--as-of", AS_OF, "--defect-rate", "0.01"]) == 0
    return run_check(out, AS_OF, gate=False)


@pytest.mark.slow
@pytest.mark.parametrize("report", sorted(REPORTS))
def test_no_hidden_cell_is_recovered_and_every_marker_is_true(checked, report):
    published = REPORTS[report](checked)
    shown = [n for n in published.names() if published.people(n)]
    assert shown, f"{report}: no table of people to attack"
    assert attacker.dishonest(published, M) == []
    assert attacker.recovered(published, M) == {}
