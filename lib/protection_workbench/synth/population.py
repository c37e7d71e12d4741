"""A clean synthetic caseload: every dataset of the data contract, consistent and rule-free.

The population follows public IOM Libya and DTM figures: nationalities of the VHR
caseload, mostly single adult men, families a minority, about half in detention,
stage durations from registration to departure, charter flights on a weekly
rhythm (about 87 % of movements) and commercial bookings for the rest, and a
community hosting programme with monitoring visits and monthly payments.

On this clean population no rule of the catalogue fires (docs/rules-interpretation.md
fixes the reading of each rule); :mod:`.defects` then breaks chosen records.
Everything is vectorised with numpy so that a million individuals take seconds.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..config import Config
from ..contract import DATASETS
from . import names as name_pools

DAY = np.timedelta64(1, "D")
WINDOW_DAYS = 395  # registrations over ~13 months before the as-of date

NATIONALITY_WEIGHTS = {
    "NGA": 16, "NER": 14, "MLI": 9, "BGD": 8, "TCD": 6, "SDN": 7, "GMB": 6, "GIN": 6,
    "SEN": 5, "CIV": 4, "GHA": 4, "BFA": 4, "CMR": 3, "EGY": 3, "ETH": 2, "SLE": 2,
    "ERI": 1, "LBR": 1,
}  # fmt: skip
# Case group sizes: most cases are one adult man; families are a minority.
GROUP_SIZES = np.array([1, 2, 3, 4, 5, 6, 7])
GROUP_WEIGHTS = np.array([0.88, 0.05, 0.035, 0.02, 0.01, 0.004, 0.001])
AIRPORT_WEIGHTS = {"MJI": 0.6, "MRA": 0.15, "SEB": 0.15, "BEN": 0.10}
CHARTER_SHARE = 0.87
MAX_HOSTS = 1500  # host families and safe shelters
MAX_ACTIVITIES = 6000  # field log entries over the 13 months
MAX_CHARTER_LOAD = 170


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.default_rng([seed, stream])


def _dates(base: np.datetime64, offsets) -> np.ndarray:
    return (base + np.asarray(offsets, dtype="int64") * DAY).astype("datetime64[ns]")


def _choice(rng: np.random.Generator, weights: dict, size: int) -> np.ndarray:
    keys = np.array(list(weights))
    p = np.array(list(weights.values()), dtype=float)
    return keys[rng.choice(len(keys), size=size, p=p / p.sum())]


def _str(values) -> pd.Series:
    return pd.Series(values, dtype="str")


def _date_col(values: np.ndarray) -> pd.Series:
    return pd.Series(np.asarray(values, dtype="datetime64[ns]"))


def _frame(name: str, columns: dict) -> pd.DataFrame:
    """Order and type columns as the canonical frame of ``name`` (docs/canonical-frames.md)."""
    ds = DATASETS[name]
    out = {}
    n = len(next(iter(columns.values()))) if columns else 0
    for col in ds.columns:
        values = columns.get(col.name)
        if values is None:
            values = [None] * n
        if col.kind == "date":
            out[col.name] = pd.Series(np.asarray(values, dtype="datetime64[ns]"))
        elif col.kind == "int":
            out[col.name] = pd.Series(pd.array(values, dtype="Int64"))
        elif col.kind == "number":
            out[col.name] = pd.Series(np.asarray(values, dtype="float64"))
        elif col.kind == "bool":
            out[col.name] = pd.Series(pd.array(values, dtype="boolean"))
        else:
            out[col.name] = _to_str(values)
    return pd.DataFrame(out)


def _to_str(values) -> pd.Series:
    """Object strings to the pandas ``str`` dtype through an Arrow dictionary: each distinct
    value is converted once (most columns repeat a few values a million times)."""
    if isinstance(values, pd.Series) and values.dtype == "str":
        return values.reset_index(drop=True)
    codes, uniques = pd.factorize(np.asarray(values, dtype=object), use_na_sentinel=True)
    dictionary = pa.array([str(u) for u in uniques], type=pa.string())
    decoded = pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0), dictionary)
    return pd.Series(pd.array(decoded.dictionary_decode(), dtype="str"))


# --------------------------------------------------------------------------- cases
def _group_sizes(n: int, rng: np.random.Generator) -> np.ndarray:
    sizes = rng.choice(GROUP_SIZES, size=n, p=GROUP_WEIGHTS)
    cut = int(np.searchsorted(np.cumsum(sizes), n))
    sizes = sizes[: cut + 1].copy()
    sizes[-1] -= int(sizes.sum() - n)
    return sizes[sizes > 0]


def _names(
    nationality: np.ndarray, sex: np.ndarray, case_of: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """First names by sex and nationality; members of a case share the case's last name."""
    n = len(nationality)
    first = np.empty(n, dtype=object)
    last_case = np.empty(case_of.max() + 1 if n else 0, dtype=object)
    case_nat = pd.Series(nationality).groupby(case_of).first()
    arabic_case = np.zeros(len(last_case), dtype=bool)
    for nat, (pool, arabic_share) in name_pools.POOL_BY_NATIONALITY.items():
        cases_here = case_nat.index[case_nat.to_numpy() == nat].to_numpy()
        arabic_case[cases_here] = rng.random(len(cases_here)) < arabic_share
        for script_pool, is_arabic in ((pool, False), (name_pools.ARABIC_SCRIPT, True)):
            sel = cases_here[arabic_case[cases_here] == is_arabic]
            if len(sel):
                last_case[sel] = np.array(script_pool["last"], dtype=object)[
                    rng.integers(0, len(script_pool["last"]), len(sel))
                ]
    arabic_person = arabic_case[case_of]
    groups = pd.DataFrame({"nat": nationality, "sex": sex, "arabic": arabic_person}).groupby(
        ["nat", "sex", "arabic"], sort=True
    )
    for (nat, code, is_arabic), sel in groups.indices.items():
        pool = name_pools.ARABIC_SCRIPT if is_arabic else name_pools.POOL_BY_NATIONALITY[nat][0]
        options = np.array(pool["male" if code == "M" else "female"], dtype=object)
        first[sel] = options[rng.integers(0, len(options), len(sel))]
    return first, last_case[case_of]


def _people(n: int, seed: int, as_of: np.datetime64, cfg: Config) -> pd.DataFrame:
    """Individuals with case group, sex, age, nationality, site and registration date."""
    rng = _rng(seed, 1)
    sizes = _group_sizes(n, rng)
    n_cases = len(sizes)
    case_of = np.repeat(np.arange(n_cases), sizes)
    pos = np.arange(n) - np.repeat(np.cumsum(sizes) - sizes, sizes)  # position in the case
    size = sizes[case_of]

    # Case-level attributes.
    nat_case = _choice(rng, NATIONALITY_WEIGHTS, n_cases)
    sites = cfg.sites.sites
    site_w = np.array([s.weight for s in sites], dtype=float)
    site_case = rng.choice(len(sites), size=n_cases, p=site_w / site_w.sum())
    reg_case = rng.integers(0, WINDOW_DAYS, n_cases)  # days before as-of
    uasc_case = (sizes == 1) & (rng.random(n_cases) < 0.012)  # lone children
    single_headed = (sizes >= 2) & (rng.random(n_cases) < 0.30)

    # Sex and age: singles mostly men; families: a principal adult, maybe a spouse, children.
    sex = np.where(rng.random(n) < 0.9, "M", "F").astype(object)
    age = np.clip(np.round(rng.normal(29, 8, n)), 18, 75).astype(int)
    fam = size >= 2
    principal_f = np.where(single_headed[case_of], rng.random(n) < 0.85, rng.random(n) < 0.1)
    sex = np.where(fam & (pos == 0), np.where(principal_f, "F", "M"), sex)
    spouse = fam & (pos == 1) & ~single_headed[case_of]
    sex = np.where(spouse, np.where(principal_f, "M", "F"), sex)
    child = fam & ((pos >= 2) | ((pos == 1) & single_headed[case_of]))
    sex = np.where(child, np.where(rng.random(n) < 0.5, "F", "M"), sex)
    age = np.where(fam & (pos <= 1) & ~child, np.clip(age + 3, 20, 70), age)
    age = np.where(child, rng.integers(0, 18, n), age)
    lone_child = uasc_case[case_of]
    age = np.where(lone_child, rng.integers(14, 18, n), age)
    sex = np.where(lone_child, np.where(rng.random(n) < 0.85, "M", "F"), sex)
    elderly = rng.random(n) < 0.015
    age = np.where(elderly & ~child & ~lone_child, rng.integers(60, 80, n), age)

    nationality = nat_case[case_of]
    first, last = _names(nationality, sex, case_of, rng)
    reg = _dates(as_of, -reg_case[case_of])
    birth_offset = rng.integers(0, 365, n)  # days after the last birthday before registration
    dob = _birth_dates(reg, age, birth_offset)
    # Exact at registration by construction; recomputed as a safety net.
    age = _age_at(dob, reg)

    site = np.array([s.name for s in sites], dtype=object)[site_case][case_of]
    location_type = np.array([s.location_type for s in sites], dtype=object)[site_case][case_of]
    mantika = np.array([s.mantika for s in sites], dtype=object)[site_case][case_of]
    # Object columns stay object (no Arrow round trips while the population is built).
    columns = {
        "case_no": case_of,
        "pos": pos,
        "size": size,
        "sex": sex,
        "age": age,
        "dob": dob,
        "nationality": nationality,
        "first_name": first,
        "last_name": last,
        "registration_date": reg,
        "location": site,
        "location_type": location_type,
        "mantika": mantika,
        "lone_child": lone_child,
        "single_headed": single_headed[case_of],
        "child": child | lone_child,
    }
    return pd.DataFrame(
        {
            k: pd.Series(v, dtype=object if np.asarray(v).dtype == object else None)
            for k, v in columns.items()
        }
    )


def _birth_dates(reg: np.ndarray, age: np.ndarray, offset: np.ndarray) -> np.ndarray:
    """Birth dates such that the age at ``reg`` is exactly ``age`` (birthday ``offset`` days ago)."""
    r = pd.DatetimeIndex(reg)
    day = np.where((r.month == 2) & (r.day == 29), 28, r.day)
    anniversary = pd.to_datetime(pd.DataFrame({"year": r.year - age, "month": r.month, "day": day}))
    return (anniversary - pd.to_timedelta(offset, unit="D")).to_numpy()


def _age_at(dob: np.ndarray, when: np.ndarray) -> np.ndarray:
    b, w = pd.DatetimeIndex(dob), pd.DatetimeIndex(when)
    before_birthday = (w.month < b.month) | ((w.month == b.month) & (w.day < b.day))
    return (w.year - b.year - before_birthday.astype(int)).to_numpy()


def _vulnerabilities(
    p: pd.DataFrame, rng: np.random.Generator, codes: list[str]
) -> tuple[pd.Series, dict[str, np.ndarray]]:
    """The ``;``-joined vulnerability list (code-list order) and one flag array per code."""
    n = len(p)
    adult = ~p["child"].to_numpy()
    female = (p["sex"] == "F").to_numpy()
    flags = {
        "uasc": p["lone_child"].to_numpy(),
        "separated_child": p["child"].to_numpy()
        & ~p["lone_child"].to_numpy()
        & (rng.random(n) < 0.03),
        "vot": adult & (rng.random(n) < 0.035),
        "gbv": adult & female & (rng.random(n) < 0.08),
        "medical": rng.random(n) < 0.06,
        "disability": rng.random(n) < 0.012,
        "elderly": (p["age"] >= 60).to_numpy(),
        "single_headed_household": p["single_headed"].to_numpy() & (p["pos"] == 0).to_numpy(),
        "pregnant": female & adult & (p["age"] < 42).to_numpy() & (rng.random(n) < 0.04),
    }
    flags = {code: flags.get(code, np.zeros(n, dtype=bool)) for code in codes}
    # Few distinct combinations: build each joined string once from a bit pattern.
    bits = np.zeros(n, dtype=np.int64)
    for i, code in enumerate(codes):
        bits |= flags[code].astype(np.int64) << i
    inverse, combos = pd.factorize(bits, sort=True)
    text = np.array(
        [";".join(c for i, c in enumerate(codes) if combo >> i & 1) or None for combo in combos],
        dtype=object,
    )
    return pd.Series(text[inverse], dtype=object), flags


def _flight_schedule(
    p: pd.DataFrame, ready_offset: np.ndarray, rng: np.random.Generator, seed: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Departure day (days before as-of, negative = future), flight type and manifest id per case.

    Charter cases fly on their destination's weekly flight day in the week they are
    ready; loads above MAX_CHARTER_LOAD spill onto the following days. Commercial
    bookings fly alone, 2–10 days after being ready.
    """
    cases = p.groupby("case_no", sort=True).agg(
        size=("size", "first"), dest=("nationality", "first")
    )
    n_cases = len(cases)
    charter = rng.random(n_cases) < CHARTER_SHARE
    ready = ready_offset  # days before as-of (case level)
    dest = cases["dest"].to_numpy()
    # Destination flight weekday (stable per destination and seed).
    dest_idx, dest_codes = pd.factorize(dest, sort=True)
    weekday = _rng(seed, 7).integers(0, 6, len(dest_codes))[dest_idx]
    # Absolute day numbers (days since epoch) to get weekdays right.
    ready_abs = -ready  # relative to as-of; as-of is day 0
    as_of_weekday = int(p.attrs["as_of_weekday"])
    abs_weekday = (ready_abs + as_of_weekday) % 7
    wait = (weekday - abs_weekday) % 7
    wait = np.where(wait < 2, wait + 7, wait)  # at least two days to manifest
    depart = ready_abs + wait
    commercial_wait = rng.integers(2, 11, n_cases)
    depart = np.where(charter, depart, ready_abs + commercial_wait)

    # Split charter loads: people per (destination, day); overflow moves one day later.
    flight_type = np.where(charter, "charter", "commercial").astype(object)
    frame = pd.DataFrame(
        {"dest": dest, "day": depart, "size": cases["size"].to_numpy(), "charter": charter}
    )
    ch = frame[charter].sort_values(["dest", "day"], kind="stable")
    load_before = ch.groupby(["dest", "day"])["size"].cumsum() - ch["size"]
    spill = (load_before // MAX_CHARTER_LOAD).to_numpy()
    frame.loc[ch.index, "day"] = ch["day"].to_numpy() + spill
    frame.loc[ch.index, "chunk"] = spill // 7
    frame["chunk"] = frame["chunk"].fillna(0).astype(int)
    depart = frame["day"].to_numpy()
    airport_codes = np.array(list(AIRPORT_WEIGHTS))
    aw = np.array(list(AIRPORT_WEIGHTS.values()))
    airport = airport_codes[
        _rng(seed, 8).choice(len(airport_codes), size=len(dest_codes), p=aw / aw.sum())
    ][dest_idx]
    return depart, flight_type, np.asarray(airport, dtype=object), frame["chunk"].to_numpy()


def build_cases(n: int, seed: int, as_of: date, cfg: Config) -> tuple[pd.DataFrame, dict]:
    """The clean case export and the case-level timeline used by the other datasets."""
    as_of64 = np.datetime64(as_of, "D")
    p = _people(n, seed, as_of64, cfg)
    p.attrs["as_of_weekday"] = pd.Timestamp(as_of).weekday()
    rng = _rng(seed, 2)
    n_cases = int(p["case_no"].max()) + 1
    first_of_case = p.groupby("case_no", sort=True).head(1)
    reg_case = (
        as_of64 - first_of_case["registration_date"].to_numpy().astype("datetime64[D]")
    ).astype(int)  # days before as-of

    # Stage durations (days), per case.
    # Embassies are slow: waiting for travel documents has a long tail.
    to_interview = 2 + rng.gamma(1.5, 6, n_cases).astype(int)
    to_request = rng.integers(0, 6, n_cases)
    to_issue = 10 + rng.gamma(1.6, 45, n_cases).astype(int)
    to_ready = rng.integers(2, 20, n_cases)  # issued -> fit-to-travel and ready
    interview = reg_case - to_interview  # days before as-of (negative = future)
    request = interview - to_request
    issue = request - to_issue
    ready = issue - to_ready
    depart, flight_type, airport, chunk = _flight_schedule(p, ready, rng, seed)
    depart_before = -depart  # days before as-of

    status = np.full(n_cases, "registered", dtype=object)
    status = np.where(interview >= 0, "counselled", status)
    status = np.where(request >= 0, "documents_pending", status)
    status = np.where(ready >= 0, "ready", status)
    manifested = (depart_before < 0) & (depart_before >= -6) & (ready >= 0)
    status = np.where(manifested, "manifested", status)
    status = np.where((depart_before >= 0) & (ready >= 0), "departed", status)
    # Cancellations and holds, at any stage before the manifest: a case cancelled on its
    # way keeps the data of the stage it reached (at most "ready").
    draw = rng.random(n_cases)
    movable = status != "manifested"
    cancelled = movable & (draw < 0.06)
    on_hold = movable & (draw >= 0.06) & (draw < 0.09)
    reached = np.where((cancelled | on_hold) & (status == "departed"), "ready", status)
    status = np.where(cancelled, "cancelled", np.where(on_hold, "on_hold", status))
    reasons_cancel = np.array(
        [
            "Beneficiary withdrew request",
            "Left Libya irregularly",
            "Opted for local integration",
            "No contact for 3 months",
            "Embassy refused travel document",
        ],
        dtype=object,
    )
    reasons_hold = np.array(
        [
            "Awaiting embassy appointment",
            "Medical treatment ongoing",
            "Family reunification pending",
            "Exit visa pending",
            "Court case pending",
        ],
        dtype=object,
    )
    status_reason = np.where(
        cancelled,
        reasons_cancel[rng.integers(0, len(reasons_cancel), n_cases)],
        np.where(on_hold, reasons_hold[rng.integers(0, len(reasons_hold), n_cases)], None),
    )

    rank_names = [
        "registered",
        "counselled",
        "documents_pending",
        "ready",
        "manifested",
        "departed",
    ]
    rank = pd.Series(range(6), index=rank_names).reindex(reached).to_numpy()
    dep_ok = rank == 5
    man_ok = rank >= 4

    def at(days_before: np.ndarray, present: np.ndarray) -> np.ndarray:
        return np.where(present, as_of64 - days_before.astype("int64") * DAY, np.datetime64("NaT"))

    case_cols = {
        "interview_date": at(interview, rank >= 1),
        "travel_document_status": np.where(
            rank >= 3,
            "issued",
            np.where(
                (rank == 2) & (issue >= 0), "issued", np.where(rank >= 2, "requested", "none")
            ),
        ),
        "travel_document_date": at(issue, (rank >= 3) | ((rank == 2) & (issue >= 0))),
        "departure_date": at(depart_before, dep_ok & (status == "departed")),
        "flight_type": np.where(man_ok & ~cancelled & ~on_hold, flight_type, None),
        "status": status,
        "reached": reached,
        "status_reason": status_reason,
        "rank": rank,
    }
    # Fit-to-travel: fit within ftt_validity_days before the flight (or before as-of for
    # manifested cases); awaiting-FTT cases are pending.
    validity = cfg.thresholds.ftt_validity_days
    ftt_before_flight = rng.integers(0, validity + 1, n_cases)
    # departed: 0-7 days before the flight; manifested (future flight): between flight - 7
    # and as-of; ready: on the day the case became ready.
    ftt_day = np.where(man_ok, depart_before + ftt_before_flight, ready)
    fut = man_ok & (depart_before < 0)
    ftt_day = np.where(fut, rng.integers(0, np.maximum(validity + depart_before, 0) + 1), ftt_day)
    ftt_day = np.minimum(ftt_day, issue)  # never before the travel document
    ftt_present = rank >= 3
    case_cols["ftt_status"] = np.where(
        ftt_present, "fit", np.where(rank == 2, "pending", "not_assessed")
    )
    case_cols["ftt_date"] = at(ftt_day, ftt_present)
    # Manifest ids only for cases that reached a manifest (string work is the slow part).
    on = np.flatnonzero(man_ok & ~cancelled & ~on_hold)
    day_txt = pd.to_datetime(as_of64 - depart_before[on].astype("int64") * DAY).strftime("%Y%m%d")
    dest = p.groupby("case_no", sort=True)["nationality"].first().to_numpy()[on].astype(object)
    day_txt = day_txt.to_numpy(dtype=object)
    chunk_txt = np.where(chunk[on] > 0, "-" + (chunk[on] + 1).astype(str), "").astype(object)
    charter_id = "MNF-" + day_txt + "-" + airport[on] + "-" + dest + chunk_txt
    commercial_id = "COM-" + day_txt + "-" + dest
    manifest_ids = np.full(n_cases, None, dtype=object)
    manifest_ids[on] = np.where(flight_type[on] == "charter", charter_id, commercial_id)
    case_cols["manifest_id"] = manifest_ids
    case_cols["flight_date"] = at(depart_before, man_ok & ~cancelled & ~on_hold)

    # Last update: departed/cancelled soon after their last step; others within stall_days.
    last_step = np.select(
        [rank == 5, rank == 4, rank == 3, rank == 2, rank == 1],
        [depart_before, np.minimum(ftt_day, ready), np.minimum(ftt_day, ready), request, interview],
        default=reg_case,
    )
    last_step = np.maximum(last_step, 0)
    stall = cfg.thresholds.stall_days
    recent = rng.integers(0, stall, n_cases)
    last_update = np.where(
        (status == "departed") | (status == "cancelled"),
        np.maximum(last_step - rng.integers(0, 4, n_cases), 0),
        np.minimum(last_step, recent),
    )
    case_cols["last_updated"] = at(last_update, np.ones(n_cases, dtype=bool))

    # Expand case-level columns to individuals.
    cn = p["case_no"].to_numpy()
    ind = {k: np.asarray(v)[cn] for k, v in case_cols.items()}
    ind_rank = ind["rank"]
    vulns, has = _vulnerabilities(p, _rng(seed, 3), cfg.codes("vulnerability"))
    clearance_needed = np.logical_or.reduce([has[c] for c in cfg.codes("clearance_vulnerability")])
    bia_needed = np.logical_or.reduce([has[c] for c in cfg.codes("bia_vulnerability")])
    any_vuln = vulns.notna().to_numpy()
    reg_i = reg_case[cn]
    r = _rng(seed, 4)
    # Screening and clearance dates lie between registration and as-of.
    avm = reg_i - np.minimum(r.integers(0, 15, len(p)), reg_i)
    clear_day = np.clip(reg_i - r.integers(1, 30, len(p)), 0, reg_i)
    ready_i = ready[cn]
    clear_day = np.where(ind_rank >= 3, np.maximum(clear_day, np.maximum(ready_i, 0)), clear_day)
    at_ready = ind_rank >= 3
    protection_clearance = np.where(
        clearance_needed, np.where(at_ready, "cleared", "pending"), "not_required"
    )
    bia_day = np.clip(reg_i - r.integers(1, 40, len(p)), 0, reg_i)
    bia_present = bia_needed & (at_ready | (r.random(len(p)) < 0.5))
    shh = has["single_headed_household"]
    shh_docs = np.where(
        shh, np.where(at_ready, "yes", "no"), np.where(r.random(len(p)) < 0.7, "n/a", None)
    )
    m = len(p)
    phone = _join(
        "+218 9",
        _digits(r.integers(1, 5, m)),
        " ",
        _digits(r.integers(100, 1000, m)),
        " ",
        _digits(r.integers(1000, 10000, m)),
        mask=r.random(m) < 0.65,
    )
    doc_issued = ind["travel_document_status"] == "issued"
    passport = r.random(m) < 0.25
    etd = _join("ETD", _digits(r.integers(1_000_000, 10_000_000, m)))
    pp = _join("A", _digits(r.integers(10_000_000, 100_000_000, m)))
    doc_number = etd.where(doc_issued, pp.where(passport))
    individual_ids = _ids("IND-", m, 8)
    case_ids = _ids("LY-VHR-", n_cases, 7).to_numpy()[cn]
    cases = _frame(
        "cases",
        {
            "case_id": case_ids,
            "individual_id": individual_ids,
            "is_principal": (p["pos"] == 0).to_numpy(),
            "first_name": p["first_name"].to_numpy(),
            "last_name": p["last_name"].to_numpy(),
            "sex": p["sex"].to_numpy(),
            "date_of_birth": np.where(
                r.random(len(p)) < 0.03, np.datetime64("NaT"), p["dob"].to_numpy()
            ),
            "age": p["age"].to_numpy(),
            "nationality": p["nationality"].to_numpy(),
            "destination_country": p["nationality"].to_numpy(),
            "phone": phone,
            "document_number": doc_number,
            "location_type": p["location_type"].to_numpy(),
            "location": p["location"].to_numpy(),
            "mantika": p["mantika"].to_numpy(),
            "registration_date": p["registration_date"].to_numpy(),
            "interview_date": ind["interview_date"],
            "vulnerabilities": vulns.to_numpy(),
            "avm_screening_date": np.where(
                any_vuln, as_of64 - avm.astype("int64") * DAY, np.datetime64("NaT")
            ),
            "protection_clearance": protection_clearance,
            "protection_clearance_date": np.where(
                clearance_needed & at_ready,
                as_of64 - clear_day.astype("int64") * DAY,
                np.datetime64("NaT"),
            ),
            "bia_date": np.where(
                bia_present, as_of64 - bia_day.astype("int64") * DAY, np.datetime64("NaT")
            ),
            "single_headed_docs_complete": shh_docs,
            "travel_document_status": ind["travel_document_status"],
            "travel_document_date": ind["travel_document_date"],
            "ftt_status": ind["ftt_status"],
            "ftt_date": ind["ftt_date"],
            "manifest_id": ind["manifest_id"],
            "flight_type": ind["flight_type"],
            "departure_date": ind["departure_date"],
            "case_status": ind["status"],
            "status_reason": ind["status_reason"],
            "last_updated": ind["last_updated"],
        },
    )
    cases = _separate_duplicate_people(cases)
    timeline = {"flight_date": ind["flight_date"], "airport": airport[cn]}
    return cases, timeline


def _ids(prefix: str, n: int, width: int) -> pd.Series:
    """``prefix`` + zero-padded 1..n, built in Arrow (a million ids in milliseconds)."""
    return _join(prefix, _digits(np.arange(1, n + 1), width))


def _digits(values: np.ndarray, width: int = 0) -> pa.Array:
    text = pa.array(values).cast(pa.string())
    return pc.utf8_lpad(text, width, "0") if width else text


def _join(*parts, mask: np.ndarray | None = None) -> pd.Series:
    """Element-wise concatenation of strings and Arrow arrays; missing where ``mask`` is False."""
    joined = pc.binary_join_element_wise(*parts, "")
    if mask is not None:
        joined = pc.if_else(pa.array(mask), joined, pa.scalar(None, pa.string()))
    return pd.Series(pd.array(joined, dtype="str"))


def _separate_duplicate_people(cases: pd.DataFrame) -> pd.DataFrame:
    """Move birth dates so that no two people share name key, birth date and nationality.

    Otherwise C003 (probable duplicate) would fire on clean data by coincidence.
    The stated age stays within the C006 tolerance.
    """
    from ..clean.names import normalise_name_key

    key = normalise_name_key(cases["first_name"], cases["last_name"])
    for shift in range(1, 40):
        frame = pd.DataFrame(
            {"k": key.to_numpy(), "d": cases["date_of_birth"], "n": cases["nationality"]}
        )
        usable = frame["d"].notna()
        dup = frame[usable].duplicated(["k", "d", "n"], keep="first")
        if not dup.any():
            break
        idx = dup.index[dup.to_numpy()]
        dob = cases.loc[idx, "date_of_birth"]
        reg = cases.loc[idx, "registration_date"]
        moved = dob - pd.Timedelta(days=shift)
        moved = moved.where(moved <= reg, dob)
        cases.loc[idx, "date_of_birth"] = moved
        cases.loc[idx, "age"] = _age_at(moved.to_numpy(), reg.to_numpy())
    return cases


# ------------------------------------------------------------------------ manifests
def build_manifests(cases: pd.DataFrame, timeline: dict) -> pd.DataFrame:
    """Initial manifests of the upcoming flights: the manifested passengers, as on the case."""
    on = (cases["case_status"] == "manifested").to_numpy()
    sub = cases.loc[on]
    manifest = _frame(
        "manifest",
        {
            "manifest_id": sub["manifest_id"].to_numpy(),
            "flight_date": timeline["flight_date"][on],
            "flight_type": sub["flight_type"].to_numpy(),
            "destination_country": sub["destination_country"].to_numpy(),
            "individual_id": sub["individual_id"].to_numpy(),
            "first_name": sub["first_name"].to_numpy(),
            "last_name": sub["last_name"].to_numpy(),
            "date_of_birth": sub["date_of_birth"].to_numpy(),
            "nationality": sub["nationality"].to_numpy(),
            "document_number": sub["document_number"].to_numpy(),
            "ftt_status": sub["ftt_status"].to_numpy(),
        },
    )
    return manifest.sort_values(["manifest_id"], kind="stable").reset_index(drop=True)


# ------------------------------------------------------------------------- referrals
SERVICE_BY_VULNERABILITY = {
    "uasc": ["child_protection", "shelter"],
    "separated_child": ["child_protection"],
    "vot": ["legal", "mhpss", "shelter"],
    "gbv": ["mhpss", "medical", "legal"],
    "medical": ["medical"],
    "disability": ["medical", "cash"],
    "elderly": ["medical", "cash"],
    "single_headed_household": ["cash", "shelter"],
    "pregnant": ["medical"],
}


def build_referrals(cases: pd.DataFrame, seed: int, as_of: date, cfg: Config) -> pd.DataFrame:
    rng = _rng(seed, 5)
    as_of64 = np.datetime64(as_of, "D")
    vul = cases["vulnerabilities"].fillna("")
    sel = np.flatnonzero(vul.to_numpy(dtype=str) != "")
    first_vuln = vul.iloc[sel].str.split(";").str[0].to_numpy()
    services = np.empty(len(sel), dtype=object)
    for code, options in SERVICE_BY_VULNERABILITY.items():
        m = first_vuln == code
        services[m] = np.array(options, dtype=object)[rng.integers(0, len(options), m.sum())]
    # A share get a second referral to another service.
    second = rng.random(len(sel)) < 0.3
    ids = np.concatenate([sel, sel[second]])
    svc = np.concatenate(
        [
            services,
            np.array(["mhpss", "cash", "other", "legal"], dtype=object)[
                rng.integers(0, 4, second.sum())
            ],
        ]
    )
    reg = cases["registration_date"].to_numpy().astype("datetime64[D]")[ids]
    span = np.maximum((as_of64 - reg).astype(int), 0)
    ref_date = reg + (rng.random(len(ids)) * (span + 1)).astype(int) * DAY
    due = ref_date + 14 * DAY
    closed_after = rng.integers(1, 15, len(ids))
    follow = ref_date + closed_after * DAY
    overdue_if_open = due < as_of64
    done = overdue_if_open | ((follow <= as_of64) & (rng.random(len(ids)) < 0.5))
    follow = np.where(
        done & (follow <= as_of64), follow, np.where(done, as_of64, np.datetime64("NaT"))
    )
    outcome = np.where(
        done,
        np.array(["assisted", "assisted", "assisted", "declined", "closed"], dtype=object)[
            rng.integers(0, 5, len(ids))
        ],
        "pending",
    )
    partners = np.array(cfg.sites.partners, dtype=object)
    order = np.argsort(ref_date, kind="stable")
    return _frame(
        "referrals",
        {
            "referral_id": _ids("REF-", len(ids), 7),
            "individual_id": cases["individual_id"].to_numpy()[ids][order],
            "referral_date": ref_date[order],
            "service": svc[order],
            "referred_to": partners[rng.integers(0, len(partners), len(ids))],
            "follow_up_due": due[order],
            "follow_up_date": follow[order],
            "outcome": outcome[order],
        },
    )


# ------------------------------------------------------------------ community hosting
HOST_MANTIKAS = {
    "Tripoli": 45,
    "Misrata": 15,
    "Benghazi": 12,
    "Almargeb": 10,
    "Sebha": 8,
    "Azzawya": 5,
    "Ejdabia": 5,
}
EXIT_REASONS = {
    "vhr_departure": 50,
    "other_solution": 20,
    "self_exit": 15,
    "relocated": 10,
    "other": 5,
}
VISIT_NOTES = np.array(
    [
        "Host family welcoming; child attends school",
        "Minor repairs needed to bathroom",
        "Guest requested medical follow-up",
        "Tension with neighbours reported",
        "Food basket received",
        "Host asked about payment date",
        "Guest in good spirits",
        "Water tank leaking",
    ],
    dtype=object,
)


def build_hosting(
    cases: pd.DataFrame, seed: int, as_of: date, cfg: Config
) -> dict[str, pd.DataFrame]:
    """Hosts, their placements (never over capacity), monitoring visits and monthly payments."""
    rng = _rng(seed, 6)
    as_of64 = np.datetime64(as_of, "D")
    # The hosting programme and the field team do not grow with the caseload without limit.
    n_hosts = min(max(3, len(cases) // 150), MAX_HOSTS)
    host_type = np.where(rng.random(n_hosts) < 0.7, "family", "safe_shelter").astype(object)
    capacity = np.where(
        host_type == "family", rng.integers(2, 7, n_hosts), rng.integers(10, 31, n_hosts)
    )
    rate = (
        np.where(host_type == "family", rng.integers(10, 15, n_hosts), rng.integers(7, 11, n_hosts))
        * 50.0
    )
    active = rng.random(n_hosts) >= 0.1
    hosts = _frame(
        "hosts",
        {
            "host_id": _ids("HST-", n_hosts, 5),
            "host_type": host_type,
            "mantika": _choice(rng, HOST_MANTIKAS, n_hosts),
            "capacity": capacity,
            "monthly_rate_lyd": rate,
            "active": active,
        },
    )

    # Placements: each host place ("slot") is a sequence of stays with gaps in between.
    slot_host = np.repeat(np.arange(n_hosts), capacity)
    n_slots = len(slot_host)
    k = 8
    stays = rng.integers(20, 151, (n_slots, k))
    gaps = rng.integers(0, 21, (n_slots, k))
    origin = -365 + rng.integers(0, 60, n_slots)  # days relative to as-of
    start = origin[:, None] + np.cumsum(gaps + stays, axis=1) - stays
    end = start + stays
    inactive_host = ~active[slot_host]
    # An inactive host has no placement in the last 30 days.
    usable = start <= -1
    usable &= ~(inactive_host[:, None] & (end > -30))
    si, sj = np.nonzero(usable)
    p_start, p_end = start[si, sj], end[si, sj]
    host_of = slot_host[si]
    open_ = p_end > 0  # still hosted on as-of
    n_pl = len(si)
    # Distinct individuals (a person has one placement), preferring people still in Libya.
    candidates = np.flatnonzero(~cases["case_status"].isin(["departed"]).to_numpy())
    pool = candidates if len(candidates) >= n_pl else np.arange(len(cases))
    n_pl = min(n_pl, len(pool))
    chosen = rng.permutation(pool)[:n_pl]
    p_start, p_end, host_of, open_ = p_start[:n_pl], p_end[:n_pl], host_of[:n_pl], open_[:n_pl]
    order = np.lexsort((host_of, p_start))
    p_start, p_end, host_of, open_, chosen = (
        p_start[order],
        p_end[order],
        host_of[order],
        open_[order],
        chosen[order],
    )
    placement_ids = _ids("PLC-", n_pl, 6)
    placements = _frame(
        "placements",
        {
            "placement_id": placement_ids,
            "individual_id": cases["individual_id"].to_numpy()[chosen],
            "host_id": hosts["host_id"].to_numpy()[host_of],
            "start_date": as_of64 + p_start * DAY,
            "end_date": np.where(open_, np.datetime64("NaT"), as_of64 + p_end * DAY),
            "exit_reason": np.where(open_, None, _choice(rng, EXIT_REASONS, n_pl)),
        },
    )
    visits = _visits(placements, p_start, np.where(open_, 1, p_end), rng, as_of64)
    payments = _payments(hosts, placements, rng, as_of)
    return {"hosts": hosts, "placements": placements, "visits": visits, "payments": payments}


def _visits(placements, p_start, p_stop, rng, as_of64) -> pd.DataFrame:
    """First visit within a week of the start, then every 7–13 days; a major issue gets a
    follow-up visit 1–6 days later."""
    n_pl = len(placements)
    k = 26  # enough visits for the longest stay (150 days)
    gaps = rng.integers(7, 14, (n_pl, k))
    gaps[:, 0] = rng.integers(0, 7, n_pl)
    compliance = rng.choice(3, size=(n_pl, k), p=[0.9, 0.08, 0.02])
    major = compliance == 2
    follow = np.zeros_like(major)
    follow[:, 1:] = major[:, :-1]
    gaps = np.where(follow, rng.integers(1, 7, (n_pl, k)), gaps)
    compliance = np.where(follow, 0, compliance)  # the follow-up finds the issue resolved
    day = p_start[:, None] + np.cumsum(gaps, axis=1)
    # visits on or before as-of (day 0) and strictly before the exit day
    keep = (day <= 0) & (day < p_stop[:, None])
    pi, vj = np.nonzero(keep)
    vtype = np.where(
        follow[pi, vj], "follow_up", np.where(rng.random(len(pi)) < 0.15, "spot", "routine")
    )
    vtype = np.where(vj == 0, "routine", vtype)
    comp = np.array(["compliant", "minor_issue", "major_issue"], dtype=object)[compliance[pi, vj]]
    is_major = comp == "major_issue"
    notes = np.where(
        rng.random(len(pi)) < 0.3, VISIT_NOTES[rng.integers(0, len(VISIT_NOTES), len(pi))], None
    )
    visit_day = as_of64 + day[pi, vj] * DAY
    order = np.lexsort((pi, visit_day))
    return _frame(
        "visits",
        {
            "visit_id": _ids("VIS-", len(pi), 7),
            "placement_id": placements["placement_id"].to_numpy()[pi][order],
            "visit_date": visit_day[order],
            "visit_type": vtype[order],
            "compliance": comp[order],
            "issue_followed_up": np.where(
                is_major, True, np.where(comp == "minor_issue", rng.random(len(pi)) < 0.6, None)
            )[order],
            "notes": notes[order],
        },
    )


def _payments(hosts: pd.DataFrame, placements: pd.DataFrame, rng, as_of: date) -> pd.DataFrame:
    """One payment per host and full month with hosted people, paid early the next month."""
    from ..rules.hosting import expected_amounts  # what rule H004 expects, by definition

    last_full = pd.Period(as_of, "M") - 1
    months = pd.period_range(last_full - 12, last_full, freq="M").astype(str)
    exp = expected_amounts(placements, hosts, pd.Timestamp(as_of))
    exp = exp[exp["period"].isin(months) & (exp["expected"] > 0)].reset_index(drop=True)
    paid = (pd.PeriodIndex(exp["period"], freq="M") + 1).to_timestamp(
        how="start"
    ) + pd.to_timedelta(rng.integers(0, 10, len(exp)), unit="D")
    keep = np.asarray(paid <= pd.Timestamp(as_of))
    exp, paid = exp[keep].reset_index(drop=True), paid[keep]
    order = np.lexsort((exp["host_id"].to_numpy(), exp["period"].to_numpy()))
    return _frame(
        "payments",
        {
            "payment_id": _ids("PAY-", len(exp), 6),
            "host_id": exp["host_id"].to_numpy()[order],
            "period": exp["period"].to_numpy()[order],
            "amount_lyd": np.round(exp["expected"].to_numpy()[order], 2),
            "paid_date": paid.to_numpy()[order],
        },
    )


# ------------------------------------------------------------------------ activities
ACTIVITY_WEIGHTS = {
    "outreach_session": 35,
    "nfi_distribution": 20,
    "field_visit": 20,
    "embassy_meeting": 8,
    "training": 7,
    "coordination_meeting": 10,
}
ACTIVITY_NOTES = np.array(
    [
        "Awareness session on VHR process",
        "Hygiene kits and blankets distributed",
        "Visit with protection team",
        "Meeting on travel documents backlog",
        "Training for partner staff on referrals",
        "Protection working group meeting",
    ],
    dtype=object,
)


def build_activities(n: int, seed: int, as_of: date, cfg: Config) -> pd.DataFrame:
    rng = _rng(seed, 9)
    as_of64 = np.datetime64(as_of, "D")
    count = min(max(40, n // 20), MAX_ACTIVITIES)
    kind = _choice(rng, ACTIVITY_WEIGHTS, count)
    sites = cfg.sites.sites
    site_w = np.array([s.weight for s in sites], dtype=float)
    site = rng.choice(len(sites), size=count, p=site_w / site_w.sum())
    day = np.sort(as_of64 - rng.integers(0, WINDOW_DAYS, count) * DAY)
    people = np.isin(kind, ["outreach_session", "nfi_distribution", "training"])
    f = np.where(people, rng.integers(0, 40, count), None)
    m = np.where(people, rng.integers(0, 60, count), None)
    ch = np.where(
        np.isin(kind, ["outreach_session", "nfi_distribution"]), rng.integers(0, 25, count), None
    )
    items = np.where(kind == "nfi_distribution", rng.integers(20, 301, count), None)
    notes = ACTIVITY_NOTES[
        pd.Series(kind).map({k: i for i, k in enumerate(ACTIVITY_WEIGHTS)}).to_numpy()
    ]
    return _frame(
        "activities",
        {
            "activity_id": _ids("ACT-", count, 6),
            "date": day,
            "activity_type": kind,
            "location": np.array([s.name for s in sites], dtype=object)[site],
            "mantika": np.array([s.mantika for s in sites], dtype=object)[site],
            "participants_f": f,
            "participants_m": m,
            "participants_children": ch,
            "items": items,
            "notes": np.where(rng.random(count) < 0.6, notes, None),
        },
    )


def build_population(n: int, seed: int, as_of: date, cfg: Config) -> dict[str, pd.DataFrame]:
    """Every dataset of the data contract for ``n`` individuals, clean (no rule fires)."""
    cases, timeline = build_cases(n, seed, as_of, cfg)
    frames = {
        "cases": cases,
        "referrals": build_referrals(cases, seed, as_of, cfg),
        "manifest": build_manifests(cases, timeline),
    }
    frames.update(build_hosting(cases, seed, as_of, cfg))
    frames["activities"] = build_activities(n, seed, as_of, cfg)
    return {name: frames[name] for name in DATASETS}
