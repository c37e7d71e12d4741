"""Tables behind the data quality notebook: what the cleaning did to the exports.

Rows in, clean and set aside for correction per dataset; values repaired by kind; rows set aside and
values not recognised by reason; columns not in the data contract. Rows are records
about people: the reviewer version (``restricted=False``) protects their counts like
counts of people. Counts of values (repaired, not recognised) and of columns identify no
one and are published exactly. No value, header or file name from the exports is shown
except escaped in the case workers' copy.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..publish.html import esc_markdown
from ..publish.labels import column_label
from ..publish.protected import Published, TableSet
from ..publish.tables import TOTAL, with_totals
from .common import dataset_label, exact, labelled

# What each kind of repair did, in plain English (the cleaning library names them in code).
REPAIR_LABELS = {
    "date_format": "Dates written another way",
    "excel_serial": "Dates stored as Excel numbers",
    "arabic_digits": "Arabic-Indic digits",
    "number_format": "Numbers written another way",
    "period_format": "Months written another way",
    "code_format": "Codes spelled another way",
    "yes_no_format": "Yes / no written another way",
    "list_format": "Lists written another way",
    "country_alias": "Countries given as names, nationalities or in Arabic",
    "country_fuzzy": "Country names with a typo",
    "mantika_alias": "Mantikas spelled another way",
    "airport_alias": "Airports spelled another way",
    "whitespace": "Stray spaces",
    "html_entity": "Web character codes",
    "encoding": "Garbled characters (wrong text encoding)",
    "legacy_encoding": "Text saved in an old Windows encoding",
    "control_characters": "Invisible control characters removed",
    "missing_marker": "Not-known markers (NA, -, unknown) read as empty",
    "month_first": "Dates read month first",
    "country_pattern": "Country names matched by a pattern of the country list",
}
# The datasets of each team, so that the table of repairs fits an A4 page in two parts.
DATASET_GROUPS = {
    "Case work": ("cases", "referrals", "manifest", "activities"),
    "Community hosting": ("hosts", "placements", "visits", "payments"),
}
_SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


def plain_text(values: pd.Series) -> pd.Series:
    """Reasons and problems of the cleaning in plain English: a column name in them
    ("missing individual_id") reads as its label ("missing individual"), "not in code list
    sex" as "not in its code list"."""
    text = values.astype("str").str.replace(
        r"not in code list \w+", "not in its code list", regex=True
    )
    return text.str.replace(_SNAKE, lambda m: column_label(m.group(0)).lower(), regex=True)


def repair_label(kinds: pd.Series | pd.Index) -> pd.Series:
    """Repair kinds as a page names them (:data:`REPAIR_LABELS`; others spelled out)."""
    return pd.Series(
        [REPAIR_LABELS.get(str(k), column_label(str(k))) for k in kinds], dtype="object"
    )


def protected_tables(
    summary: pd.DataFrame, quarantine: pd.DataFrame, restricted: bool = False
) -> Published:
    """The counts of rows the data quality report shows, from one protected table set:
    rows in, clean and set aside per dataset, and the rows set aside by dataset and reason.
    Rows are records about people: both tables are counted from one frame of rows (one row
    per row read), so they are protected together; exact in the case workers' copy."""
    ts = TableSet(min_cell=1 if restricted else None)
    names = [str(n) for n in summary.index]
    labels = dataset_label(pd.Series(names)).tolist()
    clean = summary["rows_clean"].astype(int).to_numpy()
    kept = pd.DataFrame({"Dataset": np.repeat(labels, clean), "Status": "Clean", "Reason": None})
    aside = pd.DataFrame(
        {
            "Dataset": dataset_label(quarantine["dataset"].astype("str")).to_numpy(),
            "Status": "Set aside",
            "Reason": plain_text(quarantine["reason"]).to_numpy(),
        }
    )
    rows = pd.concat([kept, aside], ignore_index=True)
    rows["Dataset"] = pd.Categorical(rows["Dataset"], categories=list(dict.fromkeys(labels)))
    rows["Status"] = pd.Categorical(rows["Status"], categories=["Clean", "Set aside"])
    rows["Key"] = (rows["Dataset"].astype("str") + " · " + rows["Reason"].fillna("")).where(
        rows["Status"] == "Set aside"
    )
    ts.count("rows", rows, rows="Dataset", cols="Status", totals=True, title="Rows per dataset")
    ts.count("set_aside", rows, rows="Key", totals=True, title="Rows set aside")
    return ts.protect()


def quality_summary(summary: pd.DataFrame, published: Published) -> pd.DataFrame:
    """:meth:`Export.report_table` as published: Dataset, Rows in = Clean + Set aside
    (from the protected table set), then Values repaired, Values not recognised and Extra
    columns (values and columns identify no one: exact)."""
    table = published.table("rows")
    table.columns = [str(c) for c in table.columns]
    shown = table.reindex(columns=["Total", "Clean", "Set aside"], fill_value="0")
    shown = shown.rename(columns={"Total": "Rows in"})
    shown.index = [str(i) for i in shown.index]
    for column in ("values_repaired", "unknown_values", "unknown_columns"):
        if column in summary.columns:  # values and columns, not records: exact
            counts = exact(with_totals(summary[[column]], column=False))[column]
            counts.index = [*dataset_label(pd.Series(counts.index[:-1])).tolist(), TOTAL]
            shown[SUMMARY_HEADINGS[column]] = counts.reindex(shown.index).to_numpy()
    return labelled(shown, "Dataset")


def set_aside_table(published: Published) -> pd.DataFrame:
    """Rows set aside by dataset and reason (Dataset, Reason, Rows) with a Total row, as
    published in the table set."""
    table = published.table("set_aside")
    keys = pd.Series([str(k) for k in table.index])
    parts = keys.str.split(" · ", n=1, expand=True).reindex(columns=[0, 1])
    return pd.DataFrame(
        {
            "Dataset": parts[0].to_numpy(),
            "Reason": parts[1].fillna("").to_numpy(),
            "Rows": table.iloc[:, 0].to_numpy(),
        }
    )


SUMMARY_HEADINGS = {
    "rows_in": "Rows in",
    "rows_clean": "Clean",
    "rows_quarantined": "Set aside",
    "values_repaired": "Values repaired",
    "unknown_values": "Values not recognised",
    "unknown_columns": "Extra columns",
}


def repairs_published(repairs: pd.DataFrame, restricted: bool) -> dict[str, pd.DataFrame]:
    """Values repaired by kind (rows) and dataset (columns), with totals, exact in both
    versions: a count of repaired values identifies no one (``restricted`` is kept for the
    notebook's calls). One table per group of datasets (:data:`DATASET_GROUPS`, each fits an
    A4 page), titled by the group; kinds that did not occur in a group are left out."""
    out = {}
    for group, names in DATASET_GROUPS.items():
        ours = repairs[repairs["dataset"].astype("str").isin(names)]
        if ours.empty:
            continue
        table = ours.pivot_table(
            index="repair", columns="dataset", values="values", aggfunc="sum", fill_value=0
        )
        table = table[[n for n in names if n in table.columns]]
        # repairs of values, not people or records: exact
        shown = labelled(exact(with_totals(table)), "Repair")
        shown["Repair"] = repair_label(shown["Repair"]).where(shown["Repair"] != TOTAL, TOTAL)
        shown.columns = ["Repair", *dataset_label(pd.Series(shown.columns[1:])).tolist()]
        out[group] = shown
    return out


def grouped_counts(frame: pd.DataFrame, by: list[str], name: str) -> pd.DataFrame:
    """Rows of ``frame`` counted by ``by`` (e.g. values not recognised by dataset, column
    and problem), with a Total row, exact: they are counts of values, which identify no
    one (rows set aside are records about people: :func:`set_aside_table`)."""
    counts = frame.groupby(by, observed=True).size().rename(name)
    table = counts.to_frame()
    table.index = [" · ".join(map(str, k)) if isinstance(k, tuple) else str(k) for k in table.index]
    shown = exact(with_totals(table, column=False))
    labels = counts.index.to_frame(index=False).astype(str)
    for column in by:  # as a page names them: datasets, columns, reasons in plain English
        if column == "dataset":
            labels[column] = dataset_label(labels[column]).to_numpy()
        elif column == "column":
            labels[column] = labels[column].map(column_label)
        else:
            labels[column] = plain_text(labels[column]).to_numpy()
    total = pd.DataFrame([[TOTAL] + [""] * (len(by) - 1)], columns=by)
    out = pd.concat([labels, total], ignore_index=True)
    out[name] = shown[name].to_numpy()
    return out.rename(columns=lambda c: column_label(str(c)))


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
            lines.append(f"- **{esc_markdown(dataset_label(name))}**: {listed}")
        else:
            lines.append(
                f"- **{esc_markdown(dataset_label(name))}**: {n:,} column"
                f"{'' if n == 1 else 's'} not in the data contract"
            )
    if not restricted:
        lines.append(
            "\nThe headers themselves are not shown here: they are in the cleaning report of "
            "the run (restricted, for case workers), to be taught to the workbench's list of "
            "header spellings."
        )
    return "\n".join(lines)


# What each kind of note of the cleaning report asks a reviewer to check, in plain English.
NOTE_LABELS = {
    "ambiguous_dates": "Dates whose order of day and month could not be told (read day first)",
    "month_first_dates": "Files whose dates were read month first",
    "day_first_dates": "Files whose dates were read day first, settled by weekdays or settings",
    "wrong_column": "Columns probably mistaken for another, not used",
    "country_fuzzy": "Country names matched despite a typo",
    "country_pattern": "Country names matched by a pattern of the country list",
    "country_short_code": "Two-letter country codes read as countries",
    "header_conflict": "Columns claimed by two headers",
    "broken_quoting": "Records with broken quoting set aside",
}


def review_notes(notes: dict[str, list[dict]], restricted: bool) -> pd.DataFrame | None:
    """The notes of the cleaning report (``notes``: each dataset's ``report.notes``) as a
    table: what to check (:data:`NOTE_LABELS`) and how many notes, by dataset. Notes name
    files, headers and values of the exports: the reviewer version counts them; the case
    workers' copy lists each with its message (escaped when shown). None when there is
    nothing to check."""
    rows = [
        {
            "Dataset": dataset_label(name),
            "To check": NOTE_LABELS.get(note.get("kind", ""), column_label(note.get("kind", ""))),
            "Details": note.get("message")
            or " ".join(
                f"{k}: {note[k]}" for k in ("column", "value", "country", "rows") if k in note
            ),
        }
        for name, found in notes.items()
        for note in found
    ]
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    if restricted:
        return frame
    counts = frame.groupby(["Dataset", "To check"], sort=False).size()
    return counts.rename("Notes").map("{:,}".format).reset_index()
