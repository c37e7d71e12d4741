"""A clean synthetic caseload: every dataset of the data contract, consistent and rule-free.

The population follows public IOM Libya and DTM figures: nationalities of the VHR
caseload, mostly single adult men, families a minority, about half in detention,
stage durations from registration to departure, charters of 120-170 returnees
to one country whenever a destination's queue fills one (most movements once the
caseload is large; at 20 000 individuals about 85 %) and commercial bookings of one or
two families for the rest, from the departure airports of config/sites.yaml, a
community hosting programme with monitoring visits and monthly payments, and the
team's field log (every activity type every week).

Upcoming flights: manifests exist for the flights of the next ``ftt_validity_days``
(a fit-to-travel check cannot be valid further ahead without being dated in the
future); the two busiest destinations always have a charter among them. The defects
add early bookings 8-14 days ahead (rule M004), so the manifest review's 14 days hold
GO and NO-GO flights.

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
# Flights. A charter carries 120-170 returnees to one country; commercial bookings are
# a family or two. Departure airports by IATA code (config/sites.yaml names them).
MIN_CHARTER_LOAD = 120
MAX_CHARTER_LOAD = 170
COMMERCIAL_PREFERENCE = 0.04  # cases booked commercial even where charters fly
CHARTER_MAX_FILL_DAYS = 180  # a destination whose queue fills a charter slower flies commercial
CHARTER_QUEUE_DAYS = 30  # at most this long since the last charter closed
ANCHORED_DESTINATIONS = 2  # the busiest destinations always have a charter coming up
MANIFEST_LEAD_DAYS = 2  # a case ready less than two days ago is not on a manifest yet
NO_FLIGHT = 10_000
REGIONS = {"east": ("SDN", "EGY", "ETH", "ERI"), "south": ("NER", "MLI", "TCD")}
CHARTER_AIRPORTS = {
    "east": {"BEN": 0.5, "MJI": 0.3, "MRA": 0.1, "SEB": 0.1},
    "south": {"MJI": 0.45, "SEB": 0.35, "MRA": 0.1, "BEN": 0.1},
    "default": {"MJI": 0.65, "MRA": 0.2, "BEN": 0.1, "SEB": 0.05},
}
COMMERCIAL_AIRPORTS = {"MJI": 0.85, "MRA": 0.1, "BEN": 0.05}
MAX_HOSTS = 1500  # host families and safe shelters


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
    uasc_case = (sizes == 1) & (rng.random(n_cases) < 0.02)  # lone children
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
        & (rng.random(n) < 0.05),
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


def _airport_weights(cfg: Config, weights: dict[str, float]) -> tuple[np.ndarray, np.ndarray]:
    """(airport names, probabilities) of ``weights`` by IATA code, for the airports that
    config/sites.yaml lists (an edited config with other airports gets them evenly)."""
    by_iata = {a.iata: a.name for a in cfg.sites.airports}
    known = {code: w for code, w in weights.items() if code in by_iata and w > 0}
    if not known:
        known = {code: 1.0 for code in by_iata}
    names = np.array([by_iata[c] for c in known], dtype=object)
    p = np.array(list(known.values()), dtype=float)
    return names, p / p.sum()


def _iata_of(cfg: Config) -> dict[str, str]:
    return {a.name: a.iata for a in cfg.sites.airports}


def _charter_batches(
    ready_day: np.ndarray, size: np.ndarray, anchored: bool, window: int, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Cut one destination's queue (sorted by ready day) into charter loads, newest first.

    Returns the batch number of each case (-1: not on a charter: the oldest cases, too few
    for a charter, fly commercial) and each batch's flight day. Charters fill from the most recent ready cases backwards so that an
    anchored destination has its next charter within the manifest window. The loop runs
    once per charter (a few hundred at 200 000 individuals), not per person.
    """
    bounds = np.concatenate([[0], np.cumsum(size)])
    batch = np.full(len(size), -1, dtype=np.int64)
    days: list[int] = []
    end = len(size)
    while end > 0:
        target = int(rng.integers(MIN_CHARTER_LOAD + 7, MAX_CHARTER_LOAD + 1))
        start = int(np.searchsorted(bounds, bounds[end] - target, side="left"))
        if bounds[end] - bounds[start] < MIN_CHARTER_LOAD:
            break
        last_ready = int(ready_day[end - 1])
        if anchored and not days:
            day = int(rng.integers(1, window + 1))
        else:
            day = last_ready + int(rng.integers(MANIFEST_LEAD_DAYS, MANIFEST_LEAD_DAYS + 7))
        batch[start:end] = len(days)
        days.append(day)
        end = start
    return batch, np.array(days, dtype=np.int64)


def _flight_schedule(
    cases: pd.DataFrame,
    ready_day: np.ndarray,
    grounded: np.ndarray,
    seed: int,
    as_of64: np.datetime64,
    cfg: Config,
) -> dict[str, np.ndarray]:
    """Flights of the cases ready to travel: day, type, departure airport and manifest id.

    ``ready_day``: the day each case is ready, relative to as-of (0 = as-of, negative =
    past); ``grounded``: cancelled or on hold (no flight). Charters carry MIN_CHARTER_LOAD
    to MAX_CHARTER_LOAD people to one destination: a destination gets charters when its
    queue fills one within CHARTER_MAX_FILL_DAYS, and the two busiest always have one in
    the manifest window (so that every demo has upcoming charters). Other cases fly on
    commercial bookings of one to ten people, 2–10 days after being ready. A flight day of
    NO_FLIGHT means not booked yet.
    """
    rng = _rng(seed, 7)
    n_cases = len(cases)
    size = cases["size"].to_numpy()
    dest = cases["dest"].to_numpy()
    dest_idx, dest_codes = pd.factorize(dest, sort=True)
    can_fly = ~grounded & (ready_day <= 0)
    # Large families always wait for a charter; a few others prefer a commercial booking.
    wants_charter = (rng.random(n_cases) >= COMMERCIAL_PREFERENCE) | (size > 5)
    queue = can_fly & wants_charter & (ready_day <= -MANIFEST_LEAD_DAYS)
    people = np.bincount(dest_idx[queue], weights=size[queue], minlength=len(dest_codes))
    per_day = people / WINDOW_DAYS
    mean_load = (MIN_CHARTER_LOAD + MAX_CHARTER_LOAD) / 2
    fill_days = np.where(per_day > 0, mean_load / np.maximum(per_day, 1e-9), np.inf)
    busiest = np.argsort(-people, kind="stable")[:ANCHORED_DESTINATIONS]
    anchored = np.zeros(len(dest_codes), dtype=bool)
    anchored[busiest] = people[busiest] >= MIN_CHARTER_LOAD

    day = np.full(n_cases, NO_FLIGHT, dtype=np.int64)
    flight = np.full(n_cases, -1, dtype=np.int64)
    charter = np.zeros(n_cases, dtype=bool)
    waiting = np.zeros(n_cases, dtype=bool)
    flight_dest: list[np.ndarray] = []
    next_flight = 0
    for d in range(len(dest_codes)):
        if not (anchored[d] or fill_days[d] <= CHARTER_MAX_FILL_DAYS):
            continue
        # Cases ready since the last charter closed wait for the next one (status ready).
        phase = 0 if anchored[d] else int(rng.integers(0, min(fill_days[d], CHARTER_QUEUE_DAYS)))
        mine = can_fly & wants_charter & (dest_idx == d)
        waiting |= mine & (ready_day > -MANIFEST_LEAD_DAYS - phase)
        sel = np.flatnonzero(mine & (ready_day <= -MANIFEST_LEAD_DAYS - phase))
        sel = sel[np.argsort(ready_day[sel], kind="stable")]
        batch, days = _charter_batches(
            ready_day[sel], size[sel], bool(anchored[d]), cfg.thresholds.ftt_validity_days, rng
        )
        on = batch >= 0
        flight[sel[on]] = next_flight + batch[on]
        day[sel[on]] = days[batch[on]]
        charter[sel[on]] = True
        flight_dest.append(np.full(len(days), d))
        next_flight += len(days)
    # Everyone else who can fly books a commercial flight (with family, small bookings):
    # where no charter flies, and the oldest cases of a queue too short for a charter.
    commercial = can_fly & ~charter & ~waiting
    day = np.where(commercial, ready_day + rng.integers(2, 11, n_cases), day)
    airport = np.full(n_cases, None, dtype=object)
    com_names, com_p = _airport_weights(cfg, COMMERCIAL_AIRPORTS)
    airport[commercial] = com_names[rng.choice(len(com_names), commercial.sum(), p=com_p)]
    # Charter airports: per flight, by destination (the east flies more from Benina).
    charter_dest = np.concatenate(flight_dest) if flight_dest else np.zeros(0, np.int64)
    region_of = {code: region for region, codes in REGIONS.items() for code in codes}
    dest_region = np.array([region_of.get(c, "default") for c in dest_codes], dtype=object)
    flight_airport = np.empty(len(charter_dest), dtype=object)
    for region, weights in CHARTER_AIRPORTS.items():
        in_region = dest_region[charter_dest] == region
        a_names, a_p = _airport_weights(cfg, weights)
        flight_airport[in_region] = a_names[rng.choice(len(a_names), in_region.sum(), p=a_p)]
    airport[charter] = flight_airport[flight[charter]]
    ids = _manifest_ids(day, charter, flight, airport, dest, size, as_of64, cfg)
    return {
        "day": day,
        "flight_type": np.where(charter, "charter", "commercial").astype(object),
        "airport": airport,
        "manifest_id": ids,
    }


def _manifest_ids(day, charter, flight, airport, dest, size, as_of64, cfg: Config) -> np.ndarray:
    """MNF-<date>-<IATA>-<destination> for charters, COM-… for commercial bookings (a
    family with up to one other small case, so one to ten people); "-2", "-3" … when two
    flights share date, airport and destination. Only booked cases get an id."""
    booked = np.flatnonzero(day != NO_FLIGHT)
    frame = pd.DataFrame(
        {
            "case": booked,
            "day": day[booked],
            "iata": pd.Series(airport[booked]).map(_iata_of(cfg)).to_numpy(dtype=object),
            "dest": dest[booked],
            "charter": charter[booked],
            "flight": flight[booked],
        }
    )
    com = ~frame["charter"]
    small = com & (size[booked] <= 5)
    # Commercial bookings: two small cases per booking (at most 5 + 5 people), big alone.
    frame.loc[small, "flight"] = frame[small].groupby(["day", "iata", "dest"]).cumcount() // 2
    big = com & ~small
    frame.loc[big, "flight"] = 1_000_000 + frame.loc[big, "case"]
    key = ["charter", "day", "iata", "dest", "flight"]
    # One id per flight (a few thousand), then taken by every case on it.
    of_flight = frame.groupby(key, sort=True).ngroup().to_numpy()
    flights = frame[key].drop_duplicates().sort_values(key, kind="stable")
    n = flights.groupby(key[:-1]).cumcount().to_numpy()
    when = pd.to_datetime(as_of64 + flights["day"].to_numpy() * DAY).strftime("%Y%m%d")
    ids = (
        np.where(flights["charter"].to_numpy(), "MNF-", "COM-").astype(object)
        + when.to_numpy(dtype=object)
        + "-"
        + flights["iata"].to_numpy(dtype=object)
        + "-"
        + flights["dest"].to_numpy(dtype=object)
        + np.where(n > 0, "-" + (n + 1).astype(str), "").astype(object)
    )[of_flight]
    out = np.full(len(day), None, dtype=object)
    out[frame["case"].to_numpy()] = ids
    return out


def build_cases(n: int, seed: int, as_of: date, cfg: Config) -> tuple[pd.DataFrame, dict]:
    """The clean case export and the case-level timeline used by the other datasets."""
    as_of64 = np.datetime64(as_of, "D")
    p = _people(n, seed, as_of64, cfg)
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
    # Cancellations and holds, at any stage before a flight: such a case keeps the data of
    # the stage it reached (at most "ready") and is never booked.
    draw = rng.random(n_cases)
    cancelled = draw < 0.06
    on_hold = (draw >= 0.06) & (draw < 0.09)
    case_frame = p.groupby("case_no", sort=True).agg(
        size=("size", "first"), dest=("nationality", "first")
    )
    flights = _flight_schedule(case_frame, -ready, cancelled | on_hold, seed, as_of64, cfg)
    depart_before = -flights["day"]  # days before as-of
    flight_type, airport = flights["flight_type"], flights["airport"]
    window = cfg.thresholds.ftt_validity_days

    status = np.full(n_cases, "registered", dtype=object)
    status = np.where(interview >= 0, "counselled", status)
    status = np.where(request >= 0, "documents_pending", status)
    status = np.where(ready >= 0, "ready", status)
    # On a manifest: flights of the next ftt_validity_days (a fit-to-travel check of today
    # is still valid on the day of the flight).
    manifested = (depart_before < 0) & (depart_before >= -window) & (ready >= 0)
    status = np.where(manifested, "manifested", status)
    status = np.where((depart_before >= 0) & (ready >= 0), "departed", status)
    reached = status
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
    booked = man_ok & ~cancelled & ~on_hold
    case_cols["manifest_id"] = np.where(booked, flights["manifest_id"], None)
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
    avm = reg_i - r.integers(0, 15, len(p))  # negative: not screened yet
    # Clearance comes with the travel document, before the case is ready to move.
    ready_i, issue_i = ready[cn], issue[cn]
    clear_day = ready_i + np.floor(r.random(len(p)) * (issue_i - ready_i + 1)).astype(int)
    at_ready = ind_rank >= 3
    # Cleared by the time the case is ready; some already while documents are pending.
    cleared = clearance_needed & (at_ready | ((ind_rank == 2) & (clear_day >= 0)))
    protection_clearance = np.where(
        clearance_needed, np.where(cleared, "cleared", "pending"), "not_required"
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
                any_vuln & (avm >= 0), as_of64 - avm.astype("int64") * DAY, np.datetime64("NaT")
            ),
            "protection_clearance": protection_clearance,
            "protection_clearance_date": np.where(
                cleared,
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
    timeline = {"flight_date": ind["flight_date"], "airport": np.asarray(airport)[cn]}
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
            "departure_airport": timeline["airport"][on],
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


# Who takes referrals for each service (partners of config/sites.yaml; others at random).
SERVICE_PARTNERS = {
    "medical": ["IOM Migrant Health Unit", "International Medical Corps", "Libyan Red Crescent"],
    "mhpss": ["IOM MHPSS Team", "International Medical Corps", "IRC"],
    "shelter": ["IOM Protection Unit", "UNHCR", "CESVI"],
    "child_protection": ["UNICEF", "IOM Protection Unit", "Helpcode"],
    "legal": ["IOM Protection Unit", "UNHCR", "IRC"],
    "cash": ["IOM Community Hosting", "IRC", "CESVI"],
    "other": ["Libyan Red Crescent", "IOM Protection Unit"],
}


def _partners(service: np.ndarray, cfg: Config, rng: np.random.Generator) -> np.ndarray:
    known = np.array(cfg.sites.partners, dtype=object)
    out = known[rng.integers(0, len(known), len(service))]
    for code, names in SERVICE_PARTNERS.items():
        options = np.array([n for n in names if n in set(known)], dtype=object)
        sel = np.flatnonzero(service == code)
        if len(options) and len(sel):
            out[sel] = options[rng.integers(0, len(options), len(sel))]
    return out


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
    # Referred soon after registration (the screening finds the need); a second referral
    # later. So each week's referrals follow that week's vulnerable registrations.
    reg = cases["registration_date"].to_numpy().astype("datetime64[D]")[ids]
    span = np.maximum((as_of64 - reg).astype(int), 0)
    after = (rng.gamma(1.5, 6, len(ids)) + np.where(np.arange(len(ids)) >= len(sel), 20, 0)).astype(
        int
    )
    made = after <= span  # the others are not referred yet
    ids, svc, reg, after = ids[made], svc[made], reg[made], after[made]
    ref_date = reg + after * DAY
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
    order = np.argsort(ref_date, kind="stable")
    partner = _partners(svc, cfg, rng)
    return _frame(
        "referrals",
        {
            "referral_id": _ids("REF-", len(ids), 7),
            "individual_id": cases["individual_id"].to_numpy()[ids][order],
            "referral_date": ref_date[order],
            "service": svc[order],
            "referred_to": partner[order],
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
# Extra entries beyond one of each type a week, by type.
ACTIVITY_WEIGHTS = {
    "outreach_session": 35,
    "nfi_distribution": 20,
    "field_visit": 20,
    "embassy_meeting": 8,
    "training": 7,
    "coordination_meeting": 10,
}
# Where each activity takes place: location types of config/sites.yaml, or named sites.
ACTIVITY_PLACES = {
    "outreach_session": {"location_type": ("urban", "shelter", "community_hosting")},
    "nfi_distribution": {"location_type": ("detention_centre", "urban", "shelter")},
    "field_visit": {"location_type": ("detention_centre", "shelter", "community_hosting")},
    "embassy_meeting": {"name": ("Tripoli",)},  # the embassies are in Tripoli
    "training": {"name": ("Tripoli", "Misrata", "Benghazi")},
    "coordination_meeting": {"name": ("Tripoli", "Tripoli", "Tripoli", "Benghazi", "Misrata")},
}
# Women/girls, men/boys (ranges) and the children's share cap of each type; None: no count.
ACTIVITY_PEOPLE = {
    "outreach_session": ((3, 31), (10, 61), 0.3),
    "nfi_distribution": ((5, 61), (20, 151), 0.25),
    "field_visit": ((0, 11), (5, 61), 0.15),
    "training": ((3, 16), (3, 16), 0.0),
}
ACTIVITY_NOTES = {
    "outreach_session": [
        "Awareness session on the voluntary return process",
        "Information session on return and reintegration assistance",
        "Session on safe migration and the risks of onward journeys",
    ],
    "nfi_distribution": [
        "Hygiene kits and blankets distributed",
        "Winter kits distributed",
        "Dignity kits and clothing distributed",
    ],
    "field_visit": [
        "Visit with the protection team; new registrations taken",
        "Visit to identify vulnerable cases for screening",
        "Follow-up visit on living conditions",
    ],
    "embassy_meeting": [
        "Meeting on the travel documents backlog",
        "Consular registration day planned",
        "Meeting on emergency travel documents for the next charter",
    ],
    "training": [
        "Training for partner staff on referrals",
        "Training on protection principles for new staff",
        "Training on the case management system",
    ],
    "coordination_meeting": [
        "Protection working group meeting",
        "Coordination meeting on flight schedules",
        "Mixed migration working group meeting",
    ],
}


def _activity_places(kind: str, cfg: Config, rng, count: int) -> np.ndarray:
    """Site indices of ``config/sites.yaml`` for ``count`` activities of ``kind``."""
    sites = cfg.sites.sites
    rule = ACTIVITY_PLACES[kind]
    names = np.array([s.name for s in sites], dtype=object)
    if "name" in rule:
        wanted = [n for n in rule["name"] if n in set(names)]
        idx = np.array([int(np.flatnonzero(names == n)[0]) for n in wanted], dtype=int)
        w = np.ones(len(idx))
    else:
        idx = np.array(
            [i for i, s in enumerate(sites) if s.location_type in rule["location_type"]], dtype=int
        )
        w = np.array([sites[i].weight for i in idx], dtype=float)
    if not len(idx) or w.sum() <= 0:  # an edited config without such sites
        idx, w = np.arange(len(sites)), np.array([s.weight for s in sites], dtype=float) + 1e-9
    return idx[rng.choice(len(idx), size=count, p=w / w.sum())]


def build_activities(n: int, seed: int, as_of: date, cfg: Config) -> pd.DataFrame:
    """The field log: every activity type every week, more as the caseload grows.

    Work days are Sunday to Thursday (the Libyan week). Entries carry the site and its
    mantika; people reached by sex (and children among them) where the activity reaches
    people; NFI kits for distributions (about one per person reached).
    """
    rng = _rng(seed, 9)
    as_of64 = np.datetime64(as_of, "D")
    kinds = np.array(list(ACTIVITY_WEIGHTS), dtype=object)
    weeks = WINDOW_DAYS // 7 + 1
    # One of each type a week, plus extra entries by weight (the team grows with the work).
    extra_per_week = min(2 + n / 2500, 50)
    extra = rng.poisson(extra_per_week * weeks)
    p = np.array(list(ACTIVITY_WEIGHTS.values()), dtype=float)
    kind = np.concatenate(
        [np.repeat(kinds, weeks), kinds[rng.choice(len(kinds), extra, p=p / p.sum())]]
    )
    week = np.concatenate([np.tile(np.arange(weeks), len(kinds)), rng.integers(0, weeks, extra)])
    # A work day (Sunday to Thursday) of each ISO week (Monday to Sunday, as the reports
    # count), counted back from as-of; in the week of as-of, the sure entries fall on or
    # before as-of.
    weekday = pd.Timestamp(as_of).weekday()  # 0 = Monday
    monday = as_of64 - weekday * DAY - week * 7 * DAY
    offset = np.array([0, 1, 2, 3, 6])[rng.integers(0, 5, len(kind))]
    sure = np.arange(len(kind)) < weeks * len(kinds)
    offset = np.where(sure & (week == 0), np.minimum(offset, weekday), offset)
    day = monday + offset * DAY
    keep = day <= as_of64
    kind, day = kind[keep], day[keep]
    count = len(kind)
    site = np.zeros(count, dtype=int)
    f = np.full(count, None, dtype=object)
    m = np.full(count, None, dtype=object)
    ch = np.full(count, None, dtype=object)
    notes = np.full(count, None, dtype=object)
    for k in kinds:
        sel = np.flatnonzero(kind == k)
        site[sel] = _activity_places(k, cfg, rng, len(sel))
        options = np.array(ACTIVITY_NOTES[k], dtype=object)
        notes[sel] = options[rng.integers(0, len(options), len(sel))]
        if k in ACTIVITY_PEOPLE:
            (f_lo, f_hi), (m_lo, m_hi), child_share = ACTIVITY_PEOPLE[k]
            women = rng.integers(f_lo, f_hi, len(sel))
            men = rng.integers(m_lo, m_hi, len(sel))
            f[sel], m[sel] = women, men
            ch[sel] = np.floor((women + men) * child_share * rng.random(len(sel))).astype(int)
    items = np.where(
        kind == "nfi_distribution",
        np.round(
            np.where(f == None, 0, f).astype(float)  # noqa: E711
            + np.where(m == None, 0, m).astype(float)  # noqa: E711
        )
        * rng.uniform(0.8, 1.2, count),
        np.nan,
    )
    items = np.where(np.isnan(items), None, np.round(np.nan_to_num(items)).astype(int))
    order = np.argsort(day, kind="stable")
    sites = cfg.sites.sites
    return _frame(
        "activities",
        {
            "activity_id": _ids("ACT-", count, 6),
            "date": day[order],
            "activity_type": kind[order],
            "location": np.array([s.name for s in sites], dtype=object)[site][order],
            "mantika": np.array([s.mantika for s in sites], dtype=object)[site][order],
            "participants_f": f[order],
            "participants_m": m[order],
            "participants_children": ch[order],
            "items": items[order],
            "notes": np.where(rng.random(count) < 0.7, notes, None)[order],
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
