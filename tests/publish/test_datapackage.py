"""The Data Package of published tables: valid for Frictionless, typed, each field with a
plain-English description and its HXL hashtag, and every resource valid HXL."""

from __future__ import annotations

import json
from datetime import date

import frictionless
import hxl
import hxl.input
import pandas as pd
import pytest

from protection_workbench.publish.datapackage import title_of, write_datapackage
from protection_workbench.publish.tables import TOTAL, write_tables

TABLES = {
    "returns_by_week": pd.DataFrame(
        {"week": ["2026-W46", "2026-W47"], "returns": ["1,204", "<5"]}
    ).set_index("week"),
    "payments": pd.DataFrame(
        {
            "period": ["2026-10", "2026-11", TOTAL],
            "hosts": ["[c]", "12", "15"],
            "paid_lyd": ["31,435.5", "28,477", "59,912.5"],
        }
    ).set_index("period"),
}
TAGS = {
    "returns_by_week": {"week": "#date+start", "returns": "#reached+ind"},
    "payments": {"period": "#date", "hosts": "#reached+ind", "paid_lyd": "#value+transfer"},
}


@pytest.fixture
def package(tmp_path):
    written = write_tables(TABLES, tmp_path / "tables", TAGS, index=True)
    path = write_datapackage(
        tmp_path,
        written,
        name="2026-W47_20261124T060000Z",
        title="Published tables, week 2026-W47",
        description="The tables of the weekly reports.",
        groups={"payments.csv": ("Community hosting monitoring summary", "")},
        created="2026-11-24T06:00:00Z",
    )
    return path


def test_frictionless_validates_the_package_and_reads_typed_rows(package):
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])
    pkg = frictionless.Package(str(package))
    weeks = pkg.get_resource("returns_by_week").read_rows()
    assert [r["week"] for r in weeks] == [date(2026, 11, 9), date(2026, 11, 16)]
    assert [r["returns"] for r in weeks] == [1204, None]
    assert [r["returns (marker)"] for r in weeks] == [None, "<5"]
    payments = pkg.get_resource("payments").read_rows()
    assert [r["paid_lyd"] for r in payments] == [31435.5, 28477]
    assert [r["Currency"] for r in payments] == ["LYD", "LYD"]
    totals = pkg.get_resource("payments_totals").read_rows()  # the Total row, apart
    assert [(r["hosts"], r["paid_lyd"]) for r in totals] == [(15, 59912.5)]


def test_fields_have_types_descriptions_and_hashtags(package):
    data = json.loads(package.read_text("utf-8"))
    assert data["name"] == "2026-w47_20261124t060000z"
    resources = {r["name"]: r for r in data["resources"]}
    assert resources["returns_by_week"]["path"] == "tables/returns_by_week.csv"
    assert resources["returns_by_week"]["dialect"]["commentRows"] == [2]  # the HXL row
    assert resources["payments"]["report"] == "Community hosting monitoring summary"
    fields = {f["name"]: f for r in data["resources"] for f in r["schema"]["fields"]}
    assert {n: f["type"] for n, f in fields.items()} == {
        "week": "date",
        "week (ISO week)": "string",
        "returns": "integer",
        "returns (marker)": "string",
        "period": "yearmonth",
        "hosts": "integer",
        "hosts (marker)": "string",
        "paid_lyd": "number",
        "Currency": "string",
    }
    assert fields["returns"]["hxl"] == "#reached+ind"
    assert fields["hosts (marker)"]["hxl"] == "#meta"
    assert fields["Currency"]["hxl"] == "#currency+code"
    assert "ISO 4217" in fields["Currency"]["description"]
    assert "Monday" in fields["week"]["description"]
    assert "ISO year-Wweek" in fields["week (ISO week)"]["description"]
    assert "payments.csv" in resources["payments_totals"]["description"]
    assert "fewer than 5 people" in fields["returns (marker)"]["description"]
    assert fields["paid_lyd"]["description"].startswith("Paid lyd: amount")
    assert all(f["description"] for f in fields.values())
    for resource in data["resources"]:
        path = package.parent / resource["path"]
        report = hxl.validate(hxl.data(str(path), hxl.input.InputOptions(allow_local=True)))
        assert report["issues"] == [], path.name  # no issue at any level


def test_a_table_that_no_longer_matches_its_description_fails(package):
    table = package.parent / "tables" / "payments.csv"
    lines = table.read_text("utf-8").splitlines()
    lines[2] = lines[2].replace("2026-10", "October")
    table.write_text("\n".join(lines) + "\n", "utf-8")
    report = frictionless.validate(str(package))
    assert not report.valid
    assert {kind for (kind,) in report.flatten(["type"])} == {"type-error"}


def test_titles():
    assert title_of("community_hosting_exits_by_reason", "community_hosting_") == (
        "Exits by reason"
    )
    assert title_of("returns_by_sex_age_ytd") == "Returns by sex age year to date"
    assert title_of("weekly_nfi_kits", ("weekly_report_", "weekly_")) == "NFI kits"
    assert title_of("vhr_returns_by_bia_status") == "VHR returns by BIA status"
    assert title_of("weekly_nfi_kits_totals", "weekly_") == "NFI kits (totals)"
