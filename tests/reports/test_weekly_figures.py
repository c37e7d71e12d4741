"""Weekly figures on small hand-made frames: week boundaries, age bands, the share of
women and girls, pipeline stages, referrals, activities, hosting and data quality."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from protection_workbench.contract import dataset
from protection_workbench.dates import report_date, week_end
from protection_workbench.errors import WorkbenchError
from protection_workbench.reports import weekly, weekly_tables
from protection_workbench.reports.weekly import (
    age_band,
    age_on,
    report_periods,
    weekly_figures,
)
from protection_workbench.reports.weekly_tables import summary_tables

AS_OF = date(2026, 11, 25)  # a Wednesday of ISO week 2026-W48
NA = None


def frame(name: str, rows: list[dict]) -> pd.DataFrame:
    """A canonical frame of ``name``: contract columns and dtypes, unlisted values missing."""
    ds = dataset(name)
    data = pd.DataFrame(rows).reindex(columns=ds.column_names)
    for col in ds.columns:
        if col.kind == "date":
            data[col.name] = pd.to_datetime(data[col.name])
        elif col.kind == "int":
            data[col.name] = data[col.name].astype("Int64")
        elif col.kind == "bool":
            data[col.name] = data[col.name].astype("boolean")
        elif col.kind == "number":
            data[col.name] = data[col.name].astype("float64")
        else:
            data[col.name] = data[col.name].astype("string")
    return data


def departed(iid, day, sex, age, dob=NA, flight="charter", manifest="MNF-1", dest="NGA", vuln=NA):
    return {
        "individual_id": iid,
        "case_status": "departed",
        "departure_date": day,
        "sex": sex,
        "age": age,
        "date_of_birth": dob,
        "flight_type": flight,
        "manifest_id": manifest,
        "destination_country": dest,
        "vulnerabilities": vuln,
        "travel_document_status": "issued",
        "ftt_status": "fit",
    }


def waiting(iid, status, doc, ftt):
    return {
        "individual_id": iid,
        "case_status": status,
        "travel_document_status": doc,
        "ftt_status": ftt,
        "sex": "M",
        "age": 30,
    }


CASE_ROWS = [
    # this week (Monday 23 .. Wednesday 25 November)
    departed("A", "2026-11-23", "F", 5, dob="2021-11-24", vuln="uasc;medical"),  # 4 at departure
    departed("A", "2026-11-23", "F", 5, dob="2021-11-24", vuln="uasc;medical"),  # same person
    departed("B", "2026-11-25", "M", 17),  # no date of birth: stated age
    departed("E", "2026-11-24", "M", 17, "2008-11-24", "commercial", "COM-2", "GMB", "vot"),
    # the week before (Sunday 22 November is its last day)
    departed("C", "2026-11-22", "F", 65, "1960-11-22", "commercial", "COM-1", "MLI"),
    # after the as-of date, last year, no departure date: never counted
    departed("D", "2026-11-26", "M", 30),
    departed("G", "2025-12-31", "M", 30),
    departed("X", NA, "M", 30),
    # earlier this year
    departed("F", "2026-01-01", "F", 30, manifest="MNF-0"),
    # the pipeline
    waiting("P1", "counselled", "none", "pending"),
    waiting("P2", "documents_pending", "requested", "pending"),
    waiting("P3", "documents_pending", "issued", "pending"),
    waiting("P4", "ready", "issued", "unfit"),
    waiting("P5", "ready", "issued", "fit"),
    waiting("P6", "manifested", "issued", "fit"),
    waiting("P7", "registered", "none", "pending"),
]

REFERRAL_ROWS = [
    {"referral_id": "R1", "referral_date": "2026-11-23", "service": "medical",
     "follow_up_due": "2026-11-30"},
    {"referral_id": "R2", "referral_date": "2026-11-10", "service": "legal",
     "follow_up_due": "2026-11-24"},  # overdue
    {"referral_id": "R3", "referral_date": "2026-11-10", "service": "legal",
     "follow_up_due": "2026-11-20", "follow_up_date": "2026-11-21"},
    {"referral_id": "R4", "referral_date": "2026-11-01", "service": "cash",
     "follow_up_due": "2026-11-25"},  # due today: not yet overdue
    {"referral_id": "R5", "referral_date": "2026-11-22", "service": "cash",
     "follow_up_due": "2026-12-06"},  # the week before
]  # fmt: skip

ACTIVITY_ROWS = [
    {"activity_id": "A1", "date": "2026-11-23", "activity_type": "outreach_session",
     "participants_f": 10, "participants_m": 5, "participants_children": 3},
    {"activity_id": "A2", "date": "2026-11-25", "activity_type": "outreach_session",
     "participants_f": 1, "participants_children": 2},
    {"activity_id": "A3", "date": "2026-11-22", "activity_type": "outreach_session",
     "participants_f": 50, "participants_m": 50, "participants_children": 50},
    {"activity_id": "A4", "date": "2026-11-24", "activity_type": "nfi_distribution", "items": 50},
    {"activity_id": "A5", "date": "2026-11-26", "activity_type": "nfi_distribution", "items": 70},
    {"activity_id": "A6", "date": "2026-11-24", "activity_type": "training",
     "participants_f": 9, "participants_m": 9},
]  # fmt: skip

PLACEMENT_ROWS = [
    {"placement_id": "PL1", "start_date": "2026-11-01"},  # active
    {"placement_id": "PL2", "start_date": "2026-11-23"},  # active, new
    {"placement_id": "PL3", "start_date": "2026-10-01", "end_date": "2026-11-24"},  # exit
    {"placement_id": "PL4", "start_date": "2026-10-01", "end_date": "2026-11-25"},  # exit today
    {"placement_id": "PL5", "start_date": "2026-11-26"},  # not yet
    {"placement_id": "PL6", "start_date": "2026-10-01", "end_date": "2026-11-22"},  # earlier exit
]

FINDINGS = pd.DataFrame(
    [
        ["cases", "A", "C1", "C004", "error", "x"],
        ["cases", "A", "C1", "C009", "error", "y"],
        ["cases", "B", "C2", "C015", "warning", "z"],
        ["referrals", "R9", "", "R002", "error", "w"],
    ],
    columns=["dataset", "record_id", "case_id", "rule", "severity", "message"],
)


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return {
        "cases": frame("cases", CASE_ROWS),
        "referrals": frame("referrals", REFERRAL_ROWS),
        "activities": frame("activities", ACTIVITY_ROWS),
        "placements": frame("placements", PLACEMENT_ROWS),
    }


@pytest.fixture(scope="module")
def fig(frames):
    return weekly_figures(frames, FINDINGS, True, AS_OF)


def test_periods_run_monday_to_as_of_the_week_before_and_year_to_date():
    periods = report_periods(AS_OF)
    assert (periods["week"].start, periods["week"].end) == (date(2026, 11, 23), AS_OF)
    assert (periods["previous"].start, periods["previous"].end) == (
        date(2026, 11, 16),
        date(2026, 11, 22),
    )
    assert (periods["ytd"].start, periods["ytd"].end) == (date(2026, 1, 1), AS_OF)


def test_iso_week_parameter_means_that_weeks_sunday():
    assert week_end("2026-W47") == date(2026, 11, 22)
    assert week_end("2026W01") == date(2026, 1, 4)
    assert report_date("", "2026-W47") == date(2026, 11, 22)
    assert report_date("2026-11-25", "") == AS_OF
    with pytest.raises(WorkbenchError, match="ISO week"):
        week_end("47")
    with pytest.raises(WorkbenchError, match="no ISO week 54"):
        week_end("2026-W54")


def test_age_bands_at_their_edges():
    ages = pd.Series([0, 4, 5, 11, 12, 17, 18, 59, 60, 99, None])
    expected = ["0–4", "0–4", "5–11", "5–11", "12–17", "12–17", "18–59", "18–59", "60+", "60+"]
    assert age_band(ages).tolist() == [*expected, "unknown"]


def test_returns_count_distinct_departed_people_in_each_period(fig):
    assert fig.week_label == "2026-W48"
    assert not fig.week_complete
    assert fig.returns == {"week": 3, "previous": 1, "ytd": 5}
    assert fig.women_girls == {"week": 1, "previous": 1, "ytd": 3}
    assert fig.children == {"week": 2, "previous": 0, "ytd": 2}


def test_returns_by_flight_type_count_people_and_flights(fig):
    expected = pd.DataFrame(
        {
            "week_people": [2, 1],
            "week_flights": [1, 1],
            "previous_people": [0, 1],
            "previous_flights": [0, 1],
            "ytd_people": [3, 2],
            "ytd_flights": [2, 2],
        },
        index=pd.Index(["charter", "commercial"], name="flight_type"),
    )
    pd.testing.assert_frame_equal(fig.by_flight_type, expected)


def test_returns_by_destination_with_country_names(fig):
    expected = pd.DataFrame(
        {
            "name": ["Nigeria", "Gambia", "Mali"],
            "week": [2, 1, 0],
            "previous": [0, 0, 1],
            "ytd": [3, 1, 1],
        },
        index=pd.Index(["NGA", "GMB", "MLI"], name="destination"),
    )
    pd.testing.assert_frame_equal(fig.by_destination, expected)


def test_sex_and_age_band_at_departure(fig):
    week = fig.sex_age["week"]
    assert week.index.tolist() == list(weekly.AGE_BANDS)
    assert week.to_dict("index") == {
        "0–4": {"F": 1, "M": 0},  # one day before the fifth birthday
        "5–11": {"F": 0, "M": 0},
        "12–17": {"F": 0, "M": 1},  # stated age, no date of birth
        "18–59": {"F": 0, "M": 1},  # eighteenth birthday on the day of departure
        "60+": {"F": 0, "M": 0},
    }
    assert fig.sex_age["ytd"].to_dict("list") == {"F": [1, 0, 0, 1, 1], "M": [0, 0, 1, 1, 0]}


def test_vulnerable_returns(fig):
    assert fig.vulnerable == {"week": 2, "previous": 0, "ytd": 2}
    assert fig.by_vulnerability.to_dict("index") == {
        "uasc": {"week": 1, "ytd": 1},
        "vot": {"week": 1, "ytd": 1},
        "medical": {"week": 1, "ytd": 1},
    }


def test_pipeline_categories(fig):
    assert fig.pipeline == {
        "counselled": 1,
        "awaiting_documents": 1,
        "awaiting_ftt": 2,
        "manifested": 1,
    }


def test_trend_covers_twelve_weeks_ending_with_the_partial_week(fig):
    trend = fig.trend
    assert len(trend) == 12
    assert trend["week"].iloc[0] == "2026-W37"
    last = trend.iloc[-1]
    assert (last["week"], last["start"], last["end"], last["returns"]) == (
        "2026-W48",
        date(2026, 11, 23),
        AS_OF,
        3,
    )
    assert trend["returns"].tolist() == [0] * 10 + [1, 3]


def test_referrals_in_week_and_overdue(fig):
    assert fig.referrals_week == 1
    assert fig.referrals_by_service.to_dict() == {"medical": 1}
    assert fig.referrals_overdue == 1


def test_referrals_overdue_is_the_number_of_r001_findings(frames, fig):
    from protection_workbench.rules import run_rules

    r001 = run_rules({"referrals": frames["referrals"]}, AS_OF, codes=["R001"])
    assert fig.referrals_overdue == len(r001)


def test_age_on_is_the_age_from_the_date_of_birth_else_the_stated_age():
    from protection_workbench.rules.cases import age_at

    when = pd.to_datetime(pd.Series(["2026-11-25", "2026-11-25", None, "2026-11-25"]))
    birth = pd.to_datetime(pd.Series(["2000-11-26", None, "2000-01-01", None]))
    stated = pd.Series([40, 17, 30, None])
    assert age_on(when, birth, stated).tolist() == [25, 17, 30, pd.NA]
    known = birth.notna() & when.notna()
    assert age_on(when, birth, stated)[known].tolist() == age_at(birth, when)[known].tolist()


def test_activities_in_week(fig):
    assert fig.outreach_sessions == 2
    assert fig.participants == {"f": 11, "m": 5, "children": 5}
    assert (fig.nfi_distributions, fig.nfi_kits) == (1, 50)


def test_hosting_headline(fig):
    assert fig.hosting == {"active": 2, "new": 1, "exits": 2}


def test_data_quality_counts_records_with_errors(fig):
    assert fig.gate_passed is True
    assert (fig.records_to_correct, fig.error_findings) == (2, 3)


def test_a_week_ending_on_sunday_is_complete(frames):
    fig = weekly_figures(frames, None, False, date(2026, 11, 22))
    assert fig.week_complete
    assert fig.returns == {"week": 1, "previous": 0, "ytd": 2}
    assert (fig.gate_passed, fig.records_to_correct) == (False, 0)


def test_missing_datasets_give_none(frames):
    fig = weekly_figures({"cases": frames["cases"]}, None, None, AS_OF)
    assert fig.returns is not None
    assert fig.referrals_week is None and fig.referrals_overdue is None
    assert fig.outreach_sessions is None and fig.hosting is None
    nothing = weekly_figures({}, None, None, AS_OF)
    assert nothing.returns is None and nothing.pipeline is None
    assert summary_tables(nothing) == {}


def test_published_tables_suppress_small_counts_and_write_hxl(fig, tmp_path):
    from protection_workbench.publish.hxl import read_hxl_csv

    tables = summary_tables(fig)
    flights = tables["returns_by_flight_type"]
    assert flights["people this week"].tolist() == ["<5", "<5", "<5"]
    assert flights["flights year to date"].tolist() == ["2", "2", "4"]  # not people
    assert tables["returns_by_week"]["returns"].tolist() == ["0"] * 10 + ["<5", "<5"]
    written = weekly_tables.write_published_tables(tables, tmp_path)
    assert {p.name for p in written} == {f"{name}.csv" for name in tables}
    data, tags = read_hxl_csv(tmp_path / "returns_by_destination.csv")
    assert tags["destination"] == "#country+code"
    assert data["destination"].tolist()[:3] == ["NGA", "GMB", "MLI"]


def test_labels_not_in_config_are_grouped(frames):
    """Destinations, vulnerabilities, services and exit reasons from free text are counted
    under one "Other / unrecognised" label, never shown."""
    from protection_workbench.publish.labels import OTHER
    from protection_workbench.reports.narrative import weekly_narrative_markdown

    text = "Home of Amina Yusuf +218 91 234 5678"
    odd = {name: f.copy() for name, f in frames.items()}
    cases = odd["cases"]
    week = cases["individual_id"].isin(["B", "E"]).to_numpy()
    cases.loc[week, "destination_country"] = text
    cases.loc[week, "vulnerabilities"] = f"vot;{text}"
    odd["referrals"].loc[0, "service"] = text
    fig = weekly_figures(odd, FINDINGS, True, AS_OF)
    assert OTHER in fig.by_destination.index
    assert text not in set(fig.by_destination["name"]) | set(fig.by_destination.index)
    assert fig.by_vulnerability.loc[OTHER, "week"] == 2
    assert text not in fig.by_vulnerability.index
    assert OTHER in fig.referrals_by_service.index
    shown = "\n".join(weekly_narrative_markdown(fig))
    assert "Amina" not in shown
    for table in summary_tables(fig).values():
        assert "Amina" not in table.to_csv()
