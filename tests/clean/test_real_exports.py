"""Issue 14: what real exports carry, cleaned (entities, header conflicts, month-first
dates, negative numbers), and `workbench clean --out` writing the cleaned data."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import pandas as pd

from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.numbers import clean_int, clean_number
from protection_workbench.clean.text import clean_text
from protection_workbench.config import get_config

CFG = get_config()
REFERRALS = (
    "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,Result\n"
)


def _referrals(folder: Path, rows: list[str], name: str = "referrals.csv") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(REFERRALS + "".join(r + "\n" for r in rows), encoding="utf-8")
    return path


def test_html_entities_decoded_in_text_and_counted():
    cleaned = clean_text(
        pd.Series(
            ["O&#039;Brien", "Tom &amp; Jerry", "&quot;ok&quot;", "R&D", "plain"], dtype="str"
        )
    )
    assert cleaned.values.tolist() == ["O'Brien", "Tom & Jerry", '"ok"', "R&D", "plain"]
    assert cleaned.repair_counts() == {"html_entity": 3}


def test_negative_counts_ages_and_amounts_are_value_issues():
    ints = clean_int(pd.Series(["-13", "4", "-0"], dtype="str"), minimum=0)
    assert ints.invalid.tolist() == [True, False, False]
    amounts = clean_number(pd.Series(["-250 LYD", "250"], dtype="str"), minimum=0)
    assert amounts.invalid.tolist() == [True, False]


def test_negative_count_in_an_export_is_a_value_issue(tmp_path):
    path = tmp_path / "activities.csv"
    path.write_text(
        "Activity ID,Date,Activity Type,Location,Mantika,Participants (F),Participants (M)\n"
        "ACT-1,03/11/2026,nfi_distribution,Zwara DC,Zuwara,-13,4\n",
        encoding="utf-8",
    )
    ds = clean_dataset("activities", path, CFG)
    issues = ds.issues
    assert (issues["problem"] == "not a whole number of 0 or more").sum() == 1
    assert ds.frame["participants_f"].isna().all()


def test_month_first_export_detected_repaired_and_reported(tmp_path):
    """Issue 14: a US export (month-first) was parsed day-first, swapping day and month
    silently and rejecting the rest. Now the file is read month-first and the report says so."""
    rows = [
        f"REF-{i},IND-{i},{m}/{d}/2026,Medical,UNICEF,{m}/{d}/2026,,assisted"
        for i, (m, d) in enumerate([(11, 20), (10, 3), (12, 31), (1, 15), (2, 5), (9, 28)])
    ]
    ds = clean_dataset("referrals", _referrals(tmp_path, rows), CFG)
    dates = ds.frame["referral_date"].dt.strftime("%Y-%m-%d").tolist()
    assert dates == ["2026-11-20", "2026-10-03", "2026-12-31", "2026-01-15", "2026-02-05",
                     "2026-09-28"]  # fmt: skip
    assert ds.issues.empty
    assert ds.report.repairs["month_first"] == 12  # both date columns, every row
    # One note for the file, naming both date columns: the order is the file's.
    [note] = [n for n in ds.report.notes if n["kind"] == "month_first_dates"]
    assert note["columns"] == ["referral_date", "follow_up_due"]
    assert "read month-first (detected)" in note["message"]


def test_day_first_export_is_not_read_month_first(tmp_path):
    rows = [
        f"REF-{i},IND-{i},{d}/11/2026,Medical,UNICEF,,,assisted" for i, d in enumerate([3, 20, 4])
    ]
    ds = clean_dataset("referrals", _referrals(tmp_path, rows), CFG)
    assert ds.frame["referral_date"].dt.day.tolist() == [3, 20, 4]
    assert "month_first" not in ds.report.repairs and not ds.report.notes


def test_configured_date_order_overrides_detection(tmp_path):
    import dataclasses

    rows = [f"REF-{i},IND-{i},0{m}/03/2026,Medical,UNICEF,,,assisted" for i, m in enumerate([1, 2])]
    path = _referrals(tmp_path, rows, "referrals_us.csv")
    thresholds = CFG.thresholds.model_copy(update={"date_order": {"*_us.csv": "month_first"}})
    ds = clean_dataset("referrals", path, dataclasses.replace(CFG, thresholds=thresholds))
    assert ds.frame["referral_date"].dt.strftime("%m-%d").tolist() == ["01-03", "02-03"]
    assert "as configured" in ds.report.notes[0]["message"]


def test_header_conflict_in_the_cleaning_report(tmp_path):
    path = tmp_path / "referrals.csv"
    path.write_text(
        "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,"
        "Result,referral_date\nREF-1,IND-1,03/11/2026,Medical,UNICEF,,,assisted,04/11/2026\n",
        encoding="utf-8",
    )
    ds = clean_dataset("referrals", path, CFG)
    assert ds.frame["referral_date"].dt.day.tolist() == [4]  # the exact name won
    conflict = next(n for n in ds.report.notes if n["kind"] == "header_conflict")
    assert "'Date of Referral', 'referral_date'" in conflict["message"]
    assert ds.report.to_dict()["notes"] == ds.report.notes


def test_clean_command_writes_the_cleaned_frames_owner_only(tmp_path):
    rows = ["REF-1,IND-1,03/11/2026,Medical,UNICEF,10/11/2026,09/11/2026,assisted"]
    data = tmp_path / "exports"
    _referrals(data, rows)
    out = tmp_path / "cleaning"
    proc = subprocess.run(
        [sys.executable, "-m", "protection_workbench", "clean", "--data", str(data),
         "--out", str(out)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    cleaned = out / "cleaned"
    frame = pd.read_parquet(cleaned / "referrals.parquet")
    assert frame["referral_id"].tolist() == ["REF-1"]
    assert str(frame["referral_date"].dtype).startswith("datetime64")
    for path in (out, cleaned):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    assert stat.S_IMODE((cleaned / "referrals.parquet").stat().st_mode) == 0o600
    report = json.loads((out / "cleaning_report.json").read_text())
    # Days 3, 9 and 10 of November: nothing tells day from month, and the report says so.
    [note] = report["datasets"]["referrals"]["notes"]
    assert note["kind"] == "ambiguous_dates" and note["rows"] == 3
    assert "never share" in proc.stdout
