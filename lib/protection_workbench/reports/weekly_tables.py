"""The weekly report's one protected table set, and what the notebook shows from it.

:func:`table_set` declares every table of the report from the records of
:class:`~.weekly.WeeklyData`; :func:`publish` protects them once. Every number the report
shows — table cells, chart bars and labels, numbers in sentences, the published CSV
tables — is read from that :class:`~protection_workbench.publish.protected.Published`.

Counts of people (returnees, individuals, referrals, visits, passengers, participants) are
protected; the tables counted from the same records are protected together. Flights,
activities, NFI kits and money are not counts of people: they are exact.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..publish import hxl
from ..publish.protected import Published, TableSet, write_summary
from ..publish.tables import TOTAL, write_tables
from .weekly import (
    ACTIVITY,
    AGE,
    AGE_GROUP,
    AIRPORT,
    CHANGE,
    COMPLIANCE,
    DEPARTURES,
    DESTINATION,
    EVENT,
    FLIGHT,
    FLIGHT_TYPE,
    FOLLOW_UP,
    LOCATION_NOW,
    LOCATION_TYPE,
    MANTIKA,
    OPEN,
    OUTCOME,
    PARTNER,
    PERIOD,
    PLACE,
    SERVICE,
    SEX,
    STATUS,
    VISIT_TYPE,
    VULNERABILITY,
    WEEK,
    WeeklyData,
    period_names,
)

PREFIX = "weekly_"  # of the published tables' file names in the run's tables folder
CHARTER, COMMERCIAL = "Charter flight", "Commercial booking"
FLIGHT_COLUMNS = {CHARTER: "Charter flights", COMMERCIAL: "Commercial bookings"}
PARTICIPANTS = {
    "participants_f": "Women and girls",
    "participants_m": "Men and boys",
    "participants_children": "Children",
}
ISSUES = ("Minor issue", "Major issue")

# The heading of each table's rows (what its row labels are), by table.
ROW_HEADINGS = {
    "returns": "",
    "returns_by_week": WEEK,
    "returns_by_flight_type": FLIGHT_TYPE,
    "departed_flights": FLIGHT_TYPE,
    "returns_by_location_type": LOCATION_TYPE,
    "returns_by_mantika": "Departing mantika",
    "returns_by_destination": DESTINATION,
    "returns_by_age_group": AGE_GROUP,
    "returns_by_sex_age": AGE,
    "returns_by_sex_age_programme": AGE,
    "returns_vulnerable": "",
    "returns_by_vulnerability": VULNERABILITY,
    "flights": "",
    "flight_passengers": FLIGHT,
    "flights_by_week": "Week",
    "departures_by_airport": AIRPORT,
    "case_flow": EVENT,
    "pipeline": STATUS,
    "caseload_by_location_type": LOCATION_TYPE,
    "referrals_made_by_service": SERVICE,
    "referral_outcomes_by_service": SERVICE,
    "referral_outcomes_by_partner": PARTNER,
    "overdue_by_partner": PARTNER,
    "overdue_by_service": SERVICE,
    "activities": MANTIKA,
    "activities_by_place": ACTIVITY,
    "activity_participants": ACTIVITY,
    "nfi_kits": MANTIKA,
    "placements": CHANGE,
    "visits": VISIT_TYPE,
    "compliance_issues": COMPLIANCE,
    "overdue_visits": MANTIKA,
    "payments": MANTIKA,
}


def _returns_tables(ts: TableSet, data: WeeklyData) -> None:
    """Every table of returnees, from the one frame of departures (protected together)."""
    names = period_names(data)
    r = data.people
    week, previous, programme = (data.returns_in(p) for p in ("week", "previous", "programme"))
    two = {names["week"]: week, names["programme"]: programme}
    ts.count(
        "returns",
        r,
        cols={names["week"]: week, names["previous"]: previous, names["programme"]: programme},
        value_name="Migrants who returned home",
        title="Returns",
    )
    ts.count("returns_by_week", r, rows=WEEK, value_name="Returns", title="Returns by week")
    ts.count("returns_by_flight_type", r, rows=FLIGHT_TYPE, cols=two, totals=True,
             title="Returns by flight type")  # fmt: skip
    ts.count("returns_by_location_type", r, rows=LOCATION_TYPE, cols=two, totals=True,
             title="Returns by where the returnees stayed in Libya")  # fmt: skip
    ts.count("returns_by_mantika", r, rows=MANTIKA, cols=two, totals=True,
             title="Returns by departing mantika")  # fmt: skip
    ts.count("returns_by_destination", r, rows=DESTINATION, cols=two, totals=True,
             title="Returns by country of return")  # fmt: skip
    ts.count("returns_by_age_group", r, rows=AGE_GROUP, cols=two, title="Children and adults")
    ts.count("returns_by_sex_age", r, rows=AGE, cols=SEX, where=week, totals=True,
             title=f"Returns by age group and sex, {names['week'].lower()}")  # fmt: skip
    ts.count("returns_by_sex_age_programme", r, rows=AGE, cols=SEX, where=programme,
             totals=True, title=f"Returns by age group and sex, {names['programme'].lower()}")  # fmt: skip
    vulnerable = r["vulnerabilities"].notna().to_numpy(dtype=bool)
    ts.count(
        "returns_vulnerable",
        r,
        cols={names["week"]: week & vulnerable, names["programme"]: programme & vulnerable},
        value_name="Returnees with a recorded vulnerability",
        title="Vulnerable returnees",
    )
    ts.count("departures_by_airport", r, rows=AIRPORT, cols=FLIGHT_TYPE, where=week,
             totals=True, title="Departures this week by departure airport")  # fmt: skip
    v = data.vulnerabilities
    dates = v["departure_date"]
    ts.count(
        "returns_by_vulnerability",
        v,
        rows=VULNERABILITY,
        cols={names[p]: data.periods[p].contains(dates) for p in ("week", "programme")},
        title="Vulnerabilities of the returnees (a person may have several)",
    )
    # The flights the week's returnees left on: flights, not people (exact).
    gone = r[week & r["manifest_id"].notna().to_numpy(dtype=bool)]
    flights = gone.drop_duplicates("manifest_id")[FLIGHT_TYPE].astype(str).value_counts()
    ts.add(
        "departed_flights",
        pd.DataFrame({"Flights": flights.reindex([CHARTER, COMMERCIAL], fill_value=0)}),
        title="Flights that departed this week",
    )


def _flight_tables(ts: TableSet, data: WeeklyData) -> None:
    flights = data.flights
    ts.add("flights", flights.set_index(FLIGHT), title="Flights this week and next week")
    ts.count("flight_passengers", data.passengers, rows=FLIGHT, value_name="Passengers",
             title="Passengers per flight")  # fmt: skip
    kinds = pd.crosstab(flights["Week"], flights[FLIGHT_TYPE])
    kinds = kinds.reindex(index=["This week", "Next week"], columns=list(FLIGHT_COLUMNS))
    ts.add("flights_by_week", kinds.fillna(0).astype(int).rename(columns=FLIGHT_COLUMNS),
           title="Charter flights and commercial bookings")  # fmt: skip


def _referral_tables(ts: TableSet, data: WeeklyData) -> None:
    out, overdue, made = data.referral_outcomes, data.overdue_referrals, data.referrals_made
    names = period_names(data)
    ts.count("referrals_made_by_service", made, rows=SERVICE, totals=True,
             cols={names[p]: made[p].to_numpy(dtype=bool) for p in ("week", "previous")},
             title="Referrals made this week, by service")  # fmt: skip
    ts.count("referral_outcomes_by_service", out, rows=SERVICE, cols=OUTCOME, totals=True,
             title="Referral outcomes recorded this week, by service")  # fmt: skip
    ts.count("referral_outcomes_by_partner", out, rows=PARTNER, cols=OUTCOME, totals=True,
             title="Referral outcomes recorded this week, by partner")  # fmt: skip
    ts.count("overdue_by_partner", overdue, rows=PARTNER, totals=True,
             value_name="Overdue follow-ups", title="Overdue follow-ups by partner")  # fmt: skip
    ts.count("overdue_by_service", overdue, rows=SERVICE, totals=True,
             value_name="Overdue follow-ups", title="Overdue follow-ups by service")  # fmt: skip


def _activity_tables(ts: TableSet, data: WeeklyData) -> None:
    log = data.activities
    kinds = pd.crosstab(log[MANTIKA], log[ACTIVITY], margins=True, margins_name=TOTAL)
    kinds = kinds.reindex(columns=[*log[ACTIVITY].cat.categories, TOTAL], fill_value=0)
    kinds.index.name = kinds.columns.name = None
    ts.add("activities", kinds.astype(int), title="Activities of the week by mantika")
    places = pd.crosstab(log[ACTIVITY], log[PLACE], margins=True, margins_name=TOTAL)
    # (a week with no activity logged yet gives an empty table, without margins)
    places = places.drop(columns=TOTAL, errors="ignore").loc[lambda t: t.index != TOTAL]
    places.index, places.columns.name = places.index.astype(str), None
    ts.add("activities_by_place", places.astype(int),
           title="Activities of the week by kind of place (field visits to detention centres "
           "included)")  # fmt: skip
    people = log.groupby(ACTIVITY, observed=False)[list(PARTICIPANTS)].sum()
    people = people[people.sum(axis=1) > 0].rename(columns=PARTICIPANTS).astype(int)
    people.index = people.index.astype(str)
    if len(people):
        people.loc[TOTAL] = people.sum()
    ts.add("activity_participants", people, people=True,
           title="Participants reached this week (children are among the women and men)")  # fmt: skip
    nfi = log[log[ACTIVITY].astype(str).eq("Distribution of non-food items").to_numpy()]
    kits = nfi.groupby(MANTIKA)["items"].agg(["size", "sum"])
    kits.columns = ["Distributions", "Kits distributed"]
    kits.loc[TOTAL] = kits.sum()
    ts.add("nfi_kits", kits.astype(int), title="Non-food item (NFI) kits distributed this week")


def _hosting_tables(ts: TableSet, data: WeeklyData) -> None:
    if data.placements is not None:
        ts.count("placements", data.placements, rows=CHANGE, value_name="People",
                 title="Community hosting placements")  # fmt: skip
    if data.payments is not None:
        pay = data.payments.groupby(MANTIKA)["amount_lyd"].agg(["size", "sum"])
        pay.columns = ["Payments", "Amount (LYD)"]
        pay.loc[TOTAL] = pay.sum()
        pay["Payments"] = pay["Payments"].astype(int)
        pay["Amount (LYD)"] = pay["Amount (LYD)"].round(2)
        ts.add("payments", pay, title="Payments to hosts made this week (LYD)")
    if data.visits is not None:
        v = data.visits
        ts.count("visits", v, rows=VISIT_TYPE, cols=COMPLIANCE, totals=True,
                 title="Monitoring visits this week")  # fmt: skip
        issue = v[COMPLIANCE].astype(str).isin(ISSUES).to_numpy()
        found = v[COMPLIANCE].cat.set_categories([c for c in v[COMPLIANCE].cat.categories
                                                   if c in ISSUES])  # fmt: skip
        ts.count("compliance_issues", v.assign(**{COMPLIANCE: found}), rows=COMPLIANCE,
                 cols=FOLLOW_UP, where=issue, totals=True,
                 title="Compliance issues found this week")  # fmt: skip
    if data.visit_flags is not None:
        f = data.visit_flags
        ts.count("overdue_visits", f, rows=MANTIKA, where=f["overdue"].to_numpy(), totals=True,
                 value_name="Overdue visits", title="Placements whose monitoring visit is overdue")  # fmt: skip


def table_set(data: WeeklyData) -> TableSet:
    """Every table of the weekly report, declared once (only those whose data are present)."""
    ts = TableSet()
    if data.people is not None:
        _returns_tables(ts, data)
        ts.count("pipeline", data.people, rows=STATUS, totals=True, value_name="Individuals",
                 title="Individuals by status on the report date")  # fmt: skip
        # the same frame as the pipeline and the returns: protected together with them
        ts.count("caseload_by_location_type", data.people, rows=LOCATION_NOW, totals=True,
                 where=data.people[OPEN].to_numpy(dtype=bool), value_name="People",
                 title="Caseload on the report date by where they stay (everyone not "
                 "departed or cancelled)")  # fmt: skip
        ts.count("case_flow", data.steps, rows=EVENT, cols=PERIOD,
                 title="Case flow: steps recorded in the case records")  # fmt: skip
    if data.flights is not None:
        _flight_tables(ts, data)
    if data.referral_outcomes is not None:
        _referral_tables(ts, data)
    if data.activities is not None:
        _activity_tables(ts, data)
    _hosting_tables(ts, data)
    return ts


def publish(data: WeeklyData) -> Published:
    """The weekly report's protected tables: counted, suppressed and audited once."""
    return table_set(data).protect()


# --------------------------------------------------------------------------- shown


def shown(published: Published, name: str) -> pd.DataFrame:
    """A published table as the page shows it: display strings, its rows headed."""
    table = published.table(name).copy()
    table.index.name = ROW_HEADINGS.get(name) or None
    table.columns.name = None
    return table


def case_flow_table(published: Published) -> pd.DataFrame:
    """The steps of the week and of the week before, ending with the departures (the
    returns table's cells: they are the same people)."""
    flow = shown(published, "case_flow")
    departures = published.table("returns").loc[:, list(flow.columns)]
    departures.index = [DEPARTURES]
    return pd.concat([flow, departures])


def flights_table(published: Published) -> pd.DataFrame:
    """This week's and next week's flights, one row each, with their passengers."""
    flights = published.table("flights").copy()
    flights["Passengers"] = shown(published, "flight_passengers").iloc[:, 0]
    flights.index.name = FLIGHT
    return flights


def chart_column(
    published: Published, name: str, column: str | None = None, ranked: bool = False
) -> pd.Series:
    """One column of a published table for a bar chart (display strings, the Total row
    left out): the chart draws what the table publishes and labels hidden bars with their
    markers. ``ranked``: most first by the published numbers, rows of 0 left out."""
    table = shown(published, name).drop(index=TOTAL, errors="ignore")
    values = table[column] if column else table.iloc[:, 0]
    if ranked:
        numbers = published.values(name).drop(index=TOTAL, errors="ignore")[values.name]
        values = values[values.ne("0")]
        order = numbers.reindex(values.index).astype("Float64").fillna(0)
        values = values.loc[order.sort_values(ascending=False, kind="stable").index]
    return values


def drawable(values: pd.Series | pd.DataFrame) -> bool:
    """Whether a chart of these published strings would draw a bar: some value is a
    number above 0 (a chart of hidden or zero values only is left out)."""
    frame = values.to_frame() if isinstance(values, pd.Series) else values
    return bool((as_numbers(frame) > 0).any().any())


def sex_age_chart(published: Published, name: str) -> pd.DataFrame:
    """Age groups (rows) by female and male (columns) of a published sex and age table,
    without its totals: what the chart draws is what the table shows."""
    table = shown(published, name).drop(index=TOTAL, errors="ignore")
    return table[[c for c in ("Female", "Male") if c in table.columns]]


def top_rows(table: pd.DataFrame, column: str, published_values: pd.DataFrame) -> pd.DataFrame:
    """``table`` (published strings) ordered by the published numbers of ``column``, most
    first, hidden values last; the Total row stays at the end."""
    body = published_values.drop(index=TOTAL, errors="ignore")[column]
    order = body.astype("Float64").fillna(-1).sort_values(ascending=False, kind="stable").index
    rest = [TOTAL] if TOTAL in table.index else []
    return table.loc[[*order, *rest]]


def hxl_tags(published: Published, name: str, table: pd.DataFrame) -> dict[str, str]:
    """HXL hashtags of a published table, all from the HXL dictionary
    (:func:`protection_workbench.publish.hxl.table_tags`): counts of people ``#reached+ind``
    (``+f``, ``+m``, ``+children`` from their headings), other numbers ``#indicator+num``,
    amounts ``#value``, row headings by what they hold (``#adm1+name`` ...)."""
    people = [c for c in table.columns if published.people(name) or c == "Passengers"]
    return hxl.table_tags(table, people=people)


def csv_tables(published: Published) -> dict[str, pd.DataFrame]:
    """The published tables as written to CSV (the flights with their passengers)."""
    names = [n for n in published.names() if n not in ("flights", "flight_passengers")]
    tables = {n: shown(published, n) for n in names}
    if "flights" in published.names():
        tables["flights"] = flights_table(published)
    for table in tables.values():
        if not table.index.name:
            table.index.name = "row"
    return tables


def write_published_tables(published: Published, folder: str | Path) -> list[Path]:
    """Write every published table as ``weekly_<name>.csv`` with an HXL hashtag row,
    numbers as plain numbers (markers as they are), and ``weekly_disclosure.json``: the
    share of cells and people hidden, which the weekly run copies into run.json."""
    tables = csv_tables(published)
    tags = {name: hxl_tags(published, name, t) for name, t in tables.items()}
    written = write_tables(tables, folder, tags, prefix=PREFIX, index=True, thousands=False)
    write_summary(published, folder, prefix=PREFIX)
    return written


def as_numbers(table: pd.DataFrame) -> pd.DataFrame:
    """Published strings as numbers (markers as missing): for tests and charts."""
    text = table.astype(str).apply(lambda c: c.str.replace(",", "", regex=False))
    return text.apply(lambda c: pd.to_numeric(c.where(c.str.fullmatch(r"\d+(\.\d+)?")),
                                              errors="coerce"))  # fmt: skip
