"""R001–R002, and what holds for every rule: datasets absent, one finding per record and rule,
no names or phone numbers in messages, clean data breaks nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import (
    AS_OF,
    departed_case,
    findings_for,
    frame,
    hit_ids,
    host,
    hosting_frames,
    manifest_row,
    manifested_case,
    payment,
    placement,
    referral,
    registered_case,
    visit,
)

from protection_workbench.config import get_config
from protection_workbench.rules import FINDING_COLUMNS, RULES, run_rules

CATALOGUE_CODES = (
    ["R001", "R002"] + [f"M{i:03d}" for i in range(1, 9)] + [f"H{i:03d}" for i in range(1, 6)]
)


def referrals(*records: dict, cases: list[dict] | None = None) -> dict[str, pd.DataFrame]:
    frames = {"referrals": frame("referrals", list(records))}
    if cases is not None:
        frames["cases"] = frame("cases", cases)
    return frames


# rule -> (breaking frames, expected record ids, narrowly-valid frames)
CASES = {
    # due yesterday and not followed up is overdue; due today is not yet
    "R001": (
        referrals(referral(follow_up_due="2026-11-23")),
        ["REF-1"],
        referrals(referral(follow_up_due="2026-11-24")),
    ),
    "R002": (
        referrals(referral(individual_id="IND-404"), cases=[registered_case()]),
        ["REF-1"],
        referrals(referral(), cases=[registered_case()]),
    ),
}
SEVERITY = {"R001": "warning", "R002": "error"}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_a_breaking_referral(code):
    frames, expected, _ = CASES[code]
    assert hit_ids(frames, code) == expected


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet_on_a_narrowly_valid_referral(code):
    _, _, frames = CASES[code]
    assert hit_ids(frames, code) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_finding_has_dataset_and_severity_of_rules_md(code):
    frames, _, _ = CASES[code]
    f = findings_for(frames, code)
    assert f["dataset"].tolist() == ["referrals"]
    assert f["severity"].tolist() == [SEVERITY[code]]


def test_r001_message_names_due_date_days_and_partner():
    f = findings_for(referrals(referral(follow_up_due="2026-11-14")), "R001")
    assert f.loc[0, "message"] == (
        "follow-up due 2026-11-14 (10 days ago) with UNICEF (medical) not recorded"
    )


def test_r001_recorded_follow_up_is_not_overdue():
    done = referral(follow_up_due="2026-11-14", follow_up_date="2026-11-15", outcome="assisted")
    assert hit_ids(referrals(done), "R001") == []


def test_r002_message_names_the_unknown_id_and_has_no_case_id():
    frames, _, _ = CASES["R002"]
    f = findings_for(frames, "R002")
    assert f.loc[0, "message"] == "individual_id IND-404 not found in cases"
    assert f["case_id"].isna().all()


# --- every rule -------------------------------------------------------------------------

PLANTED_FIRST_NAME = "Yacouba"
PLANTED_LAST_NAME = "Sangare"
PLANTED_PHONE = "+218 92 555 0101"


def valid_frames() -> dict[str, pd.DataFrame]:
    """One valid record in every dataset the R, M and H rules read."""
    frames = hosting_frames()
    frames["cases"] = frame("cases", [departed_case(), manifested_case()])
    frames["manifest"] = frame("manifest", [manifest_row()])
    frames["referrals"] = frame("referrals", [referral()])
    return frames


def broken_frames() -> dict[str, pd.DataFrame]:
    """Records that break many rules, several in more than one way, with a planted identity."""
    person = {
        "first_name": PLANTED_FIRST_NAME,
        "last_name": PLANTED_LAST_NAME,
        "phone": PLANTED_PHONE,
    }
    stale = manifested_case(
        **person,
        ftt_date="2026-11-01",
        vulnerabilities="vot",
        protection_clearance="pending",
        case_status="documents_pending",
    )
    sister = manifested_case(
        **person,
        individual_id="IND-71",
        is_principal=False,
        case_status="registered",
        manifest_id=None,
        registration_date="2026-12-01",
    )
    rows = [
        manifest_row(stale, first_name="Moussa", ftt_status="unfit", destination_country="NER"),
        manifest_row(stale),
        manifest_row(stale, manifest_id="MNF-OTHER", flight_date="2026-11-30"),
        manifest_row(stale, individual_id="IND-404"),
    ]
    frames = hosting_frames(
        hosts=[host(capacity=1)],
        placements=[
            placement(),
            placement(placement_id="PL-2", start_date="2026-11-01"),
        ],
        visits=[visit(visit_date="2026-11-01", compliance="major_issue")],
        payments=[
            payment(amount_lyd=900.0),
            payment(payment_id="PAY-2"),
            payment(payment_id="PAY-3", period="2026-08"),
        ],
    )
    frames["cases"] = frame("cases", [stale, sister, stale])
    frames["manifest"] = frame("manifest", rows)
    frames["referrals"] = frame(
        "referrals",
        [
            referral(individual_id="IND-404", follow_up_due="2026-11-01"),
            referral(referral_id="REF-2"),
        ],
    )
    return frames


def all_findings(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    return run_rules(frames, AS_OF, get_config())


def test_valid_full_set_breaks_no_referral_manifest_or_hosting_rule():
    found = run_rules(valid_frames(), AS_OF, get_config(), codes=CATALOGUE_CODES)
    assert found.empty, found
    assert all_findings(valid_frames()).empty  # nor any case rule


def test_the_broken_set_breaks_every_referral_manifest_and_hosting_rule():
    found = all_findings(broken_frames())
    assert set(CATALOGUE_CODES) <= set(found["rule"])


def test_findings_are_unique_per_dataset_record_and_rule():
    found = all_findings(broken_frames())
    assert not found.duplicated(["dataset", "record_id", "rule"]).any()
    m007 = found[found["rule"] == "M007"]
    assert m007["record_id"].tolist() == ["IND-7"]  # twice on one manifest and on another


def test_a_record_breaking_a_rule_two_ways_gets_one_finding_naming_both():
    f = findings_for(broken_frames(), "M004")
    assert f["record_id"].tolist() == ["IND-7"]
    assert "fit-to-travel 'unfit'" in f.loc[0, "message"]
    assert "FTT dated 2026-11-01 is 25 days before flight 2026-11-26" in f.loc[0, "message"]


def test_messages_hold_no_names_or_phone_numbers():
    found = all_findings(broken_frames())
    assert len(found) > 20
    for planted in (PLANTED_FIRST_NAME, PLANTED_LAST_NAME, PLANTED_PHONE, "Moussa"):
        leaking = found[found["message"].str.contains(planted, case=False, regex=False)]
        assert leaking.empty, leaking


def test_rules_whose_datasets_are_absent_are_skipped():
    only_cases = {"cases": frame("cases", [manifested_case(ftt_date="2026-11-01")])}
    found = all_findings(only_cases)
    assert set(found["rule"]) <= {code for code in RULES if code.startswith("C")}
    assert "C010" in set(found["rule"])
    none = run_rules(only_cases, AS_OF, get_config(), codes=CATALOGUE_CODES)
    assert none.empty and none.columns.tolist() == FINDING_COLUMNS


def test_a_rule_runs_when_all_its_datasets_are_present_and_only_then():
    overdue = referrals(referral(individual_id="IND-404", follow_up_due="2026-11-01"))
    assert sorted(all_findings(overdue)["rule"]) == ["R001"]  # R002 needs cases
    placements_only = {
        "placements": frame(
            "placements", [placement(), placement(placement_id="PL-2", start_date="2026-11-01")]
        )
    }
    assert sorted(all_findings(placements_only)["rule"]) == ["H003", "H003"]
    manifest_only = {"manifest": frame("manifest", [manifest_row(), manifest_row()])}
    assert sorted(all_findings(manifest_only)["rule"]) == ["M007"]


@pytest.mark.parametrize("step", [1, -1])
def test_findings_do_not_depend_on_the_frames_index(step):
    frames = broken_frames()
    relabelled = {
        name: df.set_axis(range(500, 500 + step * len(df), step)) for name, df in frames.items()
    }
    pd.testing.assert_frame_equal(all_findings(relabelled), all_findings(frames))
