"""Tables behind the checking notebooks: case integrity, manifest review, referral follow-up.

Every function takes cleaned frames or a findings table (columns ``dataset, record_id,
case_id, rule, severity, message``) and returns a plain DataFrame, so that the notebooks
only call, show and chart. Nothing here displays a name, phone, document number or date
of birth; :func:`reviewer_ids` pseudonymises ids for reviewer-facing HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..privacy import pseudonymise
from ..rules.registry import FINDING_COLUMNS

SEVERITY_ORDER = {"error": 0, "warning": 1}
CHANGES = ("new", "fixed", "still open")
DECISIONS = ("NO-GO", "GO (check)", "GO")
KEY = ["dataset", "record_id", "rule"]
MISSING = "(missing)"
BY_COLUMNS = ("location", "mantika", "registration_week")

# An id inside a message (IND-00000001, LY-VHR-0000001, PLC-000295, HST-00005): letters,
# dash, digits, standing alone. Manifest ids (MNF-20261125-SEB-NGA) continue with a dash
# and name a flight, not a person: they are left as they are.
_ID_IN_TEXT = re.compile(r"(?<![\w-])[A-Z]{2,}(?:-[A-Z]{2,})*-\d{3,}(?![\w-])")
# A date of birth quoted in a message (C004/C005 name the date columns they compare).
_BIRTH_DATE_IN_TEXT = re.compile(r"(date_of_birth|date of birth) \d{4}-\d{2}-\d{2}")


def _severity_rank(severity: pd.Series) -> pd.Series:
    return severity.astype("str").map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER)).astype(int)


def _as_key_text(values: pd.Series) -> pd.Series:
    return values.astype("str").where(values.notna(), "")


def hide_birth_dates(messages: pd.Series) -> pd.Series:
    """Messages with any quoted date of birth replaced by "(hidden)"."""
    return messages.astype("str").str.replace(_BIRTH_DATE_IN_TEXT, r"\1 (hidden)", regex=True)


def counts_by_rule(findings: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Records per rule with its severity and title, errors first, then by count.

    ``catalogue`` is :func:`protection_workbench.rules.catalogue`; a rule found in the
    findings but not in the catalogue (an older findings file) keeps an empty title.
    """
    counts = (
        findings.groupby(["rule", "severity"], observed=True).size().rename("records").reset_index()
    )
    titles = catalogue.set_index("rule")["title"]
    counts["title"] = counts["rule"].map(titles).fillna("")
    counts["records"] = counts["records"].astype(int)
    counts["_rank"] = _severity_rank(counts["severity"])
    counts = counts.sort_values(["_rank", "records", "rule"], ascending=[True, False, True])
    return counts[["rule", "severity", "title", "records"]].reset_index(drop=True)


def counts_by_severity(findings: pd.DataFrame) -> pd.DataFrame:
    """Findings per dataset and severity (columns error, warning, total)."""
    table = pd.crosstab(findings["dataset"], findings["severity"])
    for severity in SEVERITY_ORDER:
        if severity not in table.columns:
            table[severity] = 0
    table = table[list(SEVERITY_ORDER)].astype(int)
    table["total"] = table.sum(axis=1)
    table.columns.name = None
    return table.reset_index()


def iso_week(dates: pd.Series) -> pd.Series:
    """ISO week of each date as "2026-W47" (missing stays missing)."""
    dates = pd.to_datetime(dates)
    cal = dates.dt.isocalendar()
    text = cal["year"].astype("str") + "-W" + cal["week"].astype("str").str.zfill(2)
    return text.where(dates.notna())


def counts_by(findings: pd.DataFrame, cases: pd.DataFrame, by: str) -> pd.DataFrame:
    """Findings of the ``cases`` dataset by the case's location, mantika or registration week.

    Columns: ``by``, errors, warnings, findings (all rules), records (distinct individuals).
    A finding whose record is not in ``cases`` (or has no value) counts under "(missing)".
    Weeks are in time order; locations and mantikas by number of findings.
    """
    if by not in BY_COLUMNS:
        raise ValueError(f"by must be one of {', '.join(BY_COLUMNS)}, not {by!r}")
    ours = findings[findings["dataset"] == "cases"]
    people = cases.drop_duplicates("individual_id")
    ids = _as_key_text(people["individual_id"])
    if by == "registration_week":
        values = iso_week(people["registration_date"])
    else:
        values = people[by].astype("str").where(people[by].notna())
    lookup = pd.Series(values.to_numpy(), index=ids.to_numpy())
    group = _as_key_text(ours["record_id"]).map(lookup).fillna(MISSING)
    frame = pd.DataFrame(
        {
            by: group.to_numpy(),
            "error": (ours["severity"] == "error").to_numpy(dtype=int),
            "warning": (ours["severity"] == "warning").to_numpy(dtype=int),
            "record_id": ours["record_id"].to_numpy(),
        }
    )
    out = frame.groupby(by).agg(
        errors=("error", "sum"),
        warnings=("warning", "sum"),
        findings=("record_id", "size"),
        records=("record_id", "nunique"),
    )
    out = out.astype(int).reset_index()
    if by == "registration_week":
        out = out.sort_values(by, key=lambda s: s.eq(MISSING).astype(int) * 10**6 + s.rank())
    else:
        out = out.sort_values(["findings", by], ascending=[False, True])
    return out.reset_index(drop=True)


def compare_runs(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Current findings marked "new" or "still open", plus previous ones now "fixed".

    Keyed on (dataset, record_id, rule); a fixed finding keeps its previous row (case_id,
    severity and message of the earlier run). Sorted new, fixed, still open.
    """
    cur = current[FINDING_COLUMNS].copy()
    prev = previous[FINDING_COLUMNS].copy()
    cur_key = pd.MultiIndex.from_frame(cur[KEY].apply(_as_key_text))
    prev_key = pd.MultiIndex.from_frame(prev[KEY].apply(_as_key_text))
    cur["change"] = np.where(cur_key.isin(prev_key), "still open", "new")
    fixed = prev[~prev_key.isin(cur_key)].assign(change="fixed")
    out = pd.concat([cur, fixed], ignore_index=True)
    out["change"] = pd.Categorical(out["change"], categories=list(CHANGES), ordered=True)
    out = out.sort_values(["change", "dataset", "rule", "record_id"], kind="stable")
    return out.reset_index(drop=True)


def change_summary(changes: pd.DataFrame, by: str | None = None) -> pd.DataFrame:
    """Counts of new, fixed and still open findings (all three, zeros included).

    With ``by="rule"`` (or another column) one row per value and one column per change.
    """
    if by is None:
        counts = changes["change"].value_counts().reindex(list(CHANGES), fill_value=0)
        return pd.DataFrame({"change": list(CHANGES), "records": counts.to_numpy(dtype=int)})
    table = pd.crosstab(changes[by], changes["change"]).reindex(columns=list(CHANGES), fill_value=0)
    table.columns = [str(c) for c in table.columns]
    table.columns.name = None
    return table.astype(int).reset_index()


def manifests(manifest: pd.DataFrame) -> pd.DataFrame:
    """One row per manifest: manifest_id, flight_date, flight_type, destination, passengers."""
    grouped = manifest.groupby(manifest["manifest_id"].astype("str"), sort=False)
    out = pd.DataFrame(
        {
            "flight_date": grouped["flight_date"].min(),
            "flight_type": grouped["flight_type"].agg(_first_value),
            "destination_country": grouped["destination_country"].agg(_first_value),
            "passengers": grouped["individual_id"].nunique(),
        }
    )
    out.index.name = "manifest_id"
    out = out.reset_index().sort_values(["flight_date", "manifest_id"], kind="stable")
    return out.reset_index(drop=True)


def _first_value(values: pd.Series):
    present = values.dropna()
    return str(present.iloc[0]) if len(present) else None


def pick_manifest(manifest: pd.DataFrame, as_of: date | str | pd.Timestamp, wanted: str = ""):
    """The manifest to review: ``wanted`` if given, else the first flight after ``as_of``.

    When no flight is after ``as_of`` the latest manifest is taken; None when there is no
    manifest at all. Raises ValueError for a ``wanted`` id that is not in the folder.
    """
    table = manifests(manifest)
    if wanted:
        if wanted not in set(table["manifest_id"]):
            known = ", ".join(table["manifest_id"]) or "none"
            raise ValueError(f"manifest {wanted!r} is not in the exports (found: {known})")
        return wanted
    if table.empty:
        return None
    upcoming = table[table["flight_date"] > pd.Timestamp(as_of)]
    chosen = upcoming.iloc[0] if len(upcoming) else table.iloc[-1]
    return str(chosen["manifest_id"])


def manifest_decisions(
    manifest_findings: pd.DataFrame, manifest_frame: pd.DataFrame, manifest_id: str
) -> pd.DataFrame:
    """Go / no-go per passenger of one manifest, with the reasons.

    NO-GO when the passenger has any error-severity finding, "GO (check)" when warnings
    only, else GO. ``reasons`` lists "RULE message" pairs, errors first. Rows: NO-GO, then
    GO (check), then GO, each in the manifest's order.
    """
    rows = manifest_frame[manifest_frame["manifest_id"].astype("str") == manifest_id]
    passengers = pd.Series(_as_key_text(rows["individual_id"]).unique(), name="record_id")
    found = manifest_findings
    if "dataset" in found.columns:
        found = found[found["dataset"] == "manifest"]
    found = found.assign(record_id=_as_key_text(found["record_id"]))
    found = found[found["record_id"].isin(passengers)]
    found = found.assign(
        _rank=_severity_rank(found["severity"]),
        reason=found["rule"].astype("str") + " " + hide_birth_dates(found["message"]),
    ).sort_values(["record_id", "_rank", "rule"])
    per = found.groupby("record_id").agg(
        errors=("severity", lambda s: int((s == "error").sum())),
        warnings=("severity", lambda s: int((s == "warning").sum())),
        reasons=("reason", "; ".join),
    )
    out = pd.DataFrame({"record_id": passengers}).merge(
        per, left_on="record_id", right_index=True, how="left"
    )
    out[["errors", "warnings"]] = out[["errors", "warnings"]].fillna(0).astype(int)
    out["reasons"] = out["reasons"].fillna("")
    out["decision"] = np.select(
        [out["errors"] > 0, out["warnings"] > 0], ["NO-GO", "GO (check)"], default="GO"
    )
    out["_order"] = out["decision"].map({d: i for i, d in enumerate(DECISIONS)})
    out = out.sort_values("_order", kind="stable")
    return out[["record_id", "decision", "errors", "warnings", "reasons"]].reset_index(drop=True)


def decision_summary(decisions: pd.DataFrame) -> pd.DataFrame:
    """Passengers per decision (NO-GO, GO (check), GO; zeros included)."""
    counts = decisions["decision"].value_counts().reindex(list(DECISIONS), fill_value=0)
    return pd.DataFrame({"decision": list(DECISIONS), "passengers": counts.to_numpy(dtype=int)})


def operations_list(decisions: pd.DataFrame) -> pd.DataFrame:
    """The NO-GO passengers with what to fix: the list to send back to Operations."""
    nogo = decisions[decisions["decision"] == "NO-GO"]
    return nogo[["record_id", "reasons"]].rename(columns={"reasons": "to fix"})


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


OPEN_REFERRAL_COLUMNS = [
    "referral_id",
    "individual_id",
    "service",
    "referred_to",
    "referral_date",
    "follow_up_due",
    "days_overdue",
]


def referral_followups(
    referrals: pd.DataFrame, as_of: date | str | pd.Timestamp
) -> ReferralFollowUps:
    """Open referrals (follow_up_date missing) and how many days their follow-up is overdue.

    Overdue means follow_up_due before ``as_of`` (rule R001). The summaries count open and
    overdue referrals and the median days overdue (of the overdue ones) per service and
    per partner (referred_to), most overdue first.
    """
    as_of = pd.Timestamp(as_of).normalize()
    open_ = referrals[referrals["follow_up_date"].isna()].copy()
    due = pd.to_datetime(open_["follow_up_due"])
    days = (as_of - due).dt.days.astype("Int64")
    open_["days_overdue"] = days.where(due < as_of)
    open_ = open_[[c for c in OPEN_REFERRAL_COLUMNS if c in open_.columns]].reset_index(drop=True)
    return ReferralFollowUps(
        open=open_,
        by_service=_followup_summary(open_, "service"),
        by_partner=_followup_summary(open_, "referred_to"),
    )


def _followup_summary(open_: pd.DataFrame, by: str) -> pd.DataFrame:
    key = open_[by].astype("str").where(open_[by].notna(), MISSING)
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


def reviewer_ids(
    frame: pd.DataFrame,
    key: bytes,
    columns: Iterable[str] = ("record_id", "case_id"),
    text_columns: Iterable[str] = ("message", "reasons", "to fix"),
) -> pd.DataFrame:
    """A copy of ``frame`` with its id columns replaced by their keyed hash.

    Ids quoted inside the free-text ``text_columns`` (e.g. "individual_id IND-00000001 not
    found") are replaced by the same pseudonym, so no raw id is left in the table.
    """
    out = frame.copy()
    for col in columns:
        if col in out.columns:
            out[col] = pseudonymise(out[col], key).where(out[col].notna())
    for col in text_columns:
        if col in out.columns and len(out):
            out[col] = _pseudonymise_ids_in_text(out[col], key)
    return out


def _pseudonymise_ids_in_text(values: pd.Series, key: bytes) -> pd.Series:
    text = values.astype("str")
    found = text.str.extractall(f"({_ID_IN_TEXT.pattern})")
    if found.empty:
        return values
    ids = pd.Series(found[0].unique())
    lookup = dict(zip(ids, pseudonymise(ids, key), strict=True))
    replaced = text.str.replace(_ID_IN_TEXT, lambda m: lookup[m.group(0)], regex=True)
    return replaced.where(values.notna())


def records_to_fix(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings as the list of records to correct: errors first, then by dataset and rule."""
    out = findings[FINDING_COLUMNS].assign(_rank=_severity_rank(findings["severity"]))
    out = out.sort_values(["_rank", "dataset", "rule", "record_id"], kind="stable")
    return out.drop(columns="_rank").reset_index(drop=True)


def for_display(
    frame: pd.DataFrame,
    restricted: bool,
    key: bytes | None = None,
    columns: Iterable[str] = ("record_id", "case_id"),
) -> pd.DataFrame:
    """``frame`` as a notebook shows it: dates of birth in messages hidden always; ids
    pseudonymised with ``key`` unless ``restricted`` (the case workers' version)."""
    out = frame.copy()
    for col in ("message", "reasons", "to fix"):
        if col in out.columns:
            out[col] = hide_birth_dates(out[col]).where(out[col].notna())
    if restricted:
        return out
    if key is None:
        raise ValueError("a pseudonymisation key is needed unless restricted")
    return reviewer_ids(out, key, columns)


def styled(frame: pd.DataFrame, caption: str | None = None):
    """A table without the index, counts with thousands separators, one decimal for ratios."""
    styler = frame.style.hide(axis="index").format(precision=1, thousands=",", na_rep="")
    return styler.set_caption(caption) if caption else styler
