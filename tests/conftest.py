"""Fixtures shared across test files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from protection_workbench.run.weekly import run_weekly
from protection_workbench.synth.generate import generate_demo_exports

DEMO_AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="session")
def weekly_demo_run(tmp_path_factory) -> tuple[Path, dict]:
    """One complete weekly run on 1 500 generated individuals, shared by the tests that
    only read what a run publishes (pages in the browser, tables, wording): the site folder
    and the run's record. A failed report still publishes the others, and its record is
    returned so that the tests name what is missing. Tests must not change the files."""
    base = tmp_path_factory.mktemp("weekly-demo-run")
    generate_demo_exports(base / "demo", 1500, 41, DEMO_AS_OF, 0.01)
    try:
        record = run_weekly(base / "demo", DEMO_AS_OF, base / "outputs")
    except Exception as exc:  # a failed report: the others are still published
        record = getattr(exc, "record", None)
        if record is None:
            raise
    return base / "outputs", record
