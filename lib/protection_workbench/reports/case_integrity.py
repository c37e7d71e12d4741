"""Tables behind the case integrity notebook: the quality gate, findings by rule, dataset,
location, mantika and week of registration, and what changed since the previous run.

Every function takes cleaned frames or a findings table (columns ``dataset, record_id,
case_id, rule, severity, message``) and returns a plain DataFrame. The ``*_table``
functions give what the notebook shows: counts protected in the reviewer version
(``restricted=False``), exact in the case workers' copy (``restricted=True``), which alone
lists records (:func:`~.common.records_to_fix`, :func:`~.common.for_display`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..publish.charts import bar_values
from ..publish.disclosure import min_cell
from ..publish.labels import column_label
from ..publish.tables import TOTAL, with_totals
from ..rules.registry import FINDING_COLUMNS
from .common import (
    MISSING,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    count_text,
    dataset_label,
    group_labels,
    key_text,
    labelled,
    publish,
    quoted,
    rule_label,
    severity_rank,
)

CHANGES = ("new", "fixed", "still open")
KEY = ["dataset", "record_id", "rule"]
BY_COLUMNS = ("location", "mantika", "registration_week")


# --------------------------------------------------------------------------- counts


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
    counts["_rank"] = severity_rank(counts["severity"])
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
    ids = key_text(people["individual_id"])
    if by == "registration_week":
        values = iso_week(people["registration_date"])
    else:
        values = group_labels(people[by], by, known_only)
    lookup = pd.Series(values.to_numpy(), index=ids.to_numpy())
    group = key_text(ours["record_id"]).map(lookup).fillna(MISSING)
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
    cur_key = pd.MultiIndex.from_frame(cur[KEY].apply(key_text))
    prev_key = pd.MultiIndex.from_frame(prev[KEY].apply(key_text))
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


# --------------------------------------------------------------------------- as published

# What each kind of gate expectation checks, in plain English (the one mapping from Great
# Expectations' names to the words a reviewer reads); {column} is the column's label.
EXPECTATION_DESCRIPTIONS = {
    "expect_column_to_exist": "The column {column} is present",
    "expect_column_values_to_be_in_type_list": "{column} holds values of the right kind",
    "expect_column_values_to_not_be_null": "{column} is filled in on every record",
    "expect_column_values_to_be_unique": "No two records share the same {column}",
    "expect_column_values_to_be_in_set": "{column} holds only the codes of its list",
    "expect_column_values_to_match_regex": "{column} is written in the expected format",
    "expect_column_values_to_be_between": "{column} is within the allowed range",
}
OTHER_EXPECTATION = "Another structural check of {column}"


def describe_expectations(expectations: pd.Series, columns: pd.Series) -> pd.Series:
    """Each gate expectation (a Great Expectations name) on its column, in plain English:
    "No two records share the same Individual"."""
    names = pd.Series([column_label(str(c)) for c in columns], index=columns.index)
    templates = expectations.astype("str").map(EXPECTATION_DESCRIPTIONS).fillna(OTHER_EXPECTATION)
    return pd.Series(
        [t.format(column=c) for t, c in zip(templates, names, strict=True)],
        index=expectations.index,
    )


def gate_sentence(gate) -> str:
    """The Markdown verdict of the quality gate (a ``GateResult``, or None when it did not
    run): expectations are not people, so they are counted exactly."""
    if gate is None:
        return "**Quality gate: not run** (the gate could not run on these exports)."
    verdict = "passed" if gate.passed else "failed"
    met = int(gate.results["success"].astype(bool).sum())
    return f"**Quality gate: {verdict}**: {met:,} of {len(gate.results):,} structural checks met."


def failed_expectations(failed: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Failed gate expectations in plain English (Dataset, Check, Records affected); the
    number of records affected as published (records about people: protected; the checks
    themselves are counted exactly)."""
    out = pd.DataFrame(
        {
            "Dataset": dataset_label(failed["dataset"]).to_numpy(),
            "Check": describe_expectations(failed["expectation"], failed["column"]).to_numpy(),
        }
    )
    if "unexpected_count" in failed.columns:
        out["Records affected"] = [
            "" if pd.isna(n) else count_text(n, restricted) for n in failed["unexpected_count"]
        ]
    return out


def gate_failures(gate, restricted: bool) -> pd.DataFrame:
    """:func:`failed_expectations` of a gate result (empty when the gate did not run)."""
    if gate is None:
        return pd.DataFrame()
    failed = gate.results.loc[~gate.results["success"].astype(bool)]
    return failed_expectations(failed, restricted)


def _headed(table: pd.DataFrame) -> pd.DataFrame:
    """Column headings in plain English: errors, warnings, new, ..."""
    names = {**SEVERITY_LABELS, "errors": "Errors", "warnings": "Warnings"}
    names.update(findings="Findings", records="Individuals")
    names.update({c: c[:1].upper() + c[1:] for c in CHANGES})
    return table.rename(columns=names)


def rule_table(findings: pd.DataFrame, catalogue: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Findings by rule: Rule (code and title), Errors, Warnings, Total; a Total row;
    errors first.

    Error and warning columns add up to the totals of :func:`severity_table` and of the
    overall sentence, so those are protected together."""
    shown = publish(with_totals(rule_counts(findings, catalogue)), restricted, TOTAL, TOTAL)
    out = labelled(shown, "Rule")
    out["Rule"] = rule_label(out["Rule"], catalogue).where(out["Rule"] != TOTAL, TOTAL)
    return _headed(out)


def rule_counts(findings: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Records per rule (index, errors first) and severity (columns error, warning)."""
    by_rule = counts_by_rule(findings, catalogue)
    order = list(dict.fromkeys(by_rule["rule"].astype(str)))
    table = pd.crosstab(findings["rule"].astype(str), findings["severity"].astype(str))
    return table.reindex(index=order, columns=list(SEVERITY_ORDER), fill_value=0).astype(int)


def rule_chart(findings: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """:func:`rule_counts` labelled "RULE  title", columns Errors, Warnings, for the chart
    beside the rule table."""
    table = rule_counts(findings, catalogue)
    table.index = rule_label(pd.Series(table.index), catalogue).to_numpy()
    return table.rename(columns=SEVERITY_LABELS)


def chartable(table: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """The rows of a chart's table that draw a bar once protected (bars of hidden counts are
    not drawn; a chart of nothing but markers says nothing). Empty when no bar would be
    drawn: then say it in words (:func:`nothing_to_chart`)."""
    heights, _ = bar_values(table, protect=not restricted, totals=True)
    drawn = (heights.fillna(0) > 0).any(axis=1)
    return table[drawn.to_numpy()]


def nothing_to_chart(what: str, table: bool = True) -> str:
    """The sentence shown instead of a chart whose every bar is hidden."""
    text = (
        f"No chart of {what}: every count is fewer than {min_cell()} or hidden with one, so "
        "no bar can be drawn."
    )
    return text + (" The table above gives what can be shown." if table else "")


def severity_table(findings: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Findings by dataset: Dataset, Errors, Warnings, Total; a Total row."""
    table = counts_by_severity(findings).set_index("dataset")[list(SEVERITY_ORDER)]
    out = labelled(publish(with_totals(table), restricted, TOTAL, TOTAL), "Dataset")
    out["Dataset"] = dataset_label(out["Dataset"]).where(out["Dataset"] != TOTAL, TOTAL)
    return _headed(out)


def where_table(
    findings: pd.DataFrame, cases: pd.DataFrame, by: str, restricted: bool
) -> pd.DataFrame:
    """:func:`counts_by` as published: Errors, Warnings, Findings (their total) and
    Individuals (distinct individuals, each in one group), each with a Total row. In the
    reviewer version only locations and mantikas known to ``config/`` are labels (others
    are counted under "Other / unrecognised")."""
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
    return _headed(labelled(shown, column_label(by)))


def week_chart(findings: pd.DataFrame, cases: pd.DataFrame) -> pd.DataFrame:
    """Case findings by week of registration (index, in time order): Errors, Warnings."""
    by_week = counts_by(findings, cases, "registration_week")
    table = by_week.set_index("registration_week")[["errors", "warnings"]]
    return table.rename(columns={"errors": "Errors", "warnings": "Warnings"})


def change_table(
    changes: pd.DataFrame, restricted: bool, catalogue: pd.DataFrame | None = None
) -> pd.DataFrame:
    """Changes since the previous run by rule (New, Fixed, Still open, Total); a Total row,
    whose cells are the ones to quote in a sentence. Rules carry their title when the
    ``catalogue`` is given."""
    table = change_summary(changes, by="rule").set_index("rule")[list(CHANGES)]
    out = labelled(publish(with_totals(table), restricted, TOTAL, TOTAL), "Rule")
    if catalogue is not None:
        out["Rule"] = rule_label(out["Rule"], catalogue).where(out["Rule"] != TOTAL, TOTAL)
    return _headed(out)


def new_and_fixed(changes: pd.DataFrame, limit: int = 200) -> pd.DataFrame:
    """The first ``limit`` new and fixed findings of :func:`compare_runs` (case workers'
    copy: real ids; show them through :func:`~.common.for_display`)."""
    return changes[changes["change"] != "still open"].head(limit)


def change_sentence(by_change: pd.DataFrame) -> str:
    """The Markdown summary of :func:`change_table`'s Total row."""
    counted = by_change.set_index("Rule").loc[TOTAL]
    parts = [quoted(counted[change[:1].upper() + change[1:]], change) for change in CHANGES]
    return f"Since the previous run: {', '.join(parts)}."
