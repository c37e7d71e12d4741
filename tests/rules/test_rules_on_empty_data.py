"""Every rule of the registry on an export where one dataset has no rows, on an export with
no rows at all and on as-of dates before any data (issue 20, defect 4). A new rule is
covered by being registered. And a rule that raises is reported as failed while the
others run."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from protection_workbench.clean.load import load_export
from protection_workbench.config import get_config
from protection_workbench.rules import (
    FINDING_COLUMNS,
    RULES,
    RulesFailed,
    check_rules,
    run_rules,
)
from protection_workbench.rules.registry import Context, Rule
from protection_workbench.run.check import CheckResult, run_check, write_check_outputs
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = pd.Timestamp("2026-11-24")
# 2019: before any record; 2025-10-01: cases exist, placements and visits not yet.
EARLY = ["2019-01-31", "2025-10-01"]


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    """A small generated export, cleaned."""
    folder = tmp_path_factory.mktemp("rules-empty") / "demo"
    generate_demo_exports(folder, 400, 3, date(2026, 11, 24), 0.02)
    return load_export(folder)


@pytest.fixture(scope="module")
def frames(export) -> dict[str, pd.DataFrame]:
    """The cleaned frames, with their real dtypes."""
    return export.frames


def emptied(frames: dict[str, pd.DataFrame], *datasets: str) -> dict[str, pd.DataFrame]:
    """The frames with ``datasets`` header-only (no row, same columns and dtypes)."""
    return {k: (v.iloc[0:0] if k in datasets else v) for k, v in frames.items()}


def run_one(rule: Rule, frames: dict[str, pd.DataFrame], as_of) -> pd.DataFrame:
    found = rule.check(Context(frames=frames, as_of=pd.Timestamp(as_of), cfg=get_config()))
    assert isinstance(found, pd.DataFrame)
    assert {"dataset", "record_id", "case_id", "message"} <= set(found.columns)
    return found


CASES_BY_DATASET = [
    pytest.param(code, dataset, id=f"{code}-empty-{dataset}")
    for code in sorted(RULES)
    for dataset in RULES[code].datasets
]


@pytest.mark.parametrize(("code", "dataset"), CASES_BY_DATASET)
def test_each_rule_runs_with_one_of_its_datasets_empty(frames, code, dataset):
    found = run_one(RULES[code], emptied(frames, dataset), AS_OF)
    if dataset in {found_ds for found_ds in found["dataset"]}:
        pytest.fail(f"{code} found records in the empty dataset {dataset}")


@pytest.mark.parametrize(("code", "dataset"), CASES_BY_DATASET)
def test_each_rule_runs_when_every_value_of_one_of_its_datasets_is_missing(frames, code, dataset):
    """Rows, but every cell empty (an export whose columns were all cleared): the same
    shapes as no rows for the groupings and lookups of a rule."""
    blank = frames[dataset].copy()
    for column in blank.columns:
        blank[column] = blank[column].iloc[0:0].reindex(blank.index)
    run_one(RULES[code], {**frames, dataset: blank}, AS_OF)


@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_runs_on_an_export_with_no_rows(frames, code):
    found = run_one(RULES[code], emptied(frames, *frames), AS_OF)
    assert found.empty


@pytest.mark.parametrize("as_of", EARLY)
@pytest.mark.parametrize("code", sorted(RULES))
def test_each_rule_runs_on_dates_before_any_data(frames, code, as_of):
    run_one(RULES[code], frames, as_of)


@pytest.mark.parametrize("as_of", [AS_OF, *EARLY])
def test_the_whole_catalogue_runs_with_hosting_datasets_empty(frames, as_of):
    for dataset in ("visits", "placements", "hosts", "payments"):
        found = run_rules(emptied(frames, dataset), as_of)
        assert list(found.columns) == FINDING_COLUMNS


def test_with_no_visit_recorded_every_due_placement_is_overdue(frames):
    """A header-only visits.csv is read as "no visit yet", not skipped: H001 names every
    placement whose first visit was due, with "never" as its last visit."""
    found = run_rules(emptied(frames, "visits"), AS_OF, codes=["H001"])
    placements = frames["placements"]
    due = placements["start_date"] + pd.Timedelta(days=get_config().thresholds.first_visit_days)
    assert set(found["record_id"]) == set(placements.loc[due <= AS_OF, "placement_id"])
    assert found["message"].str.contains("never").any()


def _broken(ctx: Context) -> pd.DataFrame:
    raise TypeError("a bug in this rule")


def test_a_rule_that_raises_is_reported_and_the_others_run(frames, monkeypatch):
    broken = Rule("Z999", "error", "Broken on purpose", "", ("cases",), (), _broken)
    monkeypatch.setitem(RULES, "Z999", broken)
    complete = check_rules(frames, AS_OF)
    assert set(complete.failed) == {"Z999"}
    failure = complete.failed["Z999"]
    assert failure.error == "TypeError" and "a bug in this rule" in failure.detail
    assert "_broken" in failure.traceback
    # every other rule still ran: the same findings as without the broken rule
    monkeypatch.delitem(RULES, "Z999")
    pd.testing.assert_frame_equal(complete.findings, run_rules(frames, AS_OF))
    assert len(complete.findings) > 0


def test_run_rules_raises_a_failed_rule_with_its_code(frames, monkeypatch):
    monkeypatch.setitem(RULES, "Z999", Rule("Z999", "error", "Broken", "", ("cases",), (), _broken))
    with pytest.raises(RulesFailed, match="Z999"):
        run_rules(frames, AS_OF)


def test_a_check_with_a_failed_rule_says_so_and_keeps_it(export, monkeypatch, tmp_path):
    """`workbench check` and the runs: the result is not passed, the summary names the rule,
    check.json gives its error (restricted output), rule_errors.log its traceback, and the
    prepared data of a run keep the failure for the notebooks."""
    monkeypatch.setitem(
        RULES, "Z999", Rule("Z999", "warning", "Broken", "", ("cases",), (), _broken)
    )
    result = run_check(export.folder, AS_OF, gate=False, export=export)
    assert set(result.failed_rules) == {"Z999"} and not result.passed
    assert result.exit_code == 1
    assert result.rules_failed() == {"Z999": "TypeError"}
    assert any(line.startswith("  Z999 could not run") for line in result.summary_lines())
    out = write_check_outputs(result, tmp_path / "check")
    summary = json.loads((out / "check.json").read_text())
    assert summary["rules_failed"] == {"Z999": "TypeError: a bug in this rule"}
    assert "_broken" in (out / "rule_errors.log").read_text()
    (tmp_path / "prepared").mkdir()
    loaded = CheckResult.load(result.save(tmp_path / "prepared"))
    assert loaded.failed_rules == result.failed_rules
