"""Referral rules R001–R002 (rules.md, "Referrals")."""

from __future__ import annotations

from datetime import date

import pandas as pd

from .registry import Context, as_date, findings, fmt_date, rule, text


def follow_up_overdue(referrals: pd.DataFrame, as_of: date | str | pd.Timestamp) -> pd.Series:
    """Whether each referral's follow-up is overdue on ``as_of`` (rule R001): it was due
    before that day (due on the day is not yet overdue) and no follow-up date is recorded."""
    due = referrals["follow_up_due"] < as_date(as_of)  # a missing due date is never overdue
    return due & referrals["follow_up_date"].isna()


def days_overdue(referrals: pd.DataFrame, as_of: date | str | pd.Timestamp) -> pd.Series:
    """Days from each referral's follow-up due date to ``as_of`` where the follow-up is
    overdue (:func:`follow_up_overdue`), else <NA>."""
    days = (as_date(as_of) - referrals["follow_up_due"]).dt.days.astype("Int64")
    return days.where(follow_up_overdue(referrals, as_of))


@rule("R001", "warning", "Referral follow-up overdue", ("referrals",))
def r001(ctx: Context) -> pd.DataFrame:
    """The follow-up of a referral was due before the as-of date and has not been recorded.
    Contact the partner and record the follow-up date and outcome."""
    refs = ctx.frames["referrals"]
    overdue = refs[follow_up_overdue(refs, ctx.as_of).to_numpy(dtype=bool)]
    message = (
        "follow-up due "
        + fmt_date(overdue["follow_up_due"])
        + " ("
        + days_overdue(overdue, ctx.as_of).astype("str")
        + " days ago) with "
        + text(overdue["referred_to"])
        + " ("
        + text(overdue["service"])
        + ") not recorded"
    )
    return findings("referrals", overdue["referral_id"], message)


def known_individual(referrals: pd.DataFrame, cases: pd.DataFrame) -> pd.Series:
    """Whether each referral's individual_id has a case record (False when missing)."""
    known = cases[["individual_id"]].dropna().drop_duplicates()
    found = referrals[["individual_id"]].merge(known, how="left", indicator=True)["_merge"]
    return pd.Series((found == "both").to_numpy(), index=referrals.index)


@rule("R002", "error", "Referral for an unknown individual", ("referrals", "cases"))
def r002(ctx: Context) -> pd.DataFrame:
    """A referral names an individual_id that is not in the case records. Correct the
    individual number on the referral."""
    refs = ctx.frames["referrals"]
    unknown = refs["individual_id"].notna() & ~known_individual(refs, ctx.frames["cases"])
    bad = refs[unknown.to_numpy(dtype=bool)]
    message = "individual_id " + text(bad["individual_id"]) + " not found in cases"
    return findings("referrals", bad["referral_id"], message)
