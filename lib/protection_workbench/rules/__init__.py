"""The rule catalogue of rules.md: every rule implemented once, run by notebooks, CLI and tests."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pandas as pd

from ..config import Config, get_config
from . import cases, hosting, manifest, referrals  # noqa: F401  (registers the rules)
from .registry import FINDING_COLUMNS, RULES, Context, Rule, as_date

__all__ = ["FINDING_COLUMNS", "RULES", "Rule", "catalogue", "run_rules"]


def catalogue() -> pd.DataFrame:
    """The rules as a table: code, severity, title, datasets, settings, explanation."""
    return pd.DataFrame(
        [
            {
                "rule": r.code,
                "severity": r.severity,
                "title": r.title,
                "datasets": ", ".join(r.datasets),
                "settings": ", ".join(r.settings),
                "explanation": r.explanation,
            }
            for r in sorted(RULES.values(), key=lambda r: r.code)
        ]
    )


def run_rules(
    frames: dict[str, pd.DataFrame],
    as_of: date | str | pd.Timestamp,
    cfg: Config | None = None,
    codes: list[str] | None = None,
    threads: int = 2,
) -> pd.DataFrame:
    """Run every rule whose datasets are present; one finding per (dataset, record, rule).

    The rules run in ``threads`` threads (1: one after the other); the findings are the same.
    """
    ctx = Context(frames=frames, as_of=as_of_ts(as_of), cfg=cfg or get_config())
    rules = [RULES[c] for c in sorted(codes or RULES) if RULES[c].applies_to(set(frames))]
    # Rules only read the frames and spend their time in pandas and Arrow, which mostly
    # release the GIL: on 1M cases the case rules take 1.4 s one after the other and 0.8 s
    # in two threads, which keeps benchmarks/bench_check.py within its goal (<= 3x the floor).
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="rule") as pool:
        found_by_rule = list(pool.map(lambda r: r.check(ctx), rules))
    parts = [
        found.assign(rule=r.code, severity=r.severity)
        for r, found in zip(rules, found_by_rule, strict=True)
        if len(found)
    ]
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS})
    out = pd.concat(parts, ignore_index=True)[FINDING_COLUMNS]
    out = out.drop_duplicates(["dataset", "record_id", "rule"], keep="first")
    return out.sort_values(["dataset", "rule", "record_id"], kind="stable").reset_index(drop=True)


def as_of_ts(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return as_date(value)
