"""Config files load, and a broken file gives a message naming file, key and problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from protection_workbench.config import ConfigError, default_config_dir, load_config
from protection_workbench.contract import DATASETS


@pytest.fixture
def config_copy(tmp_path: Path) -> Path:
    target = tmp_path / "config"
    shutil.copytree(default_config_dir(), target)
    return target


def _edit(folder: Path, name: str, change) -> None:
    path = folder / name
    data = yaml.safe_load(path.read_text("utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True), "utf-8")


def test_shipped_config_is_valid_and_matches_rules_md_defaults():
    cfg = load_config()
    t = cfg.thresholds
    assert (t.ftt_validity_days, t.stall_days, t.visit_interval_days, t.min_cell) == (7, 30, 14, 5)
    assert (t.payment_tolerance, t.first_visit_days, t.major_issue_follow_up_days) == (0.05, 7, 7)
    assert len(cfg.sites.mantikas) == 22
    assert cfg.codes("case_status")[0] == "registered"
    assert "Tripoli" in cfg.codes("mantika")


def test_every_coded_column_has_its_code_list():
    cfg = load_config()
    for ds in DATASETS.values():
        for col in ds.columns:
            if col.codes:
                assert cfg.codes(col.codes), f"{ds.name}.{col.name}"


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "thresholds.yaml",
            lambda d: d.update(stall_days="thirty"),
            ["thresholds.yaml", "stall_days", "integer"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.update(min_cel=5),
            ["thresholds.yaml", "min_cel", "unknown key"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.pop("ftt_validity_days"),
            ["ftt_validity_days", "required"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.update(max_columns=0),
            ["thresholds.yaml", "max_columns", "greater than or equal to 1"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.update(max_inflated_bytes="1 GB"),
            ["thresholds.yaml", "max_inflated_bytes", "integer"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.update(max_rows=-5),
            ["thresholds.yaml", "max_rows", "greater than or equal to 1"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.update(max_compression_ratio=1),
            ["thresholds.yaml", "max_compression_ratio", "greater than or equal to 2"],
        ),
        (
            "code_lists.yaml",
            lambda d: d["case_status"].append("departed"),
            ["code_lists.yaml", "case_status", "more than once: departed"],
        ),
        (
            "code_lists.yaml",
            lambda d: d.pop("ftt_status"),
            ["code_lists.yaml", "missing code list", "ftt_status"],
        ),
        (
            "code_lists.yaml",
            lambda d: d["clearance_vulnerability"].append("tired"),
            ["clearance_vulnerability", "tired", "vulnerability"],
        ),
        (
            "sites.yaml",
            lambda d: d["sites"][0].update(mantika="Atlantis"),
            ["sites.yaml", "sites.0.mantika", "Atlantis"],
        ),
        (
            "sites.yaml",
            lambda d: d["sites"][1].update(location_type="prison"),
            ["sites.1.location_type", "prison"],
        ),
        (
            "sites.yaml",
            lambda d: d["airports"][0].update(iata="mj1"),
            ["sites.yaml", "airports.0.iata", "pattern"],
        ),
        (
            "header_aliases.yaml",
            lambda d: d["cases"].update(date_of_brith=["DOB"]),
            ["header_aliases.yaml", "cases.date_of_brith", "not a canonical column"],
        ),
        (
            "header_aliases.yaml",
            lambda d: d.update(flights={"x": ["y"]}),
            ["header_aliases.yaml", "flights", "unknown dataset"],
        ),
    ],
)
def test_invalid_config_names_file_key_and_problem(config_copy, file, change, expected):
    _edit(config_copy, file, change)
    with pytest.raises(ConfigError) as info:
        load_config(config_copy)
    message = str(info.value)
    for part in expected:
        assert part in message, f"{part!r} not in: {message}"


def test_yaml_syntax_error_names_file_and_line(config_copy):
    (config_copy / "thresholds.yaml").write_text("stall_days: [30\nmin_cell: 5\n", "utf-8")
    with pytest.raises(ConfigError, match=r"thresholds\.yaml \(line \d+\): not valid YAML"):
        load_config(config_copy)


def test_missing_file_is_named(config_copy):
    (config_copy / "sites.yaml").unlink()
    with pytest.raises(ConfigError, match=r"sites\.yaml: configuration file not found"):
        load_config(config_copy)


def test_config_dir_can_be_overridden_by_environment(config_copy, monkeypatch):
    _edit(config_copy, "thresholds.yaml", lambda d: d.update(stall_days=45))
    monkeypatch.setenv("WORKBENCH_CONFIG_DIR", str(config_copy))
    assert load_config().thresholds.stall_days == 45


def test_input_file_limits_are_shipped_and_default_when_absent(config_copy):
    t = load_config().thresholds
    assert (t.max_rows, t.max_columns) == (2_000_000, 200)
    assert (t.max_inflated_bytes, t.max_compression_ratio) == (1_000_000_000, 200)
    text = (default_config_dir() / "thresholds.yaml").read_text("utf-8")
    for key in ("max_rows", "max_columns", "max_inflated_bytes", "max_compression_ratio"):
        before = text.split(f"\n{key}:")[0].rstrip().splitlines()[-1]
        assert before.startswith("#"), f"{key} has no comment"
    # An older configuration folder without the limits still loads, with the defaults.
    _edit(config_copy, "thresholds.yaml", lambda d: [d.pop(k) for k in list(d) if k[:4] == "max_"])
    assert load_config(config_copy).thresholds.max_columns == 200


@pytest.mark.parametrize(
    ("file", "change", "expected"),
    [
        (
            "thresholds.yaml",
            lambda d: d.update(country_fuzzy_min_score=1.5),
            ["thresholds.yaml", "country_fuzzy_min_score", "less than or equal to 1"],
        ),
        (
            "thresholds.yaml",
            lambda d: d.update(date_order={"us_*.csv": "american"}),
            ["thresholds.yaml", "date_order.us_*.csv", "day_first", "month_first"],
        ),
        (
            "country_aliases.yaml",
            lambda d: d.update(ambiguous="Congolese"),
            ["country_aliases.yaml", "ambiguous", "list of non-empty strings"],
        ),
        (
            "country_aliases.yaml",
            lambda d: d["ambiguous"].append("Nigerian"),
            ["country_aliases.yaml", "ambiguous", "'Nigerian'", "alias of NGA"],
        ),
    ],
)
def test_cleaning_settings_are_validated(config_copy, file, change, expected):
    _edit(config_copy, file, change)
    with pytest.raises(ConfigError) as info:
        load_config(config_copy)
    for part in expected:
        assert part in str(info.value), f"{part!r} not in: {info.value}"


def test_cleaning_settings_shipped_and_default_when_absent(config_copy):
    cfg = load_config()
    assert cfg.thresholds.country_fuzzy_min_score == 0.9
    assert cfg.thresholds.month_first_min_share == 0.2
    assert cfg.thresholds.date_order == {}
    assert "Congolese" in cfg.ambiguous_countries
    assert "Congolese" not in cfg.country_aliases["COG"]
    keys = ("country_fuzzy_min_score", "month_first_min_share", "date_order")
    _edit(config_copy, "thresholds.yaml", lambda d: [d.pop(k) for k in keys])
    _edit(config_copy, "country_aliases.yaml", lambda d: d.pop("ambiguous"))
    older = load_config(config_copy)
    assert older.thresholds.country_fuzzy_min_score == 0.9
    assert older.ambiguous_countries == ()
