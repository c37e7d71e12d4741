"""Figures behind the community hosting monitoring summary: monitoring visits, major
issues and their follow-up, payments.

The semantics are those of the hosting rules, through their public functions
(``rules/hosting.py``): "overdue" is H001
(:func:`~protection_workbench.rules.hosting.visit_status`), expected payments are H004's
(:func:`~protection_workbench.rules.hosting.expected_amounts`) and payment findings are the
run's H004 findings, passed in: a report never runs the rules. "Not followed up" reads the
visits as H005 does. Every function returns aggregates (no id, name or note).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..rules import hosting as rules
from .common import group_labels
from .hosting import DateLike, active_on, as_day, host_groups, text_keys, with_host

FOLLOW_UP_STATES = ("followed up in time", "not yet due", "followed up late", "open")


def _thresholds(cfg: Config | None):
    return (cfg or get_config()).thresholds


def visit_flags(
    placements: pd.DataFrame, visits: pd.DataFrame, as_of: DateLike, cfg: Config | None = None
) -> pd.DataFrame:
    """Per placement active on ``as_of``: visited, due and overdue flags (index kept).

    From rule H001's reading of the visits
    (:func:`protection_workbench.rules.hosting.visit_status`): ``overdue`` is what H001
    flags (no visit within ``visit_interval_days`` though hosted that long, or no first
    visit within ``first_visit_days`` of the start); ``visited``: a visit within the last
    ``visit_interval_days`` (as-of included); ``due``: not overdue and the next visit falls
    due within the next 7 days (last visit + interval, or start + first_visit_days when not
    visited yet).
    """
    t = _thresholds(cfg)
    day = as_day(as_of)
    status = rules.visit_status(placements, visits, day, t.visit_interval_days, t.first_visit_days)[
        active_on(placements, day)
    ]
    start = placements.loc[status.index, "start_date"]
    last = status["last_visit"]
    visited = (last > day - pd.Timedelta(days=t.visit_interval_days)).fillna(False)
    overdue = status["overdue"] | status["no_first_visit"]
    next_due = (last + pd.Timedelta(days=t.visit_interval_days)).where(
        last.notna(), start + pd.Timedelta(days=t.first_visit_days)
    )
    due = ~overdue & (next_due <= day + pd.Timedelta(days=7)).fillna(False)
    return pd.DataFrame(
        {"visited": visited.astype(bool), "due": due.astype(bool), "overdue": overdue.astype(bool)},
        index=status.index,
    )


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
        columns = host_groups(by)
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
    # per visit of the period (index of ``visits``): visit type and compliance as grouped,
    # and the follow-up state of each major issue (missing for the other visits)
    per_visit: pd.DataFrame | None = None

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
    day = as_day(as_of)
    lo = as_day(period_start) if period_start is not None else pd.Timestamp.min
    dated = visits["visit_date"]
    in_period = visits[((dated >= lo) & (dated <= day)).fillna(False).to_numpy(dtype=bool)]
    comp = text_keys(in_period["compliance"])
    shown = group_labels(in_period["compliance"], "compliance", extra=compliance)
    order = list(compliance) + sorted(set(shown) - set(compliance))
    kinds = group_labels(in_period["visit_type"], "visit_type")
    table = pd.crosstab(kinds, shown).reindex(columns=order, fill_value=0)
    table.index.name, table.columns.name = "visit_type", None
    major = in_period[(comp == "major_issue").to_numpy()]
    follow = visits[(text_keys(visits["visit_type"]) == "follow_up").to_numpy()]
    follow = follow[(follow["visit_date"] <= day).fillna(False).to_numpy(dtype=bool)]
    pairs = pd.DataFrame(
        {"row": np.arange(len(major)), "pid": text_keys(major["placement_id"]).to_numpy()}
    ).merge(
        pd.DataFrame(
            {
                "pid": text_keys(follow["placement_id"]).to_numpy(),
                "f": follow["visit_date"].to_numpy(),
            }
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
    known = set(text_keys(placements["placement_id"]))
    visited = text_keys(in_period["placement_id"])
    per_visit = pd.DataFrame(
        {"visit_type": kinds.to_numpy(), "compliance": shown.to_numpy()}, index=in_period.index
    )
    per_visit["follow_up"] = pd.Series(state, index=major.index, dtype="object")
    return ComplianceFollowUp(
        table.astype(int), follow_up, int(visited[visited.isin(known)].nunique()), per_visit
    )


def last_full_months(as_of: DateLike, months: int = 6) -> list[str]:
    """The ``months`` calendar months before the month of ``as_of``, oldest first ("YYYY-MM")."""
    current = as_day(as_of).to_period("M")
    return [str(current - k) for k in range(months, 0, -1)]


def payments_reconciliation(
    hosts: pd.DataFrame,
    placements: pd.DataFrame,
    payments: pd.DataFrame,
    findings: pd.DataFrame,
    as_of: DateLike,
    months: int = 6,
) -> pd.DataFrame:
    """Per month of the last ``months`` full months: expected and paid LYD, and H004.

    Expected is rule H004's amount (:func:`protection_workbench.rules.hosting.
    expected_amounts`: monthly rate × share of the month each person was hosted, summed
    over hosts); paid sums the payments for the month; ``difference`` is paid − expected;
    ``h004_findings`` counts the payments of the month among the run's H004 ``findings``.
    """
    day = as_day(as_of)
    periods = last_full_months(day, months)
    exp = rules.expected_amounts(placements, hosts, day)
    expected = exp.groupby("period")["expected"].sum()
    hosts_expected = exp[exp["expected"] > 0].groupby("period")["host_id"].nunique()
    period = text_keys(payments["period"])
    paid = payments["amount_lyd"].astype(float).groupby(period.to_numpy()).sum()
    hosts_paid = text_keys(payments["host_id"]).groupby(period.to_numpy()).nunique()
    found = findings[findings["rule"].astype("str") == "H004"]
    pay_period = pd.Series(period.to_numpy(), index=text_keys(payments["payment_id"]).to_numpy())
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
