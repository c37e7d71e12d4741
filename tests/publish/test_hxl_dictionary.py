"""Every hashtag and attribute the workbench publishes is in the HXL hashtag dictionary.

The dictionary is the HXL core schemas of the HXL Working Group (tests/data/hxl/, source
and copy named in tests/data/hxl/SOURCE.md), status "Released" only: no invented
attributes (``+female``, ``+individuals``, ``+category``, ``+hosts``), no deprecated ones.
"""

from __future__ import annotations

from pathlib import Path

import hxl
import hxl.input
import pandas as pd
import pytest

from protection_workbench.publish.hxl import (
    COMMON_TAGS,
    CURRENCY_TAG,
    META_TAG,
    outside_dictionary,
    read_dictionary,
    table_tags,
)
from protection_workbench.reports.community_hosting import TABLE_TAGS

HERE = Path(__file__).resolve().parent.parent / "data" / "hxl"
HASHTAGS, ATTRIBUTES = HERE / "hashtag.hxl.csv", HERE / "attribute.hxl.csv"


@pytest.fixture(scope="module")
def dictionary():
    return read_dictionary(HASHTAGS, ATTRIBUTES)


def test_the_vendored_files_are_the_hxl_core_schemas(dictionary):
    hashtags, attributes = dictionary
    assert {"affected", "reached", "targeted", "adm1", "country", "date", "value"} <= hashtags
    assert {"currency", "meta", "indicator", "beneficiary", "activity"} <= hashtags
    assert {"f", "m", "ind", "children", "adults", "code", "name", "start", "end"} <= attributes
    assert {"budget", "transfer", "dest", "num", "type"} <= attributes
    # what the tables used before issue 24 is not in it; deprecated, beta and proposed are out
    assert not {"female", "male", "individuals", "people", "category", "returned"} & attributes
    assert not {"en", "ar", "label", "pct", "returnees", "spend"} & attributes
    # libhxl itself reads both files as HXL (the rows below their hashtag row)
    for path, column in ((HASHTAGS, "#valid_tag"), (ATTRIBUTES, "#valid_attribute")):
        rows = list(hxl.data(str(path), hxl.input.InputOptions(allow_local=True)))
        assert len(rows) > 40 and all(r.get(column) for r in rows if r.get("#status"))


def test_outside_dictionary_names_each_unknown_hashtag_and_attribute(dictionary):
    before = ["#affected+female", "#indicator+category", "#org+hosts+paid", "#x_flights"]
    assert outside_dictionary(before, dictionary) == ["+female", "+category", "+hosts", "+paid",
                                                      "#x_flights"]  # fmt: skip
    assert outside_dictionary(["#reached+ind+f", "#country+code+dest"], dictionary) == []
    assert outside_dictionary(["#Reached +F"], dictionary) == []


def test_the_suggested_tags_are_in_the_dictionary(dictionary):
    assert outside_dictionary([*COMMON_TAGS.values(), META_TAG, CURRENCY_TAG], dictionary) == []


def test_community_hosting_tags_are_in_the_dictionary(dictionary):
    tags = [tag for table in TABLE_TAGS.values() for tag in table.values()]
    assert outside_dictionary(tags, dictionary) == []


def test_weekly_table_tags_are_in_the_dictionary(dictionary):
    """The weekly report tags its tables by their headings (:func:`table_tags`): whatever
    the headings, the tags stay in the dictionary."""
    table = pd.DataFrame(
        {
            "Female": ["1"],
            "Men and boys": ["<5"],
            "Since programme start": ["7"],
            "Charter flights": ["2"],
            "Amount (LYD)": ["3.5"],
            "Anything else": ["text"],
        },
        index=pd.Index(["x"], name="Some heading never seen"),
    )
    tags = table_tags(table, people=["Female", "Men and boys", "Since programme start"])
    assert outside_dictionary(tags.values(), dictionary) == []
