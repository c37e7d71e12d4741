"""M001–M008: a passenger who breaks each rule and one who narrowly does not."""

from __future__ import annotations

import pandas as pd
import pytest
from rule_builders import (
    FLIGHT_DATE,
    MANIFEST_ID,
    findings_for,
    frame,
    hit_ids,
    manifest_row,
    manifested_case,
    registered_case,
)

SEVERITY = {
    "M001": "error",
    "M002": "error",
    "M003": "error",
    "M004": "error",
    "M005": "error",
    "M006": "warning",
    "M007": "error",
    "M008": "error",
}


def review(cases: list[dict], rows: list[dict]) -> dict[str, pd.DataFrame]:
    return {"cases": frame("cases", cases), "manifest": frame("manifest", rows)}


def one(case: dict | None = None, **row_overrides) -> dict[str, pd.DataFrame]:
    """One passenger: ``case`` (default ``manifested_case()``) and its manifest row."""
    case = case or manifested_case()
    return review([case], [manifest_row(case, **row_overrides)])


def family(child_status: str = "manifested", **child_overrides) -> list[dict]:
    mother = manifested_case(
        case_id="CASE-8",
        individual_id="IND-81",
        first_name="Blessing",
        last_name="Okafor",
        sex="F",
        nationality="NGA",
        destination_country="NGA",
    )
    child = manifested_case(
        case_id="CASE-8",
        individual_id="IND-82",
        is_principal=False,
        first_name="Chidi",
        last_name="Okafor",
        date_of_birth="2019-02-01",
        age=7,
        nationality="NGA",
        destination_country="NGA",
        document_number="ETD888882",
        phone=None,
        case_status=child_status,
    )
    child.update(child_overrides)
    return [mother, child]


def uasc(**overrides) -> dict:
    record = {
        "age": 16,
        "date_of_birth": "2010-04-04",
        "vulnerabilities": "uasc",
        "protection_clearance": "cleared",
        "protection_clearance_date": "2026-10-01",
        "bia_date": "2026-09-20",
    }
    return manifested_case(**{**record, **overrides})


def two_flights(days_apart: int) -> dict[str, pd.DataFrame]:
    other_date = (pd.Timestamp(FLIGHT_DATE) + pd.Timedelta(days=days_apart)).strftime("%Y-%m-%d")
    return review(
        [manifested_case()],
        [
            manifest_row(),
            manifest_row(manifest_id="MNF-OTHER", flight_date=other_date, flight_type="commercial"),
        ],
    )


# rule -> (breaking frames, expected record ids, narrowly-valid frames)
CASES = {
    "M001": (
        one(individual_id="IND-404"),
        ["IND-404"],
        one(),
    ),
    "M002": (
        one(last_name="Dialla"),
        ["IND-7"],
        one(first_name=" OUMAR ", last_name="Diàra", document_number=None),  # spelling variant
    ),
    "M003": (
        one(manifested_case(case_status="documents_pending", manifest_id=None)),
        ["IND-7"],
        one(manifested_case(case_status="ready", manifest_id=None, flight_type=None)),
    ),
    "M004": (
        one(manifested_case(ftt_date="2026-11-18")),  # 8 days before the flight
        ["IND-7"],
        one(manifested_case(ftt_date="2026-11-19")),  # exactly 7
    ),
    "M005": (
        one(uasc(bia_date=None)),
        ["IND-7"],
        one(uasc()),
    ),
    "M006": (
        review(family("ready", manifest_id=None), [manifest_row(family()[0])]),
        ["IND-81"],
        review(family("cancelled", manifest_id=None), [manifest_row(family()[0])]),
    ),
    "M007": (two_flights(7), ["IND-7"], two_flights(8)),
    "M008": (
        one(destination_country="NER"),
        ["IND-7"],
        one(manifested_case(destination_country=None)),
    ),
}


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_fires_on_a_breaking_passenger(code):
    frames, expected, _ = CASES[code]
    assert hit_ids(frames, code) == expected


@pytest.mark.parametrize("code", sorted(CASES))
def test_rule_stays_quiet_on_a_narrowly_valid_passenger(code):
    _, _, frames = CASES[code]
    assert hit_ids(frames, code) == []


@pytest.mark.parametrize("code", sorted(CASES))
def test_finding_has_the_severity_of_rules_md_and_the_case_id(code):
    frames, expected, _ = CASES[code]
    f = findings_for(frames, code)
    assert f["dataset"].tolist() == ["manifest"] * len(expected)
    assert set(f["severity"]) == {SEVERITY[code]}
    if code in ("M001", "M007"):  # no case record / checked on the manifests alone
        assert f["case_id"].isna().all()
    else:
        assert set(f["case_id"]) == {"CASE-8" if code == "M006" else "CASE-7"}


# rule -> (frames, substrings the message must contain)
MESSAGES = {
    "M001": (one(individual_id="IND-404"), ["not found in case records", MANIFEST_ID]),
    "M002": (
        one(date_of_birth="1990-07-16", nationality="NER", document_number="ETD000000"),
        ["date of birth differs", "nationality NER vs MLI", "document number differs"],
    ),
    "M003": (
        one(manifested_case(case_status="on_hold", travel_document_status="requested")),
        ["case status 'on_hold'", "travel document 'requested'"],
    ),
    "M004": (
        one(manifested_case(ftt_date="2026-11-10")),
        ["FTT dated 2026-11-10 is 16 days before flight 2026-11-26; max 7"],
    ),
    "M005": (
        one(uasc(bia_date=None, protection_clearance="pending")),
        ["protection clearance 'pending'", "without BIA"],
    ),
    "M006": (
        review(family("ready", manifest_id=None), [manifest_row(family()[0])]),
        ["1 member(s) of case not on manifest " + MANIFEST_ID],
    ),
    "M007": (two_flights(-3), ["also on manifest MNF-OTHER"]),
    "M008": (one(destination_country="NER"), ["flight to NER but case destination MLI"]),
}


@pytest.mark.parametrize("code", sorted(MESSAGES))
def test_message_says_what_to_fix(code):
    frames, parts = MESSAGES[code]
    (message,) = findings_for(frames, code)["message"].tolist()
    for part in parts:
        assert part in message


def test_m002_names_compare_normalised_and_identity_only_when_both_sides_known():
    assert hit_ids(one(first_name="oumar", last_name="DIARRA"), "M002") == []
    assert hit_ids(one(date_of_birth=None, document_number=None), "M002") == []
    assert hit_ids(one(document_number="ETD765433"), "M002") == ["IND-7"]


def test_m003_travel_document_not_issued():
    frames = one(manifested_case(travel_document_status="requested"))
    assert hit_ids(frames, "M003") == ["IND-7"]


def test_m004_manifest_ftt_status_not_fit():
    f = findings_for(one(ftt_status="unfit"), "M004")
    assert f["record_id"].tolist() == ["IND-7"]
    assert "fit-to-travel 'unfit'" in f.loc[0, "message"]


def test_m005_vulnerable_passenger_without_clearance_and_not_needing_one():
    pending = {"protection_clearance": "pending", "protection_clearance_date": None}
    assert hit_ids(one(manifested_case(vulnerabilities="vot", **pending)), "M005") == ["IND-7"]
    assert hit_ids(one(manifested_case(vulnerabilities="disability", **pending)), "M005") == []


def test_m006_departed_or_travelling_member_is_not_missing():
    mother, child = family()
    both = review([mother, child], [manifest_row(mother), manifest_row(child)])
    assert hit_ids(both, "M006") == []
    departed = family("departed", departure_date="2026-10-22", manifest_id="MNF-EARLIER")
    assert hit_ids(review(departed, [manifest_row(departed[0])]), "M006") == []


def test_m007_same_individual_twice_on_one_manifest():
    frames = review([manifested_case()], [manifest_row(), manifest_row()])
    f = findings_for(frames, "M007")
    assert f["record_id"].tolist() == ["IND-7"]  # one finding per record and rule
    assert "listed twice on " + MANIFEST_ID in f.loc[0, "message"]


def test_m008_missing_flight_destination_is_not_a_mismatch():
    assert hit_ids(one(destination_country=None), "M008") == []


def test_a_valid_manifest_breaks_no_rule():
    mother, child = family()
    cases = [manifested_case(), uasc(case_id="CASE-6", individual_id="IND-6"), mother, child]
    rows = [manifest_row(c) for c in cases]
    frames = review([*cases, registered_case(individual_id="IND-2", case_id="CASE-2")], rows)
    found = pd.concat([findings_for(frames, code) for code in SEVERITY])
    assert found.empty, found
