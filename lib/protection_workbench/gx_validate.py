"""Run Great Expectations validations and hand back plain results (counts, never values).

This is the one place that talks to GX at validation time. :func:`validate` takes
:class:`Batch` es (a suite as expectation dicts and the frame to validate) and returns, per
batch, the results as :class:`Outcome` s: what was checked, whether it held, counts and —
for the gate's frames of distinct values — the positions of the failing values. No data
value is kept. The gate (``gate.py``) decides what to validate and what the results mean.

Great Expectations is imported only inside the functions that need it.
"""

from __future__ import annotations

import logging
import os
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

RESULT_FORMAT = {
    "result_format": "SUMMARY",
    "partial_unexpected_count": 0,
    "include_unexpected_rows": False,
    "return_unexpected_index_query": False,
}
# For frames of distinct values: also which positions failed (GX returns them only in full).
RESULT_FORMAT_WITH_INDICES = {**RESULT_FORMAT, "result_format": "COMPLETE"}

# Result keys kept from GX results (counts only; everything else is dropped).
SAFE_RESULT_KEYS = (
    "element_count",
    "missing_count",
    "missing_percent",
    "unexpected_count",
    "unexpected_percent",
    "unexpected_percent_total",
    "unexpected_percent_nonmissing",
)
TYPE_EXPECTATION = "expect_column_values_to_be_in_type_list"


@dataclass
class Batch:
    """One validation: ``expectations`` (GX dicts: type, kwargs, id) as a suite named
    ``name``, on ``frame``. With ``keep_json`` the sanitised validation result is returned
    too (for storing under the project's ``uncommitted/``); with ``indices`` the positions
    of the unexpected rows of ``frame`` are kept in each outcome."""

    name: str
    expectations: list[dict[str, Any]]
    frame: pd.DataFrame
    keep_json: bool = False
    suite_id: str | None = None
    indices: bool = False


@dataclass
class Outcome:
    """One expectation's result: what was checked, whether it held, and counts."""

    type: str
    kwargs: dict[str, Any]
    success: bool
    # SAFE_RESULT_KEYS, observed_value (a dtype) of type checks, and with Batch.indices the
    # unexpected_index_list (positions in the batch's frame)
    result: dict[str, Any]
    raised_exception: bool = False


@dataclass
class Validated:
    """The outcomes of one batch, in the order GX returned them."""

    outcomes: list[Outcome]
    json: dict[str, Any] | None = field(default=None)


# --------------------------------------------------------------------------- import and context


def quiet_gx() -> None:
    """Turn off GX analytics and progress bars before GX is imported (every use comes
    through here)."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    for name in ("great_expectations", "great_expectations.core", "tqdm"):
        logging.getLogger(name).setLevel(logging.WARNING)


def quiet_context(context: Any) -> Any:
    from great_expectations.data_context.types.base import ProgressBarsConfig

    variables = context.variables
    variables.analytics_enabled = False
    variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    return context


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
    quiet_gx()
    import great_expectations as gx

    return gx.get_context(mode="file", project_root_dir=str(project_dir))


# --------------------------------------------------------------------------- validation


def validate(batches: list[Batch]) -> list[Validated]:
    """Validate every batch in one in-memory GX context (in this process)."""
    if not batches:
        return []
    context = ephemeral_context()
    import great_expectations as gx
    from great_expectations.core import ExpectationSuite

    source = context.data_sources.add_pandas(f"gate-{uuid.uuid4().hex[:8]}")
    out = []
    used: set[str] = set()
    for i, batch in enumerate(batches):
        name = batch.name if batch.name not in used else f"{batch.name}#{i}"
        used.add(name)
        suite = context.suites.add(
            ExpectationSuite(
                name=name,
                id=batch.suite_id,
                expectations=[dict(e) for e in batch.expectations],
            )
        )
        asset = source.add_dataframe_asset(name)
        definition = context.validation_definitions.add(
            gx.ValidationDefinition(
                name=name, data=asset.add_batch_definition_whole_dataframe(name), suite=suite
            )
        )
        validation = definition.run(
            batch_parameters={"dataframe": batch.frame},
            result_format=RESULT_FORMAT_WITH_INDICES if batch.indices else RESULT_FORMAT,
        )
        outcomes = [_outcome(r, batch.indices) for r in validation.results]
        saved = sanitise(validation.to_json_dict()) if batch.keep_json else None
        out.append(Validated(outcomes, saved))
    return out


def _outcome(r: Any, indices: bool) -> Outcome:
    config = r.expectation_config
    res = r.result or {}
    result = {k: _plain(res[k]) for k in SAFE_RESULT_KEYS if k in res}
    if config.type == TYPE_EXPECTATION and isinstance(res.get("observed_value"), str):
        result["observed_value"] = res["observed_value"]  # a dtype name, not a data value
    if indices:
        result["unexpected_index_list"] = [int(i) for i in res.get("unexpected_index_list", [])]
    return Outcome(
        type=config.type,
        kwargs=dict(config.kwargs),
        success=bool(r.success),
        result=result,
        raised_exception=bool((r.exception_info or {}).get("raised_exception")),
    )


def _plain(value: Any) -> Any:
    """numpy scalars as Python numbers (JSON-ready)."""
    return value.item() if hasattr(value, "item") else value


def sanitise(result_json: dict[str, Any]) -> dict[str, Any]:
    """A GX suite validation result reduced to counts (for storage under uncommitted/)."""
    out = dict(result_json)
    out["meta"] = {
        k: v
        for k, v in (result_json.get("meta") or {}).items()
        if k in ("great_expectations_version",)
    }
    rows = []
    for r in result_json.get("results") or []:
        res = r.get("result") or {}
        safe = {k: res[k] for k in SAFE_RESULT_KEYS if k in res}
        if (
            isinstance(res.get("observed_value"), str)
            and r["expectation_config"]["type"] == TYPE_EXPECTATION
        ):
            safe["observed_value"] = res["observed_value"]
        exc = r.get("exception_info") or {}
        rows.append(
            {
                "success": r.get("success"),
                "expectation_config": r.get("expectation_config"),
                "result": safe,
                "meta": {},
                "exception_info": {"raised_exception": bool(exc.get("raised_exception"))},
            }
        )
    out["results"] = rows
    return out
