"""Tables behind the referrals follow-up notebook: open referrals (no follow-up recorded)
and those whose follow-up is overdue, by service and by partner.

"Overdue" is rule R001's definition and nothing else:
:func:`protection_workbench.rules.referrals.follow_up_overdue` and
:func:`~protection_workbench.rules.referrals.days_overdue`. The reviewer version
(``restricted=False``) protects the counts and groups partners and services that
``config/`` does not list under "Other / unrecognised"; only the case workers' copy lists
the overdue referrals.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..publish.disclosure import NOT_SHOWN, in_words, min_cell
from ..publish.html import esc_markdown
from ..publish.labels import code_labels, column_label
from ..publish.protected import Published, TableSet
from ..publish.tables import TOTAL
from ..rules.referrals import days_overdue
from .common import group_labels, labelled, quoted

OPEN_REFERRAL_COLUMNS = [
    "referral_id",
    "individual_id",
    "service",
    "referred_to",
    "referral_date",
    "follow_up_due",
    "days_overdue",
]


@dataclass
class ReferralFollowUps:
    """Open referrals (no follow-up recorded) and their summaries by service and partner."""

    open: pd.DataFrame  # one row per open referral, days_overdue (<NA> when not yet due)
    by_service: pd.DataFrame  # service, open, overdue, median_days_overdue
    by_partner: pd.DataFrame  # referred_to, open, overdue, median_days_overdue

    @property
    def overdue(self) -> pd.DataFrame:
        overdue = self.open[self.open["days_overdue"].notna()]
        return overdue.sort_values("days_overdue", ascending=False).reset_index(drop=True)


def referral_followups(
    referrals: pd.DataFrame, as_of: date | str | pd.Timestamp
) -> ReferralFollowUps:
    """Open referrals (follow_up_date missing) and how many days their follow-up is overdue
    (rule R001: :func:`~protection_workbench.rules.referrals.days_overdue`, <NA> when not
    yet due). The summaries count open and overdue referrals and the median days overdue
    (of the overdue ones) per service and per partner (referred_to), most overdue first.
    """
    open_ = referrals[referrals["follow_up_date"].isna()].copy()
    open_["days_overdue"] = days_overdue(open_, as_of)
    open_ = open_[[c for c in OPEN_REFERRAL_COLUMNS if c in open_.columns]].reset_index(drop=True)
    return ReferralFollowUps(
        open=open_,
        by_service=_followup_summary(open_, "service"),
        by_partner=_followup_summary(open_, "referred_to"),
    )


def _followup_summary(open_: pd.DataFrame, by: str) -> pd.DataFrame:
    key = group_labels(open_[by], by, known_only=False)
    days = open_["days_overdue"].astype("Float64")
    frame = pd.DataFrame({by: key.to_numpy(), "days": days.to_numpy()})
    out = frame.groupby(by).agg(
        open=("days", "size"),
        overdue=("days", "count"),
        median_days_overdue=("days", "median"),
    )
    out[["open", "overdue"]] = out[["open", "overdue"]].astype(int)
    out = out.reset_index().sort_values(["overdue", "open", by], ascending=[False, False, True])
    return out.reset_index(drop=True)


def followup_counts(
    followups: ReferralFollowUps, by: str, restricted: bool = False
) -> pd.DataFrame:
    """Open referrals by ``by`` (service or referred_to), labels in the index: overdue, not
    yet due and open (their sum), most overdue first. Unless ``restricted``, services and
    partners that ``config/`` does not list are counted under "Other / unrecognised"."""
    open_ = followups.open
    key = group_labels(open_[by], by, known_only=not restricted)
    grouped = open_["days_overdue"].groupby(key.to_numpy())
    counts = pd.DataFrame({"overdue": grouped.count(), "open": grouped.size()})
    counts["not yet due"] = counts["open"] - counts["overdue"]
    counts = counts.sort_values(["overdue", "open"], ascending=False, kind="stable")
    counts.index.name = by
    return counts[["overdue", "not yet due", "open"]].astype(int)


HEADINGS = {
    "overdue": "Overdue",
    "not yet due": "Not yet due",
    "open": "Open",
    "median days overdue": "Median days overdue",
}


def _plain(index: pd.Index, by: str) -> pd.Index:
    """Group labels as a page shows them: service codes as their plain-English label
    ("mhpss" → "Mental health and psychosocial support"); partners are names already."""
    if by != "service":
        return index
    names = code_labels("service")
    return pd.Index([names.get(v, v) for v in index], name=index.name)


def protected_tables(
    followups: ReferralFollowUps, referrals: pd.DataFrame, restricted: bool = False
) -> Published:
    """Every count the referrals follow-up report shows, from one protected table set: the
    open referrals by service and by partner, each split into overdue and not yet due (one
    frame of open referrals: protected together), and the number of referrals in the
    export. Exact in the case workers' copy (``restricted``)."""
    ts = TableSet(min_cell=1 if restricted else None)
    open_ = followups.open
    status = pd.Categorical(
        np.where(open_["days_overdue"].notna(), "Overdue", "Not yet due"),
        categories=["Overdue", "Not yet due"],
    )
    frame = pd.DataFrame({"Status": status}, index=open_.index)
    for by in ("service", "referred_to"):
        counts = followup_counts(followups, by, restricted)  # most overdue first
        key = group_labels(open_[by], by, known_only=not restricted)
        frame[by] = pd.Categorical(key.to_numpy(), categories=list(counts.index))
    for by in ("service", "referred_to"):
        ts.count(f"by_{by}", frame, rows=by, cols="Status", totals=True)
    ts.count("referrals", referrals, title="Referrals in the export")
    return ts.protect()


def followup_chart(published: Published) -> dict[str, pd.DataFrame]:
    """Overdue and not yet due referrals by service and by partner (the chart's panels),
    the published cells of :func:`followup_table`: hidden ones are not drawn, only rows
    with a bar to draw are kept, and a panel without one is left out (so the result is
    empty when no bar can be drawn: say so with :func:`no_chart`)."""
    panels = {}
    columns = ["Overdue", "Not yet due"]
    for by, label in (("service", "service"), ("referred_to", "partner")):
        name = f"by_{by}"
        shown = published.table(name).drop(index=TOTAL, columns=TOTAL)
        values = published.values(name).loc[shown.index, shown.columns]
        shown.columns = values.columns = [str(c) for c in shown.columns]
        shown = shown.reindex(columns=columns, fill_value="0")
        values = values.reindex(columns=columns, fill_value=0)
        drawn = (values.fillna(0).astype(float) > 0).any(axis=1).to_numpy()
        table = shown[drawn]
        if len(table):
            table.index = _plain(pd.Index([str(i) for i in table.index]), by)
            panels[f"Open follow-ups by {label}"] = table
    return panels


def no_chart() -> str:
    """The sentence shown instead of the chart when every bar would be hidden."""
    return (
        f"No chart of the open follow-ups: every count is fewer than {min_cell()} or hidden "
        "with one, so no bar can be drawn. The tables above give what can be shown."
    )


def concerned(followups: ReferralFollowUps, by: str, restricted: bool) -> str:
    """The Markdown line a manager acts on: which services or partners have overdue
    follow-ups. The reviewer version names them without their small counts (the counts
    are in the table, protected); the case workers' copy gives each exact count."""
    counts = followup_counts(followups, by, restricted)["overdue"]
    counts = counts[counts > 0]
    what = "Partners" if by == "referred_to" else "Services"
    if counts.empty:
        return f"{what} with overdue follow-ups: none."
    names = _plain(counts.index, by)
    if restricted:
        listed = [f"{esc_markdown(n)} ({v:,})" for n, v in zip(names, counts, strict=True)]
    else:
        listed = [esc_markdown(n) for n in names]
    return f"{what} with overdue follow-ups, most overdue first: {', '.join(listed)}."


def followup_table(
    followups: ReferralFollowUps, published: Published, by: str, restricted: bool = False
) -> pd.DataFrame:
    """Open referrals by ``by`` (service or referred_to) as published: Overdue, Not yet due,
    Open (their total), a Total row, and the median days overdue (of the overdue
    referrals), not shown where their number is hidden or 0."""
    shown = published.table(f"by_{by}").rename(columns={TOTAL: "Open"})
    shown.columns = [str(c) for c in shown.columns]
    shown = shown.reindex(columns=["Overdue", "Not yet due", "Open"], fill_value="0")
    shown.index = pd.Index([str(i) for i in shown.index])
    overdue = published.values(f"by_{by}")
    overdue.index = shown.index
    overdue = overdue.get("Overdue", pd.Series(0, index=shown.index))
    key = group_labels(followups.open[by], by, known_only=not restricted)
    days = followups.open["days_overdue"].astype("Float64")
    median = days.groupby(key.to_numpy()).median()
    median.loc[TOTAL] = days.median()
    hidden = overdue.isna() | (overdue.fillna(0) == 0)
    shown["Median days overdue"] = [
        NOT_SHOWN if hide or pd.isna(median.get(label)) else f"{float(median[label]):.0f}"
        for label, hide in hidden.items()
    ]
    shown.index = _plain(shown.index, by)
    return labelled(shown, column_label(by))


def followup_sentence(by_service: pd.DataFrame, all_referrals: str) -> str:
    """The Markdown summary of the Total row of :func:`followup_table` (by service);
    ``all_referrals`` is the number of referrals in the export, as published."""
    total = by_service.set_index(by_service.columns[0]).loc[TOTAL]
    first, overdue = quoted(total["Open"], "open referrals"), quoted(total["Overdue"], "overdue")
    return (
        f"{first[0].upper()}{first[1:]}, of which {overdue} (of {in_words(all_referrals)} in all)."
    )


def overdue_list(followups: ReferralFollowUps) -> pd.DataFrame:
    """The overdue referrals, most overdue first, dates as dates (case workers' copy only:
    real ids; show it through :func:`~.common.for_display`)."""
    return followups.overdue.assign(
        referral_date=lambda t: t["referral_date"].dt.date,
        follow_up_due=lambda t: t["follow_up_due"].dt.date,
    )
