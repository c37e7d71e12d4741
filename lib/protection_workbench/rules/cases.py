"""Case record rules C001–C015 and referral rules R001–R002 (rules.md, "Case records")."""

from __future__ import annotations

import functools

import numpy as np
import pandas as pd

from ..clean.text import normalise_name_key, value_codes
from ..contract import CASES
from .registry import Context, findings, fmt_date, isin_many, reasons_at, rule

STAGES = ["registered", "counselled", "documents_pending", "ready", "manifested", "departed"]
READY = STAGES.index("ready")
MANIFESTED = STAGES.index("manifested")
DEPARTED = STAGES.index("departed")
DATE_COLUMNS = [c.name for c in CASES.columns if c.kind == "date"]


def stage(cases: pd.DataFrame) -> np.ndarray:
    """Position of each case_status in the stage order; -1 for cancelled, on_hold or unknown."""
    rank = pd.Series(range(len(STAGES)), index=STAGES)
    return per_value(
        cases["case_status"], lambda s: s.astype("str").map(rank).fillna(-1).to_numpy(dtype=int)
    )


def text(values: pd.Series) -> pd.Series:
    return values.astype("str").fillna("")


def per_value(values: pd.Series, func) -> np.ndarray:
    """``np.asarray(func(values))`` for an elementwise ``func``; for a categorical column
    ``func`` runs once per category (and once for a missing value) instead of once per row."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        k = len(values.cat.categories)
        distinct = pd.Series(pd.Categorical.from_codes(np.arange(-1, k), dtype=values.dtype))
        return np.asarray(func(distinct))[values.cat.codes.to_numpy().astype(np.intp) + 1]
    return np.asarray(func(values))


def text_isin(values: pd.Series, allowed: list[str]) -> np.ndarray:
    """``text(values).isin(allowed)`` as a boolean array."""
    return per_value(values, lambda s: text(s).isin(allowed).to_numpy(dtype=bool))


def text_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Codes of the distinct values of ``values`` and ``text()`` of each, indexed by code + 1
    (so that a missing value, code -1, looks up position 0)."""
    codes, k = value_codes(values)
    first = np.full(k + 1, len(codes), dtype=np.int64)
    np.minimum.at(first, codes + 1, np.arange(len(codes)))  # the first row of each code
    slots = np.flatnonzero(first < len(codes))
    lookup = np.full(k + 1, "", dtype=object)
    lookup[slots] = np.asarray(text(values.iloc[first[slots]]), dtype=object)
    return codes, lookup


def dates(values: pd.Series) -> np.ndarray:
    """The dates as a numpy datetime64 array (NaT for missing)."""
    out = values.to_numpy()
    if not np.issubdtype(out.dtype, np.datetime64):
        out = pd.to_datetime(values).to_numpy()
    return out


def whole_days(later: np.ndarray, earlier: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Days from ``earlier`` to ``later`` (as ``.dt.days``) and where both are present."""
    diff = later - earlier
    valid = ~np.isnat(diff)
    days = np.where(valid, diff, np.timedelta64(0, "D")) // np.timedelta64(1, "D")
    return days.astype(np.int64), valid


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


def _stage(ctx: Context, cases: pd.DataFrame) -> np.ndarray:
    return ctx.memo("stage", cases, lambda: stage(cases))


def _status_is(ctx: Context, cases: pd.DataFrame, statuses: tuple[str, ...]) -> np.ndarray:
    return ctx.memo(
        f"status in {statuses}", cases, lambda: text_isin(cases["case_status"], list(statuses))
    )


def _vulnerable(ctx: Context, cases: pd.DataFrame, codes: list[str]) -> np.ndarray:
    return ctx.memo(
        f"vulnerability {sorted(codes)}", cases, lambda: has_vulnerability(cases, codes)
    )


def _case_groups(ctx: Context, cases: pd.DataFrame) -> tuple[np.ndarray, int] | None:
    """Codes of case_id (None when some case_id is missing: then the rules group as before,
    by the text of case_id)."""

    def compute():
        codes, k = value_codes(cases["case_id"])
        return None if (codes < 0).any() else (codes, k)

    return ctx.memo("case groups", cases, compute)


def _case_findings(cases: pd.DataFrame, mask: np.ndarray, message) -> pd.DataFrame:
    """Findings of the rows where ``mask`` holds; ``message`` is a string or a function of
    their positions that returns their messages."""
    idx = np.flatnonzero(mask)
    msg = message if isinstance(message, str) else pd.Series(np.asarray(message(idx)))
    # Only the two id columns: taking whole rows would copy every column of the export.
    return findings(
        "cases",
        cases["individual_id"].iloc[idx].reset_index(drop=True),
        msg,
        cases["case_id"].iloc[idx].reset_index(drop=True),
    )


def _joined(parts, sep: str = "; ", prefix=None):
    """Message function of ``_case_findings`` joining the reasons of ``parts``."""

    def message(rows: np.ndarray):
        reasons = reasons_at(parts, rows, sep)
        return reasons if prefix is None else prefix(rows) + reasons

    return message


def _any(parts) -> np.ndarray:
    return np.logical_or.reduce([np.asarray(m, dtype=bool) for m, _ in parts])


@rule("C001", "error", "Required field missing at the case's stage", ("cases",))
def c001(ctx: Context) -> pd.DataFrame:
    """A field that the case's stage requires is empty. Every record needs the required
    columns of the data contract; from *counselled* on the interview date; from *ready* on an
    issued travel document and a *fit* fit-to-travel result; from *manifested* on the manifest
    and flight type; a *departed* case also its departure date. Fill in the field in MiMOSA,
    or correct the case status if the case has not reached that stage."""
    cases = ctx.frames["cases"]
    rank = _stage(ctx, cases)
    parts = [(cases[c].isna().to_numpy(), c) for c in CASES.required]
    parts += [
        ((rank >= 1) & cases["interview_date"].isna().to_numpy(), "interview_date"),
        (
            (rank >= READY) & ~text_isin(cases["travel_document_status"], ["issued"]),
            "travel document not issued",
        ),
        (
            (rank >= READY) & ~text_isin(cases["ftt_status"], ["fit"]),
            "fit-to-travel not 'fit'",
        ),
        ((rank >= MANIFESTED) & cases["manifest_id"].isna().to_numpy(), "manifest_id"),
        ((rank >= MANIFESTED) & cases["flight_type"].isna().to_numpy(), "flight_type"),
        ((rank == DEPARTED) & cases["departure_date"].isna().to_numpy(), "departure_date"),
    ]

    def prefix(rows):
        status = text(cases["case_status"].iloc[rows]).replace("", "(no status)")
        return ("required at status " + status + ": ").to_numpy(dtype=object)

    return _case_findings(cases, _any(parts), _joined(parts, ", ", prefix))


@rule("C002", "error", "Individual recorded more than once", ("cases",))
def c002(ctx: Context) -> pd.DataFrame:
    """The same individual_id appears on more than one row of the case export. Each person
    must have exactly one record: merge the duplicates in MiMOSA."""
    cases = ctx.frames["cases"]
    codes, k = value_codes(cases["individual_id"])
    rows_of = np.bincount(codes[codes >= 0], minlength=k)
    per_row = np.where(codes >= 0, rows_of[np.maximum(codes, 0)], 0)
    dup = per_row > 1
    message = np.char.add(np.char.add("individual_id on ", per_row[dup].astype(str)), " rows")
    return _case_findings(cases, dup, lambda rows: message.astype(object))


def _nunique_by(group: np.ndarray, n_groups: int, values: np.ndarray, n_values: int):
    """Per row, the number of distinct non-missing (code >= 0) values in its group."""
    known = values >= 0  # like nunique, missing values do not count
    pairs = np.sort(group[known] * (n_values + 1) + values[known])
    distinct = pairs[np.r_[True, pairs[1:] != pairs[:-1]]] if len(pairs) else pairs
    return np.bincount(distinct // (n_values + 1), minlength=n_groups)[group]


def _compact(codes: np.ndarray, bound: int) -> tuple[np.ndarray, np.ndarray]:
    """Renumber non-negative ``codes`` (all < ``bound``) as 0..k-1; also the distinct codes."""
    if bound > 4 * len(codes) + 1024:
        new, distinct = pd.factorize(codes)
        return new.astype(np.int64), np.asarray(distinct)
    present = np.bincount(codes, minlength=bound) > 0
    number = np.cumsum(present) - 1
    return number[codes].astype(np.int64), np.flatnonzero(present)


def _group_key(codes: list[np.ndarray], counts: list[int]) -> np.ndarray:
    """One int64 per distinct combination of the (non-negative) ``codes``; ``counts[i]``
    bounds ``codes[i]``."""
    key, bound = codes[0].astype(np.int64), counts[0] + 1
    for more, count in zip(codes[1:], counts[1:], strict=True):
        if bound * (count + 1) >= 2**62:  # would overflow: renumber the combinations so far
            key, uniques = pd.factorize(key)
            bound = len(uniques) + 1
        key = key.astype(np.int64) * (count + 1) + more
        bound *= count + 1
    return key


@rule("C003", "warning", "Probable duplicate person", ("cases",))
def c003(ctx: Context) -> pd.DataFrame:
    """Two or more records under different individual_ids have the same name (ignoring case,
    spacing, accents and Arabic/Latin spelling), date of birth and nationality. They are
    probably one person registered twice: check and merge if so."""
    cases = ctx.frames["cases"]
    # The name key of each distinct (first, last) pair, computed once per pair.
    first_codes, first_text = text_codes(cases["first_name"])
    last_codes, last_text = text_codes(cases["last_name"])
    pair_codes, pairs = _compact(
        (first_codes + 1) * len(last_text) + (last_codes + 1), len(first_text) * len(last_text)
    )
    full = first_text[pairs // len(last_text)] + " " + last_text[pairs % len(last_text)]
    pair_keys = normalise_name_key(pd.Series(full, dtype=object))
    pair_usable = np.asarray(pair_keys.str.len() > 0, dtype=bool)
    key_codes = pd.factorize(pair_keys)[0].astype(np.int64)
    name = key_codes[pair_codes]

    nat_codes, nat_text = text_codes(cases["nationality"])
    nat_text_codes = pd.factorize(nat_text)[0].astype(np.int64)
    nat = nat_text_codes[nat_codes + 1]
    dob = dates(cases["date_of_birth"])
    dob_codes, dob_distinct = pd.factorize(dob.view(np.int64))  # NaT rows are not usable
    dob_count = len(dob_distinct)
    usable = pair_usable[pair_codes] & ~np.isnat(dob) & (nat_text[nat_codes + 1] != "")

    rows = np.flatnonzero(usable)
    key = _group_key(
        [name[rows], nat[rows], dob_codes[rows]], [len(pair_keys), len(nat_text), dob_count]
    )
    # Only keys shared by two or more rows can hold several individual_ids.
    ordered = np.sort(key)
    repeated = np.unique(ordered[1:][ordered[1:] == ordered[:-1]])
    at = np.minimum(np.searchsorted(repeated, key), max(len(repeated) - 1, 0))
    shared = repeated[at] == key if len(repeated) else np.zeros(len(key), dtype=bool)
    rows, key = rows[shared], key[shared]
    ids = pd.Series(cases["individual_id"].iloc[rows].to_numpy())
    ids_per_key = ids.groupby(key).transform("nunique").to_numpy(dtype=np.int64)
    hit = np.zeros(len(cases), dtype=bool)
    hit[rows[ids_per_key > 1]] = True
    others = pd.Series(ids_per_key[ids_per_key > 1] - 1)
    message = (
        "same name, date of birth and nationality as " + others.astype(str) + " other record(s)"
    ).to_numpy(dtype=object)
    return _case_findings(cases, hit, lambda rows: message)


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


def _dates(ctx: Context, cases: pd.DataFrame, column: str) -> np.ndarray:
    return ctx.memo(f"dates {column}", cases, lambda: dates(cases[column]))


@rule("C004", "error", "Dates out of order", ("cases",))
def c004(ctx: Context) -> pd.DataFrame:
    """Dates of one record contradict each other: birth must come before registration,
    registration before interview, interview and fit-to-travel before departure, and
    registration before any screening, clearance or best-interests assessment. One of the
    dates was probably mistyped (day and month swapped, wrong year)."""
    cases = ctx.frames["cases"]
    parts = []
    for a, b in _order_pairs(cases):
        bad = _dates(ctx, cases, a) > _dates(ctx, cases, b)  # NaT compares False
        if bad.any():

            def says(rows, a=a, b=b):
                sub = cases.iloc[rows]
                return a + " " + fmt_date(sub[a]) + " is after " + b + " " + fmt_date(sub[b])

            parts.append((bad, says))
    if not parts:
        return _case_findings(cases, np.zeros(len(cases), bool), "")
    return _case_findings(cases, _any(parts), _joined(parts))


@rule("C005", "error", "Impossible date", ("cases",), settings=("earliest_year",))
def c005(ctx: Context) -> pd.DataFrame:
    """A date lies after the report's as-of date, or before the year 1900 (setting
    `earliest_year`). Usually a typing error in the year."""
    cases = ctx.frames["cases"]
    earliest = pd.Timestamp(year=ctx.t.earliest_year, month=1, day=1)
    year = ctx.t.earliest_year
    parts = []
    for c in present_date_columns(cases):
        values = _dates(ctx, cases, c)
        future = values > ctx.as_of.to_datetime64()
        ancient = values < earliest.to_datetime64()

        def date_of(rows, c=c):
            return c + " " + fmt_date(cases[c].iloc[rows])

        if future.any():
            parts.append((future, lambda rows, f=date_of: f(rows) + " is after the as-of date"))
        if ancient.any():
            parts.append((ancient, lambda rows, f=date_of: f(rows) + f" is before {year}"))
    if not parts:
        return _case_findings(cases, np.zeros(len(cases), bool), "")
    return _case_findings(cases, _any(parts), _joined(parts))


def present_date_columns(cases: pd.DataFrame) -> list[str]:
    return [c for c in DATE_COLUMNS if c in cases.columns]


def age_at(dob: pd.Series, when: pd.Series) -> pd.Series:
    """Full years between two date columns (vectorised)."""
    years = when.dt.year - dob.dt.year
    before_birthday = (when.dt.month < dob.dt.month) | (
        (when.dt.month == dob.dt.month) & (when.dt.day < dob.dt.day)
    )
    return years - before_birthday.astype("Int64")


def _full_years(dob: np.ndarray, when: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``age_at`` on datetime64 arrays: full years and where both dates are present."""
    valid = ~np.isnat(dob) & ~np.isnat(when)

    def ymd(d):
        when = pd.DatetimeIndex(d)
        fields = (when.year, when.month, when.day)
        return [np.nan_to_num(f.to_numpy(dtype=float)).astype(np.int64) for f in fields]

    wy, wm, wd = ymd(when)
    dy, dm, dd = ymd(dob)
    before_birthday = (wm < dm) | ((wm == dm) & (wd < dd))
    return np.where(valid, wy - dy - before_birthday, 0), valid


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
    age = cases["age"].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    computed, valid = _full_years(
        _dates(ctx, cases, "date_of_birth"), _dates(ctx, cases, "registration_date")
    )
    computed = np.where(valid, computed, np.nan)
    with np.errstate(invalid="ignore"):
        off = np.abs(age - computed) > ctx.t.age_tolerance_years  # NaN compares False
        out_of_range = (age < ctx.t.age_min) | (age > ctx.t.age_max)

    def stated_age(rows):
        return text(cases["age"].iloc[rows])

    def differs(rows):
        sub = cases.iloc[rows]
        years = age_at(sub["date_of_birth"], sub["registration_date"]).astype("Float64")
        return (
            "stated age "
            + stated_age(rows)
            + " but "
            + years.astype("Int64").astype("str").fillna("")
            + " from date of birth at registration"
        )

    parts = [
        (off, differs),
        (
            out_of_range,
            lambda rows: "age " + stated_age(rows) + f" outside {ctx.t.age_min}–{ctx.t.age_max}",
        ),
    ]
    return _case_findings(cases, off | out_of_range, _joined(parts))


def is_child(cases: pd.DataFrame, ctx: Context) -> np.ndarray:
    return (cases["age"] < ctx.t.adult_age).fillna(False).to_numpy(dtype=bool)


@rule("C007", "error", "Unaccompanied child not flagged", ("cases",), settings=("adult_age",))
def c007(ctx: Context) -> pd.DataFrame:
    """A child (under 18) has no adult in the same case and is not flagged as unaccompanied
    (uasc) or separated (separated_child). Unaccompanied children need best-interests
    procedures: flag the child, or add the accompanying adult to the case."""
    cases = ctx.frames["cases"]
    adult = (cases["age"] >= ctx.t.adult_age).fillna(False)
    groups = _case_groups(ctx, cases)
    if groups is None:
        case_has_adult = adult.groupby(cases["case_id"].astype("str")).transform("any").to_numpy()
    else:
        codes, k = groups
        adults = np.bincount(codes, weights=adult.to_numpy(dtype=bool), minlength=k)
        case_has_adult = adults[codes] > 0
    flagged = _vulnerable(ctx, cases, ctx.cfg.codes("bia_vulnerability"))
    mask = is_child(cases, ctx) & ~case_has_adult & ~flagged

    def message(rows):
        return (
            "child aged "
            + text(cases["age"].iloc[rows])
            + " with no adult in case and no uasc/separated_child flag"
        )

    return _case_findings(cases, mask, message)


def _status_text(cases: pd.DataFrame, rows: np.ndarray) -> pd.Series:
    return text(cases["case_status"].iloc[rows])


@rule("C008", "error", "Unaccompanied or separated child without BIA", ("cases",))
def c008(ctx: Context) -> pd.DataFrame:
    """An unaccompanied or separated child is at *ready* or later without a best-interests
    assessment (bia_date). The BIA must be done and recorded before the child can move."""
    cases = ctx.frames["cases"]
    mask = (
        _vulnerable(ctx, cases, ctx.cfg.codes("bia_vulnerability"))
        & (_stage(ctx, cases) >= READY)
        & cases["bia_date"].isna().to_numpy()
    )
    return _case_findings(
        cases,
        mask,
        lambda rows: (
            "unaccompanied/separated child at status "
            + _status_text(cases, rows)
            + " without bia_date"
        ),
    )


@rule("C009", "error", "Vulnerable case moving without protection clearance", ("cases",))
def c009(ctx: Context) -> pd.DataFrame:
    """A case with a vulnerability that needs protection clearance (uasc, separated_child,
    vot, gbv, medical) is at *ready* or later but its protection clearance is not *cleared*.
    Obtain and record the clearance before the case moves."""
    cases = ctx.frames["cases"]
    mask = (
        _vulnerable(ctx, cases, ctx.cfg.codes("clearance_vulnerability"))
        & (_stage(ctx, cases) >= READY)
        & ~text_isin(cases["protection_clearance"], ["cleared"])
    )

    def message(rows):
        clearance = text(cases["protection_clearance"].iloc[rows])
        return (
            "protection clearance '"
            + clearance.replace("", "(empty)")
            + "' at status "
            + _status_text(cases, rows)
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
    rank = _stage(ctx, cases)
    moving = rank >= MANIFESTED
    departure = _dates(ctx, cases, "departure_date")
    reference = np.where(rank == DEPARTED, departure, ctx.as_of.to_datetime64())
    days, valid = whole_days(reference, _dates(ctx, cases, "ftt_date"))
    not_fit = moving & ~text_isin(cases["ftt_status"], ["fit"])
    stale = moving & valid & (days > ctx.t.ftt_validity_days)

    def stale_message(rows):
        sub = cases.iloc[rows]
        departed = rank[rows] == DEPARTED
        ref = sub["departure_date"].where(departed, ctx.as_of)
        sub_days = (ref - sub["ftt_date"]).dt.days
        what = np.where(departed, "departure ", "as-of ")
        return (
            "FTT dated "
            + fmt_date(sub["ftt_date"])
            + " is "
            + sub_days.astype("Int64").astype("str").fillna("")
            + " days before "
            + pd.Series(what, index=sub.index)
            + fmt_date(ref)
            + f"; max {ctx.t.ftt_validity_days}"
        )

    parts = [
        (not_fit, lambda rows: "fit-to-travel is '" + text(cases["ftt_status"].iloc[rows]) + "'"),
        (stale, stale_message),
    ]
    return _case_findings(cases, not_fit | stale, _joined(parts))


@rule("C011", "error", "Single-headed household without complete documents", ("cases",))
def c011(ctx: Context) -> pd.DataFrame:
    """A single-headed household is at *ready* or later but the paperwork for single-headed
    families is not marked complete (single_headed_docs_complete ≠ yes)."""
    cases = ctx.frames["cases"]
    mask = (
        _vulnerable(ctx, cases, ["single_headed_household"])
        & (_stage(ctx, cases) >= READY)
        & ~text_isin(cases["single_headed_docs_complete"], ["yes"])
    )

    def message(rows):
        docs = text(cases["single_headed_docs_complete"].iloc[rows])
        return "single-headed household documents '" + docs.replace("", "(empty)") + "'"

    return _case_findings(cases, mask, message)


@rule("C012", "warning", "Case group does not hang together", ("cases",))
def c012(ctx: Context) -> pd.DataFrame:
    """The members of one case (family group) do not agree: there is not exactly one
    principal applicant, or members have different destination countries, or — once
    manifested — different manifests. A family travels together: correct the group."""
    cases = ctx.frames["cases"]
    moving = _stage(ctx, cases) >= MANIFESTED
    groups = _case_groups(ctx, cases)
    if groups is None:
        group = cases["case_id"].astype("str")
        principal = cases["is_principal"].fillna(False).astype(bool)
        principals = principal.groupby(group).transform("sum")
        destinations = (
            cases["destination_country"].astype("str").groupby(group).transform("nunique")
        )
        manifests = (
            cases["manifest_id"].where(moving).astype("str").groupby(group).transform("nunique")
        )
    else:
        codes, k = groups
        principal = cases["is_principal"].fillna(False).astype(bool).to_numpy(dtype=bool)
        principals = pd.Series(np.bincount(codes, weights=principal, minlength=k)[codes])
        principals = principals.astype(np.int64)
        destinations = pd.Series(_nunique_by(codes, k, *value_codes(cases["destination_country"])))
        manifest_codes, n_manifests = value_codes(cases["manifest_id"])
        manifest_codes = np.where(moving, manifest_codes, -1)
        manifests = pd.Series(_nunique_by(codes, k, manifest_codes, n_manifests))
    parts = [
        (
            (principals != 1).to_numpy(),
            lambda rows: principals.iloc[rows].astype(str) + " principal applicants in case",
        ),
        (
            (destinations > 1).to_numpy(),
            lambda rows: "members have " + destinations.iloc[rows].astype(str) + " destinations",
        ),
        (
            (manifests > 1).to_numpy(),
            lambda rows: (
                "manifested members are on " + manifests.iloc[rows].astype(str) + " manifests"
            ),
        ),
    ]
    return _case_findings(cases, _any(parts), _joined(parts))


@rule("C013", "error", "Status inconsistent with the record", ("cases",))
def c013(ctx: Context) -> pd.DataFrame:
    """The case status contradicts the record: *departed* without departure date or
    manifest, a departure date on a case that has not departed, or *cancelled*/*on_hold*
    without a reason. Correct the status or the record."""
    cases = ctx.frames["cases"]
    departed = _status_is(ctx, cases, ("departed",))
    parts = [
        (departed & cases["departure_date"].isna().to_numpy(), "departed without departure_date"),
        (departed & cases["manifest_id"].isna().to_numpy(), "departed without manifest_id"),
        (
            ~departed & cases["departure_date"].notna().to_numpy(),
            lambda rows: (
                "departure_date "
                + fmt_date(cases["departure_date"].iloc[rows])
                + " on a case that is "
                + _status_text(cases, rows)
            ),
        ),
        (
            _status_is(ctx, cases, ("cancelled", "on_hold"))
            & cases["status_reason"].isna().to_numpy(),
            lambda rows: _status_text(cases, rows) + " without status_reason",
        ),
    ]
    return _case_findings(cases, _any(parts), _joined(parts))


def out_of_list(values: pd.Series, allowed: list[str]) -> np.ndarray:
    return (values.notna() & ~values.astype("str").isin(allowed)).to_numpy(dtype=bool)


@functools.cache
def _iso3_codes() -> tuple[str, ...]:
    import pycountry

    return tuple(c.alpha_3 for c in pycountry.countries)


def iso3_codes() -> list[str]:
    return list(_iso3_codes())


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
        bad = per_value(cases[col.name], lambda s, a=allowed: out_of_list(s, a))
        if bad.any():
            parts.append((bad, lambda rows, c=col.name: c + " '" + text(cases[c].iloc[rows]) + "'"))
    if not parts:
        return _case_findings(cases, np.zeros(len(cases), bool), "")
    return _case_findings(
        cases, _any(parts), _joined(parts, ", ", lambda rows: "not in code list: ")
    )


@rule("C015", "warning", "Stalled case", ("cases",), settings=("stall_days",))
def c015(ctx: Context) -> pd.DataFrame:
    """The case is not final (departed or cancelled) and its record has not been updated for
    more than 30 days (setting `stall_days`). Follow up with the person or update the status."""
    cases = ctx.frames["cases"]
    final = _status_is(ctx, cases, tuple(ctx.cfg.codes("final_case_status")))
    days, valid = whole_days(ctx.as_of.to_datetime64(), _dates(ctx, cases, "last_updated"))
    mask = ~final & valid & (days > ctx.t.stall_days)

    def message(rows):
        last = cases["last_updated"].iloc[rows]
        return (
            "not updated for "
            + (ctx.as_of - last).dt.days.astype("Int64").astype("str").fillna("")
            + " days (last "
            + fmt_date(last)
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
    known = ctx.frames["cases"]["individual_id"].dropna().astype("str")
    mask = refs["individual_id"].notna().to_numpy(dtype=bool) & ~isin_many(
        refs["individual_id"].astype("str"), known
    )
    sub = refs[mask]
    message = "individual_id " + text(sub["individual_id"]) + " not found in cases"
    return findings("referrals", sub["referral_id"], message.reset_index(drop=True))
