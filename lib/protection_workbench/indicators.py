"""Donor indicators: the projects of ``config/indicators.yaml`` and the catalogue of
computations their indicators name.

An indicator in the configuration never holds code: its ``computation`` names one entry
of :data:`CATALOGUE`. Each computation is a documented, vectorised function of the cleaned
frames that returns its **units**: one row per thing counted (a returnee, a referral, a
kit distribution, a visit, a host-month due to be paid), with

* ``date``  the day that places the unit in a month and a period,
* ``value`` what it adds to the indicator (1 for a count, the kits for a distribution),
* ``met``   for shares only: whether the unit counts in the numerator,
* the disaggregation columns the computation supports (``sex``, ``age_band``,
  ``nationality``, ``vulnerability``, ``location_type``) as plain-English labels.

:func:`evaluate` then sums the units of the period, of each month and since the project
started, so that a cumulative value is the sum of its months by construction. Anything a
rule decides (an overdue follow-up, the payments a host is owed, a clearance missing
before movement) comes from the public functions of :mod:`protection_workbench.rules`,
never a second implementation. Values here are exact; disclosure control is applied where
they are published (:mod:`protection_workbench.reports.period`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import Config, ConfigError, _pydantic_error, _read_yaml, default_config_dir
from .dates import parse_month, parse_quarter
from .publish.labels import OTHER, allowed_values, code_labels
from .reports.weekly import age_band, age_on, country_name
from .rules.cases import c009, has_vulnerability
from .rules.hosting import expected_amounts
from .rules.referrals import follow_up_overdue
from .rules.registry import Context

INDICATORS_FILE = "indicators.yaml"
DIMENSIONS = ("sex", "age_band", "nationality", "vulnerability", "location_type")
DIMENSION_NAMES = {
    "sex": "Sex",
    "age_band": "Age group",
    "nationality": "Nationality",
    "vulnerability": "Vulnerability",
    "location_type": "Where they stayed",
}
NOT_RECORDED = "Not recorded"
PEOPLE = ("sex", "age_band", "nationality", "vulnerability", "location_type")

Units = pd.DataFrame  # date, value, [met], dimensions
# The case record columns the catalogue reads (rule C009 included).
CASE_COLUMNS = (
    "case_id",
    "individual_id",
    "case_status",
    "sex",
    "age",
    "date_of_birth",
    "nationality",
    "location_type",
    "vulnerabilities",
    "protection_clearance",
    "interview_date",
    "departure_date",
)


# --------------------------------------------------------------------------- catalogue


@dataclass(frozen=True)
class Computation:
    name: str
    kind: Literal["count", "share"]  # a sum of values, or the share of units met
    datasets: tuple[str, ...]  # all must be in the export
    dimensions: tuple[str, ...]
    people: bool  # the value counts people (published with disclosure control)
    function: Callable[[dict[str, pd.DataFrame], pd.Timestamp, Config, IndicatorSettings], Units]
    # shares: what the units met and not met are, in words, and all of them (the breakdown's
    # column headings: "Not met" beside a status read as a status)
    counted: tuple[str, str, str] = ("Met", "Not met", "All")

    @property
    def description(self) -> str:
        return " ".join((self.function.__doc__ or "").split())


CATALOGUE: dict[str, Computation] = {}


def computation(name, kind, datasets, dimensions=(), people=False, counted=None):
    """Register a computation of the catalogue under ``name`` (``counted``: for a share,
    its units met, not met and all, in words)."""

    def register(function):
        words = tuple(counted) if counted else ("Met", "Not met", "All")
        CATALOGUE[name] = Computation(
            name, kind, tuple(datasets), tuple(dimensions), people, function, words
        )
        return function

    return register


def _text(values: pd.Series) -> pd.Series:
    return values.astype("string")


def _categorical(values: pd.Series, label: Callable[[object], str]) -> pd.Categorical:
    """``values`` labelled as a categorical: each distinct value labelled once by
    ``label`` (a caseload has few), missing ones "Not recorded"."""
    codes, uniques = pd.factorize(values)  # a categorical's codes: no pass over text rows
    names = [label(u) for u in uniques] + [NOT_RECORDED]
    name_codes, distinct = pd.factorize(pd.Index(names, dtype=object))
    return pd.Categorical.from_codes(name_codes[codes], categories=distinct)  # -1: last


def _person_dims(people: pd.DataFrame, when: pd.Series, cfg: Config) -> pd.DataFrame:
    """The disaggregation labels of case records ``people`` on the days ``when``, as
    categoricals: nationality as a country name ("Other / unrecognised" when config/ does
    not know it), codes by their plain-English labels, the age group on that day, and
    the raw vulnerability codes (split when broken down)."""
    countries = allowed_values("nationality", cfg)

    def coded(codes: str):
        labels = code_labels(codes, cfg)
        return lambda value: labels.get(str(value), OTHER)

    band = age_band(age_on(when, people["date_of_birth"], people["age"]))
    return pd.DataFrame(
        {
            "sex": _categorical(people["sex"], coded("sex")),
            "age_band": _categorical(
                pd.Series(band), lambda b: NOT_RECORDED if b == "unknown" else str(b)
            ),
            "nationality": _categorical(
                people["nationality"],
                lambda c: country_name(str(c)) if str(c) in countries else OTHER,
            ),
            "vulnerability": _categorical(people["vulnerabilities"], str),
            "location_type": _categorical(people["location_type"], coded("location_type")),
        },
        index=people.index,
    )


def _units(date_: pd.Series, value=1.0, met=None, dims: pd.DataFrame | None = None) -> Units:
    out = pd.DataFrame({"date": date_.to_numpy(dtype="datetime64[ns]")})
    out["value"] = np.asarray(value, dtype=float) if not np.isscalar(value) else float(value)
    if met is not None:
        out["met"] = np.asarray(met, dtype=bool)
    if dims is not None:
        for column in dims.columns:
            out[column] = dims[column].array
    return out


def _departed(cases: pd.DataFrame) -> pd.DataFrame:
    """Departed cases with a departure date, one row per individual (the returns)."""
    gone = cases[cases["case_status"].eq("departed").fillna(False).to_numpy(dtype=bool)]
    return gone[gone["departure_date"].notna().to_numpy()].drop_duplicates("individual_id")


@computation("returns_assisted", "count", ("cases",), PEOPLE, people=True)
def returns_assisted(frames, as_of, cfg, settings) -> Units:
    """Migrants who returned home: case records with status departed, counted once per
    individual on their departure date."""
    gone = _departed(frames["cases"])
    return _units(gone["departure_date"], dims=_person_dims(gone, gone["departure_date"], cfg))


@computation("vulnerable_returns", "count", ("cases",), PEOPLE, people=True)
def vulnerable_returns(frames, as_of, cfg, settings) -> Units:
    """Returnees (as in returns_assisted) with at least one recorded vulnerability."""
    gone = _departed(frames["cases"])
    gone = gone[has_vulnerability(gone["vulnerabilities"], cfg.codes("vulnerability")).to_numpy()]
    return _units(gone["departure_date"], dims=_person_dims(gone, gone["departure_date"], cfg))


@computation(
    "cleared_before_movement",
    "share",
    ("cases",),
    PEOPLE,
    people=True,
    counted=("Cleared before travel", "Not cleared", "Returnees needing clearance"),
)
def cleared_before_movement(frames, as_of, cfg, settings) -> Units:
    """Of the returnees whose vulnerability needs protection clearance (code list
    clearance_vulnerability), the share who travelled cleared: rule C009 found nothing
    against them."""
    cases = frames["cases"]
    gone = _departed(cases)
    gone = gone[
        has_vulnerability(gone["vulnerabilities"], cfg.codes("clearance_vulnerability")).to_numpy()
    ]
    found = c009(Context({"cases": gone.reset_index(drop=True)}, as_of, cfg))
    not_cleared = _text(gone["individual_id"]).isin(found["record_id"].astype("string"))
    dims = _person_dims(gone, gone["departure_date"], cfg)
    return _units(gone["departure_date"], met=~not_cleared.to_numpy(dtype=bool), dims=dims)


@computation("counselling_sessions", "count", ("cases",), PEOPLE, people=True)
def counselling_sessions(frames, as_of, cfg, settings) -> Units:
    """Migrants counselled before departure: case records with a pre-departure interview,
    counted once per individual on the interview date."""
    cases = frames["cases"]
    seen = cases[cases["interview_date"].notna().to_numpy()].drop_duplicates("individual_id")
    return _units(seen["interview_date"], dims=_person_dims(seen, seen["interview_date"], cfg))


def _with_people(frame: pd.DataFrame, frames: dict, when: str, cfg) -> pd.DataFrame:
    """Disaggregation labels of the individuals ``frame`` refers to (by individual_id),
    on its dates ``when``; an individual without a case record is "Not recorded"."""
    people = frames.get("_people")
    if people is None:  # evaluate() prepares it once for every computation
        people = _people_by_id(frames["cases"])
    rows = people.reindex(frame["individual_id"].to_numpy(dtype=object))
    rows.index = frame.index
    return _person_dims(rows, frame[when], cfg)


def _people_by_id(cases: pd.DataFrame) -> pd.DataFrame:
    people = cases.drop_duplicates("individual_id")
    return people.set_index(people["individual_id"].to_numpy(dtype=object))


@computation("referrals_made", "count", ("referrals", "cases"), ("sex", "age_band", "nationality"))
def referrals_made(frames, as_of, cfg, settings) -> Units:
    """Referrals of migrants to specialised services (medical, mental health, shelter,
    child protection, legal, cash …), on the referral date."""
    refs = frames["referrals"]
    refs = refs[refs["referral_date"].notna().to_numpy()]
    dims = _with_people(refs, frames, "referral_date", cfg)
    return _units(refs["referral_date"], dims=dims[["sex", "age_band", "nationality"]])


@computation(
    "referrals_followed_up_in_time",
    "share",
    ("referrals", "cases"),
    ("sex", "age_band"),
    counted=("Followed up in time", "Not followed up in time", "Follow-ups due"),
)
def referrals_followed_up_in_time(frames, as_of, cfg, settings) -> Units:
    """Of the referrals whose follow-up fell due (on the follow-up due date), the share
    followed up by that date. A follow-up still missing on the report's last day is
    overdue as rule R001 reads it (follow_up_overdue); one recorded after the due date is
    late."""
    refs = frames["referrals"]
    refs = refs[(refs["follow_up_due"] <= as_of).fillna(False).to_numpy(dtype=bool)]
    overdue = follow_up_overdue(refs, as_of + pd.Timedelta(days=1)).fillna(False)
    recorded_in_time = (refs["follow_up_date"] <= refs["follow_up_due"]).fillna(False)
    dims = _with_people(refs, frames, "follow_up_due", cfg)
    return _units(
        refs["follow_up_due"],
        met=(~overdue & recorded_in_time).to_numpy(dtype=bool),
        dims=dims[["sex", "age_band"]],
    )


def _activities(frames, kind: str) -> pd.DataFrame:
    acts = frames["activities"]
    keep = _text(acts["activity_type"]).eq(kind).fillna(False) & acts["date"].notna()
    return acts[keep.to_numpy(dtype=bool)]


@computation("nfi_kits_distributed", "count", ("activities",))
def nfi_kits_distributed(frames, as_of, cfg, settings) -> Units:
    """Non-food item kits handed out: the items of the activity log's NFI distributions, on
    the day of the distribution (a distribution without a number of items adds none)."""
    acts = _activities(frames, "nfi_distribution")
    return _units(acts["date"], value=acts["items"].astype("Float64").fillna(0).to_numpy(float))


@computation("outreach_sessions", "count", ("activities",))
def outreach_sessions(frames, as_of, cfg, settings) -> Units:
    """Outreach sessions with migrant communities recorded in the activity log."""
    return _units(_activities(frames, "outreach_session")["date"])


@computation(
    "hosting_placements",
    "count",
    ("placements", "cases"),
    ("sex", "age_band", "nationality"),
    people=True,
)
def hosting_placements(frames, as_of, cfg, settings) -> Units:
    """Placements of migrants with host families or in safe shelters, on the day the
    placement started (a person placed twice counts twice)."""
    pl = frames["placements"]
    pl = pl[pl["start_date"].notna().to_numpy()]
    dims = _with_people(pl, frames, "start_date", cfg)
    return _units(pl["start_date"], dims=dims[["sex", "age_band", "nationality"]])


@computation(
    "monitoring_visits_compliant",
    "share",
    ("visits",),
    counted=("Compliant", "Not compliant", "Visits"),
)
def monitoring_visits_compliant(frames, as_of, cfg, settings) -> Units:
    """Of the monitoring visits to placements, the share that found the placement
    compliant (no minor or major issue), on the visit date."""
    visits = frames["visits"]
    visits = visits[visits["visit_date"].notna().to_numpy()]
    met = _text(visits["compliance"]).eq("compliant").fillna(False)
    return _units(visits["visit_date"], met=met.to_numpy(dtype=bool))


@computation(
    "host_payments_on_time",
    "share",
    ("hosts", "placements", "payments"),
    counted=("Paid on time", "Not paid on time", "Payments due"),
)
def host_payments_on_time(frames, as_of, cfg, settings) -> Units:
    """Of the monthly payments hosts were owed (a month in which the host hosted someone,
    as rule H004 reads the placements: expected_amounts), the share paid within
    ``payment_due_days`` (config/indicators.yaml) after the end of the month. Each
    host-month counts on its due date."""
    owed = expected_amounts(frames["placements"], frames["hosts"], as_of)
    owed = owed[owed["expected"] > 0]
    month_end = pd.PeriodIndex(owed["period"], freq="M").end_time.normalize()
    due = pd.Series(month_end + pd.Timedelta(days=settings.payment_due_days), index=owed.index)
    pay = frames["payments"]
    paid = (
        pd.DataFrame(
            {
                "host_id": _text(pay["host_id"]),
                "period": _text(pay["period"]),
                "paid": pay["paid_date"],
            }
        )
        .dropna()
        .groupby(["host_id", "period"], as_index=False)["paid"]
        .min()
    )
    owed = owed.assign(due=due.to_numpy()).merge(paid, on=["host_id", "period"], how="left")
    met = (owed["paid"] <= owed["due"]).fillna(False)
    return _units(owed["due"], met=met.to_numpy(dtype=bool))


# --------------------------------------------------------------------------- configuration


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StatusRule(_Strict):
    behind_below: float = Field(gt=0)
    ahead_above: float = Field(gt=0)


class Indicator(_Strict):
    code: str = Field(pattern=r"^[A-Za-z]{0,3}\d+(\.\d+)*$")
    statement: str = Field(min_length=3)
    computation: str
    unit: str = Field(min_length=1)
    baseline: float = Field(ge=0)
    target: float = Field(gt=0)
    period_targets: dict[str, float] = {}
    disaggregations: list[Literal[DIMENSIONS]] = []  # type: ignore[valid-type]

    @property
    def is_share(self) -> bool:
        return CATALOGUE[self.computation].kind == "share"


# one line of visible text (a title, a donor's name): not blank, no line break
_ONE_LINE = r"^[^\r\n]*\S[^\r\n]*$"


class Project(_Strict):
    name: str = Field(min_length=1, pattern=_ONE_LINE)
    donor: str = Field(min_length=1, max_length=120, pattern=_ONE_LINE)
    # the donor report's title (default: the project's name)
    title: str | None = Field(default=None, min_length=3, max_length=150, pattern=_ONE_LINE)
    start: date
    end: date
    locations: list[str] = Field(min_length=1)
    indicators: list[Indicator] = Field(min_length=1)

    @property
    def all_locations(self) -> bool:
        return self.locations == ["all"]

    @property
    def report_title(self) -> str:
        """The donor report's title: ``title``, else the project's name."""
        return (self.title or self.name).strip()

    def elapsed(self, day: date) -> float:
        """The share of the project's days from its start to ``day`` (0 to 1)."""
        days = (self.end - self.start).days + 1
        return min(max(((day - self.start).days + 1) / days, 0.0), 1.0)


class IndicatorSettings(_Strict):
    status: StatusRule
    payment_due_days: int = Field(ge=0, le=120)
    projects: list[Project] = Field(min_length=1)

    def project(self, name: str | None = None) -> Project:
        """The project called ``name`` (the first one when empty)."""
        if not name:
            return self.projects[0]
        for project in self.projects:
            if project.name == name:
                return project
        known = "; ".join(p.name for p in self.projects)
        raise ConfigError(f"no project called {name!r} in {INDICATORS_FILE} (known: {known})")


def _check(path: Path, settings: IndicatorSettings, cfg: Config) -> None:
    def fail(key: str, problem: str) -> None:
        raise ConfigError(f"{path}: key '{key}': {problem}")

    if settings.status.behind_below >= settings.status.ahead_above:
        fail("status.behind_below", "must be below status.ahead_above")
    names = [p.name for p in settings.projects]
    for i, project in enumerate(settings.projects):
        at = f"projects.{i}"
        if names.count(project.name) > 1:
            fail(f"{at}.name", f"project {project.name!r} is listed more than once")
        if project.end < project.start:
            fail(f"{at}.end", f"ends ({project.end}) before it starts ({project.start})")
        if not project.all_locations:
            for j, where in enumerate(project.locations):
                if where not in cfg.sites.mantika_names:
                    fail(f"{at}.locations.{j}", f"{where!r} is not a mantika of sites.yaml")
        codes = [ind.code for ind in project.indicators]
        for j, ind in enumerate(project.indicators):
            key = f"{at}.indicators.{j}"
            if codes.count(ind.code) > 1:
                fail(f"{key}.code", f"indicator {ind.code} is listed more than once")
            found = CATALOGUE.get(ind.computation)
            if found is None:
                fail(
                    f"{key}.computation",
                    f"unknown computation {ind.computation!r} (known: {', '.join(CATALOGUE)})",
                )
            if (found.kind == "share") != (ind.unit == "percent"):
                fail(
                    f"{key}.unit",
                    f"{ind.computation} gives a "
                    + ("share: the unit must be percent" if found.kind == "share" else "count")
                    + ("" if found.kind == "share" else ", not a percent"),
                )
            if found.kind == "share" and ind.target > 100:
                fail(f"{key}.target", "a share's target is a percent (at most 100)")
            for dim in ind.disaggregations:
                if dim not in found.dimensions:
                    supported = ", ".join(found.dimensions) or "none"
                    fail(
                        f"{key}.disaggregations",
                        f"{ind.computation} cannot be broken down by {dim} (it can by: "
                        f"{supported})",
                    )
            for label in ind.period_targets:
                try:
                    parse_period_label(label)
                except ValueError:
                    fail(
                        f"{key}.period_targets.{label}",
                        "not a month (2026-10) or a quarter (2026-Q3)",
                    )


def parse_period_label(label: str) -> tuple[date, date]:
    """The days of a period target's key: a month ``2026-10`` or a quarter ``2026-Q3``."""
    text = str(label).strip()
    try:
        return parse_quarter(text) if "Q" in text.upper() else parse_month(text)
    except Exception as exc:  # noqa: BLE001 (WorkbenchError or ValueError: not a period)
        raise ValueError(str(exc)) from None


class _DatesAsText(yaml.SafeLoader):
    """YAML with dates left as text: pydantic then parses them, so that an impossible date
    (2025-02-30) is a message naming its key rather than a YAML error."""


_DatesAsText.add_constructor(
    "tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node)
)


def _read_yaml_dates_as_text(path: Path) -> object:
    if not path.is_file():
        return _read_yaml(path)  # its message: configuration file not found
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.load(fh, Loader=_DatesAsText)  # noqa: S506 (a SafeLoader)
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None


def load_indicators(directory: str | Path | None = None, cfg: Config | None = None):
    """Read and validate ``indicators.yaml`` of ``directory`` (default: config/). A
    problem raises :class:`ConfigError` naming the file, the key and what is wrong."""
    from .config import load_config

    directory = Path(directory) if directory is not None else default_config_dir()
    path = directory / INDICATORS_FILE
    raw = _read_yaml_dates_as_text(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected keys status, payment_due_days, projects")
    try:
        settings = IndicatorSettings.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(path, exc) from None
    _check(path, settings, cfg or load_config(directory))
    return settings


@lru_cache(maxsize=4)
def _cached(directory: str) -> IndicatorSettings:
    return load_indicators(directory)


def get_indicators(directory: str | Path | None = None) -> IndicatorSettings:
    """Like :func:`load_indicators`, cached per folder."""
    return _cached(str(Path(directory) if directory is not None else default_config_dir()))


# --------------------------------------------------------------------------- evaluation


def restrict_to_locations(frames: dict[str, pd.DataFrame], project: Project) -> dict:
    """The frames of the project's mantikas: cases and activities by their mantika, hosts
    by theirs, then the referrals, placements, visits and payments that belong to them."""
    if project.all_locations:
        return frames
    where = set(project.locations)
    out = dict(frames)

    def keep(name: str, mask: pd.Series) -> None:
        out[name] = frames[name][mask.fillna(False).to_numpy(dtype=bool)]

    for name in ("cases", "activities", "hosts"):
        if name in frames:
            keep(name, _text(frames[name]["mantika"]).isin(where))
    if "cases" in out and "referrals" in frames:
        ids = _text(out["cases"]["individual_id"])
        keep("referrals", _text(frames["referrals"]["individual_id"]).isin(ids))
    if "hosts" in out:
        hosts = _text(out["hosts"]["host_id"])
        for name in ("placements", "payments"):
            if name in frames:
                keep(name, _text(frames[name]["host_id"]).isin(hosts))
        if "placements" in out and "visits" in frames:
            placed = _text(out["placements"]["placement_id"])
            keep("visits", _text(frames["visits"]["placement_id"]).isin(placed))
    return out


@dataclass
class IndicatorResult:
    """One indicator over one period. Values are exact; ``None`` when not computable."""

    indicator: Indicator
    computation: Computation
    available: bool  # its datasets are in the export
    value: float | None = None  # this period (a count, or a percent for shares)
    cumulative: float | None = None  # since the project started, to the period's end
    numerator: int | None = None  # shares: units met in the period
    denominator: int | None = None  # shares: units in the period
    period_target: float | None = None  # the target of this period, when configured
    percent_of_target: float | None = None
    progress: float | None = None  # value reached / value expected by the period's end
    status: str = "No data"
    # the project's target: the value since the start against what the time elapsed calls
    # for (counts: target x share of the project's time; shares: the target itself)
    expected_by_now: float | None = None
    project_progress: float | None = None
    project_status: str = "No data"
    monthly: pd.DataFrame = field(default_factory=pd.DataFrame)  # month -> value[, met, n]
    by: dict[str, pd.DataFrame] = field(default_factory=dict)  # dimension -> groups (period)
    by_cumulative: dict[str, pd.DataFrame] = field(default_factory=dict)  # since the start


@dataclass
class PeriodEvaluation:
    project: Project
    start: date  # the period asked for
    end: date
    window: tuple[date, date] | None  # the part of the period inside the project
    note: str  # "" or what the reader must know (not started, ended, partly outside)
    results: list[IndicatorResult]


def percent_of_target(value: float | None, target: float | None) -> float | None:
    """``value`` as a percent of ``target`` (0 for 0, over 100 above the target); None
    when either is missing or the target is 0."""
    if value is None or target is None or not target:
        return None
    return 100.0 * float(value) / float(target)


def status_of(progress: float | None, rule: StatusRule) -> str:
    """On track / Behind / Ahead from the progress (value reached / value expected)."""
    if progress is None:
        return "No data"
    if progress < rule.behind_below:
        return "Behind"
    if progress > rule.ahead_above:
        return "Ahead"
    return "On track"


def project_window(project: Project, start: date, end: date) -> tuple[tuple | None, str]:
    """The part of [start, end] inside the project, and a note when it is not all of it."""
    fmt = "%d %B %Y"
    if end < project.start:
        return None, (
            f"The project had not started in this period: it starts on {project.start:{fmt}}."
        )
    if start > project.end:
        return None, f"The project had ended before this period: it ended on {project.end:{fmt}}."
    window = (max(start, project.start), min(end, project.end))
    notes = []
    if start < project.start:
        notes.append(f"the project started on {project.start:{fmt}}")
    if end > project.end:
        notes.append(f"the project ended on {project.end:{fmt}}")
    note = ""
    if notes:
        note = (
            "Only part of this period is in the project: "
            + " and ".join(notes)
            + f"; the figures cover {window[0]:{fmt}} to {window[1]:{fmt}}."
        )
    return window, note


def _period_target(ind: Indicator, start: date, end: date) -> float | None:
    for label, target in ind.period_targets.items():
        if parse_period_label(label) == (start, end):
            return float(target)
    return None


def _in(units: Units, first: date, last: date) -> Units:
    keep = units["date"].between(pd.Timestamp(first), pd.Timestamp(last))
    return units[keep.to_numpy(dtype=bool)]


def _monthly(units: Units, first: date, last: date, share: bool) -> pd.DataFrame:
    """Per calendar month from ``first`` to ``last`` (every month, empty ones 0)."""
    months = pd.period_range(first, last, freq="M")
    part = _in(units, first, last)
    # months as numbers (year * 12 + month): no text per row, only per month
    number = (part["date"].dt.year * 12 + part["date"].dt.month - 1).to_numpy()
    wanted = months.year * 12 + months.month - 1
    grouped = part.groupby(number)
    out = pd.DataFrame(
        {"value": grouped["value"].sum().reindex(wanted, fill_value=0).to_numpy()},
        index=pd.Index(months.astype(str), name="month"),
    )
    if share:
        out["met"] = grouped["met"].sum().reindex(wanted, fill_value=0).to_numpy().astype(int)
        out["n"] = out.pop("value").astype(int)
    return out


def _breakdown(units: Units, dim: str, share: bool, cfg: Config) -> pd.DataFrame:
    """Units by the groups of ``dim``: value (or met and n). Vulnerabilities are split:
    a person with two counts in both groups (and in neither when none is recorded)."""
    if dim == "vulnerability":
        # split each distinct list of codes once, then join the units to its codes
        labels = code_labels("vulnerability", cfg)
        column = pd.Categorical(units["vulnerability"])
        lists = [
            [] if c == NOT_RECORDED else [labels.get(v, OTHER) for v in str(c).split(";") if v]
            for c in column.categories
        ]
        pairs = pd.DataFrame(
            {
                "_code": np.repeat(np.arange(len(lists)), [len(x) for x in lists]),
                "_label": [v for x in lists for v in x],
            }
        )
        units = (
            units.drop(columns="vulnerability")
            .assign(_code=column.codes)
            .merge(pairs, on="_code")
            .rename(columns={"_label": "vulnerability"})
        )
    grouped = units.groupby(dim, sort=True, observed=True)
    if share:
        return pd.DataFrame({"met": grouped["met"].sum(), "n": grouped.size()}).astype(int)
    return grouped["value"].sum().to_frame("value")


def evaluate(
    project: Project,
    frames: dict[str, pd.DataFrame],
    start: date,
    end: date,
    cfg: Config,
    settings: IndicatorSettings,
) -> PeriodEvaluation:
    """Every indicator of ``project`` for the period ``start``..``end`` (both included):
    the period's value, the cumulative value since the project's start, months, groups,
    % of target and status."""
    window, note = project_window(project, start, end)
    frames = restrict_to_locations(frames, project)
    if "cases" in frames:  # the columns the catalogue reads: filtering rows is then cheap
        cases = frames["cases"]
        cases = cases[[c for c in CASE_COLUMNS if c in cases.columns]]
        frames = {**frames, "cases": cases, "_people": _people_by_id(cases)}
    results = []
    as_of = pd.Timestamp(end)
    for ind in project.indicators:
        comp = CATALOGUE[ind.computation]
        res = IndicatorResult(ind, comp, available=set(comp.datasets) <= set(frames))
        results.append(res)
        if not res.available or window is None:
            continue
        units = comp.function(frames, as_of, cfg, settings)
        share = comp.kind == "share"
        part = _in(units, *window)
        cumulative = _in(units, project.start, window[1])
        res.monthly = _monthly(units, project.start, window[1], share)
        res.by = {dim: _breakdown(part, dim, share, cfg) for dim in ind.disaggregations}
        res.by_cumulative = {
            dim: _breakdown(cumulative, dim, share, cfg) for dim in ind.disaggregations
        }
        res.period_target = _period_target(ind, start, end)
        if share:
            res.numerator, res.denominator = int(part["met"].sum()), len(part)
            res.value = 100.0 * res.numerator / res.denominator if len(part) else None
            n_all = len(cumulative)
            res.cumulative = 100.0 * cumulative["met"].sum() / n_all if n_all else None
            target = res.period_target or ind.target
            res.percent_of_target = percent_of_target(res.value, target)
            res.progress = None if res.value is None else res.value / target
            res.expected_by_now = ind.target
            res.project_progress = None if res.cumulative is None else res.cumulative / ind.target
        else:
            res.value = float(part["value"].sum())
            res.cumulative = float(cumulative["value"].sum())
            res.expected_by_now = ind.target * project.elapsed(window[1])
            res.project_progress = res.cumulative / res.expected_by_now
            if res.period_target:
                res.percent_of_target = percent_of_target(res.value, res.period_target)
                res.progress = res.value / res.period_target
            else:
                res.percent_of_target = percent_of_target(res.cumulative, ind.target)
                res.progress = res.project_progress
        res.status = status_of(res.progress, settings.status)
        res.project_status = status_of(res.project_progress, settings.status)
    return PeriodEvaluation(project, start, end, window, note, results)


def catalogue_table() -> pd.DataFrame:
    """The catalogue for `workbench indicators` and the docs: name, kind, datasets,
    disaggregations, description."""
    return pd.DataFrame(
        [
            {
                "computation": c.name,
                "gives": "a share (percent)" if c.kind == "share" else "a count",
                "datasets": ", ".join(c.datasets),
                "disaggregations": ", ".join(c.dimensions) or "none",
                "description": c.description,
            }
            for c in CATALOGUE.values()
        ]
    )


# --------------------------------------------------------------------------- the team's words

PERIOD_NOTES_FILE = "period_notes.md"


def highlight_files(data_dir: str | Path, start: date, end: date) -> dict[str, Path]:
    """The weekly highlights written for the ISO weeks of ``start``..``end``:
    ``highlights-2026-W40.md`` or ``highlights/2026-W40.md`` in the exports' folder,
    week -> file (the period report annexes them; the period run checks them)."""
    from .dates import week_label

    folder = Path(data_dir)
    weeks = sorted({week_label(d.date()) for d in pd.date_range(start, end, freq="D")})
    found = {}
    for week in weeks:
        for path in (folder / f"highlights-{week}.md", folder / "highlights" / f"{week}.md"):
            if path.is_file():
                found[week] = path
                break
    return found
