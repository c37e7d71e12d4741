"""Community hosting rules H001–H005 (rules.md, "Community hosting").

A placement is active on day d when start_date <= d and (end_date is missing or
d < end_date): the exit day is not hosted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .cases import text, text_isin
from .registry import Context, findings, fmt_date, reasons_at, rule


def _active_until(placements: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Last hosted day + 1 (exclusive end), capped at the day after as-of for open placements."""
    day_after = as_of + pd.Timedelta(days=1)
    return placements["end_date"].fillna(day_after).clip(upper=day_after)


def active_on(placements: pd.DataFrame, day: pd.Timestamp) -> np.ndarray:
    end = placements["end_date"]
    return (
        ((placements["start_date"] <= day) & (end.isna() | (day < end)))
        .fillna(False)
        .to_numpy(dtype=bool)
    )


@rule(
    "H001",
    "warning",
    "Monitoring visit overdue",
    ("placements", "visits"),
    settings=("visit_interval_days", "first_visit_days"),
)
def h001(ctx: Context) -> pd.DataFrame:
    """An active placement has had no monitoring visit in the last 14 days (setting
    `visit_interval_days`), or a placement had no first visit within 7 days of its start
    (setting `first_visit_days`). Plan a visit to the host."""
    pl = ctx.frames["placements"].reset_index(drop=True)
    visits = ctx.frames["visits"]
    interval, first = ctx.t.visit_interval_days, ctx.t.first_visit_days
    pid = pl["placement_id"].astype("str")
    if pid.duplicated().any():
        last, had_first = _visits_by_merge(pl, visits, ctx.as_of, first)
    else:
        last, had_first = _visits_by_position(pid, pl, visits, ctx.as_of, first)
    active = active_on(pl, ctx.as_of)
    long_enough = (
        (pl["start_date"] <= ctx.as_of - pd.Timedelta(days=interval))
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    recent = (last > ctx.as_of - pd.Timedelta(days=interval)).fillna(False).to_numpy(dtype=bool)
    overdue = active & long_enough & ~recent
    first_due = (
        (pl["start_date"] + pd.Timedelta(days=first) <= ctx.as_of)
        .fillna(False)
        .to_numpy(dtype=bool)
    )
    no_first = first_due & ~had_first
    parts = [
        (
            overdue,
            lambda rows: (
                "no visit in the last "
                + str(interval)
                + " days (last "
                + fmt_date(last.iloc[rows]).replace("", "never")
                + ")"
            ),
        ),
        (
            no_first,
            lambda rows: (
                "no first visit within "
                + str(first)
                + " days of start "
                + fmt_date(pl["start_date"].iloc[rows])
            ),
        ),
    ]
    idx = np.flatnonzero(overdue | no_first)
    return findings(
        "placements", pid.iloc[idx].reset_index(drop=True), pd.Series(reasons_at(parts, idx))
    )


def _visits_by_position(
    pid: pd.Series, pl: pd.DataFrame, visits: pd.DataFrame, as_of: pd.Timestamp, first: int
) -> tuple[pd.Series, np.ndarray]:
    """``_visits_by_merge`` when placement_ids are unique: each visit points at one row."""
    vid = visits["placement_id"].astype("str")
    codes, _ = pd.factorize(pd.concat([pid, vid], ignore_index=True), use_na_sentinel=True)
    row_of_code = np.full(len(pid) + 1, -1, dtype=np.int64)
    row_of_code[codes[: len(pid)] + 1] = np.arange(len(pid))
    row_of_code[0] = -1  # a missing placement_id matches nothing (dropna)
    row = row_of_code[codes[len(pid) :] + 1]
    when = visits["visit_date"].to_numpy()
    keep = (row >= 0) & ~np.isnat(when) & (when <= as_of.to_datetime64())
    row, when = row[keep], when[keep]
    latest = pd.Series(when).groupby(row).max()
    last = np.full(len(pl), np.datetime64("NaT"), dtype=when.dtype)
    last[latest.index.to_numpy()] = latest.to_numpy()
    start = pl["start_date"].to_numpy()[row]
    in_first = (when >= start) & (when <= start + np.timedelta64(first, "D"))
    had_first = np.zeros(len(pl), dtype=bool)
    had_first[row[in_first]] = True
    return pd.Series(last), had_first


def _visits_by_merge(
    pl: pd.DataFrame, visits: pd.DataFrame, as_of: pd.Timestamp, first: int
) -> tuple[pd.Series, np.ndarray]:
    """Last visit (up to as-of) of each placement, and whether it had a first visit."""
    v = visits[["placement_id", "visit_date"]].dropna().astype({"placement_id": "str"})
    v = v.merge(
        pl[["placement_id", "start_date"]].astype({"placement_id": "str"}), on="placement_id"
    )
    v = v[v["visit_date"] <= as_of]
    last_visit = v.groupby("placement_id")["visit_date"].max()
    in_first = v[
        (v["visit_date"] >= v["start_date"])
        & (v["visit_date"] <= v["start_date"] + pd.Timedelta(days=first))
    ]
    had_first = set(in_first["placement_id"])
    pid = pl["placement_id"].astype("str")
    return pid.map(last_visit), pid.isin(had_first).to_numpy()


def _daily_occupancy(pl: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Occupancy per host at every placement start (the only days occupancy can rise)."""
    end = _active_until(pl, as_of)
    events = pd.concat(
        [
            pd.DataFrame({"host_id": pl["host_id"], "day": pl["start_date"], "delta": 1}),
            pd.DataFrame({"host_id": pl["host_id"], "day": end, "delta": -1}),
        ]
    ).dropna()
    # Ends before starts on the same day: the exit day is not hosted.
    events = events.sort_values(["host_id", "day", "delta"], kind="stable")
    events["occupancy"] = events.groupby("host_id")["delta"].cumsum()
    return events[events["delta"] == 1]


def peak_occupancy(pl: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Per host (index host_id): the highest number of people placed on one day up to
    ``as_of`` (``occupancy``) and the last day it was reached (``day``)."""
    occ = _daily_occupancy(pl[pl["start_date"] <= as_of], as_of)
    return occ.sort_values("occupancy", kind="stable").groupby("host_id").last()


@rule("H002", "error", "Host over capacity", ("hosts", "placements"))
def h002(ctx: Context) -> pd.DataFrame:
    """On some day a host had more people placed than its capacity. Move a placement or
    correct the capacity or the placement dates."""
    hosts = ctx.frames["hosts"].reset_index(drop=True)
    pl = ctx.frames["placements"].astype({"host_id": "str"})
    peak = peak_occupancy(pl, ctx.as_of)
    hid = hosts["host_id"].astype("str")
    cap = hosts["capacity"].astype("Float64").to_numpy()
    peak_n = hid.map(peak["occupancy"]).astype("Float64").to_numpy()
    peak_day = hid.map(peak["day"])
    mask = (pd.Series(peak_n) > pd.Series(cap)).fillna(False).to_numpy(dtype=bool)
    message = (
        pd.Series(peak_n).astype("Int64").astype("str")
        + " people placed on "
        + fmt_date(peak_day)
        + " but capacity "
        + hosts["capacity"].astype("Int64").astype("str").fillna("")
    )
    idx = np.flatnonzero(mask)
    return findings(
        "hosts", hid.iloc[idx].reset_index(drop=True), message.iloc[idx].reset_index(drop=True)
    )


@rule("H003", "error", "Overlapping placements of one person", ("placements",))
def h003(ctx: Context) -> pd.DataFrame:
    """One person has two placements that are active on a common day. Close the earlier
    placement (end date) or correct the dates."""
    pl = ctx.frames["placements"].reset_index(drop=True)
    end = _active_until(pl, ctx.as_of)
    p = pd.DataFrame(
        {
            "pid": pl["placement_id"].astype("str"),
            "ind": pl["individual_id"].astype("str"),
            "start": pl["start_date"],
            "end": end,
        }
    ).dropna(subset=["start"])
    pairs = p.merge(p, on="ind", suffixes=("", "_o"))
    pairs = pairs[pairs["pid"] != pairs["pid_o"]]
    overlap = (pairs["start"] < pairs["end_o"]) & (pairs["start_o"] < pairs["end"])
    hits = pairs[overlap.to_numpy()].groupby("pid")["pid_o"].first()
    idx = pl.index[pl["placement_id"].astype("str").isin(hits.index)]
    pid = pl.loc[idx, "placement_id"].astype("str").reset_index(drop=True)
    message = "overlaps placement " + pid.map(hits) + " of the same person"
    return findings("placements", pid, message)


def expected_amounts(pl: pd.DataFrame, hosts: pd.DataFrame, as_of: pd.Timestamp) -> pd.DataFrame:
    """Expected payment per host and period: rate × Σ placement-days in month / days in month."""
    pl = pl.dropna(subset=["start_date"])
    if pl.empty:
        return pd.DataFrame(columns=["host_id", "period", "expected"])
    start = pl["start_date"].dt.to_period("M")
    last_day = _active_until(pl, as_of) - pd.Timedelta(days=1)
    # months spanned, from period ordinals (vectorised; no per-row Period arithmetic)
    months = np.clip(last_day.dt.to_period("M").array.asi8 - start.array.asi8, -1, None).astype(
        np.int64
    )
    counts = np.maximum(months + 1, 0)
    rows = np.repeat(np.arange(len(pl)), counts)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    exp = pl.iloc[rows][["host_id", "start_date"]].reset_index(drop=True)
    end = _active_until(pl, as_of).iloc[rows].reset_index(drop=True)
    period = start.iloc[rows].reset_index(drop=True) + offset
    m_start = period.dt.start_time
    m_end = (period + 1).dt.start_time
    days = (np.minimum(end, m_end) - np.maximum(exp["start_date"], m_start)).dt.days.clip(lower=0)
    share = days / period.dt.days_in_month
    # Group on the month number, then write each distinct month once as text (YYYY-MM).
    exp = pd.DataFrame(
        {"host_id": exp["host_id"].astype("str"), "month": period.array.asi8, "share": share}
    )
    exp = exp.groupby(["host_id", "month"], as_index=False)["share"].sum()
    months, distinct = pd.factorize(exp.pop("month"))
    text_of = pd.Series(pd.PeriodIndex.from_ordinals(distinct, freq="M")).astype(str)
    exp.insert(1, "period", text_of.array.take(months))
    rate = hosts.drop_duplicates("host_id").set_index(
        hosts["host_id"].drop_duplicates().astype("str")
    )["monthly_rate_lyd"]
    exp["expected"] = exp["share"] * exp["host_id"].map(rate).astype(float)
    return exp


@rule(
    "H004",
    "warning",
    "Payment out of line",
    ("hosts", "placements", "payments"),
    settings=("payment_tolerance",),
)
def h004(ctx: Context) -> pd.DataFrame:
    """A host payment does not match the placements: paid for a month in which nobody was
    hosted, paid twice for one host and month, or an amount that differs by more than 5 %
    (setting `payment_tolerance`) from the monthly rate × the share of the month each
    person was hosted. Check the payment with finance before the next one."""
    pay = ctx.frames["payments"].reset_index(drop=True)
    exp = expected_amounts(ctx.frames["placements"], ctx.frames["hosts"], ctx.as_of)
    key = pay[["host_id", "period"]].astype("str")
    merged = key.merge(exp, on=["host_id", "period"], how="left")
    expected = merged["expected"].fillna(0.0).to_numpy()
    amount = pay["amount_lyd"].astype(float).to_numpy()
    twice = key.duplicated(keep=False).to_numpy()
    idle = expected <= 0
    tol = ctx.t.payment_tolerance
    off = ~idle & (np.abs(amount - expected) > tol * expected)
    parts = [
        (
            idle,
            lambda rows: "paid for " + text(pay["period"].iloc[rows]) + " with no active placement",
        ),
        (
            twice,
            lambda rows: (
                "more than one payment for host "
                + text(pay["host_id"].iloc[rows])
                + " and "
                + text(pay["period"].iloc[rows])
            ),
        ),
        (
            off,
            lambda rows: (
                "amount "
                + pd.Series(amount[rows]).map("{:,.2f}".format)
                + " LYD vs expected "
                + pd.Series(np.round(expected[rows], 2)).map("{:,.2f}".format)
                + " LYD"
            ),
        ),
    ]
    mask = idle | twice | off
    idx = np.flatnonzero(mask)
    return findings(
        "payments",
        pay["payment_id"].iloc[idx].reset_index(drop=True),
        pd.Series(reasons_at(parts, idx)),
    )


@rule(
    "H005",
    "error",
    "Major issue not followed up",
    ("visits",),
    settings=("major_issue_follow_up_days",),
)
def h005(ctx: Context) -> pd.DataFrame:
    """A monitoring visit found a major issue and it was not followed up within 7 days
    (setting `major_issue_follow_up_days`): no follow-up visit recorded and the issue not
    marked as followed up. Visit the host and record the follow-up."""
    visits = ctx.frames["visits"].reset_index(drop=True)
    days = ctx.t.major_issue_follow_up_days
    major = visits[
        text_isin(visits["compliance"], ["major_issue"])
        & (visits["visit_date"] <= ctx.as_of - pd.Timedelta(days=days))
        .fillna(False)
        .to_numpy(dtype=bool)
        & ~visits["issue_followed_up"].fillna(False).astype(bool).to_numpy()
    ]
    follow = visits[text_isin(visits["visit_type"], ["follow_up"])][["placement_id", "visit_date"]]
    pairs = major[["visit_id", "placement_id", "visit_date"]].merge(
        follow, on="placement_id", how="left", suffixes=("", "_f")
    )
    gap = (pairs["visit_date_f"] - pairs["visit_date"]).dt.days
    pairs["ok"] = ((gap > 0) & (gap <= days)).fillna(False)
    done = pairs.groupby("visit_id")["ok"].any()
    open_ = major[~major["visit_id"].map(done).fillna(False).astype(bool).to_numpy()]
    message = (
        "major issue found on "
        + fmt_date(open_["visit_date"])
        + f" not followed up within {days} days"
    )
    return findings(
        "placements", open_["placement_id"].reset_index(drop=True), message.reset_index(drop=True)
    )
