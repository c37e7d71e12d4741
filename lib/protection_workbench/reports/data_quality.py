"""Tables behind the data quality notebook: what the cleaning did to the exports.

Rows in, clean and quarantined per dataset; values repaired by kind; rows set aside and
values not recognised by reason; columns not in the data contract. Rows are records
about people: the reviewer version (``restricted=False``) protects their counts like
counts of people. Counts of values (repaired, not recognised) and of columns identify no
one and are published exactly. No value, header or file name from the exports is shown
except escaped in the case workers' copy.
"""

from __future__ import annotations

import pandas as pd

from ..publish.html import esc_markdown
from ..publish.tables import TOTAL, with_totals
from .common import exact, labelled, publish


def quality_summary(summary: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """:meth:`Export.report_table` as published: rows in = clean + quarantined (protected
    together), values repaired and not recognised and columns not in the contract."""
    counts = summary[["rows_clean", "rows_quarantined", "rows_in"]]
    # rows are records about people: protected
    shown = publish(with_totals(counts, column=False), restricted, TOTAL, "rows_in")
    for column in ("values_repaired", "unknown_values"):
        if column in summary.columns:  # counts of values, not of records: exact
            extra = with_totals(summary[[column]], column=False)
            shown[column] = exact(extra)[column]
    if "unknown_columns" in summary.columns:  # columns, not records: shown as they are
        columns = with_totals(summary[["unknown_columns"]], column=False)
        shown["unknown_columns"] = exact(columns)["unknown_columns"]
    return labelled(shown, "dataset")


def rows_chart(summary: pd.DataFrame) -> pd.DataFrame:
    """Clean and quarantined rows per dataset (index), for the chart beside
    :func:`quality_summary` (whose rows_in totals they add up to)."""
    return summary[["rows_clean", "rows_quarantined"]]


def repairs_published(repairs: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """Values repaired by kind (rows) and dataset (columns), with totals, exact in both
    versions: a count of repaired values identifies no one (``restricted`` is kept for the
    notebook's calls)."""
    table = repairs.pivot_table(
        index="repair", columns="dataset", values="values", aggfunc="sum", fill_value=0
    )
    # repairs of values, not people or records: exact
    return labelled(exact(with_totals(table)), "repair")


def grouped_counts(
    frame: pd.DataFrame, by: list[str], name: str, restricted: bool, people: bool = True
):
    """Rows of ``frame`` counted by ``by`` (e.g. quarantined rows by dataset and reason),
    with a Total row, as published: protected when they count records about people
    (``people``, e.g. quarantined rows), exact otherwise (e.g. values not recognised)."""
    counts = frame.groupby(by, observed=True).size().rename(name)
    table = counts.to_frame()
    table.index = [" · ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in table.index]
    shown = publish(with_totals(table, column=False), restricted or not people, row_total=TOTAL)
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
