"""The weekly report's published tables (and the data of its charts), from
:class:`~.weekly.WeeklyFigures`.

Every value is a string as published ("<5", "1,234"): counts of people go through
:mod:`protection_workbench.publish.disclosure`, totals protected with their cells so that no
hidden cell can be worked back. Counts of flights, sessions and kits are not people and are
shown as they are. :func:`write_published_tables` writes them as CSV with an HXL hashtag row
(:data:`TABLE_TAGS`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..publish.disclosure import safe_series, show_count, suppress_table
from ..publish.tables import TOTAL, with_totals, write_tables
from .weekly import AGE_BANDS, PERIODS, SEXES, WeeklyFigures

PERIOD_NAMES = {"week": "this week", "previous": "week before", "ytd": "year to date"}
PERIOD_TAGS = {"week": "week", "previous": "previous", "ytd": "ytd"}
PIPELINE_NAMES = {
    "counselled": "counselled",
    "awaiting_documents": "awaiting travel documents",
    "awaiting_ftt": "awaiting fit-to-travel",
    "manifested": "manifested",
}
SEX_NAMES = {"F": "female", "M": "male"}

# HXL hashtags of the published tables, by table and column (index included).
TABLE_TAGS: dict[str, dict[str, str]] = {
    "returns_by_week": {
        "week": "#date+week",
        "start": "#date+start",
        "end": "#date+end",
        "returns": "#affected+returned",
    },
    "returns_by_flight_type": {
        "flight_type": "#indicator+category+flight_type",
        **{f"people {PERIOD_NAMES[p]}": f"#affected+returned+{PERIOD_TAGS[p]}" for p in PERIODS},
        **{f"flights {PERIOD_NAMES[p]}": f"#indicator+flights+{PERIOD_TAGS[p]}" for p in PERIODS},
    },
    "returns_by_destination": {
        "destination": "#country+code",
        "country": "#country+name",
        **{PERIOD_NAMES[p]: f"#affected+returned+{PERIOD_TAGS[p]}" for p in PERIODS},
    },
    **{
        f"returns_by_sex_age_{p}": {
            "age_band": "#indicator+category+age_band",
            "female": f"#affected+returned+f+{PERIOD_TAGS[p]}",
            "male": f"#affected+returned+m+{PERIOD_TAGS[p]}",
            TOTAL: f"#affected+returned+total+{PERIOD_TAGS[p]}",
        }
        for p in ("week", "ytd")
    },
    "vulnerable_returns": {
        "vulnerability": "#indicator+category+vulnerability",
        "this week": "#affected+returned+vulnerable+week",
        "year to date": "#affected+returned+vulnerable+ytd",
    },
    "pipeline": {"stage": "#status", "cases": "#affected+cases"},
    "referrals": {"service": "#sector", "referrals": "#indicator+referrals+num"},
    "activities": {"figure": "#indicator+name", "week": "#indicator+num+week"},
    "hosting": {"figure": "#indicator+name", "placements": "#indicator+num"},
}


def _named(table: pd.DataFrame, index: str) -> pd.DataFrame:
    table.index.name = index
    table.columns.name = None
    return table


def _returns_tables(fig: WeeklyFigures) -> dict[str, pd.DataFrame]:
    tables: dict[str, pd.DataFrame] = {}
    trend = fig.trend.copy()
    trend["returns"] = [show_count(n) for n in trend["returns"]]
    trend[["start", "end"]] = trend[["start", "end"]].astype(str)
    tables["returns_by_week"] = trend.set_index("week")

    flights = fig.by_flight_type
    people = with_totals(flights[[f"{p}_people" for p in PERIODS]], column=False)
    shown = suppress_table(people, row_total=TOTAL)
    shown.columns = [f"people {PERIOD_NAMES[p]}" for p in PERIODS]
    trips = with_totals(flights[[f"{p}_flights" for p in PERIODS]], column=False)
    for p in PERIODS:
        shown[f"flights {PERIOD_NAMES[p]}"] = trips[f"{p}_flights"].map("{:,}".format)
    tables["returns_by_flight_type"] = _named(shown, "flight_type")

    dest = fig.by_destination
    shown = suppress_table(with_totals(dest[list(PERIODS)], column=False), row_total=TOTAL)
    shown.columns = [PERIOD_NAMES[p] for p in PERIODS]
    shown.insert(0, "country", [*dest["name"], TOTAL])
    shown.index = [*dest.index, ""]
    tables["returns_by_destination"] = _named(shown, "destination")

    for period in ("week", "ytd"):
        table = fig.sex_age[period].loc[list(AGE_BANDS), list(SEXES)].rename(columns=SEX_NAMES)
        shown = suppress_table(with_totals(table), row_total=TOTAL, col_total=TOTAL)
        tables[f"returns_by_sex_age_{period}"] = _named(shown, "age_band")

    any_row = pd.DataFrame(
        {"week": [fig.vulnerable["week"]], "ytd": [fig.vulnerable["ytd"]]},
        index=["any vulnerability"],
    )
    vulnerable = pd.concat([any_row, fig.by_vulnerability]).astype(int)
    shown = suppress_table(vulnerable)
    shown.columns = [PERIOD_NAMES[c] for c in vulnerable.columns]
    tables["vulnerable_returns"] = _named(shown, "vulnerability")

    pipeline = pd.Series(fig.pipeline).rename(index=PIPELINE_NAMES)
    tables["pipeline"] = _named(safe_series(pipeline).to_frame("cases"), "stage")
    return tables


def summary_tables(fig: WeeklyFigures) -> dict[str, pd.DataFrame]:
    """The published tables (the figures behind each chart), small cells suppressed.

    Every value is a string as published ("<5", "1,234"); totals are protected so that no
    hidden cell can be worked back. Counts of flights, sessions and kits are not people and
    are shown as they are. Only tables whose dataset is present are returned. Returnees
    whose sex or age is not recorded are left out of the sex and age tables.
    """
    tables: dict[str, pd.DataFrame] = {}
    if fig.returns is not None:
        tables.update(_returns_tables(fig))
    if fig.referrals_week is not None:
        services = fig.referrals_by_service.copy()
        services[TOTAL] = int(fig.referrals_week)
        shown = safe_series(services.astype(int), total=TOTAL)
        overdue = pd.Series({"overdue on as-of date": show_count(fig.referrals_overdue)})
        tables["referrals"] = _named(pd.concat([shown, overdue]).to_frame("referrals"), "service")
    if fig.outreach_sessions is not None:
        people = pd.Series(fig.participants, dtype=int)
        people[TOTAL] = int(people.sum())
        shown = safe_series(people, total=TOTAL)
        shown.index = [f"participants {k}" for k in ("women", "men", "children", "total")]
        exact = pd.Series(
            {
                "outreach sessions": f"{fig.outreach_sessions:,}",
                "NFI distributions": f"{fig.nfi_distributions:,}",
                "NFI kits": f"{fig.nfi_kits:,}",
            }
        )
        table = pd.concat([exact.iloc[:1], shown, exact.iloc[1:]]).to_frame("week")
        tables["activities"] = _named(table, "figure")
    if fig.hosting is not None:
        hosting = pd.Series(
            {
                "active placements on as-of date": show_count(fig.hosting["active"]),
                "new placements this week": show_count(fig.hosting["new"]),
                "exits this week": show_count(fig.hosting["exits"]),
            }
        )
        tables["hosting"] = _named(hosting.to_frame("placements"), "figure")
    return tables


# The tables shown together at the end of the report, with their titles.
OTHER_TABLES = {
    "vulnerable_returns": "Vulnerable cases assisted to return",
    "pipeline": "Pipeline on the as-of date",
    "referrals": "Referrals made this week, by service",
    "activities": "Outreach and NFI distributions this week",
    "hosting": "Community hosting",
}


def write_published_tables(tables: dict[str, pd.DataFrame], folder: str | Path) -> list[Path]:
    """Write each published table as ``<name>.csv`` with its HXL hashtag row into ``folder``."""
    return write_tables(tables, folder, TABLE_TAGS, index=True)


# --------------------------------------------------------------------------- charts


def trend_chart(fig: WeeklyFigures) -> pd.Series:
    """Returns per ISO week of the trend (exact: the chart protects them)."""
    return fig.trend.set_index("week")["returns"]


def destination_chart(fig: WeeklyFigures, top: int = 10) -> dict[str, pd.Series]:
    """The ``top`` destinations by returns this week and this year (country names as
    labels, exact counts), as the panels of one chart."""
    panels = {}
    for column, title in (("week", "This week"), ("ytd", "Year to date")):
        ranked = fig.by_destination.sort_values(column, ascending=False, kind="stable")
        ranked = ranked[ranked[column] > 0].head(top)
        panels[title] = ranked.set_index("name")[column].rename("returns")
    return panels


def sex_age_chart(fig: WeeklyFigures) -> dict[str, pd.DataFrame]:
    """Returns by age band (rows) and sex (columns female, male), this week and this year."""
    return {
        title: fig.sex_age[period].loc[list(AGE_BANDS), list(SEXES)].rename(columns=SEX_NAMES)
        for period, title in (("week", "This week"), ("ytd", "Year to date"))
    }
