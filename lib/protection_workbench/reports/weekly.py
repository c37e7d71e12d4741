"""Figures behind the weekly narrative report (for programme management and donors).

:func:`weekly_figures` computes, from the cleaned frames of one export folder and the
findings of the checks, every number the weekly report talks about: returns (by flight
type, destination, sex and age band), the pipeline, vulnerable cases assisted, referrals,
outreach and NFI distributions, community hosting and data quality, for the ISO week of
the as-of date, the week before and the year to date.

The week is Monday..Sunday; when the as-of date falls mid-week the week runs from its
Monday to the as-of date. The figures are exact counts (plain ints, dicts and
DataFrames): disclosure control (small cells shown as "<5") is applied where they are
published, by :mod:`.narrative` and :mod:`.weekly_tables`, never here.
A dataset absent from the export gives ``None`` for the figures that need it.

Labels (destinations, vulnerabilities, services, exit reasons) are only values that
``config/`` knows: anything else is counted under "Other / unrecognised"
(:mod:`protection_workbench.publish.labels`), so free text is never published as a label.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..dates import parse_as_of
from ..publish.labels import known_labels, known_or_other
from ..rules.cases import age_at
from ..rules.hosting import active_on
from ..rules.referrals import follow_up_overdue

FLIGHT_TYPES = ("charter", "commercial")
AGE_BANDS = ("0–4", "5–11", "12–17", "18–59", "60+")
AGE_EDGES = (0, 5, 12, 18, 60)
SEXES = ("F", "M")
UNKNOWN = "unknown"
PERIODS = ("week", "previous", "ytd")
PIPELINE_STAGES = ("counselled", "awaiting_documents", "awaiting_ftt", "manifested")
TREND_WEEKS = 12


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    name: str
    start: date
    end: date

    def contains(self, dates: pd.Series) -> pd.Series:
        """Vectorised: which ``dates`` (datetime64, NaT allowed) fall in the period."""
        return dates.ge(pd.Timestamp(self.start)) & dates.le(pd.Timestamp(self.end))


@dataclass
class WeeklyFigures:
    """Every figure of the weekly report. ``None`` means: not available (dataset absent)."""

    as_of: date
    iso_year: int
    week: int
    periods: dict[str, Period]  # week, previous, ytd
    datasets: tuple[str, ...]  # the datasets present in the export
    # Returns: departed cases with a departure_date in the period (distinct individuals).
    returns: dict[str, int] | None = None  # period -> people
    by_flight_type: pd.DataFrame | None = None  # index flight type; {period}_people/_flights
    by_destination: pd.DataFrame | None = None  # index ISO3; name, week, previous, ytd
    sex_age: dict[str, pd.DataFrame] | None = None  # period -> age band x sex (F, M)
    women_girls: dict[str, int] | None = None  # period -> female returnees
    children: dict[str, int] | None = None  # period -> returnees under 18
    trend: pd.DataFrame | None = None  # last 12 weeks: week, start, end, returns
    # Pipeline on the as-of date, by stage.
    pipeline: dict[str, int] | None = None
    # Vulnerable cases assisted: returnees with any vulnerability.
    vulnerable: dict[str, int] | None = None  # period -> people
    by_vulnerability: pd.DataFrame | None = None  # index code; week, ytd
    # Referrals.
    referrals_week: int | None = None
    referrals_by_service: pd.Series | None = None  # made in the week, by service
    referrals_overdue: int | None = None
    # Activities in the week.
    outreach_sessions: int | None = None
    participants: dict[str, int] | None = None  # f, m, children (outreach sessions)
    nfi_distributions: int | None = None
    nfi_kits: int | None = None
    # Community hosting.
    hosting: dict[str, int] | None = None  # active, new, exits
    exits_by_reason: pd.Series | None = None
    # Data quality.
    gate_passed: bool | None = None
    records_to_correct: int = 0
    error_findings: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def week_label(self) -> str:
        return f"{self.iso_year}-W{self.week:02d}"

    @property
    def week_complete(self) -> bool:
        """The as-of date is the Sunday: the week is complete."""
        return self.as_of.isoweekday() == 7


def report_periods(as_of: date) -> dict[str, Period]:
    """This week (Monday..as_of), the week before (Monday..Sunday), the year to date."""
    monday = as_of - timedelta(days=as_of.weekday())
    return {
        "week": Period("week", monday, as_of),
        "previous": Period("previous", monday - timedelta(days=7), monday - timedelta(days=1)),
        "ytd": Period("ytd", date(as_of.year, 1, 1), as_of),
    }


def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-3 code (the code itself if unknown)."""
    import pycountry

    found = pycountry.countries.get(alpha_3=str(code).upper())
    if found is None:
        return str(code)
    return getattr(found, "common_name", None) or found.name


def age_on(dates: pd.Series, birth: pd.Series, stated: pd.Series) -> pd.Series:
    """Age on ``dates`` from the date of birth (:func:`protection_workbench.rules.cases.
    age_at`), the stated ``age`` where the date of birth or the date is missing."""
    years = age_at(birth, dates).astype("Float64")
    return years.fillna(pd.to_numeric(stated, errors="coerce").astype("Float64"))


def age_band(ages: pd.Series) -> pd.Series:
    """Age bands 0–4, 5–11, 12–17, 18–59, 60+ (``unknown`` where the age is missing)."""
    numbers = pd.to_numeric(ages, errors="coerce").astype("float64")
    bands = pd.cut(numbers, [*AGE_EDGES, np.inf], right=False, labels=list(AGE_BANDS))
    return bands.astype("object").where(bands.notna(), UNKNOWN)


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string")


def _departed(cases: pd.DataFrame) -> pd.DataFrame:
    """Departed cases with a departure date, one row per individual, with their age band."""
    gone = cases[_text(cases["case_status"]).eq("departed").fillna(False).to_numpy()]
    gone = gone[gone["departure_date"].notna()]
    gone = gone.drop_duplicates("individual_id")
    age = age_on(gone["departure_date"], gone["date_of_birth"], gone["age"])
    sex = _text(gone["sex"]).where(_text(gone["sex"]).isin(SEXES), UNKNOWN).fillna(UNKNOWN)
    return gone.assign(
        _age=age,
        _band=age_band(age).to_numpy(),
        _sex=sex.to_numpy(),
        _flight=_text(gone["flight_type"]).fillna(UNKNOWN).to_numpy(),
        _dest=known_labels(gone["destination_country"], "destination_country")
        .fillna(UNKNOWN)
        .to_numpy(),
    )


def _in(frame: pd.DataFrame, column: str, period: Period) -> pd.DataFrame:
    return frame[period.contains(frame[column]).fillna(False).to_numpy()]


def _flight_table(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """People and flights (distinct manifest ids) by flight type; ``unknown`` if any."""
    unknown = any(part["_flight"].eq(UNKNOWN).any() for part in parts.values())
    kinds = [*FLIGHT_TYPES, *([UNKNOWN] if unknown else [])]
    table = pd.DataFrame(index=pd.Index(kinds, name="flight_type"))
    for name, part in parts.items():
        grouped = part.groupby("_flight")
        table[f"{name}_people"] = grouped.size().reindex(kinds, fill_value=0)
        table[f"{name}_flights"] = grouped["manifest_id"].nunique().reindex(kinds, fill_value=0)
    return table.fillna(0).astype(int)


def _destination_table(parts: dict[str, pd.DataFrame]) -> pd.DataFrame:
    counts = pd.DataFrame({name: part["_dest"].value_counts() for name, part in parts.items()})
    counts = counts.fillna(0).astype(int)
    counts = counts[counts.sum(axis=1) > 0]
    counts = counts.sort_values(["week", "ytd"], ascending=False, kind="stable")
    counts.index.name = "destination"
    counts.insert(0, "name", [country_name(c) for c in counts.index])
    return counts


def _sex_age_table(part: pd.DataFrame) -> pd.DataFrame:
    table = pd.crosstab(part["_band"], part["_sex"])
    rows = [*AGE_BANDS, *([UNKNOWN] if UNKNOWN in table.index else [])]
    cols = [*SEXES, *([UNKNOWN] if UNKNOWN in table.columns else [])]
    table = table.reindex(index=rows, columns=cols, fill_value=0).astype(int)
    table.index.name = "age_band"
    table.columns.name = "sex"
    return table


def _vulnerability_table(parts: dict[str, pd.DataFrame], codes: list[str]) -> pd.DataFrame:
    columns = {}
    for name, part in parts.items():
        listed = _text(part["vulnerabilities"]).dropna().str.split(";").explode().str.strip()
        listed = known_or_other(listed[listed.ne("")], codes)
        columns[name] = listed.value_counts()
    table = pd.DataFrame(columns).fillna(0).astype(int)
    order = [c for c in codes if c in table.index] + sorted(set(table.index) - set(codes))
    table = table.reindex(order)
    table.index.name = "vulnerability"
    return table


def returns_trend(departed: pd.DataFrame, as_of: date, weeks: int = TREND_WEEKS) -> pd.DataFrame:
    """Returns per ISO week for the ``weeks`` weeks ending with the as-of week (partial)."""
    monday = as_of - timedelta(days=as_of.weekday())
    starts = pd.to_datetime([monday - timedelta(days=7 * i) for i in range(weeks - 1, -1, -1)])
    dates = departed["departure_date"]
    dates = dates[dates.le(pd.Timestamp(as_of)) & dates.ge(starts[0])]
    week_start = dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    counts = week_start.value_counts().reindex(starts, fill_value=0)
    iso = starts.isocalendar()
    labels = iso["year"].astype(str) + "-W" + iso["week"].astype(str).str.zfill(2)
    return pd.DataFrame(
        {
            "week": labels.to_numpy(),
            "start": starts.date,
            "end": np.minimum(starts + pd.Timedelta(days=6), pd.Timestamp(as_of)).date,
            "returns": counts.to_numpy().astype(int),
        }
    )


def pipeline_on(cases: pd.DataFrame) -> dict[str, int]:
    """Cases by pipeline stage on the as-of date (the status of the export)."""
    status = _text(cases["case_status"])
    doc_issued = _text(cases["travel_document_status"]).eq("issued").fillna(False)
    fit = _text(cases["ftt_status"]).eq("fit").fillna(False)
    return {
        "counselled": int(status.eq("counselled").sum()),
        "awaiting_documents": int((status.eq("documents_pending") & ~doc_issued).sum()),
        "awaiting_ftt": int(
            (status.isin(["documents_pending", "ready"]) & doc_issued & ~fit).fillna(False).sum()
        ),
        "manifested": int(status.eq("manifested").sum()),
    }


def _referral_figures(figures: WeeklyFigures, referrals: pd.DataFrame, as_of: date) -> None:
    made = _in(referrals, "referral_date", figures.periods["week"])
    figures.referrals_week = int(len(made))
    figures.referrals_by_service = (
        known_labels(made["service"], "service")
        .fillna(UNKNOWN)
        .value_counts()
        .astype(int)
        .rename("referrals")
    )
    figures.referrals_overdue = int(follow_up_overdue(referrals, as_of).fillna(False).sum())


def _activity_figures(figures: WeeklyFigures, activities: pd.DataFrame) -> None:
    week = _in(activities, "date", figures.periods["week"])
    kind = _text(week["activity_type"])
    sessions = week[kind.eq("outreach_session").fillna(False).to_numpy()]
    nfi = week[kind.eq("nfi_distribution").fillna(False).to_numpy()]
    figures.outreach_sessions = int(len(sessions))
    figures.participants = {
        key: int(pd.to_numeric(sessions[f"participants_{key}"], errors="coerce").sum())
        for key in ("f", "m", "children")
    }
    figures.nfi_distributions = int(len(nfi))
    figures.nfi_kits = int(pd.to_numeric(nfi["items"], errors="coerce").sum())


def _hosting_figures(figures: WeeklyFigures, placements: pd.DataFrame, as_of: date) -> None:
    week = figures.periods["week"]
    exits = _in(placements, "end_date", week)
    figures.hosting = {
        "active": int(np.asarray(active_on(placements, pd.Timestamp(as_of))).sum()),
        "new": int(week.contains(placements["start_date"]).fillna(False).sum()),
        "exits": int(len(exits)),
    }
    figures.exits_by_reason = (
        known_labels(exits["exit_reason"], "exit_reason")
        .fillna(UNKNOWN)
        .value_counts()
        .astype(int)
        .rename("exits")
    )


def _quality_figures(figures: WeeklyFigures, findings: pd.DataFrame | None) -> None:
    if findings is None or findings.empty:
        return
    errors = findings[_text(findings["severity"]).eq("error").fillna(False).to_numpy()]
    figures.error_findings = int(len(errors))
    figures.records_to_correct = int(
        errors[["dataset", "record_id"]].drop_duplicates().shape[0]
        if "dataset" in errors
        else errors["record_id"].nunique()
    )


def weekly_figures(
    export_frames: dict[str, pd.DataFrame],
    findings: pd.DataFrame | None,
    gate_passed: bool | None,
    as_of: date | str,
    cfg: Config | None = None,
) -> WeeklyFigures:
    """Every figure of the weekly report for the ISO week of ``as_of`` (see module doc)."""
    cfg = cfg or get_config()
    as_of = parse_as_of(as_of)
    iso = as_of.isocalendar()
    periods = report_periods(as_of)
    frames = {k: v for k, v in export_frames.items() if v is not None}
    figures = WeeklyFigures(
        as_of=as_of,
        iso_year=iso.year,
        week=iso.week,
        periods=periods,
        datasets=tuple(sorted(frames)),
        gate_passed=gate_passed,
    )
    cases = frames.get("cases")
    if cases is not None:
        departed = _departed(cases)
        parts = {name: _in(departed, "departure_date", p) for name, p in periods.items()}
        figures.returns = {name: int(len(part)) for name, part in parts.items()}
        figures.by_flight_type = _flight_table(parts)
        figures.by_destination = _destination_table(parts)
        figures.sex_age = {name: _sex_age_table(parts[name]) for name in ("week", "ytd")}
        figures.women_girls = {
            name: int(part["_sex"].eq("F").sum()) for name, part in parts.items()
        }
        figures.children = {
            name: int(part["_age"].lt(cfg.thresholds.adult_age).fillna(False).sum())
            for name, part in parts.items()
        }
        figures.trend = returns_trend(departed, as_of)
        figures.pipeline = pipeline_on(cases)
        vulnerable = {n: p[p["vulnerabilities"].notna().to_numpy()] for n, p in parts.items()}
        figures.vulnerable = {name: int(len(part)) for name, part in vulnerable.items()}
        figures.by_vulnerability = _vulnerability_table(
            {"week": vulnerable["week"], "ytd": vulnerable["ytd"]},
            list(cfg.code_lists.get("vulnerability", [])),
        )
    if "referrals" in frames:
        _referral_figures(figures, frames["referrals"], as_of)
    if "activities" in frames:
        _activity_figures(figures, frames["activities"])
    if "placements" in frames:
        _hosting_figures(figures, frames["placements"], as_of)
    _quality_figures(figures, findings)
    return figures
