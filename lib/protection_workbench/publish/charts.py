"""Charts on reviewer pages: protected counts, one style, titles and alt text from the caller.

Every chart of the reports is drawn here. A bar chart takes a table (labels in the index,
one column per series) of either

- **counts** (numbers): protected unless ``protect=False`` (the case workers' copy, or
  amounts that are not counts of people). Small counts are not drawn
  (:func:`~.disclosure.chart_counts`) and are labelled "<5"
  (:func:`~.disclosure.chart_labels`); with ``totals=True`` (the bars add up to totals
  published in a table next to the chart) the cells that secondary suppression hides
  against those totals are left out and marked "[c]", so that the chart never gives away
  what the table hides;
- **published strings** ("1,234", "<5", "–", as :func:`~.disclosure.suppress_table` gives
  them): drawn as published, a hidden cell not drawn, its marker as its label.

Figures are made with matplotlib's object API (no pyplot state, nothing shown twice) and
returned as PNG images (:class:`IPython.display.Image`) that carry the caller's alt text
in their output metadata (``image/png`` -> ``alt``). Labels on the axes come from the
table's index: pass labels that :mod:`~.labels` allows (values ``config/`` knows).
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from IPython.display import Image
from matplotlib.figure import Figure

from .disclosure import SECONDARY, chart_counts, chart_labels, is_marker, suppression_mask
from .tables import TOTAL, with_totals

# One palette for every report: the same meaning, the same colour.
BLUE = "#1f5fa8"
LIGHT_BLUE = "#9ecae1"
STEEL = "#7fa7c9"
RED = "#c0392b"
AMBER = "#e0a030"
GREEN = "#41ab5d"
PURPLE = "#807dba"
ORANGE = "#fd8d3c"
GREY = "#7f7f7f"
SEVERITY_COLOURS = (RED, AMBER)  # error, warning
SERIES_COLOURS = (BLUE, ORANGE, GREEN, RED, PURPLE, AMBER, STEEL)
DPI = 100
FONT_SIZE = 9

Values = pd.Series | pd.DataFrame


def _frame(values: Values) -> pd.DataFrame:
    if isinstance(values, pd.Series):
        return values.to_frame("n" if values.name is None else values.name)
    return values


def _is_published(frame: pd.DataFrame) -> bool:
    """True when the table holds published strings rather than numbers."""
    return any(not pd.api.types.is_numeric_dtype(frame[c]) for c in frame.columns)


def shown_numbers(shown: Values) -> Values:
    """Published strings back to numbers: "1,234" -> 1234.0; hidden or not shown ("<5",
    "–", missing) -> NaN."""

    def parse(values: pd.Series) -> pd.Series:
        text = values.astype("str").str.replace(",", "", regex=False)
        return pd.to_numeric(text.where(text.str.isdigit()), errors="coerce").astype(float)

    if isinstance(shown, pd.DataFrame):
        return shown.apply(parse)
    return parse(shown)


def _exact_label(value: float) -> str:
    return f"{value:,.0f}"


def bar_values(
    values: Values, protect: bool = True, totals: bool = False
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Bar heights (NaN: not drawn) and bar labels (text) of a table, as described in the
    module docstring."""
    frame = _frame(values)
    if _is_published(frame):
        return shown_numbers(frame), frame.astype("str")
    counts = frame.astype(float).fillna(0)
    if not protect:
        return counts, counts.map(_exact_label)
    counts = counts.astype(int)
    heights = counts.apply(chart_counts)
    labels = counts.apply(lambda column: pd.Series(chart_labels(column), index=column.index))
    if totals:
        both = len(counts.columns) > 1
        hidden = suppression_mask(
            with_totals(counts, column=both), None, TOTAL, TOTAL if both else None
        )
        hidden = hidden.loc[counts.index, counts.columns].to_numpy(dtype=bool)
        secondary = hidden & (counts > 0).to_numpy() & ~heights.isna().to_numpy()
        heights = heights.mask(hidden)
        labels = labels.mask(secondary, SECONDARY)
    return heights, labels


def _style(ax, horizontal: bool) -> None:
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="x" if horizontal else "y", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(labelsize=FONT_SIZE)


def draw_bars(
    ax,
    values: Values,
    *,
    horizontal: bool = False,
    stacked: bool = False,
    colours: Sequence[str] | None = None,
    protect: bool = True,
    totals: bool = False,
    bar_labels: bool | None = None,
    rotation: float = 0,
    max_ticks: int | None = None,
) -> None:
    """Bars of ``values`` (see the module docstring) on the matplotlib axes ``ax``: one
    group of bars per row, one bar per column, side by side or ``stacked``.

    ``bar_labels`` (default: unless stacked) writes each bar's published label on it; a
    stacked bar with a hidden part gets the markers of its hidden parts ("<5", "[c]") at its
    end instead."""
    heights, labels = bar_values(values, protect, totals)
    colours = list(colours or SERIES_COLOURS)
    columns = list(heights.columns)
    names = [str(i) for i in heights.index]
    positions = np.arange(len(names))
    side_by_side = not stacked and len(columns) > 1
    width = 0.8 / len(columns) if side_by_side else 0.8
    base = np.zeros(len(names))
    label_bars = (not stacked) if bar_labels is None else bar_labels
    for i, column in enumerate(columns):
        drawn = heights[column].fillna(0).to_numpy(dtype=float)
        offset = (i - (len(columns) - 1) / 2) * width if side_by_side else 0.0
        colour = colours[i % len(colours)]
        start = base if stacked else None
        if horizontal:
            bars = ax.barh(
                positions + offset, drawn, height=width, left=start, color=colour, label=column
            )
        else:
            bars = ax.bar(
                positions + offset, drawn, width=width, bottom=start, color=colour, label=column
            )
        if label_bars:
            ax.bar_label(bars, labels=list(labels[column]), padding=2, fontsize=FONT_SIZE - 1)
        if stacked:
            base = base + drawn
    if stacked:
        hidden = heights.isna() & labels.map(is_marker).astype(bool)
        ends = [
            ", ".join(dict.fromkeys(labels.loc[row][hidden.loc[row]].tolist()))
            for row in heights.index
        ]
        for pos, edge, end in zip(positions, base, ends, strict=True):
            if end:
                xy = (edge, pos) if horizontal else (pos, edge)
                ax.annotate(
                    end,
                    xy,
                    xytext=(3, 0) if horizontal else (0, 2),
                    textcoords="offset points",
                    fontsize=FONT_SIZE - 2,
                    **({"va": "center"} if horizontal else {"ha": "center", "va": "bottom"}),
                )
    if horizontal:
        ax.set_yticks(positions, names)
        ax.invert_yaxis()
    else:
        ax.set_xticks(positions, names, rotation=rotation, ha="right" if rotation else "center")
    if max_ticks and len(names) > max_ticks:
        step = math.ceil(len(names) / max_ticks)
        ticks = ax.get_yticklabels() if horizontal else ax.get_xticklabels()
        for i, tick in enumerate(ticks):
            tick.set_visible(i % step == 0)
    if len(columns) > 1:
        legend_outside(ax)
    _style(ax, horizontal)


def legend_outside(ax) -> None:
    """The series' legend to the right of the plot, outside it: inside, matplotlib puts it
    in a corner where it can cover the bars or points of the last month."""
    ax.legend(
        fontsize=FONT_SIZE - 1,
        frameon=False,
        loc="upper left",
        bbox_to_anchor=(1.01, 1.0),
        borderaxespad=0.0,
    )


def _image(fig: Figure, alt: str) -> Image:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return Image(data=buffer.getvalue(), format="png", alt=alt)


def bar_chart(values: Values | Mapping[str, Values], *, alt: str, **chart) -> Image:
    """A bar chart as a PNG image with ``alt`` text (display it, or leave it as the last
    value of a cell). ``values`` is one table, or panels side by side as ``{panel title:
    table}``; ``chart`` holds the title, axis labels and figsize of :func:`bar_figure` and
    the keyword arguments of :func:`draw_bars` (horizontal, stacked, colours, protect,
    totals, bar_labels, rotation, max_ticks)."""
    return _image(bar_figure(values, **chart), alt)


def bar_figure(
    values: Values | Mapping[str, Values],
    *,
    title: str,
    xlabel: str = "",
    ylabel: str = "",
    figsize: tuple[float, float] | None = None,
    **bars,
) -> Figure:
    """The matplotlib figure of :func:`bar_chart`."""
    panels = dict(values) if isinstance(values, Mapping) else {"": values}
    rows = max(len(v) for v in panels.values()) if panels else 0
    if figsize is None:
        width = 9 if len(panels) == 1 else 5.5 * len(panels)
        figsize = (width, 0.3 * rows + 1.2) if bars.get("horizontal") else (width, 3.5)
        figsize = (figsize[0], max(figsize[1], 2.4))
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(1, len(panels), squeeze=False)[0]
    for ax, (name, table) in zip(axes, panels.items(), strict=True):
        draw_bars(ax, table, **bars)
        ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
        ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
        if name:
            ax.set_title(name, fontsize=FONT_SIZE + 1)
    if len(panels) > 1:
        fig.suptitle(title, fontsize=FONT_SIZE + 2)
    else:
        axes[0].set_title(title, fontsize=FONT_SIZE + 2)
    return fig


def line_chart(table: pd.DataFrame, *, alt: str, **chart) -> Image:
    """Lines of the columns of ``table`` against its index as a PNG image with ``alt``
    text; ``chart`` holds the keyword arguments of :func:`line_figure`."""
    return _image(line_figure(table, **chart), alt)


def line_figure(
    table: pd.DataFrame,
    *,
    title: str,
    xlabel: str = "",
    ylabel: str = "",
    protect: Sequence[str] = (),
    steps: Sequence[str] = (),
    colours: Mapping[str, str] | None = None,
    figsize: tuple[float, float] = (9, 3.5),
) -> Figure:
    """Lines of the columns of ``table`` against its index (dates or labels). Columns in
    ``protect`` are counts of people: their small values are not drawn
    (:func:`~.disclosure.chart_counts`). Columns in ``steps`` are drawn as steps (e.g. a
    capacity), grey unless ``colours`` says otherwise."""
    colours = dict(colours or {})
    fig = Figure(figsize=figsize, layout="constrained")
    ax = fig.subplots()
    for i, column in enumerate(table.columns):
        values = table[column]
        values = chart_counts(values) if column in protect else values.astype(float)
        if column in steps:
            colour = colours.get(column, GREY)
            ax.step(table.index, values, where="mid", color=colour, label=column)
        else:
            colour = colours.get(column, SERIES_COLOURS[i % len(SERIES_COLOURS)])
            ax.plot(table.index, values, marker="o", color=colour, label=column)
    ax.set_ylim(bottom=0)
    ax.set_xlabel(xlabel, fontsize=FONT_SIZE)
    ax.set_ylabel(ylabel, fontsize=FONT_SIZE)
    ax.set_title(title, fontsize=FONT_SIZE + 2)
    if len(table.columns) > 1:
        legend_outside(ax)
    _style(ax, horizontal=False)
    return fig
