"""R001–R002 (rules/referrals.py): a referral that breaks each rule and one that narrowly does
not, and the overdue test that reports share with R001."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import AS_OF, findings_for, frame, hit_ids, referral, registered_case

from protection_workbench.rules.referrals import days_overdue, follow_up_overdue


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


def test_follow_up_overdue_and_days_overdue_as_r001_reads_them():
    refs = frame(
        "referrals",
        [
            referral(referral_id="late", follow_up_due="2026-11-14"),
            referral(referral_id="today", follow_up_due="2026-11-24"),
            referral(referral_id="done", follow_up_due="2026-11-14", follow_up_date="2026-11-15"),
            referral(referral_id="undated", follow_up_due=None),
        ],
    )
    assert follow_up_overdue(refs, AS_OF).tolist() == [True, False, False, False]
    assert days_overdue(refs, "2026-11-24").tolist() == [10, pd.NA, pd.NA, pd.NA]
    assert hit_ids({"referrals": refs}, "R001") == ["late"]
