"""C001–C015: a record that breaks each rule and one that narrowly does not (rules/cases.py)."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import departed_case, findings_for, frame, hit_ids, registered_case

from protection_workbench.rules.cases import age_at, at_or_after, has_vulnerability, is_child


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


def test_c007_a_child_without_case_id_has_no_adult_in_its_case():
    orphan = registered_case(
        case_id=None, individual_id="IND-5", age=12, date_of_birth="2014-01-01"
    )
    adult = registered_case()
    assert hit_ids(cases(orphan, adult), "C007") == ["IND-5"]


def test_c012_records_without_case_id_form_no_case():
    assert hit_ids(cases(registered_case(case_id=None)), "C012") == []
    two_principals = [registered_case(), registered_case(individual_id="IND-2", first_name="Ali")]
    assert hit_ids(cases(*two_principals), "C012") == ["IND-1", "IND-2"]


# --- the domain terms reports may use -------------------------------------------------


def test_age_at_counts_full_years_and_is_missing_without_a_date():
    dob = pd.to_datetime(pd.Series(["2008-11-25", "2008-11-24", None]))
    on = pd.to_datetime(pd.Series(["2026-11-24"] * 3))
    assert age_at(dob, on).tolist() == [17, 18, pd.NA]


def test_stage_order_puts_cancelled_and_on_hold_outside_it():
    frame_ = frame(
        "cases",
        [registered_case(case_status=s) for s in ["counselled", "ready", "departed", "on_hold"]],
    )
    assert at_or_after(frame_, "ready").tolist() == [False, True, True, False]
    assert at_or_after(frame_, "registered").tolist() == [True, True, True, False]


def test_has_vulnerability_matches_whole_codes_only():
    values = pd.Series(["vot;uasc", "separated_child", "medical", None], dtype="category")
    assert has_vulnerability(values, ["uasc", "separated_child"]).tolist() == [
        True,
        True,
        False,
        False,
    ]
    assert has_vulnerability(pd.Series(["xuasc"]), ["uasc"]).tolist() == [False]


def test_is_child_is_under_the_adult_age_and_false_when_age_is_missing():
    frame_ = frame("cases", [registered_case(age=a) for a in (17, 18, None)])
    assert is_child(frame_, 18).tolist() == [True, False, False]
