"""Weekly report figures: the records behind each table on small hand-made frames (week
boundaries, age bands, case steps, flights, referrals, activities, hosting), then every
published table recomputed independently from the generator's truth at two sizes and two
seeds: each cell is the true count, or a marker that is true of it."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import pytest

from protection_workbench.config import get_config
from protection_workbench.contract import dataset
from protection_workbench.publish.labels import code_labels
from protection_workbench.publish.tables import TOTAL
from protection_workbench.reports import weekly, weekly_tables
from protection_workbench.reports.weekly import (
    NOT_RECORDED,
    age_band,
    age_on,
    report_periods,
    weekly_data,
)
from protection_workbench.synth.population import build_population

AS_OF = date(2026, 11, 25)  # a Wednesday of ISO week 2026-W48
START = date(2026, 1, 1)
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


def departed(iid, day, sex="F", age=30, dob=NA, flight="charter", manifest="MNF-1", **more):
    return {
        "individual_id": iid,
        "case_status": "departed",
        "departure_date": day,
        "sex": sex,
        "age": age,
        "date_of_birth": dob,
        "flight_type": flight,
        "manifest_id": manifest,
        "destination_country": "NGA",
        "location_type": "detention_centre",
        "mantika": "Tripoli",
        "travel_document_status": "issued",
        **more,
    }


CASES = [
    departed("A", "2026-11-23", dob="2021-11-24", age=5, vulnerabilities="uasc;medical"),
    departed("A", "2026-11-23", dob="2021-11-24", age=5),  # the same person twice
    departed("B", "2026-11-25", sex="M", age=17, location_type="urban", mantika="Sebha"),
    departed("E", "2026-11-24", "M", 17, "2008-11-24", "commercial", "COM-2"),
    departed("C", "2026-11-18", manifest="MNF-0"),  # same days of the week before (Wed)
    departed("C2", "2026-11-19", manifest="MNF-0"),  # Thursday before: not the same days
    departed("D", "2026-11-26"),  # after the as-of date
    departed("G", "2025-12-31"),  # before the programme started
    {"individual_id": "R1", "case_status": "registered", "registration_date": "2026-11-23"},
    {"individual_id": "R2", "case_status": "on_hold", "registration_date": "2026-11-17",
     "interview_date": "2026-11-24", "travel_document_date": "2026-11-24",
     "travel_document_status": "requested"},  # requested: not issued
    {"individual_id": "R3", "case_status": "manifested", "manifest_id": "MNF-9",
     "ftt_date": "2026-11-24", "travel_document_date": "2026-11-23",
     "travel_document_status": "issued"},
]  # fmt: skip

MANIFEST = [
    {"manifest_id": "MNF-9", "flight_date": "2026-12-01", "flight_type": "charter",
     "destination_country": "GHA", "individual_id": "R3", "departure_airport": "Mitiga"},
    {"manifest_id": "MNF-8", "flight_date": "2026-12-09", "flight_type": "charter",
     "destination_country": "GHA", "individual_id": "X"},  # beyond next week
]  # fmt: skip

REFERRALS = [
    {"referral_id": "F1", "service": "medical", "referred_to": "UNICEF", "outcome": "assisted",
     "follow_up_due": "2026-11-30", "follow_up_date": "2026-11-24"},
    {"referral_id": "F2", "service": "legal", "referred_to": "Home of Amina +218 91 234 5678",
     "outcome": "pending", "follow_up_due": "2026-11-24"},  # overdue, unknown partner
    {"referral_id": "F3", "service": "cash", "referred_to": "UNHCR", "outcome": "pending",
     "follow_up_due": "2026-11-25"},  # due today: not yet overdue
]  # fmt: skip

ACTIVITIES = [
    {"activity_id": "A1", "date": "2026-11-23", "activity_type": "outreach_session",
     "mantika": "Tripoli", "participants_f": 10, "participants_m": 5, "participants_children": 3},
    {"activity_id": "A2", "date": "2026-11-24", "activity_type": "nfi_distribution",
     "mantika": "Sebha", "items": 50, "participants_f": 2},
    {"activity_id": "A3", "date": "2026-11-22", "activity_type": "training", "mantika": "Sebha"},
]  # fmt: skip


@pytest.fixture(scope="module")
def data():
    frames = {
        "cases": frame("cases", CASES),
        "manifest": frame("manifest", MANIFEST),
        "referrals": frame("referrals", REFERRALS),
        "activities": frame("activities", ACTIVITIES),
    }
    return weekly_data(frames, AS_OF)


def test_periods_compare_the_same_days_of_the_week_before():
    periods = report_periods(AS_OF, START)
    assert (periods["week"].start, periods["week"].end) == (date(2026, 11, 23), AS_OF)
    assert (periods["previous"].start, periods["previous"].end) == (
        date(2026, 11, 16),
        date(2026, 11, 18),
    )
    assert periods["flights"].end == date(2026, 12, 6)  # Sunday of next week
    assert (periods["programme"].start, periods["programme"].end) == (START, AS_OF)


def test_age_bands_at_their_edges():
    ages = pd.Series([0, 4, 5, 11, 12, 17, 18, 59, 60, 99, None])
    expected = ["0–4", "0–4", "5–11", "5–11", "12–17", "12–17", "18–59", "18–59", "60+", "60+"]
    assert age_band(ages).astype(str).tolist() == [*expected, NOT_RECORDED]


def test_age_on_is_the_age_from_the_date_of_birth_else_the_stated_age():
    when = pd.to_datetime(pd.Series(["2026-11-25", "2026-11-25", None]))
    birth = pd.to_datetime(pd.Series(["2000-11-26", None, "2000-01-01"]))
    assert age_on(when, birth, pd.Series([40, 17, 30])).tolist() == [25, 17, 30]


def test_individuals_and_their_returns(data):
    people = data.people
    assert len(people) == 10  # A once
    assert int(data.returns_in("week").sum()) == 3  # A, B, E
    assert int(data.returns_in("previous").sum()) == 1  # C (Wednesday), not C2 (Thursday)
    assert int(data.returns_in("programme").sum()) == 5  # not D (future), not G (2025)
    week = people[data.returns_in("week")]
    assert week[weekly.AGE].astype(str).tolist() == ["0–4", "12–17", "18–59"]
    assert week[weekly.LOCATION_TYPE].astype(str).tolist() == [
        "Detention centre",
        "Urban",
        "Detention centre",
    ]


def test_case_steps_of_the_week_and_the_same_days_before(data):
    steps = data.steps.value_counts([weekly.EVENT, weekly.PERIOD])
    names = weekly.period_names(data)
    assert steps[("Registrations", names["week"])] == 1
    assert steps[("Registrations", names["previous"])] == 1
    assert steps[("Pre-departure interviews", names["week"])] == 1
    assert steps[("Travel documents issued", names["week"])] == 1  # R3 only: R2 requested
    assert steps[("Fit-to-travel checks", names["week"])] == 1
    assert "Departures" not in set(data.steps[weekly.EVENT].astype(str))


def test_flights_of_this_week_and_next(data):
    flights = data.flights.set_index(weekly.FLIGHT)
    assert flights["Week"].tolist() == ["This week", "This week", "Next week"]
    assert flights[weekly.DESTINATION].tolist() == ["Nigeria", "Nigeria", "Ghana"]
    assert flights[weekly.FLIGHT_TYPE].tolist() == [
        "Charter flight",
        "Commercial booking",
        "Charter flight",
    ]
    # the flights that left this week have no manifest in the exports: said so
    assert flights[weekly.AIRPORT].tolist() == [weekly.NO_MANIFEST, weekly.NO_MANIFEST, "Mitiga"]
    on = data.people[weekly.FLIGHT].value_counts()
    assert on.to_dict() == {"Flight 1": 2, "Flight 2": 1, "Flight 3": 1}


def test_referrals_activities(data):
    assert data.referral_outcomes[weekly.OUTCOME].astype(str).tolist() == ["Assisted"]
    overdue = data.overdue_referrals
    assert overdue[weekly.PARTNER].tolist() == ["Other / unrecognised"]  # free text never shown
    assert data.activities[weekly.ACTIVITY].astype(str).tolist() == [
        "Outreach session",
        "Distribution of non-food items",
    ]


def test_missing_datasets_give_none():
    nothing = weekly_data({}, AS_OF)
    assert nothing.people is None and nothing.flights is None and nothing.activities is None
    assert weekly_tables.publish(nothing).names() == []


def test_a_week_with_no_activity_logged_yet_publishes_empty_activity_tables():
    """A run on a Monday morning: the exports end on Sunday, so the new week has no
    activity (nor flight, referral or payment) yet. Every table is still published,
    with nothing in it but zeros (regression: an empty crosstab has no total column)."""
    sunday = date(2026, 11, 29)
    truth = build_population(1200, 9, sunday, get_config())
    data = weekly_data(truth, sunday + timedelta(days=1))
    assert data.activities is not None and len(data.activities) == 0
    published = weekly_tables.publish(data)
    for name in ("activities", "activities_by_place", "activity_participants", "nfi_kits"):
        table = published.values(name)
        assert (table.fillna(0).to_numpy() == 0).all(), name


# --------------------------------------------------------------------------- the truth

RUNS = [(2000, 3), (6000, 11)]  # two sizes, two seeds
GENERATED = date(2026, 11, 24)  # a Tuesday: the week is in progress


@pytest.fixture(scope="module", params=RUNS, ids=lambda r: f"{r[0]}-seed{r[1]}")
def run(request):
    n, seed = request.param
    truth = build_population(n, seed, GENERATED, get_config())
    data = weekly_data(truth, GENERATED)
    return truth, data, weekly_tables.publish(data)


def agrees(shown: str, true: int) -> bool:
    """A published cell is the true count, or a marker true of it: "<5" is 1 to 4, "[c]"
    hides a count that is not 0 (zeros are always shown)."""
    if shown == "<5":
        return 1 <= true <= 4
    if shown == "[c]":
        return true >= 1
    return shown == f"{true:,}"


def check(published, name: str, expected: pd.DataFrame) -> None:
    table = published.table(name)
    for row in expected.index:
        for col in expected.columns:
            true = int(expected.loc[row, col])
            shown = table.loc[row, col] if row in table.index else "0"
            assert agrees(str(shown), true), (name, row, col, shown, true)


def in_days(dates: pd.Series, start: date, end: date) -> pd.Series:
    return dates.between(pd.Timestamp(start), pd.Timestamp(end)).fillna(False)


def truth_periods():
    monday = GENERATED - timedelta(days=GENERATED.weekday())
    return {
        "This week": (monday, GENERATED),
        "Same days last week": (monday - timedelta(days=7), GENERATED - timedelta(days=7)),
        "Since programme start": (get_config().thresholds.programme_start, GENERATED),
    }


def gone(truth) -> pd.DataFrame:
    cases = truth["cases"].drop_duplicates("individual_id")
    return cases[cases["case_status"] == "departed"]


def test_returns_by_period_location_type_mantika_and_flight_type(run):
    truth, data, published = run
    left = gone(truth)
    periods = truth_periods()
    totals = {
        label: int(in_days(left["departure_date"], *days).sum()) for label, days in periods.items()
    }
    check(published, "returns", pd.DataFrame(totals, index=["Migrants who returned home"]))
    for name, column, codes in (
        ("returns_by_location_type", "location_type", "location_type"),
        ("returns_by_flight_type", "flight_type", "flight_type"),
        ("returns_by_mantika", "mantika", None),
    ):
        by = left[column].map(code_labels(codes)) if codes else left[column]
        expected = pd.DataFrame(
            {
                label: by[in_days(left["departure_date"], *periods[label])].value_counts()
                for label in ("This week", "Since programme start")
            }
        ).fillna(0)
        expected.loc[TOTAL] = expected.sum()
        check(published, name, expected.astype(int))


def test_pipeline_every_status_as_individuals(run):
    truth, _, published = run
    cases = truth["cases"].drop_duplicates("individual_id")
    expected = (
        cases["case_status"].map(code_labels("case_status")).value_counts().to_frame("Individuals")
    )
    expected.loc[TOTAL] = len(cases)
    check(published, "pipeline", expected)
    assert set(code_labels("case_status").values()) <= set(published.table("pipeline").index)
    assert published.table("pipeline").columns.tolist() == ["Individuals"]


def test_case_flow_steps_this_week_and_the_same_days_before(run):
    truth, _, published = run
    cases = truth["cases"]
    periods = truth_periods()
    issued = cases["travel_document_date"].where(cases["travel_document_status"] == "issued")
    columns = {
        "Registrations": cases["registration_date"],
        "Pre-departure interviews": cases["interview_date"],
        "Vulnerability (AVM) screenings": cases["avm_screening_date"],
        "Protection clearances": cases["protection_clearance_date"],
        "Best-interests assessments": cases["bia_date"],
        "Travel documents issued": issued,
        "Fit-to-travel checks": cases["ftt_date"],
    }
    expected = pd.DataFrame(
        {
            label: {step: int(in_days(d, *periods[label]).sum()) for step, d in columns.items()}
            for label in ("This week", "Same days last week")
        }
    )
    check(published, "case_flow", expected)
    flow = weekly_tables.case_flow_table(published)
    assert flow.index[-1] == "Departures"
    assert flow.loc["Departures", "This week"] == published.cell("returns", col="This week")


def test_flights_are_exact_and_charter_and_commercial_apart(run):
    truth, data, published = run
    manifest = truth["manifest"]
    monday = GENERATED - timedelta(days=GENERATED.weekday())
    sunday, next_sunday = monday + timedelta(days=6), monday + timedelta(days=13)
    listed = manifest[in_days(manifest["flight_date"], monday, next_sunday)]
    left = gone(truth)
    left = left[in_days(left["departure_date"], monday, GENERATED) & left["manifest_id"].notna()]
    left = left[~left["manifest_id"].isin(listed["manifest_id"])]
    flights = pd.concat(
        [
            listed[["manifest_id", "flight_date", "flight_type"]].rename(
                columns={"flight_date": "day"}
            ),
            left[["manifest_id", "departure_date", "flight_type"]].rename(
                columns={"departure_date": "day"}
            ),
        ]
    ).drop_duplicates("manifest_id")
    flights["week"] = (
        flights["day"].gt(pd.Timestamp(sunday)).map({False: "This week", True: "Next week"})
    )
    expected = pd.crosstab(flights["week"], flights["flight_type"]).reindex(
        index=["This week", "Next week"], columns=["charter", "commercial"], fill_value=0
    )
    expected.columns = ["Charter flights", "Commercial bookings"]
    table = published.table("flights_by_week")
    assert table.to_numpy().tolist() == [[f"{v:,}" for v in r] for r in expected.to_numpy()]
    assert len(weekly_tables.flights_table(published)) == len(flights)


def test_referrals_activities_and_hosting(run):
    truth, _, published = run
    monday = GENERATED - timedelta(days=GENERATED.weekday())
    refs = truth["referrals"]
    recorded = refs[in_days(refs["follow_up_date"], monday, GENERATED)]
    outcomes = recorded["outcome"].map(code_labels("referral_outcome")).value_counts()
    table = published.table("referral_outcomes_by_service")
    for outcome, n in outcomes.items():
        assert agrees(table.loc[TOTAL, outcome], int(n)), outcome
    overdue = refs["follow_up_due"].lt(pd.Timestamp(GENERATED)) & refs["follow_up_date"].isna()
    assert agrees(published.cell("overdue_by_partner", TOTAL), int(overdue.sum()))

    log = truth["activities"]
    week = log[in_days(log["date"], monday, GENERATED)]
    kinds = published.table("activities")
    total = kinds.loc[TOTAL, TOTAL] if TOTAL in kinds.index else "0"
    assert total == f"{len(week):,}"  # activities are exact
    sites = {site.name: site.location_type for site in get_config().sites.sites}
    in_dc = week["location"].map(sites).eq("detention_centre")
    visits_dc = int((week["activity_type"].eq("field_visit") & in_dc).sum())
    places = published.table("activities_by_place")
    if "Field visit" in places.index and "Detention centre" in places.columns:
        assert places.loc["Field visit", "Detention centre"] == f"{visits_dc:,}"
    else:
        assert visits_dc == 0
    kits = week.loc[week["activity_type"] == "nfi_distribution", "items"].astype(float).sum()
    assert published.cell("nfi_kits", TOTAL, "Kits distributed") == f"{int(kits):,}"

    paid = truth["payments"][in_days(truth["payments"]["paid_date"], monday, GENERATED)]
    amount = published.values("payments").loc[TOTAL, "Amount (LYD)"]
    assert float(amount) == pytest.approx(paid["amount_lyd"].astype(float).sum())  # exact
    visits = truth["visits"][in_days(truth["visits"]["visit_date"], monday, GENERATED)]
    assert agrees(published.cell("visits", TOTAL, TOTAL), len(visits))


def test_returns_by_week_and_by_country(run):
    truth, data, published = run
    left = gone(truth)
    weeks = weekly.trend_weeks(GENERATED)
    starts = left["departure_date"] - pd.to_timedelta(left["departure_date"].dt.day_of_week, "D")
    names = [weekly.week_name(w, GENERATED) for w in weeks]
    per_week = starts.value_counts().reindex(weeks, fill_value=0)
    per_week.index = names
    check(published, "returns_by_week", per_week.to_frame("Returns"))
    assert names[-1].endswith("(to 24 Nov)")  # the partial week is marked
    periods = truth_periods()
    country = left["destination_country"].map(weekly.country_name)
    expected = pd.DataFrame(
        {
            label: country[in_days(left["departure_date"], *periods[label])].value_counts()
            for label in ("This week", "Since programme start")
        }
    ).fillna(0)
    expected.loc[TOTAL] = expected.sum()
    check(published, "returns_by_destination", expected.astype(int))


def test_overdue_visits_are_the_h001_findings_of_placements_hosted_today(run):
    from protection_workbench.rules import run_rules

    truth, _, published = run
    pl, day = truth["placements"], pd.Timestamp(GENERATED)
    hosted = (pl["start_date"] <= day) & (pl["end_date"].isna() | (day < pl["end_date"]))
    found = run_rules({"placements": pl, "visits": truth["visits"]}, GENERATED, codes=["H001"])
    overdue = found["record_id"].isin(pl.loc[hosted, "placement_id"]).sum()
    assert agrees(published.cell("overdue_visits", TOTAL), int(overdue))
    assert agrees(published.cell("placements", "Hosted on the report date"), int(hosted.sum()))


def test_caseload_on_the_report_date_by_where_they_stay(run):
    """Issue 22: the open cases (not departed, not cancelled) on the report date by location
    type, counted with the pipeline from one frame: the same people, protected together."""
    truth, data, published = run
    cases = truth["cases"].drop_duplicates("individual_id")
    open_cases = cases[~cases["case_status"].isin(["departed", "cancelled"])]
    expected = (
        open_cases["location_type"]
        .map(code_labels("location_type"))
        .value_counts()
        .to_frame("People")
    )
    expected.loc[TOTAL] = len(open_cases)
    check(published, "caseload_by_location_type", expected)
    table = published.table("caseload_by_location_type")
    assert set(code_labels("location_type").values()) <= set(table.index)  # all four kinds
    assert (expected.loc[TOTAL, "People"] > 0) and table.loc[TOTAL, "People"] != "0"
    # the pipeline's open statuses add up to the same caseload (both from data.people)
    pipeline = published.values("pipeline")["Individuals"]
    open_statuses = [s for s in pipeline.index if s not in ("Departed", "Cancelled", TOTAL)]
    if pipeline[open_statuses].notna().all():
        assert pipeline[open_statuses].sum() == published.value("caseload_by_location_type", TOTAL)
    assert published.title("caseload_by_location_type").startswith("Caseload on the report date")


def test_referrals_made_this_week_by_service(run):
    """Issue 22: the referrals made this week (referral date), by service, next to the same
    days of the week before."""
    truth, data, published = run
    refs = truth["referrals"]
    periods = truth_periods()
    by_service = refs["service"].map(code_labels("service"))
    expected = pd.DataFrame(
        {
            label: by_service[in_days(refs["referral_date"], *periods[label])].value_counts()
            for label in ("This week", "Same days last week")
        }
    ).fillna(0)
    expected.loc[TOTAL] = expected.sum()
    assert expected.loc[TOTAL].sum() > 0, "the generated weeks have referrals"
    check(published, "referrals_made_by_service", expected.astype(int))
    table = published.table("referrals_made_by_service")
    assert table.columns.tolist() == ["This week", "Same days last week"]
    assert set(code_labels("service").values()) <= set(table.index)


def test_departure_airports_come_from_the_manifests_or_say_there_is_none(run):
    """Issue 22: the demo manifests name their departure airport (the upcoming flights show
    it); a flight that left this week has no manifest in the exports (the generator writes
    the initial manifests of the flights to come): its airport says so instead of "Not
    recorded"."""
    truth, data, published = run
    airports = {a.name for a in get_config().sites.airports}
    flights = published.table("flights")
    listed = set(truth["manifest"]["manifest_id"])
    upcoming = flights[flights["Week"].eq("Next week").to_numpy()]
    assert len(upcoming) and set(upcoming["Departure airport"]) <= airports
    left = flights[~flights["Departure airport"].isin(airports).to_numpy()]
    assert set(left["Departure airport"]) <= {weekly.NO_MANIFEST}
    table = published.values("departures_by_airport")
    assert NOT_RECORDED not in table.index
    this_week = gone(truth)
    this_week = this_week[in_days(this_week["departure_date"], *truth_periods()["This week"])]
    without = int((~this_week["manifest_id"].isin(listed)).sum())
    assert agrees(published.cell("departures_by_airport", weekly.NO_MANIFEST, TOTAL), without)
