"""One protected table set per report: every number a report shows comes from here.

A report declares its tables once, protects them once, and then reads every table cell,
chart bar, chart label and number in a sentence from the result::

    ts = TableSet()
    ts.count("by_nationality", departed, rows="nationality", cols="sex", totals=True)
    ts.count("returns_total", departed, title="Returns this week")
    ts.add("payments_lyd", payments, people=False)
    published = ts.protect()
    published.table("by_nationality")      # display strings: "1,234", "<5", "[c]", "0"
    published.values("by_nationality")     # ints, pd.NA where hidden (charts, HXL)
    published.say("returns_total")         # "1,234", "fewer than 5", "not shown"

Why one set: a chart bar, a sentence or a second table that shows a number the first table
hides gives it away. When everything is read from one protected set, that cannot happen.

Counts of people (``people=True``) are protected: small counts are shown ``"<5"`` and more
cells are hidden (``"[c]"``) until no hidden count can be worked out from everything the
report publishes (see :mod:`.disclosure` and docs/data-protection.md, "Joint
protection"). Tables counted from the same record frame (the same object) are audited
together, because a reader can combine them: they are margins of one cube of counts.
Other tables (money, flights, files, repaired values) are published exactly.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import disclosure as D  # noqa: N812
from .tables import TOTAL

NUMBER = "Number"  # the column of a one-column table of counts


# --------------------------------------------------------------------------- declarations


@dataclass
class _Count:
    """A cross-tab counted from one record frame."""

    name: str
    frame: pd.DataFrame
    rows: str | None
    cols: str | Mapping[str, Any] | None
    title: str | None
    totals: bool
    people: bool
    labels: Mapping | None
    where: Any
    value_name: str


@dataclass
class _Ready:
    """A ready table (not a count of one frame)."""

    name: str
    frame: pd.DataFrame
    title: str | None
    people: bool


@dataclass
class _Table:
    """A table as it will be published: its true values and where it is hidden."""

    name: str
    title: str | None
    people: bool
    values: pd.DataFrame  # true values (ints for counts)
    hidden: np.ndarray  # bool, same shape
    primary: np.ndarray  # bool: hidden because small ("<5"); other hidden cells are "[c]"
    total_rows: list[int] = field(default_factory=list)  # positions of total rows
    total_cols: list[int] = field(default_factory=list)  # positions of total columns
    counted: bool = True  # a count (ints); False for an exact ready table of any values
    spec: _Count | _Ready | None = None  # how it was made (for audits and tests)


class TableSet:
    """The tables of one report, declared once and protected together by :meth:`protect`."""

    def __init__(self, min_cell: int | None = None):
        self.min_cell = D._threshold(min_cell)
        self._specs: dict[str, _Count | _Ready] = {}

    def _check_name(self, name: str) -> None:
        if not isinstance(name, str) or not name:
            raise ValueError("a table needs a non-empty name")
        if name in self._specs:
            raise ValueError(f"table {name!r} is declared twice in this table set")

    def count(
        self,
        name: str,
        frame: pd.DataFrame,
        rows: str | None = None,
        cols: str | Mapping[str, Any] | None = None,
        title: str | None = None,
        totals: bool = False,
        people: bool = True,
        labels: Mapping | None = None,
        where: Any = None,
        value_name: str = NUMBER,
    ) -> None:
        """Count the records of ``frame`` by ``rows`` (a column) and ``cols`` (a column, or a
        mapping {column label: boolean mask over ``frame``} for overlapping groups such as
        "this week" / "year to date"). No ``rows`` and ``cols`` gives one number.

        ``totals`` adds a "Total" row (and a "Total" column when ``cols`` is a column).
        ``labels`` relabels values before counting: {value: label}, or {column: {value:
        label}}; values mapped to one label are counted together. ``where`` (a boolean mask
        over ``frame``) counts only some records, still jointly with the other tables of the
        frame. Records with a missing row or column value are not counted in the table.
        Categorical columns give a row for every category, in category order; other values
        are sorted."""
        self._check_name(name)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {name!r}: count() needs a DataFrame of records")
        for what, col in (("rows", rows), ("cols", cols)):
            if isinstance(col, str) and col not in frame.columns:
                raise ValueError(f"table {name!r}: {what} column {col!r} is not in the frame")
        if isinstance(cols, Mapping):
            for label, mask in cols.items():
                _mask(frame, mask, f"table {name!r}: column {label!r}")
        if where is not None:
            _mask(frame, where, f"table {name!r}: where")
        self._specs[name] = _Count(
            name, frame, rows, cols, title, totals, people, labels, where, value_name
        )

    def add(
        self, name: str, frame: pd.DataFrame, people: bool = False, title: str | None = None
    ) -> None:
        """A ready table. ``people=False`` (money, flights, files…): published exactly.
        ``people=True``: a table of counts of people, protected on its own (it cannot be
        linked to the other tables); rows or columns labelled "Total" are its totals."""
        self._check_name(name)
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"table {name!r}: add() needs a DataFrame")
        self._specs[name] = _Ready(name, frame.copy(), title, people)

    def protect(self) -> Published:
        """Count, suppress and audit every table once; the result is what the report shows."""
        m = self.min_cell
        tables: dict[str, _Table] = {}
        groups: dict[int, list[_Count]] = {}
        for spec in self._specs.values():
            if isinstance(spec, _Ready):
                tables[spec.name] = _ready_table(spec, m)
            else:
                groups.setdefault(id(spec.frame), []).append(spec)
        for specs in groups.values():
            tables.update(_protect_group(specs, m))
        ordered = {name: tables[name] for name in self._specs}
        return Published(ordered, m)


def _mask(frame: pd.DataFrame, mask: Any, what: str) -> np.ndarray:
    if isinstance(mask, pd.Series):
        if not mask.index.equals(frame.index):
            raise ValueError(f"{what}: the mask's index is not the frame's index")
        mask = mask.to_numpy()
    arr = np.asarray(mask)
    if arr.shape != (len(frame),) or arr.dtype != bool:
        raise ValueError(f"{what}: a mask must be one boolean per record of the frame")
    return arr


# --------------------------------------------------------------------------- counting


def _levels(values: pd.Series) -> list:
    """The values of a dimension in display order: categories, else sorted."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        return list(values.cat.categories)
    present = pd.unique(values.dropna())
    try:
        return sorted(present)
    except TypeError:
        return sorted(present, key=str)


def _label_map(labels: Mapping | None, column: str) -> Mapping:
    if not labels:
        return {}
    if all(isinstance(v, Mapping) for v in labels.values()):
        return labels.get(column, {})
    return labels


@dataclass
class _Cube:
    """The records of one frame grouped by every dimension its tables use: one cube cell
    per combination that occurs, with its count. ``codes[d]`` is the level position of
    each cube cell in dimension ``d`` (-1 for a missing value); ``bits[k]`` whether its
    records are in mask ``k``."""

    dims: list[str]
    levels: dict[str, list]
    codes: dict[str, np.ndarray]
    masks: list[np.ndarray]  # distinct masks over the records
    bits: list[np.ndarray]  # per mask: True/False per cube cell
    counts: np.ndarray


def _mask_index(masks: list[np.ndarray], mask: np.ndarray) -> int:
    for k, known in enumerate(masks):
        if np.array_equal(known, mask):
            return k
    masks.append(mask)
    return len(masks) - 1


def _build_cube(specs: list[_Count]) -> tuple[_Cube, dict[str, dict]]:
    frame = specs[0].frame
    dims: list[str] = []
    masks: list[np.ndarray] = []
    uses: dict[str, dict] = {}
    for s in specs:
        use: dict = {"where": None, "col_masks": None}
        for col in (s.rows, s.cols):
            if isinstance(col, str) and col not in dims:
                dims.append(col)
        if s.where is not None:
            use["where"] = _mask_index(masks, _mask(frame, s.where, s.name))
        if isinstance(s.cols, Mapping):
            use["col_masks"] = [
                _mask_index(masks, _mask(frame, m, s.name)) for m in s.cols.values()
            ]
            if len(use["col_masks"]) > 60:
                raise ValueError(f"table {s.name!r}: at most 60 overlapping columns")
        uses[s.name] = use
    levels = {d: _levels(frame[d]) for d in dims}
    record_codes = []
    for d in dims:
        codes = pd.Categorical(frame[d], categories=levels[d]).codes.astype(np.int64)
        record_codes.append(codes + 1)  # 0 for missing
    record_codes += [m.astype(np.int64) for m in masks]
    sizes = [len(levels[d]) + 1 for d in dims] + [2] * len(masks)
    # one key per combination, made compact again after each dimension (never overflows)
    key = np.zeros(len(frame), dtype=np.int64)
    for codes, size in zip(record_codes, sizes, strict=True):
        key = pd.factorize(key * size + codes)[0].astype(np.int64)
    _, first = np.unique(key, return_index=True)
    counts = np.bincount(key, minlength=len(first)) if len(key) else np.zeros(0, np.int64)
    parts = [codes[first] for codes in record_codes]
    codes = {d: parts[i] - 1 for i, d in enumerate(dims)}
    bits = [parts[len(dims) + k].astype(bool) for k in range(len(masks))]
    cube = _Cube(dims, levels, codes, masks, bits, counts.astype(np.int64))
    return cube, uses


def _axis(cube: _Cube, column: str | None, labels: Mapping | None, name: str):
    """(display labels, label position of each cube cell or -1) for one axis."""
    n = len(cube.counts)
    if column is None:
        return [name], np.zeros(n, dtype=np.int64)
    mapping = _label_map(labels, column)
    shown = [mapping.get(v, v) for v in cube.levels[column]]
    display = list(dict.fromkeys(shown))
    level_pos = np.array([display.index(s) for s in shown] + [-1], dtype=np.int64)
    return display, level_pos[cube.codes[column]]  # code -1 (missing) picks the last: -1


@dataclass
class _Layout:
    """Where each cube cell is counted in one table: ``members[k]`` lists, for published
    cell k (row-major over the table with its totals), the cube cells it adds up."""

    table: pd.DataFrame
    members: list[np.ndarray]
    total_rows: list[int]
    total_cols: list[int]
    key: np.ndarray  # per cube cell: which interior cells it falls in (for grouping)


def _layout(spec: _Count, cube: _Cube, use: dict) -> _Layout:
    n = len(cube.counts)
    row_labels, row_of = _axis(cube, spec.rows, spec.labels, spec.value_name)
    inside = row_of >= 0
    if use["where"] is not None:
        inside &= cube.bits[use["where"]]
    if isinstance(spec.cols, Mapping):
        col_labels = list(spec.cols)
        col_in = [cube.bits[k] for k in use["col_masks"]]
        col_total = False
    else:
        col_labels, col_of = _axis(cube, spec.cols, spec.labels, spec.value_name)
        col_in = [col_of == j for j in range(len(col_labels))]
        col_total = spec.totals and isinstance(spec.cols, str)
    row_total = spec.totals and spec.rows is not None
    if spec.rows is None and spec.cols is None:
        row_labels, col_labels = [TOTAL], [TOTAL]

    n_r, n_c = len(row_labels), len(col_labels)
    cells: dict[tuple[int, int], np.ndarray] = {}
    # which columns each cube cell is in: a column number, or bits for overlapping masks
    in_cols = np.zeros(n, dtype=np.int64)
    for j, in_col in enumerate(col_in):
        here = inside & in_col
        if use["col_masks"] is not None:
            in_cols |= here.astype(np.int64) << j
        else:
            in_cols[here] = j + 1
        for i in range(n_r):
            cells[(i, j)] = np.flatnonzero(here & (row_of == i))
    # cube cells with the same (row, columns) key are in the same cells of this table
    key = np.stack([np.where(in_cols > 0, row_of, -1), in_cols], axis=1)

    all_rows = row_labels + ([TOTAL] if row_total else [])
    all_cols = col_labels + ([TOTAL] if col_total else [])
    members = []
    for i in range(len(all_rows)):
        for j in range(len(all_cols)):
            rows = range(n_r) if i == n_r else [i]
            cols = range(n_c) if j == n_c else [j]
            parts = [cells[(r, c)] for r in rows for c in cols]
            members.append(np.unique(np.concatenate(parts)) if parts else np.zeros(0, int))
    values = np.array([cube.counts[mem].sum() for mem in members], dtype=np.int64)
    table = pd.DataFrame(
        values.reshape(len(all_rows), len(all_cols)),
        index=pd.Index(all_rows, dtype=object),
        columns=pd.Index(all_cols, dtype=object),
    )
    return _Layout(
        table,
        members,
        [n_r] if row_total else [],
        [n_c] if col_total else [],
        key,
    )


# --------------------------------------------------------------------------- protecting


def _per_table_masks(layout: _Layout, m: int) -> tuple[np.ndarray, np.ndarray]:
    """Primary and secondary suppression of one table on its own (disclosure.py)."""
    table = layout.table
    row_total = TOTAL if layout.total_rows else None
    col_total = TOTAL if layout.total_cols else None
    # a one-number table and a table whose only row/column is "Total" have no equation
    if table.shape == (1, 1):
        row_total = col_total = None
    hidden, primary = D.suppression_masks(table, m, row_total=row_total, col_total=col_total)
    return hidden.to_numpy(dtype=bool, copy=True), primary.to_numpy(dtype=bool, copy=True)


def _protect_group(specs: list[_Count], m: int) -> dict[str, _Table]:
    """Protect the tables counted from one frame: each on its own first (disclosure.py),
    then together (:class:`_JointAudit`)."""
    cube, uses = _build_cube(specs)
    layouts = {s.name: _layout(s, cube, uses[s.name]) for s in specs}
    out: dict[str, _Table] = {}
    for s in specs:
        lay = layouts[s.name]
        if s.people:
            hidden, primary = _per_table_masks(lay, m)
        else:
            hidden = primary = np.zeros(lay.table.shape, dtype=bool)
        out[s.name] = _Table(
            s.name,
            s.title,
            s.people,
            lay.table,
            hidden,
            primary,
            lay.total_rows,
            lay.total_cols,
            spec=s,
        )
    if any(out[s.name].people and out[s.name].hidden.any() for s in specs):
        _JointAudit(specs, cube, layouts, out, m).run()
    return out


class _Programme:
    """The reader's linear programme: smallest ``objective · x`` over ``x >= 0`` with
    ``lower <= A x <= upper`` (one row per published cell), solved again and again with
    new objectives and bounds.

    It uses the HiGHS solver that scipy ships (``scipy.optimize._highspy``) directly, so
    that each solve starts from the previous basis with the primal simplex: on the weekly
    report's tables that is about ten times faster than a fresh ``linprog`` each time.
    Where that interface is missing (another scipy), or a solve ends in a state other
    than optimal or unbounded, ``scipy.optimize.linprog`` (HiGHS too) does the solve."""

    def __init__(self, a, lower: np.ndarray, upper: np.ndarray, warm: bool = True):
        self.a = a.tocsr()
        self.lower, self.upper = lower.astype(float), upper.astype(float)
        self.solves = 0
        self._highs = self._warm_solver() if warm else None

    def _warm_solver(self):
        try:
            from scipy.optimize._highspy import _core as hc
        except ImportError:
            return None
        self._hc = hc
        csc = self.a.tocsc()
        lp = hc.HighsLp()
        lp.num_col_, lp.num_row_ = csc.shape[1], csc.shape[0]
        lp.col_cost_ = np.zeros(csc.shape[1])
        lp.col_lower_ = np.zeros(csc.shape[1])
        lp.col_upper_ = np.full(csc.shape[1], hc.kHighsInf)
        lp.row_lower_, lp.row_upper_ = self._highs_bounds(self.lower, self.upper)
        lp.a_matrix_.format_ = hc.MatrixFormat.kColwise
        lp.a_matrix_.num_col_, lp.a_matrix_.num_row_ = csc.shape[1], csc.shape[0]
        lp.a_matrix_.start_, lp.a_matrix_.index_ = csc.indptr, csc.indices
        lp.a_matrix_.value_ = csc.data
        highs = hc._Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("presolve", "off")  # costs more than the solve here
        highs.setOptionValue("simplex_strategy", 4)  # primal: the last basis stays feasible
        highs.passModel(lp)
        return highs

    def _highs_bounds(self, lower, upper):
        inf = self._hc.kHighsInf
        return np.where(np.isinf(lower), -inf, lower), np.where(np.isinf(upper), inf, upper)

    def set_rows(self, rows: list[int], lower: np.ndarray, upper: np.ndarray) -> None:
        self.lower[rows], self.upper[rows] = lower, upper
        if self._highs is not None:
            for k, lo, hi in zip(rows, *self._highs_bounds(lower, upper), strict=True):
                self._highs.changeRowBounds(int(k), float(lo), float(hi))

    def solve(self, objective: np.ndarray) -> tuple[str, float, np.ndarray, np.ndarray]:
        """("optimal", value, x, row duals) or ("unbounded", -inf, empty, empty). A row
        with a non-zero dual is one the optimum leans on."""
        self.solves += 1
        if self._highs is not None:
            n = len(objective)
            self._highs.changeColsCost(n, np.arange(n, dtype=np.int32), objective)
            self._highs.run()
            status = self._highs.getModelStatus()
            if status == self._hc.HighsModelStatus.kOptimal:
                solution = self._highs.getSolution()
                x = np.asarray(solution.col_value)
                return "optimal", float(objective @ x), x, np.asarray(solution.row_dual)
            if status == self._hc.HighsModelStatus.kUnbounded:
                return "unbounded", -math.inf, np.zeros(0), np.zeros(0)
        return self._linprog(objective)

    def _linprog(self, objective):
        from scipy import sparse
        from scipy.optimize import linprog

        eq = self.lower == self.upper
        up = ~eq & np.isfinite(self.upper)
        down = ~eq & np.isfinite(self.lower)
        n_up = int(up.sum())
        a_ub = sparse.vstack([self.a[up], -self.a[down]])
        b_ub = np.concatenate([self.upper[up], -self.lower[down]])
        res = linprog(
            objective,
            A_ub=a_ub if a_ub.shape[0] else None,
            b_ub=b_ub if a_ub.shape[0] else None,
            A_eq=self.a[eq] if eq.any() else None,
            b_eq=self.lower[eq] if eq.any() else None,
            bounds=(0, None),
            method="highs",
        )
        if res.status == 3:
            return "unbounded", -math.inf, np.zeros(0), np.zeros(0)
        if res.status != 0:
            raise RuntimeError(f"the disclosure audit failed: {res.message}")
        duals = np.zeros(len(self.lower))
        if eq.any():
            duals[eq] = res.eqlin.marginals
        if a_ub.shape[0]:
            duals[up] += res.ineqlin.marginals[:n_up]
            duals[down] += res.ineqlin.marginals[n_up:]
        return "optimal", float(res.fun), res.x, duals


class _JointAudit:
    """Hide more cells until no hidden cell of these tables can be worked out from all of
    them together.

    The reader is assumed to know every published cell and total, what the markers say
    ("<5" is 1 to 4; "[c]" at least 5, or at least 1 when it hides a small count; zeros
    are always shown), that all the tables are sums over one cube of non-negative counts
    (the records grouped by every dimension the tables use), and even which combinations
    of the cube never occur. The unknowns are the cube cells, merged where they fall in
    exactly the same published cells (the reader cannot tell those apart).

    For each hidden cell the smallest and largest value it can take are found by linear
    programming (HiGHS). If they are less than 1 apart the cell is recoverable, and one
    more cell is hidden: of the cells the programme leaned on to pin it (non-zero duals),
    the smallest non-zero shown one, a total only when no other cell will do, never a
    zero. Then the cell is audited again, until nothing is recoverable.

    Hiding a cell only widens what the reader must consider, so a cell once shown to be
    safe stays safe. Every solution of a programme is a table the reader cannot rule out,
    so it also clears every other hidden cell whose value there is at least 1 away from
    the truth: most cells are cleared without a programme of their own."""

    TOL = 1e-6

    def __init__(self, specs, cube: _Cube, layouts: dict, tables: dict[str, _Table], m: int):
        from scipy import sparse

        self.m = m
        self.tables = tables
        # unknowns: cube cells merged by the cells they fall in (their keys in every table)
        keys = np.hstack([layouts[s.name].key for s in specs])
        _, group = np.unique(keys, axis=0, return_inverse=True)
        group = group.ravel()
        n_vars = int(group.max()) + 1 if len(group) else 0
        # one row per published cell of these tables
        self.cells: list[tuple[str, tuple[int, int]]] = []
        rows, cols, is_total, people = [], [], [], []
        for s in specs:
            lay, t = layouts[s.name], tables[s.name]
            n_cols = t.values.shape[1]
            for flat, members in enumerate(lay.members):
                pos = divmod(flat, n_cols)
                unknowns = np.unique(group[members])
                rows += [len(self.cells)] * len(unknowns)
                cols += unknowns.tolist()
                self.cells.append((s.name, pos))
                one_number = t.values.shape == (1, 1)
                is_total.append(one_number or pos[0] in t.total_rows or pos[1] in t.total_cols)
                people.append(s.people)
        self.a = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(self.cells), n_vars)
        )
        self.value = np.array(
            [tables[name].values.iat[pos] for name, pos in self.cells], dtype=float
        )
        self.is_total = np.array(is_total, dtype=bool)
        self.people = np.array(people, dtype=bool)
        self.solves = 0

    # the state: which cells are hidden, and which of them are marked "<5"
    def hidden(self, k: int) -> bool:
        name, pos = self.cells[k]
        return bool(self.tables[name].hidden[pos])

    def primary(self, k: int) -> bool:
        name, pos = self.cells[k]
        return bool(self.tables[name].primary[pos])

    def _mark(self, k: int, hidden: bool, primary: bool) -> None:
        name, pos = self.cells[k]
        self.tables[name].hidden[pos] = hidden
        self.tables[name].primary[pos] = primary

    def _bounds(self, cells) -> tuple[np.ndarray, np.ndarray]:
        """What the reader knows of each cell: its value when shown, else the bounds its
        marker says ("<5": 1 to 4; "[c]": at least 5, or 1 when it hides a small count)."""
        cells = np.asarray(cells, dtype=np.int64)
        lower, upper = self.value[cells].copy(), self.value[cells].copy()
        for i, k in enumerate(cells):
            if self.hidden(k):
                small = self.primary(k) or self.value[k] < self.m
                lower[i] = 1.0 if small else float(self.m)
                upper[i] = self.m - 1.0 if self.primary(k) else math.inf
        return lower, upper

    def _check(self, k: int, pending: set[int], programme: _Programme):
        """(safe, duals): whether hidden cell ``k`` can be at least 1 away from its true
        value, and if not, the row duals of the programmes that pinned it (what it is
        worked out from). Each solution also clears the cells of ``pending`` it moves."""
        row = self.a[k].toarray().ravel()
        (low,), (high,) = self._bounds([k])
        # smallest, then largest; a cell at a bound of its marker can only move away from it
        senses = [
            s for s, room in ((1.0, self.value[k] - low), (-1.0, high - self.value[k])) if room >= 1
        ]
        duals = []
        for sense in senses:
            status, best, x, dual = programme.solve(sense * row)
            if status == "unbounded":
                return True, []
            self._clear(x, pending)
            if abs(sense * best - self.value[k]) >= 1 - self.TOL:
                return True, []
            duals.append(dual)
        return False, duals

    def _clear(self, x: np.ndarray, pending: set[int]) -> None:
        if pending:
            ks = np.fromiter(pending, dtype=np.int64)
            moved = np.abs(self.a[ks] @ x - self.value[ks]) >= 1 - self.TOL
            pending.difference_update(ks[moved].tolist())

    def _secondary(self, k: int, duals: list[np.ndarray]) -> int | None:
        """The cell to give up so that recoverable ``k`` may move: among the cells the
        programmes leaned on to pin it (non-zero duals), the smallest non-zero shown cell
        of a people table, a total only when no other cell will do; else a "<5" cell whose
        upper bound pinned it (it becomes "[c]"), or ``k`` itself when it is "<5"."""
        leaned = np.zeros(len(self.cells), dtype=bool)
        for dual in duals:
            leaned |= np.abs(dual) > self.TOL
        shown = [
            j
            for j in np.flatnonzero(leaned)
            if self.people[j] and not self.hidden(j) and self.value[j] > 0
        ]
        if shown:
            return min(shown, key=lambda j: (self.is_total[j], self.value[j], j))
        small = [j for j in np.flatnonzero(leaned) if self.hidden(j) and self.primary(j)]
        if small:
            return min(small, key=lambda j: (self.value[j], j))
        return k if self.primary(k) else None

    def run(self) -> None:
        everyone = list(range(len(self.cells)))
        programme = _Programme(self.a, *self._bounds(everyone))
        pending = {k for k in everyone if self.hidden(k) and self.people[k]}
        # one solution with every hidden cell as small as it can be clears most of them
        status, _, x, _ = programme.solve(np.asarray(self.a[sorted(pending)].sum(axis=0)).ravel())
        if status == "optimal":
            self._clear(x, pending)
        while pending:
            k = min(pending)
            pending.discard(k)
            safe, duals = self._check(k, pending, programme)
            if safe:
                continue
            j = self._secondary(k, duals)
            if j is None:
                raise ValueError(
                    f"table {self.cells[k][0]!r}: a hidden count can be worked out from "
                    "tables published exactly (people=False) from the same records"
                )
            # "[c]": hidden, and nothing said about the value
            self._mark(j, hidden=True, primary=False)
            programme.set_rows([j], *self._bounds([j]))
            pending.update({k, j})
        self.solves += programme.solves


def _ready_table(spec: _Ready, m: int) -> _Table:
    frame = spec.frame
    shape = frame.shape
    if not spec.people:
        none = np.zeros(shape, dtype=bool)
        return _Table(spec.name, spec.title, False, frame, none, none, counted=False, spec=spec)
    row_total = TOTAL if TOTAL in frame.index else None
    col_total = TOTAL if TOTAL in frame.columns else None
    hidden, primary = D.suppression_masks(frame, m, row_total=row_total, col_total=col_total)
    values = frame.astype(np.int64)
    rows = [values.index.get_loc(TOTAL)] if row_total else []
    cols = [values.columns.get_loc(TOTAL)] if col_total else []
    return _Table(
        spec.name,
        spec.title,
        True,
        values,
        hidden.to_numpy(),
        primary.to_numpy(),
        rows,
        cols,
        spec=spec,
    )


# --------------------------------------------------------------------------- published


def _exact_text(value: Any) -> str:
    """A number of an exact table as published: "1,234", "12.50"; text as it is."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool | np.bool_):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,}"
    if isinstance(value, numbers.Real):
        v = float(value)
        return f"{int(v):,}" if v.is_integer() else f"{v:,.2f}"
    return str(value)


class Published:
    """The protected tables of one report (made by :meth:`TableSet.protect`)."""

    def __init__(self, tables: dict[str, _Table], min_cell: int):
        self._tables = tables
        self.min_cell = min_cell

    def _get(self, name: str) -> _Table:
        try:
            return self._tables[name]
        except KeyError:
            raise KeyError(f"no table {name!r} in this report's table set") from None

    def names(self) -> list[str]:
        """The tables, in the order they were declared."""
        return list(self._tables)

    def definition(self, name: str) -> dict:
        """How the table was made: ``frame``, ``rows``, ``cols``, ``labels``, ``where``,
        ``totals``, ``people`` (a ready table: ``frame`` and ``people``). For audits."""
        spec = self._get(name).spec
        if isinstance(spec, _Ready):
            return {"frame": spec.frame, "people": spec.people, "ready": True}
        return {
            "frame": spec.frame,
            "rows": spec.rows,
            "cols": spec.cols,
            "labels": spec.labels,
            "where": spec.where,
            "totals": spec.totals,
            "people": spec.people,
            "ready": False,
        }

    def title(self, name: str) -> str | None:
        return self._get(name).title

    def people(self, name: str) -> bool:
        """Whether the table counts people (and is protected)."""
        return self._get(name).people

    def table(self, name: str) -> pd.DataFrame:
        """The table as shown: display strings ("1,234", "<5", "[c]", "0"), totals
        included."""
        t = self._get(name)
        if not t.counted:
            return t.values.map(_exact_text).astype(object)
        shown = np.vectorize(lambda v: f"{int(v):,}", otypes=[object])(t.values.to_numpy())
        if shown.size:
            marks = np.where(t.primary, D.marker(self.min_cell), D.SECONDARY)
            shown = np.where(t.hidden, marks, shown)
        return pd.DataFrame(shown, index=t.values.index, columns=t.values.columns, dtype=object)

    def values(self, name: str) -> pd.DataFrame:
        """The same table as numbers for charts and CSV files: ints, ``pd.NA`` where
        hidden (an exact ready table is returned as it was given)."""
        t = self._get(name)
        if not t.counted:
            return t.values.copy()
        return t.values.astype("Int64").mask(t.hidden)

    def _locate(self, name: str, row: Hashable | None, col: Hashable | None) -> tuple:
        t = self._get(name)
        index, columns = t.values.index, t.values.columns
        if row is None:
            if len(index) != 1 and TOTAL not in index:
                raise ValueError(f"table {name!r}: say which row")
            row = index[0] if len(index) == 1 else TOTAL
        if col is None:
            if len(columns) != 1 and TOTAL not in columns:
                raise ValueError(f"table {name!r}: say which column")
            col = columns[0] if len(columns) == 1 else TOTAL
        if row not in index:
            raise KeyError(f"table {name!r} has no row {row!r}")
        if col not in columns:
            raise KeyError(f"table {name!r} has no column {col!r}")
        return row, col

    def cell(self, name: str, row: Hashable | None = None, col: Hashable | None = None) -> str:
        """The display string of one cell; ``"Total"`` addresses the totals. ``row`` or
        ``col`` may be left out when the table has one row or column (or its total)."""
        row, col = self._locate(name, row, col)
        return str(self.table(name).loc[row, col])

    def value(self, name: str, row: Hashable | None = None, col: Hashable | None = None):
        """One cell as a number, ``pd.NA`` where hidden."""
        row, col = self._locate(name, row, col)
        return self.values(name).loc[row, col]

    def say(self, name: str, row: Hashable | None = None, col: Hashable | None = None) -> str:
        """One cell for a sentence: "1,234", "fewer than 5", "not shown"."""
        return D.in_words(self.cell(name, row, col), self.min_cell)

    def total(self, name: str) -> str:
        """The display string of a one-number table, or of the table's grand total."""
        t = self._get(name)
        index, columns = t.values.index, t.values.columns
        row = index[0] if len(index) == 1 else TOTAL
        col = columns[0] if len(columns) == 1 else TOTAL
        if row not in index or col not in columns:
            raise ValueError(f"table {name!r} has no grand total")
        return self.cell(name, row, col)

    def summary(self) -> dict[str, int]:
        """Over the tables of people: published cells and how many are hidden, and people
        counted in the cells other than totals and how many of them are in hidden cells
        (a person counted in several tables is counted in each)."""
        cells = hidden = people = people_hidden = 0
        for t in self._tables.values():
            if not t.people:
                continue
            cells += t.hidden.size
            hidden += int(t.hidden.sum())
            inner = np.ones(t.hidden.shape, dtype=bool)
            if t.hidden.size and inner.shape != (1, 1):
                inner[t.total_rows, :] = False
                inner[:, t.total_cols] = False
            values = t.values.to_numpy(dtype=np.int64)
            people += int(values[inner].sum())
            people_hidden += int(values[inner & t.hidden].sum())
        return {
            "cells": cells,
            "cells_hidden": hidden,
            "people": people,
            "people_hidden": people_hidden,
        }

    def markers_shown(self) -> bool:
        return any(t.hidden.any() for t in self._tables.values())

    def note(self) -> str:
        """The footnote explaining the markers, or "" when no marker is shown."""
        return D.marker_note(self.min_cell) if self.markers_shown() else ""


# --------------------------------------------------------------------------- the record


def _share(part: int, whole: int, people: bool) -> float | None:
    """A share in percent for the reviewers' folder. For people it is rounded so that it
    does not tell the sum of the hidden cells to a person (a sum is one more equation):
    one decimal from 10 000 people, whole percent from 1 000, not given below."""
    if whole <= 0:
        return 0.0
    share = 100 * part / whole
    if not people:
        return round(share, 1)
    if whole >= 10_000:
        return round(share, 1)
    if whole >= 1_000:
        return float(round(share))
    return None


def disclosure_record(published: Published) -> dict:
    """What a report's ``disclosure.json`` holds: how much it hides, safe to publish."""
    s = published.summary()
    return {
        "min_cell": published.min_cell,
        "tables": len(published.names()),
        "cells": s["cells"],
        "cells_hidden": s["cells_hidden"],
        "cells_hidden_percent": _share(s["cells_hidden"], s["cells"], people=False),
        "people_hidden_percent": _share(s["people_hidden"], s["people"], people=True),
    }


SUMMARY_FILE = "disclosure.json"


def write_summary(published: Published, path: str | Path, prefix: str = "") -> Path:
    """Write :func:`disclosure_record` as JSON: to ``path``, or into the folder ``path`` as
    ``<prefix>disclosure.json`` (reports that share a tables folder give their table
    prefix, e.g. "weekly_"). The weekly run copies it into run.json."""
    path = Path(path)
    if path.suffix != ".json":
        path.mkdir(parents=True, exist_ok=True)
        path = path / f"{prefix}{SUMMARY_FILE}"
    path.write_text(json.dumps(disclosure_record(published), indent=2) + "\n", "utf-8")
    return path


def disclosure_files(folder: str | Path) -> dict[Path, int]:
    """The summaries in a tables folder, with their modification times (ns)."""
    folder = Path(folder)
    if not folder.is_dir():
        return {}
    return {p: p.stat().st_mtime_ns for p in folder.glob(f"*{SUMMARY_FILE}")}


def read_disclosure(folder: str | Path, before: dict[Path, int] | None = None) -> dict:
    """``{"disclosure": record}`` for the summaries in ``folder`` (a report's own tables
    folder), or only those written since ``before`` (from :func:`disclosure_files`);
    ``{}`` when there is none. Several summaries are merged by cells and shares (the
    largest share is kept: never understated)."""
    before = before or {}
    written = [p for p, t in disclosure_files(folder).items() if before.get(p) != t]
    records = [json.loads(p.read_text("utf-8")) for p in sorted(written)]
    if not records:
        return {}
    if len(records) == 1:
        return {"disclosure": records[0]}
    merged = dict(records[0])
    for key in ("tables", "cells", "cells_hidden"):
        merged[key] = sum(r[key] for r in records)
    merged["cells_hidden_percent"] = _share(merged["cells_hidden"], merged["cells"], False)
    shares = [r["people_hidden_percent"] for r in records]
    merged["people_hidden_percent"] = None if None in shares else max(shares)
    return {"disclosure": merged}
