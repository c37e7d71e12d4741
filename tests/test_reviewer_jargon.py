"""No jargon on reviewer pages: every page of a weekly run on generated data (the site
index, the run's page and each report) is read as a programme manager would, and its
visible text holds no snake_case token, code, parameter name, path, Python or Great
Expectations identifier (tests/jargon.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jargon import jargon, jargon_in_text, visible_text

from protection_workbench.run.weekly import WEEKLY_REPORTS

PAGES = ["index.html", "run index.html"] + [
    r.notebook.replace(".ipynb", ".html") for r in WEEKLY_REPORTS
]


@pytest.fixture(scope="module")
def run(weekly_demo_run) -> Path:
    out, record = weekly_demo_run
    return out / record["run_id"]


def _page(run: Path, name: str) -> Path:
    if name == "index.html":
        return run.parent / "index.html"
    return run / ("index.html" if name == "run index.html" else name)


@pytest.mark.parametrize("name", PAGES)
def test_no_jargon_on_the_page(run, name):
    path = _page(run, name)
    assert path.is_file(), f"{name} was not produced"
    found = jargon(path.read_text("utf-8"))
    assert found == [], f"{name}: {found}"


def test_the_checker_finds_each_kind_of_jargon():
    page = (
        "<html><head><title>Weekly report — week 2026-W48</title><style>.a_b {}</style></head>"
        "<body><p>None of the flights left. 7 returned, down from 9.</p>"
        "<p>restricted = True; see docs/rules-interpretation.md and the folder demo/</p>"
        "<table><tr><th>flight_type</th><td>uasc</td><td>vot</td><td>None</td></tr></table>"
        "<p>expect_column_values_to_be_unique failed on a DataFrame (KeyError)</p>"
        "<p>the parameter week, tables_dir, 10 manifest files (manifest_*)</p>"
        "<img alt='Bar chart of vhr_departure'></body></html>"
    )
    text = visible_text(page)
    assert "Weekly report — week 2026-W48" in text and ".a_b" not in text
    assert jargon(page) == [
        "restricted =",
        "True",
        "docs/rules-interpretation.md",
        "rules-interpretation.md",
        "demo/",
        "flight_type",
        "uasc",
        "vot",
        "None",
        "expect_column_values_to_be_unique",
        "DataFrame",
        "KeyError",
        "parameter week",
        "tables_dir",
        "manifest_*",
        "vhr_departure",
    ]


def test_plain_english_passes():
    text = (
        "None of the 12 flights was delayed. Fewer than 5 older persons (1 to 4) returned "
        "to Niger, Mali and/or Chad on 24/11/2026; figures as of 24 November 2026. "
        '"<5": fewer than 5 people. "[c]": hidden. Victim of trafficking: 3 — not applicable.'
    )
    assert jargon_in_text(text) == []
