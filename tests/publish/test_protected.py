"""The protected table set: one set of published numbers per report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from protection_workbench.publish import disclosure as D  # noqa: N812
from protection_workbench.publish.protected import TableSet

M = 5
MARKERS = ("<5", "[c]")


def people(n: int = 400, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ages = ["0-4", "5-17", "18-59", "60+"]
    return pd.DataFrame(
        {
            "nationality": rng.choice(
                ["SDN", "NGA", "EGY", "ERI", "TCD"], n, p=[0.5, 0.3, 0.15, 0.04, 0.01]
            ),
            "sex": rng.choice(["F", "M"], n),
            "age": pd.Categorical(rng.choice(ages, n, p=[0.1, 0.2, 0.68, 0.02]), categories=ages),
        }
    )


def test_counts_totals_and_display_strings():
    frame = people()
    ts = TableSet(min_cell=M)
    ts.count("nat_sex", frame, rows="nationality", cols="sex", totals=True, title="By nationality")
    ts.count("total", frame, title="Returns")
    published = ts.protect()
    truth = pd.crosstab(frame["nationality"], frame["sex"], margins=True, margins_name="Total")
    table = published.table("nat_sex")
    assert list(table.index) == [*sorted(frame["nationality"].unique()), "Total"]
    assert list(table.columns) == ["F", "M", "Total"]
    values = published.values("nat_sex")
    for r in table.index:
        for c in table.columns:
            shown = table.loc[r, c]
            if shown in MARKERS:
                assert values.loc[r, c] is pd.NA
            else:
                assert shown == f"{truth.loc[r, c]:,}" and values.loc[r, c] == truth.loc[r, c]
    assert published.total("total") == f"{len(frame):,}" == published.say("total")
    assert published.cell("nat_sex", "Total", "Total") == f"{len(frame):,}"
    assert published.title("nat_sex") == "By nationality"


def test_small_counts_are_marked_and_said_in_words():
    frame = pd.DataFrame({"sex": ["F"] * 3 + ["M"] * 40})
    ts = TableSet(min_cell=M)
    ts.count("by_sex", frame, rows="sex")
    ts.count("women", frame, where=(frame["sex"] == "F").to_numpy())
    published = ts.protect()
    assert published.cell("by_sex", "F") == "<5"
    assert published.say("by_sex", "F") == "fewer than 5"
    assert published.say("women") == "fewer than 5"
    assert published.cell("by_sex", "M") == "40"
    assert published.note() == D.marker_note(M)


def test_labels_merge_values_before_counting():
    frame = pd.DataFrame({"sex": ["F"] * 6 + ["M"] * 7 + ["X"] * 2})
    ts = TableSet(min_cell=M)
    ts.count("by_sex", frame, rows="sex", labels={"F": "Women", "M": "Men", "X": "Men"})
    assert ts.protect().table("by_sex")["Number"].to_dict() == {"Women": "6", "Men": "9"}


def test_categories_give_rows_in_their_order_with_zeros():
    frame = people(200)
    frame["age"] = frame["age"].cat.add_categories(["unknown"])
    ts = TableSet(min_cell=M)
    ts.count("ages", frame, rows="age")
    table = ts.protect().table("ages")
    assert list(table.index) == ["0-4", "5-17", "18-59", "60+", "unknown"]
    assert table.loc["unknown", "Number"] == "0"


def test_overlapping_columns_from_masks():
    frame = people(300)
    week = np.arange(len(frame)) % 5 == 0
    ts = TableSet(min_cell=M)
    ts.count(
        "periods",
        frame,
        rows="sex",
        cols={"this week": week, "year to date": np.ones(len(frame), bool)},
        totals=True,
    )
    values = ts.protect().values("periods")
    assert values.loc["Total", "year to date"] == len(frame)
    assert values.loc["Total", "this week"] == week.sum()


def test_exact_tables_are_not_suppressed():
    money = pd.DataFrame({"amount": [1.5, 2000, 3]}, index=["a", "b", "c"])
    frame = pd.DataFrame({"kind": ["x"] * 2 + ["y"] * 30})
    ts = TableSet(min_cell=M)
    ts.add("payments", money, title="Payments (LYD)")
    ts.count("repairs", frame, rows="kind", totals=True, people=False)
    published = ts.protect()
    assert published.table("payments")["amount"].tolist() == ["1.50", "2,000", "3"]
    assert published.table("repairs")["Number"].tolist() == ["2", "30", "32"]
    assert published.summary() == {"cells": 0, "cells_hidden": 0, "people": 0, "people_hidden": 0}
    assert published.note() == ""


def test_mistakes_are_refused_with_the_table_named():
    frame = people(50)
    ts = TableSet(min_cell=M)
    with pytest.raises(ValueError, match="'t'.*'nope'"):
        ts.count("t", frame, rows="nope")
    with pytest.raises(ValueError, match="boolean"):
        ts.count("t", frame, where=[1, 0])
    ts.count("t", frame)
    with pytest.raises(ValueError, match="twice"):
        ts.count("t", frame)
    with pytest.raises(KeyError, match="'u'"):
        ts.protect().table("u")
