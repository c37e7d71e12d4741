"""The rule catalogue of rules.md: every rule implemented once, run by notebooks, CLI and tests."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ..config import Config, get_config
from . import cases, hosting, manifest  # noqa: F401  (registers the rules)
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
) -> pd.DataFrame:
    """Run every rule whose datasets are present; one finding per (dataset, record, rule)."""
    ctx = Context(frames=frames, as_of=as_of_ts(as_of), cfg=cfg or get_config())
    parts = []
    for code in sorted(codes or RULES):
        r = RULES[code]
        if not r.applies_to(set(frames)):
            continue
        found = r.check(ctx)
        if len(found):
            parts.append(found.assign(rule=r.code, severity=r.severity))
    if not parts:
        return pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS})
    out = pd.concat(parts, ignore_index=True)[FINDING_COLUMNS]
    out = out.drop_duplicates(["dataset", "record_id", "rule"], keep="first")
    return out.sort_values(["dataset", "rule", "record_id"], kind="stable").reset_index(drop=True)


def as_of_ts(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return as_date(value)
