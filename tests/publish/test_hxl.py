"""Published CSV files with an HXL hashtag row, checked with libhxl (the HXL standard's own
library) and its core schema: no issue at any level, errors, warnings and info hints alike."""

from __future__ import annotations

import hxl
import hxl.input
import pandas as pd
import pytest

from protection_workbench.publish.hxl import (
    COMMON_TAGS,
    HXL_TAG,
    country_codes,
    people_tag,
    read_hxl_csv,
    split_totals,
    suggest_tags,
    table_tags,
    to_hxl,
    totals_path,
    write_hxl_files,
)
from protection_workbench.publish.tables import TOTAL, plain_numbers, write_tables

# A table as a page shows it: thousands separators, markers, ISO weeks, a total row.
TABLE = pd.DataFrame(
    {
        "week": ["2026-W47", "2026-W48 (to 24 Nov)", TOTAL],
        "mantika": ["Tripoli", "Misrata, centre", TOTAL],
        "destination": ["Nigeria", "Côte d'Ivoire", ""],
        "female_children": ["<5", "12", "[c]"],
        "returns": ["1,234", "0", "1,240"],
    }
)
TAGS = {
    "week": "#date+start",
    "mantika": "#adm1+name",
    "destination": "#country+name+dest",
    "female_children": "#reached+ind+f+children",
    "returns": "#reached+ind",
}


def validate(path) -> dict:
    """libhxl's report on ``path`` against the HXL core schema."""
    source = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    return hxl.validate(source, hxl.schema())


def issues(report: dict) -> list:
    """Every issue, whatever its level (an info-level numeric-outlier hint included)."""
    return [
        (i["severity"], i["description"], [loc["location_value"] for loc in i["locations"]])
        for i in report["issues"]
    ]


def test_the_table_as_shown_fails_libhxl_and_as_written_passes(tmp_path):
    shown = tmp_path / "shown.csv"
    with shown.open("w", encoding="utf-8") as handle:
        handle.write(",".join(TAGS) + "\n" + ",".join(TAGS.values()) + "\n")
        TABLE.to_csv(handle, header=False, index=False)
    before = validate(shown)
    assert not before["is_valid"] and before["stats"]["error"] >= 3  # "1,234", "<5", weeks
    written = write_hxl_files(TABLE, tmp_path / "out" / "returns.csv", TAGS, total=TOTAL)
    assert written == [tmp_path / "out" / "returns.csv", tmp_path / "out" / "returns_totals.csv"]
    assert sorted(tmp_path.joinpath("out").iterdir()) == written  # no temporary file left
    for path in written:
        assert issues(validate(path)) == [], path.name


def test_written_form(tmp_path):
    path, totals = write_hxl_files(TABLE, tmp_path / "t.csv", TAGS, total=TOTAL)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "week,week (ISO week),mantika,destination,destination (ISO3),female_children,"
        "female_children (marker),returns,returns (marker)"
    )
    assert lines[1] == (
        "#date+start,#meta,#adm1+name,#country+name+dest,#country+code+dest,"
        "#reached+ind+f+children,#meta,#reached+ind,#meta"
    )
    # weeks as their Monday, ISO3 beside the name, markers beside their empty cell, plain numbers
    assert lines[2] == "2026-11-16,2026-W47,Tripoli,Nigeria,NGA,,<5,1234,"
    assert lines[3] == (
        '2026-11-23,2026-W48 (to 24 Nov),"Misrata, centre",Côte d\'Ivoire,CIV,12,,0,'
    )
    assert len(lines) == 4  # the total row is in a file of its own, numbers only
    assert totals.read_text(encoding="utf-8").splitlines() == [
        "female_children,female_children (marker),returns,returns (marker)",
        "#reached+ind+f+children,#meta,#reached+ind,#meta",
        ",[c],1240,",
    ]


def test_round_trip_gives_the_table_as_shown(tmp_path):
    write_hxl_files(TABLE, tmp_path / "t.csv", TAGS, total=TOTAL)
    data, tags = read_hxl_csv(tmp_path / "t.csv")
    assert tags == TAGS
    assert data["week"].tolist() == ["2026-W47", "2026-W48 (to 24 Nov)", TOTAL]
    assert data["female_children"].tolist() == ["<5", 12, "[c]"]
    assert data["returns"].tolist() == [1234, 0, 1240]
    assert data["mantika"].tolist() == ["Tripoli", "Misrata, centre", TOTAL]


def test_a_total_row_is_no_longer_flagged_as_an_outlier(tmp_path):
    """Issue 24: a "Total" row among the rows it adds up is a numeric outlier for libhxl's
    core schema (info level); in a file of its own it is not."""
    table = pd.DataFrame(
        {"mantika": [f"Mantika {i}" for i in range(12)] + [TOTAL], "n": [10] * 12 + [120]}
    )
    tags = {"mantika": "#adm1+name", "n": "#reached+ind"}
    shown = tmp_path / "shown.csv"
    shown.write_text(
        "mantika,n\n#adm1+name,#reached+ind\n" + table.to_csv(header=False, index=False)
    )
    assert ("info", "Possible numeric outlier", ["120"]) in issues(validate(shown))
    assert write_hxl_files(table, tmp_path / "t.csv", tags, total=TOTAL)[0] == tmp_path / "t.csv"
    for path in (tmp_path / "t.csv", tmp_path / "t_totals.csv"):
        assert issues(validate(path)) == [], path.name
    assert (tmp_path / "t_totals.csv").read_text("utf-8").splitlines()[2] == "120,"


def test_split_totals_keeps_the_numbers_of_total_rows_only():
    rows, totals = split_totals(TABLE, TAGS, TOTAL)
    assert rows["week"].tolist() == ["2026-W47", "2026-W48 (to 24 Nov)"]
    assert list(totals.columns) == ["female_children", "returns"]
    assert split_totals(TABLE.iloc[:2], TAGS, TOTAL)[1] is None
    assert split_totals(TABLE, TAGS, None)[1] is None


def test_index_is_written_with_its_tag(tmp_path):
    table = TABLE.set_index("week")
    write_hxl_files(table, tmp_path / "t.csv", TAGS, index=True, total=TOTAL)
    data, _ = read_hxl_csv(tmp_path / "t.csv")
    assert list(data.columns) == list(TABLE.columns)
    with pytest.raises(ValueError, match="'week'"):
        write_hxl_files(
            table, tmp_path / "u.csv", {k: v for k, v in TAGS.items() if k != "week"}, True
        )


def test_untagged_columns_are_named(tmp_path):
    tags = {k: v for k, v in TAGS.items() if k not in ("mantika", "returns")}
    with pytest.raises(ValueError, match="'mantika', 'returns'"):
        write_hxl_files(TABLE, tmp_path / "t.csv", tags)
    assert not (tmp_path / "t.csv").exists()


TAG_CASES = [
    "#reached+ind+f",
    "#Reached+F",
    "#DATE +Start",
    "#indicator+num+flight_type",
    "#x_y+a_1",
    "reached",
    "#reached+",
    "#reached f",
    "#1x",
    "#reached+1",
    "",
    "#",
]


@pytest.mark.parametrize("tag", TAG_CASES)
def test_hashtags_are_accepted_exactly_when_libhxl_accepts_them(tmp_path, tag):
    try:
        hxl.model.Column.parse(tag, use_exception=True)
        libhxl_accepts = bool(tag)
    except hxl.HXLException:
        libhxl_accepts = False
    if libhxl_accepts:
        write_hxl_files(TABLE, tmp_path / "t.csv", {**TAGS, "returns": tag})
        assert read_hxl_csv(tmp_path / "t.csv")[1]["returns"] == (
            hxl.model.Column.parse(tag).display_tag
        )
    else:
        with pytest.raises(ValueError, match="HXL"):
            write_hxl_files(TABLE, tmp_path / "t.csv", {**TAGS, "returns": tag})
        assert list(tmp_path.iterdir()) == []


def test_numbers_columns_without_markers_get_no_marker_column():
    frame, tags = to_hxl(
        pd.DataFrame({"flights": ["1,204", "3"], "amount": [12.5, 3.0]}),
        {"flights": "#indicator+num", "amount": "#value+transfer"},
    )
    assert list(frame.columns) == ["flights", "amount"]
    assert frame["flights"].tolist() == [1204, 3] and frame["amount"].tolist() == [12.5, 3.0]
    assert tags == ["#indicator+num", "#value+transfer"]


def test_amounts_get_their_currency(tmp_path):
    table = pd.DataFrame({"mantika": ["Tripoli"], "paid": ["1,250.5"]})
    tags = {"mantika": "#adm1+name", "paid": "#value+transfer"}
    frame, hashtags = to_hxl(table, tags, currency="LYD")
    assert list(frame.columns) == ["mantika", "paid", "Currency"]
    assert hashtags[-1] == "#currency+code" and frame["Currency"].tolist() == ["LYD"]
    assert list(to_hxl(table.iloc[:, :1], tags, currency="LYD")[0].columns) == ["mantika"]
    write_tables({"pay": table}, tmp_path, {"pay": tags})  # LYD by default
    assert read_hxl_csv(tmp_path / "pay.csv")[0].columns.tolist() == ["mantika", "paid"]
    assert (tmp_path / "pay.csv").read_text("utf-8").splitlines()[2] == "Tripoli,1250.5,LYD"


def test_country_names_get_their_iso3_code_and_nothing_is_guessed():
    names = pd.Series(["Nigeria", "Côte d'Ivoire", "Bolivia", "Not recorded", "Nigria", ""])
    assert country_codes(names).tolist() == ["NGA", "CIV", "BOL", "", "", ""]


def test_dates_as_shown_are_written_iso():
    frame, tags = to_hxl(
        pd.DataFrame({"flight date": ["Mon 23 Nov 2026", "1 Dec 2026"], "month": ["2026-11", ""]}),
        {"flight date": "#date", "month": "#date"},
    )
    assert frame["flight date"].tolist() == ["2026-11-23", "2026-12-01"]
    assert frame["month"].tolist() == ["2026-11", ""] and tags == ["#date", "#date"]


def test_text_in_a_number_column_is_kept_as_a_marker(tmp_path):
    table = pd.DataFrame({"figure": ["a", "b"], "count": ["not available", "7"]})
    write_hxl_files(
        table, tmp_path / "t.csv", {"figure": "#indicator+name", "count": "#indicator+num"}
    )
    assert issues(validate(tmp_path / "t.csv")) == []
    assert read_hxl_csv(tmp_path / "t.csv")[0]["count"].tolist() == ["not available", 7]


def test_written_tables_pass_libhxl(tmp_path):
    tables = {
        "by_week": TABLE.set_index("week"),
        "months": pd.DataFrame(
            {"period": ["2026-10", "2026-11", TOTAL], "paid": ["1,000", "<5", "1,004"]}
        ).set_index("period"),
    }
    tags = {"by_week": TAGS, "months": {"period": "#date", "paid": "#reached+ind"}}
    written = write_tables(tables, tmp_path, tags, prefix="x_", index=True)
    assert [p.name for p in written] == [
        "x_by_week.csv",
        "x_by_week_totals.csv",
        "x_months.csv",
        "x_months_totals.csv",
    ]
    for path in written:
        assert issues(validate(path)) == [], path.name
    months, _ = read_hxl_csv(tmp_path / "x_months.csv")
    assert months["period"].tolist() == ["2026-10", "2026-11", TOTAL]
    assert totals_path(tmp_path / "x_months.csv") == tmp_path / "x_months_totals.csv"


def test_plain_numbers():
    out = plain_numbers(pd.DataFrame({"a": ["1,234", "<5", "x", "-7"], "b": [1, 2, 3, 4]}))
    assert out["a"].tolist() == [1234, "<5", "x", -7]
    assert out["b"].tolist() == [1, 2, 3, 4]


def test_common_tags_are_valid_and_suggested():
    assert all(HXL_TAG.match(tag) for tag in COMMON_TAGS.values())
    for tag in COMMON_TAGS.values():
        hxl.model.Column.parse(tag, use_exception=True)
    assert COMMON_TAGS["female_children"] == "#reached+ind+f+children"
    assert suggest_tags(TABLE.columns) == {**TAGS, "returns": "#reached+ind"}
    assert suggest_tags(["Departing mantika"]) == {"Departing mantika": "#adm1+name"}
    assert suggest_tags(["x"], extra={"x": "#meta"}) == {"x": "#meta"}
    assert HXL_TAG.match("#reached +f +children")


@pytest.mark.parametrize(
    ("heading", "tag"),
    [
        ("Female", "#reached+ind+f"),
        ("Male", "#reached+ind+m"),
        ("Women and girls", "#reached+ind+f"),
        ("Men and boys", "#reached+ind+m"),
        ("Children", "#reached+ind+children"),
        ("Adults (18 and over)", "#reached+ind+adults"),
        ("Total", "#reached+ind"),
        ("This week", "#reached+ind"),
        ("Women and men", "#reached+ind"),  # both sexes: no sex attribute
    ],
)
def test_people_tags_use_the_core_attributes(heading, tag):
    assert people_tag(heading) == tag


def test_table_tags_read_the_headings():
    table = pd.DataFrame(
        {
            "Female": ["<5", "12"],
            "Male": ["3", "[c]"],
            "Flights": ["1", "0"],
            "Amount (LYD)": ["10.5", "0"],
            "Flight date": ["Mon 23 Nov 2026", "Tue 24 Nov 2026"],
            "Week": ["This week", "Next week"],
            "Note": ["a", "b"],
        },
        index=pd.Index(["0–4", TOTAL], name="Age group"),
    )
    assert table_tags(table, people=["Female", "Male"]) == {
        "Age group": "#beneficiary+type",
        "Female": "#reached+ind+f",
        "Male": "#reached+ind+m",
        "Flights": "#indicator+num",
        "Amount (LYD)": "#value+transfer",
        "Flight date": "#date",
        "Week": "#meta",  # relative periods, not dates
        "Note": "#meta",
    }
    weeks = pd.DataFrame({"Returns": ["4", "5"]}, index=pd.Index(["2026-W47", TOTAL], name="Week"))
    assert table_tags(weeks, people=["Returns"]) == {
        "Week": "#date+start",
        "Returns": "#reached+ind",
    }
    assert table_tags(pd.DataFrame({"n": ["1"]}))["row"] == "#indicator+name"


def test_reading_a_file_without_hashtags_fails(tmp_path):
    path = tmp_path / "plain.csv"
    TABLE.to_csv(path, index=False)
    with pytest.raises(ValueError, match="HXL"):
        read_hxl_csv(path)
