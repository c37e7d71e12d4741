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

import json
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
from ..publish.protected import SUMMARY_FILE
from ..publish.tables import TOTAL, with_totals
from ..rules.hosting import active_on
from .weekly import AGE_BANDS, country_name

TREND_MONTHS = 12
COLUMNS = (
    "Code",
    "Indicator",
    "Baseline",
    "This period",
    "Period target",
    "% of period target",
    "Since project start",
    "Project target",
    "% of project target",
    "Status",
)
NO_PERIOD_TARGET = "none set"  # a count without a target for this period
NOT_AVAILABLE = "not available"  # the indicator's datasets are not in the exports
# the published tables' files: period_<name>.csv (+ _totals.csv) in the run's tables/
PREFIX = "period_"
# row headings of published tables -> HXL hashtags (of the HXL dictionary) where the
# heading alone would be tagged wrongly (a nationality shown by name, not by ISO3 code)
ROW_TAGS = {
    "Indicator": "#indicator+name",
    "Sex": "#beneficiary+type",
    "Age group": "#beneficiary+type",
    "Vulnerability": "#beneficiary+type",
    "Nationality": "#country+name",
    "Where they stayed": "#loc+type",
    "Country of return": "#country+name+dest",
    "Flight type": "#activity+type",
    "Activity": "#activity+type",
    "What the visit found": "#status+name",
    "Community hosting": "#indicator+name",
    "Payments": "#indicator+name",
}


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


def whole_percent(met: int, n: int) -> int:
    """``100 * met / n`` to the whole percent, but 100 only when all were met and 0 only
    when none was: 949 of 952 (99.7 %) is 99, so that a share never says "all" while its
    breakdown shows some not met."""
    shown = round(100 * met / n)
    if met < n:
        shown = min(shown, 99)
    if met > 0:
        shown = max(shown, 1)
    return int(shown)


def _share(res: IndicatorResult, met: int | None, n: int | None, m: int) -> str:
    """A share as published: not shown when there are none, or (for people, or fewer
    than ``m`` units) when its part or whole is small (as disclosure.show_percent)."""
    if not n or met is None:
        return NOT_SHOWN
    if (res.computation.people or n < m) and show_percent(met, n, m) == NOT_SHOWN:
        return NOT_SHOWN
    return f"{whole_percent(int(met), int(n))} %"


def _cumulative_share(res: IndicatorResult) -> tuple[int, int]:
    if res.monthly.empty:
        return 0, 0
    return int(res.monthly["met"].sum()), int(res.monthly["n"].sum())


def _amount(res: IndicatorResult, value: float) -> str:
    return f"{value:,.0f} %" if res.indicator.is_share else f"{value:,.0f}"


def shown_number(text: str) -> float | None:
    """The number a published cell shows ("4,078", "99 %"), None for a marker ("<5",
    "[c]", "–") or words: what a reader can read, nothing more."""
    cleaned = str(text).replace(",", "").removesuffix("%").strip()
    try:
        return float(cleaned)
    except ValueError:
        return None


def percent_of(shown: str, target: float | None) -> str:
    """A shown value as a percent of ``target``: computed from the published figure, so
    never from a hidden one ("–" then)."""
    value = shown_number(shown)
    if value is None or not target:
        return NOT_SHOWN
    return f"{100 * value / target:,.0f} %"


def status_text(res: IndicatorResult, value: str, cumulative: str) -> str:
    """The status as published: of the period (its target, else the project's pace), and
    of the project too when that differs ("Ahead for the period, behind for the project").
    "No data" when the figure it judges is not shown."""
    period = res.status if shown_number(value) is not None else "No data"
    project = res.project_status if shown_number(cumulative) is not None else "No data"
    if res.period_target is None or project in ("No data", period):
        return period
    return f"{period} for the period, {project.lower()} for the project"


def indicator_row(res: IndicatorResult, m: int) -> dict[str, str]:
    ind = res.indicator
    baseline = _amount(res, ind.baseline)
    # a share's target holds for every period; a count's only when one is set for it
    period_target = res.period_target if res.period_target is not None else None
    if period_target is None and ind.is_share:
        period_target = ind.target
    if not res.available:
        value = cumulative = pct = pct_project = NOT_AVAILABLE
        status = "No data"
    else:
        if ind.is_share:
            value = _share(res, res.numerator, res.denominator, m)
            cumulative = _share(res, *_cumulative_share(res), m)
        else:
            value = _count(res, res.value, m)
            cumulative = _count(res, res.cumulative, m)
        pct = percent_of(value, period_target) if period_target else NO_PERIOD_TARGET
        pct_project = percent_of(cumulative, ind.target)
        status = status_text(res, value, cumulative)
    values = (
        ind.code,
        ind.statement,
        baseline,
        value,
        _amount(res, period_target) if period_target else NO_PERIOD_TARGET,
        pct,
        cumulative,
        _amount(res, ind.target),
        pct_project,
        status,
    )
    return dict(zip(COLUMNS, values, strict=True))


PAGE_COLUMNS = (
    "Code",
    "Indicator",
    "Baseline",
    "This period",
    "Period target (% reached)",
    "Since project start",
    "Project target (% reached)",
    "Status",
)


def _target_and_share(res: IndicatorResult, target: str, percent: str, value: str) -> str:
    """A target with how much of it was reached, in one cell: "3,000 (136 %)"; for a
    share, whether the share reached its target: "90 % (met)"."""
    if target == NO_PERIOD_TARGET or percent == NOT_AVAILABLE:
        return target
    # "136 %" kept on one line in a narrow column (a no-break space)
    target, percent = target.replace(" %", "\u00a0%"), percent.replace(" %", "\u00a0%")
    if res.indicator.is_share:
        reached = shown_number(value)
        if reached is None:
            return f"{target} ({NOT_SHOWN})"
        return f"{target} ({'met' if reached >= shown_number(target) else 'not met'})"
    return f"{target} ({percent})"


def page_table(report: PeriodReport) -> pd.DataFrame:
    """The indicator table as the page prints it: each target beside how much of it was
    reached ("3,000 (136 %)"), so that the name column keeps room on an A4 page; the
    published CSV keeps them apart (:attr:`PeriodReport.indicators`)."""
    results = {r.indicator.code: r for r in report.evaluation.results}
    rows = []
    for _, row in report.indicators.iterrows():
        res = results[row["Code"]]
        period = _target_and_share(
            res, row["Period target"], row["% of period target"], row["This period"]
        )
        project = _target_and_share(
            res, row["Project target"], row["% of project target"], row["Since project start"]
        )
        rows.append(
            [row["Code"], row["Indicator"], row["Baseline"], row["This period"], period]
            + [row["Since project start"], project, row["Status"]]
        )
    return pd.DataFrame(rows, columns=list(PAGE_COLUMNS)).astype(str)


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
        # shown where percent_table shows it, rounded as the headline share (never 100 %
        # with some not met)
        exact = [
            f"{whole_percent(int(a), int(b))} %" if b else NOT_SHOWN
            for a, b in zip(counts["Yes"], counts["All"], strict=True)
        ]
        shown["Share"] = shares["Yes"].where(shares["Yes"] == NOT_SHOWN, exact)
        shown.index.name = name
        met, not_met, every = res.computation.counted
        return shown.rename(
            columns={"Yes": met, "No": not_met, "All": f"{every} (this period)", "Share": "Share"}
        )
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
    # indicators as rows, named in words (code after), months as columns: the donor's
    # indicator tracking table, and short headings that print
    table = pd.DataFrame(published)
    table.index = [_month_name(i) for i in table.index]
    names = {r.indicator.code: indicator_name(r.indicator) for r in ev.results}
    table = table.T.rename(index=names)
    table.index.name = "Indicator"
    table.columns.name = None
    charts = {}
    for unit, columns in exact.items():
        frame = pd.DataFrame(columns)
        frame.index = [_month_name(i) for i in frame.index]
        charts[unit] = frame
    return table, charts


def indicator_name(indicator) -> str:
    """An indicator as a row of a table: its statement, its code after it."""
    return f"{indicator.statement} ({indicator.code})"


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


def report_title(report: PeriodReport) -> str:
    """The donor report's title: the project's (config/indicators.yaml ``title``, else its
    name), the donor and the period."""
    project = report.evaluation.project
    return f"{project.report_title}: report to {project.donor}, {report.label}"


def title_markdown(report: PeriodReport) -> str:
    return f"# {esc_markdown(report_title(report))}"


def status_sentence(report: PeriodReport) -> str:
    """How many indicators are on track, behind, ahead for the period (statuses, not
    counts of people)."""
    shown = report.indicators["Status"].str.split(" for the period").str[0]
    parts = [f"{n} {s.lower()}" for s, n in shown.value_counts().items()]
    return f"Of the {len(report.indicators)} indicators: " + ", ".join(parts) + "."


def status_meaning(report: PeriodReport, settings: IndicatorSettings | None = None) -> str:
    """What the status column means, in words, with this period's figures."""
    rule = (settings or get_indicators()).status
    ev = report.evaluation
    elapsed = ev.project.elapsed(ev.window[1]) if ev.window else None
    pace = f" ({100 * elapsed:.0f} % of it at the end of this period)" if elapsed else ""
    low, high = f"{100 * rule.behind_below:.0f} %", f"{100 * rule.ahead_above:.0f} %"
    return (
        "**What the status means.** It compares what was reached with what was expected. "
        "For a count with a target for this period, the expected value is that target. For "
        "the other counts, and for the project, it is the project's target times the share "
        f"of the project's time that has passed{pace}. For a share (a percent), it is the "
        f"target share. On track: between {low} and {high} of the expected value. "
        f"Behind: below {low}. Ahead: above {high}. When the period and the project "
        "differ, both are said. No data: the figure is not available or not shown. "
        "Shares are rounded to the whole percent, but 100 % means every one and 0 % none. "
        "In brackets beside a target: how much of it was reached (for a share, whether "
        "the target share was met)."
    )


# --------------------------------------------------------------------------- narrative


def _say(text: str, unit: str = "") -> str:
    """A published cell in a sentence: its figure, or what stands for a hidden one."""
    if text == NOT_AVAILABLE:
        return "not available (its records are not in the exports)"
    if shown_number(text) is None:
        primary = str(text).startswith("<")
        return f"fewer than {text[1:]}" + (f" {unit}" if unit else "") if primary else "not shown"
    return f"{text} {unit}".strip()


def _unit_words(res: IndicatorResult) -> str:
    return "" if res.indicator.is_share else res.indicator.unit


def indicator_sentence(res: IndicatorResult, row: pd.Series) -> str:
    """One indicator in a plain sentence, from its published row only (a hidden figure is
    said "fewer than 5" or "not shown", and nothing is worked out from it): what was
    reached in the period against its target, since the project started against the
    project's target, and how far ahead or behind of what the time elapsed calls for."""
    ind = res.indicator
    unit = _unit_words(res)
    name = f"**{esc_markdown(ind.statement)}** ({esc_markdown(ind.code)})"
    if not res.available:
        return f"{name}: not available, its records are not in the exports."
    value, cumulative = row["This period"], row["Since project start"]
    text = f"{name}: {_say(value, unit)} in this period"
    if row["Period target"] != NO_PERIOD_TARGET:
        text += f", against a target of {row['Period target']}"
        if row["% of period target"] != NOT_SHOWN and not ind.is_share:  # a share: its own %
            text += f" ({row['% of period target']})"
    text += f"; {_say(cumulative, unit)} since the project started"
    if ind.is_share:
        text += f" (the project's target is {row['Project target']})"
    elif row["% of project target"] != NOT_SHOWN:
        text += f", {row['% of project target']} of the project's target of {row['Project target']}"
    else:
        text += f" (the project's target is {row['Project target']})"
    reached = shown_number(cumulative)
    if reached is not None and res.expected_by_now and not ind.is_share:
        expected = round(res.expected_by_now)
        gap = round(reached) - expected
        text += f". About {expected:,} were expected by now"
        if res.project_status == "Behind":
            text += f": behind by about {-gap:,} {unit}"
        elif res.project_status == "Ahead":
            text += f": ahead by about {gap:,} {unit}"
        else:
            text += ": on track"
    elif ind.is_share:
        share = shown_number(value)
        share = reached if share is None else share
        points = None if share is None else round(share - ind.target)
        if points is not None and points < 0:
            word = "point" if points == -1 else "points"
            text += f". Behind: {-points} {word} below the target of {ind.target:,.0f} %"
        elif points is not None:
            text += f". The target of {ind.target:,.0f} % is met"
    return text + "."


def narrative(report: PeriodReport) -> list[str]:
    """The period in plain sentences, one per indicator, read from the published
    indicator table (:attr:`PeriodReport.indicators`) only."""
    ev = report.evaluation
    if ev.window is None:
        return [esc_markdown(ev.note)]
    rows = report.indicators.set_index("Code", drop=False)
    out = [indicator_sentence(r, rows.loc[r.indicator.code]) for r in ev.results]
    behind = [
        esc_markdown(r.indicator.code)
        for r in ev.results
        if r.available and "Behind" in rows.loc[r.indicator.code, "Status"]
    ]
    elapsed = ev.project.elapsed(ev.window[1])
    lead = (
        f"{status_sentence(report)} At the end of the period, {100 * elapsed:.0f} % of the "
        "project's time had passed: what was expected by then is its target times that share."
    )
    if behind:
        lead += " Behind for the period or for the project: " + ", ".join(behind) + "."
    return [lead, *out]


def narrative_markdown(report: PeriodReport) -> str:
    first, *rest = narrative(report)
    return first + "\n\n" + "\n".join(f"- {line}" for line in rest)


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


# --------------------------------------------------------------------------- published tables

ACTIVITY_FILES = {
    "Returns by flight type": "returns_by_flight_type",
    "Returns by country of return (the ten main ones)": "returns_by_country_of_return",
    "Field activities": "field_activities",
    "Community hosting placements": "hosting_placements_started_ended_active",
    "Monitoring visits": "monitoring_visits",
    "Payments to hosts": "payments_to_hosts",
}
_PERCENT = r"^-?[\d,]+(\.\d+)? %$"
# columns of the period's work that count other things than people
NOT_PEOPLE = ("Flights or bookings", "Activities", "Items handed out")


def _as_csv(table: pd.DataFrame) -> pd.DataFrame:
    """A published table as its CSV holds it: "99 %" as 99 (the heading or the Unit column
    says percent), words standing for no figure ("none set", "not available") empty;
    markers ("<5", "[c]", "–") stay, for the HXL writer to put beside their column."""
    text = table.astype(str)
    text = text.apply(lambda c: c.where(~c.str.fullmatch(_PERCENT), c.str.removesuffix(" %")))
    return text.replace({NO_PERIOD_TARGET: "", NOT_AVAILABLE: ""})


def _unit(res: IndicatorResult) -> str:
    return "percent" if res.indicator.is_share else res.indicator.unit


def csv_tables(report: PeriodReport) -> dict[str, tuple[pd.DataFrame, bool]]:
    """Every table of the report as published in CSV: name -> (table, counts of people).
    The indicator table, the months, each breakdown and the period's work; the same
    figures as the page (read from the report's published strings, never recomputed)."""
    results = {r.indicator.code: r for r in report.evaluation.results}
    indicators = report.indicators.set_index("Code")
    indicators.insert(1, "Unit", [_unit(results[c]) for c in indicators.index])
    out: dict[str, tuple[pd.DataFrame, bool]] = {"indicators": (_as_csv(indicators), False)}
    if not report.monthly.empty:
        units = {indicator_name(r.indicator): _unit(r) for r in report.evaluation.results}
        monthly = report.monthly.copy()
        monthly.insert(0, "Unit", [units[name] for name in monthly.index])
        out["indicators_by_month"] = (_as_csv(monthly), False)
    for code, tables in report.breakdowns.items():
        res = results[code]
        for dimension, table in tables.items():
            name = f"{res.indicator.computation}_by_{dimension.lower().replace(' ', '_')}"
            if name in out:  # two indicators of one computation: the code tells them apart
                name = f"{code.lower().replace('.', '_')}_{name}"
            out[name] = (_as_csv(table), res.computation.people)
    for title, table in report.activity.items():
        name = ACTIVITY_FILES.get(title) or title.lower().replace(" ", "_")
        out[name] = (_as_csv(table), title != "Payments to hosts" and title != "Monitoring visits")
    return out


def table_hashtags(table: pd.DataFrame, people: bool) -> dict[str, str]:
    """HXL hashtags of a published table, all of the HXL dictionary
    (:func:`protection_workbench.publish.hxl.table_tags`): counts of people
    ``#reached+ind`` (``+f``/``+m``/``+children`` from their headings), other numbers
    ``#indicator+num``, the row heading by what it holds (:data:`ROW_TAGS`), the code
    ``#indicator+code``, the status ``#status+name``."""
    from ..publish import hxl

    numbers = [c for c in table.columns if c not in ("Unit", "Indicator", "Status")]
    shares = [c for c in numbers if str(c).startswith("Share") or "%" in str(c)]
    counted = [c for c in numbers if c not in shares and c not in NOT_PEOPLE] if people else []
    tags = hxl.table_tags(table, people=counted)
    row = table.index.name or "row"
    tags[row] = ROW_TAGS.get(row, "#indicator+code" if row == "Code" else tags[row])
    for column, tag in (("Unit", "#meta"), ("Indicator", "#indicator+name")):
        if column in table.columns:
            tags[column] = tag
    if "Status" in table.columns:
        tags["Status"] = "#status+name"
    return tags


def write_published_tables(report: PeriodReport, folder: str | Path) -> list[Path]:
    """Write every published table of the report as ``period_<name>.csv`` with an HXL
    hashtag row, as the weekly report does (:func:`protection_workbench.publish.tables.
    write_tables`: plain numbers, markers beside their column, total rows in
    ``period_<name>_totals.csv``). Returns the files written."""
    from ..publish.tables import write_tables

    tables = csv_tables(report)
    frames = {name: table for name, (table, _) in tables.items()}
    tags = {name: table_hashtags(table, people) for name, (table, people) in tables.items()}
    written = write_tables(frames, folder, tags, prefix=PREFIX, index=True)
    summary = Path(folder) / f"{PREFIX}{SUMMARY_FILE}"
    summary.write_text(json.dumps(disclosure_summary(report, tables), indent=2) + "\n", "utf-8")
    return written


def disclosure_summary(report: PeriodReport, tables: dict | None = None) -> dict:
    """What the report hides, as the weekly reports record it in run.json
    (:func:`protection_workbench.publish.protected.disclosure_record`): over its tables of
    people, the cells published and those hidden ("<5", "[c]"). The share of people in
    hidden cells is not given: it would be one more equation about them."""
    tables = csv_tables(report) if tables is None else tables
    people = [t for t, counts_people in tables.values() if counts_people]
    cells = sum(t.size for t in people)
    hidden = sum(
        int(t.map(lambda v: is_marker(v, report.min_cell)).to_numpy().sum()) for t in people
    )
    return {
        "min_cell": report.min_cell,
        "tables": len(tables),
        "cells": int(cells),
        "cells_hidden": hidden,
        "cells_hidden_percent": round(100 * hidden / cells, 1) if cells else 0.0,
        "people_hidden_percent": None,
    }


def breakdown_title(report: PeriodReport, code: str, dimension: str) -> str:
    """A breakdown's caption: the indicator in words, its code, and the groups."""
    res = next(r for r in report.evaluation.results if r.indicator.code == code)
    name = esc_markdown(indicator_name(res.indicator))
    return f"**{name}, by {esc_markdown(dimension.lower())}**"
