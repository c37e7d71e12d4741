"""Published CSV files with an HXL hashtag row, checked with libhxl (the HXL standard's own
library) and its core schema."""

from __future__ import annotations

import hxl
import hxl.input
import pandas as pd
import pytest

from protection_workbench.publish.hxl import (
    COMMON_TAGS,
    HXL_TAG,
    read_hxl_csv,
    suggest_tags,
    to_hxl,
    write_hxl_csv,
)
from protection_workbench.publish.tables import TOTAL, plain_numbers, write_tables

# A table as a page shows it: thousands separators, markers, ISO weeks, a total row.
TABLE = pd.DataFrame(
    {
        "week": ["2026-W47", "2026-W48", TOTAL],
        "mantika": ["Tripoli", "Misrata, centre", TOTAL],
        "destination": ["NGA", "NAM", ""],
        "female_children": ["<5", "12", "[c]"],
        "returns": ["1,234", "0", "1,240"],
    }
)
TAGS = {
    "week": "#date+week",
    "mantika": "#adm1+name",
    "destination": "#country+code",
    "female_children": "#affected+f+children",
    "returns": "#affected+returned",
}


def validate(path) -> dict:
    """libhxl's report on ``path`` against the HXL core schema."""
    source = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    return hxl.validate(source, hxl.schema())


def problems(report: dict) -> list:
    """Errors and warnings (info-level hints such as a possible numeric outlier are
    statistics about the values, not faults of the file)."""
    return [i for i in report["issues"] if i["severity"] in ("error", "warning")]


def test_the_table_as_shown_fails_libhxl_and_as_written_passes(tmp_path):
    shown = tmp_path / "shown.csv"
    with shown.open("w", encoding="utf-8") as handle:
        handle.write(",".join(TAGS) + "\n" + ",".join(TAGS.values()) + "\n")
        TABLE.to_csv(handle, header=False, index=False)
    before = validate(shown)
    assert not before["is_valid"] and before["stats"]["error"] >= 3  # "1,234", "<5", weeks
    path = write_hxl_csv(TABLE, tmp_path / "out" / "returns.csv", TAGS, total=TOTAL)
    assert list(tmp_path.joinpath("out").iterdir()) == [path]  # no temporary file left
    report = validate(path)
    assert report["stats"]["error"] == 0 and problems(report) == []


def test_written_form(tmp_path):
    path = write_hxl_csv(TABLE, tmp_path / "t.csv", TAGS, total=TOTAL)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == (
        "week,week (ISO week),week (marker),mantika,destination,female_children,"
        "female_children (marker),returns,returns (marker),Total row"
    )
    assert lines[1] == (
        "#date+week,#meta+week,#meta+marker+date+week,#adm1+name,#country+code,"
        "#affected+f+children,#meta+marker+affected+f+children,#affected+returned,"
        "#meta+marker+affected+returned,#meta+total"
    )
    # weeks as their Monday, markers beside their empty cell, plain numbers, totals flagged
    assert lines[2] == "2026-11-16,2026-W47,,Tripoli,NGA,,<5,1234,,no"
    assert lines[3] == '2026-11-23,2026-W48,,"Misrata, centre",NAM,12,,0,,no'
    assert lines[4] == ",,Total,Total,,,[c],1240,,yes"


def test_round_trip_gives_the_table_as_shown(tmp_path):
    path = write_hxl_csv(TABLE, tmp_path / "t.csv", TAGS, total=TOTAL)
    data, tags = read_hxl_csv(path)
    assert tags == TAGS
    assert data["week"].tolist() == ["2026-W47", "2026-W48", TOTAL]
    assert data["female_children"].tolist() == ["<5", 12, "[c]"]
    assert data["returns"].tolist() == [1234, 0, 1240]
    assert data["mantika"].tolist() == ["Tripoli", "Misrata, centre", TOTAL]


def test_index_is_written_with_its_tag(tmp_path):
    table = TABLE.set_index("week")
    path = write_hxl_csv(table, tmp_path / "t.csv", TAGS, index=True)
    data, _ = read_hxl_csv(path)
    assert list(data.columns) == list(TABLE.columns)
    with pytest.raises(ValueError, match="'week'"):
        write_hxl_csv(
            table, tmp_path / "u.csv", {k: v for k, v in TAGS.items() if k != "week"}, True
        )


def test_untagged_columns_are_named(tmp_path):
    tags = {k: v for k, v in TAGS.items() if k not in ("mantika", "returns")}
    with pytest.raises(ValueError, match="'mantika', 'returns'"):
        write_hxl_csv(TABLE, tmp_path / "t.csv", tags)
    assert not (tmp_path / "t.csv").exists()


TAG_CASES = [
    "#affected+f+children",
    "#Affected+F",
    "#DATE +Week",
    "#indicator+category+flight_type",
    "#x_y+a_1",
    "affected",
    "#affected+",
    "#affected f",
    "#1x",
    "#affected+1",
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
        path = write_hxl_csv(TABLE, tmp_path / "t.csv", {**TAGS, "returns": tag})
        assert read_hxl_csv(path)[1]["returns"] == hxl.model.Column.parse(tag).display_tag
    else:
        with pytest.raises(ValueError, match="HXL"):
            write_hxl_csv(TABLE, tmp_path / "t.csv", {**TAGS, "returns": tag})
        assert list(tmp_path.iterdir()) == []


def test_numbers_columns_without_markers_get_no_marker_column():
    frame, tags = to_hxl(
        pd.DataFrame({"flights": ["1,204", "3"], "amount": [12.5, 3.0]}),
        {"flights": "#indicator+flights", "amount": "#value+lyd"},
    )
    assert list(frame.columns) == ["flights", "amount"]
    assert frame["flights"].tolist() == [1204, 3] and frame["amount"].tolist() == [12.5, 3.0]
    assert tags == ["#indicator+flights", "#value+lyd"]


def test_text_in_a_number_column_is_kept_as_a_marker(tmp_path):
    table = pd.DataFrame({"figure": ["a", "b"], "count": ["not available", "7"]})
    path = write_hxl_csv(
        table, tmp_path / "t.csv", {"figure": "#indicator+name", "count": "#indicator+num"}
    )
    assert problems(validate(path)) == []
    assert read_hxl_csv(path)[0]["count"].tolist() == ["not available", 7]


def test_written_tables_pass_libhxl(tmp_path):
    tables = {
        "by_week": TABLE.set_index("week"),
        "months": pd.DataFrame(
            {"period": ["2026-10", "2026-11", TOTAL], "paid": ["1,000", "<5", "1,004"]}
        ).set_index("period"),
    }
    tags = {"by_week": TAGS, "months": {"period": "#date+month", "paid": "#affected+paid"}}
    written = write_tables(tables, tmp_path, tags, prefix="x_", index=True)
    assert [p.name for p in written] == ["x_by_week.csv", "x_months.csv"]
    for path in written:
        assert problems(validate(path)) == [], path.name
    months, _ = read_hxl_csv(tmp_path / "x_months.csv")
    assert months["period"].tolist() == ["2026-10", "2026-11", TOTAL]


def test_plain_numbers():
    out = plain_numbers(pd.DataFrame({"a": ["1,234", "<5", "x", "-7"], "b": [1, 2, 3, 4]}))
    assert out["a"].tolist() == [1234, "<5", "x", -7]
    assert out["b"].tolist() == [1, 2, 3, 4]


def test_common_tags_are_valid_and_suggested():
    assert all(HXL_TAG.match(tag) for tag in COMMON_TAGS.values())
    for tag in COMMON_TAGS.values():
        hxl.model.Column.parse(tag, use_exception=True)
    assert COMMON_TAGS["female_children"] == "#affected+f+children"
    assert suggest_tags(TABLE.columns) == TAGS
    assert suggest_tags(["x"], extra={"x": "#meta"}) == {"x": "#meta"}
    assert HXL_TAG.match("#affected +f +children")


def test_reading_a_file_without_hashtags_fails(tmp_path):
    path = tmp_path / "plain.csv"
    TABLE.to_csv(path, index=False)
    with pytest.raises(ValueError, match="HXL"):
        read_hxl_csv(path)
