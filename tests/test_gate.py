"""The structural quality gate (protection_workbench.gate, expectations/)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from datetime import date

import pandas as pd
import pytest

from protection_workbench import gate, gx_validate
from protection_workbench.clean.load import load_export
from protection_workbench.config import get_config
from protection_workbench.paths import expectations_dir
from protection_workbench.synth.generate import generate_demo_exports

PLANTED_NAME = "ZZPLANTEDNAME"
PLANTED_ID = "IND-PLANTED-1"
PLANTED_DOC = "DOCPLANTED999"
PLANTED_TEXT = (PLANTED_NAME, PLANTED_ID, PLANTED_DOC, "XPLANTEDCODE")


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pd.DataFrame]:
    out = tmp_path_factory.mktemp("gate") / "demo"
    generate_demo_exports(out, 2000, 7, date(2026, 11, 24), 0.0)
    return load_export(out).frames


@pytest.fixture(scope="module")
def clean_result(frames) -> gate.GateResult:
    return gate.run_gate(frames)


def _defective(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """Every defect of the failure tests, each in its own column, planted in one copy."""
    bad = {name: frame.copy() for name, frame in frames.items()}
    cases = bad["cases"]
    for col in ("sex", "case_status"):
        cases[col] = cases[col].astype(object)
    cases["first_name"] = cases["first_name"].astype(object)
    cases["individual_id"] = cases["individual_id"].astype(object)
    cases["document_number"] = cases["document_number"].astype(object)
    # Row 0: a code not in its list, on a row with a distinctive name and document.
    cases.loc[0, "sex"] = "X"
    cases.loc[0, "first_name"] = PLANTED_NAME
    cases.loc[0, "document_number"] = PLANTED_DOC
    # Rows 1 and 2: the same individual_id.
    cases.loc[[1, 2], "individual_id"] = PLANTED_ID
    # Row 3: an impossible age.
    cases.loc[3, "age"] = 130
    # Row 4: a required value missing.
    cases.loc[4, "case_status"] = None
    # A code of an unknown value in another dataset, and a removed required column.
    bad["visits"] = bad["visits"].astype({"visit_type": object})
    bad["visits"].loc[0, "visit_type"] = "XPLANTEDCODE"
    bad["referrals"] = bad["referrals"].drop(columns=["referred_to"])
    return bad


@pytest.fixture(scope="module")
def failed(frames):
    """A gate run on defective frames."""
    return gate.run_gate(_defective(frames))


def _row(result: gate.GateResult, dataset: str, expectation: str, column: str) -> pd.Series:
    r = result.results
    hit = r[(r.dataset == dataset) & (r.expectation == expectation) & (r.column == column)]
    assert len(hit) == 1, f"no single {dataset}/{expectation}/{column} row"
    return hit.iloc[0]


# --------------------------------------------------------------------------- clean data


def test_gate_passes_on_clean_demo_data(clean_result):
    assert clean_result.passed, clean_result.summary()
    assert clean_result.failures().empty
    assert set(clean_result.results.dataset) == set(gate.DATASETS)
    assert list(clean_result.results.columns) == gate.RESULT_COLUMNS
    assert clean_result.summary().startswith("Quality gate passed")


def test_only_datasets_present_are_validated(frames):
    result = gate.run_gate({"hosts": frames["hosts"]})
    assert result.passed
    assert set(result.results.dataset) == {"hosts"}


def test_suites_cover_the_structural_contract():
    suites = gate.build_suites(get_config())
    assert set(suites) == set(gate.DATASETS)
    kinds = {
        name: {(e.type, e.kwargs.get("column")) for e in s.expectation_configurations}
        for name, s in suites.items()
    }
    cases = kinds["cases"]
    assert ("expect_column_values_to_be_unique", "individual_id") in cases
    assert ("expect_column_to_exist", "first_name") in cases
    assert ("expect_column_values_to_not_be_null", "case_status") in cases
    assert ("expect_column_values_to_be_in_set", "mantika") in cases
    assert ("expect_column_values_to_match_regex", "nationality") in cases
    assert ("expect_column_values_to_be_between", "age") in cases
    assert not any(t == "expect_column_values_to_be_unique" for t, _ in kinds["manifest"])
    for name, key in gate.UNIQUE_KEYS.items():
        assert ("expect_column_values_to_be_unique", key) in kinds[name]
    mantika = next(
        e
        for e in suites["hosts"].expectation_configurations
        if e.type == "expect_column_values_to_be_in_set" and e.kwargs["column"] == "mantika"
    )
    assert mantika.kwargs["value_set"] == get_config().codes("mantika")


# --------------------------------------------------------------------------- failures


def test_gate_fails_on_defects(failed):
    result = failed
    assert not result.passed
    sex = _row(result, "cases", "expect_column_values_to_be_in_set", "sex")
    assert not sex.success and sex.unexpected_count == 1
    dup = _row(result, "cases", "expect_column_values_to_be_unique", "individual_id")
    assert not dup.success and dup.unexpected_count == 2
    age = _row(result, "cases", "expect_column_values_to_be_between", "age")
    assert not age.success and age.unexpected_count == 1
    null = _row(result, "cases", "expect_column_values_to_not_be_null", "case_status")
    assert not null.success and null.unexpected_count == 1
    visit = _row(result, "visits", "expect_column_values_to_be_in_set", "visit_type")
    assert not visit.success and visit.unexpected_count == 1
    gone = _row(result, "referrals", "expect_column_to_exist", "referred_to")
    assert not gone.success and gone.details == "column missing"
    # Nothing else failed in the datasets left untouched.
    failing = set(result.failures().dataset)
    assert failing == {"cases", "visits", "referrals"}
    summary = result.summary()
    assert summary.startswith("Quality gate FAILED:")
    assert "cases: sex in set [1 row]" in summary
    assert "referrals: referred_to missing" in summary


def test_failures_only_concern_the_planted_columns(failed):
    result = failed
    cols = set(zip(result.failures().dataset, result.failures().column, strict=True))
    assert cols <= {
        ("cases", "sex"),
        ("cases", "individual_id"),
        ("cases", "age"),
        ("cases", "case_status"),
        ("visits", "visit_type"),
        ("referrals", "referred_to"),
    }


def test_results_carry_no_raw_values(failed):
    text = json.dumps(failed.to_dict()) + failed.summary() + failed.results.to_csv()
    for planted in PLANTED_TEXT:
        assert planted not in text


def test_personal_values_never_reach_great_expectations(frames):
    """Names and document numbers are handed to GX as placeholders."""
    bad = _defective(frames)
    cfg = get_config()
    reduced = gate._distinct(
        bad["cases"],
        gate.DATASETS["cases"],
        gate._expectation_dicts("cases", gate.DATASETS["cases"], cfg),
    )
    sent = reduced.values.astype(str).to_csv() + reduced.keys.astype(str).to_csv()
    assert PLANTED_NAME not in sent and PLANTED_DOC not in sent


def test_to_dict_is_json_serialisable(failed, clean_result):
    for result in (failed, clean_result):
        data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
        assert data["passed"] is result.passed
        assert data["expectations"] == len(result.results)
        assert data["failed"] == len(result.failures())


# --------------------------------------------------------------------------- the GX project


def test_committed_suites_match_build_suites():
    stale = gate.stale_suites(expectations_dir(), get_config())
    assert not stale, (
        f"expectations/ is out of date for {', '.join(stale)} (config or contract changed): "
        f"run `{gate.REGENERATE_HINT}` and commit expectations/"
    )


def test_edited_code_list_is_caught():
    cfg = get_config()
    lists = {**cfg.code_lists, "service": [*cfg.code_lists["service"], "new_service"]}
    edited = dataclasses.replace(cfg, code_lists=lists)
    assert gate.stale_suites(expectations_dir(), edited) == ["referrals"]


def test_write_suites_is_deterministic(tmp_path):
    project = tmp_path / "expectations"
    first = {p.name: p.read_text() for p in gate.write_suites(project, get_config())}
    second = {p.name: p.read_text() for p in gate.write_suites(project, get_config())}
    assert first == second
    committed = expectations_dir() / "gx" / "expectations"
    for name, text in first.items():
        assert json.loads(text) == json.loads((committed / name).read_text())
    assert "uncommitted/" in (project / "gx" / ".gitignore").read_text()


def test_import_does_not_import_great_expectations():
    code = (
        "import sys, protection_workbench.gate; "
        "print(any(m.split('.')[0] == 'great_expectations' for m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- distinct values


def _more_defects(frames: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    """The defects of _defective plus missing values, formats and ranges, each repeated."""
    bad = _defective(frames)
    cases = bad["cases"]
    for col in ("nationality", "vulnerabilities", "mantika"):
        cases[col] = cases[col].astype(object)
    cases.loc[[5, 6, 7], "nationality"] = "xx"
    cases.loc[[8, 9], "vulnerabilities"] = "not_a_code;other"
    cases.loc[[10, 11, 12], "mantika"] = None
    cases.loc[[13, 14], "individual_id"] = None
    cases.loc[[15, 16, 17], "age"] = -1
    cases.loc[18, "age"] = None
    bad["hosts"] = bad["hosts"].copy()
    bad["hosts"].loc[bad["hosts"].index[:4], "capacity"] = 0
    bad["payments"] = bad["payments"].astype({"period": object})
    bad["payments"].loc[bad["payments"].index[:2], "period"] = "2026-13"
    bad["activities"] = bad["activities"].iloc[:0]  # no rows: validated as is
    return bad


def _every_row(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """GX's own verdicts and counts on every row of every dataset (the slow way)."""
    cfg = get_config()
    rows = []
    for name, frame in frames.items():
        ds = gate.DATASETS[name]
        expectations = gate._expectation_dicts(name, ds, cfg)
        columns = {}
        for col in ds.columns:
            if col.name in frame.columns:
                s = frame[col.name]
                text = col.kind in gate.TEXT_KINDS and gate._is_text(s)
                columns[col.name] = gate._as_validated(s, text, col.name in ds.pii)
            elif not col.required:
                columns[col.name] = pd.Series(
                    pd.NA, index=frame.index, dtype=gate._empty_dtype(col.kind)
                )
        full = pd.DataFrame(columns, index=frame.index)
        [outcomes] = gx_validate.validate([gx_validate.Batch(name, expectations, full)])
        for r in gate._in_suite_order(outcomes, expectations):
            rows.append(
                (
                    name,
                    r.type,
                    r.kwargs.get("column"),
                    r.success,
                    int(r.counts.get("unexpected_count") or 0),
                )
            )
    return pd.DataFrame(
        rows, columns=["dataset", "expectation", "column", "success", "unexpected_count"]
    )


@pytest.mark.parametrize("defects", [_defective, _more_defects])
def test_distinct_value_validation_matches_every_row_validation(frames, defects):
    """run_gate validates each dataset on its columns' distinct values, GX deciding which
    fail, and weights them by the rows holding them: verdicts and counts must be GX's own
    on every row."""
    bad = defects(frames)
    fast = gate.run_gate(bad)
    full = _every_row(bad)
    columns = ["dataset", "expectation", "column", "success", "unexpected_count"]
    pd.testing.assert_frame_equal(fast.results[columns], full, check_dtype=False)
    assert fast.passed is False
    assert (fast.results["unexpected_count"] > 1).any()  # weights really multiply


def test_a_column_of_mixed_values_is_type_checked_value_by_value(frames):
    """An object column of mixed values: GX checks the type of each distinct value, and the
    failing ones count for their rows."""
    hosts = frames["hosts"].copy()
    hosts["capacity"] = hosts["capacity"].astype(object)
    hosts.loc[hosts.index[:3], "capacity"] = "many"
    result = gate.run_gate({"hosts": hosts})
    row = _row(result, "hosts", "expect_column_values_to_be_in_type_list", "capacity")
    assert not row.success
    full = _every_row({"hosts": hosts})
    hit = full[(full.expectation == row.expectation) & (full.column == "capacity")].iloc[0]
    assert row.unexpected_count == hit.unexpected_count > 0
