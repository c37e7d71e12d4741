"""Case record rules C001–C015 (rules.md, "Case records").

Each rule reads the ``cases`` frame, builds a boolean condition per way of breaking it,
and words a message for the rows that break it only. The helpers above the rules
(stages, vulnerabilities, ages) are the domain terms of docs/rules-interpretation.md;
reports may use them too. Messages are matched to rows by index label, so the frame's
index must be unique (cleaned frames have a RangeIndex).
"""

from __future__ import annotations

import functools
import re

import pandas as pd

from ..clean.names import normalise_name_key
from ..contract import CASES
from .registry import Context, findings, fmt_date, join_reasons, rule, text

STAGES = ["registered", "counselled", "documents_pending", "ready", "manifested", "departed"]
DATE_COLUMNS = [c.name for c in CASES.columns if c.kind == "date"]


# --------------------------------------------------------------------------- domain terms


def status_in(cases: pd.DataFrame, statuses: list[str]) -> pd.Series:
    """Whether each case_status is one of ``statuses`` (False when missing)."""
    return cases["case_status"].isin(statuses)


def at_or_after(cases: pd.DataFrame, stage: str) -> pd.Series:
    """Whether each case has reached ``stage`` in the stage order (registered < counselled
    < documents_pending < ready < manifested < departed); cancelled and on_hold never have."""
    return status_in(cases, STAGES[STAGES.index(stage) :])


def has_vulnerability(vulnerabilities: pd.Series, codes: list[str]) -> pd.Series:
    """Whether the ``;``-joined vulnerability codes contain any of ``codes``."""
    pattern = "(?:^|;)(?:" + "|".join(map(re.escape, codes)) + ")(?:;|$)"
    return vulnerabilities.str.contains(pattern).fillna(False).astype(bool)


def age_at(dob: pd.Series, when: pd.Series) -> pd.Series:
    """Full years from the dates of birth ``dob`` to the dates ``when`` (<NA> where either
    is missing): the age a person had on that day."""
    years = when.dt.year - dob.dt.year
    before_birthday = (when.dt.month < dob.dt.month) | (
        (when.dt.month == dob.dt.month) & (when.dt.day < dob.dt.day)
    )
    return (years - before_birthday.astype(int)).astype("Int64")


def is_adult(cases: pd.DataFrame, adult_age: int) -> pd.Series:
    """Whether the stated age is ``adult_age`` (18) or more (False when missing)."""
    return (cases["age"] >= adult_age).fillna(False).astype(bool)


def is_child(cases: pd.DataFrame, adult_age: int) -> pd.Series:
    """Whether the stated age is under ``adult_age`` (18) (False when missing)."""
    return (cases["age"] < adult_age).fillna(False).astype(bool)


def days_between(earlier: pd.Series, later: pd.Series | pd.Timestamp) -> pd.Series:
    """Whole days from ``earlier`` to ``later`` (<NA> where a date is missing)."""
    return (later - earlier).dt.days.astype("Int64")


def present_date_columns(cases: pd.DataFrame) -> list[str]:
    return [c for c in DATE_COLUMNS if c in cases.columns]


@functools.cache
def _iso3_codes() -> tuple[str, ...]:
    import pycountry

    return tuple(c.alpha_3 for c in pycountry.countries)


def iso3_codes() -> list[str]:
    """Every ISO 3166-1 alpha-3 country code."""
    return list(_iso3_codes())


def _case_findings(cases: pd.DataFrame, breaks: pd.Series, message) -> pd.DataFrame:
    """Findings of the rows where ``breaks`` holds; ``message`` is a string or a function of
    those rows (a frame) that returns their messages."""
    bad = cases[breaks.to_numpy(dtype=bool)]
    msg = message if isinstance(message, str) else message(bad)
    return findings("cases", bad["individual_id"], msg, bad["case_id"])


def _any(conditions) -> pd.Series:
    out = conditions[0]
    for more in conditions[1:]:
        out = out | more
    return out


def _reasons(cases: pd.DataFrame, parts, sep: str = "; ", prefix=None) -> pd.DataFrame:
    """Findings of the rows where any condition of ``parts`` holds, naming every one that
    does. ``parts`` are (condition, text) with text a string or a function of the rows."""
    breaks = _any([holds for holds, _ in parts])

    def message(bad: pd.DataFrame) -> pd.Series:
        at = breaks.to_numpy(dtype=bool)
        reasons = join_reasons(
            [
                (holds[at], words if isinstance(words, str) else words(bad))
                for holds, words in parts
            ],
            sep,
        )
        return reasons if prefix is None else prefix(bad) + reasons

    return _case_findings(cases, breaks, message)


# --------------------------------------------------------------------------- the rules


@rule("C001", "error", "Required field missing at the case's stage", ("cases",))
def c001(ctx: Context) -> pd.DataFrame:
    """A field that the case's stage requires is empty. Every record needs the required
    columns of the data contract; from *counselled* on the interview date; from *ready* on an
    issued travel document and a *fit* fit-to-travel result; from *manifested* on the manifest
    and flight type; a *departed* case also its departure date. Fill in the field in MiMOSA,
    or correct the case status if the case has not reached that stage."""
    cases = ctx.frames["cases"]
    ready, manifested = at_or_after(cases, "ready"), at_or_after(cases, "manifested")
    parts = [(cases[c].isna(), c) for c in CASES.required]
    parts += [
        (at_or_after(cases, "counselled") & cases["interview_date"].isna(), "interview_date"),
        (
            ready & (cases["travel_document_status"] != "issued"),
            "travel document not issued",
        ),
        (ready & (cases["ftt_status"] != "fit"), "fit-to-travel not 'fit'"),
        (manifested & cases["manifest_id"].isna(), "manifest_id"),
        (manifested & cases["flight_type"].isna(), "flight_type"),
        (status_in(cases, ["departed"]) & cases["departure_date"].isna(), "departure_date"),
    ]

    def prefix(bad):
        status = text(bad["case_status"]).replace("", "(no status)")
        return "required at status " + status + ": "

    return _reasons(cases, parts, ", ", prefix)


@rule("C002", "error", "Individual recorded more than once", ("cases",))
def c002(ctx: Context) -> pd.DataFrame:
    """The same individual_id appears on more than one row of the case export. Each person
    must have exactly one record: merge the duplicates in MiMOSA."""
    cases = ctx.frames["cases"]
    ids = cases["individual_id"]
    rows = ids.groupby(ids, sort=False).transform("size")  # <NA> for a missing id
    twice = (rows > 1).fillna(False)

    def message(bad):
        return "individual_id on " + rows[bad.index].astype(int).astype(str) + " rows"

    return _case_findings(cases, twice, message)


@rule("C003", "warning", "Probable duplicate person", ("cases",))
def c003(ctx: Context) -> pd.DataFrame:
    """Two or more records under different individual_ids have the same name (ignoring case,
    spacing, accents and Arabic/Latin spelling), date of birth and nationality. They are
    probably one person registered twice: check and merge if so."""
    cases = ctx.frames["cases"]
    person = pd.DataFrame(
        {
            "name": normalise_name_key(cases["first_name"], cases["last_name"]),
            "date_of_birth": cases["date_of_birth"],
            "nationality": cases["nationality"],
            "individual_id": cases["individual_id"],
        },
        index=cases.index,
    )
    key = ["name", "date_of_birth", "nationality"]
    usable = (
        (person["name"] != "") & person["date_of_birth"].notna() & person["nationality"].notna()
    )
    # Only records that share their key with another record can be duplicates.
    shared = person[usable & person.duplicated(key, keep=False)]
    ids = shared.groupby(key, sort=False)["individual_id"].transform("nunique")
    duplicate = pd.Series(False, index=cases.index)
    duplicate[ids.index[ids > 1]] = True

    def message(bad):
        others = (ids[bad.index] - 1).astype(str)
        return "same name, date of birth and nationality as " + others + " other record(s)"

    return _case_findings(cases, duplicate, message)


ORDERED_DATES = [
    ("date_of_birth", "registration_date"),
    ("registration_date", "interview_date"),
    ("interview_date", "departure_date"),
    ("ftt_date", "departure_date"),
    ("registration_date", "avm_screening_date"),
    ("registration_date", "protection_clearance_date"),
    ("registration_date", "bia_date"),
]


@rule("C004", "error", "Dates out of order", ("cases",))
def c004(ctx: Context) -> pd.DataFrame:
    """Dates of one record contradict each other: birth must come before registration,
    registration before interview, interview and fit-to-travel before departure, and
    registration before any screening, clearance or best-interests assessment. One of the
    dates was probably mistyped (day and month swapped, wrong year)."""
    cases = ctx.frames["cases"]
    parts = [
        (
            cases[a] > cases[b],  # a missing date compares False
            lambda bad, a=a, b=b: (
                a + " " + fmt_date(bad[a]) + " is after " + b + " " + fmt_date(bad[b])
            ),
        )
        for a, b in ORDERED_DATES
        if a in cases.columns and b in cases.columns
    ]
    return _reasons(cases, parts)


@rule("C005", "error", "Impossible date", ("cases",), settings=("earliest_year",))
def c005(ctx: Context) -> pd.DataFrame:
    """A date lies after the report's as-of date, or before the year 1900 (setting
    `earliest_year`). Usually a typing error in the year."""
    cases = ctx.frames["cases"]
    year = ctx.t.earliest_year
    earliest = pd.Timestamp(year=year, month=1, day=1)
    parts = []
    for c in present_date_columns(cases):
        parts += [
            (
                cases[c] > ctx.as_of,
                lambda bad, c=c: c + " " + fmt_date(bad[c]) + " is after the as-of date",
            ),
            (
                cases[c] < earliest,
                lambda bad, c=c: c + " " + fmt_date(bad[c]) + f" is before {year}",
            ),
        ]
    return _reasons(cases, parts)


@rule(
    "C006",
    "warning",
    "Stated age does not match date of birth",
    ("cases",),
    settings=("age_tolerance_years", "age_min", "age_max"),
)
def c006(ctx: Context) -> pd.DataFrame:
    """The stated age differs by more than one year (setting `age_tolerance_years`) from the
    age computed from the date of birth at registration, or is outside 0–100. Check the
    date of birth and the age with the person's documents."""
    cases = ctx.frames["cases"]
    t = ctx.t
    computed = age_at(cases["date_of_birth"], cases["registration_date"])
    age = cases["age"]
    differs = ((age - computed).abs() > t.age_tolerance_years).fillna(False)
    out_of_range = ((age < t.age_min) | (age > t.age_max)).fillna(False)

    def differs_text(bad):
        years = computed[bad.index].astype("str").fillna("")
        return (
            "stated age "
            + text(bad["age"])
            + " but "
            + years
            + " from date of birth at registration"
        )

    parts = [
        (differs, differs_text),
        (out_of_range, lambda bad: "age " + text(bad["age"]) + f" outside {t.age_min}–{t.age_max}"),
    ]
    return _reasons(cases, parts)


@rule("C007", "error", "Unaccompanied child not flagged", ("cases",), settings=("adult_age",))
def c007(ctx: Context) -> pd.DataFrame:
    """A child (under 18) has no adult in the same case and is not flagged as unaccompanied
    (uasc) or separated (separated_child). Unaccompanied children need best-interests
    procedures: flag the child, or add the accompanying adult to the case."""
    cases = ctx.frames["cases"]
    adult = is_adult(cases, ctx.t.adult_age)
    # A record without case_id has no case, so no adult in it.
    case_has_adult = (
        adult.groupby(cases["case_id"], sort=False).transform("any").fillna(False).astype(bool)
    )
    flagged = has_vulnerability(cases["vulnerabilities"], ctx.cfg.codes("bia_vulnerability"))
    unaccompanied = is_child(cases, ctx.t.adult_age) & ~case_has_adult & ~flagged

    def message(bad):
        return (
            "child aged "
            + text(bad["age"])
            + " with no adult in case and no uasc/separated_child flag"
        )

    return _case_findings(cases, unaccompanied, message)


@rule(
    "C008",
    "error",
    "Unaccompanied or separated child without a best interests assessment (BIA)",
    ("cases",),
)
def c008(ctx: Context) -> pd.DataFrame:
    """An unaccompanied or separated child is at *ready* or later without a best-interests
    assessment (bia_date). The BIA must be done and recorded before the child can move."""
    cases = ctx.frames["cases"]
    no_bia = (
        has_vulnerability(cases["vulnerabilities"], ctx.cfg.codes("bia_vulnerability"))
        & at_or_after(cases, "ready")
        & cases["bia_date"].isna()
    )

    def message(bad):
        status = text(bad["case_status"])
        return "unaccompanied/separated child at status " + status + " without bia_date"

    return _case_findings(cases, no_bia, message)


@rule("C009", "error", "Vulnerable case moving without protection clearance", ("cases",))
def c009(ctx: Context) -> pd.DataFrame:
    """A case with a vulnerability that needs protection clearance (uasc, separated_child,
    vot, gbv, medical) is at *ready* or later but its protection clearance is not *cleared*.
    Obtain and record the clearance before the case moves."""
    cases = ctx.frames["cases"]
    not_cleared = (
        has_vulnerability(cases["vulnerabilities"], ctx.cfg.codes("clearance_vulnerability"))
        & at_or_after(cases, "ready")
        & (cases["protection_clearance"] != "cleared")
    )

    def message(bad):
        clearance = text(bad["protection_clearance"]).replace("", "(empty)")
        return "protection clearance '" + clearance + "' at status " + text(bad["case_status"])

    return _case_findings(cases, not_cleared, message)


@rule(
    "C010",
    "error",
    "Fit-to-travel not valid for the movement",
    ("cases",),
    settings=("ftt_validity_days",),
)
def c010(ctx: Context) -> pd.DataFrame:
    """At *manifested* or *departed*, the fit-to-travel result is not *fit*, or the check is
    older than 7 days (setting `ftt_validity_days`) before departure (or before the as-of date
    while the person has not left yet). Arrange a new fit-to-travel check."""
    cases = ctx.frames["cases"]
    max_days = ctx.t.ftt_validity_days
    moving = at_or_after(cases, "manifested")
    departed = status_in(cases, ["departed"])
    # the day the check must still be valid: departure, or today while not departed yet
    reference = cases["departure_date"].where(departed, ctx.as_of)
    age_of_check = days_between(cases["ftt_date"], reference)
    not_fit = moving & (cases["ftt_status"] != "fit")
    stale = moving & (age_of_check > max_days).fillna(False)

    def stale_text(bad):
        what = departed[bad.index].map({True: "departure ", False: "as-of "})
        return (
            "FTT dated "
            + fmt_date(bad["ftt_date"])
            + " is "
            + age_of_check[bad.index].astype("str").fillna("")
            + " days before "
            + what
            + fmt_date(reference[bad.index])
            + f"; max {max_days}"
        )

    parts = [
        (not_fit, lambda bad: "fit-to-travel is '" + text(bad["ftt_status"]) + "'"),
        (stale, stale_text),
    ]
    return _reasons(cases, parts)


@rule("C011", "error", "Single-headed household without complete documents", ("cases",))
def c011(ctx: Context) -> pd.DataFrame:
    """A single-headed household is at *ready* or later but the paperwork for single-headed
    families is not marked complete (single_headed_docs_complete ≠ yes)."""
    cases = ctx.frames["cases"]
    incomplete = (
        has_vulnerability(cases["vulnerabilities"], ["single_headed_household"])
        & at_or_after(cases, "ready")
        & (cases["single_headed_docs_complete"] != "yes")
    )

    def message(bad):
        docs = text(bad["single_headed_docs_complete"]).replace("", "(empty)")
        return "single-headed household documents '" + docs + "'"

    return _case_findings(cases, incomplete, message)


@rule("C012", "warning", "Case group does not hang together", ("cases",))
def c012(ctx: Context) -> pd.DataFrame:
    """The members of one case (family group) do not agree: there is not exactly one
    principal applicant, or members have different destination countries, or — once
    manifested — different manifests. A family travels together: correct the group."""
    cases = ctx.frames["cases"]
    # Records without case_id belong to no case (C001 reports the missing case_id).
    in_case = cases["case_id"].notna()
    members = pd.DataFrame(
        {
            "principal": cases["is_principal"].fillna(False).astype(bool),
            "destination": cases["destination_country"],
            "manifest": cases["manifest_id"].where(at_or_after(cases, "manifested")),
        },
        index=cases.index,
    )
    case = members.groupby(cases["case_id"], sort=False)
    principals = case["principal"].transform("sum")
    destinations = case["destination"].transform("nunique")  # missing values do not count
    manifests = case["manifest"].transform("nunique")

    def count(values: pd.Series, bad: pd.DataFrame) -> pd.Series:
        return values[bad.index].astype(int).astype(str)

    parts = [
        (
            in_case & (principals != 1),
            lambda bad: count(principals, bad) + " principal applicants in case",
        ),
        (
            in_case & (destinations > 1),
            lambda bad: "members have " + count(destinations, bad) + " destinations",
        ),
        (
            in_case & (manifests > 1),
            lambda bad: "manifested members are on " + count(manifests, bad) + " manifests",
        ),
    ]
    return _reasons(cases, parts)


@rule("C013", "error", "Status inconsistent with the record", ("cases",))
def c013(ctx: Context) -> pd.DataFrame:
    """The case status contradicts the record: *departed* without departure date or
    manifest, a departure date on a case that has not departed, or *cancelled*/*on_hold*
    without a reason. Correct the status or the record."""
    cases = ctx.frames["cases"]
    departed = status_in(cases, ["departed"])
    parts = [
        (departed & cases["departure_date"].isna(), "departed without departure_date"),
        (departed & cases["manifest_id"].isna(), "departed without manifest_id"),
        (
            ~departed & cases["departure_date"].notna(),
            lambda bad: (
                "departure_date "
                + fmt_date(bad["departure_date"])
                + " on a case that is "
                + text(bad["case_status"])
            ),
        ),
        (
            status_in(cases, ["cancelled", "on_hold"]) & cases["status_reason"].isna(),
            lambda bad: text(bad["case_status"]) + " without status_reason",
        ),
    ]
    return _reasons(cases, parts)


def out_of_list(values: pd.Series, allowed: list[str]) -> pd.Series:
    """Whether each value is present but not in ``allowed``."""
    return values.notna() & ~values.isin(allowed)


@rule("C014", "error", "Value outside its code list", ("cases",))
def c014(ctx: Context) -> pd.DataFrame:
    """After cleaning, a coded field holds a value that is not in its code list (sex,
    nationality, destination country, location type, flight type, case status, fit-to-travel
    status, …). Either the value is a typo to correct in MiMOSA, or a new value that an
    analyst should add to config/code_lists.yaml or the country aliases."""
    cases = ctx.frames["cases"]
    parts = []
    for col in CASES.columns:
        if col.kind == "country":
            allowed = iso3_codes()
        elif col.kind == "code":
            allowed = ctx.cfg.codes(col.codes)
        else:
            continue
        parts.append(
            (
                out_of_list(cases[col.name], allowed),
                lambda bad, c=col.name: c + " '" + text(bad[c]) + "'",
            )
        )
    return _reasons(cases, parts, ", ", lambda bad: "not in code list: ")


@rule("C015", "warning", "Stalled case", ("cases",), settings=("stall_days",))
def c015(ctx: Context) -> pd.DataFrame:
    """The case is not final (departed or cancelled) and its record has not been updated for
    more than 30 days (setting `stall_days`). Follow up with the person or update the status."""
    cases = ctx.frames["cases"]
    idle_days = days_between(cases["last_updated"], ctx.as_of)
    final = status_in(cases, ctx.cfg.codes("final_case_status"))
    stalled = ~final & (idle_days > ctx.t.stall_days).fillna(False)

    def message(bad):
        return (
            "not updated for "
            + idle_days[bad.index].astype("str").fillna("")
            + " days (last "
            + fmt_date(bad["last_updated"])
            + f"); max {ctx.t.stall_days}"
        )

    return _case_findings(cases, stalled, message)
