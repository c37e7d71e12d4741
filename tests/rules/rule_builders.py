"""Builders of small canonical frames: one valid record per dataset, overridden per test."""

from __future__ import annotations

import pandas as pd

from protection_workbench.config import get_config
from protection_workbench.contract import DATASETS
from protection_workbench.rules import run_rules

AS_OF = pd.Timestamp("2026-11-24")

DTYPES = {
    "str": "str",
    "code": "str",
    "country": "str",
    "list": "str",
    "period": "str",
    "date": "datetime64[ns]",
    "int": "Int64",
    "number": "float64",
    "bool": "boolean",
}


def frame(dataset: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical frame of ``dataset`` from dicts (missing columns are empty)."""
    cols = DATASETS[dataset].columns
    data = {}
    for col in cols:
        values = [r.get(col.name) for r in rows]
        if col.kind == "date":
            data[col.name] = pd.to_datetime(pd.Series(values, dtype="object"))
        else:
            data[col.name] = pd.Series(values, dtype="object").astype(DTYPES[col.kind])
    return pd.DataFrame(data)


def departed_case(**overrides) -> dict:
    """A single adult man who flew home on a charter: breaks no rule."""
    record = {
        "case_id": "CASE-1",
        "individual_id": "IND-1",
        "is_principal": True,
        "first_name": "Ibrahim",
        "last_name": "Keita",
        "sex": "M",
        "date_of_birth": "1994-03-02",
        "age": 32,
        "nationality": "MLI",
        "destination_country": "MLI",
        "phone": "+218 91 234 5678",
        "document_number": "ETD123456",
        "location_type": "detention_centre",
        "location": "Tariq Al Sikka DC",
        "mantika": "Tripoli",
        "registration_date": "2026-09-01",
        "interview_date": "2026-09-05",
        "vulnerabilities": None,
        "protection_clearance": "not_required",
        "travel_document_status": "issued",
        "travel_document_date": "2026-10-01",
        "ftt_status": "fit",
        "ftt_date": "2026-10-20",
        "manifest_id": "MNF-20261022-MJI-MLI",
        "flight_type": "charter",
        "departure_date": "2026-10-22",
        "case_status": "departed",
        "last_updated": "2026-10-22",
    }
    record.update(overrides)
    return record


def registered_case(**overrides) -> dict:
    """A newly registered person: breaks no rule."""
    record = departed_case(
        interview_date=None,
        travel_document_status="none",
        travel_document_date=None,
        ftt_status="pending",
        ftt_date=None,
        manifest_id=None,
        flight_type=None,
        departure_date=None,
        document_number=None,
        case_status="registered",
        registration_date="2026-11-10",
        last_updated="2026-11-10",
    )
    record.update(overrides)
    return record


def findings_for(frames: dict[str, pd.DataFrame], code: str) -> pd.DataFrame:
    return run_rules(frames, AS_OF, get_config(), codes=[code])


def hit_ids(frames: dict[str, pd.DataFrame], code: str) -> list[str]:
    return sorted(findings_for(frames, code)["record_id"].tolist())


FLIGHT_DATE = "2026-11-26"
MANIFEST_ID = "MNF-20261126-MJI-MLI"


def manifested_case(**overrides) -> dict:
    """A man on the initial manifest of a charter two days after the as-of date: breaks no rule."""
    record = departed_case(
        case_id="CASE-7",
        individual_id="IND-7",
        first_name="Oumar",
        last_name="Diarra",
        date_of_birth="1990-07-15",
        age=36,
        document_number="ETD765432",
        registration_date="2026-09-01",
        interview_date="2026-09-05",
        travel_document_date="2026-11-01",
        ftt_date="2026-11-20",
        manifest_id=MANIFEST_ID,
        flight_type="charter",
        departure_date=None,
        case_status="manifested",
        last_updated="2026-11-20",
    )
    record.update(overrides)
    return record


def manifest_row(case: dict | None = None, **overrides) -> dict:
    """The manifest line of ``case`` (default: ``manifested_case()``), matching its record."""
    case = case or manifested_case()
    record = {
        "manifest_id": case.get("manifest_id") or MANIFEST_ID,
        "flight_date": FLIGHT_DATE,
        "flight_type": case.get("flight_type") or "charter",
        "destination_country": case.get("destination_country"),
        **{
            k: case.get(k)
            for k in (
                "individual_id",
                "first_name",
                "last_name",
                "date_of_birth",
                "nationality",
                "document_number",
            )
        },
        "ftt_status": "fit",
    }
    record.update(overrides)
    return record


def host(**overrides) -> dict:
    """A host family in Tripoli with room for two people at 600 LYD per person and month."""
    record = {
        "host_id": "HOST-1",
        "host_type": "family",
        "mantika": "Tripoli",
        "capacity": 2,
        "monthly_rate_lyd": 600.0,
        "active": True,
    }
    record.update(overrides)
    return record


def placement(**overrides) -> dict:
    """An open placement since 2026-10-01 at HOST-1."""
    record = {
        "placement_id": "PL-1",
        "individual_id": "IND-1",
        "host_id": "HOST-1",
        "start_date": "2026-10-01",
        "end_date": None,
        "exit_reason": None,
    }
    record.update(overrides)
    return record


def visit(**overrides) -> dict:
    """A compliant routine monitoring visit to PL-1 four days before the as-of date."""
    record = {
        "visit_id": "V-1",
        "placement_id": "PL-1",
        "visit_date": "2026-11-20",
        "visit_type": "routine",
        "compliance": "compliant",
        "issue_followed_up": None,
        "notes": None,
    }
    record.update(overrides)
    return record


def payment(**overrides) -> dict:
    """HOST-1's payment for October 2026: one person hosted the whole month, 600 LYD."""
    record = {
        "payment_id": "PAY-1",
        "host_id": "HOST-1",
        "period": "2026-10",
        "amount_lyd": 600.0,
        "paid_date": "2026-11-05",
    }
    record.update(overrides)
    return record


def hosting_frames(
    hosts: list[dict] | None = None,
    placements: list[dict] | None = None,
    visits: list[dict] | None = None,
    payments: list[dict] | None = None,
) -> dict[str, pd.DataFrame]:
    """A valid hosting set (as of 2026-11-24); pass lists to replace a dataset's rows."""
    return {
        "hosts": frame("hosts", [host()] if hosts is None else hosts),
        "placements": frame("placements", [placement()] if placements is None else placements),
        "visits": frame(
            "visits",
            [visit(visit_id="V-0", visit_date="2026-10-03"), visit()] if visits is None else visits,
        ),
        "payments": frame("payments", [payment()] if payments is None else payments),
    }


def referral(**overrides) -> dict:
    """A medical referral of IND-1 whose follow-up is due on the as-of date: breaks no rule."""
    record = {
        "referral_id": "REF-1",
        "individual_id": "IND-1",
        "referral_date": "2026-11-01",
        "service": "medical",
        "referred_to": "UNICEF",
        "follow_up_due": "2026-11-24",
        "follow_up_date": None,
        "outcome": "pending",
    }
    record.update(overrides)
    return record
