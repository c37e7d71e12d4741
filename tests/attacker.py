"""A linear-programming attacker of published tables, and an honesty check of their markers.

Written apart from ``publish/protected.py`` on purpose: it recounts every published cell
from the records with pandas, so it checks the protection instead of repeating it.

The attacker knows everything a report publishes from one record frame: every shown cell
and total, what the markers say ("<5" is 1 to 4; "[c]" at least 5, or at least 1 when it
hides a small count, which the attacker is even told), how each table was counted, and
which kinds of record exist at all: the records are grouped by the published cells they
fall in, and only groups that occur are variables (each at least 0). For every hidden
cell it finds the smallest and largest value with scipy's HiGHS; a range narrower than 1
means the cell is recovered.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linprog

TOTAL = "Total"


def _labelled(frame: pd.DataFrame, column: str, labels) -> pd.Series:
    mapping = {}
    if labels:
        if all(isinstance(v, Mapping) for v in labels.values()):
            mapping = labels.get(column, {})
        else:
            mapping = labels
    values = frame[column].astype(object)
    return values.map(lambda v: mapping.get(v, v), na_action="ignore")


def cell_masks(definition: dict, index, columns) -> dict[tuple, np.ndarray]:
    """For each cell of a counted table, which records it counts (recounted here)."""
    frame = definition["frame"]
    n = len(frame)
    everyone = np.ones(n, dtype=bool)
    where = everyone if definition["where"] is None else np.asarray(definition["where"])
    rows, cols = definition["rows"], definition["cols"]
    if rows is None and cols is None:
        return {(index[0], columns[0]): where.copy()}
    if rows is None:
        row_masks = {index[0]: everyone}
    else:
        labelled = _labelled(frame, rows, definition["labels"])
        row_masks = {r: (labelled == r).to_numpy() for r in index if r != TOTAL}
        if TOTAL in index:
            row_masks[TOTAL] = np.logical_or.reduce(list(row_masks.values()))
    if isinstance(cols, Mapping):
        col_masks = {c: np.asarray(cols[c]) for c in columns}
    elif cols is None:
        col_masks = {columns[0]: everyone}
    else:
        labelled = _labelled(frame, cols, definition["labels"])
        col_masks = {c: (labelled == c).to_numpy() for c in columns if c != TOTAL}
        if TOTAL in columns:
            col_masks[TOTAL] = np.logical_or.reduce(list(col_masks.values()))
    return {(r, c): row_masks[r] & col_masks[c] & where for r in index for c in columns}


@dataclass
class Cell:
    table: str
    row: object
    col: object
    shown: str
    truth: int
    members: np.ndarray  # records counted in the cell


def published_cells(published, names=None) -> dict[int, list[Cell]]:
    """The counted cells of ``published`` grouped by record frame (the attacker links the
    tables of one frame)."""
    groups: dict[int, list[Cell]] = {}
    for name in names or published.names():
        definition = published.definition(name)
        if definition["ready"]:
            continue
        shown = published.table(name)
        masks = cell_masks(definition, list(shown.index), list(shown.columns))
        for (r, c), mask in masks.items():
            cell = Cell(name, r, c, str(shown.loc[r, c]), int(mask.sum()), mask)
            groups.setdefault(id(definition["frame"]), []).append(cell)
    return groups


def dishonest(published, min_cell: int = 5, names=None) -> list[str]:
    """Cells whose published text is not true of the recounted value: a shown number
    must be the count, "<5" a count of 1 to 4, "[c]" a count of at least 1."""
    problems = []
    for cells in published_cells(published, names).values():
        for c in cells:
            if c.shown == f"<{min_cell}":
                ok = 1 <= c.truth < min_cell
            elif c.shown == "[c]":
                ok = c.truth >= 1
            else:
                ok = c.shown == f"{c.truth:,}"
            if not ok:
                problems.append(f"{c.table}[{c.row!r}, {c.col!r}] = {c.shown} (true {c.truth})")
    return problems


def ranges(cells: list[Cell], min_cell: int = 5) -> dict[tuple, tuple[float, float]]:
    """(smallest, largest) value of each hidden cell that the published cells allow."""
    hidden = [k for k, c in enumerate(cells) if c.shown in (f"<{min_cell}", "[c]")]
    if not hidden:
        return {}
    membership = np.vstack([c.members for c in cells])  # cells x records
    # records that fall in the same cells are one variable (only kinds that occur)
    packed = np.packbits(membership.T, axis=1)
    _, kind = np.unique(packed, axis=0, return_inverse=True)
    kind = kind.ravel()
    n_kinds = kind.max() + 1
    cell_of, record = np.nonzero(membership)
    a = sparse.csr_matrix(
        (np.ones(len(cell_of)), (cell_of, kind[record])), shape=(len(cells), n_kinds)
    )
    a.data[:] = 1.0  # a kind is in a cell or not (duplicates were summed)
    eq = [k for k, c in enumerate(cells) if k not in set(hidden)]
    b_eq = [float(cells[k].shown.replace(",", "")) for k in eq]
    ub_rows, b_ub = [], []
    for k in hidden:
        c = cells[k]
        if c.shown == f"<{min_cell}":
            ub_rows.append(a[k])
            b_ub.append(min_cell - 1)
            low = 1
        else:
            low = min_cell if c.truth >= min_cell else 1
        ub_rows.append(-a[k])
        b_ub.append(-low)
    a_eq = a[eq] if eq else None
    a_ub = sparse.vstack(ub_rows)
    out = {}
    for k in hidden:
        objective = a[k].toarray().ravel()
        found = []
        for sense in (1, -1):
            res = linprog(
                sense * objective,
                A_ub=a_ub,
                b_ub=b_ub,
                A_eq=a_eq,
                b_eq=b_eq if eq else None,
                bounds=(0, None),
                method="highs",
                options={"presolve": False},  # several times faster on these programmes
            )
            assert res.status in (0, 3), res.message  # the truth is always feasible
            found.append(np.inf if res.status == 3 else sense * res.fun)
        c = cells[k]
        out[(c.table, c.row, c.col)] = (found[0], found[1])
    return out


def recovered(published, min_cell: int = 5, names=None) -> dict[tuple, tuple[float, float]]:
    """Hidden cells the attacker pins to less than 1 apart (should be empty)."""
    out = {}
    for cells in published_cells(published, names).values():
        for key, (lo, hi) in ranges(cells, min_cell).items():
            if hi - lo < 1 - 1e-6:
                out[key] = (lo, hi)
    return out
