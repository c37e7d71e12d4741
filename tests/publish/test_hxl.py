"""Published CSV files with an HXL hashtag row."""

from __future__ import annotations

import pandas as pd
import pytest

from protection_workbench.publish.hxl import (
    COMMON_TAGS,
    HXL_TAG,
    read_hxl_csv,
    suggest_tags,
    write_hxl_csv,
)

TABLE = pd.DataFrame(
    {
        "week": ["2026-W47", "2026-W48"],
        "mantika": ["Tripoli", "Misrata, centre"],
        "destination": ["NGA", "NAM"],
        "female_children": ["<5", "12"],
        "returns": [1234, 0],
    }
)
TAGS = {
    "week": "#date+week",
    "mantika": "#adm1+name",
    "destination": "#country+code",
    "female_children": "#affected+f+children",
    "returns": "#affected+returned",
}


def test_round_trip(tmp_path):
    path = write_hxl_csv(TABLE, tmp_path / "out" / "returns.csv", TAGS)
    assert path == tmp_path / "out" / "returns.csv"
    data, tags = read_hxl_csv(path)
    pd.testing.assert_frame_equal(data, TABLE, check_dtype=False)
    assert tags == TAGS
    assert list(tmp_path.joinpath("out").iterdir()) == [path]  # no temporary file left


def test_hashtag_row_is_line_two(tmp_path):
    path = write_hxl_csv(TABLE, tmp_path / "t.csv", TAGS)
    lines = path.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "week,mantika,destination,female_children,returns"
    assert lines[1] == "#date+week,#adm1+name,#country+code,#affected+f+children,#affected+returned"
    assert lines[2] == "2026-W47,Tripoli,NGA,<5,1234"
    assert lines[3].startswith('2026-W48,"Misrata, centre",NAM')


def test_index_is_written_with_its_tag(tmp_path):
    table = TABLE.set_index("week")
    path = write_hxl_csv(table, tmp_path / "t.csv", TAGS, index=True)
    data, tags = read_hxl_csv(path)
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


@pytest.mark.parametrize("bad", ["affected", "#Affected", "#affected+", "#affected f", "#1x", ""])
def test_bad_tag_is_refused(tmp_path, bad):
    with pytest.raises(ValueError, match="HXL"):
        write_hxl_csv(TABLE, tmp_path / "t.csv", {**TAGS, "returns": bad})
    assert list(tmp_path.iterdir()) == []


def test_common_tags_are_valid_and_suggested():
    assert all(HXL_TAG.match(tag) for tag in COMMON_TAGS.values())
    assert COMMON_TAGS["female_children"] == "#affected+f+children"
    assert COMMON_TAGS["male_adults"] == "#affected+m+adults"
    assert COMMON_TAGS["count"] == "#indicator+num"
    assert suggest_tags(TABLE.columns) == {
        "week": "#date+week",
        "mantika": "#adm1+name",
        "destination": "#country+code",
        "female_children": "#affected+f+children",
        "returns": "#affected+returned",
    }
    assert suggest_tags(["x"], extra={"x": "#meta"}) == {"x": "#meta"}
    assert HXL_TAG.match("#affected +f +children")


def test_reading_a_file_without_hashtags_fails(tmp_path):
    path = tmp_path / "plain.csv"
    TABLE.to_csv(path, index=False)
    with pytest.raises(ValueError, match="HXL"):
        read_hxl_csv(path)
