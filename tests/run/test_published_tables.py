"""Every table a weekly run publishes is valid HXL (libhxl, HXL core schema), the run's
datapackage.json is a valid Frictionless Data Package describing each of them, and each
table is linked from the page of the report that wrote it and from the run's page."""

from __future__ import annotations

import json
import re
from pathlib import Path

import frictionless
import hxl
import hxl.input
import pytest

from protection_workbench.publish.hxl import is_number_tag

# The reports that publish tables (CSV with an HXL row) into the run's tables/ folder.
PUBLISHERS = ("weekly_report.html", "community_hosting.html")


@pytest.fixture(scope="module")
def run(weekly_demo_run) -> tuple[Path, dict]:
    out, record = weekly_demo_run
    return out / record["run_id"], record


def _hxl_report(path: Path) -> dict:
    source = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
    return hxl.validate(source, hxl.schema())


def test_every_published_table_is_valid_hxl(run):
    folder, _ = run
    tables = sorted((folder / "tables").glob("*.csv"))
    assert len(tables) >= len(PUBLISHERS)
    failures = {}
    for path in tables:
        report = _hxl_report(path)
        # errors (a marker in a number column, a week in a date column) and warnings;
        # info-level hints (a possible numeric outlier) describe the values, not the file
        issues = [
            (i["severity"], i["description"], [loc["location_value"] for loc in i["locations"]])
            for i in report["issues"]
            if i["severity"] in ("error", "warning")
        ]
        if issues:
            failures[path.name] = issues
    assert failures == {}


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
