"""Community hosting rules H001–H005 (rules.md, "Community hosting").

A placement is active on day d when start_date <= d and (end_date is missing or
d < end_date): the exit day is not hosted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .registry import Context, as_date, findings, fmt_date, join_reasons, lookup, rule, text


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


def visit_status(
    placements: pd.DataFrame,
    visits: pd.DataFrame,
    as_of: pd.Timestamp,
    interval: int,
    first: int,
) -> pd.DataFrame:
    """Per placement (same index): its monitoring visits as rule H001 reads them.

    ``last_visit``: the last visit up to ``as_of``; ``overdue``: active on ``as_of``,
    started at least ``interval`` days ago and no visit in the last ``interval`` days
    (as_of − interval < visit_date <= as_of); ``no_first_visit``: ``first`` days have
    passed since the start and there was no visit in [start, start + ``first`` days].
    """
    as_of = as_date(as_of)
    pid = placements["placement_id"].astype("str")
    visited = visits[["placement_id", "visit_date"]].dropna().astype({"placement_id": "str"})
    visited = visited[visited["visit_date"] <= as_of]
    visited = visited.merge(
        pd.DataFrame({"placement_id": pid, "start_date": placements["start_date"]}),
        on="placement_id",
    )
    last_visit = lookup(pid, visited.groupby("placement_id")["visit_date"].max())
    in_first_days = visited["visit_date"].between(
        visited["start_date"], visited["start_date"] + pd.Timedelta(days=first)
    )
    had_first = pid.isin(visited.loc[in_first_days, "placement_id"])
    started = placements["start_date"]
    long_enough = (started <= as_of - pd.Timedelta(days=interval)).fillna(False)
    recent = (last_visit > as_of - pd.Timedelta(days=interval)).fillna(False)
    first_due = (started + pd.Timedelta(days=first) <= as_of).fillna(False)
    return pd.DataFrame(
        {
            "last_visit": last_visit,
            "overdue": active_on(placements, as_of) & long_enough.to_numpy() & ~recent.to_numpy(),
            "no_first_visit": first_due & ~had_first,
        },
        index=placements.index,
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
    interval, first = ctx.t.visit_interval_days, ctx.t.first_visit_days
    status = visit_status(pl, ctx.frames["visits"], ctx.as_of, interval, first)
    bad = status[(status["overdue"] | status["no_first_visit"]).to_numpy()]
    last = fmt_date(bad["last_visit"]).replace("", "never")
    start = fmt_date(pl.loc[bad.index, "start_date"])
    message = join_reasons(
        [
            (bad["overdue"], f"no visit in the last {interval} days (last " + last + ")"),
            (bad["no_first_visit"], f"no first visit within {first} days of start " + start),
        ]
    )
    return findings("placements", pl.loc[bad.index, "placement_id"], message)


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
    hosts = ctx.frames["hosts"]
    peak = peak_occupancy(ctx.frames["placements"].astype({"host_id": "str"}), ctx.as_of)
    host_id = hosts["host_id"].astype("str")
    placed = lookup(host_id, peak["occupancy"])
    over = (placed > hosts["capacity"]).fillna(False).to_numpy(dtype=bool)
    bad = hosts[over]
    message = (
        placed[over].astype(int).astype(str)
        + " people placed on "
        + fmt_date(lookup(host_id[over], peak["day"]))
        + " but capacity "
        + text(bad["capacity"])
    )
    return findings("hosts", bad["host_id"], message)


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


def _lyd(amounts: pd.Series) -> pd.Series:
    return amounts.map("{:,.2f}".format).astype("str")


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
    expected = key.merge(exp, on=["host_id", "period"], how="left")["expected"].fillna(0.0)
    amount = pay["amount_lyd"].astype(float)
    tol = ctx.t.payment_tolerance
    idle = expected <= 0
    twice = key.duplicated(keep=False)
    off = ~idle & ((amount - expected).abs() > tol * expected)
    at = (idle | twice | off).to_numpy()
    bad = pay[at]
    period, host = text(bad["period"]), text(bad["host_id"])
    message = join_reasons(
        [
            (idle[at], "paid for " + period + " with no active placement"),
            (twice[at], "more than one payment for host " + host + " and " + period),
            (
                off[at],
                "amount "
                + _lyd(amount[at])
                + " LYD vs expected "
                + _lyd(expected[at].round(2))
                + " LYD",
            ),
        ]
    )
    return findings("payments", bad["payment_id"], message)


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
        (visits["compliance"] == "major_issue").to_numpy(dtype=bool)
        & (visits["visit_date"] <= ctx.as_of - pd.Timedelta(days=days))
        .fillna(False)
        .to_numpy(dtype=bool)
        & ~visits["issue_followed_up"].fillna(False).astype(bool).to_numpy()
    ]
    follow = visits.loc[visits["visit_type"] == "follow_up", ["placement_id", "visit_date"]]
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
