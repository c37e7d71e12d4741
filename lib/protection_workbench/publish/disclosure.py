"""Small-cell suppression for every reviewer-facing table, label and sentence.

docs/data-protection.md: a published count from 1 to ``min_cell - 1`` (default
``config/thresholds.yaml`` ``min_cell`` = 5) is shown as ``"<5"``; 0 is shown as 0; totals
are protected so that a hidden value cannot be worked back from them; percentages are never
computed from hidden cells.

Tables
    :func:`suppress_table` hides the small cells (primary suppression) and then more cells
    (secondary suppression) until no hidden cell can be worked out from the published
    numbers. The markers are honest (the UK Government Statistical Service symbols): a
    primary cell (1 to ``min_cell - 1``) shows ``"<5"``, a secondary cell shows
    :data:`SECONDARY` (``"[c]"``), which claims nothing about the value. A page that can
    show them carries :func:`marker_note`. Two rules are applied until nothing changes:

    1. every published equation (a row or column whose total is shown in the table) that
       holds a hidden cell holds at least two: the second is the smallest non-zero shown
       cell of that row or column, or its total when all other cells are zero;
    2. an audit that no hidden cell is fixed by the equations together, knowing what the
       markers say: a "<5" cell is 1 to 4 (zeros are always shown), a "[c]" cell at
       least 5. For example two hidden 1s in
       a row whose total is shown are both recoverable (they sum to 2), so a third cell is
       hidden. The audit is exact for tables with row and column totals (the equations
       form a network: a hidden value can move only along a cycle of hidden cells).

    Zeros are never hidden (a zero is not a disclosure) and never used as secondary cells.

Labels and sentences
    :func:`show_count`, :func:`show_percent`, :func:`chart_counts` / :func:`chart_labels`;
    :func:`say_count` / :func:`in_words` for a count in a sentence ("fewer than 5",
    "not shown" instead of the markers).

Only counts of people (or of records about people) are protected: counts of repaired
values, expectations, files, flights and money are published exactly.

A table without totals can still be attacked from a total published elsewhere (a sentence,
another table): pass the table *with* that total so that it is protected.
"""

from __future__ import annotations

import math
import numbers
from collections import deque
from collections.abc import Hashable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..config import Config, get_config

NOT_SHOWN = "–"  # a percentage or value that is not published
# The markers of hidden counts (UK GSS symbols): primary is "<{min_cell}" (see marker()),
# secondary "[c]" (confidential: hidden to protect a small number elsewhere in the table).
PRIMARY_TEMPLATE = "<{m}"
SECONDARY = "[c]"
MARKER_NOTE_TEMPLATE = (
    '"<{m}": fewer than {m} people (1 to {m1}). '
    '"[c]": hidden so that a small number elsewhere in the table cannot be worked out.'
)
PRIMARY_WORDS_TEMPLATE = "fewer than {m}"  # "<5" in a sentence
SECONDARY_WORDS = "not shown"  # "[c]" in a sentence
_TOTAL_NAMES = ("total", "all", "overall")


def min_cell(cfg: Config | None = None) -> int:
    """The smallest count that is published as a number (``thresholds.min_cell``)."""
    return int((cfg or get_config()).thresholds.min_cell)


def _threshold(value: int | None) -> int:
    m = min_cell() if value is None else int(value)
    if m < 1:
        raise ValueError(f"min_cell must be at least 1, got {value!r}")
    return m


def marker(min_cell: int | None = None) -> str:
    """The text that replaces a small count (primary suppression): ``"<5"`` for
    ``min_cell`` 5. A cell hidden only to protect another shows :data:`SECONDARY`."""
    return PRIMARY_TEMPLATE.format(m=_threshold(min_cell))


def marker_note(min_cell: int | None = None) -> str:
    """The one footnote that explains the markers, for every table or page that can show
    :data:`SECONDARY`."""
    m = _threshold(min_cell)
    return MARKER_NOTE_TEMPLATE.format(m=m, m1=m - 1)


def is_marker(text: Any, min_cell: int | None = None) -> bool:
    """True for a published marker of a hidden count ("<5" or "[c]")."""
    return isinstance(text, str) and text.strip() in (marker(min_cell), SECONDARY)


def in_words(published: Any, min_cell: int | None = None) -> str:
    """A published count for a sentence: "<5" reads "fewer than 5", "[c]" reads "not
    shown"; a number stays as it is."""
    text = str(published).strip()
    if text == marker(min_cell):
        return PRIMARY_WORDS_TEMPLATE.format(m=_threshold(min_cell))
    if text == SECONDARY:
        return SECONDARY_WORDS
    return text


def say_count(n: Any, min_cell: int | None = None) -> str:
    """A count in a sentence: :func:`show_count` in words ("fewer than 5", "1,234")."""
    return in_words(show_count(n, min_cell), min_cell)


def __getattr__(name: str) -> str:
    # SUPPRESSED and MARKER_NOTE follow config/thresholds.yaml (read when first used).
    if name == "SUPPRESSED":
        return marker()
    if name == "MARKER_NOTE":
        return marker_note()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def is_small(n: Any, min_cell: int | None = None) -> Any:
    """True where ``1 <= n < min_cell``. Scalars give a bool; arrays, Series and frames keep
    their shape (and index). Missing values are not small."""
    m = _threshold(min_cell)
    if isinstance(n, pd.Series | pd.DataFrame):
        return (n >= 1) & (n < m)
    if isinstance(n, np.ndarray | list | tuple):
        a = np.asarray(n, dtype=float)
        return (a >= 1) & (a < m)
    if n is None:
        return False
    try:
        return bool(1 <= n < m)
    except TypeError:
        return False


def _as_number(n: Any) -> float | None:
    """A published count as a number; None when missing or not a number (e.g. "<5")."""
    if n is None:
        return None
    if isinstance(n, str):
        text = n.replace(",", "").replace("\u202f", "").strip()
        try:
            return float(text)
        except ValueError:
            return None
    if isinstance(n, numbers.Number):
        value = float(n)  # type: ignore[arg-type]
        return None if math.isnan(value) else value
    return None


def show_count(n: Any, min_cell: int | None = None) -> str:
    """A count as published: ``"0"``, ``"<5"``, ``"1,234"``; missing gives ``"–"``."""
    m = _threshold(min_cell)
    if n is None or (isinstance(n, float | np.floating) and math.isnan(n)) or n is pd.NA:
        return NOT_SHOWN
    value = float(n)
    if value < 0 or not value.is_integer():
        raise ValueError(f"a count must be a non-negative whole number, got {n!r}")
    if 1 <= value < m:
        return f"<{m}"
    return f"{int(value):,}"


def show_percent(part: Any, whole: Any, min_cell: int | None = None, digits: int = 0) -> str:
    """``100 * part / whole`` as ``"21 %"``; ``"–"`` when part or whole is small, missing,
    already suppressed (a marker string such as ``"<5"``) or when whole is 0.

    Inside a table use :func:`percent_table`, which also leaves out cells hidden by
    secondary suppression (this function cannot know about those)."""
    m = _threshold(min_cell)
    p, w = _as_number(part), _as_number(whole)
    if p is None or w is None or w <= 0 or p < 0:
        return NOT_SHOWN
    if 1 <= p < m or 1 <= w < m:
        return NOT_SHOWN
    return f"{100 * p / w:.{digits}f} %"


# --------------------------------------------------------------------------- tables


def _counts_array(table: pd.DataFrame) -> np.ndarray:
    try:
        values = table.to_numpy(dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError("suppress_table needs a table of counts (numbers only)") from exc
    if np.isnan(values).any():
        raise ValueError("the table has missing values: fill them (e.g. with 0) first")
    if (values < 0).any() or not np.equal(np.mod(values, 1), 0).all():
        raise ValueError("the table must hold non-negative whole numbers (counts)")
    return values.astype(np.int64)


def _position(labels: pd.Index, name: Hashable, what: str) -> int:
    loc = labels.get_loc(name)
    if not isinstance(loc, int | np.integer):
        raise ValueError(f"the {what} label {name!r} appears more than once")
    return int(loc)


def _total_positions(
    table: pd.DataFrame, row_total: Hashable | None, col_total: Hashable | None
) -> tuple[int | None, int | None]:
    """Positions of the total row (an index label) and of the total column (a column label).

    ``row_total`` names the row that holds the column totals and ``col_total`` the column
    that holds the row totals. A name found only on the other axis is accepted there."""
    t_row = t_col = None
    for name, first, kind in ((row_total, "index", "row"), (col_total, "columns", "column")):
        if name is None:
            continue
        in_index, in_columns = name in table.index, name in table.columns
        as_row = in_index if first == "index" else in_index and not in_columns
        if as_row:
            t_row = _position(table.index, name, "total row")
        elif in_columns:
            t_col = _position(table.columns, name, "total column")
        else:
            raise ValueError(f"total {kind} {name!r} is not in the table")
    return t_row, t_col


def _lines(shape: tuple[int, int], t_row: int | None, t_col: int | None):
    """The published equations: (cells of the line without its total, the total cell)."""
    n_rows, n_cols = shape
    lines = []
    if t_col is not None:
        for i in range(n_rows):
            lines.append(([(i, j) for j in range(n_cols) if j != t_col], (i, t_col)))
    if t_row is not None:
        for j in range(n_cols):
            lines.append(([(i, j) for i in range(n_rows) if i != t_row], (t_row, j)))
    return lines


def _determined(
    values: np.ndarray,
    hidden: np.ndarray,
    t_row: int | None,
    t_col: int | None,
    primary: np.ndarray,
    m: int,
) -> list[tuple[int, int]]:
    """Hidden cells whose value is fixed by the published equations and what the markers
    say: a primary cell ("<5") is 1 to ``m - 1``, a secondary one ("[c]") at least ``m``.

    The equations of a table with margins form a network: rows and columns are nodes, a
    hidden cell is an edge, and a change of the hidden values that keeps every published
    total is a sum of alternating cycles. Rows (columns) without an equation are merged
    into one free node. A cell at a bound can move only away from it, which orients its
    edge (a cell at both bounds, e.g. 1 when ``m`` is 2, has none). A hidden cell can take
    another value exactly when it lies on a directed cycle."""
    n_rows, n_cols = values.shape
    free = "free"

    def row_node(i: int):
        return ("r", i) if t_col is not None else free

    def col_node(j: int):
        return ("c", j) if t_row is not None else free

    cells = [tuple(int(x) for x in c) for c in np.argwhere(hidden)]
    arcs: dict[tuple[int, int], list[tuple[Any, Any]]] = {}
    for i, j in cells:
        u, v = row_node(i), col_node(j)
        margin = (i == t_row) != (j == t_col)
        # the markers tell a reader the bounds: "<m" is 1 to m - 1, "[c]" at least m
        # when it is secondary (never small), at least 1 when a small cell marked "[c]"
        low, high = (1, m - 1) if primary[i, j] else (min(m, values[i, j]), math.inf)
        up = (v, u) if margin else (u, v)
        arcs[(i, j)] = ([up] if values[i, j] < high else []) + (
            [up[::-1]] if values[i, j] > low else []
        )

    out = []
    for cell in cells:
        graph: dict[Any, list[Any]] = {}
        for other, pairs in arcs.items():
            if other != cell:
                for a, b in pairs:
                    graph.setdefault(a, []).append(b)
        movable = False
        for p, q in arcs[cell]:
            if p == q:  # both ends unconstrained
                movable = True
                break
            seen, queue = {q}, deque([q])
            while queue and not movable:
                node = queue.popleft()
                for nxt in graph.get(node, ()):
                    if nxt == p:
                        movable = True
                        break
                    if nxt not in seen:
                        seen.add(nxt)
                        queue.append(nxt)
            if movable:
                break
        if not movable:
            out.append(cell)
    return out


def _smallest(values: np.ndarray, hidden: np.ndarray, cells: Sequence[tuple[int, int]]):
    candidates = [c for c in cells if not hidden[c] and values[c] > 0]
    return min(candidates, key=lambda c: (values[c], c)) if candidates else None


def _mask_array(
    values: np.ndarray, m: int, t_row: int | None, t_col: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """(hidden, primary) boolean arrays: primary cells are shown "<m", the other hidden
    ones "[c]" (secondary, and the rare small cell whose "<m" would give it away)."""
    primary = (values >= 1) & (values < m)
    hidden = primary.copy()
    lines = _lines(values.shape, t_row, t_col)
    while True:
        changed = True
        while changed:  # rule 1: no published equation with a single hidden cell
            changed = False
            for parts, total in lines:
                cells = [*parts, total]
                if sum(hidden[c] for c in cells) != 1:
                    continue
                pick = _smallest(values, hidden, parts) or _smallest(values, hidden, [total])
                if pick is not None:
                    hidden[pick] = True
                    changed = True
        # rule 2: no hidden cell fixed by the equations taken together
        fixed = _determined(values, hidden, t_row, t_col, primary, m)
        if not fixed:
            return hidden, primary
        i, j = fixed[0]
        own = [cell for parts, total in lines for cell in [*parts, total] if (i, j) in parts]
        own += [cell for parts, total in lines if total == (i, j) for cell in parts]
        everywhere = [tuple(int(x) for x in c) for c in np.argwhere(~hidden)]
        pick = _smallest(values, hidden, own) or _smallest(values, hidden, everywhere)
        if pick is not None:
            hidden[pick] = True
            continue
        # everything non-zero is hidden already: the "<5" bounds themselves give a cell
        # away (e.g. four 1s under a total of 4): a small cell is marked "[c]" instead,
        # which claims nothing about it
        weak = [c for c in fixed if primary[c]] or [
            tuple(int(x) for x in c) for c in np.argwhere(primary)
        ]
        if not weak:
            return hidden, primary
        primary[weak[0]] = False


def suppression_masks(
    table: pd.DataFrame,
    min_cell: int | None = None,
    row_total: Hashable | None = None,
    col_total: Hashable | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(hidden, primary): where :func:`suppress_table` hides the cell, and where it is
    hidden because it is small (the others hidden are secondary)."""
    m = _threshold(min_cell)
    values = _counts_array(table)
    t_row, t_col = _total_positions(table, row_total, col_total)
    hidden, primary = _mask_array(values, m, t_row, t_col)
    return (
        pd.DataFrame(hidden, index=table.index, columns=table.columns),
        pd.DataFrame(primary, index=table.index, columns=table.columns),
    )


def suppression_mask(
    table: pd.DataFrame,
    min_cell: int | None = None,
    row_total: Hashable | None = None,
    col_total: Hashable | None = None,
) -> pd.DataFrame:
    """True where :func:`suppress_table` hides the cell (primary or secondary)."""
    return suppression_masks(table, min_cell, row_total, col_total)[0]


def suppress_table(
    table: pd.DataFrame,
    min_cell: int | None = None,
    row_total: Hashable | None = None,
    col_total: Hashable | None = None,
) -> pd.DataFrame:
    """The table as published: strings, small cells as ``"<5"``, cells hidden only to
    protect them (secondary) as ``"[c]"``, others like ``"1,234"``.

    ``table`` holds counts, row labels as index, categories as columns. ``row_total`` is the
    index label of the row of column totals and ``col_total`` the label of the column of
    row totals, when the table has them (None otherwise). Totals are shown unless small or
    needed as secondary cells (a row with one hidden cell and zeros otherwise)."""
    m = _threshold(min_cell)
    hidden, primary = (x.to_numpy() for x in suppression_masks(table, m, row_total, col_total))
    shown = np.vectorize(lambda v: f"{int(v):,}", otypes=[object])(_counts_array(table))
    out = np.where(hidden, np.where(primary, marker(m), SECONDARY), shown) if shown.size else shown
    return pd.DataFrame(out, index=table.index, columns=table.columns).astype(str)


def percent_table(
    table: pd.DataFrame,
    min_cell: int | None = None,
    row_total: Hashable | None = None,
    col_total: Hashable | None = None,
    of: str = "row",
    digits: int = 0,
) -> pd.DataFrame:
    """Percentages that can be published next to :func:`suppress_table`.

    ``of="row"``: each cell as a share of its row total (the ``col_total`` column);
    ``of="column"``: of its column total (the ``row_total`` row). A cell hidden in the
    published table, or whose total is hidden or 0, gets ``"–"``."""
    if of not in ("row", "column"):
        raise ValueError('of must be "row" or "column"')
    m = _threshold(min_cell)
    values = _counts_array(table).astype(float)
    t_row, t_col = _total_positions(table, row_total, col_total)
    if (t_col if of == "row" else t_row) is None:
        need = "col_total (the column of row totals)" if of == "row" else "row_total"
        raise ValueError(f'percentages of="{of}" need {need}: the total must be published')
    hidden, _ = _mask_array(values.astype(np.int64), m, t_row, t_col)
    if of == "row":
        whole = np.repeat(values[:, [t_col]], values.shape[1], axis=1)
        whole_hidden = np.repeat(hidden[:, [t_col]], values.shape[1], axis=1)
    else:
        whole = np.repeat(values[[t_row], :], values.shape[0], axis=0)
        whole_hidden = np.repeat(hidden[[t_row], :], values.shape[0], axis=0)
    ok = ~hidden & ~whole_hidden & (whole > 0)
    share = np.divide(100 * values, whole, out=np.zeros_like(values), where=whole > 0)
    text = np.vectorize(lambda p: f"{p:.{digits}f} %", otypes=[object])(share)
    out = np.where(ok, text, NOT_SHOWN) if text.size else text
    return pd.DataFrame(out, index=table.index, columns=table.columns).astype(str)


# --------------------------------------------------------------------------- series


def _series_total(counts: pd.Series, total: Hashable | None) -> Hashable | None:
    if total is not None:
        if total not in counts.index:
            raise ValueError(f"total {total!r} is not in the series")
        return total
    found = [k for k in counts.index if isinstance(k, str) and k.strip().lower() in _TOTAL_NAMES]
    return found[0] if len(found) == 1 else None


def safe_series(
    counts: pd.Series, min_cell: int | None = None, total: Hashable | None = None
) -> pd.Series:
    """Labels -> published strings. When the series holds a total (``total=``, or a label
    "Total"/"All"/"Overall"), one hidden count is never alone: a second one (or the total)
    is hidden so that the first cannot be recovered by subtraction."""
    m = _threshold(min_cell)
    total = _series_total(counts, total)
    frame = counts.to_frame(name="n" if counts.name is None else counts.name)
    out = suppress_table(frame, m, row_total=total)
    return pd.Series(out.iloc[:, 0].to_numpy(), index=counts.index, name=counts.name).astype(str)


def chart_counts(counts: pd.Series, min_cell: int | None = None) -> pd.Series:
    """Bar heights for a chart: small counts become NaN (not drawn). Label the bars with
    :func:`chart_labels`. Do not put a total on the same chart (use :func:`safe_series`)."""
    m = _threshold(min_cell)
    values = pd.to_numeric(counts, errors="raise").astype(float)
    return values.mask(is_small(values, m))


def chart_labels(counts: pd.Series | Sequence[Any], min_cell: int | None = None) -> list[str]:
    """Bar labels matching :func:`chart_counts`: ``"<5"`` for small counts (primary)."""
    m = _threshold(min_cell)
    return [show_count(v, m) for v in (counts.tolist() if hasattr(counts, "tolist") else counts)]
