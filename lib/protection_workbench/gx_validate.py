"""The one place that talks to Great Expectations: contexts, and validating frames.

:func:`validate` takes :class:`Batch` es (a suite as expectation dicts and a frame) and
returns, per batch, one :class:`Outcome` per expectation: what was checked, whether it held,
counts and the positions of the failing rows of the frame. Data values never leave this
module: GX's lists of unexpected values are dropped here. The gate (``gate.py``) decides
what to validate and what the results mean.

Great Expectations takes seconds to import, so it is imported only inside these functions.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

# COMPLETE is the only format that returns unexpected_index_list (the positions the gate
# weights); the unexpected values it also returns are dropped in _outcome.
RESULT_FORMAT = {"result_format": "COMPLETE", "include_unexpected_rows": False}
COUNT_KEYS = ("element_count", "missing_count", "unexpected_count", "unexpected_percent")
TYPE_EXPECTATION = "expect_column_values_to_be_in_type_list"


@dataclass
class Batch:
    """Validate ``expectations`` (GX dicts: type, kwargs, id) as a suite ``name`` on ``frame``."""

    name: str
    expectations: list[dict[str, Any]]
    frame: pd.DataFrame


@dataclass
class Outcome:
    """One expectation's result: what was checked, whether it held, counts, and the
    positions (in the batch's frame) of the rows that failed."""

    type: str
    kwargs: dict[str, Any]
    success: bool
    counts: dict[str, Any]  # COUNT_KEYS, plus observed_value (a dtype name) of type checks
    failing_rows: list[int]
    raised_exception: bool = False


def quiet_gx() -> None:
    """No analytics and no progress bars (called before every GX import)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations.core", "tqdm"):
        logging.getLogger(name).setLevel(logging.WARNING)


def ephemeral_context() -> Any:
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
        ProgressBarsConfig,
    )

    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        analytics_enabled=False,
        progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
    )
    return gx.get_context(mode="ephemeral", project_config=config)


def file_context(project_dir: str | Path) -> Any:
    """The committed GX project (``expectations/``), quietened."""
    quiet_gx()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="file", project_root_dir=str(project_dir))
    context.variables.analytics_enabled = False
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


def validate(batches: list[Batch]) -> list[list[Outcome]]:
    """Validate every batch in one in-memory GX context (in this process)."""
    if not batches:
        return []
    context = ephemeral_context()
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite

    source = context.data_sources.add_pandas(f"gate-{uuid.uuid4().hex[:8]}")
    out = []
    for i, batch in enumerate(batches):
        name = f"{batch.name}#{i}"
        suite = context.suites.add(
            ExpectationSuite(name=name, expectations=[dict(e) for e in batch.expectations])
        )
        asset = source.add_dataframe_asset(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=name, data=asset.add_batch_definition_whole_dataframe(name), suite=suite
            )
        )
        validation = definition.run(
            batch_parameters={"dataframe": batch.frame}, result_format=RESULT_FORMAT
        )
        out.append([_outcome(r) for r in validation.results])
    return out


def _outcome(r: Any) -> Outcome:
    config, res = r.expectation_config, r.result or {}
    counts = {k: _plain(res[k]) for k in COUNT_KEYS if k in res}
    if config.type == TYPE_EXPECTATION and isinstance(res.get("observed_value"), str):
        counts["observed_value"] = res["observed_value"]  # a dtype name, not a data value
    return Outcome(
        type=config.type,
        kwargs=dict(config.kwargs),
        success=bool(r.success),
        counts=counts,
        failing_rows=[int(i) for i in res.get("unexpected_index_list") or []],
        raised_exception=bool((r.exception_info or {}).get("raised_exception")),
    )


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (JSON-ready)."""
    return value.item() if hasattr(value, "item") else value
