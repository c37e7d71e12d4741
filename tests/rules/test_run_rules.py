"""What holds for every rule (rules/__init__.py, run_rules): datasets absent, one finding per
record and rule, no names or phone numbers in messages, clean data breaks nothing."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import (
    AS_OF,
    departed_case,
    findings_for,
    frame,
    host,
    hosting_frames,
    manifest_row,
    manifested_case,
    payment,
    placement,
    referral,
    visit,
)

from protection_workbench.config import get_config
from protection_workbench.rules import FINDING_COLUMNS, RULES, catalogue, run_rules

CATALOGUE_CODES = (
    ["R001", "R002"] + [f"M{i:03d}" for i in range(1, 9)] + [f"H{i:03d}" for i in range(1, 6)]
)


def referrals(*records: dict) -> dict[str, pd.DataFrame]:
    return {"referrals": frame("referrals", list(records))}


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


def test_catalogue_has_every_rule_of_rules_md_with_an_explanation():
    expected = (
        [f"C{i:03d}" for i in range(1, 16)]
        + ["R001", "R002"]
        + [f"M{i:03d}" for i in range(1, 9)]
        + [f"H{i:03d}" for i in range(1, 6)]
    )
    table = catalogue()
    assert table["rule"].tolist() == sorted(expected)
    assert set(RULES) == set(expected)
    assert (table["explanation"].str.len() > 80).all()
    assert set(table["severity"]) == {"error", "warning"}


@pytest.mark.parametrize(
    ("family", "module"),
    [("C", "cases"), ("R", "referrals"), ("M", "manifest"), ("H", "hosting")],
)
def test_each_family_of_rules_lives_in_its_module(family, module):
    codes = [code for code in RULES if code.startswith(family)]
    assert codes
    for code in codes:
        assert RULES[code].check.__module__ == f"protection_workbench.rules.{module}", code


def test_rules_in_two_threads_find_what_they_find_one_after_the_other():
    frames = broken_frames()
    frames["cases"] = pd.concat(
        [
            frames["cases"],
            frame("cases", [departed_case(individual_id=f"IND-{i}") for i in range(50)]),
        ],
        ignore_index=True,
    )
    sequential = run_rules(frames, AS_OF, get_config(), threads=1)
    assert len(sequential) > 20
    pd.testing.assert_frame_equal(run_rules(frames, AS_OF, get_config(), threads=2), sequential)
