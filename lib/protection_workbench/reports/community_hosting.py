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

import pandas as pd

from ..config import Config, get_config
from ..publish import disclosure
from ..publish.tables import TOTAL, with_totals, write_tables
from . import hosting, hosting_monitoring
from .hosting_published import (
    published_breakdown,
    published_occupancy,
    published_payments,
    published_stay_summary,
)

# HXL hashtags of the published tables (community_hosting_<name>.csv), by column.
TABLE_TAGS: dict[str, dict[str, str]] = {
    "active_placements": {
        "host_type": "#loc+type",
        "mantika": "#adm1+name",
        "placements": "#affected+hosted",
    },
    "occupancy_weekly": {
        "week_ending": "#date+week_end",
        "occupied": "#affected+hosted",
        "capacity": "#capacity",
    },
    "exits_by_reason": {"exit_reason": "#status+exit", "exits": "#affected+exits"},
    "length_of_stay": {
        "length_of_stay": "#meta+duration",
        "ended": "#affected+ended",
        "ongoing": "#affected+ongoing",
        TOTAL: "#affected+total",
    },
    "visits_status": {
        "mantika": "#adm1+name",
        "visited": "#affected+visited",
        "due": "#affected+visit_due",
        "overdue": "#affected+visit_overdue",
    },
    "major_issue_follow_up": {
        "follow_up": "#status+follow_up",
        "major_issues": "#indicator+major_issues",
    },
    "payments": {
        "period": "#date+month",
        "hosts_expected": "#org+hosts+expected",
        "hosts_paid": "#org+hosts+paid",
        "expected_lyd": "#value+expected+lyd",
        "paid_lyd": "#value+paid+lyd",
        "difference_lyd": "#value+difference+lyd",
        "h004_findings": "#indicator+h004",
    },
    "alerts": {"rule": "#meta+rule", "title": "#description", "records": "#indicator+records"},
}
TABLE_PREFIX = "community_hosting_"

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

    def found(self, rule: str) -> str:
        """The number of findings of ``rule``, as published."""
        return disclosure.show_count(int(self.rule_counts.get(rule, 0)))

    def period_sentence(self) -> str:
        return (
            f"Reporting period: the {self.period_days} days from {self.period_start:%d %B %Y} "
            f"to {self.as_of:%d %B %Y}."
        )

    def movement_sentence(self) -> str:
        return (
            f"**{_say(self.movements.new)}** new placements and "
            f"**{_w(self.exits[TOTAL])}** exits from {self.period_start:%d %B} to "
            f"{self.as_of:%d %B %Y}."
        )

    def headline(self) -> str:
        """The headline figures as a Markdown list."""
        total = self.occupancy.set_index("host_type").loc[TOTAL]
        median = self.stay_summary.set_index("stay").loc["ended", "median_days"]
        h004 = self.payments.set_index("period").loc[TOTAL, "h004_findings"]
        return "\n".join(
            [
                f"- Active placements on {self.as_of:%d %B %Y}: "
                f"**{_w(self.active.loc[TOTAL, TOTAL])}** (occupancy **{_w(total['occupancy'])}** of "
                f"{total['capacity']:,} places at active hosts)",
                f"- New placements in the period: "
                f"**{_say(self.movements.new)}**; exits: "
                f"**{_w(self.exits[TOTAL])}**",
                f"- Length of stay of placements ended so far: median **{median} days**",
                f"- Active placements overdue for a monitoring visit (H001): "
                f"**{_w(self.visits.loc[TOTAL, 'overdue'])}**; due in the next 7 days: "
                f"**{_w(self.visits.loc[TOTAL, 'due'])}**",
                f"- Major issues found in the period: "
                f"**{_w(self.compliance.loc[TOTAL, 'major_issue'])}**; placements with a major "
                f"issue not followed up in time (H005): **{_w(self.found('H005'))}**",
                f"- Payments out of line in the last 6 full months (H004): **{_w(h004)}**",
                f"- Hosts over capacity (H002): **{_w(self.found('H002'))}**; placements "
                f"overlapping another of the same person (H003): **{_w(self.found('H003'))}**",
            ]
        )

    # ----------------------------------------------------------------- what charts draw

    @property
    def active_by_mantika(self) -> pd.Series:
        return self.active.loc[TOTAL].drop(TOTAL)

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
        return self.weekly.set_index("period_end")[["occupied", "capacity"]]

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
        row (numbers without thousands separators) into ``folder``."""
        return write_tables(
            self.published, folder, TABLE_TAGS, prefix=TABLE_PREFIX, thousands=False
        )


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

    active = disclosure.suppress_table(
        with_totals(hosting.active_placements(hosts, placements, day)), None, TOTAL, TOTAL
    )
    occupancy = published_occupancy(hosting.occupancy(hosts, placements, day), active, cfg)
    week_start = day - pd.Timedelta(days=day.weekday()) - pd.Timedelta(weeks=25)
    weekly = hosting.occupancy_over_time(hosts, placements, week_start, day)

    moved = hosting.movements(placements, start, day, reasons=cfg.codes("exit_reason"))
    exits = published_breakdown(moved.by_reason.set_index("exit_reason")["exits"], cfg=cfg)
    stays = hosting.length_of_stay(placements, day)
    stay_shown = disclosure.suppress_table(
        with_totals(hosting.stay_distribution(stays)), None, TOTAL, TOTAL
    )
    stay_summary = published_stay_summary(hosting.summary(stays), stay_shown.loc[TOTAL])

    status = hosting_monitoring.visits_status(
        placements, visits, day, cfg, hosts=hosts, by="mantika"
    )
    status = with_totals(status.set_index("mantika")[["visited", "due", "overdue"]], column=False)
    compliance = hosting_monitoring.compliance_followup(
        visits, placements, day, cfg, period_start=start, compliance=cfg.codes("compliance")
    )
    compliance_shown = disclosure.suppress_table(
        with_totals(compliance.by_compliance), None, TOTAL, TOTAL
    )
    follow_up = published_breakdown(
        compliance.follow_up.set_index("state")["major_issues"],
        compliance_shown.loc[TOTAL, "major_issue"],
        cfg,
    )
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
        visits=disclosure.suppress_table(status, None, TOTAL),
        compliance=compliance_shown,
        follow_up=follow_up,
        payments=published_payments(reconciled, cfg),
        alerts=pd.DataFrame(
            {
                "rule": alerts["rule"],
                "title": alerts["rule"].map(titles).fillna(""),
                "records": [disclosure.show_count(n) for n in alerts["records"]],
            }
        ),
        rule_counts=findings["rule"].astype("str").value_counts(),
    )
