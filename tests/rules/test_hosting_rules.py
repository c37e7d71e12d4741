"""H001–H005: hosting records that break each rule and ones that narrowly do not.

As-of date 2026-11-24. A placement is active on day d when start_date <= d < end_date:
the exit day is not hosted.
"""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import (
    AS_OF,
    findings_for,
    hit_ids,
    host,
    hosting_frames,
    payment,
    placement,
    visit,
)

from protection_workbench.rules.hosting import visit_status

SEVERITY = {"H001": "warning", "H002": "error", "H003": "error", "H004": "warning", "H005": "error"}
DATASET = {
    "H001": "placements",
    "H002": "hosts",
    "H003": "placements",
    "H004": "payments",
    "H005": "placements",
}

FIRST = visit(visit_id="V-0", visit_date="2026-10-03")


def last_visit(day: str) -> dict:
    """The valid set with PL-1's latest monitoring visit on ``day``."""
    return hosting_frames(visits=[FIRST, visit(visit_date=day)])


def new_placement(first_visit: str | None, start: str = "2026-11-10") -> dict:
    """A second placement PL-2 starting on ``start`` whose only visit is on ``first_visit``."""
    visits = [FIRST, visit()]
    if first_visit:
        visits.append(visit(visit_id="V-2", placement_id="PL-2", visit_date=first_visit))
    return hosting_frames(
        placements=[
            placement(),
            placement(placement_id="PL-2", individual_id="IND-2", start_date=start),
        ],
        visits=visits,
    )


def second_guest(start: str, capacity: int = 1) -> dict:
    """HOST-1 hosts IND-1 from 2026-10-01 to 2026-11-01 (exit day), then IND-2 from ``start``."""
    return hosting_frames(
        hosts=[host(capacity=capacity)],
        placements=[
            placement(end_date="2026-11-01", exit_reason="vhr_departure"),
            placement(placement_id="PL-2", individual_id="IND-2", start_date=start),
        ],
    )


def moved(start: str) -> dict:
    """IND-1 leaves HOST-1 on 2026-11-01 and is placed with HOST-2 from ``start``."""
    return hosting_frames(
        hosts=[host(), host(host_id="HOST-2", host_type="safe_shelter", capacity=10)],
        placements=[
            placement(end_date="2026-11-01", exit_reason="relocated"),
            placement(placement_id="PL-2", host_id="HOST-2", start_date=start),
        ],
    )


def paid(amount: float, **overrides) -> dict:
    return hosting_frames(payments=[payment(amount_lyd=amount, **overrides)])


def major_issue(on: str, follow_up_on: str | None = None, **overrides) -> dict:
    """A major issue found on PL-1 on ``on``, with a follow-up visit on ``follow_up_on``."""
    visits = [
        FIRST,
        visit(visit_id="V-2", visit_date=on, compliance="major_issue", **overrides),
        visit(),
    ]
    if follow_up_on:
        visits.append(visit(visit_id="V-3", visit_date=follow_up_on, visit_type="follow_up"))
    return hosting_frames(visits=visits)


# rule -> (breaking frames, expected record ids, narrowly-valid frames)
CASES = {
    # last visit 14 days before as-of is too old; 13 days is recent enough
    "H001": (last_visit("2026-11-10"), ["PL-1"], last_visit("2026-11-11")),
    # a placement starting on the exit day of another does not raise occupancy
    "H002": (second_guest("2026-10-31"), ["HOST-1"], second_guest("2026-11-01")),
    # a placement starting on the exit day of another does not overlap it
    "H003": (moved("2026-10-31"), ["PL-1", "PL-2"], moved("2026-11-01")),
    # 600 LYD expected: 5.01 % more is out of line, exactly 5 % is not
    "H004": (paid(630.06), ["PAY-1"], paid(630.0)),
    # follow-up visit 8 days after the major issue is late; 7 days is in time
    "H005": (
        major_issue("2026-11-01", "2026-11-09"),
        ["PL-1"],
        major_issue("2026-11-01", "2026-11-08"),
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_a_breaking_record(code):
    frames, expected, _ = CASES[code]
    assert hit_ids(frames, code) == expected


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet_on_a_narrowly_valid_record(code):
    _, _, frames = CASES[code]
    assert hit_ids(frames, code) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_finding_has_dataset_and_severity_of_rules_md(code):
    frames, expected, _ = CASES[code]
    f = findings_for(frames, code)
    assert f["dataset"].tolist() == [DATASET[code]] * len(expected)
    assert f["severity"].tolist() == [SEVERITY[code]] * len(expected)
    assert f["case_id"].isna().all()


# rule -> (frames, {record_id: message})
MESSAGES = {
    "H001": (last_visit("2026-11-10"), {"PL-1": "no visit in the last 14 days (last 2026-11-10)"}),
    "H002": (
        second_guest("2026-10-31"),
        {"HOST-1": "2 people placed on 2026-10-31 but capacity 1"},
    ),
    "H003": (
        moved("2026-10-31"),
        {
            "PL-1": "overlaps placement PL-2 of the same person",
            "PL-2": "overlaps placement PL-1 of the same person",
        },
    ),
    "H004": (paid(630.06), {"PAY-1": "amount 630.06 LYD vs expected 600.00 LYD"}),
    "H005": (
        major_issue("2026-11-01", "2026-11-09"),
        {"PL-1": "major issue found on 2026-11-01 not followed up within 7 days"},
    ),
}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_message_says_what_to_fix(code):
    frames, expected = MESSAGES[code]
    f = findings_for(frames, code)
    assert dict(zip(f["record_id"], f["message"], strict=True)) == expected


def test_h001_first_visit_within_seven_days_of_start():
    assert hit_ids(new_placement("2026-11-17"), "H001") == []  # start + 7
    f = findings_for(new_placement("2026-11-18"), "H001")  # start + 8
    assert f["record_id"].tolist() == ["PL-2"]
    assert f.loc[0, "message"] == "no first visit within 7 days of start 2026-11-10"


def test_h001_first_visit_only_due_seven_days_after_start():
    assert hit_ids(new_placement(None, start="2026-11-18"), "H001") == []
    assert hit_ids(new_placement(None, start="2026-11-17"), "H001") == ["PL-2"]


def test_h001_ended_placement_needs_no_more_visits_and_later_visits_do_not_count():
    ended = hosting_frames(
        placements=[placement(end_date="2026-11-01", exit_reason="self_exit")],
        visits=[FIRST, visit(visit_date="2026-10-20")],
    )
    assert hit_ids(ended, "H001") == []
    assert hit_ids(last_visit("2026-11-25"), "H001") == ["PL-1"]  # after the as-of date


def test_h002_within_capacity_and_peak_over_capacity():
    assert hit_ids(second_guest("2026-10-31", capacity=2), "H002") == []
    three = hosting_frames(
        placements=[
            placement(),
            placement(placement_id="PL-2", individual_id="IND-2"),
            placement(placement_id="PL-3", individual_id="IND-3", start_date="2026-11-15"),
        ]
    )
    f = findings_for(three, "H002")
    assert f["record_id"].tolist() == ["HOST-1"]
    assert f.loc[0, "message"] == "3 people placed on 2026-11-15 but capacity 2"


def test_h002_message_matches_the_host_whatever_the_row_order():
    frames = hosting_frames(
        hosts=[host(host_id="HOST-0", capacity=5), host(capacity=1)],
        placements=[placement(), placement(placement_id="PL-2", individual_id="IND-2")],
    )
    frames["hosts"] = frames["hosts"].iloc[::-1]  # index 1, 0
    f = findings_for(frames, "H002")
    assert f["record_id"].tolist() == ["HOST-1"]
    assert f.loc[0, "message"] == "2 people placed on 2026-10-01 but capacity 1"


def test_h003_two_open_placements_of_one_person():
    frames = hosting_frames(
        hosts=[host(), host(host_id="HOST-2")],
        placements=[placement(), placement(placement_id="PL-2", host_id="HOST-2")],
    )
    assert hit_ids(frames, "H003") == ["PL-1", "PL-2"]


def test_h004_underpayment_at_and_beyond_the_tolerance():
    assert hit_ids(paid(570.0), "H004") == []
    assert hit_ids(paid(569.94), "H004") == ["PAY-1"]


def test_h004_expected_amount_is_rate_times_share_of_month_per_person():
    half = [placement(start_date="2026-10-16")]  # 16 of 31 days: 309.68 LYD
    assert (
        hit_ids(hosting_frames(placements=half, payments=[payment(amount_lyd=309.68)]), "H004")
        == []
    )
    f = findings_for(hosting_frames(placements=half), "H004")
    assert f.loc[0, "message"] == "amount 600.00 LYD vs expected 309.68 LYD"
    two = [placement(), placement(placement_id="PL-2", individual_id="IND-2")]
    assert (
        hit_ids(hosting_frames(placements=two, payments=[payment(amount_lyd=1200.0)]), "H004") == []
    )


def test_h004_paid_for_a_month_with_no_active_placement():
    f = findings_for(paid(600.0, period="2026-09"), "H004")
    assert f["record_id"].tolist() == ["PAY-1"]
    assert f.loc[0, "message"] == "paid for 2026-09 with no active placement"
    # the exit day is not hosted: a placement ending on 1 November hosts nobody in November
    ended = [placement(end_date="2026-11-01", exit_reason="vhr_departure")]
    november = [payment(), payment(payment_id="PAY-2", period="2026-11", amount_lyd=20.0)]
    assert hit_ids(hosting_frames(placements=ended, payments=november), "H004") == ["PAY-2"]


def test_h004_two_payments_for_one_host_and_month_both_flagged_once():
    frames = hosting_frames(payments=[payment(), payment(payment_id="PAY-2", amount_lyd=700.0)])
    f = findings_for(frames, "H004")
    assert f["record_id"].tolist() == ["PAY-1", "PAY-2"]
    assert "more than one payment for host HOST-1 and 2026-10" in f.loc[0, "message"]
    assert f.loc[1, "message"] == (
        "more than one payment for host HOST-1 and 2026-10; "
        "amount 700.00 LYD vs expected 600.00 LYD"
    )


def test_h005_follow_up_only_due_seven_days_after_the_visit():
    assert hit_ids(major_issue("2026-11-18"), "H005") == []  # 6 days ago
    assert hit_ids(major_issue("2026-11-17"), "H005") == ["PL-1"]  # 7 days ago


def test_h005_issue_marked_followed_up_or_routine_visit_instead_of_follow_up():
    assert hit_ids(major_issue("2026-11-01", issue_followed_up=True), "H005") == []
    frames = major_issue("2026-11-01")
    frames["visits"].loc[frames["visits"]["visit_id"] == "V-1", "visit_date"] = pd.Timestamp(
        "2026-11-05"
    )
    assert hit_ids(frames, "H005") == ["PL-1"]  # a routine visit is not a follow-up


def test_a_valid_hosting_set_breaks_no_rule():
    frames = hosting_frames(
        placements=[
            placement(),
            placement(placement_id="PL-2", individual_id="IND-2", start_date="2026-10-16"),
        ],
        visits=[
            FIRST,
            visit(),
            visit(visit_id="V-2", placement_id="PL-2", visit_date="2026-10-20"),
            visit(
                visit_id="V-3",
                placement_id="PL-2",
                visit_date="2026-11-12",
                compliance="major_issue",
            ),
            visit(
                visit_id="V-4", placement_id="PL-2", visit_date="2026-11-19", visit_type="follow_up"
            ),
        ],
        payments=[payment(amount_lyd=909.68)],
    )
    found = pd.concat([findings_for(frames, code) for code in SEVERITY])
    assert found.empty, found


def test_visit_status_flags_exactly_what_h001_reports():
    frames = hosting_frames(
        placements=[
            placement(),
            placement(placement_id="PL-2", start_date="2026-11-12"),
            placement(placement_id="PL-3", start_date="2026-11-20"),
        ],
        visits=[visit(visit_date="2026-11-05")],
    )
    status = visit_status(frames["placements"], frames["visits"], AS_OF, 14, 7)
    assert status["overdue"].tolist() == [True, False, False]
    assert status["no_first_visit"].tolist() == [True, True, False]  # PL-1: none by 10-08
    assert status["last_visit"].tolist()[0] == pd.Timestamp("2026-11-05")
    flagged = frames["placements"]["placement_id"][status["overdue"] | status["no_first_visit"]]
    assert hit_ids(frames, "H001") == sorted(flagged)
