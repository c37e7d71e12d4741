"""Tables behind the community hosting monitoring summary (rules.md, "What the outputs hold").

Every function takes the cleaned hosts, placements, visits and payments frames (data
contract names) and returns plain counts or amounts, vectorised, so that the notebook only
calls, protects (``disclosure``), shows and charts. Nothing here returns an id, a name or a
note: the results are aggregates.

The semantics are those of the hosting rules (``rules/hosting.py``): a placement is active
on day d when ``start_date <= d`` and (``end_date`` is missing or ``d < end_date``), so the
exit day is not hosted; "overdue" is H001, "not followed up" is H005, payment findings
are H004.

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

from ..config import Config, get_config
from ..publish.labels import OTHER, known_labels
from ..rules import run_rules
from ..rules.hosting import active_on as _rule_active_on
from ..rules.hosting import expected_amounts

MISSING = "(missing)"
HOST_COLUMNS = ("host_type", "mantika")
FOLLOW_UP_STATES = ("followed up in time", "not yet due", "followed up late", "open")
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


def _day(value: DateLike) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()


def _text(values: pd.Series) -> pd.Series:
    """Values as text keys, missing as "(missing)"."""
    return values.astype("str").where(values.notna(), MISSING)


def _label(values: pd.Series, column: str, extra: Sequence[str] = ()) -> pd.Series:
    """Values as labels: known to ``config/`` (or in ``extra``), else "Other /
    unrecognised"; missing as "(missing)"."""
    known = known_labels(_text(values).where(values.notna()), column, extra=extra)
    return known.where(known.notna(), MISSING)


def _by(by: str | Sequence[str]) -> list[str]:
    columns = [by] if isinstance(by, str) else list(by)
    unknown = [c for c in columns if c not in HOST_COLUMNS]
    if unknown:
        raise ValueError(f"by must be among {', '.join(HOST_COLUMNS)}, not {unknown}")
    return columns


def active_on(placements: pd.DataFrame, day: DateLike) -> np.ndarray:
    """Boolean mask: placements active on ``day`` (start <= day < end, open end allowed)."""
    return _rule_active_on(placements, _day(day))


def with_host(placements: pd.DataFrame, hosts: pd.DataFrame) -> pd.DataFrame:
    """Placements with their host's host_type and mantika ("(missing)" for an unknown host)."""
    info = hosts.drop_duplicates("host_id")
    key = _text(info["host_id"])
    out = placements.copy()
    pkey = _text(placements["host_id"])
    for col in HOST_COLUMNS:
        lookup = pd.Series(_label(info[col], col).to_numpy(), index=key.to_numpy())
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
            "host_type": _label(h["host_type"], "host_type").to_numpy(),
            "mantika": _label(h["mantika"], "mantika").to_numpy(),
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


def _valid_spans(placements: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Sorted start and end days (ns) of placements that are active on at least one day."""
    start, end = placements["start_date"], placements["end_date"]
    ok = (start.notna() & (end.isna() | (end > start))).to_numpy(dtype=bool)
    starts = np.sort(start[ok].to_numpy(dtype="datetime64[ns]"))
    ends = end[ok].dropna().to_numpy(dtype="datetime64[ns]")
    return starts, np.sort(ends)


def daily_occupied(placements: pd.DataFrame, start: DateLike, end: DateLike) -> pd.Series:
    """Placements active on each day from ``start`` to ``end`` (both included).

    An event count: started on or before d minus ended on or before d (exit day not hosted).
    """
    days = pd.date_range(_day(start), _day(end), freq="D")
    starts, ends = _valid_spans(placements)
    values = days.to_numpy(dtype="datetime64[ns]")
    n = np.searchsorted(starts, values, side="right") - np.searchsorted(ends, values, side="right")
    return pd.Series(n.astype(int), index=days, name="occupied")


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
    lo, hi = _day(period_start), _day(period_end)
    started = placements["start_date"].between(lo, hi).fillna(False).to_numpy(dtype=bool)
    ended = placements["end_date"].between(lo, hi).fillna(False).to_numpy(dtype=bool)
    counts = _label(placements.loc[ended, "exit_reason"], "exit_reason", reasons).value_counts()
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
    day = _day(as_of)
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


def _thresholds(cfg: Config | None):
    return (cfg or get_config()).thresholds


def visit_flags(
    placements: pd.DataFrame, visits: pd.DataFrame, as_of: DateLike, cfg: Config | None = None
) -> pd.DataFrame:
    """Per placement active on ``as_of``: visited, due and overdue flags (index kept).

    ``visited``: a visit within the last ``visit_interval_days`` (as-of included).
    ``overdue``: what H001 flags (no visit within the interval though hosted that long, or
    no first visit within ``first_visit_days`` of the start).
    ``due``: not overdue and the next visit falls due within the next 7 days (last visit +
    interval, or start + first_visit_days when not visited yet).
    """
    t = _thresholds(cfg)
    day = _day(as_of)
    interval = pd.Timedelta(days=t.visit_interval_days)
    first = pd.Timedelta(days=t.first_visit_days)
    pl = placements[active_on(placements, day)]
    pid = _text(pl["placement_id"])
    v = visits[["placement_id", "visit_date"]].dropna()
    v = pd.DataFrame({"pid": _text(v["placement_id"]), "visit_date": v["visit_date"]})
    v = v[(v["visit_date"] <= day).to_numpy()]
    last = pid.map(v.groupby("pid")["visit_date"].max())
    starts = pd.DataFrame({"pid": pid.to_numpy(), "start": pl["start_date"].to_numpy()})
    v = v.merge(starts, on="pid")
    in_first = v[(v["visit_date"] >= v["start"]) & (v["visit_date"] <= v["start"] + first)]
    had_first = pid.isin(set(in_first["pid"])).to_numpy()
    visited = (last > day - interval).fillna(False).to_numpy(dtype=bool)
    long_enough = (pl["start_date"] <= day - interval).fillna(False).to_numpy(dtype=bool)
    first_due = (pl["start_date"] + first <= day).fillna(False).to_numpy(dtype=bool)
    overdue = (long_enough & ~visited) | (first_due & ~had_first)
    next_due = (last + interval).where(last.notna(), pl["start_date"] + first)
    due = ~overdue & (next_due <= day + pd.Timedelta(days=7)).fillna(False).to_numpy(dtype=bool)
    return pd.DataFrame({"visited": visited, "due": due, "overdue": overdue}, index=pl.index)


def visits_status(
    placements: pd.DataFrame,
    visits: pd.DataFrame,
    as_of: DateLike,
    cfg: Config | None = None,
    hosts: pd.DataFrame | None = None,
    by: str | Sequence[str] = "mantika",
) -> pd.DataFrame:
    """Active placements on ``as_of`` and how many were visited, are due or overdue (H001).

    Grouped ``by`` mantika and/or host_type when ``hosts`` is given, else one row "all".
    Columns: the groups, ``active``, ``visited``, ``due``, ``overdue``.
    """
    flags = visit_flags(placements, visits, as_of, cfg)
    if hosts is None:
        columns = ["group"]
        keys = [pd.Series("all", index=flags.index, name="group")]
    else:
        columns = _by(by)
        pl = with_host(placements.loc[flags.index], hosts)
        keys = [pl[c] for c in columns]
    flags = flags.assign(active=1).astype(int)
    out = flags.groupby(keys)[["active", "visited", "due", "overdue"]].sum()
    out.index.names = columns
    return out.astype(int).reset_index()


@dataclass
class ComplianceFollowUp:
    """Visits of the period by compliance, and the follow-up of their major issues."""

    by_compliance: pd.DataFrame  # visit_type rows, compliance columns
    follow_up: pd.DataFrame  # state, major_issues (FOLLOW_UP_STATES order)
    placements_visited: int  # distinct known placements visited in the period

    @property
    def not_followed_up(self) -> int:
        """Major issues that H005 reports: followed up late or still open."""
        states = self.follow_up.set_index("state")["major_issues"]
        return int(states["followed up late"] + states["open"])


def compliance_followup(
    visits: pd.DataFrame,
    placements: pd.DataFrame,
    as_of: DateLike,
    cfg: Config | None = None,
    period_start: DateLike | None = None,
    compliance: Sequence[str] = ("compliant", "minor_issue", "major_issue"),
) -> ComplianceFollowUp:
    """Visits from ``period_start`` (default: all) to ``as_of`` by type and compliance.

    Each major issue found in the period is in one state (H005 semantics, window
    ``major_issue_follow_up_days``): "followed up in time" (a follow-up visit 1 to N days
    later, or marked ``issue_followed_up``), "not yet due" (the N days have not passed),
    "followed up late" (a follow-up visit after more than N days, up to as-of) or "open".
    The last two are what H005 reports.
    """
    days = _thresholds(cfg).major_issue_follow_up_days
    day = _day(as_of)
    lo = _day(period_start) if period_start is not None else pd.Timestamp.min
    dated = visits["visit_date"]
    in_period = visits[((dated >= lo) & (dated <= day)).fillna(False).to_numpy(dtype=bool)]
    comp = _text(in_period["compliance"])
    shown = _label(in_period["compliance"], "compliance", compliance)
    order = list(compliance) + sorted(set(shown) - set(compliance))
    kinds = _label(in_period["visit_type"], "visit_type")
    table = pd.crosstab(kinds, shown).reindex(columns=order, fill_value=0)
    table.index.name, table.columns.name = "visit_type", None
    major = in_period[(comp == "major_issue").to_numpy()]
    follow = visits[(_text(visits["visit_type"]) == "follow_up").to_numpy()]
    follow = follow[(follow["visit_date"] <= day).fillna(False).to_numpy(dtype=bool)]
    pairs = pd.DataFrame(
        {"row": np.arange(len(major)), "pid": _text(major["placement_id"]).to_numpy()}
    ).merge(
        pd.DataFrame(
            {"pid": _text(follow["placement_id"]).to_numpy(), "f": follow["visit_date"].to_numpy()}
        ),
        on="pid",
        how="inner",
    )
    gap = (pairs["f"] - major["visit_date"].to_numpy()[pairs["row"].to_numpy()]).dt.days
    in_time = np.zeros(len(major), dtype=bool)
    late = np.zeros(len(major), dtype=bool)
    in_time[pairs["row"][(gap > 0) & (gap <= days)].to_numpy()] = True
    late[pairs["row"][gap > days].to_numpy()] = True
    marked = major["issue_followed_up"].fillna(False).astype(bool).to_numpy()
    waiting = (major["visit_date"] > day - pd.Timedelta(days=days)).to_numpy(dtype=bool)
    state = np.select(
        [in_time | marked, waiting, late],
        ["followed up in time", "not yet due", "followed up late"],
        default="open",
    )
    follow_up = (
        pd.Series(state, dtype="str")
        .value_counts()
        .reindex(list(FOLLOW_UP_STATES), fill_value=0)
        .astype(int)
        .rename("major_issues")
        .rename_axis("state")
        .reset_index()
    )
    known = set(_text(placements["placement_id"]))
    visited = _text(in_period["placement_id"])
    return ComplianceFollowUp(
        table.astype(int), follow_up, int(visited[visited.isin(known)].nunique())
    )


def last_full_months(as_of: DateLike, months: int = 6) -> list[str]:
    """The ``months`` calendar months before the month of ``as_of``, oldest first ("YYYY-MM")."""
    current = _day(as_of).to_period("M")
    return [str(current - k) for k in range(months, 0, -1)]


def payments_reconciliation(
    hosts: pd.DataFrame,
    placements: pd.DataFrame,
    payments: pd.DataFrame,
    as_of: DateLike,
    cfg: Config | None = None,
    months: int = 6,
) -> pd.DataFrame:
    """Per month of the last ``months`` full months: expected and paid LYD, and H004.

    Expected is rule H004's amount (monthly rate × share of the month each person was
    hosted, summed over hosts); paid sums the payments for the month; ``difference`` is
    paid − expected; ``h004_findings`` counts the payments of the month H004 reports.
    """
    day = _day(as_of)
    periods = last_full_months(day, months)
    exp = expected_amounts(placements, hosts, day)
    expected = exp.groupby("period")["expected"].sum()
    hosts_expected = exp[exp["expected"] > 0].groupby("period")["host_id"].nunique()
    period = _text(payments["period"])
    paid = payments["amount_lyd"].astype(float).groupby(period.to_numpy()).sum()
    hosts_paid = _text(payments["host_id"]).groupby(period.to_numpy()).nunique()
    frames = {"hosts": hosts, "placements": placements, "payments": payments}
    found = run_rules(frames, day, cfg, codes=["H004"])
    pay_period = pd.Series(period.to_numpy(), index=_text(payments["payment_id"]).to_numpy())
    pay_period = pay_period[~pay_period.index.duplicated()]
    h004 = found["record_id"].astype("str").map(pay_period).value_counts()
    out = pd.DataFrame(index=pd.Index(periods, name="period"))
    out["hosts_expected"] = hosts_expected.reindex(periods).fillna(0).astype(int)
    out["hosts_paid"] = hosts_paid.reindex(periods).fillna(0).astype(int)
    out["expected_lyd"] = expected.reindex(periods).fillna(0.0).round(2)
    out["paid_lyd"] = paid.reindex(periods).fillna(0.0).round(2)
    out["difference_lyd"] = (out["paid_lyd"] - out["expected_lyd"]).round(2)
    out["h004_findings"] = h004.reindex(periods).fillna(0).astype(int)
    return out.reset_index()


def alerts(findings: pd.DataFrame, codes: Sequence[str] = ("H002", "H003")) -> pd.DataFrame:
    """Findings per rule code (zeros kept): columns ``rule``, ``records``. No ids."""
    counts = findings["rule"].astype("str").value_counts()
    out = counts.reindex(list(codes), fill_value=0).astype(int).rename("records")
    return out.rename_axis("rule").reset_index()


# --------------------------------------------------------------- tables as published

TOTAL = "Total"


def with_totals(table: pd.DataFrame, label: str = TOTAL) -> pd.DataFrame:
    """A count table with a total column and a total row (both named ``label``)."""
    out = table.copy()
    out[label] = out.sum(axis=1)
    out.loc[label] = out.sum(axis=0)
    return out.astype(int)


def _is_shown(text: object) -> bool:
    """True for a published number ("0", "1,234"); False for "<5", "–" or missing."""
    return isinstance(text, str) and text.replace(",", "").isdigit()


def shown_numbers(shown: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Published strings back to numbers for charts: hidden cells ("<5") become NaN."""

    def parse(values: pd.Series) -> pd.Series:
        text = values.astype("str").str.replace(",", "", regex=False)
        return pd.to_numeric(text.where(text.str.isdigit()), errors="coerce").astype(float)

    if isinstance(shown, pd.DataFrame):
        return shown.apply(parse)
    return parse(shown)


def published_breakdown(
    counts: pd.Series, total_shown: str | None = None, cfg: Config | None = None
) -> pd.Series:
    """Parts of a whole, as published, with the whole appended as "Total".

    The total is protected with the parts (:func:`disclosure.safe_series`). When the same
    total is published elsewhere as ``total_shown`` and hidden there, every non-zero part
    is hidden too, so that the parts cannot give it away.
    """
    from ..publish import disclosure

    m = disclosure.min_cell(cfg)
    counts = counts.astype(int)
    full = pd.concat([counts, pd.Series({TOTAL: int(counts.sum())})])
    full.index.name = counts.index.name
    if total_shown is not None and not _is_shown(total_shown):
        hidden = full.map(lambda v: "0" if v == 0 else disclosure.marker(m))
        return hidden.astype(object).rename(counts.name)
    return disclosure.safe_series(full.rename(counts.name), m, total=TOTAL)


def published_occupancy(
    occ: pd.DataFrame, active_shown: pd.DataFrame, cfg: Config | None = None
) -> pd.DataFrame:
    """:func:`occupancy` as published, occupied places taken from the published table of
    active placements (host types × mantikas with totals) so that both agree.

    Columns: host_type, mantika, capacity, occupied, occupancy; a last "Total" row.
    """
    from ..publish import disclosure

    m = disclosure.min_cell(cfg)

    def cell(row: str, col: str) -> str:
        if row in active_shown.index and col in active_shown.columns:
            return str(active_shown.loc[row, col])
        return "0"

    occupied = [cell(r, c) for r, c in zip(occ["host_type"], occ["mantika"], strict=True)]
    out = pd.DataFrame(
        {
            "host_type": occ["host_type"].to_numpy(),
            "mantika": occ["mantika"].to_numpy(),
            "capacity": occ["capacity"].astype(int).to_numpy(),
            "occupied": occupied,
        }
    )
    total = pd.DataFrame(
        {
            "host_type": [TOTAL],
            "mantika": [""],
            "capacity": [int(occ["capacity"].sum())],
            "occupied": [cell(TOTAL, TOTAL)],
        }
    )
    out = pd.concat([out, total], ignore_index=True)
    out["occupancy"] = [
        disclosure.show_percent(o, c, m)
        for o, c in zip(out["occupied"], out["capacity"], strict=True)
    ]
    return out


def published_stay_summary(stays_summary: pd.DataFrame, totals_shown: pd.Series) -> pd.DataFrame:
    """:func:`summary` as published: placements from the published distribution totals
    (``totals_shown``: "ended"/"ongoing" -> text); days only when that count is shown."""
    out = pd.DataFrame(index=stays_summary.index)
    out["placements"] = [str(totals_shown.get(k, "0")) for k in stays_summary.index]
    for col in ("median", "p25", "p75"):
        values = stays_summary[col]
        out[col + "_days"] = [
            f"{v:,.0f}" if _is_shown(n) and n != "0" and pd.notna(v) else "–"
            for v, n in zip(values, out["placements"], strict=True)
        ]
    return out.reset_index()


def published_payments(table: pd.DataFrame, cfg: Config | None = None) -> pd.DataFrame:
    """:func:`payments_reconciliation` as published: host counts through ``show_count``,
    amounts in whole LYD only for months with enough hosts expected and paid (an amount
    for one or two hosts would disclose what a host is paid), H004 findings protected
    together with their total (last row "Total")."""
    from ..publish import disclosure

    m = disclosure.min_cell(cfg)
    enough = ~(
        disclosure.is_small(table["hosts_expected"], m)
        | disclosure.is_small(table["hosts_paid"], m)
    ).to_numpy()

    def amount(values: pd.Series) -> list[str]:
        whole = values.astype(float).round(0) + 0.0  # no "-0"
        return [f"{v:,.0f}" if ok else "–" for v, ok in zip(whole, enough, strict=True)]

    out = pd.DataFrame(
        {
            "period": table["period"].astype("str"),
            "hosts_expected": [disclosure.show_count(v, m) for v in table["hosts_expected"]],
            "hosts_paid": [disclosure.show_count(v, m) for v in table["hosts_paid"]],
            "expected_lyd": amount(table["expected_lyd"]),
            "paid_lyd": amount(table["paid_lyd"]),
            "difference_lyd": amount(table["difference_lyd"]),
        }
    )
    findings = published_breakdown(
        table.set_index("period")["h004_findings"].rename("h004_findings"), cfg=cfg
    )
    total = pd.DataFrame({"period": [TOTAL]}).reindex(columns=out.columns, fill_value="")
    out = pd.concat([out, total], ignore_index=True)
    out["h004_findings"] = findings.to_numpy()
    return out
