"""The demo data look like a week of the programme: charter loads, departure airports,
upcoming flights with GO and NO-GO manifests, the field log, the case flow and referrals,
and defects of every rule at every size from 2 000 individuals up."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from protection_workbench.config import get_config
from protection_workbench.rules import RULES, run_rules
from protection_workbench.synth.defects import defect_counts, inject_defects
from protection_workbench.synth.population import build_population

AS_OF = date(2026, 11, 24)
TODAY = pd.Timestamp(AS_OF)
KEY = ["dataset", "record_id", "rule"]
EVENTS = [
    "registration_date",
    "interview_date",
    "avm_screening_date",
    "protection_clearance_date",
    "bia_date",
    "travel_document_date",
    "ftt_date",
    "departure_date",
]


@pytest.fixture(scope="module", params=[1, 2, 3])
def small(request) -> tuple[int, dict, dict, pd.DataFrame]:
    """2 000 individuals, clean and with defects at the demo rate."""
    seed, cfg = request.param, get_config()
    clean = build_population(2_000, seed, AS_OF, cfg)
    broken, truth = inject_defects(clean, 0.01, seed, AS_OF, cfg)
    return seed, clean, broken, truth


def test_every_rule_is_injected_and_found(small):
    _, _, broken, truth = small
    assert set(truth["rule"]) == set(RULES)
    found = run_rules(broken, AS_OF)[KEY].astype(str)
    merged = found.merge(truth, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10)


def _flights(frames: dict) -> pd.DataFrame:
    """People per flight (departed and manifested, each person once) with type and date."""
    cases = frames["cases"]
    moved = cases[cases["case_status"].isin(["departed", "manifested"])]
    moved = moved.drop_duplicates("individual_id")
    return moved.groupby("manifest_id").agg(
        people=("individual_id", "size"), flight_type=("flight_type", "first")
    )


def test_charter_loads_and_commercial_bookings(small):
    _, clean, _, _ = small
    flights = _flights(clean)
    charters = flights[flights["flight_type"] == "charter"]
    commercial = flights[flights["flight_type"] == "commercial"]
    assert len(charters) >= 2 and len(commercial) >= 20
    assert charters["people"].between(120, 170).all(), charters["people"].describe()
    assert commercial["people"].between(1, 10).all(), commercial["people"].max()


def test_every_manifest_row_has_a_known_departure_airport(small):
    _, clean, broken, _ = small
    airports = set(get_config().codes("airport"))
    for frames in (clean, broken):
        manifest = frames["manifest"]
        assert manifest["departure_airport"].notna().all()
        assert set(manifest["departure_airport"]) <= airports
        # one airport per flight
        assert (manifest.groupby("manifest_id")["departure_airport"].nunique() == 1).all()


def test_upcoming_flights_with_go_and_no_go_manifests(small):
    _, _, broken, truth = small
    manifest = broken["manifest"]
    window = manifest[
        (manifest["flight_date"] > TODAY)
        & (manifest["flight_date"] <= TODAY + pd.Timedelta(14, "D"))
    ]
    flights = window.groupby("manifest_id")["flight_type"].first()
    assert len(flights) >= 5 and (flights == "charter").sum() >= 2
    # the second week of the window has a flight too (an early booking, NO-GO)
    assert (window["flight_date"] > TODAY + pd.Timedelta(7, "D")).any()
    found = run_rules(broken, AS_OF)
    errors = found[(found["dataset"] == "manifest") & (found["severity"] == "error")]
    no_go = set(window.loc[window["individual_id"].isin(errors["record_id"]), "manifest_id"])
    assert 1 <= len(no_go) < len(flights)


def test_the_field_log_has_every_activity_every_week(small):
    seed, clean, _, _ = small
    cfg = get_config()
    log = clean["activities"]
    types = cfg.codes("activity_type")
    assert set(log["activity_type"]) == set(types)
    weeks = log.groupby(log["date"].dt.to_period("W"))["activity_type"].nunique()
    full_weeks = weeks.iloc[1:]  # the first week of the window is partly before it
    assert (full_weeks == len(types)).all(), full_weeks[full_weeks < len(types)]
    assert log.groupby(log["date"].dt.to_period("W")).size().iloc[1:].min() >= 6
    assert (log["date"] <= TODAY).all()
    site_mantika = {s.name: s.mantika for s in cfg.sites.sites}
    assert (log["location"].map(site_mantika) == log["mantika"]).all()
    visits = log[log["activity_type"] == "field_visit"]
    centres = {s.name for s in cfg.sites.sites if s.location_type == "detention_centre"}
    assert visits["location"].isin(centres).mean() > 0.3
    people = log[["participants_f", "participants_m", "participants_children"]].astype("Float64")
    reached = people["participants_f"] + people["participants_m"]
    assert (people["participants_children"].fillna(0) <= reached.fillna(0)).all()
    nfi = log["activity_type"] == "nfi_distribution"
    assert log.loc[nfi, "items"].notna().all() and log.loc[~nfi, "items"].isna().all()
    meetings = log["activity_type"].isin(["embassy_meeting", "coordination_meeting"])
    assert people[meetings.to_numpy()].isna().all().all()


def test_defect_counts_vary_between_rules():
    counts = defect_counts(0.01, 20_000, 7)
    assert min(counts.values()) >= 1
    assert len(set(counts.values())) >= 8, counts
    assert counts["C001"] > counts["C002"] and counts["R001"] > counts["M007"]
    assert defect_counts(0.01, 2_000, 7) != defect_counts(0.01, 2_000, 8)
    assert set(defect_counts(0.0, 2_000, 7).values()) == {0}


@pytest.fixture(scope="module")
def demo_size() -> dict[str, pd.DataFrame]:
    return build_population(20_000, 5, AS_OF, get_config())


def test_every_week_has_each_case_event(demo_size):
    cases = demo_size["cases"]
    weeks = pd.period_range(end=TODAY.to_period("W"), periods=9, freq="W")[:-1]
    for event in EVENTS:
        per_week = cases[event].dt.to_period("W").value_counts().reindex(weeks, fill_value=0)
        assert (per_week > 0).all(), (event, per_week.to_dict())
    assert (cases[EVENTS].max() <= TODAY).all()


def test_referrals_follow_the_vulnerable_caseload(demo_size):
    small = build_population(2_000, 5, AS_OF, get_config())
    ratios = []
    for frames in (small, demo_size):
        vulnerable = frames["cases"]["vulnerabilities"].notna().sum()
        ratios.append(len(frames["referrals"]) / vulnerable)
    assert min(ratios) >= 1.0 and max(ratios) <= 1.5
    assert abs(ratios[0] - ratios[1]) < 0.15
    # referrals come soon after registration: the weekly volumes move together
    cases, referrals = demo_size["cases"], demo_size["referrals"]
    weeks = pd.period_range(end=TODAY.to_period("W"), periods=40, freq="W")[:-1]
    vulnerable = cases[cases["vulnerabilities"].notna()]
    registered = vulnerable["registration_date"].dt.to_period("W").value_counts()
    referred = referrals["referral_date"].dt.to_period("W").value_counts()
    both = pd.DataFrame({"r": registered, "f": referred}).reindex(weeks).fillna(0)
    assert both["f"].sum() > both["r"].sum() * 0.9
    assert both["f"].min() > 0


def test_commercial_flights_leave_mostly_from_mitiga(demo_size):
    manifest = demo_size["manifest"]
    per_flight = manifest.drop_duplicates("manifest_id")
    commercial = per_flight[per_flight["flight_type"] == "commercial"]
    assert (commercial["departure_airport"] == "Mitiga").mean() > 0.6
    assert per_flight["departure_airport"].nunique() >= 2
