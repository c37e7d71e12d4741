"""The rule catalogue of rules.md: every rule implemented once, run by notebooks, CLI and tests."""

from __future__ import annotations

import traceback
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from ..config import Config, get_config
from . import cases, hosting, manifest, referrals  # noqa: F401  (registers the rules)
from .registry import FINDING_COLUMNS, RULES, Context, Rule, as_date

__all__ = [
    "FINDING_COLUMNS",
    "RULES",
    "Rule",
    "RuleFailure",
    "RuleRun",
    "RulesFailed",
    "catalogue",
    "check_rules",
    "run_rules",
]


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


@dataclass(frozen=True)
class RuleFailure:
    """A rule that raised instead of returning its findings: a bug of the workbench."""

    code: str
    error: str  # the exception's class, e.g. "TypeError": safe to publish
    detail: str  # its message: may quote a data value, for restricted outputs only
    traceback: str  # for the maintainers' log, restricted

    def describe(self) -> str:
        """One line for reviewers: the rule and the kind of error, no data value."""
        return f"rule {self.code} could not run ({self.error})"


@dataclass
class RuleRun:
    """The findings of every rule that ran, and the rules that failed."""

    findings: pd.DataFrame  # FINDING_COLUMNS
    failed: dict[str, RuleFailure] = field(default_factory=dict)


class RulesFailed(RuntimeError):
    """Rules raised (see :func:`run_rules`); ``run`` holds the other rules' findings."""

    def __init__(self, run: RuleRun):
        super().__init__("; ".join(f"{f.describe()}: {f.detail}" for f in run.failed.values()))
        self.run = run


def check_rules(
    frames: dict[str, pd.DataFrame],
    as_of: date | str | pd.Timestamp,
    cfg: Config | None = None,
    codes: list[str] | None = None,
    threads: int = 2,
) -> RuleRun:
    """Run every rule whose datasets are present; one finding per (dataset, record, rule).

    A rule that raises does not stop the others: it is returned in ``failed`` with its code
    and error, and the findings are those of the rules that ran. The rules run in
    ``threads`` threads (1: one after the other); the findings are the same.
    """
    ctx = Context(frames=frames, as_of=as_of_ts(as_of), cfg=cfg or get_config())
    rules = [RULES[c] for c in sorted(codes or RULES) if RULES[c].applies_to(set(frames))]

    def attempt(r: Rule) -> pd.DataFrame | RuleFailure:
        try:
            return r.check(ctx)
        except Exception as exc:  # one rule's bug must not stop the check of the export
            return RuleFailure(r.code, type(exc).__name__, str(exc), traceback.format_exc(limit=-8))

    # Rules only read the frames and spend their time in pandas and Arrow, which mostly
    # release the GIL: on 1M cases the case rules take 1.4 s one after the other and 0.8 s
    # in two threads, which keeps benchmarks/bench_check.py within its goal (<= 3x the floor).
    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="rule") as pool:
        found_by_rule = list(pool.map(attempt, rules))
    failed = {f.code: f for f in found_by_rule if isinstance(f, RuleFailure)}
    parts = [
        found.assign(rule=r.code, severity=r.severity)
        for r, found in zip(rules, found_by_rule, strict=True)
        if not isinstance(found, RuleFailure) and len(found)
    ]
    if not parts:
        empty = pd.DataFrame({c: pd.Series(dtype="str") for c in FINDING_COLUMNS})
        return RuleRun(empty, failed)
    out = pd.concat(parts, ignore_index=True)[FINDING_COLUMNS]
    out = out.drop_duplicates(["dataset", "record_id", "rule"], keep="first")
    out = out.sort_values(["dataset", "rule", "record_id"], kind="stable").reset_index(drop=True)
    return RuleRun(out, failed)


def run_rules(
    frames: dict[str, pd.DataFrame],
    as_of: date | str | pd.Timestamp,
    cfg: Config | None = None,
    codes: list[str] | None = None,
    threads: int = 2,
) -> pd.DataFrame:
    """The findings of :func:`check_rules`; raises :class:`RulesFailed` if a rule failed
    (for tests and callers that need every rule: `workbench check` and the runs use
    :func:`check_rules`, which reports a failed rule and goes on)."""
    run = check_rules(frames, as_of, cfg, codes, threads)
    if run.failed:
        raise RulesFailed(run)
    return run.findings


def as_of_ts(value: date | str | pd.Timestamp) -> pd.Timestamp:
    return as_date(value)
