"""The rule catalogue: one registry of rules, each with its code, severity and explanation.

A rule is a vectorised function of the cleaned frames that returns the records
breaking it. The runner adds code and severity and keeps one finding per
(dataset, record_id, rule). See docs/rules-interpretation.md for how each line of
rules.md is read.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
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
    # Conversions shared by several rules (stage ranks, group codes …), keyed by name and
    # the id of the frame they come from; filled by ``memo``.
    cache: dict = field(default_factory=dict, compare=False, repr=False)
    _locks: dict = field(default_factory=dict, compare=False, repr=False)
    _locks_guard: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def memo(self, name: str, frame: pd.DataFrame, compute: Callable[[], object]):
        """``compute()`` once per context and frame, then from the cache (rules run in
        several threads: one computes, the others asking for the same key wait for it)."""
        key = (name, id(frame))
        hit = self.cache.get(key)
        if hit is None:
            with self._locks_guard:
                lock = self._locks.setdefault(key, threading.Lock())
            with lock:
                hit = self.cache.get(key)
                if hit is None:
                    # Keep the frame with its value, so that its id cannot be reused meanwhile.
                    hit = self.cache[key] = (frame, compute())
        return hit[1]

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
    """A rule's raw findings: dataset, record_id, case_id, message (rule/severity added later)."""
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


def join_reasons(parts: list[tuple[np.ndarray, pd.Series | str]], sep: str = "; ") -> pd.Series:
    """Combine per-condition messages of the rows where any condition holds.

    ``parts`` are (mask, text) pairs over the same rows; returns one message per row
    (empty where no condition holds). Work is proportional to the failing rows only.
    """
    n = len(parts[0][0])
    out = pd.Series([""] * n, dtype=object)
    for mask, text in parts:
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        piece = (
            pd.Series([text] * len(idx), index=idx, dtype=object)
            if isinstance(text, str)
            else pd.Series(np.asarray(text.astype("str"), dtype=object)[idx], index=idx)
        )
        current = out.iloc[idx]
        out.iloc[idx] = np.where(current == "", piece, current + sep + piece)
    return out


def reasons_at(
    parts: list[tuple[np.ndarray, str | Callable[[np.ndarray], pd.Series]]],
    rows: np.ndarray,
    sep: str = "; ",
) -> np.ndarray:
    """The messages of ``rows`` (positions) only: as ``join_reasons(...)[rows]``.

    ``parts`` are (mask, text) pairs over all rows; ``text`` is a fixed string or a function
    of the positions where its mask holds (among ``rows``) that returns their texts. Text is
    thus only built for the failing rows.
    """
    out = np.full(len(rows), "", dtype=object)
    for mask, text in parts:
        local = np.flatnonzero(np.asarray(mask)[rows])
        if not len(local):
            continue
        if isinstance(text, str):
            piece = np.full(len(local), text, dtype=object)
        else:
            piece = np.asarray(pd.Series(text(rows[local])).astype("str"), dtype=object)
        current = pd.Series(out[local], dtype=object)
        out[local] = np.where(current == "", piece, current + sep + pd.Series(piece, dtype=object))
    return out


def isin_many(values: pd.Series, candidates: pd.Series) -> np.ndarray:
    """``values.isin(candidates)`` for text Series of the same dtype, as a boolean array.

    Hash-based on both sides: ``Series.isin`` of pyarrow strings walks the candidates in
    Python, which takes seconds for a million of them. Missing matches missing, as in isin.
    """
    both = pd.concat([candidates, values], ignore_index=True)
    codes, uniques = pd.factorize(both, use_na_sentinel=True)
    known = np.zeros(len(uniques) + 1, dtype=bool)
    known[codes[: len(candidates)] + 1] = True
    return known[codes[len(candidates) :] + 1]


def fmt_date(values: pd.Series) -> pd.Series:
    """ISO dates as text ('' for missing), for messages."""
    return values.dt.strftime("%Y-%m-%d").fillna("")


def as_date(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return pd.Timestamp(value).normalize()
