"""The rule catalogue: one registry of rules, each with its code, severity and explanation.

A rule is a vectorised function of the cleaned frames that returns the records
breaking it. The runner adds code and severity and keeps one finding per
(dataset, record_id, rule). See docs/rules-interpretation.md for how each line of
rules.md is read.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..config import Config

FINDING_COLUMNS = ["dataset", "record_id", "case_id", "rule", "severity", "message"]
SEVERITIES = ("error", "warning")


@dataclass(frozen=True)
class Context:
    """What a rule sees: the cleaned frames present, the as-of date and the settings."""

    frames: dict[str, pd.DataFrame]
    as_of: pd.Timestamp
    cfg: Config

    @property
    def t(self):
        return self.cfg.thresholds


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    title: str
    explanation: str  # one paragraph for case workers
    datasets: tuple[str, ...]  # all must be present for the rule to run
    settings: tuple[str, ...]  # thresholds.yaml keys it uses
    check: Callable[[Context], pd.DataFrame]

    def applies_to(self, available: set[str]) -> bool:
        return set(self.datasets) <= available


RULES: dict[str, Rule] = {}


def rule(code: str, severity: str, title: str, datasets: tuple[str, ...], settings=()):
    """Register a check; its docstring is the explanation shown to case workers."""
    assert severity in SEVERITIES, severity

    def register(func: Callable[[Context], pd.DataFrame]) -> Callable[[Context], pd.DataFrame]:
        assert code not in RULES, f"rule {code} registered twice"
        RULES[code] = Rule(
            code,
            severity,
            title,
            inspect.cleandoc(func.__doc__ or ""),
            datasets,
            tuple(settings),
            func,
        )
        return func

    return register


def findings(
    dataset: str, record_id: pd.Series, message: pd.Series | str, case_id: pd.Series | None = None
) -> pd.DataFrame:
    """A rule's raw findings: dataset, record_id, case_id, message (rule/severity added later).

    ``record_id``, ``message`` and ``case_id`` are taken in their order (not by index)."""
    n = len(record_id)
    msg = message if isinstance(message, pd.Series) else pd.Series([message] * n, dtype="str")
    return pd.DataFrame(
        {
            "dataset": dataset,
            "record_id": np.asarray(record_id.astype("str"), dtype=object),
            "case_id": (
                np.asarray(case_id.astype("str"), dtype=object)
                if case_id is not None
                else np.full(n, None, dtype=object)
            ),
            "message": np.asarray(msg.astype("str"), dtype=object),
        }
    )


def join_reasons(
    parts: list[tuple[pd.Series | np.ndarray, pd.Series | str]], sep: str = "; "
) -> pd.Series:
    """One message per row: the texts of the conditions that hold on it, joined by ``sep``.

    ``parts`` are (condition, text) pairs over the same rows (boolean Series or arrays, and
    a text Series or one string); a row where no condition holds gets "". Rules call it on the
    rows that break them only, so that texts are built for those rows alone.
    """
    first = parts[0][0]
    index = first.index if isinstance(first, pd.Series) else pd.RangeIndex(len(first))
    out = pd.Series("", index=index, dtype=object)
    for holds, text in parts:
        text = pd.Series(text, index=index, dtype=object)
        holds = np.asarray(holds, dtype=bool)
        out = out.mask(holds, np.where(out == "", text, out + sep + text))
    return out


def lookup(keys: pd.Series, table: pd.Series) -> pd.Series:
    """``keys.map(table)`` keeping the table's dtype (integers with a missing key become
    floats, as with ``map``), also when the table is empty.

    (pandas' ``map`` through an empty datetime Series raises TypeError: a header-only export
    or an as-of date before any record made the hosting rules fail.) ``table``'s index must be
    unique, as a groupby result is; a key not in it gives a missing value."""
    values = table.reindex(pd.Index(keys.to_numpy(), dtype=table.index.dtype))
    return pd.Series(values.array, index=keys.index, name=table.name)


def text(values: pd.Series) -> pd.Series:
    """Values as text for messages and comparisons ("" for missing)."""
    return values.astype("str").fillna("")


def fmt_date(values: pd.Series) -> pd.Series:
    """ISO dates as text ('' for missing), for messages."""
    return values.dt.strftime("%Y-%m-%d").fillna("")


def as_date(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()
