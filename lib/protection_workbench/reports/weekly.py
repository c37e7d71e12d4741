"""The records behind the weekly report (for programme management and donors).

:func:`weekly_data` selects, from the cleaned frames of one export folder, the records that
each figure of the weekly report counts: returnees, the dated steps of the case records,
the pipeline, referral outcomes, the field log, flights and community hosting. It counts
nothing itself: every number of the report is counted once, from these records, in the
protected table set of :func:`.weekly_tables.table_set`, so that a sentence, a chart and a
table can never disagree or give away what another hides.

Grouping columns are already plain English (their names are the table headings, their
values labels from ``config/code_lists.yaml``): a code or free text from the exports never
becomes a label (values ``config/`` does not know are "Other / unrecognised", missing ones
"Not recorded").

The week is Monday..Sunday; when the as-of date falls mid-week the week runs from its
Monday to the as-of date and is compared with the same days of the week before. Returns
are also counted since the programme start (``programme_start`` in
``config/thresholds.yaml``). A dataset absent from the export gives ``None``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..dates import parse_as_of
from ..publish.labels import OTHER, code_labels, column_label, known_labels
from ..rules.cases import age_at
from ..rules.hosting import active_on, visit_status
from ..rules.referrals import follow_up_overdue

NOT_RECORDED = "Not recorded"
# The airport of a flight whose manifest is not among the exports (a flight that left is
# known from the case records, which hold no airport): said as such, not "Not recorded".
NO_MANIFEST = "No manifest in the exports"
AGE_BANDS = ("0–4", "5–11", "12–17", "18–59", "60+")
AGE_EDGES = (0, 5, 12, 18, 60)
TREND_WEEKS = 12
CHILDREN, ADULTS = "Children (under 18)", "Adults (18 and over)"

# Table headings (grouping columns of the record frames).
SEX = column_label("sex")
AGE = column_label("age_band")
FLIGHT_TYPE = column_label("flight_type")
DESTINATION = column_label("destination_country")
LOCATION_TYPE = column_label("location_type")
MANTIKA = column_label("mantika")
AIRPORT = column_label("departure_airport")
STATUS = column_label("case_status")
VULNERABILITY = column_label("vulnerability")
SERVICE = column_label("service")
PARTNER = column_label("referred_to")
OUTCOME = column_label("outcome")
ACTIVITY = column_label("activity_type")
VISIT_TYPE = column_label("visit_type")
COMPLIANCE = column_label("compliance")
WEEK = column_label("week")
AGE_GROUP = "Children and adults"
EVENT = "Step"
PERIOD = "Period"
FLIGHT = "Flight"
CHANGE = "Change"
FOLLOW_UP = "Follow-up"
PLACE = "Kind of place"
LOCATION_NOW = "Where they stay"  # the caseload's location type on the report date
OPEN = "Open cases"  # not departed, not cancelled: the caseload on the report date

# The dated steps of a case (case records' date columns), in the order a case moves.
CASE_STEPS = {
    "registration_date": "Registrations",
    "interview_date": "Pre-departure interviews",
    "avm_screening_date": "Vulnerability (AVM) screenings",
    "protection_clearance_date": "Protection clearances",
    "bia_date": "Best-interests assessments",
    "travel_document_date": "Travel documents issued",
    "ftt_date": "Fit-to-travel checks",
}
# travel_document_date counts only when the document was issued. Departures are the
# returns (counted with them, so that the two tables are protected together).
STEP_CONDITIONS = {"travel_document_date": ("travel_document_status", "issued")}
DEPARTURES = "Departures"


@dataclass(frozen=True)
class Period:
    """A span of days, both ends included."""

    name: str
    start: date
    end: date

    def contains(self, dates: pd.Series) -> np.ndarray:
        """Vectorised: which ``dates`` (datetime64, NaT allowed) fall in the period."""
        inside = dates.ge(pd.Timestamp(self.start)) & dates.le(pd.Timestamp(self.end))
        return inside.fillna(False).to_numpy(dtype=bool)


def report_periods(as_of: date, programme_start: date) -> dict[str, Period]:
    """This week (Monday..as_of), the same days of the week before, the rest of this
    week and the next week (for flights), and the programme so far."""
    monday = as_of - timedelta(days=as_of.weekday())
    return {
        "week": Period("week", monday, as_of),
        "previous": Period("previous", monday - timedelta(days=7), as_of - timedelta(days=7)),
        "flights": Period("flights", monday, monday + timedelta(days=13)),
        "programme": Period("programme", programme_start, as_of),
    }


@dataclass
class WeeklyData:
    """The records of every figure of the weekly report. ``None``: dataset absent."""

    as_of: date
    iso_year: int
    week: int
    periods: dict[str, Period]
    datasets: tuple[str, ...]
    # One row per individual of the case records: status, and for those who departed
    # (from the earliest period shown to as-of) the grouping columns of the returns tables.
    people: pd.DataFrame | None = None
    vulnerabilities: pd.DataFrame | None = None  # one row per (returnee, vulnerability)
    steps: pd.DataFrame | None = None  # one row per dated step this week or the week before
    flights: pd.DataFrame | None = None  # one row per flight this week and next (exact)
    passengers: pd.DataFrame | None = None  # one row per passenger of those flights
    referral_outcomes: pd.DataFrame | None = None  # follow-ups recorded this week
    referrals_made: pd.DataFrame | None = None  # referred this week or the week before
    overdue_referrals: pd.DataFrame | None = None  # R001 on the as-of date
    activities: pd.DataFrame | None = None  # field log entries of the week
    placements: pd.DataFrame | None = None  # active on as-of, started or ended this week
    payments: pd.DataFrame | None = None  # payments made this week (LYD)
    visits: pd.DataFrame | None = None  # monitoring visits of the week
    visit_flags: pd.DataFrame | None = None  # active placements: visit overdue (H001)

    @property
    def week_label(self) -> str:
        return f"{self.iso_year}-W{self.week:02d}"

    @property
    def week_complete(self) -> bool:
        """The as-of date is the Sunday: the week is complete."""
        return self.as_of.isoweekday() == 7

    def returns_in(self, period: str) -> np.ndarray:
        """Mask over :attr:`people`: departed in ``period``."""
        return self.periods[period].contains(self.people["departure_date"])


# --------------------------------------------------------------------------- labels


def country_name(code: str) -> str:
    """English short name of an ISO 3166-1 alpha-3 code (the code itself if unknown)."""
    import pycountry

    found = pycountry.countries.get(alpha_3=str(code).upper())
    if found is None:
        return str(code)
    return getattr(found, "common_name", None) or found.name


def _by_distinct(values: pd.Series, label) -> tuple[np.ndarray, np.ndarray]:
    """(label of each value, the distinct labels in order of appearance): ``label`` maps an
    array of distinct values (text, missing as None) to their labels; an export has few
    distinct values, so each is labelled once and the rows only take their label."""
    codes, uniques = pd.factorize(values.astype("string"), use_na_sentinel=True)
    names = np.asarray(label(pd.Series(uniques, dtype=object)), dtype=object)
    names = np.append(names, NOT_RECORDED)  # code -1 (missing) takes the last
    return names[codes], names


def labelled(values: pd.Series, code_list: str, cfg: Config | None = None) -> pd.Series:
    """Codes as their plain-English labels, a categorical in code-list order; unknown
    values "Other / unrecognised", missing "Not recorded" (categories only when present)."""
    labels = code_labels(code_list, cfg)
    out, _ = _by_distinct(values, lambda u: [labels.get(v, OTHER) for v in u])
    extra = [c for c in (OTHER, NOT_RECORDED) if (out == c).any()]
    categories = list(dict.fromkeys(labels.values())) + extra
    return pd.Series(pd.Categorical(out, categories=categories), index=values.index)


def known_names(values: pd.Series, column: str) -> pd.Series:
    """Values ``config/`` knows for ``column`` (mantika, partner, airport), else "Other /
    unrecognised"; missing "Not recorded"."""
    out, _ = _by_distinct(values, lambda u: known_labels(u, column).to_numpy())
    return pd.Series(out, index=values.index, dtype=object)


def country_names(values: pd.Series) -> pd.Series:
    """ISO3 codes as country names; unknown "Other / unrecognised", missing "Not recorded"."""

    def names(uniques: pd.Series) -> list[str]:
        codes = known_labels(uniques, "destination_country")
        return [c if c == OTHER else country_name(c) for c in codes]

    out, _ = _by_distinct(values, names)
    return pd.Series(out, index=values.index, dtype=object)


def age_on(dates: pd.Series, birth: pd.Series, stated: pd.Series) -> pd.Series:
    """Age on ``dates`` from the date of birth (:func:`protection_workbench.rules.cases.
    age_at`), the stated ``age`` where the date of birth or the date is missing."""
    years = age_at(birth, dates).astype("Float64")
    return years.fillna(pd.to_numeric(stated, errors="coerce").astype("Float64"))


def age_band(ages: pd.Series) -> pd.Series:
    """Age bands 0–4, 5–11, 12–17, 18–59, 60+ ("Not recorded" where the age is missing)."""
    numbers = pd.to_numeric(ages, errors="coerce").astype("float64")
    bands = pd.cut(numbers, [*AGE_EDGES, np.inf], right=False, labels=list(AGE_BANDS))
    out = bands.astype("object").where(bands.notna(), NOT_RECORDED)
    extra = [NOT_RECORDED] if (out == NOT_RECORDED).any() else []
    return pd.Series(pd.Categorical(out, categories=[*AGE_BANDS, *extra]), index=ages.index)


def week_name(start: pd.Timestamp, as_of: date) -> str:
    """ "2026-W47", or "2026-W48 (to 24 Nov)" for the week still in progress."""
    iso = start.isocalendar()
    name = f"{iso.year}-W{iso.week:02d}"
    if start + pd.Timedelta(days=6) > pd.Timestamp(as_of):
        name += f" (to {as_of.day} {as_of:%b})"
    return name


def trend_weeks(as_of: date, weeks: int = TREND_WEEKS) -> pd.DatetimeIndex:
    """The Mondays of the ``weeks`` ISO weeks ending with the as-of week."""
    monday = as_of - timedelta(days=as_of.weekday())
    return pd.to_datetime([monday - timedelta(days=7 * i) for i in range(weeks - 1, -1, -1)])


# --------------------------------------------------------------------------- records


def _is(values: pd.Series, code: str) -> np.ndarray:
    return values.astype("string").eq(code).fillna(False).to_numpy(dtype=bool)


def individuals(
    cases: pd.DataFrame, since: date, as_of: date, cfg: Config, airports: pd.Series | None
) -> pd.DataFrame:
    """Every individual of the case records (one row each): the status of the export and,
    for those who departed from ``since`` to as-of, the grouping columns of the returns
    tables (missing for the others, so they are not counted there). ``airports`` maps a
    manifest id of the exports to its departure airport (:func:`manifest_airports`); a
    departure whose manifest is not among them has the airport :data:`NO_MANIFEST`.

    One frame for the pipeline, the caseload and every table of returns, so that they are
    protected together: the number of departed individuals is in both. Everyone has the
    location type of the case record (:data:`LOCATION_NOW`) and whether the case is open
    on as-of (:data:`OPEN`: a status other than the final ones of ``config/``)."""
    people = cases.drop_duplicates("individual_id").reset_index(drop=True)
    inside = Period("", since, as_of).contains(people["departure_date"])
    departed = _is(people["case_status"], "departed") & inside
    gone = people[departed]
    age = age_on(gone["departure_date"], gone["date_of_birth"], gone["age"])
    weeks = trend_weeks(as_of)
    days = gone["departure_date"].dt.normalize()
    week_start = days - pd.to_timedelta(days.dt.day_of_week, "D")
    names = [week_name(w, as_of) for w in weeks]
    week = pd.Categorical(week_start.where(week_start.isin(weeks)), categories=weeks)
    week = week.rename_categories(names)
    listed = gone["manifest_id"].map(airports) if airports is not None else np.nan
    airport = np.where(
        gone["manifest_id"].isna().to_numpy(dtype=bool),
        NOT_RECORDED,
        pd.Series(listed, index=gone.index, dtype=object).fillna(NO_MANIFEST).to_numpy(),
    )
    adult = age.ge(cfg.thresholds.adult_age)
    groups = pd.DataFrame(
        {
            SEX: labelled(gone["sex"], "sex", cfg),
            AGE: age_band(age),
            AGE_GROUP: pd.Categorical(
                np.where(adult.isna(), None, np.where(adult.fillna(False), ADULTS, CHILDREN)),
                categories=[CHILDREN, ADULTS],
            ),
            FLIGHT_TYPE: labelled(gone["flight_type"], "flight_type", cfg),
            DESTINATION: country_names(gone["destination_country"]),
            LOCATION_TYPE: labelled(gone["location_type"], "location_type", cfg),
            MANTIKA: known_names(gone["mantika"], "mantika"),
            AIRPORT: pd.Series(airport, index=gone.index, dtype=object).fillna(NOT_RECORDED),
            WEEK: pd.Series(week, index=gone.index),
        },
        index=gone.index,
    ).reindex(people.index)
    return pd.concat(
        [
            pd.DataFrame(
                {
                    "departure_date": people["departure_date"].where(departed),
                    "manifest_id": people["manifest_id"],
                    "case_status": people["case_status"],
                    "vulnerabilities": people["vulnerabilities"].where(departed),
                    STATUS: labelled(people["case_status"], "case_status", cfg),
                    LOCATION_NOW: labelled(people["location_type"], "location_type", cfg),
                    OPEN: ~people["case_status"]
                    .astype("string")
                    .isin(cfg.codes("final_case_status"))
                    .fillna(False)
                    .to_numpy(dtype=bool),
                }
            ),
            groups,
        ],
        axis=1,
    )


def vulnerability_records(people: pd.DataFrame, cfg: Config) -> pd.DataFrame:
    """One row per (returnee, recorded vulnerability), with the returnee's departure date."""
    listed = people["vulnerabilities"].astype("string").str.split(";").explode().str.strip()
    listed = listed[listed.notna() & listed.ne("")]
    return pd.DataFrame(
        {
            "departure_date": people["departure_date"].loc[listed.index].to_numpy(),
            VULNERABILITY: labelled(listed, "vulnerability", cfg).to_numpy(),
        }
    )


def case_steps(cases: pd.DataFrame, periods: dict[str, Period], names: dict[str, str]):
    """One row per dated step of a case (:data:`CASE_STEPS`) that falls this week or on
    the same days of the week before: columns Step and Period (``names``: period labels)."""
    parts = []
    for column, step in CASE_STEPS.items():  # eight columns, not rows
        dates = cases[column]
        if column in STEP_CONDITIONS:
            status, code = STEP_CONDITIONS[column]
            dates = dates.where(_is(cases[status], code))
        for period in ("week", "previous"):
            n = int(periods[period].contains(dates).sum())
            parts.append(pd.DataFrame({EVENT: [step] * n, PERIOD: [names[period]] * n}))
    steps = pd.concat(parts, ignore_index=True)
    steps[EVENT] = pd.Categorical(steps[EVENT], categories=list(CASE_STEPS.values()))
    steps[PERIOD] = pd.Categorical(steps[PERIOD], categories=[names["week"], names["previous"]])
    return steps


def manifest_airports(manifest: pd.DataFrame | None) -> pd.Series | None:
    """manifest id -> departure airport name as recorded on the manifest, for every
    manifest of the exports ("Not recorded" when none of its rows names one); None
    without manifests."""
    if manifest is None:
        return None
    ids = manifest["manifest_id"].astype("string")
    if "departure_airport" in manifest:
        named = known_names(manifest["departure_airport"], "departure_airport")
        named = named.where(manifest["departure_airport"].notna().to_numpy())
    else:
        named = pd.Series(np.nan, index=manifest.index, dtype=object)
    named = pd.Series(named.to_numpy(), index=ids.to_numpy(), dtype=object)[ids.notna().to_numpy()]
    return (
        named.groupby(level=0, sort=False)
        .first()
        .reindex(ids.dropna().unique())
        .fillna(NOT_RECORDED)
    )


def flight_records(
    manifest: pd.DataFrame | None, cases: pd.DataFrame | None, periods: dict[str, Period]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The flights of this week and next week: those of the manifests, and the flights
    the case records show as departed this week that no manifest in the folder lists.

    Returns (flights: one row per flight, exact; manifest id -> the flight's key, its
    date order "Flight 1", ...; the manifests' passengers, one row each with the key)."""
    window, week = periods["flights"], periods["week"]
    parts = []
    if manifest is not None:
        on = manifest[window.contains(manifest["flight_date"])]
        airport = (
            on["departure_airport"]
            if "departure_airport" in on
            else pd.Series(pd.NA, index=on.index)
        )
        parts.append(
            pd.DataFrame(
                {
                    "manifest_id": on["manifest_id"].astype("string"),
                    "individual_id": on["individual_id"].astype("string"),
                    "date": on["flight_date"],
                    "airport": airport,
                    "type": on["flight_type"],
                    "destination": on["destination_country"],
                    "listed": True,
                }
            )
        )
    if cases is not None:
        gone = cases[_is(cases["case_status"], "departed") & week.contains(cases["departure_date"])]
        listed = set(parts[0]["manifest_id"].dropna()) if parts else set()
        gone = gone[gone["manifest_id"].notna() & ~gone["manifest_id"].isin(listed)]
        parts.append(
            pd.DataFrame(
                {
                    "manifest_id": gone["manifest_id"].astype("string"),
                    "individual_id": gone["individual_id"].astype("string"),
                    "date": gone["departure_date"],
                    "airport": pd.Series(pd.NA, index=gone.index),
                    "type": gone["flight_type"],
                    "destination": gone["destination_country"],
                    "listed": False,  # no manifest in the exports: no airport to read
                }
            )
        )
    people = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    people = people[people["manifest_id"].notna()].drop_duplicates(["manifest_id", "individual_id"])
    first = people.groupby("manifest_id", sort=False).first().reset_index()
    first = first.sort_values(["date", "manifest_id"], kind="stable").reset_index(drop=True)
    keys = [f"{FLIGHT} {i}" for i in range(1, len(first) + 1)]
    next_week = first["date"] > pd.Timestamp(week.start + timedelta(days=6))
    flights = pd.DataFrame(
        {
            FLIGHT: keys,
            "Week": np.where(next_week, "Next week", "This week"),
            column_label("flight_date"): first["date"].dt.strftime("%a %d %b %Y"),
            AIRPORT: np.where(
                first["listed"].to_numpy(dtype=bool),
                known_names(first["airport"], "departure_airport").to_numpy(),
                NO_MANIFEST,
            ),
            DESTINATION: country_names(first["destination"]).to_numpy(),
            FLIGHT_TYPE: labelled(first["type"], "flight_type").astype(str).to_numpy(),
        }
    )
    key_of = pd.Series(keys, index=first["manifest_id"].to_numpy(), dtype=object)
    passengers = pd.DataFrame(
        {FLIGHT: pd.Categorical(people["manifest_id"].map(key_of), categories=keys)}
    )
    return flights, key_of, passengers


def flight_passengers(people: pd.DataFrame, keys: pd.Series, week: Period) -> pd.Series:
    """The flight key of each individual on a flight of the window (departed this week,
    or manifested), missing for the others."""
    on_flight = week.contains(people["departure_date"]) | _is(people["case_status"], "manifested")
    flight = people["manifest_id"].map(keys).where(on_flight)
    return pd.Series(pd.Categorical(flight, categories=list(keys)), index=people.index)


def referral_records(referrals: pd.DataFrame, as_of: date, week: Period):
    """(outcomes recorded this week: a follow-up date in the week; overdue follow-ups on
    as-of, rule R001 :func:`~protection_workbench.rules.referrals.follow_up_overdue`)."""

    def grouped(refs: pd.DataFrame) -> pd.DataFrame:
        return pd.DataFrame(
            {
                SERVICE: labelled(refs["service"], "service").array,
                PARTNER: known_names(refs["referred_to"], "referred_to").to_numpy(),
                OUTCOME: labelled(refs["outcome"], "referral_outcome").array,
            }
        )

    recorded = referrals[week.contains(referrals["follow_up_date"])]
    overdue = referrals[follow_up_overdue(referrals, as_of).fillna(False).to_numpy(dtype=bool)]
    return grouped(recorded), grouped(overdue)


def referrals_made(referrals: pd.DataFrame, periods: dict[str, Period]) -> pd.DataFrame:
    """The referrals made this week or on the same days of the week before (their
    ``referral_date``): service, and in which of the two periods (boolean columns ``week``
    and ``previous``)."""
    made = {p: periods[p].contains(referrals["referral_date"]) for p in ("week", "previous")}
    inside = made["week"] | made["previous"]
    made_in = referrals[inside]
    return pd.DataFrame(
        {
            SERVICE: labelled(made_in["service"], "service").array,
            "week": made["week"][inside],
            "previous": made["previous"][inside],
        }
    )


def site_types(locations: pd.Series, cfg: Config) -> pd.Series:
    """The kind of place of each site of ``config/sites.yaml`` (detention centre, urban,
    shelter, community hosting); other places "Other / unrecognised"."""
    kinds = code_labels("location_type", cfg)
    of_site = {site.name: kinds.get(site.location_type, OTHER) for site in cfg.sites.sites}
    out, _ = _by_distinct(locations, lambda u: [of_site.get(v, OTHER) for v in u])
    return pd.Series(out, index=locations.index, dtype=object)


def activity_records(activities: pd.DataFrame, week: Period, cfg: Config) -> pd.DataFrame:
    """The field log entries of the week: activity, mantika, kind of place, participants
    and kits."""
    logged = activities[week.contains(activities["date"])]
    numbers = {
        c: pd.to_numeric(logged[c], errors="coerce").fillna(0).astype(int).to_numpy()
        for c in ("participants_f", "participants_m", "participants_children", "items")
    }
    return pd.DataFrame(
        {
            ACTIVITY: labelled(logged["activity_type"], "activity_type").array,
            MANTIKA: known_names(logged["mantika"], "mantika").to_numpy(),
            PLACE: site_types(logged["location"], cfg).to_numpy(),
            **numbers,
        }
    )


def placement_records(placements: pd.DataFrame, as_of: date, week: Period) -> pd.DataFrame:
    """Placements active on as-of, or started or ended this week: column Change."""
    active = active_on(placements, pd.Timestamp(as_of))
    started = week.contains(placements["start_date"])
    ended = week.contains(placements["end_date"])
    counts = {
        "Hosted on the report date": int(active.sum()),
        "Placements started this week": int(started.sum()),
        "Placements ended this week": int(ended.sum()),
    }
    labels = np.repeat(list(counts), list(counts.values()))
    out = pd.DataFrame({CHANGE: pd.Categorical(labels, categories=list(counts))})
    return out


def _host_mantika(host_ids: pd.Series, hosts: pd.DataFrame | None) -> np.ndarray:
    if hosts is None:
        return np.full(len(host_ids), NOT_RECORDED, dtype=object)
    by_host = hosts.drop_duplicates("host_id").set_index("host_id")["mantika"]
    return known_names(host_ids.map(by_host), "mantika").to_numpy()


def hosting_records(frames: dict[str, pd.DataFrame], as_of: date, week: Period, cfg: Config):
    """(payments made this week, visits of the week, active placements with their
    H001 visit status), each with the host's mantika."""
    hosts, placements = frames.get("hosts"), frames.get("placements")
    payments = visits = flags = None
    if "payments" in frames:
        paid = frames["payments"][week.contains(frames["payments"]["paid_date"])]
        payments = pd.DataFrame(
            {
                MANTIKA: _host_mantika(paid["host_id"], hosts),
                "amount_lyd": pd.to_numeric(paid["amount_lyd"], errors="coerce").fillna(0.0),
            }
        )
    if "visits" in frames:
        seen = frames["visits"][week.contains(frames["visits"]["visit_date"])]
        visits = pd.DataFrame(
            {
                VISIT_TYPE: labelled(seen["visit_type"], "visit_type").array,
                COMPLIANCE: labelled(seen["compliance"], "compliance").array,
                FOLLOW_UP: np.where(
                    seen["issue_followed_up"].fillna(False).astype(bool).to_numpy(),
                    "Marked as followed up",
                    "Not yet followed up",
                ),
            }
        )
    if placements is not None and "visits" in frames:
        t = cfg.thresholds
        day = pd.Timestamp(as_of)
        # only the placements active on the day can be overdue (H001): read no others
        active = placements[active_on(placements, day)]
        status = visit_status(
            active, frames["visits"], day, t.visit_interval_days, t.first_visit_days
        )
        host_of = active["host_id"]
        flags = pd.DataFrame(
            {
                MANTIKA: _host_mantika(host_of, hosts),
                "overdue": (status["overdue"] | status["no_first_visit"]).to_numpy(dtype=bool),
            }
        )
    return payments, visits, flags


# --------------------------------------------------------------------------- all of it


def period_names(data_or_complete) -> dict[str, str]:
    """Column labels of the periods ("Same days last week" while the week runs)."""
    complete = getattr(data_or_complete, "week_complete", data_or_complete)
    return {
        "week": "This week",
        "previous": "Week before" if complete else "Same days last week",
        "programme": "Since programme start",
    }


def weekly_data(
    export_frames: dict[str, pd.DataFrame], as_of: date | str, cfg: Config | None = None
) -> WeeklyData:
    """The records of every figure of the weekly report for the ISO week of ``as_of``."""
    cfg = cfg or get_config()
    as_of = parse_as_of(as_of)
    iso = as_of.isocalendar()
    periods = report_periods(as_of, cfg.thresholds.programme_start)
    frames = {k: v for k, v in export_frames.items() if v is not None}
    data = WeeklyData(as_of, iso.year, iso.week, periods, tuple(sorted(frames)))
    names = period_names(data)
    cases, manifest = frames.get("cases"), frames.get("manifest")
    if cases is not None:
        since = min(
            periods["programme"].start, periods["previous"].start, trend_weeks(as_of)[0].date()
        )
        data.people = individuals(cases, since, as_of, cfg, manifest_airports(manifest))
        data.vulnerabilities = vulnerability_records(data.people, cfg)
        data.steps = case_steps(cases, periods, names)
    if cases is not None or manifest is not None:
        data.flights, keys, data.passengers = flight_records(manifest, cases, periods)
        if data.people is not None:  # passengers counted with the returns
            data.people[FLIGHT] = flight_passengers(data.people, keys, periods["week"])
            data.passengers = data.people
    if "referrals" in frames:
        data.referral_outcomes, data.overdue_referrals = referral_records(
            frames["referrals"], as_of, periods["week"]
        )
        data.referrals_made = referrals_made(frames["referrals"], periods)
    if "activities" in frames:
        data.activities = activity_records(frames["activities"], periods["week"], cfg)
    if "placements" in frames:
        data.placements = placement_records(frames["placements"], as_of, periods["week"])
    data.payments, data.visits, data.visit_flags = hosting_records(
        frames, as_of, periods["week"], cfg
    )
    return data
