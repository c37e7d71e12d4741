"""Dataset cleaning: every row accounted for, issues reported with file and line, bad input named."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.load import load_export, write_cleaning_outputs
from protection_workbench.errors import InputFileError, MissingColumnError

REFERRALS_HEADER = (
    "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,Result"
)


def _write(path: Path, lines: list[str], encoding: str = "utf-8") -> Path:
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_rows_without_record_id_are_quarantined_with_file_and_line(tmp_path: Path):
    path = _write(
        tmp_path / "referrals.csv",
        [
            REFERRALS_HEADER,
            "REF-1,IND-1,03/11/2026,Medical,UNICEF,10/11/2026,09/11/2026,assisted",
            ",IND-2,04/11/2026,legal,UNHCR,11/11/2026,,pending",
            "REF-3,IND-3,05/11/2026,cash,IRC,12/11/2026,,pending",
        ],
    )
    ds = clean_dataset("referrals", path)
    assert ds.report.rows_in == 3
    assert ds.report.rows_clean == 2 and ds.report.rows_quarantined == 1
    q = ds.quarantine.iloc[0]
    assert (q["file"], int(q["line"]), q["column"]) == ("referrals.csv", 3, "referral_id")
    assert "missing referral_id" in q["reason"]
    assert ds.frame["referral_id"].tolist() == ["REF-1", "REF-3"]
    assert ds.provenance["source_line"].tolist() == [2, 4]
    assert ds.frame["referral_date"].iloc[0] == pd.Timestamp("2026-11-03")
    assert ds.frame["service"].astype(str).tolist() == ["medical", "cash"]


def test_unparseable_value_becomes_missing_and_is_reported_per_row(tmp_path: Path):
    path = _write(
        tmp_path / "referrals.csv",
        [
            REFERRALS_HEADER,
            "REF-1,IND-1,03/11/2026,medical,UNICEF,10/11/2026,,pending",
            "REF-2,IND-2,someday,medical,UNICEF,11/11/2026,,pending",
            "REF-3,IND-3,05/11/2026,teleportation,UNICEF,12/11/2026,,pending",
            "REF-4,IND-4,06/11/2026,legal,UNICEF,13/11/2026,,pending",
        ],
    )
    ds = clean_dataset("referrals", path)
    assert ds.report.rows_clean == 4
    assert pd.isna(ds.frame["referral_date"].iloc[1])
    assert ds.frame["service"].astype(str).iloc[2] == "teleportation"  # kept for C014
    issues = ds.issues.set_index("column")
    assert int(issues.loc["referral_date", "line"]) == 3
    assert issues.loc["referral_date", "value"] == "someday"
    assert int(issues.loc["service", "line"]) == 4
    unknown = ds.report.unknown_values.set_index("value")["count"].to_dict()
    assert unknown == {"someday": 1, "teleportation": 1}


def test_unknown_columns_are_kept_and_reported(tmp_path: Path):
    path = _write(
        tmp_path / "referrals.csv",
        [
            REFERRALS_HEADER + ",Entered By",
            "REF-1,IND-1,03/11/2026,medical,UNICEF,10/11/2026,,pending,Amal",
        ],
    )
    ds = clean_dataset("referrals", path)
    assert "Entered By" in ds.frame.columns
    assert ds.report.unknown_columns == ["referrals.csv: Entered By"]


def test_missing_required_column_names_file_column_and_aliases(tmp_path: Path):
    path = _write(tmp_path / "referrals.csv", ["Referral No,Individual No", "REF-1,IND-1"])
    with pytest.raises(MissingColumnError) as info:
        clean_dataset("referrals", path)
    message = str(info.value)
    assert (
        "referrals.csv" in message and "referral_date" in message and "Date of Referral" in message
    )


def test_a_column_where_no_date_parses_is_one_clear_error(tmp_path: Path):
    rows = [f"REF-{i},IND-{i},11/32/2026,medical,UNICEF,2026/13/45,,pending" for i in range(5)]
    path = _write(tmp_path / "referrals.csv", [REFERRALS_HEADER, *rows])
    with pytest.raises(
        InputFileError, match=r"referrals\.csv.*no value of column 'referral_date' is a date"
    ):
        clean_dataset("referrals", path)


def test_dates_of_birth_are_never_echoed_in_issues(tmp_path: Path, demo_cases_header):
    header, row = demo_cases_header
    bad = row.replace("DOB_VALUE", "31/02/1990")
    good = row.replace("DOB_VALUE", "01/02/1990").replace("IND-1", "IND-2")
    path = _write(tmp_path / "cases.csv", [header, bad, good, good.replace("IND-2", "IND-3")])
    ds = clean_dataset("cases", path)
    issue = ds.issues.set_index("column").loc["date_of_birth"]
    assert "31/02/1990" not in issue["value"]
    assert "31/02/1990" not in ds.report.unknown_values.to_string()


@pytest.fixture
def demo_cases_header() -> tuple[str, str]:
    cols = {
        "case_id": "CASE-1",
        "individual_id": "IND-1",
        "is_principal": "yes",
        "first_name": "Amina",
        "last_name": "Bello",
        "sex": "F",
        "date_of_birth": "DOB_VALUE",
        "age": "36",
        "nationality": "Nigerian",
        "destination_country": "NGA",
        "location_type": "urban",
        "location": "Tripoli",
        "mantika": "Tripoli",
        "registration_date": "01/10/2026",
        "vulnerabilities": "medical; VoT",
        "travel_document_status": "none",
        "ftt_status": "pending",
        "case_status": "registered",
        "last_updated": "01/11/2026",
    }
    return ",".join(cols), ",".join(cols.values())


def test_vulnerabilities_become_boolean_columns_and_names_keep_their_original(
    tmp_path: Path, demo_cases_header
):
    header, row = demo_cases_header
    row = row.replace("DOB_VALUE", "01/02/1990").replace("Amina", "  Amina ")
    ds = clean_dataset("cases", _write(tmp_path / "cases.csv", [header, row]))
    frame = ds.frame
    assert frame["vulnerabilities"].iloc[0] == "vot;medical"
    assert bool(frame["vuln_vot"].iloc[0]) and bool(frame["vuln_medical"].iloc[0])
    assert not bool(frame["vuln_uasc"].iloc[0])
    assert frame["first_name"].iloc[0] == "Amina"
    assert frame["first_name_original"].iloc[0] == "  Amina "
    assert frame["nationality"].astype(str).iloc[0] == "NGA"
    assert isinstance(frame["case_status"].dtype, pd.CategoricalDtype)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["REF-{}", "", " ", "REF-{} "]),
            st.sampled_from(["03/11/2026", "", "2026-11-04", "garbage", "٠٣/١١/٢٠٢٦"]),
            st.sampled_from(["medical", "Legal", "", "unknown-service", "MHPSS"]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_row_accounting_always_balances(tmp_path: Path, rows):
    lines = [REFERRALS_HEADER]
    for i, (ref, date, service) in enumerate(rows):
        ref = ref.format(i)
        lines.append(f"{ref},IND-{i},{date},{service},UNICEF,10/11/2026,,pending")
    path = _write(tmp_path / "referrals.csv", lines)
    try:
        ds = clean_dataset("referrals", path)
    except InputFileError as exc:  # e.g. every date unparseable: a clear error, nothing half-loaded
        assert "referrals.csv" in str(exc)
        return
    expected_quarantined = sum(1 for ref, _, _ in rows if not ref.strip())
    assert ds.report.rows_in == len(rows)
    assert ds.report.rows_quarantined == expected_quarantined
    assert ds.report.rows_clean + ds.report.rows_quarantined == ds.report.rows_in
    assert sorted(ds.provenance["source_line"].tolist() + ds.quarantine["line"].tolist()) == list(
        range(2, len(rows) + 2)
    )


def test_cleaning_outputs_are_written_whole(tmp_path: Path):
    data = tmp_path / "exports"
    data.mkdir()
    _write(
        data / "referrals.csv",
        [REFERRALS_HEADER, "REF-1,IND-1,03/11/2026,medical,UNICEF,10/11/2026,,pending"],
    )
    export = load_export(data)
    out = write_cleaning_outputs(export, tmp_path / "cleaning")
    assert sorted(p.name for p in out.iterdir()) == [
        "cleaning_report.json",
        "cleaning_summary.csv",
        "quarantine.csv",
        "value_issues.csv",
    ]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
