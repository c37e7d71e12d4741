"""Every table a weekly run publishes is valid HXL (libhxl, HXL core schema) with no issue
at any level and uses only hashtags and attributes of the HXL dictionary, the run's
datapackage.json is a valid Frictionless Data Package describing each of them, and each
table is linked from the page of the report that wrote it and from the run's page."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import frictionless
import hxl
import hxl.input
import pytest

from protection_workbench.publish.hxl import (
    TOTALS_SUFFIX,
    is_number_tag,
    outside_dictionary,
    read_dictionary,
    read_hxl_rows,
)

# The reports that publish tables (CSV with an HXL row) into the run's tables/ folder.
PUBLISHERS = ("weekly_report.html", "community_hosting.html")
DICTIONARY = Path(__file__).resolve().parent.parent / "data" / "hxl"  # see its SOURCE.md

# libhxl's numeric-outlier hint (info level) flags any value more than three standard
# deviations from the others: a real busy week of a series is one, a total among its rows
# was one too (totals now have their own file). The one real value of the demo run it
# flags is named here, so that any other issue, at any level, fails the test.
DEMO_FACTS = {
    ("weekly_returns_by_week.csv", "info", "Possible numeric outlier", ("35",)): (
        "2026-W41, the busiest week of the demo's returns (35; 9 to 23 in the other weeks)"
    ),
}


@pytest.fixture(scope="module")
def run(weekly_demo_run) -> tuple[Path, dict]:
    out, record = weekly_demo_run
    return out / record["run_id"], record


def _hxl_report(path: Path) -> dict:
    source = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    return hxl.validate(source, hxl.schema())


def test_every_published_table_is_valid_hxl_with_no_issue_at_any_level(run):
    folder, _ = run
    tables = sorted((folder / "tables").glob("*.csv"))
    assert len(tables) >= len(PUBLISHERS)
    found = {
        (
            path.name,
            i["severity"],
            i["description"],
            tuple(loc["location_value"] for loc in i["locations"]),
        )
        for path in tables
        for i in _hxl_report(path)["issues"]
    }
    assert found - set(DEMO_FACTS) == set()  # errors, warnings and info hints alike


def test_every_hashtag_and_attribute_is_in_the_hxl_dictionary(run):
    folder, _ = run
    dictionary = read_dictionary(DICTIONARY / "hashtag.hxl.csv", DICTIONARY / "attribute.hxl.csv")
    unknown = {
        path.name: outside_dictionary(read_hxl_rows(path)[1], dictionary)
        for path in sorted((folder / "tables").glob("*.csv"))
    }
    assert {name: tags for name, tags in unknown.items() if tags} == {}
    used = {t for path in (folder / "tables").glob("*.csv") for t in read_hxl_rows(path)[1]}
    # sex, age and individuals by the core attributes; ISO3 beside country names; currency
    assert {"#reached+ind+f", "#reached+ind+m", "#reached+ind+children"} <= used
    assert {"#country+name+dest", "#country+code+dest", "#date+start", "#adm1+name"} <= used
    assert {"#value+transfer", "#value+budget", "#currency+code"} <= used


def test_totals_are_in_their_own_files(run):
    folder, _ = run
    tables = {p.name: p for p in (folder / "tables").glob("*.csv")}
    totals = [name for name in tables if name.endswith(f"{TOTALS_SUFFIX}.csv")]
    assert totals
    for name in totals:
        assert name.replace(TOTALS_SUFFIX, "", 1) in tables, name
    for name, path in tables.items():  # no row of a table is labelled "Total"
        rows = path.read_text("utf-8").splitlines()[2:]
        assert not any(cell == "Total" for row in csv.reader(rows) for cell in row), name


def test_the_data_package_describes_every_table_and_is_valid(run):
    folder, _ = run
    package = folder / "datapackage.json"
    report = frictionless.validate(str(package))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    data = json.loads(package.read_text("utf-8"))
    paths = {r["path"] for r in data["resources"]}
    assert paths == {f"tables/{p.name}" for p in (folder / "tables").glob("*.csv")}
    for resource in data["resources"]:
        assert resource["title"] and resource["report"], resource["name"]
        for field in resource["schema"]["fields"]:
            assert field["description"] and field["hxl"].startswith("#"), field
    # counts are typed as numbers (a hidden count is an empty cell, its marker beside it)
    counted = [
        (resource["name"], field["name"], field["type"])
        for resource in data["resources"]
        for field in resource["schema"]["fields"]
        if is_number_tag(field["hxl"])
    ]
    assert counted and all(kind in ("integer", "number") for *_, kind in counted), counted


def _links(page: Path) -> list[str]:
    return re.findall(r'href="(tables/[^"]+\.csv)"', page.read_text("utf-8"))


def test_each_report_links_its_tables_and_the_run_page_links_all(run):
    folder, record = run
    by_report = {r["html"]: r.get("tables", []) for r in record["reports"] if r.get("html")}
    for page in PUBLISHERS:
        assert page in by_report, f"{page} was not produced"
        links = _links(folder / page)
        assert links and sorted(links) == sorted(f"tables/{n}" for n in by_report[page])
        assert "Download the tables of this report" in (folder / page).read_text("utf-8")
    for page, tables in by_report.items():
        if page not in PUBLISHERS:
            assert tables == [] and _links(folder / page) == []
    index = folder / "index.html"
    assert sorted(_links(index)) == sorted(
        f"tables/{p.name}" for p in (folder / "tables").glob("*.csv")
    )
    assert all((folder / link).is_file() for link in _links(index))
    assert 'href="datapackage.json"' in index.read_text("utf-8")
