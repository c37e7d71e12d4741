"""The data contract: canonical datasets and columns (docs/data-contract.md).

Everything downstream of loading (cleaning, rules, expectation suites, notebooks)
speaks only these names. This module is the single code copy of the contract; the
analyst-editable parts (header aliases, code lists) live in ``config/``.

Column kinds:
    str      free text or an identifier
    code     a value from the code list named by ``codes`` (config/code_lists.yaml; the
             lists ``mantika`` and ``airport`` are the names in config/sites.yaml)
    country  ISO 3166-1 alpha-3
    date     calendar date
    int      whole number
    number   decimal number
    bool     true/false (exports write yes/no, y/n, 1/0, نعم/لا …)
    list     ``;``-separated codes from the code list named by ``codes``
    period   a month, ``YYYY-MM``
"""

from __future__ import annotations

from dataclasses import dataclass

KINDS = ("str", "code", "country", "date", "int", "number", "bool", "list", "period")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    required: bool = False
    pii: bool = False
    codes: str | None = None  # code list name for kind code/list
    free_text: bool = False  # notes that may hold PII


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[Column, ...]
    key: str  # the record id used in findings
    file_pattern: str  # glob of the export file(s), without extension
    many_files: bool = False  # e.g. one manifest per flight

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def pii(self) -> list[str]:
        return [c.name for c in self.columns if c.pii or c.free_text]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


def _c(name, kind, required=False, pii=False, codes=None, free_text=False) -> Column:
    if kind not in KINDS:
        raise ValueError(f"unknown column kind {kind!r} for {name}")
    return Column(name, kind, required, pii, codes, free_text)


CASES = Dataset(
    "cases",
    (
        _c("case_id", "str", True),
        _c("individual_id", "str", True),
        _c("is_principal", "bool", True),
        _c("first_name", "str", True, pii=True),
        _c("last_name", "str", True, pii=True),
        _c("sex", "code", True, codes="sex"),
        _c("date_of_birth", "date", pii=True),
        _c("age", "int", True),
        _c("nationality", "country", True),
        _c("destination_country", "country", True),
        _c("phone", "str", pii=True),
        _c("document_number", "str", pii=True),
        _c("location_type", "code", True, codes="location_type"),
        _c("location", "str", True),
        _c("mantika", "code", True, codes="mantika"),
        _c("registration_date", "date", True),
        _c("interview_date", "date"),
        _c("vulnerabilities", "list", codes="vulnerability"),
        _c("avm_screening_date", "date"),
        _c("protection_clearance", "code", codes="protection_clearance"),
        _c("protection_clearance_date", "date"),
        _c("bia_date", "date"),
        _c("single_headed_docs_complete", "code", codes="yes_no_na"),
        _c("travel_document_status", "code", True, codes="travel_document_status"),
        _c("travel_document_date", "date"),
        _c("ftt_status", "code", True, codes="ftt_status"),
        _c("ftt_date", "date"),
        _c("manifest_id", "str"),
        _c("flight_type", "code", codes="flight_type"),
        _c("departure_date", "date"),
        _c("case_status", "code", True, codes="case_status"),
        _c("status_reason", "str"),
        _c("last_updated", "date", True),
    ),
    key="individual_id",
    file_pattern="cases",
)

REFERRALS = Dataset(
    "referrals",
    (
        _c("referral_id", "str", True),
        _c("individual_id", "str", True),
        _c("referral_date", "date", True),
        _c("service", "code", True, codes="service"),
        _c("referred_to", "str", True),
        _c("follow_up_due", "date", True),
        _c("follow_up_date", "date"),
        _c("outcome", "code", True, codes="referral_outcome"),
    ),
    key="referral_id",
    file_pattern="referrals",
)

MANIFEST = Dataset(
    "manifest",
    (
        _c("manifest_id", "str", True),
        _c("flight_date", "date", True),
        _c("flight_type", "code", True, codes="flight_type"),
        # optional: older manifests have no airport column; names of config/sites.yaml airports
        _c("departure_airport", "code", codes="airport"),
        _c("destination_country", "country", True),
        _c("individual_id", "str", True),
        _c("first_name", "str", True, pii=True),
        _c("last_name", "str", True, pii=True),
        _c("date_of_birth", "date", pii=True),
        _c("nationality", "country", True),
        _c("document_number", "str", pii=True),
        _c("ftt_status", "code", True, codes="ftt_status"),
    ),
    key="individual_id",
    file_pattern="manifest*",
    many_files=True,
)

HOSTS = Dataset(
    "hosts",
    (
        _c("host_id", "str", True),
        _c("host_type", "code", True, codes="host_type"),
        _c("mantika", "code", True, codes="mantika"),
        _c("capacity", "int", True),
        _c("monthly_rate_lyd", "number", True),
        _c("active", "bool", True),
    ),
    key="host_id",
    file_pattern="hosts",
)

PLACEMENTS = Dataset(
    "placements",
    (
        _c("placement_id", "str", True),
        _c("individual_id", "str", True),
        _c("host_id", "str", True),
        _c("start_date", "date", True),
        _c("end_date", "date"),
        _c("exit_reason", "code", codes="exit_reason"),
    ),
    key="placement_id",
    file_pattern="placements",
)

VISITS = Dataset(
    "visits",
    (
        _c("visit_id", "str", True),
        _c("placement_id", "str", True),
        _c("visit_date", "date", True),
        _c("visit_type", "code", True, codes="visit_type"),
        _c("compliance", "code", True, codes="compliance"),
        _c("issue_followed_up", "bool"),
        _c("notes", "str", free_text=True),
    ),
    key="visit_id",
    file_pattern="visits",
)

PAYMENTS = Dataset(
    "payments",
    (
        _c("payment_id", "str", True),
        _c("host_id", "str", True),
        _c("period", "period", True),
        _c("amount_lyd", "number", True),
        _c("paid_date", "date", True),
    ),
    key="payment_id",
    file_pattern="payments",
)

ACTIVITIES = Dataset(
    "activities",
    (
        _c("activity_id", "str", True),
        _c("date", "date", True),
        _c("activity_type", "code", True, codes="activity_type"),
        _c("location", "str", True),
        _c("mantika", "code", True, codes="mantika"),
        _c("participants_f", "int"),
        _c("participants_m", "int"),
        _c("participants_children", "int"),
        _c("items", "int"),
        _c("notes", "str", free_text=True),
    ),
    key="activity_id",
    file_pattern="activities",
)

DATASETS: dict[str, Dataset] = {
    d.name: d for d in (CASES, REFERRALS, MANIFEST, HOSTS, PLACEMENTS, VISITS, PAYMENTS, ACTIVITIES)
}


def dataset(name: str) -> Dataset:
    try:
        return DATASETS[name]
    except KeyError:
        raise KeyError(f"unknown dataset {name!r}; known: {', '.join(DATASETS)}") from None
