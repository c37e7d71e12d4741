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
