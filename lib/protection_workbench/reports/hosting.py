"""Figures behind the community hosting monitoring summary: placements (rules.md, "What
the outputs hold").

Every function takes the cleaned hosts and placements frames (data contract names) and
returns plain counts, vectorised. Nothing here returns an id, a name or a note: the
results are aggregates. Monitoring visits, major issues and payments are in
:mod:`.hosting_monitoring`; the published versions of the figures in
:mod:`.hosting_published`.

"Active placement" has one definition, the hosting rules' own
(:func:`protection_workbench.rules.hosting.active_on`: ``start_date <= d`` and ``end_date``
missing or after d, so the exit day is not hosted): every count of active placements or
occupied places here, on one day or day by day, goes through it.

Labels (host types, mantikas, exit reasons, visit types, compliance) are only values that
``config/`` lists: anything else in the exports is counted under "Other / unrecognised"
(:mod:`protection_workbench.publish.labels`), so free text is never published as a label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..publish.labels import OTHER
from ..rules import hosting as rules
from .common import MISSING, group_labels

HOST_COLUMNS = ("host_type", "mantika")
STAY_BINS = (0, 7, 14, 30, 61, 91, 183, 365)
STAY_LABELS = (
    "under 1 week",
    "1–2 weeks",
    "2 weeks – 1 month",
    "1–2 months",
    "2–3 months",
    "3–6 months",
    "6–12 months",
    "1 year or more",
)

DateLike = date | str | pd.Timestamp


def as_day(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def text_keys(values: pd.Series) -> pd.Series:
    """Values as text keys, missing as "(missing)"."""
    return values.astype("str").where(values.notna(), MISSING)


def host_groups(by: str | Sequence[str]) -> list[str]:
    columns = [by] if isinstance(by, str) else list(by)
    unknown = [c for c in columns if c not in HOST_COLUMNS]
    if unknown:
        raise ValueError(f"by must be among {', '.join(HOST_COLUMNS)}, not {unknown}")
    return columns


def active_on(placements: pd.DataFrame, day: DateLike) -> np.ndarray:
    """Boolean mask: placements active on ``day``
    (:func:`protection_workbench.rules.hosting.active_on`, any date-like ``day``)."""
    return rules.active_on(placements, as_day(day))


def with_host(placements: pd.DataFrame, hosts: pd.DataFrame) -> pd.DataFrame:
    """Placements with their host's host_type and mantika ("(missing)" for an unknown host)."""
    info = hosts.drop_duplicates("host_id")
    key = text_keys(info["host_id"])
    out = placements.copy()
    pkey = text_keys(placements["host_id"])
    for col in HOST_COLUMNS:
        lookup = pd.Series(group_labels(info[col], col).to_numpy(), index=key.to_numpy())
        out[col] = pkey.map(lookup).fillna(MISSING).to_numpy()
    return out


def active_placements(
    hosts: pd.DataFrame, placements: pd.DataFrame, as_of: DateLike
) -> pd.DataFrame:
    """Placements active on ``as_of``: host types as rows, mantikas as columns (no totals)."""
    pl = with_host(placements, hosts)[active_on(placements, as_of)]
    table = pd.crosstab(pl["host_type"], pl["mantika"]).astype(int)
    table.index.name, table.columns.name = "host_type", "mantika"
    return table


def occupancy(hosts: pd.DataFrame, placements: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """Per host type and mantika: active hosts, capacity, occupied places on ``as_of``, %.

    Capacity is the sum over hosts marked active; occupied places count every placement
    active on ``as_of`` (one person, one place), also at a host no longer marked active.
    ``occupancy_pct`` is occupied / capacity × 100 (missing when there is no capacity).
    """
    h = hosts.drop_duplicates("host_id")
    h = h[h["active"].fillna(False).astype(bool).to_numpy()]
    cap = pd.DataFrame(
        {
            "host_type": group_labels(h["host_type"], "host_type").to_numpy(),
            "mantika": group_labels(h["mantika"], "mantika").to_numpy(),
            "capacity": h["capacity"].astype("Float64").fillna(0).to_numpy(dtype=float),
        }
    )
    cap = cap.groupby(list(HOST_COLUMNS)).agg(
        hosts=("capacity", "size"), capacity=("capacity", "sum")
    )
    pl = with_host(placements, hosts)[active_on(placements, as_of)]
    occ = pl.groupby(list(HOST_COLUMNS)).size().rename("occupied")
    out = cap.join(occ, how="outer").fillna(0)
    out = out.astype({"hosts": int, "capacity": int, "occupied": int})
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = out["occupied"] / out["capacity"].where(out["capacity"] > 0) * 100
    out["occupancy_pct"] = pct.round(1)
    return out.reset_index()


def daily_occupied(placements: pd.DataFrame, start: DateLike, end: DateLike) -> pd.Series:
    """Placements active (:func:`active_on`) on each day from ``start`` to ``end`` (both
    included)."""
    days = pd.date_range(as_day(start), as_day(end), freq="D")
    counts = [int(active_on(placements, day).sum()) for day in days]
    return pd.Series(counts, index=days, name="occupied", dtype=int)


def occupancy_over_time(
    hosts: pd.DataFrame,
    placements: pd.DataFrame,
    start: DateLike,
    end: DateLike,
    freq: str = "W",
) -> pd.DataFrame:
    """Per period (weeks ending Sunday by default) from ``start`` to ``end``.

    Columns: ``period_end`` (last day of the period within the range), ``occupied`` (places
    occupied on that day), ``mean_occupied`` (average over the period's days, 1 decimal)
    and ``capacity`` (today's capacity of the hosts marked active: hosts carry no dates).
    """
    daily = daily_occupied(placements, start, end)
    grouped = daily.resample(freq)
    out = pd.DataFrame(
        {
            "period_end": grouped.apply(lambda s: s.index.max()),
            "occupied": grouped.last(),
            "mean_occupied": grouped.mean().round(1),
        }
    ).dropna(subset=["period_end"])
    active = hosts.drop_duplicates("host_id")["active"].fillna(False).astype(bool).to_numpy()
    capacity = hosts.drop_duplicates("host_id")["capacity"].astype("Float64").fillna(0)
    out["capacity"] = int(capacity[active].sum())
    out["occupied"] = out["occupied"].astype(int)
    out["period_end"] = pd.to_datetime(out["period_end"])
    return out.reset_index(drop=True)


@dataclass
class Movements:
    """New placements and exits between two days (both included)."""

    new: int
    exits: int
    by_reason: pd.DataFrame  # exit_reason, exits


def movements(
    placements: pd.DataFrame,
    period_start: DateLike,
    period_end: DateLike,
    reasons: Sequence[str] = (),
) -> Movements:
    """Placements started and ended (exit day = end_date) within the period.

    ``by_reason`` lists the ``reasons`` given (code list order, zeros kept), then any other
    reason of the code list found, "Other / unrecognised" for reasons ``config/`` does not
    list and "(missing)" for exits without a reason.
    """
    lo, hi = as_day(period_start), as_day(period_end)
    started = placements["start_date"].between(lo, hi).fillna(False).to_numpy(dtype=bool)
    ended = placements["end_date"].between(lo, hi).fillna(False).to_numpy(dtype=bool)
    counts = group_labels(
        placements.loc[ended, "exit_reason"], "exit_reason", extra=reasons
    ).value_counts()
    order = list(reasons) + sorted(
        (r for r in counts.index if r not in reasons),
        key=lambda r: (r == MISSING, r == OTHER, r),
    )
    by_reason = counts.reindex(order, fill_value=0).astype(int).rename("exits")
    by_reason.index.name = "exit_reason"
    return Movements(int(started.sum()), int(ended.sum()), by_reason.reset_index())


def length_of_stay(placements: pd.DataFrame, as_of: DateLike) -> pd.DataFrame:
    """Days hosted per placement that started on or before ``as_of``.

    Ended (end_date on or before as-of): end − start. Active on as-of: as-of − start,
    ``ongoing`` True. Placements ending before they start are left out. Columns ``days``,
    ``ongoing``; the index is that of ``placements`` (no ids are carried).
    """
    day = as_day(as_of)
    start, end = placements["start_date"], placements["end_date"]
    ended = (end <= day) & (end >= start)
    ongoing = pd.Series(active_on(placements, day), index=placements.index)
    keep = (ended.fillna(False) | ongoing).to_numpy(dtype=bool)
    days = (end.where(ended.fillna(False), day) - start).dt.days
    out = pd.DataFrame({"days": days, "ongoing": ongoing})[keep]
    return out.astype({"days": int, "ongoing": bool})


def summary(stays: pd.DataFrame) -> pd.DataFrame:
    """Placements, median, 25th and 75th percentile of days, for ended and ongoing stays."""
    label = np.where(stays["ongoing"], "ongoing", "ended")
    grouped = stays["days"].groupby(label)
    out = pd.DataFrame(
        {
            "placements": grouped.size(),
            "median": grouped.median(),
            "p25": grouped.quantile(0.25),
            "p75": grouped.quantile(0.75),
        }
    ).reindex(["ended", "ongoing"])
    out["placements"] = out["placements"].fillna(0).astype(int)
    out.index.name = "stay"
    return out


def stay_distribution(stays: pd.DataFrame) -> pd.DataFrame:
    """Stays by length band (rows, in order) for ended and ongoing stays (columns)."""
    edges = [*STAY_BINS, np.inf]
    band = pd.cut(stays["days"], edges, right=False, labels=list(STAY_LABELS))
    status = pd.Categorical(
        np.where(stays["ongoing"], "ongoing", "ended"), categories=["ended", "ongoing"]
    )
    table = pd.crosstab(band, status, dropna=False).reindex(list(STAY_LABELS), fill_value=0)
    table.index.name, table.columns.name = "length_of_stay", None
    return table.astype(int)
