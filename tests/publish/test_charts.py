"""Charts protect small counts like the tables next to them, and carry their alt text."""

from __future__ import annotations

import pandas as pd
import pytest
from matplotlib.figure import Figure

from protection_workbench.publish import charts


def axes():
    return Figure().subplots()


def test_stacked_bars_leave_out_small_and_secondary_cells_and_mark_them():
    table = pd.DataFrame({"errors": [20, 3, 8], "warnings": [0, 0, 9]}, index=["a", "b", "c"])
    ax = axes()
    charts.draw_bars(ax, table, horizontal=True, stacked=True, totals=True)
    widths = [bar.get_width() for bar in ax.patches]
    assert widths[:3][1] == 0  # b's 3 errors are not drawn
    assert widths[:3].count(0) >= 2  # and a second error bar (3 = total - the others)
    ends = [t.get_text() for t in ax.texts]
    assert "<5" in ends  # b: its 3 errors (primary)
    assert "[c]" in ends  # the bar hidden only to protect b's: "[c]", not "<5"
    heights, labels = charts.bar_values(table, totals=True)
    hidden = heights.isna()
    small = (hidden & (table < 5)).to_numpy()
    assert set(labels.to_numpy()[small]) == {"<5"}
    assert set(labels.to_numpy()[(hidden & (table >= 5)).to_numpy()]) == {"[c]"}
    ax = axes()
    charts.draw_bars(ax, table, horizontal=True, stacked=True, protect=False)  # case workers
    assert [bar.get_width() for bar in ax.patches][:3] == [20, 3, 8]
    assert len(ax.texts) == 0


def test_bars_of_counts_are_labelled_as_published():
    ax = axes()
    charts.draw_bars(ax, pd.Series([0, 3, 12], index=["x", "y", "z"], name="returns"))
    assert [bar.get_height() for bar in ax.patches] == [0, 0, 12]
    assert [t.get_text() for t in ax.texts] == ["0", "<5", "12"]


def test_bars_of_published_strings_are_drawn_as_published():
    shown = pd.DataFrame({"ended": ["1,234", "<5", "0"], "ongoing": ["7", "–", "<5"]})
    heights, labels = charts.bar_values(shown)
    assert heights["ended"].tolist()[0] == 1234.0 and heights["ended"].isna().tolist()[1]
    assert heights["ongoing"].isna().tolist() == [False, True, True]
    assert labels.equals(shown)
    ax = axes()
    charts.draw_bars(ax, shown)  # side by side, one label per bar
    assert len(ax.patches) == 6
    assert [t.get_text() for t in ax.texts] == ["1,234", "<5", "0", "7", "–", "<5"]


def test_shown_numbers_hide_suppressed_cells():
    values = charts.shown_numbers(pd.Series(["1,234", "<5", "0", "–"]))
    assert values.iloc[0] == 1234.0 and values.iloc[2] == 0.0
    assert values.iloc[[1, 3]].isna().all()


def test_bar_chart_is_a_png_with_its_alt_text_and_panels():
    image = charts.bar_chart(
        {"This week": pd.Series([3, 10], index=["a", "b"]), "Year": pd.Series([30, 10])},
        title="Returns",
        alt="Bar chart of returns by destination",
        horizontal=True,
    )
    data, metadata = image._repr_png_()
    assert image.data[:8] == b"\x89PNG\r\n\x1a\n" and data.startswith("iVBORw0K")  # base64
    assert metadata == {"alt": "Bar chart of returns by destination"}


def test_line_chart_leaves_out_small_counts_of_people():
    table = pd.DataFrame(
        {"occupied": [2, 40], "capacity": [50, 50]},
        index=pd.to_datetime(["2026-11-15", "2026-11-22"]),
    )
    image = charts.line_chart(
        table, title="Occupancy", alt="Line chart", protect=("occupied",), steps=("capacity",)
    )
    assert image._repr_png_()[1] == {"alt": "Line chart"}


def test_a_chart_needs_a_title_and_alt_text():
    with pytest.raises(TypeError):
        charts.bar_chart(pd.Series([1]), title="t")  # no alt text
