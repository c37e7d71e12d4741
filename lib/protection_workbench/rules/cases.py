"""Case record rules C001–C015 and referral rules R001–R002 (rules.md, "Case records")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clean.text import normalise_name_key
from ..contract import CASES
from .registry import Context, findings, fmt_date, join_reasons, rule

STAGES = ["registered", "counselled", "documents_pending", "ready", "manifested", "departed"]
READY = STAGES.index("ready")
MANIFESTED = STAGES.index("manifested")
DEPARTED = STAGES.index("departed")
DATE_COLUMNS = [c.name for c in CASES.columns if c.kind == "date"]


def stage(cases: pd.DataFrame) -> np.ndarray:
    """Position of each case_status in the stage order; -1 for cancelled, on_hold or unknown."""
    rank = pd.Series(range(len(STAGES)), index=STAGES)
    return cases["case_status"].astype("str").map(rank).fillna(-1).to_numpy(dtype=int)


def text(values: pd.Series) -> pd.Series:
    return values.astype("str").fillna("")


def has_vulnerability(cases: pd.DataFrame, codes: list[str]) -> np.ndarray:
    """Whether the ``;``-joined vulnerabilities contain any of ``codes``."""
    cols = [f"vuln_{c}" for c in codes]
    if all(c in cases.columns for c in cols):
        return cases[cols].fillna(False).to_numpy(dtype=bool).any(axis=1)
    items = cases["vulnerabilities"].astype("str").fillna("").str.split(";")
    exploded = items.explode()
    return (
        exploded.isin(codes)
        .groupby(level=0)
        .any()
        .reindex(cases.index, fill_value=False)
        .to_numpy()
    )


def _case_findings(cases: pd.DataFrame, mask: np.ndarray, message: pd.Series | str) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    sub = cases.iloc[idx]
    msg = message if isinstance(message, str) else message.iloc[idx].reset_index(drop=True)
    return findings(
        "cases",
        sub["individual_id"].reset_index(drop=True),
        msg,
        sub["case_id"].reset_index(drop=True),
    )


@rule("C001", "error", "Required field missing at the case's stage", ("cases",))
def c001(ctx: Context) -> pd.DataFrame:
    """A field that the case's stage requires is empty. Every record needs the required
    columns of the data contract; from *counselled* on the interview date; from *ready* on an
    issued travel document and a *fit* fit-to-travel result; from *manifested* on the manifest
    and flight type; a *departed* case also its departure date. Fill in the field in MiMOSA,
    or correct the case status if the case has not reached that stage."""
    cases = ctx.frames["cases"]
    rank = stage(cases)
    parts = [(cases[c].isna().to_numpy(), c) for c in CASES.required]
    parts += [
        ((rank >= 1) & cases["interview_date"].isna().to_numpy(), "interview_date"),
        (
            (rank >= READY) & (text(cases["travel_document_status"]) != "issued").to_numpy(),
            "travel document not issued",
        ),
        (
            (rank >= READY) & (text(cases["ftt_status"]) != "fit").to_numpy(),
            "fit-to-travel not 'fit'",
        ),
        ((rank >= MANIFESTED) & cases["manifest_id"].isna().to_numpy(), "manifest_id"),
        ((rank >= MANIFESTED) & cases["flight_type"].isna().to_numpy(), "flight_type"),
        ((rank == DEPARTED) & cases["departure_date"].isna().to_numpy(), "departure_date"),
    ]
    any_missing = np.logical_or.reduce([m for m, _ in parts])
    reasons = join_reasons(parts, ", ")
    status = text(cases["case_status"]).replace("", "(no status)")
    message = "required at status " + status + ": " + reasons
    return _case_findings(cases, any_missing, message)


@rule("C002", "error", "Individual recorded more than once", ("cases",))
def c002(ctx: Context) -> pd.DataFrame:
    """The same individual_id appears on more than one row of the case export. Each person
    must have exactly one record: merge the duplicates in MiMOSA."""
    cases = ctx.frames["cases"]
    dup = cases["individual_id"].duplicated(keep=False).to_numpy()
    counts = cases.loc[dup, "individual_id"].map(cases["individual_id"].value_counts())
    message = pd.Series("", index=cases.index, dtype=object)
    message[dup] = "individual_id on " + counts.astype(str) + " rows"
    return _case_findings(cases, dup, message)


@rule("C003", "warning", "Probable duplicate person", ("cases",))
def c003(ctx: Context) -> pd.DataFrame:
    """Two or more records under different individual_ids have the same name (ignoring case,
    spacing, accents and Arabic/Latin spelling), date of birth and nationality. They are
    probably one person registered twice: check and merge if so."""
    cases = ctx.frames["cases"]
    full = text(cases["first_name"]) + " " + text(cases["last_name"])
    key = pd.DataFrame(
        {
            "name": normalise_name_key(full).to_numpy(),
            "dob": cases["date_of_birth"].to_numpy(),
            "nat": text(cases["nationality"]).to_numpy(),
            "id": cases["individual_id"].to_numpy(),
        }
    )
    usable = (key["name"].str.len() > 0) & key["dob"].notna() & (key["nat"] != "")
    k = key[usable]
    ids_per_key = k.groupby(["name", "dob", "nat"], sort=False)["id"].transform("nunique")
    hit = np.zeros(len(cases), dtype=bool)
    hit[np.flatnonzero(usable.to_numpy())[(ids_per_key > 1).to_numpy()]] = True
    others = ids_per_key.reindex(key.index).fillna(1).astype(int) - 1
    message = (
        "same name, date of birth and nationality as " + others.astype(str) + " other record(s)"
    )
    return _case_findings(cases, hit, message)


def _order_pairs(cases: pd.DataFrame) -> list[tuple[str, str]]:
    pairs = [
        ("date_of_birth", "registration_date"),
        ("registration_date", "interview_date"),
        ("interview_date", "departure_date"),
        ("ftt_date", "departure_date"),
        ("registration_date", "avm_screening_date"),
        ("registration_date", "protection_clearance_date"),
        ("registration_date", "bia_date"),
    ]
    return [(a, b) for a, b in pairs if a in cases.columns and b in cases.columns]


@rule("C004", "error", "Dates out of order", ("cases",))
def c004(ctx: Context) -> pd.DataFrame:
    """Dates of one record contradict each other: birth must come before registration,
    registration before interview, interview and fit-to-travel before departure, and
    registration before any screening, clearance or best-interests assessment. One of the
    dates was probably mistyped (day and month swapped, wrong year)."""
    cases = ctx.frames["cases"]
    parts = []
    for a, b in _order_pairs(cases):
        bad = (cases[a] > cases[b]).fillna(False).to_numpy()
        if bad.any():
            parts.append(
                (bad, a + " " + fmt_date(cases[a]) + " is after " + b + " " + fmt_date(cases[b]))
            )
    if not parts:
        return _case_findings(cases, np.zeros(len(cases), bool), "")
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _case_findings(cases, mask, join_reasons(parts))


@rule("C005", "error", "Impossible date", ("cases",), settings=("earliest_year",))
def c005(ctx: Context) -> pd.DataFrame:
    """A date lies after the report's as-of date, or before the year 1900 (setting
    `earliest_year`). Usually a typing error in the year."""
    cases = ctx.frames["cases"]
    earliest = pd.Timestamp(year=ctx.t.earliest_year, month=1, day=1)
    parts = []
    for c in present_date_columns(cases):
        future = (cases[c] > ctx.as_of).fillna(False).to_numpy()
        ancient = (cases[c] < earliest).fillna(False).to_numpy()
        if future.any():
            parts.append((future, c + " " + fmt_date(cases[c]) + " is after the as-of date"))
        if ancient.any():
            parts.append(
                (ancient, c + " " + fmt_date(cases[c]) + f" is before {ctx.t.earliest_year}")
            )
    if not parts:
        return _case_findings(cases, np.zeros(len(cases), bool), "")
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _case_findings(cases, mask, join_reasons(parts))


def present_date_columns(cases: pd.DataFrame) -> list[str]:
    return [c for c in DATE_COLUMNS if c in cases.columns]


def age_at(dob: pd.Series, when: pd.Series) -> pd.Series:
    """Full years between two date columns (vectorised)."""
    years = when.dt.year - dob.dt.year
    before_birthday = (when.dt.month < dob.dt.month) | (
        (when.dt.month == dob.dt.month) & (when.dt.day < dob.dt.day)
    )
    return years - before_birthday.astype("Int64")


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
    age = cases["age"].astype("Float64")
    computed = age_at(cases["date_of_birth"], cases["registration_date"]).astype("Float64")
    off = ((age - computed).abs() > ctx.t.age_tolerance_years).fillna(False).to_numpy(dtype=bool)
    out_of_range = (
        ((age < ctx.t.age_min) | (age > ctx.t.age_max)).fillna(False).to_numpy(dtype=bool)
    )
    parts = [
        (
            off,
            "stated age "
            + text(cases["age"])
            + " but "
            + computed.astype("Int64").astype("str").fillna("")
            + " from date of birth at registration",
        ),
        (out_of_range, "age " + text(cases["age"]) + f" outside {ctx.t.age_min}–{ctx.t.age_max}"),
    ]
    return _case_findings(cases, off | out_of_range, join_reasons(parts))


def is_child(cases: pd.DataFrame, ctx: Context) -> np.ndarray:
    return (cases["age"] < ctx.t.adult_age).fillna(False).to_numpy(dtype=bool)


@rule("C007", "error", "Unaccompanied child not flagged", ("cases",), settings=("adult_age",))
def c007(ctx: Context) -> pd.DataFrame:
    """A child (under 18) has no adult in the same case and is not flagged as unaccompanied
    (uasc) or separated (separated_child). Unaccompanied children need best-interests
    procedures: flag the child, or add the accompanying adult to the case."""
    cases = ctx.frames["cases"]
    adult = (cases["age"] >= ctx.t.adult_age).fillna(False)
    case_has_adult = adult.groupby(cases["case_id"].astype("str")).transform("any").to_numpy()
    flagged = has_vulnerability(cases, ctx.cfg.codes("bia_vulnerability"))
    mask = is_child(cases, ctx) & ~case_has_adult & ~flagged
    message = (
        "child aged "
        + text(cases["age"])
        + " with no adult in case and no uasc/separated_child flag"
    )
    return _case_findings(cases, mask, message)


@rule("C008", "error", "Unaccompanied or separated child without BIA", ("cases",))
def c008(ctx: Context) -> pd.DataFrame:
    """An unaccompanied or separated child is at *ready* or later without a best-interests
    assessment (bia_date). The BIA must be done and recorded before the child can move."""
    cases = ctx.frames["cases"]
    mask = (
        has_vulnerability(cases, ctx.cfg.codes("bia_vulnerability"))
        & (stage(cases) >= READY)
        & cases["bia_date"].isna().to_numpy()
    )
    message = (
        "unaccompanied/separated child at status "
        + text(cases["case_status"])
        + " without bia_date"
    )
    return _case_findings(cases, mask, message)


@rule("C009", "error", "Vulnerable case moving without protection clearance", ("cases",))
def c009(ctx: Context) -> pd.DataFrame:
    """A case with a vulnerability that needs protection clearance (uasc, separated_child,
    vot, gbv, medical) is at *ready* or later but its protection clearance is not *cleared*.
    Obtain and record the clearance before the case moves."""
    cases = ctx.frames["cases"]
    clearance = text(cases["protection_clearance"])
    mask = (
        has_vulnerability(cases, ctx.cfg.codes("clearance_vulnerability"))
        & (stage(cases) >= READY)
        & (clearance != "cleared").to_numpy()
    )
    message = (
        "protection clearance '"
        + clearance.replace("", "(empty)")
        + "' at status "
        + text(cases["case_status"])
    )
    return _case_findings(cases, mask, message)


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
    rank = stage(cases)
    moving = rank >= MANIFESTED
    reference = cases["departure_date"].where(rank == DEPARTED, ctx.as_of)
    days = (reference - cases["ftt_date"]).dt.days
    not_fit = moving & (text(cases["ftt_status"]) != "fit").to_numpy()
    stale = moving & (days > ctx.t.ftt_validity_days).fillna(False).to_numpy(dtype=bool)
    what = np.where(rank == DEPARTED, "departure ", "as-of ")
    parts = [
        (not_fit, "fit-to-travel is '" + text(cases["ftt_status"]) + "'"),
        (
            stale,
            "FTT dated "
            + fmt_date(cases["ftt_date"])
            + " is "
            + days.astype("Int64").astype("str").fillna("")
            + " days before "
            + pd.Series(what, index=cases.index)
            + fmt_date(reference)
            + f"; max {ctx.t.ftt_validity_days}",
        ),
    ]
    return _case_findings(cases, not_fit | stale, join_reasons(parts))


@rule("C011", "error", "Single-headed household without complete documents", ("cases",))
def c011(ctx: Context) -> pd.DataFrame:
    """A single-headed household is at *ready* or later but the paperwork for single-headed
    families is not marked complete (single_headed_docs_complete ≠ yes)."""
    cases = ctx.frames["cases"]
    docs = text(cases["single_headed_docs_complete"])
    mask = (
        has_vulnerability(cases, ["single_headed_household"])
        & (stage(cases) >= READY)
        & (docs != "yes").to_numpy()
    )
    return _case_findings(
        cases, mask, "single-headed household documents '" + docs.replace("", "(empty)") + "'"
    )


@rule("C012", "warning", "Case group does not hang together", ("cases",))
def c012(ctx: Context) -> pd.DataFrame:
    """The members of one case (family group) do not agree: there is not exactly one
    principal applicant, or members have different destination countries, or — once
    manifested — different manifests. A family travels together: correct the group."""
    cases = ctx.frames["cases"]
    group = cases["case_id"].astype("str")
    principals = cases["is_principal"].fillna(False).astype(bool).groupby(group).transform("sum")
    destinations = cases["destination_country"].astype("str").groupby(group).transform("nunique")
    moving = stage(cases) >= MANIFESTED
    manifests = cases["manifest_id"].where(moving).astype("str").groupby(group).transform("nunique")
    parts = [
        ((principals != 1).to_numpy(), principals.astype(str) + " principal applicants in case"),
        (
            (destinations > 1).to_numpy(),
            "members have " + destinations.astype(str) + " destinations",
        ),
        (
            (manifests > 1).to_numpy(),
            "manifested members are on " + manifests.astype(str) + " manifests",
        ),
    ]
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _case_findings(cases, mask, join_reasons(parts))


@rule("C013", "error", "Status inconsistent with the record", ("cases",))
def c013(ctx: Context) -> pd.DataFrame:
    """The case status contradicts the record: *departed* without departure date or
    manifest, a departure date on a case that has not departed, or *cancelled*/*on_hold*
    without a reason. Correct the status or the record."""
    cases = ctx.frames["cases"]
    status = text(cases["case_status"])
    departed = (status == "departed").to_numpy()
    parts = [
        (departed & cases["departure_date"].isna().to_numpy(), "departed without departure_date"),
        (departed & cases["manifest_id"].isna().to_numpy(), "departed without manifest_id"),
        (
            ~departed & cases["departure_date"].notna().to_numpy(),
            "departure_date " + fmt_date(cases["departure_date"]) + " on a case that is " + status,
        ),
        (
            status.isin(["cancelled", "on_hold"]).to_numpy()
            & cases["status_reason"].isna().to_numpy(),
            status + " without status_reason",
        ),
    ]
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _case_findings(cases, mask, join_reasons(parts))


def out_of_list(values: pd.Series, allowed: list[str]) -> np.ndarray:
    return (values.notna() & ~values.astype("str").isin(allowed)).to_numpy(dtype=bool)


def iso3_codes() -> list[str]:
    import pycountry

    return [c.alpha_3 for c in pycountry.countries]


@rule("C014", "error", "Value outside its code list", ("cases",))
def c014(ctx: Context) -> pd.DataFrame:
    """After cleaning, a coded field holds a value that is not in its code list (sex,
    nationality, destination country, location type, flight type, case status, fit-to-travel
    status, …). Either the value is a typo to correct in MiMOSA, or a new value that an
    analyst should add to config/code_lists.yaml or the country aliases."""
    cases = ctx.frames["cases"]
    parts = []
    countries = iso3_codes()
    for col in CASES.columns:
        if col.kind == "country":
            allowed = countries
        elif col.kind == "code":
            allowed = ctx.cfg.codes(col.codes)
        else:
            continue
        bad = out_of_list(cases[col.name], allowed)
        if bad.any():
            parts.append((bad, col.name + " '" + text(cases[col.name]) + "'"))
    if not parts:
        return _case_findings(cases, np.zeros(len(cases), bool), "")
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _case_findings(cases, mask, "not in code list: " + join_reasons(parts, ", "))


@rule("C015", "warning", "Stalled case", ("cases",), settings=("stall_days",))
def c015(ctx: Context) -> pd.DataFrame:
    """The case is not final (departed or cancelled) and its record has not been updated for
    more than 30 days (setting `stall_days`). Follow up with the person or update the status."""
    cases = ctx.frames["cases"]
    final = text(cases["case_status"]).isin(ctx.cfg.codes("final_case_status")).to_numpy()
    days = (ctx.as_of - cases["last_updated"]).dt.days
    mask = ~final & (days > ctx.t.stall_days).fillna(False).to_numpy(dtype=bool)
    message = (
        "not updated for "
        + days.astype("Int64").astype("str").fillna("")
        + " days (last "
        + fmt_date(cases["last_updated"])
        + f"); max {ctx.t.stall_days}"
    )
    return _case_findings(cases, mask, message)


@rule("R001", "warning", "Referral follow-up overdue", ("referrals",))
def r001(ctx: Context) -> pd.DataFrame:
    """The follow-up of a referral was due before the as-of date and has not been recorded.
    Contact the partner and record the follow-up date and outcome."""
    refs = ctx.frames["referrals"]
    mask = (
        ((refs["follow_up_due"] < ctx.as_of) & refs["follow_up_date"].isna())
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    days = (ctx.as_of - refs["follow_up_due"]).dt.days.astype("Int64").astype("str").fillna("")
    sub = refs[mask]
    message = (
        "follow-up due "
        + fmt_date(sub["follow_up_due"])
        + " ("
        + days[mask]
        + " days ago) with "
        + text(sub["referred_to"])
        + " ("
        + text(sub["service"])
        + ") not recorded"
    )
    return findings("referrals", sub["referral_id"], message.reset_index(drop=True))


@rule("R002", "error", "Referral for an unknown individual", ("referrals", "cases"))
def r002(ctx: Context) -> pd.DataFrame:
    """A referral names an individual_id that is not in the case records. Correct the
    individual number on the referral."""
    refs = ctx.frames["referrals"]
    known = set(ctx.frames["cases"]["individual_id"].dropna().astype(str))
    mask = (
        refs["individual_id"].notna() & ~refs["individual_id"].astype("str").isin(known)
    ).to_numpy()
    sub = refs[mask]
    message = "individual_id " + text(sub["individual_id"]) + " not found in cases"
    return findings("referrals", sub["referral_id"], message.reset_index(drop=True))
