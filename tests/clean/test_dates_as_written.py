"""Issue 24: dates as real systems write them, and a file's order of day and month decided
on all its values, never silently guessed.

The public format behind the fixtures is the IOM Missing Migrants Project download
(missingmigrants.iom.int, ``Missing_Migrants_Global_Figures_allData.csv``, read for
instance by github.com/yotkadata/missing-migrants with ``parse_dates=["Incident Date"]``):
its "Incident Date" and "Reported Date" columns are written by the site's export as
``Thu, 01/01/2026 - 12:00`` (weekday, month first, time), the form quoted in issue 24.
A weekly extract of such a month-first system has days that are all at most 12.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.dates import WEEKDAY_PROBLEM, clean_dates
from protection_workbench.config import get_config

CFG = get_config()
ACTIVITIES = "Activity ID,Date,Activity Type,Location,Mantika"
REFERRALS = (
    "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,Result"
)
# Real incident days of 2025-2026 (Missing Migrants incidents happen on any day), days
# above and below 12.
INCIDENT_DAYS = [
    dt.datetime(2026, 1, 1, 12, 0),
    dt.datetime(2025, 12, 24, 6, 30),
    dt.datetime(2025, 11, 3, 23, 15),
    dt.datetime(2025, 10, 19, 0, 0),
    dt.datetime(2025, 9, 7, 17, 45),
    dt.datetime(2025, 8, 30, 8, 0),
    dt.datetime(2025, 6, 11, 4, 20),
    dt.datetime(2025, 3, 2, 12, 0),
]
# 1-7 February 2026: every day at most 12, as in a weekly extract.
WEEK = [dt.datetime(2026, 2, d, 9, 0) for d in range(1, 8)]


def _missing_migrants(day: dt.datetime) -> str:
    """The Missing Migrants download form: "Thu, 01/01/2026 - 12:00"."""
    return day.strftime("%a, %m/%d/%Y - %H:%M")


def _activities(folder: Path, dates: list[str], name: str = "activities.csv") -> Path:
    path = folder / name
    rows = [f'ACT-{i},"{d}",field_visit,Zwara DC,Zuwara' for i, d in enumerate(dates)]
    path.write_text("\n".join([ACTIVITIES, *rows]) + "\n", encoding="utf-8")
    return path


def _days(frame: pd.DataFrame, column: str = "date") -> list[str]:
    return frame[column].dt.strftime("%Y-%m-%d").tolist()


def _iso(days: list[dt.datetime]) -> list[str]:
    return [d.strftime("%Y-%m-%d") for d in days]


def test_missing_migrants_download_dates_are_read_value_by_value(tmp_path):
    """Before: the export was refused whole ("no value of column ... is a date")."""
    raw = [_missing_migrants(d) for d in INCIDENT_DAYS]
    assert raw[0] == "Thu, 01/01/2026 - 12:00"
    ds = clean_dataset("activities", _activities(tmp_path, raw), CFG)
    assert _days(ds.frame) == _iso(INCIDENT_DAYS)
    assert ds.issues.empty
    [note] = [n for n in ds.report.notes if n["kind"] == "month_first_dates"]
    assert note["columns"] == ["date"]
    assert "read month-first (detected)" in note["message"]
    assert not [n for n in ds.report.notes if n["kind"] == "ambiguous_dates"]


def test_month_first_weekly_extract_is_settled_by_its_weekdays(tmp_path):
    """A real 1-7 February 2026 slice, "Tue, 02/03/2026": 12 of 14 wrong before; the
    weekday written beside each date says month-first."""
    raw = [_missing_migrants(d) for d in WEEK]
    assert raw[2] == "Tue, 02/03/2026 - 09:00"
    ds = clean_dataset("activities", _activities(tmp_path, raw), CFG)
    assert _days(ds.frame) == _iso(WEEK)
    assert ds.issues.empty
    [note] = ds.report.notes
    assert note["kind"] == "month_first_dates"
    assert "weekdays written beside the dates fit only month-first" in note["message"]


def test_month_first_weekly_extract_without_weekdays_is_flagged_not_guessed(tmp_path):
    """The same week as "02/03/2026": nothing in the file tells day from month. Before, it
    was read day-first with no note (88 of 95 wrong in a month-first weekly extract)."""
    raw = [d.strftime("%m/%d/%Y") for d in WEEK]
    ds = clean_dataset("activities", _activities(tmp_path, raw), CFG)
    [note] = ds.report.notes
    assert note["kind"] == "ambiguous_dates"
    assert note["file"] == "activities.csv" and note["columns"] == ["date"]
    assert note["rows"] == 6  # 02/02/2026 reads the same either way
    assert "cannot be told" in note["message"] and "date_order" in note["message"]
    # read day-first, the workbench's default, and said so: 3 February is 2 March
    assert _days(ds.frame)[2] == "2026-03-02"


def test_configured_order_settles_an_ambiguous_export(tmp_path):
    raw = [d.strftime("%m/%d/%Y") for d in WEEK]
    path = _activities(tmp_path, raw, "activities_mmp.csv")
    thresholds = CFG.thresholds.model_copy(update={"date_order": {"*_mmp.csv": "month_first"}})
    ds = clean_dataset("activities", path, dataclasses.replace(CFG, thresholds=thresholds))
    assert _days(ds.frame) == _iso(WEEK)
    [note] = ds.report.notes
    assert note["kind"] == "month_first_dates" and "as configured" in note["message"]


def test_other_date_columns_of_the_file_settle_the_order(tmp_path):
    """Referral dates all at most 12, but the due dates of the same file (11/20/2026) can
    only be month-first: the whole file is read month-first."""
    path = tmp_path / "referrals.csv"
    rows = [
        "REF-1,IND-1,11/03/2026,Medical,UNICEF,11/20/2026,,assisted",
        "REF-2,IND-2,10/04/2026,Legal,UNHCR,10/18/2026,,pending",
        "REF-3,IND-3,12/01/2026,Cash,IRC,12/15/2026,,pending",
    ]
    path.write_text("\n".join([REFERRALS, *rows]) + "\n", encoding="utf-8")
    ds = clean_dataset("referrals", path, CFG)
    assert _days(ds.frame, "referral_date") == ["2026-11-03", "2026-10-04", "2026-12-01"]
    assert _days(ds.frame, "follow_up_due") == ["2026-11-20", "2026-10-18", "2026-12-15"]
    [note] = ds.report.notes
    assert note["kind"] == "month_first_dates"
    assert note["columns"] == ["referral_date", "follow_up_due"]


def test_each_file_of_a_dataset_has_its_own_order(tmp_path):
    """Two manifests: one month-first (Missing Migrants style), one day-first."""
    header = (
        "Manifest ID,Flight Date,Flight Type,Destination,Individual ID,First Name,Last Name,"
        "Nationality,FTT Status"
    )
    us = tmp_path / "manifest_a.csv"
    us.write_text(
        f"{header}\nM-1,Thu 11/19/2026,charter,Nigeria,IND-1,Ada,Obi,Nigeria,fit\n"
        "M-1,Mon 11/02/2026,charter,Nigeria,IND-2,Ada,Eze,Nigeria,fit\n",
        encoding="utf-8",
    )
    ly = tmp_path / "manifest_b.csv"
    ly.write_text(
        f"{header}\nM-2,19/11/2026,charter,Niger,IND-3,Ali,Musa,Niger,fit\n"
        "M-2,02/11/2026,charter,Niger,IND-4,Ali,Sani,Niger,fit\n",
        encoding="utf-8",
    )
    ds = clean_dataset("manifest", [us, ly], CFG)
    assert _days(ds.frame, "flight_date") == [
        "2026-11-19", "2026-11-02", "2026-11-19", "2026-11-02"
    ]  # fmt: skip
    assert [(n["kind"], n["file"]) for n in ds.report.notes] == [
        ("month_first_dates", "manifest_a.csv")
    ]


def test_a_weekday_that_does_not_fit_the_date_is_a_value_issue(tmp_path):
    """1 January 2026 was a Thursday: "Fri, 01/01/2026" is not silently accepted."""
    raw = [_missing_migrants(d) for d in INCIDENT_DAYS[1:]] + ["Fri, 01/01/2026 - 12:00"]
    ds = clean_dataset("activities", _activities(tmp_path, raw), CFG)
    assert _days(ds.frame)[:-1] == _iso(INCIDENT_DAYS[1:])
    assert pd.isna(ds.frame["date"].iloc[-1])
    [issue] = ds.issues.to_dict(orient="records")
    assert issue["value"] == "Fri, 01/01/2026 - 12:00"
    assert issue["problem"] == WEEKDAY_PROBLEM
    assert issue["line"] == len(raw) + 1


@pytest.mark.parametrize(
    "raw",
    [
        "20.11.2026",
        "20 novembre 2026",
        "vendredi 20 novembre 2026",
        "ven. 20/11/2026",
        "20 nov. 2026",
        "20 نوفمبر 2026",
        "20 تشرين الثاني 2026",
        "الجمعة 20/11/2026",
        "الجمعة، ٢٠/١١/٢٠٢٦",
        "Friday, 20 November 2026",
        "Friday, November 20, 2026 2:30 PM",
        "Fri, 20/11/2026 - 14:30",
        "20/11/2026 14:30:00 CET",
        "2026-11-20T14:30:00+02:00",
        "2026-11-20T23:30:00Z",
        "2026-11-20 14:30 UTC",
        "20/11/2026 à 14h30",
    ],
)
def test_forms_in_english_french_and_arabic(raw):
    cleaned = clean_dates(pd.Series([raw], dtype="object"))
    assert cleaned.values.iloc[0] == pd.Timestamp("2026-11-20"), raw
    assert not cleaned.invalid.iloc[0]


def test_march_is_not_taken_for_mardi():
    """ "Mar 3, 2026" is March (English), "mar. 03/02/2026" is mardi 3 February (French)."""
    cleaned = clean_dates(pd.Series(["Mar 3, 2026", "mar. 03/02/2026"], dtype="object"))
    assert cleaned.values.dt.strftime("%Y-%m-%d").tolist() == ["2026-03-03", "2026-02-03"]


def test_a_day_first_export_gets_no_note(tmp_path):
    """The plain Libyan case: days above 12 settle the order; nothing to tell a reviewer."""
    raw = ["20/11/2026", "03/11/2026", "Fri 20/11/2026"]
    ds = clean_dataset("activities", _activities(tmp_path, raw), CFG)
    assert _days(ds.frame) == ["2026-11-20", "2026-11-03", "2026-11-20"]
    assert ds.report.notes == []


def test_the_ambiguous_note_reaches_the_data_quality_report(tmp_path):
    """The reviewer version counts what to check, naming no file; the case workers' copy
    gives the note in full."""
    from protection_workbench.reports.data_quality import review_notes

    raw = [d.strftime("%m/%d/%Y") for d in WEEK]
    ds = clean_dataset("activities", _activities(tmp_path, raw, "activities_week.csv"), CFG)
    shown = review_notes({"activities": ds.report.notes}, restricted=False)
    assert shown.to_dict(orient="records") == [
        {
            "Dataset": "Field activities",
            "To check": "Dates whose order of day and month could not be told (read day first)",
            "Notes": "1",
        }
    ]
    assert "activities_week" not in shown.to_string()
    full = review_notes({"activities": ds.report.notes}, restricted=True)
    assert full["Details"].iloc[0].startswith("activities_week.csv: the order of day and month")
    assert review_notes({"activities": []}, restricted=False) is None


def test_download_timestamps_are_read_without_the_per_value_reader(monkeypatch):
    """A download has one distinct value per minute: weekday and time are removed in Arrow
    and the dates read vectorised, never one Python call per value (speed: a million rows)."""
    from protection_workbench.clean import dates

    def refuse(value):
        raise AssertionError(f"per-value reader called for {value!r}")

    monkeypatch.setattr(dates, "_read_one", refuse)
    minutes = pd.date_range("2025-01-01", periods=5000, freq="17min")
    raw = pd.Series(minutes.strftime("%a, %m/%d/%Y - %H:%M"), dtype="str")
    reading = dates.read_dates(raw)
    cleaned = dates.assemble(reading, [("", slice(None))], [dates.MONTH_FIRST])
    assert (cleaned.values.to_numpy() == minutes.normalize().to_numpy()).all()
    assert not cleaned.invalid.any()
    wrong = pd.Series(["Fri, 01/01/2026 - 12:00", "Thu, 01/01/2026 - 12:00"], dtype="str")
    assert dates.clean_dates(wrong, dayfirst=False).invalid.tolist() == [True, False]


def test_dates_that_contradict_one_another_are_flagged(tmp_path):
    """Half the dates can only be day-first, half only month-first: no order is taken for
    granted; the file is read day-first, flagged, and the impossible ones are value issues."""
    raw = ["20/11/2026", "25/10/2026", "11/20/2026", "10/25/2026", "03/04/2026"]
    ds = clean_dataset("activities", _activities(tmp_path, raw), CFG)
    assert _days(ds.frame)[:2] == ["2026-11-20", "2026-10-25"]
    assert ds.frame["date"][2:4].isna().all()
    assert ds.issues["value"].tolist() == ["11/20/2026", "10/25/2026"]
    [note] = ds.report.notes
    assert note["kind"] == "ambiguous_dates" and note["rows"] == 1
    assert "contradict one another (2 fit only day-first, 2 only month-first)" in note["message"]
