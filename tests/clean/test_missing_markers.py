"""Issue 24: missing markers are missing values, never countries; two-letter values are
ISO codes only in a column of codes; every fuzzy, pattern or short-code match is listed
for review.

The "NA" nationality is a real quirk of the IOM Missing Migrants Project download
(missingmigrants.iom.int, ``Missing_Migrants_Global_Figures_allData.csv``, column
"Country of Origin"): an incident on the Maritsa river recorded with "NA", which the
workbench took for Namibia (issue 24). "Palestinian Territories" is a spelling of the same
column that hdx-python-country's name patterns know (PSE).
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.clean.codes import clean_code, clean_sex, clean_yes_no
from protection_workbench.clean.countries import PATTERN, SHORT_CODE, clean_countries
from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.text import MISSING_MARKER, marker_keys
from protection_workbench.config import get_config, load_config

CFG = get_config()
MANIFEST = (
    "Manifest ID,Flight Date,Flight Type,Destination,Individual ID,First Name,Last Name,"
    "Nationality,FTT Status"
)


def _countries(values: list[str | None], cfg=CFG):
    return clean_countries(pd.Series(values, dtype="str"), cfg)


def test_na_nationalities_in_an_export_are_missing_not_namibia(tmp_path: Path):
    """Value by value: before, "NA" and "na" were Namibia and "No" Norway, silently."""
    given = ["Nigerian", "NA", "na", "N/A", "n.a.", "No", "unknown", "غير معروف", "-", "—",
             "لا يوجد", "Palestinian Territories", "Sudan", "none"]  # fmt: skip
    expected = ["NGA", None, None, None, None, "No", None, None, None, None,
                None, "PSE", "SDN", None]  # fmt: skip
    rows = [
        f"M-1,20/11/2026,charter,Nigeria,IND-{i},Ada,Obi,{value},fit"
        for i, value in enumerate(given)
    ]
    path = tmp_path / "manifest_1.csv"
    path.write_text("\n".join([MANIFEST, *rows]) + "\n", encoding="utf-8")
    ds = clean_dataset("manifest", path, CFG)
    got = [None if pd.isna(v) else v for v in ds.frame["nationality"].astype(object)]
    assert got == expected
    assert ds.report.rows_in == ds.report.rows_clean == len(given)
    assert ds.report.repairs[MISSING_MARKER] == 10
    # "No" is not Norway in a column of names: an unknown country, for a case worker to fix
    [issue] = ds.issues.to_dict(orient="records")
    assert (issue["column"], issue["value"], issue["problem"]) == (
        "nationality", "No", "unknown country"
    )  # fmt: skip
    review = [n for n in ds.report.notes if n.get("column") == "nationality"]
    assert review == [
        {"kind": PATTERN, "value": "Palestinian Territories", "country": "PSE", "rows": 1,
         "column": "nationality"}
    ]  # fmt: skip


def test_two_letter_values_are_codes_only_in_a_column_of_codes():
    codes = _countries(["NG", "SD", "ne", "NO", "NG", None])
    assert codes.values.tolist()[:5] == ["NGA", "SDN", "NER", "NOR", "NGA"]
    assert not codes.invalid.any()
    assert [(n["kind"], n["value"], n["country"], n["rows"]) for n in codes.notes] == [
        (SHORT_CODE, "NG", "NGA", 2), (SHORT_CODE, "SD", "SDN", 1),
        (SHORT_CODE, "ne", "NER", 1), (SHORT_CODE, "NO", "NOR", 1),
    ]  # fmt: skip
    # a column of names (fewer than country_code_min_share of its values have two letters)
    names = _countries(["Nigeria", "Sudan", "Niger", "No", "Mali", "Ghana", "Chad", "ng"])
    assert names.values.tolist() == ["NGA", "SDN", "NER", "No", "MLI", "GHA", "TCD", "ng"]
    assert names.invalid.tolist() == [False] * 3 + [True] + [False] * 3 + [True]
    assert names.notes == []
    # a code in capitals is a code wherever it stands, for review
    mixed = _countries(["NGA", "SDN", "Mali", "NE", "Ghana"])
    assert mixed.values.tolist() == ["NGA", "SDN", "MLI", "NER", "GHA"]
    assert [n["value"] for n in mixed.notes] == ["NE"]


def test_na_is_missing_even_in_a_column_of_codes():
    """Markers come first: Namibia is written NAM or Namibia in exports."""
    cleaned = _countries(["NG", "NA", "SD", "NAM"])
    assert cleaned.values.isna().tolist() == [False, True, False, False]
    assert cleaned.values.iloc[3] == "NAM"
    assert cleaned.repaired[MISSING_MARKER].tolist() == [False, True, False, False]


def test_the_markers_come_from_config(tmp_path: Path):
    import shutil

    from protection_workbench.config import default_config_dir

    folder = tmp_path / "config"
    shutil.copytree(default_config_dir(), folder)
    (folder / "missing_values.yaml").write_text("markers: [unknown]\n", encoding="utf-8")
    cfg = load_config(folder)
    assert cfg.missing_markers == ("unknown",)
    cleaned = _countries(["NG", "NA", "unknown"], cfg)
    assert cleaned.values.tolist()[:2] == ["NGA", "NAM"]
    assert pd.isna(cleaned.values.iloc[2])
    (folder / "missing_values.yaml").write_text("markers: [unknown, '']\n", encoding="utf-8")
    with pytest.raises(ValueError, match="missing_values.yaml.*markers"):
        load_config(folder)


def test_markers_that_are_codes_of_the_column_stay_codes():
    """ "none" is a travel document status and "n/a" an answer of yes_no_na; elsewhere they
    are missing."""
    markers = CFG.missing_markers
    status = CFG.codes("travel_document_status")
    cleaned = clean_code(
        pd.Series(["None", "issued", "unknown", "-"], dtype="str"),
        status,
        marker_keys(markers, tuple(status)),
    )
    assert cleaned.values.tolist()[:2] == ["none", "issued"]
    assert cleaned.values.isna().tolist() == [False, False, True, True]
    yes_no_na = CFG.codes("yes_no_na")
    cleaned = clean_code(
        pd.Series(["N/A", "n.a.", "Yes", "unknown"], dtype="str"),
        yes_no_na,
        marker_keys(markers, tuple(yes_no_na)),
    )
    assert cleaned.values.tolist()[:3] == ["n/a", "n/a", "yes"]
    assert pd.isna(cleaned.values.iloc[3]) and not cleaned.invalid.any()
    keys = marker_keys(markers)
    sex = clean_sex(pd.Series(["F", "NA", "unknown", "X"], dtype="str"), keys)
    assert sex.values.isna().tolist() == [False, True, True, False]
    assert sex.invalid.tolist() == [False, False, False, True]  # "X" is no marker
    answers = clean_yes_no(pd.Series(["No", "NA", "yes"], dtype="str"), keys)
    assert answers.values.tolist()[0] is False and pd.isna(answers.values.iloc[1])
    assert not answers.invalid.any()


def test_a_marker_in_a_date_column_is_missing_not_a_bad_date(tmp_path: Path):
    path = tmp_path / "activities.csv"
    path.write_text(
        "Activity ID,Date,Activity Type,Location,Mantika\n"
        "ACT-1,20/11/2026,field_visit,Zwara DC,Zuwara\n"
        "ACT-2,N/A,field_visit,Zwara DC,Zuwara\n"
        "ACT-3,-,field_visit,Zwara DC,unknown\n",
        encoding="utf-8",
    )
    ds = clean_dataset("activities", path, CFG)
    assert ds.frame["date"].isna().tolist() == [False, True, True]
    assert ds.frame["mantika"].isna().tolist() == [False, False, True]
    assert ds.issues.empty
    assert ds.report.repairs[MISSING_MARKER] == 3


def test_palestinian_territories_is_palestine_for_review():
    cleaned = _countries(["Palestinian Territories", "occupied Palestinian territory"])
    assert cleaned.values.tolist() == ["PSE", "PSE"]
    assert cleaned.repaired[PATTERN].tolist() == [True, False]  # the second: a library name


def test_a_config_without_markers_changes_nothing_else():
    cfg = dataclasses.replace(CFG, missing_markers=())
    cleaned = _countries(["NG", "NA"], cfg)
    assert cleaned.values.tolist() == ["NGA", "NAM"]
