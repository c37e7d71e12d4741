"""Inject one kind of defect per rule code into a clean population, and record what was done.

Each defect breaks a distinct record (or case group) so that it triggers its own
rule and nothing else, following docs/rules-interpretation.md. Where a defect
necessarily breaks two rules (a manifested passenger without protection clearance
is M005 and, in the case records, C009), both are listed in the ground truth.
The ground truth lists every record the rule engine must flag: for group rules
(C003, C012, H003, M006) that is every member of the group.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from ..config import Config
from ..rules.hosting import peak_occupancy
from .population import _age_at, _birth_dates

GROUND_TRUTH_COLUMNS = ["dataset", "record_id", "rule"]
STAGE_ORDER = ["registered", "counselled", "documents_pending", "ready", "manifested", "departed"]
OPEN_STATUSES = ["registered", "counselled", "documents_pending", "ready"]


class _Injector:
    """Mutable copies of the frames, the records already used and the ground truth."""

    def __init__(self, frames: dict[str, pd.DataFrame], seed: int, as_of: date, cfg: Config):
        self.f = {name: frame.copy() for name, frame in frames.items()}
        self.rng = np.random.default_rng([seed, 99])
        self.as_of = pd.Timestamp(as_of)
        self.cfg = cfg
        self.used_cases: set[str] = set()
        self.used: dict[str, set[str]] = {name: set() for name in frames}
        self.truth: list[tuple[str, str, str]] = []
        self._name_keys: pd.DataFrame | None = None
        cases = self.f["cases"]
        self.case_size = cases.groupby("case_id")["case_id"].transform("size").to_numpy()
        # Case of each row as a number, fixed at the start (defects may move people).
        self.case_code, case_ids = pd.factorize(cases["case_id"])
        self.case_used = np.zeros(len(case_ids), dtype=bool)
        self.manifested = (cases["case_status"] == "manifested").to_numpy()
        self.rank = (
            cases["case_status"].map({s: i for i, s in enumerate(STAGE_ORDER)}).fillna(-1)
        ).to_numpy(dtype=int)

    def name_keys(self) -> pd.DataFrame:
        """C003's name key and the nationality of every case row, computed once (names and
        nationalities do not change between the defects that need them: C007, C008)."""
        if self._name_keys is None:
            from ..clean.names import normalise_name_key

            cases = self.f["cases"]
            self._name_keys = pd.DataFrame(
                {
                    "k": normalise_name_key(cases["first_name"], cases["last_name"]).to_numpy(),
                    "n": cases["nationality"].to_numpy(),
                }
            )
        return self._name_keys

    # -- choosing records
    def pick_cases(
        self, mask: np.ndarray, k: int, single: bool = True, passengers: bool = False
    ) -> np.ndarray:
        """Up to ``k`` row positions of ``cases`` matching ``mask``, each from an unused case."""
        ok = mask & ~self.case_used[self.case_code]
        if single:
            ok &= self.case_size == 1
        if not passengers:  # manifested cases are kept for the manifest rules
            ok &= ~self.manifested
        candidates = np.flatnonzero(ok)
        if not len(candidates):
            return candidates
        # One row per case, in random order.
        _, first = np.unique(self.case_code[candidates], return_index=True)
        candidates = candidates[first]
        picked = np.sort(self.rng.permutation(candidates)[:k])
        self.case_used[self.case_code[picked]] = True
        return picked

    def pick_rows(self, name: str, mask: np.ndarray, k: int, key: str) -> np.ndarray:
        frame = self.f[name]
        ok = mask & ~frame[key].isin(self.used[name]).to_numpy()
        picked = np.sort(self.rng.permutation(np.flatnonzero(ok))[:k])
        self.used[name].update(frame[key].to_numpy()[picked])
        return picked

    def record(self, dataset: str, ids, rule: str) -> None:
        self.truth += [(dataset, str(i), rule) for i in ids]

    def set(self, name: str, rows: np.ndarray, column: str, values) -> None:
        frame = self.f[name]
        frame.loc[frame.index[rows], column] = values

    def insert_after(self, name: str, rows: np.ndarray, copies: pd.DataFrame) -> None:
        """Insert ``copies`` (one per row) right after each of ``rows`` — exports keep order."""
        frame = self.f[name]
        order = np.concatenate([np.arange(len(frame), dtype=float), rows + 0.5])
        both = pd.concat([frame, copies], ignore_index=True)
        self.f[name] = both.iloc[np.argsort(order, kind="stable")].reset_index(drop=True)


def _case_col(inj: _Injector, column: str) -> pd.Series:
    return inj.f["cases"][column]


def _ids_out_of_range(prefix: str, start: int, k: int) -> list[str]:
    return [f"{prefix}{start - i:08d}" for i in range(k)]


# ----------------------------------------------------------------------- case rules
def _c001(inj: _Injector, k: int) -> None:
    """Counselled or later without interview date; or any record without its location."""
    cases = inj.f["cases"]
    rows = inj.pick_cases((inj.rank >= 1) & cases["interview_date"].notna().to_numpy(), k)
    half = rows[: (len(rows) + 1) // 2]
    inj.set("cases", half, "interview_date", pd.NaT)
    inj.set("cases", rows[len(half) :], "location", pd.NA)
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C001")


def _c002(inj: _Injector, k: int) -> None:
    """The same individual exported twice (the copy is not a second principal)."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(np.ones(len(cases), dtype=bool), k)
    copies = cases.iloc[rows].copy()
    copies["is_principal"] = pd.array([False] * len(rows), dtype="boolean")
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C002")
    inj.insert_after("cases", rows, copies)


def _name_variant(name: object) -> object:
    """The same name as a case worker might type it again: upper case, no accents, spaces."""
    if not isinstance(name, str):
        return name
    plain = "".join(c for c in unicodedata.normalize("NFKD", name) if not unicodedata.combining(c))
    return plain.upper().replace(" ", "  ")


def _c003(inj: _Injector, k: int) -> None:
    """A second registration of an existing person under another individual_id.

    The copy keeps its own registration and case; it gets the person's name (typed
    differently), birth date and nationality, and the age that goes with them.
    """
    cases = inj.f["cases"]
    adult = (cases["age"].fillna(0) >= 20).to_numpy() & cases["date_of_birth"].notna().to_numpy()
    rows = inj.pick_cases(adult, 2 * k)
    originals, twins = rows[0::2], rows[1::2]
    originals = originals[: len(twins)]
    for col in ("first_name", "last_name"):
        inj.set("cases", twins, col, [_name_variant(v) for v in cases[col].to_numpy()[originals]])
    dob = cases["date_of_birth"].to_numpy()[originals]
    inj.set("cases", twins, "date_of_birth", dob)
    for col in ("nationality", "destination_country"):
        inj.set("cases", twins, col, cases["nationality"].to_numpy()[originals])
    reg = cases["registration_date"].to_numpy()[twins]
    inj.set("cases", twins, "age", _age_at(dob, reg))
    ids = cases["individual_id"].to_numpy()
    inj.record("cases", np.concatenate([ids[originals], ids[twins]]), "C003")


def _c004(inj: _Injector, k: int) -> None:
    """Interview recorded before registration."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(cases["interview_date"].notna().to_numpy(), k)
    inj.set(
        "cases",
        rows,
        "interview_date",
        cases["registration_date"].iloc[rows] - pd.Timedelta(days=3),
    )
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C004")


def _c005(inj: _Injector, k: int) -> None:
    """A last update dated after the as-of date (a typo in the year or month)."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(np.ones(len(cases), dtype=bool), k)
    days = inj.rng.integers(3, 40, len(rows))
    inj.set("cases", rows, "last_updated", inj.as_of + pd.to_timedelta(days, unit="D"))
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C005")


def _c006(inj: _Injector, k: int) -> None:
    """Stated age five years off the date of birth."""
    cases = inj.f["cases"]
    ok = cases["date_of_birth"].notna().to_numpy() & cases["age"].between(20, 60).to_numpy()
    rows = inj.pick_cases(ok, k)
    inj.set("cases", rows, "age", cases["age"].iloc[rows] + 5)
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C006")


def _make_child(inj: _Injector, rows: np.ndarray, age: int = 16) -> None:
    """Make ``rows`` children of ``age``, with a birth date nobody of that name shares (C003)."""
    cases = inj.f["cases"]
    reg = cases["registration_date"].to_numpy()[rows]
    offset = inj.rng.integers(0, 365, len(rows))
    inj.set("cases", rows, "age", age)
    everyone = inj.name_keys()
    for _ in range(50):
        dob = _birth_dates(reg, np.full(len(rows), age), offset)
        inj.set("cases", rows, "date_of_birth", dob)
        triple = everyone.assign(d=cases["date_of_birth"].to_numpy())
        clash = triple.duplicated(["k", "n", "d"], keep=False).to_numpy()[rows]
        if not clash.any():
            return
        offset = np.where(clash, (offset + 1) % 365, offset)


def _no_vulnerability(inj: _Injector) -> np.ndarray:
    return inj.f["cases"]["vulnerabilities"].isna().to_numpy()


def _c007(inj: _Injector, k: int) -> None:
    """A lone child registered without the uasc / separated_child flag."""
    rows = inj.pick_cases(_no_vulnerability(inj) & (inj.rank < 3), k)
    _make_child(inj, rows)
    inj.record("cases", inj.f["cases"]["individual_id"].to_numpy()[rows], "C007")


def _c008(inj: _Injector, k: int) -> None:
    """An unaccompanied child at ready or later, cleared, but without best-interests assessment."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(_no_vulnerability(inj) & (inj.rank >= 3), k)
    _make_child(inj, rows)
    inj.set("cases", rows, "vulnerabilities", "uasc")
    inj.set("cases", rows, "protection_clearance", "cleared")
    reg = cases["registration_date"].iloc[rows]
    inj.set("cases", rows, "protection_clearance_date", reg + pd.Timedelta(days=1))
    inj.set("cases", rows, "bia_date", pd.NaT)
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C008")


def _c009(inj: _Injector, k: int) -> None:
    """A case with medical needs at ready or later whose clearance is still pending."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(_no_vulnerability(inj) & (inj.rank >= 3), k)
    inj.set("cases", rows, "vulnerabilities", "medical")
    inj.set("cases", rows, "protection_clearance", "pending")
    inj.set("cases", rows, "protection_clearance_date", pd.NaT)
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C009")


def _c010(inj: _Injector, k: int) -> None:
    """Departed on a fit-to-travel check ten days older than the flight."""
    cases = inj.f["cases"]
    ok = (cases["case_status"] == "departed").to_numpy() & cases["ftt_date"].notna().to_numpy()
    rows = inj.pick_cases(ok, k)
    days = inj.cfg.thresholds.ftt_validity_days + 3
    inj.set("cases", rows, "ftt_date", cases["departure_date"].iloc[rows] - pd.Timedelta(days=days))
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C010")


def _c011(inj: _Injector, k: int) -> None:
    """A single-headed household at ready or later with its paperwork incomplete."""
    cases = inj.f["cases"]
    shh = cases["vulnerabilities"].fillna("").str.contains("single_headed_household").to_numpy()
    rows = inj.pick_cases(shh & (inj.rank >= 3), k, single=False)
    rows = rows[(cases["case_status"].to_numpy()[rows] != "manifested")]
    if len(rows) < k:  # few families: a single parent travelling ahead of the children
        more = inj.pick_cases(_no_vulnerability(inj) & (inj.rank >= 3), k - len(rows))
        inj.set("cases", more, "vulnerabilities", "single_headed_household")
        rows = np.sort(np.concatenate([rows, more]))
    inj.set("cases", rows, "single_headed_docs_complete", "no")
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C011")


def _c012(inj: _Injector, k: int) -> None:
    """A family with two principal applicants: every member is listed."""
    cases = inj.f["cases"]
    family = (inj.case_size >= 2) & (~cases["is_principal"].fillna(False)).to_numpy()
    family &= (cases["case_status"] != "manifested").to_numpy()
    rows = inj.pick_cases(family, k, single=False)
    inj.set("cases", rows, "is_principal", True)
    members = cases["case_id"].isin(cases["case_id"].iloc[rows]).to_numpy()
    inj.record("cases", cases["individual_id"].to_numpy()[members], "C012")


def _c013(inj: _Injector, k: int) -> None:
    """A cancelled or on-hold case without the reason."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(cases["case_status"].isin(["cancelled", "on_hold"]).to_numpy(), k)
    inj.set("cases", rows, "status_reason", pd.NA)
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C013")


C014_VALUES = [("sex", "X"), ("location_type", "hospital"), ("nationality", "Biafra")]


def _c014(inj: _Injector, k: int) -> None:
    """A value outside its code list: sex "X", location type "hospital", country "Biafra"."""
    cases = inj.f["cases"]
    rows = inj.pick_cases(np.ones(len(cases), dtype=bool), k)
    for i, (column, value) in enumerate(C014_VALUES):
        inj.set("cases", rows[i :: len(C014_VALUES)], column, value)
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C014")


def _c015(inj: _Injector, k: int) -> None:
    """An open case nobody has touched for 45 days."""
    cases = inj.f["cases"]
    days = inj.cfg.thresholds.stall_days + 15
    old_enough = (cases["registration_date"] <= inj.as_of - pd.Timedelta(days=days)).to_numpy()
    ok = cases["case_status"].isin([*OPEN_STATUSES, "on_hold"]).to_numpy() & old_enough
    rows = inj.pick_cases(ok, k)
    inj.set("cases", rows, "last_updated", inj.as_of - pd.Timedelta(days=days))
    inj.record("cases", cases["individual_id"].to_numpy()[rows], "C015")


# ------------------------------------------------------------------ referral rules
def _r001(inj: _Injector, k: int) -> None:
    """A follow-up due last week that never happened."""
    ref = inj.f["referrals"]
    ok = (ref["follow_up_due"] < inj.as_of).to_numpy() & ref["follow_up_date"].notna().to_numpy()
    rows = inj.pick_rows("referrals", ok, k, "referral_id")
    inj.set("referrals", rows, "follow_up_date", pd.NaT)
    inj.set("referrals", rows, "outcome", "pending")
    inj.record("referrals", ref["referral_id"].to_numpy()[rows], "R001")


def _r002(inj: _Injector, k: int) -> None:
    """A referral for an individual number that is not in the case records (a typo)."""
    ref = inj.f["referrals"]
    rows = inj.pick_rows("referrals", np.ones(len(ref), dtype=bool), k, "referral_id")
    inj.set("referrals", rows, "individual_id", _ids_out_of_range("IND-", 99_999_999, len(rows)))
    inj.record("referrals", ref["referral_id"].to_numpy()[rows], "R002")


# ------------------------------------------------------------------ manifest rules
def _passengers(
    inj: _Injector, k: int, among: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """(manifest rows, case rows) of up to ``k`` unused single-person passengers (of the
    case rows ``among``, if given)."""
    cases, man = inj.f["cases"], inj.f["manifest"]
    on = (cases["case_status"] == "manifested").to_numpy()
    if among is not None:
        on = on & among
    case_rows = inj.pick_cases(on, k, single=True, passengers=True)
    case_rows = case_rows[on[case_rows]]
    ids = cases["individual_id"].to_numpy()[case_rows]
    first_row = man.drop_duplicates("individual_id")
    pos = pd.Series(first_row.index.to_numpy(), index=first_row["individual_id"].to_numpy())
    return pos.reindex(ids).to_numpy(dtype=int), case_rows


def _m001(inj: _Injector, k: int) -> None:
    """A passenger whose individual number matches no case record."""
    rows, _ = _passengers(inj, k)
    new_ids = _ids_out_of_range("IND-", 89_999_999, len(rows))
    inj.set("manifest", rows, "individual_id", new_ids)
    inj.record("manifest", new_ids, "M001")


def _m002(inj: _Injector, k: int) -> None:
    """A document number on the manifest that differs from the case record."""
    man = inj.f["manifest"]
    rows, _ = _passengers(inj, k)
    rows = rows[man["document_number"].notna().to_numpy()[rows]]
    inj.set("manifest", rows, "document_number", man["document_number"].iloc[rows] + "9")
    inj.record("manifest", man["individual_id"].to_numpy()[rows], "M002")


def _m003(inj: _Injector, k: int) -> None:
    """A passenger whose case was put on hold after the manifest was drafted."""
    rows, case_rows = _passengers(inj, k)
    inj.set("cases", case_rows, "case_status", "on_hold")
    inj.set("cases", case_rows, "status_reason", "Medical treatment ongoing")
    inj.record("manifest", inj.f["manifest"]["individual_id"].to_numpy()[rows], "M003")


def _m004(inj: _Injector, k: int) -> None:
    """The manifest still says fit-to-travel pending; or a commercial booking made early,
    for a flight 8–14 days ahead, whose fit-to-travel check will be too old by then (the
    flights of the manifest review's second week)."""
    man, cases = inj.f["manifest"], inj.f["cases"]
    early = k - k // 2
    commercial = (cases["flight_type"] == "commercial").to_numpy()
    far_rows, far_cases = _passengers(inj, early, commercial)
    if len(far_rows) < early:
        more_rows, more_cases = _passengers(inj, early - len(far_rows))
        far_rows = np.concatenate([far_rows, more_rows])
        far_cases = np.concatenate([far_cases, more_cases])
    window = inj.cfg.thresholds.ftt_validity_days
    days = inj.rng.integers(window + 1, 15, len(far_rows))
    when = inj.as_of + pd.to_timedelta(days, unit="D")
    airport = inj.cfg.sites.airports[0]  # commercial bookings leave mostly from the first
    dest = man["destination_country"].astype("str").to_numpy()[far_rows]
    taken = set(man["manifest_id"].astype("str"))
    ids = []
    for day, country in zip(when.strftime("%Y%m%d"), dest, strict=True):
        base = f"COM-{day}-{airport.iata}-{country}"
        mid, n = base, 1
        while mid in taken:
            n += 1
            mid = f"{base}-{n}"
        taken.add(mid)
        ids.append(mid)
    inj.set("manifest", far_rows, "manifest_id", ids)
    inj.set("manifest", far_rows, "flight_date", when.to_numpy())
    inj.set("manifest", far_rows, "flight_type", "commercial")
    inj.set("manifest", far_rows, "departure_airport", airport.name)
    inj.set("cases", far_cases, "manifest_id", ids)
    inj.set("cases", far_cases, "flight_type", "commercial")
    rows, _ = _passengers(inj, k - len(far_rows))
    inj.set("manifest", rows, "ftt_status", "pending")
    ids = inj.f["manifest"]["individual_id"].to_numpy()
    inj.record("manifest", ids[np.concatenate([far_rows, rows])], "M004")


def _m005(inj: _Injector, k: int) -> None:
    """A passenger with medical needs and no protection clearance (also C009 on the case)."""
    cases = inj.f["cases"]
    rows, case_rows = _passengers(inj, k)
    current = cases["vulnerabilities"].iloc[case_rows]
    codes = inj.cfg.codes("vulnerability")
    merged = [
        ";".join(
            c for c in codes if c in set((v if isinstance(v, str) else "").split(";")) | {"medical"}
        )
        for v in current
    ]
    inj.set("cases", case_rows, "vulnerabilities", merged)
    inj.set("cases", case_rows, "protection_clearance", "pending")
    inj.set("cases", case_rows, "protection_clearance_date", pd.NaT)
    ids = inj.f["manifest"]["individual_id"].to_numpy()[rows]
    inj.record("manifest", ids, "M005")
    inj.record("cases", ids, "C009")


def _m006(inj: _Injector, k: int) -> None:
    """A family member still waiting in Libya is not on the passenger's flight."""
    cases = inj.f["cases"]
    rows, case_rows = _passengers(inj, k)
    relatives = inj.pick_cases(
        cases["case_status"].isin(OPEN_STATUSES).to_numpy()
        & (cases["age"].fillna(0) >= 18).to_numpy(),
        len(case_rows),
    )
    n = min(len(case_rows), len(relatives))
    rows, case_rows, relatives = rows[:n], case_rows[:n], relatives[:n]
    inj.set("cases", relatives, "case_id", cases["case_id"].to_numpy()[case_rows])
    inj.set("cases", relatives, "is_principal", False)
    inj.set(
        "cases",
        relatives,
        "destination_country",
        cases["destination_country"].to_numpy()[case_rows],
    )
    inj.record("manifest", inj.f["manifest"]["individual_id"].to_numpy()[rows], "M006")


def _m007(inj: _Injector, k: int) -> None:
    """The same passenger listed twice on the manifest."""
    rows, _ = _passengers(inj, k)
    man = inj.f["manifest"]
    inj.record("manifest", man["individual_id"].to_numpy()[rows], "M007")
    inj.insert_after("manifest", np.sort(rows), man.iloc[np.sort(rows)].copy())


def _m008(inj: _Injector, k: int) -> None:
    """The case record names another destination than the flight."""
    cases = inj.f["cases"]
    rows, case_rows = _passengers(inj, k)
    current = cases["destination_country"].to_numpy()[case_rows]
    inj.set("cases", case_rows, "destination_country", np.where(current == "GHA", "SEN", "GHA"))
    inj.record("manifest", inj.f["manifest"]["individual_id"].to_numpy()[rows], "M008")


# ------------------------------------------------------------------ hosting rules
def _h001(inj: _Injector, k: int) -> None:
    """An active placement whose visits of the last two weeks were never made."""
    pl, vis = inj.f["placements"], inj.f["visits"]
    t = inj.cfg.thresholds
    window_start = inj.as_of - pd.Timedelta(days=t.visit_interval_days)
    recent = vis["visit_date"] > window_start - pd.Timedelta(days=t.major_issue_follow_up_days)
    risky = vis[
        recent & ((vis["visit_type"] == "follow_up") | (vis["compliance"] == "major_issue"))
    ]
    ok = pl["end_date"].isna().to_numpy().copy()
    ok &= (pl["start_date"] <= inj.as_of - pd.Timedelta(days=30)).to_numpy()
    ok &= ~pl["placement_id"].isin(risky["placement_id"]).to_numpy()
    rows = inj.pick_rows("placements", ok, k, "placement_id")
    ids = pl["placement_id"].to_numpy()[rows]
    drop = vis["placement_id"].isin(ids) & (vis["visit_date"] > window_start)
    inj.f["visits"] = vis.loc[~drop.to_numpy()].reset_index(drop=True)
    inj.record("placements", ids, "H001")


def _h002(inj: _Injector, k: int) -> None:
    """A host whose capacity was recorded one place lower than its busiest day."""
    hosts, pl = inj.f["hosts"], inj.f["placements"]
    peak = peak_occupancy(pl.astype({"host_id": "str"}), inj.as_of)["occupancy"]
    occ = hosts["host_id"].astype("str").map(peak).fillna(0).to_numpy()
    rows = inj.pick_rows("hosts", occ >= 2, k, "host_id")
    inj.set("hosts", rows, "capacity", (occ[rows] - 1).astype(int))
    inj.record("hosts", hosts["host_id"].to_numpy()[rows], "H002")


def _h003(inj: _Injector, k: int) -> None:
    """One person in two placements at the same time (moved without closing the first)."""
    pl = inj.f["placements"]
    closed = pl["end_date"].notna().to_numpy()
    firsts = inj.pick_rows("placements", closed, k, "placement_id")
    start, end = pl["start_date"].to_numpy(), pl["end_date"].to_numpy()
    hosts = pl["host_id"].to_numpy()
    taken = pl["placement_id"].isin(inj.used["placements"]).to_numpy().copy()
    by_start = np.argsort(start, kind="stable")
    pairs = []
    for row in firsts:
        # placements starting strictly inside this one, at another host, not used yet
        lo = np.searchsorted(start[by_start], start[row], side="right")
        hi = np.searchsorted(start[by_start], end[row], side="left")
        window = by_start[lo:hi]
        window = window[(hosts[window] != hosts[row]) & ~taken[window]]
        if not len(window):
            continue
        taken[window[0]] = True
        pairs.append((row, window[0]))
    if not pairs:
        return
    first, second = (np.array(x) for x in zip(*pairs, strict=True))
    ids = pl["placement_id"].to_numpy()
    inj.used["placements"].update(ids[second])
    inj.set("placements", second, "individual_id", pl["individual_id"].to_numpy()[first])
    inj.record("placements", np.concatenate([ids[first], ids[second]]), "H003")


def _h004(inj: _Injector, k: int) -> None:
    """Payments out of line: a quarter too much, or the same month paid twice."""
    pay = inj.f["payments"]
    rows = inj.pick_rows("payments", np.ones(len(pay), dtype=bool), k, "payment_id")
    double = rows[::3]
    over = np.setdiff1d(rows, double)
    inj.set("payments", over, "amount_lyd", np.round(pay["amount_lyd"].to_numpy()[over] * 1.25, 2))
    inj.record("payments", pay["payment_id"].to_numpy()[over], "H004")
    copies = pay.iloc[double].copy()
    copies["payment_id"] = [f"PAY-9{i:05d}" for i in range(len(double))]
    copies["paid_date"] = copies["paid_date"] + pd.Timedelta(days=1)
    inj.record("payments", pay["payment_id"].to_numpy()[double], "H004")
    inj.record("payments", copies["payment_id"], "H004")
    inj.insert_after("payments", double, copies)


def _h005(inj: _Injector, k: int) -> None:
    """A major issue found on a visit and never followed up."""
    vis = inj.f["visits"]
    days = inj.cfg.thresholds.major_issue_follow_up_days
    ok = (vis["compliance"] == "compliant").to_numpy() & (vis["visit_type"] == "routine").to_numpy()
    ok &= (vis["visit_date"] <= inj.as_of - pd.Timedelta(days=days + 1)).to_numpy()
    follow = vis[vis["visit_type"] == "follow_up"]
    ok &= ~vis["placement_id"].isin(follow["placement_id"]).to_numpy()
    ok &= ~vis["placement_id"].isin(inj.used["placements"]).to_numpy()
    rows = inj.pick_rows("visits", ok, k * 4, "visit_id")
    # one visit per placement
    placement = vis["placement_id"].to_numpy()[rows]
    _, first = np.unique(placement, return_index=True)
    rows = np.sort(rows[first])[:k]
    inj.used["placements"].update(vis["placement_id"].to_numpy()[rows])
    inj.set("visits", rows, "compliance", "major_issue")
    inj.set("visits", rows, "issue_followed_up", False)
    inj.record("placements", vis["placement_id"].to_numpy()[rows], "H005")


INJECTORS: dict[str, Callable[[_Injector, int], None]] = {
    "C001": _c001,
    "C003": _c003,
    "C004": _c004,
    "C005": _c005,
    "C006": _c006,
    "C007": _c007,
    "C008": _c008,
    "C009": _c009,
    "C010": _c010,
    "C011": _c011,
    "C012": _c012,
    "C013": _c013,
    "C014": _c014,
    "C015": _c015,
    "R001": _r001,
    "R002": _r002,
    "M001": _m001,
    "M002": _m002,
    "M003": _m003,
    "M004": _m004,
    "M005": _m005,
    "M006": _m006,
    "M007": _m007,
    "M008": _m008,
    "H001": _h001,
    "H002": _h002,
    "H003": _h003,
    "H004": _h004,
    "H005": _h005,
    "C002": _c002,  # last: it inserts rows into the case export
}


# How common each defect is relative to the others (missing fields, stalled cases and
# overdue follow-ups are everyday; two principals in a family or a double booking are rare).
# Normalised to a mean of 1, so that ``rate`` still sets the total.
RULE_WEIGHTS = {
    "C001": 3.0, "C002": 0.5, "C003": 1.0, "C004": 1.0, "C005": 0.6, "C006": 1.5,
    "C007": 0.4, "C008": 0.4, "C009": 0.8, "C010": 0.8, "C011": 0.5, "C012": 0.5,
    "C013": 1.2, "C014": 2.0, "C015": 2.5, "R001": 2.5, "R002": 0.6, "M001": 0.5,
    "M002": 1.2, "M003": 0.8, "M004": 1.2, "M005": 0.5, "M006": 0.6, "M007": 0.4,
    "M008": 0.4, "H001": 1.5, "H002": 0.4, "H003": 0.4, "H004": 1.0, "H005": 0.5,
}  # fmt: skip


def defects_per_rule(rate: float, individuals: int) -> int:
    """How many records a rule of average weight breaks: the rate spread over the rules,
    at least one."""
    if rate <= 0:
        return 0
    return max(1, round(rate * individuals / len(INJECTORS)))


def defect_counts(rate: float, individuals: int, seed: int) -> dict[str, int]:
    """How many records each rule breaks: its weight times the average, jittered by the
    seed (±40 %), at least one for every rule when ``rate`` is above 0."""
    if rate <= 0:
        return {code: 0 for code in INJECTORS}
    mean = sum(RULE_WEIGHTS.values()) / len(RULE_WEIGHTS)
    jitter = np.random.default_rng([seed, 98]).uniform(0.6, 1.4, len(INJECTORS))
    average = rate * individuals / len(INJECTORS)
    return {
        code: max(1, round(average * RULE_WEIGHTS[code] / mean * j))
        for code, j in zip(INJECTORS, jitter, strict=True)
    }


def inject_defects(
    frames: dict[str, pd.DataFrame], rate: float, seed: int, as_of: date, cfg: Config
) -> tuple[dict[str, pd.DataFrame], pd.DataFrame]:
    """Break records for every rule code; return the frames and the ground truth."""
    if defects_per_rule(rate, len(frames["cases"])) == 0:
        return frames, pd.DataFrame({c: pd.Series(dtype="str") for c in GROUND_TRUTH_COLUMNS})
    counts = defect_counts(rate, len(frames["cases"]), seed)
    inj = _Injector(frames, seed, as_of, cfg)
    for code, inject in INJECTORS.items():
        inject(inj, counts[code])
    truth = pd.DataFrame(inj.truth, columns=GROUND_TRUTH_COLUMNS).drop_duplicates()
    truth = truth.sort_values(GROUND_TRUTH_COLUMNS, kind="stable").reset_index(drop=True)
    return inj.f, truth.astype("str")
