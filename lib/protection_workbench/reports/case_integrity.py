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

from ..publish.disclosure import min_cell
from ..publish.labels import column_label
from ..publish.protected import Published, TableSet
from ..publish.tables import TOTAL
from ..rules.registry import FINDING_COLUMNS
from .common import (
    MISSING,
    SEVERITY_LABELS,
    SEVERITY_ORDER,
    count_text,
    dataset_label,
    group_labels,
    key_text,
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
OTHER_EXPECTATION = "Another check of the column {column}"


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
    return (
        f"**Quality gate: {verdict}**: {met:,} of {len(gate.results):,} checks on the columns "
        "of the exports met (each column present, filled in, unique or within its list as it "
        "must be)."
    )


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


# --------------------------------------------------------------------------- the table set


def _ordered(values: pd.Series, order) -> pd.Series:
    """``values`` as a categorical in ``order`` (the table set keeps category order)."""
    return pd.Series(pd.Categorical(values, categories=list(order)), index=values.index)


def _case_groups(findings: pd.DataFrame, cases: pd.DataFrame, known_only: bool) -> pd.DataFrame:
    """Per finding: the mantika, location and week of registration of its individual, for
    the findings of the case records ("(missing)" when the individual is not found); missing
    (not counted) for the findings of other datasets."""
    ours = (findings["dataset"] == "cases").to_numpy()
    people = cases.drop_duplicates("individual_id")
    ids = key_text(people["individual_id"]).to_numpy()
    keys = key_text(findings["record_id"])
    out = {}
    for by in BY_COLUMNS:
        if by == "registration_week":
            values = iso_week(people["registration_date"])
        else:
            values = group_labels(people[by], by, known_only)
        found = keys.map(pd.Series(values.to_numpy(), index=ids)).fillna(MISSING)
        out[by] = found.where(ours)
    return pd.DataFrame(out, index=findings.index)


def protected_tables(
    findings: pd.DataFrame,
    catalogue: pd.DataFrame,
    cases: pd.DataFrame | None = None,
    changes: pd.DataFrame | None = None,
    restricted: bool = False,
) -> Published:
    """Every count the case integrity report shows, from one protected table set (counted
    once, protected together): findings by dataset, by rule, by mantika, location and week
    of registration (the case records' findings) and the individuals concerned; the changes
    since the previous run when ``changes`` (:func:`compare_runs`) is given.

    Findings are records about people: protected in the reviewer version; the case
    workers' copy (``restricted``) is exact. Tables of the findings are counted from one
    frame, so a hidden cell cannot be recovered by combining them."""
    ts = TableSet(min_cell=1 if restricted else None)
    severity = _ordered(
        findings["severity"].astype("str").map(SEVERITY_LABELS), ("Errors", "Warnings")
    )
    rules = counts_by_rule(findings, catalogue)
    order = list(dict.fromkeys(rules["rule"].astype(str)))
    rule = findings["rule"].astype("str")
    frame = pd.DataFrame(
        {
            "Dataset": dataset_label(findings["dataset"].astype("str")).to_numpy(),
            "Rule": _ordered(rule_label(rule, catalogue), rule_label(pd.Series(order), catalogue)),
            "Severity": severity,
        },
        index=findings.index,
    )
    if cases is not None:
        groups = _case_groups(findings, cases, known_only=not restricted)
        for by in ("mantika", "location"):  # most findings first
            counted = groups[by].value_counts()
            frame[by] = _ordered(groups[by], sorted(counted.index, key=lambda g: (-counted[g], g)))
        weeks = groups["registration_week"].dropna()
        frame["week"] = _ordered(
            groups["registration_week"], sorted(set(weeks) - {MISSING}) + [MISSING]
        )
    ts.count(
        "by_dataset",
        frame,
        rows="Dataset",
        cols="Severity",
        totals=True,
        title="Findings by dataset",
    )
    ts.count("by_rule", frame, rows="Rule", cols="Severity", totals=True, title="Findings by rule")
    if cases is not None:
        # individuals: one row per individual with a finding of the case records
        people = frame.assign(_id=key_text(findings["record_id"]).to_numpy())
        people = people[findings["dataset"].to_numpy() == "cases"].drop_duplicates("_id")
        for by in ("mantika", "location"):
            ts.count(f"by_{by}", frame, rows=by, cols="Severity", totals=True)
            ts.count(f"individuals_by_{by}", people, rows=by, totals=True, value_name="Individuals")
        ts.count("by_week", frame, rows="week", cols="Severity", totals=True)
    if changes is not None:
        moved = pd.DataFrame(
            {
                "Rule": rule_label(changes["rule"].astype("str"), catalogue).to_numpy(),
                "Change": _ordered(
                    changes["change"].astype("str").str.capitalize(),
                    [c[:1].upper() + c[1:] for c in CHANGES],
                ).to_numpy(),
            }
        )
        ts.count("changes", moved, rows="Rule", cols="Change", totals=True)
    return ts.protect()


def rule_table(published: Published) -> pd.DataFrame:
    """Findings by rule: Rule (code and title), Errors, Warnings, Total; a Total row;
    errors first."""
    return _labelled(published.table("by_rule"), "Rule")


def _labelled(table: pd.DataFrame, label: str, columns=("Errors", "Warnings")) -> pd.DataFrame:
    """A published table with its index as the first column; a column of ``columns`` that
    nothing fell into is there, all 0 (a true zero is never hidden)."""
    order = [*columns, *[c for c in table.columns if c not in columns]]
    out = table.reindex(columns=order, fill_value="0")
    out.index = pd.Index([str(i) for i in out.index], name=label)
    out.columns = [str(c) for c in out.columns]
    return out.reset_index()


def rule_counts(findings: pd.DataFrame, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Records per rule (index, errors first) and severity (columns error, warning)."""
    by_rule = counts_by_rule(findings, catalogue)
    order = list(dict.fromkeys(by_rule["rule"].astype(str)))
    table = pd.crosstab(findings["rule"].astype(str), findings["severity"].astype(str))
    return table.reindex(index=order, columns=list(SEVERITY_ORDER), fill_value=0).astype(int)


def chart_of(published: Published, name: str) -> pd.DataFrame:
    """The published cells of a table (no totals) as a chart draws them: hidden cells not
    drawn, marked; only the rows that draw a bar (a chart of nothing but markers says
    nothing): empty when no bar can be drawn (then say it: :func:`nothing_to_chart`)."""
    table = published.table(name).drop(index=TOTAL, columns=TOTAL, errors="ignore")
    table.columns = [str(c) for c in table.columns]
    values = published.values(name).loc[table.index, table.columns]
    drawn = (values.fillna(0).astype(float) > 0).any(axis=1)
    table.index = [str(i) for i in table.index]
    return table[drawn.to_numpy()]


def nothing_to_chart(what: str, table: bool = True) -> str:
    """The sentence shown instead of a chart whose every bar is hidden."""
    text = (
        f"No chart of {what}: every count is fewer than {min_cell()} or hidden with one, so "
        "no bar can be drawn."
    )
    return text + (" The table above gives what can be shown." if table else "")


def severity_table(published: Published) -> pd.DataFrame:
    """Findings by dataset: Dataset, Errors, Warnings, Total; a Total row."""
    return _labelled(published.table("by_dataset"), "Dataset")


def where_table(published: Published, by: str) -> pd.DataFrame:
    """Case findings by mantika or location (``by``): Errors, Warnings, Findings (their
    total) and Individuals (distinct individuals, each in one group), each with a Total
    row. In the reviewer version only locations and mantikas known to ``config/`` are
    labels (others are counted under "Other / unrecognised")."""
    found = published.table(f"by_{by}").rename(columns={TOTAL: "Findings"})
    people = published.table(f"individuals_by_{by}")
    found["Individuals"] = people.iloc[:, 0].reindex(found.index).fillna("0").to_numpy()
    return _labelled(found, column_label(by))


def change_table(published: Published) -> pd.DataFrame:
    """Changes since the previous run by rule (New, Fixed, Still open, Total); a Total row,
    whose cells are the ones to quote in a sentence."""
    return _labelled(published.table("changes"), "Rule", [c[:1].upper() + c[1:] for c in CHANGES])


def new_and_fixed(changes: pd.DataFrame, limit: int = 200) -> pd.DataFrame:
    """The first ``limit`` new and fixed findings of :func:`compare_runs` (case workers'
    copy: real ids; show them through :func:`~.common.for_display`)."""
    return changes[changes["change"] != "still open"].head(limit)


def change_sentence(by_change: pd.DataFrame) -> str:
    """The Markdown summary of :func:`change_table`'s Total row."""
    counted = by_change.set_index("Rule").loc[TOTAL]
    parts = [quoted(counted[change[:1].upper() + change[1:]], change) for change in CHANGES]
    return f"Since the previous run: {', '.join(parts)}."
