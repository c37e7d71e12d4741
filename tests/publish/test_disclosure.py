"""Small-cell suppression: exact outputs, and an attacker who tries to recover hidden counts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protection_workbench.config import get_config
from protection_workbench.publish import disclosure as D  # noqa: N812

M = 5
HIDDEN = "<5"  # primary: the value is 1 to 4
SECRET = "[c]"  # secondary: hidden to protect another cell (never small, so at least 5)
MARKERS = (HIDDEN, SECRET)


def with_totals(values, rows=None, cols=None, row_total=True, col_total=True) -> pd.DataFrame:
    table = pd.DataFrame(values, index=rows, columns=cols)
    table.index = [f"r{i}" for i in range(len(table))] if rows is None else rows
    table.columns = [f"c{j}" for j in range(table.shape[1])] if cols is None else cols
    if col_total:
        table["Total"] = table.sum(axis=1)
    if row_total:
        table.loc["Total"] = table.sum(axis=0)
    return table


# ----------------------------------------------------------------------------- attackers


def published_equations(published: pd.DataFrame, row_total, col_total):
    """(unknown cells, constant) per published equation: sum(parts) - total = 0."""
    index, columns = list(published.index), list(published.columns)
    lines = []
    if col_total is not None:
        for r in index:
            lines.append(([(r, c) for c in columns if c != col_total], (r, col_total)))
    if row_total is not None:
        for c in columns:
            lines.append(([(r, c) for r in index if r != row_total], (row_total, c)))
    return lines


def number(text: str) -> int | None:
    return None if text in MARKERS else int(text.replace(",", ""))


def lower(text: str, true: int | None = None) -> int:
    """The lower bound an attacker knows: "<5" at least 1, "[c]" at least 5 when it is
    secondary (the attacker is told which cells are small marked "[c]": at least 1)."""
    return 1 if text == HIDDEN or (true is not None and true < M) else M


def low(published, table, cell) -> int:
    return lower(published.loc[cell], None if table is None else int(table.loc[cell]))


def substitution_attack(published, row_total, col_total, table=None) -> dict:
    """Row/column subtraction, repeated: an equation with one unknown gives it; an equation
    whose unknowns must all be at their lower bound ("<5" at least 1, "[c]" at least 5)
    gives them all."""
    known = {
        (r, c): number(published.loc[r, c])
        for r in published.index
        for c in published.columns
        if number(published.loc[r, c]) is not None
    }
    recovered = {}
    lines = published_equations(published, row_total, col_total)
    changed = True
    while changed:
        changed = False
        for parts, total in lines:
            signed = [(cell, 1) for cell in parts] + [(total, -1)]
            unknown = [(cell, s) for cell, s in signed if cell not in known]
            if not unknown:
                continue
            rest = sum(s * known[cell] for cell, s in signed if cell in known)
            if len(unknown) == 1:
                cell, s = unknown[0]
                known[cell] = recovered[cell] = -rest * s
                changed = True
            elif all(s == 1 for _, s in unknown) and -rest == sum(
                low(published, table, cell) for cell, _ in unknown
            ):
                for cell, _ in unknown:
                    known[cell] = recovered[cell] = low(published, table, cell)
                changed = True
    return recovered


def lp_ranges(published, row_total, col_total, table=None) -> dict:
    """The smallest and largest value each hidden cell can take, by linear programming over
    every published equation, knowing what the markers say: "<5" is 1 to 4, "[c]" at least
    5 (exact here: network constraints)."""
    linprog = pytest.importorskip("scipy.optimize").linprog
    cells = [
        (r, c) for r in published.index for c in published.columns if published.loc[r, c] in MARKERS
    ]
    if not cells:
        return {}
    pos = {cell: k for k, cell in enumerate(cells)}
    a_eq, b_eq = [], []
    for parts, total in published_equations(published, row_total, col_total):
        row, const = np.zeros(len(cells)), 0.0
        for cell, s in [(cell, 1) for cell in parts] + [(total, -1)]:
            if cell in pos:
                row[pos[cell]] += s
            else:
                const -= s * number(published.loc[cell])
        if row.any():
            a_eq.append(row)
            b_eq.append(const)
    ranges = {}
    for cell, k in pos.items():
        objective = np.zeros(len(cells))
        objective[k] = 1
        bounds = [
            (1, M - 1) if published.loc[c] == HIDDEN else (low(published, table, c), None)
            for c in cells
        ]
        kwargs = {"A_eq": np.array(a_eq), "b_eq": b_eq} if a_eq else {}
        lo_res = linprog(objective, bounds=bounds, **kwargs)
        hi_res = linprog(-objective, bounds=bounds, **kwargs)
        assert lo_res.status == 0
        ranges[cell] = (lo_res.fun, np.inf if hi_res.status == 3 else -hi_res.fun)
    return ranges


def check_protected(table: pd.DataFrame, row_total, col_total, lp: bool = True):
    published = D.suppress_table(table, M, row_total=row_total, col_total=col_total)
    assert published.shape == table.shape
    hidden = published.isin(MARKERS)
    # honest markers: "<5" exactly on the small counts, "[c]" on the others hidden
    assert not ((published == HIDDEN) & ~D.is_small(table, M)).to_numpy().any()
    # small counts are never shown, zeros always are, shown cells are the true counts
    assert not (D.is_small(table, M) & ~hidden).to_numpy().any()
    assert not ((table == 0) & hidden).to_numpy().any()
    for r in table.index:
        for c in table.columns:
            if not hidden.loc[r, c]:
                assert published.loc[r, c] == f"{table.loc[r, c]:,}"
    # attackers
    assert substitution_attack(published, row_total, col_total, table) == {}
    if lp:
        for cell, (lo, hi) in lp_ranges(published, row_total, col_total, table).items():
            assert hi - lo >= 1 - 1e-6, (cell, lo, hi, table, published)
    pd.testing.assert_frame_equal(
        D.suppression_mask(table, M, row_total, col_total), hidden, check_dtype=False
    )
    return published


# ----------------------------------------------------------------------------- scalars


def test_min_cell_and_marker_follow_config():
    assert D.min_cell() == get_config().thresholds.min_cell
    assert D.marker() == f"<{D.min_cell()}"
    assert D.marker() == D.SUPPRESSED
    assert D.marker(10) == "<10"


def test_is_small_on_scalars_and_arrays():
    assert [D.is_small(n, M) for n in (0, 1, 4, 5, 30)] == [False, True, True, False, False]
    assert not D.is_small(float("nan"), M)
    series = pd.Series([0, 2, 7, np.nan], index=list("abcd"))
    assert D.is_small(series, M).tolist() == [False, True, False, False]
    assert D.is_small(np.array([0, 3, 5]), M).tolist() == [False, True, False]


def test_show_count_formatting():
    assert D.show_count(0, M) == "0"
    assert D.show_count(1, M) == "<5"
    assert D.show_count(4, M) == "<5"
    assert D.show_count(5, M) == "5"
    assert D.show_count(1234, M) == "1,234"
    assert D.show_count(np.int64(1234567), M) == "1,234,567"
    assert D.show_count(12.0, M) == "12"
    assert D.show_count(float("nan"), M) == "–"
    assert D.show_count(7, 10) == "<10"
    with pytest.raises(ValueError):
        D.show_count(-1, M)
    with pytest.raises(ValueError):
        D.show_count(2.5, M)


def test_percentages_never_from_small_or_suppressed_counts():
    assert D.show_percent(21, 100, M) == "21 %"
    assert D.show_percent(1, 3, M, digits=1) == "–"  # both small
    assert D.show_percent(3, 100, M) == "–"  # part small
    assert D.show_percent(0, 100, M) == "0 %"  # zero is not a disclosure
    assert D.show_percent(4, 4, M) == "–"
    assert D.show_percent(5, 0, M) == "–"
    assert D.show_percent("<5", 100, M) == "–"
    assert D.show_percent(50, "<5", M) == "–"
    assert D.show_percent("1,000", "2,000", M) == "50 %"
    assert D.show_percent(1, 3000, M) == "–"
    assert D.show_percent(20, 30, M, digits=1) == "66.7 %"


# ----------------------------------------------------------------------------- tables


def test_table_without_small_cells_is_unchanged():
    table = with_totals([[10, 20], [30, 1234]])
    published = check_protected(table, "Total", "Total")
    expected = table.map(lambda v: f"{v:,}")
    pd.testing.assert_frame_equal(published, expected)
    assert published.loc["r1", "c1"] == "1,234"


def test_exact_secondary_suppression():
    table = with_totals([[1, 8, 0], [10, 9, 7], [12, 20, 3]])
    published = check_protected(table, "Total", "Total")
    expected = pd.DataFrame(
        [
            ["<5", "[c]", "0", "9"],
            ["10", "[c]", "[c]", "26"],
            ["[c]", "20", "<5", "35"],
            ["23", "37", "10", "70"],
        ],
        index=table.index,
        columns=table.columns,
    )
    pd.testing.assert_frame_equal(published, expected)


def test_single_hidden_cell_with_zeros_hides_the_total():
    table = with_totals([[3, 0, 0], [10, 20, 30]], row_total=False)
    published = check_protected(table, None, "Total")
    assert published.loc["r0"].tolist() == ["<5", "0", "0", "<5"]
    assert published.loc["r1"].tolist() == ["10", "20", "30", "60"]


def test_two_hidden_ones_in_a_row_are_not_enough():
    # 1 + 1 = 2 and hidden counts are at least 1: both would be known
    table = with_totals([[1, 1, 10], [5, 6, 7]], row_total=False)
    published = check_protected(table, None, "Total")
    assert published.loc["r0"].tolist() == ["<5", "<5", "[c]", "12"]


def test_small_total_is_hidden():
    table = with_totals([[1, 2, 0], [10, 20, 30]])
    published = check_protected(table, "Total", "Total")
    assert published.loc["r0", "Total"] == HIDDEN


def test_table_without_totals_hides_only_small_cells():
    table = with_totals([[1, 8], [10, 0]], row_total=False, col_total=False)
    published = check_protected(table, None, None)
    assert published.to_numpy().tolist() == [["<5", "8"], ["10", "0"]]


def test_total_names_are_resolved_and_checked():
    table = with_totals([[1, 8], [10, 20]])
    a = D.suppress_table(table, M, row_total="Total", col_total="Total")
    assert a.isin(MARKERS).sum().sum() >= 4
    with pytest.raises(ValueError, match="not in the table"):
        D.suppress_table(table, M, row_total="All")
    with pytest.raises(ValueError, match="counts|whole"):
        D.suppress_table(table.astype(float) + 0.5, M)
    with pytest.raises(ValueError, match="missing"):
        D.suppress_table(table.astype(float).where(table > 1), M)


def test_percent_table_leaves_out_hidden_cells_and_hidden_totals():
    table = with_totals([[1, 8, 0], [10, 9, 7], [12, 20, 3]])
    pct = D.percent_table(table, M, "Total", "Total", of="row")
    published = D.suppress_table(table, M, "Total", "Total")
    assert (pct.to_numpy()[published.isin(MARKERS).to_numpy()] == "–").all()
    assert pct.loc["r1", "c0"] == "38 %"
    assert pct.loc["r0", "c2"] == "0 %"
    col = D.percent_table(table, M, "Total", "Total", of="column")
    assert col.loc["r2", "c1"] == "54 %"
    with pytest.raises(ValueError, match="total"):
        D.percent_table(table.drop(columns="Total"), M, row_total="Total", of="row")


counts = st.one_of(st.integers(0, 4), st.integers(0, 30))


@st.composite
def count_tables(draw):
    n_rows, n_cols = draw(st.integers(2, 6)), draw(st.integers(2, 6))
    values = draw(
        st.lists(
            st.lists(counts, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    return values


def test_attackers_do_find_leaks_in_primary_suppression_only():
    # the attackers are real: with small cells hidden and nothing else, they recover them
    table = with_totals([[1, 8, 20], [10, 9, 7], [1, 1, 30]])
    naive = table.map(lambda v: HIDDEN if D.is_small(v, M) else f"{v:,}")
    found = substitution_attack(naive, "Total", "Total")
    assert found[("r0", "c0")] == 1 and found[("r2", "c1")] == 1
    low, high = lp_ranges(naive, "Total", "Total")[("r2", "c0")]
    assert low == pytest.approx(high)


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count_tables())
def test_attacker_cannot_recover_hidden_counts_with_both_totals(values):
    check_protected(with_totals(values), "Total", "Total")


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(count_tables(), st.sampled_from(["rows", "columns"]))
def test_attacker_cannot_recover_hidden_counts_with_one_total(values, which):
    if which == "rows":
        check_protected(with_totals(values, row_total=False), None, "Total")
    else:
        check_protected(with_totals(values, col_total=False), "Total", None)


# ----------------------------------------------------------------------------- series, charts


def test_safe_series_with_and_without_total():
    plain = pd.Series({"A": 3, "B": 10, "C": 0})
    assert D.safe_series(plain, M).to_dict() == {"A": "<5", "B": "10", "C": "0"}
    with_total = pd.Series({"A": 3, "B": 10, "C": 12, "Total": 25})
    assert D.safe_series(with_total, M).to_dict() == {
        "A": "<5",
        "B": "[c]",
        "C": "12",
        "Total": "25",
    }
    explicit = pd.Series({"A": 3, "B": 0, "all persons": 3})
    assert D.safe_series(explicit, M, total="all persons").tolist() == ["<5", "0", "<5"]


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.lists(counts, min_size=1, max_size=8))
def test_safe_series_total_does_not_reveal(values):
    series = pd.Series(values, index=[f"k{i}" for i in range(len(values))])
    series["Total"] = series.sum()
    published = D.safe_series(series, M).to_frame("n")
    assert substitution_attack(published, "Total", None) == {}
    for low, high in lp_ranges(published, "Total", None).values():
        assert high - low >= 1 - 1e-6


def test_chart_counts_and_labels():
    bars = pd.Series({"A": 1, "B": 6, "C": 0, "D": 1500})
    heights = D.chart_counts(bars, M)
    assert np.isnan(heights["A"]) and heights["B"] == 6 and heights["C"] == 0
    assert heights.index.tolist() == bars.index.tolist()
    assert D.chart_labels(bars, M) == ["<5", "6", "0", "1,500"]


def test_markers_are_honest_and_explained():
    # primary (1 to 4) reads "<5"; a cell hidden only to protect another reads "[c]"
    table = with_totals([[1, 8, 0], [10, 9, 7], [12, 20, 3]])
    published = D.suppress_table(table, M, "Total", "Total")
    hidden, primary = D.suppression_masks(table, M, "Total", "Total")
    assert set(published.to_numpy()[primary.to_numpy()]) == {HIDDEN}
    assert published.loc["r1", "c1"] == SECRET  # the truth is 9
    assert set(published.to_numpy()[(hidden & ~primary).to_numpy()]) == {SECRET}
    assert D.SECONDARY == SECRET and D.marker(M) == HIDDEN
    assert D.marker_note(M) == (
        '"<5": fewer than 5 people (1 to 4). "[c]": hidden so that a small number '
        "elsewhere in the table cannot be worked out."
    )
    assert D.in_words("<5", M) == "fewer than 5" and D.in_words("[c]", M) == "not shown"
    assert D.say_count(3, M) == "fewer than 5" and D.say_count(1234, M) == "1,234"


@settings(max_examples=100, deadline=None)
@given(count_tables())
def test_every_published_cell_is_true_or_an_honest_marker(values):
    table = with_totals(values)
    published = D.suppress_table(table, M, "Total", "Total")
    for r in table.index:
        for c in table.columns:
            true, text = int(table.loc[r, c]), published.loc[r, c]
            assert text == f"{true:,}" or (text == HIDDEN and 1 <= true < M) or text == SECRET
