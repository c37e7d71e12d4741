"""Issue 24: a column taken through a header alias whose values are almost all
unrecognised is probably another column: reported with its header and alias, not used,
its values kept, every row still accounted for.

The fixture follows the IOM Missing Migrants Project download (missingmigrants.iom.int,
``Missing_Migrants_Global_Figures_allData.csv``): its column "Region" holds world regions
("Northern Africa", "Mediterranean", "Southern Europe" ...). "Region" is an alias of
``mantika`` (Libyan regions) in config/header_aliases.yaml, so all 17 846 values were
listed as unknown mantikas while the column was still used.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.config import get_config

CFG = get_config()
WORLD_REGIONS = ["Northern Africa", "Mediterranean", "Southern Europe", "Western Asia",
                 "Sub-Saharan Africa", "Central America", "Northern America", "South-eastern Asia",
                 "Caribbean", "Eastern Africa", "Western Africa", "Southern Asia"]  # fmt: skip


def _activities(folder: Path, header: str, regions: list[str]) -> Path:
    path = folder / "activities.csv"
    rows = [f"ACT-{i},20/11/2026,field_visit,Zwara DC,{region}" for i, region in enumerate(regions)]
    path.write_text(
        "\n".join([f"Activity ID,Date,Activity Type,Location,{header}", *rows]) + "\n",
        encoding="utf-8",
    )
    return path


def test_world_regions_under_an_alias_of_mantika_are_not_used(tmp_path: Path):
    ds = clean_dataset("activities", _activities(tmp_path, "Region", WORLD_REGIONS), CFG)
    n = len(WORLD_REGIONS)
    # nothing lost: every row is clean, the column is treated as absent ...
    assert ds.report.rows_in == ds.report.rows_clean == n
    assert ds.report.dataset == ds.name == "activities"
    assert ds.frame["mantika"].isna().all()
    # ... and its values are kept beside the data and in the value issues
    assert ds.frame["Region"].tolist() == WORLD_REGIONS
    assert "Region" in ds.extra_columns
    assert "activities.csv: Region" in ds.report.unknown_columns
    assert ds.issues["value"].tolist() == WORLD_REGIONS
    assert set(ds.issues["problem"]) == {"column not used: probably another column"}
    [note] = [n for n in ds.report.notes if n["kind"] == "wrong_column"]
    assert (note["file"], note["column"], note["header"], note["alias"]) == (
        "activities.csv", "mantika", "Region", "Region"
    )  # fmt: skip
    assert (note["values"], note["unrecognised"], note["required"]) == (n, n, True)
    assert "'Region' was taken as mantika through the header alias 'Region'" in note["message"]
    assert "mantika is required" in note["message"]
    assert "mantika_alias" not in ds.report.repairs


def test_a_column_of_mostly_real_mantikas_is_used(tmp_path: Path):
    regions = ["Tripoli", "Misrata", "Zwara", "Sebha", "Benghazi", "Tripoli", "Misrata",
               "Zwara", "Sebha", "Benghazi", "Mediterranean", "Tripoli"]  # fmt: skip
    ds = clean_dataset("activities", _activities(tmp_path, "Region", regions), CFG)
    assert ds.frame["mantika"].astype(object).tolist()[:10] == regions[:10]
    assert not [n for n in ds.report.notes if n["kind"] == "wrong_column"]
    assert ds.issues["value"].tolist() == ["Mediterranean"]  # an ordinary value issue


def test_an_exact_header_is_always_used(tmp_path: Path):
    """ "Mantika" is the column's own name: its unknown values are taught to config/sites.yaml,
    the column is not second-guessed."""
    ds = clean_dataset("activities", _activities(tmp_path, "Mantika", WORLD_REGIONS), CFG)
    assert ds.frame["mantika"].astype(object).tolist() == WORLD_REGIONS
    assert not [n for n in ds.report.notes if n["kind"] == "wrong_column"]


def test_the_threshold_comes_from_config(tmp_path: Path):
    regions = WORLD_REGIONS[:6] + ["Tripoli"] * 6  # half unknown: not more than half
    path = _activities(tmp_path, "Region", regions)
    assert not [
        n
        for n in clean_dataset("activities", path, CFG).report.notes
        if n["kind"] == "wrong_column"
    ]
    strict = CFG.thresholds.model_copy(update={"wrong_column_min_share": 0.4})
    ds = clean_dataset("activities", path, dataclasses.replace(CFG, thresholds=strict))
    assert ds.frame["mantika"].isna().all()
    few = CFG.thresholds.model_copy(update={"wrong_column_min_values": 20})
    ds = clean_dataset(
        "activities", _activities(tmp_path, "Region", WORLD_REGIONS),
        dataclasses.replace(CFG, thresholds=few),
    )  # fmt: skip
    assert ds.frame["mantika"].notna().all()  # 12 values: too few to judge


def test_an_optional_wrong_column_is_dropped_for_its_file_only(tmp_path: Path):
    """Two manifests: "Airport" of one holds city names of Europe (not departure airports of
    Libya), the other real airports: only the first file's values are set aside."""
    header = ("Manifest ID,Flight Date,Flight Type,Destination,Individual ID,First Name,"
              "Last Name,Nationality,FTT Status,Airport")  # fmt: skip
    cities = ["Rome", "Paris", "Madrid", "Athens", "Valletta", "Berlin", "Vienna", "Sofia",
              "Lisbon", "Zagreb"]  # fmt: skip
    first = tmp_path / "manifest_a.csv"
    first.write_text(
        header + "\n" + "\n".join(
            f"M-1,20/11/2026,charter,Nigeria,IND-{i},Ada,Obi,Nigeria,fit,{city}"
            for i, city in enumerate(cities)
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    second = tmp_path / "manifest_b.csv"
    second.write_text(
        header + "\n" + "\n".join(
            f"M-2,21/11/2026,charter,Niger,IND-{i + 20},Ali,Musa,Niger,fit,MJI" for i in range(10)
        ) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    ds = clean_dataset("manifest", [first, second], CFG)
    airports = ds.frame["departure_airport"].astype(object)
    assert airports[:10].isna().all() and airports[10:].notna().all()
    [note] = [n for n in ds.report.notes if n["kind"] == "wrong_column"]
    assert note["file"] == "manifest_a.csv" and note["required"] is False
    assert "required" not in note["message"]
    assert ds.frame["Airport"][:10].tolist() == cities
    assert ds.frame["Airport"][10:].isna().all()


def test_a_list_column_of_something_else_sets_no_flag(tmp_path: Path):
    """ "Specific Needs" (an alias of vulnerabilities) holding causes of death, as in the
    Missing Migrants "Cause of Death" column: not used, and no vuln_* flag is set."""
    causes = ["Drowning", "Vehicle accident", "Violence", "Harsh conditions", "Sickness",
              "Drowning", "Mixed", "Unknown", "Drowning", "Violence", "Drowning", "medical"]  # fmt: skip
    header = ("Case No,Individual No,Principal,Given Name,Surname,Sex,Age,Nationality,"
              "Destination,Location Type,Location,Mantika,Registration Date,TD Status,FTT,"
              "Case Status,Last Update,Specific Needs")  # fmt: skip
    rows = [
        f"C-{i},IND-{i},yes,Ada,Obi,F,30,Nigeria,Nigeria,urban,Tripoli,Tripoli,20/11/2026,"
        f"issued,fit,ready,21/11/2026,{cause}"
        for i, cause in enumerate(causes)
    ]
    path = tmp_path / "cases.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    ds = clean_dataset("cases", path, CFG)
    assert ds.frame["vulnerabilities"].isna().all()
    assert not ds.frame["vuln_medical"].any()
    [note] = [n for n in ds.report.notes if n["kind"] == "wrong_column"]
    assert (note["header"], note["column"], note["required"]) == (
        "Specific Needs", "vulnerabilities", False
    )  # fmt: skip
    assert ds.frame["Specific Needs"].tolist() == causes
