"""Manifest review of every upcoming flight (issue 13): every manifest whose flight is within
``manifest_review_days`` after the as-of date gets a verdict with the rules behind it,
counted against the generator's clean truth; a planted NO-GO passenger makes its flight
NO-GO with its rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from protection_workbench.config import get_config
from protection_workbench.reports import manifest_review as M
from protection_workbench.rules import catalogue, run_rules
from protection_workbench.run.check import run_check
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module", params=[(2000, 3), (3000, 11)], ids=lambda p: f"n{p[0]}-s{p[1]}")
def checked(request, tmp_path_factory):
    n, seed = request.param
    data = tmp_path_factory.mktemp(f"window{seed}") / "demo"
    generate_demo_exports(data, n, seed, AS_OF, 0.02)
    truth = pd.read_parquet(data / "_generator" / "truth" / "manifest.parquet")
    return run_check(data, AS_OF, gate=False), truth


def tables(result, review, restricted):
    """The review's protected table set (no flight reviewed in detail)."""
    manifest = result.export.frames["manifest"]
    return M.protected_tables(review, result.findings, manifest, None, catalogue(), restricted)


def flights_in_window(truth: pd.DataFrame, days: int) -> set[str]:
    dates = pd.to_datetime(truth["flight_date"])
    inside = (dates > pd.Timestamp(AS_OF)) & (
        dates <= pd.Timestamp(AS_OF) + pd.Timedelta(days=days)
    )
    return set(truth.loc[inside, "manifest_id"].astype(str))


def test_the_window_comes_from_config_and_is_validated():
    assert M.review_days() == get_config().thresholds.manifest_review_days == 14


@pytest.mark.parametrize("days", [14, 2])
def test_every_flight_of_the_window_is_reviewed(checked, days):
    result, truth = checked
    review = M.review_flights(
        result.findings, result.export.frames["manifest"], AS_OF, catalogue(), days
    )
    expected = flights_in_window(truth, days)
    assert len(expected) > 0
    assert set(review.flights["manifest_id"]) == expected
    assert len(review.flights) == len(expected)
    assert review.verdict_counts().sum() == len(expected)
    summary = M.review_summary(review, tables(result, review, False))
    named = summary["Manifest"][summary["Manifest"] != ""]
    assert sorted(named) == sorted(expected)  # one verdict per flight in the summary table
    assert set(summary["Verdict"]) - {""} <= set(M.DECISIONS)
    # passengers per flight as in the truth (distinct individuals of the manifest)
    per_flight = truth.groupby("manifest_id")["individual_id"].nunique()
    got = review.flights.set_index("manifest_id")["passengers"]
    # a planted defect may change a passenger's id (M001), never the number on the manifest
    assert (got == per_flight.reindex(got.index)).all()


def test_verdicts_follow_the_passengers_findings(checked):
    result, _ = checked
    manifest = result.export.frames["manifest"]
    review = M.review_flights(result.findings, manifest, AS_OF, catalogue())
    for flight in review.flights.itertuples():  # a handful of flights: checked one by one
        decisions = M.manifest_decisions(result.findings, manifest, flight.manifest_id)
        assert flight.verdict == M.flight_verdict(decisions)
        assert flight.no_go == (decisions["decision"] == "NO-GO").sum()
    clean = review.flights[review.flights["verdict"] == "GO"]
    summary = M.review_summary(review, tables(result, review, True)).set_index("Manifest")
    for manifest_id in clean["manifest_id"]:
        assert summary.loc[manifest_id, "Rule"] == M.NO_ISSUE  # GO said plainly
    assert M.NO_ISSUE == "No issue: GO"


def test_a_planted_no_go_manifest_is_reported_no_go_with_its_rule(checked):
    result, _ = checked
    frames = dict(result.export.frames)
    review = M.review_flights(result.findings, frames["manifest"], AS_OF, catalogue())
    go = review.flights[review.flights["verdict"] == "GO"]
    assert len(go), "the demo data should hold a flight without issue"
    target = go["manifest_id"].iloc[0]
    # plant: one passenger of that flight is not in the case records (M001, an error)
    manifest = frames["manifest"].copy()
    row = manifest.index[manifest["manifest_id"].astype(str) == target][0]
    manifest["individual_id"] = manifest["individual_id"].astype(object)
    manifest.loc[row, "individual_id"] = "IND-77777777"
    frames["manifest"] = manifest
    findings = run_rules(frames, AS_OF)
    planted = M.review_flights(findings, manifest, AS_OF, catalogue())
    verdict = planted.flights.set_index("manifest_id").loc[target, "verdict"]
    assert verdict == "NO-GO"
    for restricted in (False, True):
        published = M.protected_tables(planted, findings, manifest, None, catalogue(), restricted)
        summary = M.review_summary(planted, published)
        flight = summary["Manifest"].replace("", pd.NA).ffill()  # rows of a flight
        rows = summary[flight == target]
        assert rows["Verdict"].iloc[0] == "NO-GO"  # never suppressed
        assert any(r.startswith("M001 Passenger not in case records") for r in rows["Rule"])
    to_fix = planted.to_fix()
    assert "IND-77777777" in set(to_fix.loc[to_fix["manifest_id"] == target, "record_id"])


def test_no_flight_in_the_window_is_said_plainly(checked):
    result, _ = checked
    review = M.review_flights(
        result.findings, result.export.frames["manifest"], date(2030, 1, 1), catalogue()
    )
    assert review.flights.empty
    assert (
        review.sentence()
        == "No flight is planned from 2 January to 15 January 2030: no manifest to review."
    )


def test_the_flight_in_detail_is_the_next_charter(checked):
    """Issue 22: the flight reviewed in detail is the next charter flight, not the one-
    passenger commercial booking that leaves before it."""
    result, truth = checked
    manifest = result.export.frames["manifest"]
    chosen = M.pick_manifest(manifest, AS_OF)
    flights = truth.drop_duplicates("manifest_id")
    upcoming = flights[pd.to_datetime(flights["flight_date"]) > pd.Timestamp(AS_OF)]
    upcoming = upcoming.sort_values(["flight_date", "manifest_id"], kind="stable")
    charters = upcoming[upcoming["flight_type"] == "charter"]
    assert len(charters) and upcoming.iloc[0]["flight_type"] == "commercial"  # the case
    assert chosen == charters.iloc[0]["manifest_id"]
    ours = M.manifests(manifest).set_index("manifest_id").loc[chosen]
    assert ours["flight_type"] == "charter" and ours["passengers"] > 1
    # With no charter ahead, the first flight after the as-of date.
    commercial = manifest[manifest["flight_type"].astype("string").eq("commercial").to_numpy()]
    assert M.pick_manifest(commercial, AS_OF) == upcoming.iloc[0]["manifest_id"]
