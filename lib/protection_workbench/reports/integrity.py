"""Tables behind the checking notebooks: case integrity, manifest review, referral follow-up.

Every function takes cleaned frames or a findings table (columns ``dataset, record_id,
case_id, rule, severity, message``) and returns a plain DataFrame, so that the notebooks
only call, show and chart. Nothing here displays a name, phone, document number or date
of birth. The ``*_table`` functions and :func:`count_text` give what a notebook shows:
counts protected by :mod:`protection_workbench.publish.disclosure` in the reviewer version
(``restricted=False``), exact in the case workers' copy (``restricted=True``), which alone
lists records; :func:`reviewer_ids` pseudonymises ids where a record must be named.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..publish import tables as _tables
from ..publish.disclosure import (
    NOT_SHOWN,
    chart_counts,
    marker,
    safe_series,
    show_count,
    suppress_table,
    suppression_mask,
)
from ..publish.html import esc_markdown
from ..publish.labels import known_labels
from ..publish.pseudonyms import pseudonymise
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


def counts_by(
    findings: pd.DataFrame, cases: pd.DataFrame, by: str, known_only: bool = False
) -> pd.DataFrame:
    """Findings of the ``cases`` dataset by the case's location, mantika or registration week.

    Columns: ``by``, errors, warnings, findings (all rules), records (distinct individuals).
    A finding whose record is not in ``cases`` (or has no value) counts under "(missing)".
    Weeks are in time order; locations and mantikas by number of findings. With
    ``known_only`` (reviewers' tables) a location or mantika that ``config/`` does not
    list counts under "Other / unrecognised" (:mod:`protection_workbench.publish.labels`):
    free text typed into the column is never a label.
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
        if known_only:
            values = known_labels(values, by)
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


def _labels(values: pd.Series, by: str, known_only: bool) -> pd.Series:
    """Group labels: the value (``config/``-known only, else "Other / unrecognised", when
    ``known_only``), "(missing)" where there is none."""
    text = values.astype("str").where(values.notna())
    if known_only:
        text = known_labels(text, by)
    return text.where(text.notna(), MISSING)


def _followup_summary(open_: pd.DataFrame, by: str) -> pd.DataFrame:
    key = _labels(open_[by], by, known_only=False)
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
    """A table without the index, counts with thousands separators, one decimal for ratios;
    every value, label and the caption HTML-escaped (:func:`protection_workbench.publish.
    tables.styled`: a published "<5" is text, a value from the exports never markup)."""
    return _tables.styled(frame, caption)


# --------------------------------------------------------------------------- published tables
#
# The reviewer-facing versions of the notebooks (``restricted=False``) show aggregates only:
# every count goes through :mod:`protection_workbench.publish.disclosure` (small counts as "<5",
# secondary suppression against the totals shown next to them). The case workers' copy
# (``restricted=True``, written to the run's restricted folder) shows exact counts and the
# per-record lists. Each ``*_table`` below returns strings ready to show, labels as columns.

TOTAL = "Total"
RESTRICTED_NOTE = (
    "The per-record {what}, with real ids, is for case workers only: it is in this run's "
    "folder of the restricted outputs (`outputs-restricted/`, kept apart from these pages: "
    "`findings.xlsx`, and the case workers' copy of this notebook), never linked from here."
)


def restricted_note(what: str = "list") -> str:
    """The sentence that replaces a per-record list in the reviewer version."""
    return RESTRICTED_NOTE.format(what=what)


def version_note(restricted: bool) -> str:
    """What this version of a checking notebook shows (first lines under the header)."""
    if restricted:
        return (
            "**Restricted version (case workers' copy)**: real ids and exact counts are "
            "shown. For case workers only; do not share."
        )
    return (
        'Aggregates only: counts from 1 to 4 are shown as "<5" (and a few other cells as '
        "well, so that they cannot be worked back from the totals). No record is listed: "
        "the lists with real ids are in the restricted folder of the run, for case workers."
    )


def count_text(n, restricted: bool) -> str:
    """A count in a sentence: exact for case workers, else as published (``"<5"``)."""
    if restricted:
        return f"{int(n):,}"
    return show_count(n)


def publish(
    table: pd.DataFrame,
    restricted: bool,
    row_total: str | None = None,
    col_total: str | None = None,
) -> pd.DataFrame:
    """A table of counts (labels in the index) as strings: exact with thousands separators
    when ``restricted``, else :func:`~protection_workbench.publish.disclosure.suppress_table`."""
    counts = table.fillna(0).astype(int)
    if restricted:
        return counts.map(lambda v: f"{int(v):,}").astype(str)
    return suppress_table(counts, row_total=row_total, col_total=col_total)


def with_totals(table: pd.DataFrame, row: bool = True, column: bool = True) -> pd.DataFrame:
    """``table`` (counts) with a "Total" column (row sums) and a "Total" row (column sums)."""
    out = table.fillna(0).astype(int).copy()
    if column:
        out[TOTAL] = out.sum(axis=1)
    if row:
        out.loc[TOTAL] = out.sum(axis=0)
    return out


def _shown(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    out = frame.copy()
    out.index.name = label
    out.columns.name = None
    return out.reset_index()


def rule_table(findings: pd.DataFrame, catalogue: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Findings by rule: rule, title, error, warning, Total; a Total row; errors first.

    Error and warning columns add up to the totals of :func:`severity_table` and of the
    overall sentence, so those are protected together."""
    by_rule = counts_by_rule(findings, catalogue)
    order = list(dict.fromkeys(by_rule["rule"].astype(str)))
    table = pd.crosstab(findings["rule"].astype(str), findings["severity"].astype(str))
    table = table.reindex(index=order, columns=list(SEVERITY_ORDER), fill_value=0)
    shown = publish(with_totals(table), restricted, row_total=TOTAL, col_total=TOTAL)
    titles = catalogue.set_index("rule")["title"]
    out = _shown(shown, "rule")
    out.insert(1, "title", out["rule"].map(titles).fillna(""))
    return out


def severity_table(findings: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Findings by dataset: dataset, error, warning, Total; a Total row."""
    table = counts_by_severity(findings).set_index("dataset")[list(SEVERITY_ORDER)]
    shown = publish(with_totals(table), restricted, row_total=TOTAL, col_total=TOTAL)
    return _shown(shown, "dataset")


def where_table(
    findings: pd.DataFrame, cases: pd.DataFrame, by: str, restricted: bool
) -> pd.DataFrame:
    """:func:`counts_by` as published: errors, warnings, findings (their total) and records
    (distinct individuals, each in one group), each with a Total row. In the reviewer
    version only locations and mantikas known to ``config/`` are labels (others are
    counted under "Other / unrecognised")."""
    counts = counts_by(findings, cases, by, known_only=not restricted).set_index(by)
    found = with_totals(counts[["errors", "warnings", "findings"]], column=False)
    records = with_totals(counts[["records"]], column=False)
    shown = pd.concat(
        [
            publish(found, restricted, row_total=TOTAL, col_total="findings"),
            publish(records, restricted, row_total=TOTAL),
        ],
        axis=1,
    )
    return _shown(shown, by)


def change_table(changes: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Changes since the previous run by rule (new, fixed, still open, Total); a Total row,
    whose cells are the ones to quote in a sentence."""
    table = change_summary(changes, by="rule").set_index("rule")[list(CHANGES)]
    shown = publish(with_totals(table), restricted, row_total=TOTAL, col_total=TOTAL)
    return _shown(shown, "rule")


def failed_expectations(failed: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Failed gate expectations; the number of unexpected records as published."""
    columns = ["dataset", "expectation", "column", "unexpected_count"]
    out = failed[[c for c in columns if c in failed.columns]].copy()
    if "unexpected_count" in out.columns:
        out["unexpected_count"] = [
            "" if pd.isna(n) else count_text(n, restricted) for n in out["unexpected_count"]
        ]
    return out.reset_index(drop=True)


def manifests_table(flights: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """:func:`manifests` as published: flight dates as dates, passengers as counts; in the
    reviewer version flight types and destinations that ``config/`` does not know read
    "Other / unrecognised"."""
    out = flights.assign(flight_date=pd.to_datetime(flights["flight_date"]).dt.date)
    out["passengers"] = [count_text(n, restricted) for n in flights["passengers"]]
    if not restricted:
        for column in ("flight_type", "destination_country"):
            out[column] = known_labels(out[column], column)
    return out


def flight_sentence(flights: pd.DataFrame, chosen: str, restricted: bool) -> str:
    """The Markdown line naming the reviewed flight: its id, type, date, destination and
    passengers; every value from the exports escaped (and, for reviewers, only flight types
    and destinations known to ``config/``)."""
    flight = manifests_table(flights, restricted).set_index("manifest_id").loc[chosen]
    n = flights.set_index("manifest_id").loc[chosen, "passengers"]
    when = pd.Timestamp(flight["flight_date"])
    day = f"{when:%d %B %Y}" if pd.notna(when) else "an unknown date"
    return (
        f"**Manifest** {esc_markdown(chosen)}: {esc_markdown(flight['flight_type'])} flight on "
        f"{day} to {esc_markdown(flight['destination_country'])}, "
        f"**{flight['passengers']} passenger{'' if n == 1 else 's'}**."
    )


def decision_counts(decisions: pd.DataFrame, restricted: bool) -> pd.Series:
    """Passengers per decision and their Total (index NO-GO, GO (check), GO, Total), as
    published: the three decisions add up to the Total, so they are suppressed together."""
    counts = decision_summary(decisions).set_index("decision")["passengers"]
    counts.loc[TOTAL] = int(counts.sum())
    if restricted:
        return counts.map(lambda v: f"{int(v):,}").astype(str)
    return safe_series(counts, total=TOTAL)


def reasons_by_rule(
    manifest_findings: pd.DataFrame,
    manifest_frame: pd.DataFrame,
    manifest_id: str,
    catalogue: pd.DataFrame,
    restricted: bool,
) -> pd.DataFrame:
    """Passengers of one manifest per rule they break (rule, title, severity, passengers),
    errors (the NO-GO reasons) first. A passenger breaking two rules counts under both, so
    the column has no total."""
    rows = manifest_frame[manifest_frame["manifest_id"].astype("str") == manifest_id]
    passengers = set(_as_key_text(rows["individual_id"]))
    found = manifest_findings
    if "dataset" in found.columns:
        found = found[found["dataset"] == "manifest"]
    found = found[_as_key_text(found["record_id"]).isin(passengers)]
    counts = (
        found.assign(record_id=_as_key_text(found["record_id"]))
        .groupby(["rule", "severity"], observed=True)["record_id"]
        .nunique()
        .rename("passengers")
        .reset_index()
    )
    counts["rule"] = counts["rule"].astype(str)
    counts["_rank"] = _severity_rank(counts["severity"])
    counts = counts.sort_values(["_rank", "passengers", "rule"], ascending=[True, False, True])
    counts = counts.reset_index(drop=True)
    titles = catalogue.set_index("rule")["title"]
    out = pd.DataFrame(
        {
            "rule": counts["rule"],
            "title": counts["rule"].map(titles).fillna(""),
            "severity": counts["severity"].astype(str),
        }
    )
    if restricted:
        out["passengers"] = [f"{int(n):,}" for n in counts["passengers"]]
    else:
        out["passengers"] = safe_series(counts["passengers"]).to_numpy()
    return out


def followup_counts(
    followups: ReferralFollowUps, by: str, restricted: bool = False
) -> pd.DataFrame:
    """Open referrals by ``by`` (service or referred_to), labels in the index: overdue, not
    yet due and open (their sum), most overdue first. Unless ``restricted``, services and
    partners that ``config/`` does not list are counted under "Other / unrecognised"."""
    open_ = followups.open
    key = _labels(open_[by], by, known_only=not restricted)
    grouped = open_["days_overdue"].groupby(key.to_numpy())
    counts = pd.DataFrame({"overdue": grouped.count(), "open": grouped.size()})
    counts["not yet due"] = counts["open"] - counts["overdue"]
    counts = counts.sort_values(["overdue", "open"], ascending=False, kind="stable")
    counts.index.name = by
    return counts[["overdue", "not yet due", "open"]].astype(int)


def followup_table(followups: ReferralFollowUps, by: str, restricted: bool) -> pd.DataFrame:
    """:func:`followup_counts` as published, with a Total row and the median days overdue
    (of the overdue referrals), not shown where their number is hidden."""
    counts = with_totals(followup_counts(followups, by, restricted), column=False)
    shown = publish(counts, restricted, row_total=TOTAL, col_total="open")
    open_ = followups.open
    key = _labels(open_[by], by, known_only=not restricted)
    days = open_["days_overdue"].astype("Float64")
    median = days.groupby(key.to_numpy()).median()
    median.loc[TOTAL] = days.median()
    hidden = shown["overdue"].str.startswith("<") | (counts["overdue"] == 0)
    shown["median days overdue"] = [
        NOT_SHOWN if hide or pd.isna(median.get(label)) else f"{float(median[label]):.0f}"
        for label, hide in hidden.items()
    ]
    return _shown(shown, by)


def draw_bars(
    ax,
    table: pd.DataFrame,
    restricted: bool,
    colours: Iterable[str],
    horizontal: bool = True,
) -> None:
    """Stacked bars of a table of counts (labels in the index, one column per stack part).

    In the reviewer version small counts are not drawn
    (:func:`~protection_workbench.publish.disclosure.chart_counts`), nor the cells hidden with them
    by secondary suppression against the totals (the bars add up to totals published in
    the tables), and "<5" is written where they would be."""
    counts = table.fillna(0).astype(int)
    if restricted:
        heights = counts.astype(float)
    else:
        col_total = TOTAL if len(counts.columns) > 1 else None
        hidden = suppression_mask(
            with_totals(counts, column=col_total is not None), None, TOTAL, col_total
        )
        hidden = hidden.loc[counts.index, counts.columns]
        heights = counts.apply(chart_counts).mask(hidden)
    labels = [str(i) for i in counts.index]
    positions = np.arange(len(labels))
    base = np.zeros(len(labels))
    for column, colour in zip(counts.columns, colours, strict=False):
        values = heights[column].fillna(0).to_numpy()
        if horizontal:
            ax.barh(positions, values, left=base, color=colour, label=str(column))
        else:
            ax.bar(positions, values, bottom=base, color=colour, label=str(column), width=0.8)
        base = base + values
    if not restricted:
        small = heights.isna().any(axis=1).to_numpy() & (counts > 0).any(axis=1).to_numpy()
        mark = marker()
        for pos, edge, hide in zip(positions, base, small, strict=True):
            if hide:
                xy = (edge, pos) if horizontal else (pos, edge)
                align = {"va": "center"} if horizontal else {"ha": "center", "va": "bottom"}
                ax.annotate(
                    mark,
                    xy,
                    xytext=(3, 0) if horizontal else (0, 2),
                    textcoords="offset points",
                    fontsize=7,
                    **align,
                )
    if horizontal:
        ax.set_yticks(positions, labels)
        ax.invert_yaxis()
    else:
        ax.set_xticks(positions, labels, rotation=90)
    if len(counts.columns) > 1:
        ax.legend()


# --------------------------------------------------------------------------- data quality


def quality_summary(summary: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """:meth:`Export.report_table` as published: rows in = clean + quarantined (protected
    together), values repaired and not recognised and columns not in the contract."""
    counts = summary[["rows_clean", "rows_quarantined", "rows_in"]]
    shown = publish(with_totals(counts, column=False), restricted, TOTAL, "rows_in")
    for column in ("values_repaired", "unknown_values"):
        if column in summary.columns:
            extra = with_totals(summary[[column]], column=False)
            shown[column] = publish(extra, restricted, row_total=TOTAL)[column]
    if "unknown_columns" in summary.columns:  # columns, not records: shown as they are
        shown["unknown_columns"] = [f"{int(n):,}" for n in summary["unknown_columns"]] + [
            f"{int(summary['unknown_columns'].sum()):,}"
        ]
    return _shown(shown, "dataset")


def repairs_published(repairs: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Values repaired by kind (rows) and dataset (columns), with totals."""
    table = repairs.pivot_table(
        index="repair", columns="dataset", values="values", aggfunc="sum", fill_value=0
    )
    shown = publish(with_totals(table), restricted, row_total=TOTAL, col_total=TOTAL)
    return _shown(shown, "repair")


def grouped_counts(frame: pd.DataFrame, by: list[str], name: str, restricted: bool):
    """Rows of ``frame`` counted by ``by`` (e.g. quarantined rows by dataset and reason),
    with a Total row, as published."""
    counts = frame.groupby(by, observed=True).size().rename(name)
    table = counts.to_frame()
    table.index = [" · ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in table.index]
    shown = publish(with_totals(table, column=False), restricted, row_total=TOTAL)
    labels = counts.index.to_frame(index=False).astype(str)
    total = pd.DataFrame([[TOTAL] + [""] * (len(by) - 1)], columns=by)
    out = pd.concat([labels, total], ignore_index=True)
    out[name] = shown[name].to_numpy()
    return out


def extra_columns(unknown: dict[str, list[str]], restricted: bool) -> str:
    """Markdown about the columns not in the data contract, per dataset (``unknown``: the
    ``unknown_columns`` of each dataset's cleaning report, "file: header").

    Headers and file names come from the exports and may hold anything: the reviewer
    version counts them; the case workers' copy lists them, escaped."""
    found = {name: list(columns) for name, columns in unknown.items() if columns}
    if not found:
        return "No extra columns."
    lines = []
    for name, columns in found.items():
        n = len(columns)
        if restricted:
            listed = ", ".join(esc_markdown(c) for c in columns)
            lines.append(f"- **{esc_markdown(name)}**: {listed}")
        else:
            lines.append(
                f"- **{esc_markdown(name)}**: {n:,} column{'' if n == 1 else 's'} not in the "
                "contract"
            )
    if not restricted:
        lines.append(
            "\nThe headers themselves are not shown here: they are in the cleaning report of "
            "the run (restricted, for case workers), to be taught in `config/header_aliases.yaml`."
        )
    return "\n".join(lines)
