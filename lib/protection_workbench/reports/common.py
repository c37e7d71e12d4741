"""What the reports share: versions (reviewer / case workers' copy), counts as published,
group labels, and findings shown without what must not be shown.

The reviewer versions of the notebooks (``restricted=False``) show aggregates only: every
count of people goes through :mod:`protection_workbench.publish.disclosure` (small counts
as "<5", cells hidden against the totals shown next to them as "[c]", explained by
:func:`version_note`). The case workers' copy
(``restricted=True``, written to the run's restricted folder) shows exact counts and the
per-record lists; :func:`for_display` hides quoted dates of birth in both and
pseudonymises ids (:func:`reviewer_ids`) wherever a record must be named in a shared output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import pandas as pd

from ..publish.disclosure import SECONDARY, in_words, marker_note, show_count, suppress_table
from ..publish.header import report_header
from ..publish.labels import known_labels
from ..publish.pseudonyms import pseudonymise
from ..rules.registry import FINDING_COLUMNS

SEVERITY_ORDER = {"error": 0, "warning": 1}
MISSING = "(missing)"  # the group of records without a value

# An id inside a message (IND-00000001, LY-VHR-0000001, PLC-000295, HST-00005): letters,
# dash, digits, standing alone. Manifest ids (MNF-20261125-SEB-NGA) continue with a dash
# and name a flight, not a person: they are left as they are.
_ID_IN_TEXT = re.compile(r"(?<![\w-])[A-Z]{2,}(?:-[A-Z]{2,})*-\d{3,}(?![\w-])")
# A date of birth quoted in a message (C004/C005 name the date columns they compare).
_BIRTH_DATE_IN_TEXT = re.compile(r"(date_of_birth|date of birth) \d{4}-\d{2}-\d{2}")
_TEXT_COLUMNS = ("message", "reasons", "to fix")

RESTRICTED_NOTE = (
    "The per-record {what}, with real ids, is for case workers only: it is in the restricted "
    "outputs of this run (the findings workbook and the case workers' copy of this report), "
    "kept apart from these pages and never linked from here."
)

# How the datasets of the data contract are named on a page.
DATASET_LABELS = {
    "cases": "Case records",
    "referrals": "Referrals",
    "manifest": "Flight manifests",
    "hosts": "Hosts",
    "placements": "Placements",
    "visits": "Monitoring visits",
    "payments": "Host payments",
    "activities": "Field activities",
}
SEVERITY_LABELS = {"error": "Errors", "warning": "Warnings"}


# --------------------------------------------------------------------------- keys and labels


def severity_rank(severity: pd.Series) -> pd.Series:
    """0 for errors, 1 for warnings, 2 for anything else: errors sort first."""
    return severity.astype("str").map(SEVERITY_ORDER).fillna(len(SEVERITY_ORDER)).astype(int)


def key_text(values: pd.Series) -> pd.Series:
    """Values as text keys for joins ("" where missing)."""
    return values.astype("str").where(values.notna(), "")


def group_labels(
    values: pd.Series, column: str, known_only: bool = True, extra: Sequence[str] = ()
) -> pd.Series:
    """Values as the labels of a grouped table: with ``known_only`` (reviewers' tables)
    only values ``config/`` knows for ``column`` (or in ``extra``), anything else "Other /
    unrecognised" (:func:`~protection_workbench.publish.labels.known_labels`); missing
    values as "(missing)"."""
    text = values.astype("str").where(values.notna())
    if known_only:
        text = known_labels(text, column, extra=extra)
    return text.where(text.notna(), MISSING)


def dataset_label(values):
    """Dataset names ("cases") as a page names them ("Case records"); a Series or a scalar.
    A name the contract does not know is spelled out (underscores as spaces)."""
    if isinstance(values, pd.Series | pd.Index):
        return pd.Series(values, dtype="object").map(dataset_label, na_action="ignore")
    text = str(values)
    return DATASET_LABELS.get(text, text.replace("_", " ").capitalize())


def rule_label(rules: pd.Series, catalogue: pd.DataFrame) -> pd.Series:
    """Rule codes with their plain title: "C004 Dates out of order" (a code never stands
    alone on a page)."""
    titles = catalogue.set_index("rule")["title"]
    codes = rules.astype("str")
    return (codes + " " + codes.map(titles).fillna("")).str.strip()


def rules_not_run(failed: Iterable[str], catalogue: pd.DataFrame, prefixes: str = "") -> str:
    """A warning naming each rule that could not run (``CheckResult.failed_rules``; only
    codes starting with one of ``prefixes``, all when empty): its findings are missing from
    this page. "" when every rule ran. No error message: it may quote a value."""
    codes = sorted(c for c in failed if not prefixes or c.startswith(tuple(prefixes)))
    if not codes:
        return ""
    labels = rule_label(pd.Series(codes, dtype="str"), catalogue).tolist()
    several = len(codes) > 1
    return (
        f"**Warning: {len(codes)} rule{'s' if several else ''} could not run** "
        f"({'; '.join(labels)}): a fault of the workbench, not of the data. The other rules "
        f"ran; the records {'they' if several else 'it'} would find are not counted on this "
        "page. The details, for the maintainers, are in the restricted outputs of the run."
    )


# --------------------------------------------------------------------------- versions


def page_header(as_of, data_dir, run_id: str = "", restricted: bool = False) -> str:
    """The one header block under a notebook's title (Markdown): what this version shows,
    and, when the notebook is opened on its own, the report date and the files read.

    In a run (``run_id`` set) the page's top line gives the report date and its closing
    "About this report" the files read and the run reference: they are not repeated."""
    lines = []
    if not run_id:
        header = report_header("", as_of, data_dir).data.splitlines()
        lines += [line for line in header if line.startswith("**Figures as of**")]
        lines += [line for line in header if line.startswith("**Files read**")]
    lines.append(version_note(restricted))
    return "\n".join(lines)


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
        "This reviewer version shows aggregates only and lists no record: the lists with "
        f"real ids are in the case workers' copy, in the restricted outputs of the run. "
        f"{marker_note()}"
    )


# --------------------------------------------------------------------------- counts as published


def count_text(n, restricted: bool) -> str:
    """A count in a sentence: exact for case workers, else as published (``"<5"``)."""
    if restricted:
        return f"{int(n):,}"
    return show_count(n)


def counted(published: str, what: str) -> str:
    """A published count quoted in a sentence: "12 errors", "fewer than 5 errors"; a cell
    hidden to protect another ("[c]") becomes "errors: not shown"."""
    if str(published).strip() == SECONDARY:
        return f"{what}: {in_words(published)}"
    return f"{in_words(published)} {what}"


def quoted(published: str, what: str) -> str:
    """:func:`counted` in bold when the number is given: "**12 new**", "new: not shown"."""
    text = counted(published, what)
    return text if str(published).strip() == SECONDARY else f"**{text}**"


def exact(counts: pd.Series | pd.DataFrame) -> pd.Series | pd.DataFrame:
    """Counts as exact strings with thousands separators (the case workers' copy)."""
    return counts.map(lambda v: f"{int(v):,}").astype(str)


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
        return exact(counts)
    return suppress_table(counts, row_total=row_total, col_total=col_total)


def labelled(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """A published table with its index as the first column, named ``label``."""
    out = frame.copy()
    out.index.name = label
    out.columns.name = None
    return out.reset_index()


# --------------------------------------------------------------------------- findings shown


def hide_birth_dates(messages: pd.Series) -> pd.Series:
    """Messages with any quoted date of birth replaced by "(hidden)"."""
    return messages.astype("str").str.replace(_BIRTH_DATE_IN_TEXT, r"\1 (hidden)", regex=True)


def reviewer_ids(
    frame: pd.DataFrame,
    key: bytes,
    columns: Iterable[str] = ("record_id", "case_id"),
    text_columns: Iterable[str] = _TEXT_COLUMNS,
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
    out = findings[FINDING_COLUMNS].assign(_rank=severity_rank(findings["severity"]))
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
    for col in _TEXT_COLUMNS:
        if col in out.columns:
            out[col] = hide_birth_dates(out[col]).where(out[col].notna())
    if restricted:
        return out
    if key is None:
        raise ValueError("a pseudonymisation key is needed unless restricted")
    return reviewer_ids(out, key, columns)
