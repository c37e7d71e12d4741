"""Figures and published tables of the period report (notebooks/period_report.ipynb).

A donor reads a month, a quarter or a project's whole life against the project's logframe
(``config/indicators.yaml``): :func:`period_report` evaluates every indicator
(:func:`protection_workbench.indicators.evaluate`) and builds, once, every table the
report shows, already protected: counts of people from 1 to 4 are "<5", a cell hidden only
to protect another is "[c]" (:mod:`protection_workbench.publish.disclosure`), percentages
are not computed from hidden counts. Charts and sentences read these tables only.
Counts that are not of people (kits, sessions, visits, payments, flights) are exact.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..dates import period_label
from ..indicators import (
    DIMENSION_NAMES,
    NOT_RECORDED,
    PERIOD_NOTES_FILE,
    IndicatorResult,
    IndicatorSettings,
    PeriodEvaluation,
    evaluate,
    get_indicators,
    highlight_files,
    restrict_to_locations,
)
from ..publish.disclosure import (
    NOT_SHOWN,
    is_marker,
    percent_table,
    show_count,
    show_percent,
    suppress_table,
)
from ..publish.html import esc_markdown
from ..publish.labels import OTHER, code_labels, known_labels
from ..publish.notes import read_notes, render_markdown
from ..publish.tables import TOTAL, with_totals
from ..rules.hosting import active_on
from .weekly import AGE_BANDS, country_name

TREND_MONTHS = 12
COLUMNS = (
    "Code",
    "Indicator",
    "Baseline",
    "Target",
    "This period",
    "Since project start",
    "% of target",
    "Status",
)


@dataclass
class PeriodReport:
    """Everything the period report shows: the evaluation and its published tables."""

    evaluation: PeriodEvaluation
    label: str  # "July–September 2026 (2026-Q3)"
    indicators: pd.DataFrame  # the indicator table (published strings)
    breakdowns: dict[str, dict[str, pd.DataFrame]]  # code -> dimension title -> table
    monthly: pd.DataFrame  # month x indicator code (published strings)
    monthly_counts: dict[str, pd.DataFrame]  # unit -> month x code, exact (for charts)
    activity: dict[str, pd.DataFrame] = field(default_factory=dict)  # title -> table
    min_cell: int = 5


# --------------------------------------------------------------------------- formatting


def _number(value: float | None, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return NOT_SHOWN
    return f"{value:,.{digits}f}"


def _count(res: IndicatorResult, value: float | None, m: int) -> str:
    """A count as published: people through disclosure control, other units exact."""
    if value is None:
        return NOT_SHOWN
    return show_count(int(round(value)), m) if res.computation.people else _number(value)


def _share(res: IndicatorResult, met: int | None, n: int | None, m: int) -> str:
    if not n:
        return NOT_SHOWN
    if res.computation.people or n < m:
        return show_percent(met, n, m)
    return f"{100 * met / n:,.0f} %"


def _cumulative_share(res: IndicatorResult) -> tuple[int, int]:
    if res.monthly.empty:
        return 0, 0
    return int(res.monthly["met"].sum()), int(res.monthly["n"].sum())


def _target(res: IndicatorResult) -> str:
    ind = res.indicator
    text = f"{ind.target:,.0f} %" if ind.is_share else f"{ind.target:,.0f}"
    if res.period_target is not None:
        per = f"{res.period_target:,.0f} %" if ind.is_share else f"{res.period_target:,.0f}"
        text = f"{per} in this period ({text} in all)"
    return text


def _percent_of_target(res: IndicatorResult, shown: str) -> str:
    """% of target, unless it would reveal a hidden count."""
    if res.percent_of_target is None or is_marker(shown) or shown == NOT_SHOWN:
        return NOT_SHOWN
    return f"{res.percent_of_target:,.0f} %"


def indicator_row(res: IndicatorResult, m: int) -> dict[str, str]:
    ind = res.indicator
    baseline = f"{ind.baseline:,.0f} %" if ind.is_share else f"{ind.baseline:,.0f}"
    if not res.available:
        value = cumulative = pct = "not available (dataset not in the exports)"
        status = "No data"
    elif ind.is_share:
        value = _share(res, res.numerator, res.denominator, m)
        cumulative = _share(res, *_cumulative_share(res), m)
        pct = _percent_of_target(res, value)
        status = res.status if value != NOT_SHOWN else "No data"
    else:
        value = _count(res, res.value, m)
        cumulative = _count(res, res.cumulative, m)
        # % of the project target is of the cumulative value, of a period target of the period
        pct = _percent_of_target(res, value if res.period_target else cumulative)
        status = res.status
    return dict(
        zip(
            COLUMNS,
            (ind.code, ind.statement, baseline, _target(res), value, cumulative, pct, status),
            strict=True,
        )
    )


def indicator_table(ev: PeriodEvaluation, m: int) -> pd.DataFrame:
    """The logframe table: one row per indicator, every value published."""
    rows = [indicator_row(res, m) for res in ev.results]
    return pd.DataFrame(rows, columns=list(COLUMNS)).astype(str)


# --------------------------------------------------------------------------- breakdowns


def breakdown_table(res: IndicatorResult, dimension: str, m: int) -> pd.DataFrame:
    """One disaggregation of an indicator, protected: counts of the period and since the
    project's start with totals; for shares, met / not met / all and the share."""
    period, since = res.by[dimension], res.by_cumulative[dimension]
    groups = _ordered(since.index.union(period.index), dimension)
    name = DIMENSION_NAMES[dimension]
    if res.indicator.is_share:
        met = period["met"].reindex(groups, fill_value=0)
        n = period["n"].reindex(groups, fill_value=0)
        counts = pd.DataFrame({"Yes": met, "No": n - met}, index=groups)
        counts = with_totals(counts, label=TOTAL).rename(columns={TOTAL: "All"})
        shown = suppress_table(counts, m, row_total=TOTAL, col_total="All")
        shares = percent_table(counts, m, row_total=TOTAL, col_total="All", of="row")
        shown["Share"] = shares["Yes"]
        shown.index.name = name
        return shown.rename(columns={"Yes": "Met", "No": "Not met", "All": "All (this period)"})
    counts = pd.DataFrame(
        {
            "This period": period["value"].reindex(groups, fill_value=0),
            "Since project start": since["value"].reindex(groups, fill_value=0),
        },
        index=groups,
    )
    counts = with_totals(counts, column=False)
    if dimension == "vulnerability":
        # one person may have several: the groups do not add up to the people counted
        counts = counts.drop(index=TOTAL)
        shown = pd.concat([suppress_table(counts[[c]], m) for c in counts.columns], axis=1).astype(
            str
        )
    else:
        shown = pd.concat(
            [suppress_table(counts[[c]], m, row_total=TOTAL) for c in counts.columns], axis=1
        ).astype(str)
    shown.index.name = name
    return shown


def _ordered(groups: pd.Index, dimension: str) -> pd.Index:
    """Age groups youngest first, other groups alphabetically; "Not recorded" and "Other /
    unrecognised" last."""
    last = [g for g in (OTHER, NOT_RECORDED) if g in groups]
    rest = [g for g in groups if g not in last]
    if dimension == "age_band":
        rest = [b for b in AGE_BANDS if b in rest]
    return pd.Index(sorted(rest) if dimension != "age_band" else rest + [], dtype=object).append(
        pd.Index(last, dtype=object)
    )


def breakdowns(ev: PeriodEvaluation, m: int) -> dict[str, dict[str, pd.DataFrame]]:
    return {
        res.indicator.code: {
            DIMENSION_NAMES[dim]: breakdown_table(res, dim, m)
            for dim in res.indicator.disaggregations
        }
        for res in ev.results
        if res.available and res.by
    }


# --------------------------------------------------------------------------- months


def monthly_tables(ev: PeriodEvaluation, m: int) -> tuple[pd.DataFrame, dict[str, pd.DataFrame]]:
    """The last (up to) 12 months of each indicator to the period's end: published strings
    (month x code), and the exact values by unit for the charts (which protect people)."""
    published: dict[str, pd.Series] = {}
    exact: dict[str, dict[str, pd.Series]] = {}
    for res in ev.results:
        if not res.available or res.monthly.empty:
            continue
        months = res.monthly.tail(TREND_MONTHS)
        code = res.indicator.code
        if res.indicator.is_share:
            shares = [
                _share(res, int(a), int(b), m)
                for a, b in zip(months["met"], months["n"], strict=True)
            ]
            published[code] = pd.Series(shares, index=months.index)
            share = (100 * months["met"] / months["n"].replace(0, np.nan)).where(months["n"] >= m)
            exact.setdefault("percent", {})[code] = share
        else:
            values = months["value"]
            published[code] = pd.Series([_count(res, v, m) for v in values], index=months.index)
            exact.setdefault(res.indicator.unit, {})[code] = values
    table = pd.DataFrame(published)
    table.index = [_month_name(i) for i in table.index]
    table.index.name = "Month"
    charts = {}
    for unit, columns in exact.items():
        frame = pd.DataFrame(columns)
        frame.index = [_month_name(i) for i in frame.index]
        charts[unit] = frame
    return table, charts


def _month_name(period: str) -> str:
    return f"{pd.Period(period, freq='M'):%b %Y}"


# --------------------------------------------------------------------------- the period's work


def _in(frame: pd.DataFrame, column: str, start: date, end: date) -> pd.DataFrame:
    keep = frame[column].between(pd.Timestamp(start), pd.Timestamp(end)).fillna(False)
    return frame[keep.to_numpy(dtype=bool)]


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string")


def activity_tables(
    frames: dict[str, pd.DataFrame], start: date, end: date, m: int, cfg: Config
) -> dict[str, pd.DataFrame]:
    """Flights and returns, activities and community hosting in the period, protected."""
    out: dict[str, pd.DataFrame] = {}
    if "cases" in frames:
        cases = frames["cases"]
        gone = cases[_text(cases["case_status"]).eq("departed").fillna(False).to_numpy()]
        gone = _in(gone.drop_duplicates("individual_id"), "departure_date", start, end)
        flight = (
            _text(gone["flight_type"]).map(code_labels("flight_type", cfg)).fillna("Not recorded")
        )
        by_type = pd.DataFrame(
            {
                "People who returned": gone.groupby(flight.to_numpy()).size(),
                "Flights": gone.groupby(flight.to_numpy())["manifest_id"].nunique(),
            }
        )
        if len(by_type):
            people = with_totals(by_type[["People who returned"]], column=False)
            shown = suppress_table(people, m, row_total=TOTAL)
            shown["Flights or bookings"] = with_totals(by_type[["Flights"]], column=False)[
                "Flights"
            ].map("{:,}".format)
            shown.index.name = "Flight type"
            out["Returns by flight type"] = shown
        dest = known_labels(gone["destination_country"], "destination_country", cfg=cfg)
        dest = dest.map({v: country_name(v) for v in dest.dropna().unique()}).fillna("Not recorded")
        counts = dest.value_counts()
        if len(counts):
            top = counts.head(10)
            rest = int(counts.iloc[10:].sum())
            if rest:
                top = pd.concat([top, pd.Series({"All other countries": rest})])
            table = with_totals(top.to_frame("People who returned"), column=False)
            shown = suppress_table(table, m, row_total=TOTAL)
            shown.index.name = "Country of return"
            out["Returns by country of return (the ten main ones)"] = shown
    if "activities" in frames:
        acts = _in(frames["activities"], "date", start, end)
        kind = (
            _text(acts["activity_type"])
            .map(code_labels("activity_type", cfg))
            .fillna("Other / unrecognised")
        )
        grouped = acts.groupby(kind.to_numpy())
        table = pd.DataFrame(
            {
                "Activities": grouped.size(),
                "Women and girls": grouped["participants_f"].sum(),
                "Men and boys": grouped["participants_m"].sum(),
                "Of whom children": grouped["participants_children"].sum(),
                "Items handed out": grouped["items"].sum(),
            }
        ).fillna(0)
        if len(table):
            table = with_totals(table.astype(int), column=False)
            people = ["Women and girls", "Men and boys", "Of whom children"]
            shown = table.map("{:,}".format).astype(str)
            for column in people:
                shown[column] = suppress_table(table[[column]], m, row_total=TOTAL)[column]
            shown.index.name = "Activity"
            out["Field activities"] = shown
    if {"placements", "visits"} <= set(frames):
        pl, visits = frames["placements"], frames["visits"]
        started = len(_in(pl, "start_date", start, end))
        ended = len(_in(pl, "end_date", start, end))
        active = int(active_on(pl, pd.Timestamp(end)).sum())
        hosting = pd.DataFrame(
            {
                "Placements": [
                    show_count(started, m),
                    show_count(ended, m),
                    show_count(active, m),
                ]
            },
            index=["Started in the period", "Ended in the period", "Active on the last day"],
        )
        hosting.index.name = "Community hosting"
        out["Community hosting placements"] = hosting
        v = _in(visits, "visit_date", start, end)
        comp = _text(v["compliance"]).map(code_labels("compliance", cfg)).fillna("Not recorded")
        table = comp.value_counts().to_frame("Monitoring visits")
        if len(table):
            table = with_totals(table, column=False)
            shown = table.map("{:,}".format).astype(str)
            shown.index.name = "What the visit found"
            out["Monitoring visits"] = shown
    if "payments" in frames:
        pay = _in(frames["payments"], "paid_date", start, end)
        out["Payments to hosts"] = pd.DataFrame(
            {
                "Value": [
                    f"{len(pay):,}",
                    f"{_text(pay['host_id']).nunique():,}",
                    f"{pay['amount_lyd'].sum():,.0f}",
                ]
            },
            index=["Payments made", "Hosts paid", "Amount paid (LYD)"],
        ).rename_axis("Payments")
    return out


# --------------------------------------------------------------------------- the report


def period_report(
    frames: dict[str, pd.DataFrame],
    start: date,
    end: date,
    project: str | None = None,
    cfg: Config | None = None,
    settings: IndicatorSettings | None = None,
) -> PeriodReport:
    """Evaluate ``project`` (the first of config/indicators.yaml when empty) over
    ``start``..``end`` and build every published table of the report."""
    cfg = cfg or get_config()
    settings = settings or get_indicators()
    chosen = settings.project(project)
    m = cfg.thresholds.min_cell
    ev = evaluate(chosen, frames, start, end, cfg, settings)
    monthly, counts = monthly_tables(ev, m)
    activity = {}
    if ev.window is not None:
        activity = activity_tables(restrict_to_locations(frames, chosen), *ev.window, m, cfg)
    return PeriodReport(
        evaluation=ev,
        label=period_label(start, end),
        indicators=indicator_table(ev, m),
        breakdowns=breakdowns(ev, m),
        monthly=monthly,
        monthly_counts=counts,
        activity=activity,
        min_cell=m,
    )


def project_summary(report: PeriodReport) -> str:
    """The Markdown block under the title: period, project, donor, dates and locations
    (the run's header above the page gives the as-of date, the data sources and the run)."""
    project = report.evaluation.project
    where = "all mantikas" if project.all_locations else ", ".join(project.locations)
    lines = [
        f"**Reporting period** {esc_markdown(report.label)}  ",
        f"**Project** {esc_markdown(project.name)}  ",
        f"**Donor** {esc_markdown(project.donor)}  ",
        f"**Project dates** {project.start:%d %B %Y} to {project.end:%d %B %Y}  ",
        f"**Programme locations** {esc_markdown(where)}",
    ]
    if report.evaluation.note:
        lines += ["", f"**Note.** {esc_markdown(report.evaluation.note)}"]
    return "\n".join(lines)


def status_sentence(report: PeriodReport) -> str:
    """How many indicators are on track, behind, ahead (statuses, not counts of people)."""
    statuses = report.indicators["Status"].value_counts()
    parts = [f"{n} {s.lower()}" for s, n in statuses.items()]
    return f"Of the {len(report.indicators)} indicators: " + ", ".join(parts) + "."


# --------------------------------------------------------------------------- analysts' notes


def notes_html(data_dir: str | Path, notes_file: str | Path | None = None) -> str | None:
    """The analysts' narrative for the period (``notes_file``, else ``period_notes.md`` in
    the exports' folder) as safe HTML (:func:`protection_workbench.publish.notes.
    render_markdown`: escaped, no raw HTML, link or image); None when there is none."""
    path = Path(notes_file) if notes_file else Path(data_dir) / PERIOD_NOTES_FILE
    if not path.is_file():
        return None
    return render_markdown(read_notes(path)) or None


def weekly_highlights(data_dir: str | Path, start: date, end: date) -> dict[str, str]:
    """The weekly highlights of the period's weeks (:func:`~protection_workbench.indicators.
    highlight_files`), week -> safe HTML."""
    return {
        week: render_markdown(read_notes(path), top_level=4)
        for week, path in highlight_files(data_dir, start, end).items()
    }
