"""The synthetic population looks like the caseload of domain-facts.md and breaks no rule;
injected defects are exactly what the rule engine finds."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from protection_workbench.config import get_config
from protection_workbench.contract import DATASETS
from protection_workbench.rules import run_rules
from protection_workbench.rules.hosting import expected_amounts
from protection_workbench.synth.defects import defects_per_rule, inject_defects
from protection_workbench.synth.population import build_population

AS_OF = date(2026, 11, 24)
KEY = ["dataset", "record_id", "rule"]


@pytest.fixture(scope="module")
def population() -> dict[str, pd.DataFrame]:
    return build_population(20_000, 7, AS_OF, get_config())


def test_frames_follow_the_canonical_contract(population):
    kinds = {
        "date": "datetime64[ns]",
        "int": "Int64",
        "number": "float64",
        "bool": "boolean",
    }
    for name, frame in population.items():
        assert list(frame.columns) == DATASETS[name].column_names
        for col in DATASETS[name].columns:
            expected = kinds.get(col.kind, "str")
            assert str(frame[col.name].dtype) == expected, f"{name}.{col.name}"
        assert frame[DATASETS[name].key].notna().all()


def test_people_follow_the_public_figures(population):
    cases = population["cases"]
    # about 73 % men, 17 % women, 10 % children among returnees
    adults = cases[cases["age"] >= 18]
    assert 0.65 <= (adults["sex"] == "M").sum() / len(cases) <= 0.85
    assert 0.06 <= (cases["age"] < 18).mean() <= 0.18
    # most cases are one person; families are a minority
    sizes = cases.groupby("case_id").size()
    assert 0.8 <= (sizes == 1).mean() <= 0.95
    assert sizes.max() <= 7
    # top nationalities of the VHR caseload
    top = cases["nationality"].value_counts().index[:3].tolist()
    assert set(top) <= {"NGA", "NER", "MLI", "BGD", "SDN"}
    # roughly half in detention, half urban
    detention = (cases["location_type"] == "detention_centre").mean()
    assert 0.35 <= detention <= 0.6
    # every mantika and site is one of config/sites.yaml
    assert set(cases["mantika"]) <= set(get_config().codes("mantika"))


def test_movements_are_mostly_charter_on_a_weekly_rhythm(population):
    cases = population["cases"]
    moved = cases[cases["case_status"] == "departed"]
    charter = (moved["flight_type"] == "charter").mean()
    assert 0.82 <= charter <= 0.92
    weekly = moved.groupby(moved["departure_date"].dt.to_period("W")).size()
    assert len(weekly) >= 40, "departures should spread over the year"
    loads = moved[moved["flight_type"] == "charter"].groupby("manifest_id").size()
    assert loads.max() <= 170
    # the pipeline has people at every stage
    assert set(get_config().codes("case_status")) <= set(cases["case_status"])


def test_upcoming_manifests_hold_the_manifested_passengers(population):
    cases, manifest = population["cases"], population["manifest"]
    manifested = cases[cases["case_status"] == "manifested"]
    assert sorted(manifest["individual_id"]) == sorted(manifested["individual_id"])
    as_of = pd.Timestamp(AS_OF)
    assert (manifest["flight_date"] > as_of).all()
    window = get_config().thresholds.ftt_validity_days
    assert (manifest["flight_date"] <= as_of + pd.Timedelta(days=window)).all()


def test_hosting_payments_match_the_rate_times_days_hosted(population):
    hosts, placements, payments = (population[n] for n in ("hosts", "placements", "payments"))
    expected = expected_amounts(placements, hosts, pd.Timestamp(AS_OF))
    expected = expected.set_index(["host_id", "period"])
    paid = payments.set_index(["host_id", "period"])["amount_lyd"]
    np.testing.assert_allclose(paid, expected.loc[paid.index, "expected"], atol=0.01)
    assert (payments["paid_date"] <= pd.Timestamp(AS_OF)).all()


@pytest.mark.parametrize("seed", [1, 7, 2026])
def test_no_rule_fires_on_the_clean_population(seed):
    frames = build_population(4_000, seed, AS_OF, get_config())
    found = run_rules(frames, AS_OF)
    assert found.empty, found.groupby("rule").size().to_dict()


@pytest.mark.parametrize(("seed", "n", "rate"), [(3, 3_000, 0.02), (11, 8_000, 0.01)])
def test_findings_equal_the_injected_defects(seed, n, rate):
    cfg = get_config()
    frames = build_population(n, seed, AS_OF, cfg)
    broken, truth = inject_defects(frames, rate, seed, AS_OF, cfg)
    assert set(truth["rule"]) == {
        *(f"C{i:03d}" for i in range(1, 16)),
        "R001",
        "R002",
        *(f"M{i:03d}" for i in range(1, 9)),
        *(f"H{i:03d}" for i in range(1, 6)),
    }
    found = run_rules(broken, AS_OF, cfg)[KEY].astype(str)
    merged = found.merge(truth, how="outer", indicator=True)
    unexpected = merged[merged["_merge"] == "left_only"]
    missed = merged[merged["_merge"] == "right_only"]
    assert unexpected.empty, unexpected.head(10)
    assert missed.empty, missed.head(10)


def test_defect_count_follows_the_rate():
    assert defects_per_rule(0, 10_000) == 0
    assert defects_per_rule(0.0001, 1_000) == 1
    assert defects_per_rule(0.01, 31_000) == 10


def test_inputs_are_not_modified_and_rate_zero_is_identity():
    cfg = get_config()
    frames = build_population(1_500, 5, AS_OF, cfg)
    before = {k: v.copy() for k, v in frames.items()}
    inject_defects(frames, 0.05, 5, AS_OF, cfg)
    for name in frames:
        pd.testing.assert_frame_equal(frames[name], before[name])
    same, truth = inject_defects(frames, 0.0, 5, AS_OF, cfg)
    assert truth.empty and same is frames
