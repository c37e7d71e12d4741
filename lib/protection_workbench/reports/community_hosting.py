"""The community hosting monitoring summary in one call.

:func:`hosting_report` computes every figure of the community hosting notebook once
(:mod:`.hosting`, :mod:`.hosting_monitoring`) and protects it once
(:mod:`.hosting_published`, :mod:`protection_workbench.publish.disclosure`), so that the
headline, the tables, the charts and the published CSV tables (:data:`TABLE_TAGS`) show
the same values. The notebook only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..publish import disclosure
from ..publish.labels import code_label, code_labels, column_label
from ..publish.protected import Published, TableSet, write_summary
from ..publish.tables import TOTAL, write_tables
from . import hosting, hosting_monitoring
from .common import group_labels
from .hosting_published import (
    published_occupancy,
    published_payments,
    published_stay_summary,
)

# HXL hashtags of the published tables (community_hosting_<name>.csv), by column: all
# from the HXL dictionary (tests/publish/test_hxl_dictionary.py).
TABLE_TAGS: dict[str, dict[str, str]] = {
    "active_placements": {
        "host_type": "#loc+type",
        "mantika": "#adm1+name",
        "placements": "#reached+ind",
    },
    "occupancy_weekly": {
        "week_ending": "#date+end",
        "occupied": "#reached+ind",
        "capacity": "#capacity+num",
    },
    "exits_by_reason": {"exit_reason": "#status+name", "exits": "#reached+ind"},
    "length_of_stay": {
        "length_of_stay": "#indicator+name",
        "ended": "#reached+ind",
        "ongoing": "#reached+ind",
        TOTAL: "#reached+ind",
    },
    "visits_status": {
        "mantika": "#adm1+name",
        "visited": "#reached+ind",
        "due": "#reached+ind",
        "overdue": "#reached+ind",
    },
    "major_issue_follow_up": {
        "follow_up": "#status+name",
        "major_issues": "#indicator+num",
    },
    "payments": {
        "period": "#date",
        "hosts_expected": "#indicator+num",
        "hosts_paid": "#indicator+num",
        "expected_lyd": "#value+budget",
        "paid_lyd": "#value+transfer",
        "difference_lyd": "#value",
        "hosts_not_yet_paid": "#indicator+num",
        "not_yet_paid_lyd": "#value+budget",
        "payments_difference_lyd": "#value",
        "h004_findings": "#indicator+num",
    },
    "alerts": {"rule": "#indicator+code", "title": "#description", "records": "#indicator+num"},
}
TABLE_PREFIX = "community_hosting_"

# Column headings on the page (the published CSV tables keep the names above).
HEADINGS = {
    "host_type": "Host type",
    "mantika": "Mantika",
    "placements": "Placements",
    "week_ending": "Week ending",
    "occupied": "Places occupied",
    "capacity": "Capacity",
    "occupancy": "Occupancy",
    "exit_reason": "Reason for leaving",
    "exits": "Exits",
    "length_of_stay": "Length of stay",
    "ended": "Ended",
    "ongoing": "Ongoing",
    "stay": "Stay",
    "median_days": "Median days",
    "p25_days": "A quarter of stays shorter than (days)",
    "p75_days": "A quarter of stays longer than (days)",
    "visited": "Visited",
    "due": "Due",
    "overdue": "Overdue",
    "visit_type": "Visit type",
    "follow_up": "Follow-up",
    "major_issues": "Major issues",
    "period": "Month",
    "hosts_expected": "Hosts expected",
    "hosts_paid": "Hosts paid",
    "expected_lyd": "Expected (LYD)",
    "paid_lyd": "Paid (LYD)",
    "difference_lyd": "Difference (LYD)",
    "hosts_not_yet_paid": "Hosts not yet paid for the month",
    "not_yet_paid_lyd": "Expected, not yet paid (LYD)",
    "payments_difference_lyd": "Difference on the payments made (LYD)",
    "h004_findings": "Payments out of line",
}

_w = disclosure.in_words  # a published count in a sentence: "fewer than 5", "not shown"
_say = disclosure.say_count


# --------------------------------------------------------------------------- the report


@dataclass
class HostingReport:
    """Every figure of the community hosting summary, as published (strings: "<5", "1,234").

    Tables with a Total row or column have it labelled ``TOTAL``; ``weekly`` holds the exact
    weekly occupancy for the line chart (protected when drawn), ``rule_counts`` the exact
    findings per rule (published through ``show_count``)."""

    as_of: pd.Timestamp
    period_start: pd.Timestamp
    period_days: int
    active: pd.DataFrame  # host types (index) x mantikas, with totals
    occupancy: pd.DataFrame  # host_type, mantika, capacity, occupied, occupancy
    weekly: pd.DataFrame  # hosting.occupancy_over_time, exact
    movements: hosting.Movements
    exits: pd.Series  # exit reason -> exits, and Total
    stays: pd.DataFrame  # length-of-stay bands (index) x ended, ongoing, with totals
    stay_summary: pd.DataFrame  # stay, placements, median_days, p25_days, p75_days
    visits: pd.DataFrame  # mantikas (index) x visited, due, overdue, with a Total row
    compliance: pd.DataFrame  # visit types (index) x compliance, with totals
    follow_up: pd.Series  # follow-up state -> major issues, and Total
    payments: pd.DataFrame  # published_payments
    alerts: pd.DataFrame  # rule, title, records
    rule_counts: pd.Series  # findings per rule (exact)
    overdue_mantikas: list[str]  # mantikas with an active placement overdue for a visit
    payment_months: list[str]  # months ("YYYY-MM") with a payment out of line (H004)
    published_set: Published | None = None  # the one protected table set of the report

    def found(self, rule: str) -> str:
        """The number of findings of ``rule``, as published."""
        return self.published_set.cell("findings", rule)

    def period_sentence(self) -> str:
        return (
            f"Reporting period: the {self.period_days} days from {self.period_start:%d %B %Y} "
            f"to {self.as_of:%d %B %Y} (the weekly report covers one week; monitoring visits "
            'and the follow-up of major issues need a longer view). Figures "on" a date '
            "are the state on that day."
        )

    def movement_sentence(self) -> str:
        return (
            f"**{self.published_set.say('new')}** new placements and "
            f"**{_w(self.exits[TOTAL])}** exits from {self.period_start:%d %B} to "
            f"{self.as_of:%d %B %Y}."
        )

    def headline(self) -> str:
        """The headline figures as a Markdown list."""
        total = self.occupancy.set_index("host_type").loc[TOTAL]
        median = self.stay_summary.set_index("stay").loc["ended", "median_days"]
        stays = f"median **{median} days**" if median != disclosure.NOT_SHOWN else "not shown"
        h004 = self.payments.set_index("period").loc[TOTAL, "h004_findings"]
        period = f"in the {self.period_days} days to {self.as_of:%d %B}"
        major = self.compliance.loc[TOTAL, code_label("compliance", "major_issue")]
        return "\n".join(
            [
                f"- Active placements on {self.as_of:%d %B %Y}: "
                f"**{_w(self.active.loc[TOTAL, TOTAL])}** (occupancy **{_w(total['occupancy'])}** of "
                f"{total['capacity']:,} places at active hosts)",
                f"- New placements {period}: "
                f"**{self.published_set.say('new')}**; exits: "
                f"**{_w(self.exits[TOTAL])}**",
                f"- Length of stay of placements ended so far: {stays}",
                f"- Active placements overdue for a monitoring visit on {self.as_of:%d %B}: "
                f"**{_w(self.visits.loc[TOTAL, 'overdue'])}**"
                f"{self.concerned()}; due in the next 7 days: "
                f"**{_w(self.visits.loc[TOTAL, 'due'])}**",
                f"- Major issues found {period}: **{_w(major)}**; of these followed up late: "
                f"**{_w(self.follow_up['followed up late'])}**, still open: "
                f"**{_w(self.follow_up['open'])}**",
                f"- Placements with a major issue not followed up in time, looking back over "
                f"every visit, also before this period: **{_w(self.found('H005'))}**",
                f"- Payments out of line in the last 6 full months: **{_w(h004)}**"
                f"{self.months_concerned()}",
                f"- Hosts over capacity: **{_w(self.found('H002'))}**; placements "
                f"overlapping another of the same person: "
                f"**{_w(self.found('H003'))}**",
            ]
        )

    def concerned(self) -> str:
        """The mantikas with overdue visits, named without their small counts (what a
        manager acts on); empty when none is overdue."""
        names = self.overdue_mantikas
        return f", in {', '.join(names)}" if names else ""

    def months_concerned(self) -> str:
        """The months with payments out of line, named (the counts stay protected)."""
        months = self.payment_months
        if not months:
            return ""
        named = [pd.Period(m, "M").strftime("%B %Y") for m in months]
        return f", in {', '.join(named)}"

    def difference_sentence(self) -> str:
        """Why paid and expected differ, month by month, in words: the amount expected for
        hosts with no payment yet for the month (hosts are paid in the first days of the
        next month, so the last full month is still being paid) and the difference on the
        payments made, beside the payments out of line (rule H004). Published figures
        only: a month whose amounts are hidden is named without them."""
        months = self.payments[self.payments["period"] != TOTAL]
        parts = []
        for _, row in months.iterrows():
            if row["difference_lyd"] in ("0", "–"):
                continue
            month = pd.Period(row["period"], "M").strftime("%B %Y")
            unpaid = ""
            if row["hosts_not_yet_paid"] != "0":
                unpaid = (
                    f"{row['not_yet_paid_lyd']} LYD not yet paid to "
                    f"{_w(row['hosts_not_yet_paid'])} hosts for the month, and "
                )
            parts.append(
                f"{month}: difference {row['difference_lyd']} LYD = {unpaid}"
                f"{row['payments_difference_lyd']} LYD on the payments made; payments out "
                f"of line: {_w(row['h004_findings'])}."
            )
        if not parts:
            return "Every month's payments match what the placements call for."
        return (
            "Where paid and expected differ: hosts are paid in the first days of the "
            "following month, so the last full month is still being paid. A host not yet "
            "paid is not a payment out of line (that rule checks the payments made).\n\n"
            + "\n".join(f"- {p}" for p in parts)
        )

    def display(self, table: pd.DataFrame) -> pd.DataFrame:
        """A published table with plain-English column headings (:data:`HEADINGS`)."""
        out = table.rename(columns=lambda c: HEADINGS.get(str(c), column_label(str(c))))
        if out.index.name is not None:
            out.index.name = HEADINGS.get(str(out.index.name), column_label(out.index.name))
        return out

    # ----------------------------------------------------------------- what charts draw

    @property
    def active_by_mantika(self) -> pd.Series:
        return self.active.loc[TOTAL].drop(TOTAL)

    @property
    def alerts_shown(self) -> pd.DataFrame:
        """The alerts with each rule's code and title in one column."""
        rule = (self.alerts["rule"] + " " + self.alerts["title"]).str.strip()
        return pd.DataFrame({"Rule": rule, "Records": self.alerts["records"]})

    @property
    def exit_reasons(self) -> pd.Series:
        return self.exits.drop(TOTAL)

    @property
    def visit_states(self) -> pd.DataFrame:
        return self.visits.drop(index=TOTAL)

    @property
    def follow_up_states(self) -> pd.Series:
        return self.follow_up.drop(TOTAL)

    @property
    def occupancy_trend(self) -> pd.DataFrame:
        """Places occupied at the end of each week, and today's capacity at the last week
        only: the hosts sheet has no history, so past weeks get no capacity line."""
        trend = self.weekly.set_index("period_end")[["occupied", "capacity"]].astype(float)
        trend.iloc[:-1, 1] = float("nan")
        return trend.rename(columns={"occupied": "Places occupied", "capacity": "Capacity today"})

    @property
    def stay_bands(self) -> pd.DataFrame:
        return self.stays.drop(index=TOTAL)[["ended", "ongoing"]]

    @property
    def amounts(self) -> pd.DataFrame:
        months = self.payments[self.payments["period"] != TOTAL].set_index("period")
        return months[["expected_lyd", "paid_lyd"]].rename(
            columns={"expected_lyd": "expected", "paid_lyd": "paid"}
        )

    # ----------------------------------------------------------------- published tables

    @cached_property
    def published(self) -> dict[str, pd.DataFrame]:
        """The published tables by name (:data:`TABLE_TAGS`), as shown and written."""
        return {
            "active_placements": self.active.reset_index().melt(
                id_vars="host_type", var_name="mantika", value_name="placements"
            ),
            "occupancy_weekly": pd.DataFrame(
                {
                    "week_ending": self.weekly["period_end"].dt.strftime("%Y-%m-%d"),
                    "occupied": [disclosure.show_count(n) for n in self.weekly["occupied"]],
                    "capacity": self.weekly["capacity"],
                }
            ),
            "exits_by_reason": self.exits.rename("exits").rename_axis("exit_reason").reset_index(),
            "length_of_stay": self.stays.reset_index(),
            "visits_status": self.visits.reset_index(),
            "major_issue_follow_up": self.follow_up.rename("major_issues")
            .rename_axis("follow_up")
            .reset_index(),
            "payments": self.payments,
            "alerts": self.alerts,
        }

    def write_tables(self, folder: str | Path) -> list[Path]:
        """Write the published tables as ``community_hosting_<name>.csv`` with their HXL
        row (numbers without thousands separators) into ``folder``, and the share of cells
        and people the report hides (``community_hosting_disclosure.json``, which the
        weekly run copies into run.json)."""
        # headers in words, as on the page (the HXL row under them is unchanged)
        words = {**HEADINGS, "rule": "Rule", "title": "What the rule finds", "records": "Records"}
        tables = {k: v.rename(columns=words) for k, v in self.published.items()}
        tags = {k: {words.get(c, c): t for c, t in v.items()} for k, v in TABLE_TAGS.items()}
        written = write_tables(tables, folder, tags, prefix=TABLE_PREFIX, thousands=False)
        if self.published_set is not None:
            write_summary(self.published_set, folder, prefix=TABLE_PREFIX)
        return written


def hosting_report(
    frames: dict[str, pd.DataFrame],
    findings: pd.DataFrame,
    as_of,
    period_days: int = 28,
    catalogue: pd.DataFrame | None = None,
    cfg: Config | None = None,
) -> HostingReport:
    """Every figure of the community hosting summary, computed and protected once, from the
    cleaned ``frames`` (hosts, placements, visits, payments) and the run's ``findings``;
    the reporting period is the ``period_days`` days ending on ``as_of``. ``catalogue``
    (:func:`protection_workbench.rules.catalogue`) gives the alerts' titles."""
    cfg = cfg or get_config()
    needed = ("hosts", "placements", "visits", "payments")
    absent = [name for name in needed if name not in frames]
    if absent:
        raise FileNotFoundError(f"no {', '.join(absent)} export found")
    hosts, placements, visits, payments = (frames[name] for name in needed)
    day = hosting.as_day(as_of)
    start = day - pd.Timedelta(days=int(period_days) - 1)

    published = protected_tables(hosts, placements, visits, findings, day, start, cfg)
    active = _named(published.table("active"), "host_type", "mantika")
    occ = hosting.occupancy(hosts, placements, day)
    occ["host_type"] = _labels(occ["host_type"], "host_type")
    occupancy = published_occupancy(occ, active, cfg)
    week_start = day - pd.Timedelta(days=day.weekday()) - pd.Timedelta(weeks=25)
    weekly = hosting.occupancy_over_time(hosts, placements, week_start, day)
    moved = hosting.movements(placements, start, day, reasons=cfg.codes("exit_reason"))
    exits = published.table("exits").iloc[:, 0].rename("exits")
    exits.index.name = "exit_reason"
    stay_shown = _named(published.table("stays"), "length_of_stay")
    stays = hosting.length_of_stay(placements, day)
    stay_summary = published_stay_summary(hosting.summary(stays), stay_shown.loc[TOTAL])
    compliance_shown = _named(published.table("compliance"), "visit_type")
    follow_up = published.table("follow_up").iloc[:, 0].rename("major_issues")
    follow_up.index.name = "state"
    reconciled = hosting_monitoring.payments_reconciliation(
        hosts, placements, payments, findings, day
    )
    alerts = hosting_monitoring.alerts(findings, ("H002", "H003"))
    titles = (
        catalogue.set_index("rule")["title"] if catalogue is not None else pd.Series(dtype="str")
    )
    return HostingReport(
        as_of=day,
        period_start=start,
        period_days=int(period_days),
        active=active,
        occupancy=occupancy,
        weekly=weekly,
        movements=moved,
        exits=exits,
        stays=stay_shown,
        stay_summary=stay_summary,
        visits=_named(published.table("visits"), "mantika"),
        compliance=compliance_shown,
        follow_up=follow_up,
        payments=published_unpaid(
            published_payments(reconciled, cfg),
            not_yet_paid(hosts, placements, payments, reconciled, day),
            cfg,
        ),
        alerts=pd.DataFrame(
            {
                "rule": alerts["rule"],
                "title": alerts["rule"].map(titles).fillna(""),
                "records": [published.cell("findings", r) for r in alerts["rule"]],
            }
        ),
        rule_counts=findings["rule"].astype("str").value_counts(),
        overdue_mantikas=_overdue_mantikas(hosts, placements, visits, day, cfg),
        payment_months=reconciled.loc[reconciled["h004_findings"] > 0, "period"].tolist(),
        published_set=published,
    )


RULES_COUNTED = ("H002", "H003", "H005")


def not_yet_paid(hosts, placements, payments, reconciled: pd.DataFrame, day) -> pd.DataFrame:
    """What the difference paid − expected of each month of ``reconciled``
    (:func:`.hosting_monitoring.payments_reconciliation`) is made of: the hosts expected
    to be paid for the month (rule H004's :func:`~protection_workbench.rules.hosting.
    expected_amounts`) with no payment recorded for it, the amount expected for them, and
    the difference on the payments made (the rest). A host with no payment yet is not a
    payment out of line: H004 checks the payments made."""
    from ..rules.hosting import expected_amounts

    expected = expected_amounts(placements, hosts, day)
    expected = expected[expected["expected"] > 0]
    paid = pd.MultiIndex.from_frame(payments[["host_id", "period"]].astype("str"))
    owed = ~pd.MultiIndex.from_frame(expected[["host_id", "period"]]).isin(paid)
    unpaid = expected[owed].groupby("period")["expected"].agg(["size", "sum"])
    periods = reconciled["period"].astype("str")
    out = pd.DataFrame({"period": periods.to_numpy()})
    hosts_owed = unpaid["size"].reindex(periods).fillna(0).astype(int)
    owed = unpaid["sum"].reindex(periods).astype(float).fillna(0.0).round(2)
    out["hosts_not_yet_paid"] = hosts_owed.to_numpy()
    out["not_yet_paid_lyd"] = owed.to_numpy()
    difference = reconciled["difference_lyd"].astype(float).to_numpy() + owed.to_numpy()
    out["payments_difference_lyd"] = difference.round(2)
    return out


def published_unpaid(published: pd.DataFrame, unpaid: pd.DataFrame, cfg) -> pd.DataFrame:
    """The published payments table with :func:`not_yet_paid` inserted before the
    payments out of line: hosts through ``show_count``; amounts hidden ("–") where the
    month's amounts are, or where a few hosts are not yet paid (their amount would
    disclose what they are paid; the difference on the payments made would give it
    back)."""
    m = disclosure.min_cell(cfg)
    months = published["period"] != TOTAL
    shown = published.loc[months, "difference_lyd"].ne("–").to_numpy()
    ok = shown & ~np.asarray(disclosure.is_small(unpaid["hosts_not_yet_paid"], m), dtype=bool)

    def amount(values: pd.Series) -> list[str]:
        whole = values.astype(float).round(0) + 0.0  # no "-0"
        return [f"{v:,.0f}" if k else "–" for v, k in zip(whole, ok, strict=True)]

    added = {
        "hosts_not_yet_paid": [disclosure.show_count(v, m) for v in unpaid["hosts_not_yet_paid"]],
        "not_yet_paid_lyd": amount(unpaid["not_yet_paid_lyd"]),
        "payments_difference_lyd": amount(unpaid["payments_difference_lyd"]),
    }
    out = published.copy()
    at = list(out.columns).index("h004_findings")
    for offset, (name, values) in enumerate(added.items()):
        out.insert(at + offset, name, [*values, *[""] * int((~months).sum())])
    return out


def protected_tables(hosts, placements, visits, findings, day, start, cfg) -> Published:
    """Every count of people of the community hosting summary from one protected table
    set: placements active on ``day`` by host type and mantika, their monitoring visits
    (visited, due, overdue) by mantika, new placements and exits by reason in the period and
    the length of stay, all counted from one frame of placements (protected together); the
    visits of the period by type and compliance and the follow-up of their major issues
    from one frame of visits; the findings of H002, H003 and H005."""
    ts = TableSet()
    pl = hosting.with_host(placements, hosts)
    pl["host_type"] = _labels(pl["host_type"], "host_type")
    active = hosting.active_on(placements, day)
    flags = hosting_monitoring.visit_flags(placements, visits, day, cfg)
    for flag in ("visited", "due", "overdue"):
        pl[flag] = flags[flag].reindex(pl.index, fill_value=False).to_numpy(dtype=bool)
    moved = hosting.movements(placements, start, day, reasons=cfg.codes("exit_reason"))
    reasons = _labels(moved.by_reason["exit_reason"], "exit_reason")
    started = placements["start_date"].between(start, day).fillna(False).to_numpy(dtype=bool)
    ended = placements["end_date"].between(start, day).fillna(False).to_numpy(dtype=bool)
    raw = group_labels(placements["exit_reason"], "exit_reason", extra=cfg.codes("exit_reason"))
    reason = pd.Series(_labels(raw, "exit_reason"), index=pl.index, dtype="object")
    pl["exit_reason"] = pd.Categorical(reason.where(ended), categories=reasons)
    stays = hosting.length_of_stay(placements, day)
    bands = pd.cut(
        stays["days"], [*hosting.STAY_BINS, np.inf], right=False, labels=list(hosting.STAY_LABELS)
    )
    pl["length_of_stay"] = bands.reindex(pl.index)
    status = np.where(stays["ongoing"], "ongoing", "ended")
    pl["stay"] = pd.Categorical(
        pd.Series(status, index=stays.index).reindex(pl.index), categories=["ended", "ongoing"]
    )
    ts.count("active", pl, rows="host_type", cols="mantika", totals=True, where=active)
    flagged = {flag: pl[flag].to_numpy() for flag in ("visited", "due", "overdue")}
    ts.count("visits", pl, rows="mantika", cols=flagged, totals=True, where=active)
    ts.count("new", pl, where=started, title="New placements in the period")
    ts.count("exits", pl, rows="exit_reason", totals=True, where=ended, value_name="exits")
    ts.count("stays", pl, rows="length_of_stay", cols="stay", totals=True)

    compliance = hosting_monitoring.compliance_followup(
        visits, placements, day, cfg, period_start=start, compliance=cfg.codes("compliance")
    )
    seen = compliance.per_visit.copy()
    seen["visit_type"] = _labels(seen["visit_type"], "visit_type")
    codes = list(compliance.by_compliance.columns)
    seen["compliance"] = pd.Categorical(
        _labels(seen["compliance"], "compliance"), categories=_labels(codes, "compliance")
    )
    seen["follow_up"] = pd.Categorical(
        seen["follow_up"], categories=list(hosting_monitoring.FOLLOW_UP_STATES)
    )
    ts.count("compliance", seen, rows="visit_type", cols="compliance", totals=True)
    ts.count("follow_up", seen, rows="follow_up", totals=True, value_name="major_issues")
    codes = findings["rule"].astype("str")
    rules = findings.assign(
        rule=pd.Categorical(codes.where(codes.isin(RULES_COUNTED)), categories=list(RULES_COUNTED))
    )
    ts.count("findings", rules, rows="rule", value_name="records")
    return ts.protect()


def _named(table: pd.DataFrame, rows: str, cols: str | None = None) -> pd.DataFrame:
    """A published table with its row (and column) labels named and as plain text."""
    out = table.copy()
    out.index = pd.Index([str(i) for i in out.index], name=rows)
    out.columns = pd.Index([str(c) for c in out.columns], name=cols)
    return out


def _overdue_mantikas(hosts, placements, visits, day, cfg) -> list[str]:
    """Mantikas with an active placement overdue for a visit (H001), named without counts."""
    status = hosting_monitoring.visits_status(placements, visits, day, cfg, hosts=hosts)
    return status.loc[status["overdue"] > 0, "mantika"].astype(str).tolist()


def _labels(values: pd.Series | pd.Index, name: str) -> list:
    """Codes of the list ``name`` as their plain-English labels; "Other / unrecognised",
    "(missing)" and "Total" stay as they are."""
    names = code_labels(name)
    return [names.get(v, v) if isinstance(v, str) else v for v in values]


def _coded(table, name: str, columns: bool = False):
    """``table`` (a frame or series of counts) with the codes of its index (or its columns)
    relabelled; counting is unchanged."""
    out = table.copy()
    if columns:
        out.columns = pd.Index(_labels(out.columns, name), name=out.columns.name)
    else:
        out.index = pd.Index(_labels(out.index, name), name=out.index.name)
    return out
