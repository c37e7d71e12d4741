"""Plain-English labels of codes and columns (config/code_lists.yaml, ``labels:``)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.config import ConfigError, load_config
from protection_workbench.contract import DATASETS
from protection_workbench.publish import labels

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_every_code_of_every_list_has_an_english_label_without_underscores():
    cfg = load_config(CONFIG)
    for name, codes in cfg.code_lists.items():
        shown = labels.code_labels(name, cfg)
        for code in codes:
            assert shown[code] and "_" not in shown[code], (name, code)


def test_every_contract_column_gets_a_heading_without_snake_case():
    for dataset in DATASETS.values():
        for column in dataset.column_names:
            assert not re.search(r"\w_\w", labels.column_label(column)), column


def test_relabel_turns_codes_into_labels_and_keeps_unknown_text_off_the_page():
    out = labels.relabel(pd.Series(["vot", "uasc", None, "<b>Home of X</b>"]), "vulnerability")
    assert out.tolist()[:2] == ["Victim of trafficking", "Unaccompanied child"]
    assert pd.isna(out[2])
    assert out[3] == labels.OTHER
    # a column coded with a list is labelled by that list; a subset list by its parent
    assert labels.code_label("flight_type", "charter") == "Charter flight"
    assert labels.code_label("bia_vulnerability", "uasc") == "Unaccompanied child"


def test_column_without_a_configured_heading_is_spelled_out():
    assert labels.column_label("median_days") == "Median days"
    assert labels.column_label("some_new_column") == "Some new column"


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "        vot: Victim of trafficking\n",
            "",
            "labels.en.codes.vulnerability': no label for vot",
        ),
        (
            "      sex: {F: Female, M: Male}",
            "      sex: {F: Female, M: Male, X: Other}",
            "X not in the list",
        ),
        (
            "      sex: {F: Female, M: Male}",
            "      gender: {F: Female, M: Male}",
            "no code list 'gender'",
        ),
    ],
)
def test_a_bad_label_names_the_file_and_key(tmp_path, old, new, expected):
    target = tmp_path / "config"
    shutil.copytree(CONFIG, target)
    path = target / "code_lists.yaml"
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")
    with pytest.raises(ConfigError) as err:
        load_config(target)
    assert "code_lists.yaml" in str(err.value) and expected in str(err.value)
