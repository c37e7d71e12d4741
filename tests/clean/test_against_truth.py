"""On demo exports, cleaning recovers exactly the generator's canonical values."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.clean.dataset import values_equal
from protection_workbench.clean.load import load_export
from protection_workbench.contract import DATASETS
from protection_workbench.synth.generate import generate_demo_exports, load_truth


def _aligned(
    name: str, cleaned: pd.DataFrame, truth: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Manifests come from one file per flight: compare flight by flight, in row order."""
    if name != "manifest":
        return cleaned.reset_index(drop=True), truth.reset_index(drop=True)
    order = truth["manifest_id"].drop_duplicates().tolist()
    key = pd.Categorical(cleaned["manifest_id"].astype(str), categories=order)
    cleaned = cleaned.assign(_k=key).sort_values("_k", kind="stable").drop(columns="_k")
    truth = truth.assign(_k=pd.Categorical(truth["manifest_id"], categories=order))
    truth = truth.sort_values("_k", kind="stable").drop(columns="_k")
    return cleaned.reset_index(drop=True), truth.reset_index(drop=True)


@pytest.mark.parametrize("seed", [3, 17, 2026])
def test_cleaned_equals_clean_truth(tmp_path: Path, seed: int):
    out = tmp_path / f"demo{seed}"
    generate_demo_exports(
        out, individuals=2500, seed=seed, as_of=pd.Timestamp("2026-11-24").date(), defect_rate=0.02
    )
    truth, _, _ = load_truth(out)
    export = load_export(out)
    assert set(export.datasets) == set(DATASETS)
    problems = []
    for name, ds in export.datasets.items():
        assert ds.report.rows_quarantined == 0, ds.quarantine.head()
        cleaned, expected = _aligned(name, ds.frame, truth[name])
        assert len(cleaned) == len(expected), name
        for col in DATASETS[name].column_names:
            same = values_equal(cleaned[col], expected[col])
            if not same.all():
                bad = (~same).nonzero()[0][:3]
                problems.append(
                    f"{name}.{col}: {int((~same).sum())} differ, e.g. "
                    + "; ".join(
                        f"{cleaned[col].iloc[i]!r} != {expected[col].iloc[i]!r}" for i in bad
                    )
                )
    assert problems == []
