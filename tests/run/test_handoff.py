"""The run hands its cleaned data and check results to the notebooks as files (Parquet and
JSON) named by the notebook parameter ``prepared_dir``: what a notebook reads back is what
the run computed, and a mismatch is an error, not a silent fallback."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.clean.load import load_export
from protection_workbench.errors import WorkbenchError
from protection_workbench.run.check import CheckResult, run_check
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def checked(tmp_path_factory) -> tuple[Path, CheckResult, Path]:
    base = tmp_path_factory.mktemp("handoff")
    data = base / "demo"
    generate_demo_exports(data, 1200, 8, AS_OF, 0.02)
    result = run_check(data, AS_OF)
    prepared = result.save(base / "prepared")
    return data, result, prepared


def _missing_as_none(frame: pd.DataFrame) -> pd.DataFrame:
    """None and NaN both mean missing in a findings column of text."""
    return frame.astype(object).where(frame.notna(), None)


def test_the_notebooks_read_back_exactly_what_the_run_computed(checked):
    data, result, prepared = checked
    back = run_check(data, AS_OF, prepared_dir=prepared)
    pd.testing.assert_frame_equal(
        _missing_as_none(back.findings), _missing_as_none(result.findings)
    )
    pd.testing.assert_frame_equal(back.gate.results, result.gate.results)
    assert back.gate.passed == result.gate.passed and back.as_of == result.as_of
    assert sorted(back.export.datasets) == sorted(result.export.datasets)
    for name, ds in result.export.datasets.items():
        again = back.export.datasets[name]
        pd.testing.assert_frame_equal(again.frame, ds.frame)  # dtypes too (categoricals)
        pd.testing.assert_frame_equal(again.quarantine, ds.quarantine)
        pd.testing.assert_frame_equal(again.issues, ds.issues)
        assert again.report.to_dict() == ds.report.to_dict()
    export = load_export(data, prepared_dir=prepared)
    pd.testing.assert_frame_equal(export["cases"], result.export["cases"])


def test_prepared_data_of_another_folder_or_day_is_refused(checked, tmp_path):
    data, _, prepared = checked
    with pytest.raises(WorkbenchError, match="not of"):
        run_check(tmp_path, AS_OF, prepared_dir=prepared)
    with pytest.raises(WorkbenchError, match="as of 2026-11-24"):
        run_check(data, date(2026, 11, 30), prepared_dir=prepared)
    with pytest.raises(WorkbenchError, match="no prepared"):
        run_check(data, AS_OF, prepared_dir=tmp_path / "nothing")


def test_without_prepared_dir_a_notebook_computes_its_own(checked):
    data, result, _ = checked
    own = run_check(data, AS_OF, gate=False, prepared_dir="")
    pd.testing.assert_frame_equal(_missing_as_none(own.findings), _missing_as_none(result.findings))
