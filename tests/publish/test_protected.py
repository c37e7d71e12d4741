"""The protected table set: one set of published numbers per report."""

from __future__ import annotations

import json

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


# ----------------------------------------------------------------------------- joint protection

import attacker  # noqa: E402  (tests/ is on the path)


class EachOnItsOwn:
    """What a report would publish if each table were protected on its own (the old way):
    for showing that the attacker does find leaks there."""

    def __init__(self, published):
        self.published = published

    def names(self):
        return self.published.names()

    def definition(self, name):
        return self.published.definition(name)

    def table(self, name):
        shown = self.published.table(name)
        rows, cols = list(shown.index), list(shown.columns)
        masks = attacker.cell_masks(self.definition(name), rows, cols)
        truth = pd.DataFrame(
            [[int(masks[(r, c)].sum()) for c in cols] for r in rows], index=rows, columns=cols
        )
        one = shown.shape == (1, 1)
        row_total = "Total" if "Total" in rows and not one else None
        col_total = "Total" if "Total" in cols and not one else None
        return D.suppress_table(truth, M, row_total=row_total, col_total=col_total)


def linked_tables(frame: pd.DataFrame) -> TableSet:
    """Tables of one report about one set of records, as a weekly report has them."""
    week = frame["week"].to_numpy()
    ts = TableSet(min_cell=M)
    ts.count("nat_sex", frame, rows="nationality", cols="sex", totals=True)
    ts.count("age_sex", frame, rows="age", cols="sex", totals=True)
    ts.count("nat_age_week", frame, rows="nationality", cols="age", where=week)
    ts.count("total", frame, title="Returns")
    ts.count("children", frame, where=frame["age"].isin(["0-4", "5-17"]).to_numpy())
    ts.count(
        "by_nat",
        frame,
        rows="nationality",
        cols={"this week": week, "all": frame["sex"].notna().to_numpy()},
        totals=True,
    )
    return ts


def linked_people(n: int, seed: int) -> pd.DataFrame:
    frame = people(n, seed)
    frame["week"] = np.random.default_rng(seed + 1000).random(n) < 0.1
    return frame


def test_a_headline_total_cannot_give_away_a_small_cell_of_a_table_without_totals():
    frame = pd.DataFrame({"nationality": ["SDN"] * 40 + ["NGA"] * 30 + ["TCD"] * 3})
    ts = TableSet(min_cell=M)
    ts.count("by_nat", frame, rows="nationality")
    ts.count("total", frame)
    published = ts.protect()
    # on its own the table hides only TCD, and 73 - 40 - 30 = 3
    assert attacker.recovered(EachOnItsOwn(published)) == {("by_nat", "TCD", "Number"): (3, 3)}
    # together: the smallest other cell is hidden, not the headline total
    assert published.table("by_nat")["Number"].to_dict() == {"NGA": "[c]", "SDN": "40", "TCD": "<5"}
    assert published.total("total") == "73"
    assert attacker.recovered(published) == {}


def test_chart_bars_and_sentences_read_the_hidden_cells_as_hidden():
    # the case: a bar labelled 5 and "31 children" next to a table that hides them
    frame = linked_people(300, 3)
    published = linked_tables(frame).protect()
    table, values = published.table("age_sex"), published.values("age_sex")
    markers = table.isin(MARKERS)
    assert markers.to_numpy().any()
    assert (values.isna() == markers).to_numpy().all()  # a chart draws no hidden bar
    for (r, c), hidden in markers.stack().items():
        said = published.say("age_sex", r, c)
        assert said in ("fewer than 5", "not shown") if hidden else said == table.loc[r, c]
    assert attacker.recovered(published) == {}


@pytest.mark.parametrize("n", [60, 150, 400, 2000])
@pytest.mark.parametrize("seed", [0, 1, 2, 8, 12])
def test_attacker_recovers_no_hidden_cell_of_linked_tables(n, seed):
    frame = linked_people(n, seed)
    published = linked_tables(frame).protect()
    assert attacker.dishonest(published, M) == []
    assert attacker.recovered(published, M) == {}


def test_the_attacker_is_real_tables_protected_one_by_one_leak():
    leaks = {}
    for seed in (0, 8, 12):
        frame = linked_people(150, seed)
        leaks[seed] = attacker.recovered(EachOnItsOwn(linked_tables(frame).protect()), M)
    assert all(leaks.values()), leaks


def test_joint_protection_hides_little_more_than_each_table_on_its_own():
    frame = linked_people(2000, 1)
    published = linked_tables(frame).protect()
    alone = EachOnItsOwn(published)
    own = sum(alone.table(n).isin(MARKERS).to_numpy().sum() for n in published.names())
    joint = published.summary()["cells_hidden"]
    assert own <= joint <= own + 10


def test_exact_tables_of_the_same_records_are_known_to_the_audit():
    frame = pd.DataFrame({"sex": ["F"] * 3 + ["M"] * 40 + ["X"] * 9})
    ts = TableSet(min_cell=M)
    ts.count("people_by_sex", frame, rows="sex", totals=True)
    ts.count("records_by_sex", frame, rows="sex", people=False)
    with pytest.raises(ValueError, match="'people_by_sex'.*exactly"):
        ts.protect()


def test_ready_tables_of_people_are_protected_on_their_own():
    ready = pd.DataFrame({"a": [3, 10, 13], "b": [20, 30, 50]}, index=["x", "y", "Total"])
    ts = TableSet(min_cell=M)
    ts.add("ready", ready, people=True)
    shown = ts.protect().table("ready")
    assert shown.loc["x", "a"] == "<5" and shown.loc["y", "a"] == "[c]"
    assert shown.loc["Total", "a"] == "13"


# ----------------------------------------------------------------------------- the record


def test_summary_and_the_record_written_for_the_run(tmp_path):
    from protection_workbench.publish import protected

    frame = linked_people(2000, 2)
    published = linked_tables(frame).protect()
    s = published.summary()
    assert 0 < s["cells_hidden"] < s["cells"] and 0 < s["people_hidden"] < s["people"]
    path = protected.write_summary(published, tmp_path, prefix="weekly_")
    assert path.name == "weekly_disclosure.json"
    record = json.loads(path.read_text("utf-8"))
    assert record["cells"] == s["cells"] and record["cells_hidden"] == s["cells_hidden"]
    # a share, rounded so that it does not tell the hidden sum: whole percent below 10 000
    assert 1_000 <= s["people"] < 10_000
    assert record["people_hidden_percent"] == round(100 * s["people_hidden"] / s["people"])
    # no count of people in the file: a sum of hidden cells would be one more equation
    assert "people" not in record and "people_hidden" not in record
    # what the weekly run copies into run.json: only what a report wrote while it ran
    before = protected.disclosure_files(tmp_path)
    assert protected.read_disclosure(tmp_path, before) == {}
    small = TableSet(min_cell=M)
    small.count("total", frame.head(40))
    protected.write_summary(small.protect(), tmp_path, prefix="other_")
    assert protected.read_disclosure(tmp_path, before)["disclosure"]["tables"] == 1
    # too few people for a safe share
    assert protected.disclosure_record(small.protect())["people_hidden_percent"] is None


def test_the_warm_solver_and_linprog_agree():
    from protection_workbench.publish.protected import _Programme

    frame = linked_people(400, 5)
    published = linked_tables(frame).protect()
    cells = attacker.published_cells(published)[id(frame)]
    membership = np.vstack([c.members for c in cells]).astype(float)
    from scipy import sparse

    a = sparse.csr_matrix(membership)
    values = np.array([c.truth for c in cells], dtype=float)
    lower = np.where([c.shown in MARKERS for c in cells], 1.0, values)
    upper = np.where([c.shown in MARKERS for c in cells], np.inf, values)
    warm, cold = _Programme(a, lower, upper), _Programme(a, lower, upper, warm=False)
    assert warm._highs is not None and cold._highs is None
    for k in np.flatnonzero(lower != upper)[:6]:
        for sense in (1.0, -1.0):
            objective = sense * a[k].toarray().ravel()
            w, c = warm.solve(objective), cold.solve(objective)
            assert w[0] == c[0]
            assert w[1] == pytest.approx(c[1])
