"""C001–C015 and R001–R002: a record that breaks each rule and one that narrowly does not."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import departed_case, findings_for, frame, hit_ids, registered_case

from protection_workbench.rules import RULES, catalogue


def cases(*records: dict) -> dict[str, pd.DataFrame]:
    return {"cases": frame("cases", list(records))}


def family(status: str = "registered", **member_overrides) -> list[dict]:
    base = registered_case if status == "registered" else departed_case
    mother = base(
        case_id="CASE-9",
        individual_id="IND-91",
        first_name="Amina",
        last_name="Bello",
        sex="F",
        nationality="NGA",
        destination_country="NGA",
        vulnerabilities="single_headed_household",
        single_headed_docs_complete="yes",
    )
    child = base(
        case_id="CASE-9",
        individual_id="IND-92",
        first_name="Musa",
        last_name="Bello",
        is_principal=False,
        date_of_birth="2018-05-01",
        age=8,
        nationality="NGA",
        destination_country="NGA",
        phone=None,
    )
    child.update(member_overrides)
    return [mother, child]


# (rule, breaking records, expected record ids, narrowly-ok records)
CASES = {
    "C001": (
        [
            registered_case(location=None, individual_id="IND-A"),
            departed_case(individual_id="IND-B", interview_date=None),
        ],
        ["IND-A", "IND-B"],
        [registered_case(interview_date=None, document_number=None, phone=None)],
    ),
    "C002": (
        [registered_case(), registered_case(case_id="CASE-1")],
        ["IND-1"],
        [
            registered_case(),
            registered_case(individual_id="IND-2", case_id="CASE-2", first_name="Ali"),
        ],
    ),
    "C003": (
        [
            registered_case(),
            registered_case(
                individual_id="IND-2", case_id="CASE-2", first_name=" IBRAHIM ", last_name="Keïta"
            ),
        ],
        ["IND-1", "IND-2"],
        [
            registered_case(),
            registered_case(individual_id="IND-2", case_id="CASE-2", date_of_birth="1994-03-03"),
        ],
    ),
    "C004": (
        [departed_case(interview_date="2026-08-31")],
        ["IND-1"],
        [departed_case(interview_date="2026-09-01", ftt_date="2026-10-22")],
    ),
    "C005": (
        [registered_case(last_updated="2026-11-25")],
        ["IND-1"],
        [registered_case(last_updated="2026-11-24")],
    ),
    "C006": (
        [registered_case(age=30)],  # born 1994-03-02: 32 at registration
        ["IND-1"],
        [registered_case(age=31)],
    ),
    "C007": (
        [registered_case(age=17, date_of_birth="2009-01-01")],
        ["IND-1"],
        [registered_case(age=17, date_of_birth="2009-01-01", vulnerabilities="uasc")],
    ),
    "C008": (
        [
            departed_case(
                age=16,
                date_of_birth="2010-01-01",
                vulnerabilities="uasc",
                protection_clearance="cleared",
                protection_clearance_date="2026-09-20",
            )
        ],
        ["IND-1"],
        [
            registered_case(
                age=16,
                date_of_birth="2010-01-01",
                vulnerabilities="uasc",
                protection_clearance="pending",
                case_status="documents_pending",
                interview_date="2026-11-12",
            )
        ],
    ),
    "C009": (
        [departed_case(vulnerabilities="vot", protection_clearance="pending")],
        ["IND-1"],
        [departed_case(vulnerabilities="disability", protection_clearance="pending")],
    ),
    "C010": (
        [departed_case(ftt_date="2026-10-14")],  # 8 days before departure
        ["IND-1"],
        [departed_case(ftt_date="2026-10-15")],  # exactly 7
    ),
    "C011": (
        [
            departed_case(
                vulnerabilities="single_headed_household", single_headed_docs_complete="no"
            )
        ],
        ["IND-1"],
        [
            registered_case(
                vulnerabilities="single_headed_household", single_headed_docs_complete="no"
            )
        ],
    ),
    "C012": (
        family(is_principal=True),
        ["IND-91", "IND-92"],
        family(),
    ),
    "C013": (
        [registered_case(case_status="cancelled", status_reason=None)],
        ["IND-1"],
        [registered_case(case_status="cancelled", status_reason="changed mind")],
    ),
    "C014": (
        [
            registered_case(sex="X"),
            registered_case(
                individual_id="IND-2", case_id="CASE-2", first_name="Ali", nationality="Biafra"
            ),
        ],
        ["IND-1", "IND-2"],
        [registered_case(nationality="CIV", destination_country="CIV")],
    ),
    "C015": (
        [registered_case(registration_date="2026-10-01", last_updated="2026-10-24")],  # 31 days
        ["IND-1"],
        [registered_case(registration_date="2026-10-01", last_updated="2026-10-25")],  # 30 days
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_a_breaking_record(code):
    records, expected, _ = CASES[code]
    assert hit_ids(cases(*records), code) == expected


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet_on_a_narrowly_valid_record(code):
    _, _, records = CASES[code]
    assert hit_ids(cases(*records), code) == []


def test_valid_records_break_no_case_rule():
    frames = cases(
        departed_case(),
        registered_case(individual_id="IND-2", case_id="CASE-2", first_name="Ali"),
        *family(),
    )
    found = findings_for(frames, "C001")
    for code in CASES:
        found = pd.concat([found, findings_for(frames, code)])
    assert found.empty, found


def test_messages_say_what_to_fix():
    f = findings_for(cases(departed_case(ftt_date="2026-10-10")), "C010")
    assert f.loc[0, "message"] == (
        "FTT dated 2026-10-10 is 12 days before departure 2026-10-22; max 7"
    )
    assert f.loc[0, "case_id"] == "CASE-1" and f.loc[0, "severity"] == "error"


def test_c006_age_outside_range_and_c010_not_fit():
    assert hit_ids(cases(registered_case(age=130, date_of_birth=None)), "C006") == ["IND-1"]
    assert hit_ids(cases(departed_case(ftt_status="unfit")), "C010") == ["IND-1"]


def test_c013_departure_date_on_a_case_not_departed():
    record = registered_case(departure_date="2026-11-20")
    assert hit_ids(cases(record), "C013") == ["IND-1"]


REFERRAL = {
    "referral_id": "REF-1",
    "individual_id": "IND-1",
    "referral_date": "2026-11-01",
    "service": "medical",
    "referred_to": "UNICEF",
    "follow_up_due": "2026-11-23",
    "follow_up_date": None,
    "outcome": "pending",
}


def test_r001_overdue_follow_up_and_due_today_is_not():
    frames = cases(registered_case())
    frames["referrals"] = frame("referrals", [REFERRAL])
    assert hit_ids(frames, "R001") == ["REF-1"]
    frames["referrals"] = frame("referrals", [{**REFERRAL, "follow_up_due": "2026-11-24"}])
    assert hit_ids(frames, "R001") == []


def test_r002_unknown_individual():
    frames = cases(registered_case())
    frames["referrals"] = frame(
        "referrals", [{**REFERRAL, "individual_id": "IND-404", "follow_up_due": "2026-12-01"}]
    )
    assert hit_ids(frames, "R002") == ["REF-1"]
    frames["referrals"] = frame("referrals", [{**REFERRAL, "follow_up_due": "2026-12-01"}])
    assert hit_ids(frames, "R002") == []


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
