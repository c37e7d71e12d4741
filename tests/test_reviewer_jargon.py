"""No jargon on reviewer pages: every page of a weekly run and of a period run on generated
data (the site index, the run's page and each report) is read as a programme manager would,
and its visible text holds no snake_case token, code, parameter name, path, Python or Great
Expectations identifier, none of the technical words of issue 22 and no rule code without
its words (tests/jargon.py). Each report ends with "About this report" (run reference,
files read), and they appear nowhere before it; the published CSV tables have headers in
words over their HXL row."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import pytest
from jargon import (
    about_problems,
    bare_rule_codes,
    jargon,
    jargon_in_text,
    visible_text,
)

from protection_workbench.publish.header import public_file_name, week_label_words, week_words
from protection_workbench.publish.hxl import WEEK_SUFFIX
from protection_workbench.run.period import PERIOD_REPORTS, run_period
from protection_workbench.run.weekly import WEEKLY_REPORTS, RunFailed

REPORTS = {
    "weekly": [r.notebook.replace(".ipynb", ".html") for r in WEEKLY_REPORTS],
    "period": [r.notebook.replace(".ipynb", ".html") for r in PERIOD_REPORTS],
}
PAGES = [
    (kind, name)
    for kind in ("weekly", "period")
    for name in ["index.html", "run index.html", *REPORTS[kind]]
]


@pytest.fixture(scope="module")
def runs(weekly_demo_run, tmp_path_factory) -> dict[str, tuple[Path, dict]]:
    """The session's weekly run and a period run (October 2026) on the same exports."""
    out, record = weekly_demo_run
    period_out = tmp_path_factory.mktemp("period-jargon") / "outputs"
    try:
        period = run_period(out.parent / "demo", date(2026, 10, 1), date(2026, 10, 31), period_out)
    except RunFailed as exc:  # a failed quality gate still publishes the report
        period = exc.record
    return {
        "weekly": (out / record["run_id"], record),
        "period": (period_out / period["run_id"], period),
    }


def _page(run: Path, name: str) -> Path:
    if name == "index.html":
        return run.parent / "index.html"
    return run / ("index.html" if name == "run index.html" else name)


@pytest.mark.parametrize(("kind", "name"), PAGES)
def test_no_jargon_on_the_page(runs, kind, name):
    path = _page(runs[kind][0], name)
    assert path.is_file(), f"{kind} {name} was not produced"
    found = jargon(path.read_text("utf-8"))
    assert found == [], f"{kind} {name}: {found}"


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k, names in REPORTS.items() for n in names])
def test_about_this_report_closes_the_page(runs, kind, name):
    """The run reference and the files read are in "About this report", the last section,
    and nowhere before it (the top of the page gives the report date in words)."""
    run, record = runs[kind]
    files = [f for f in (i.get("file") for i in record["inputs"]) if f and public_file_name(f)]
    assert "cases.csv" in files
    html = (run / name).read_text("utf-8")
    assert about_problems(html, record["run_id"], files) == []
    top = visible_text(html).split("About this report")[0]
    assert "Figures as of" in top and "ISO" not in top


@pytest.mark.parametrize("kind", ["weekly", "period"])
def test_published_tables_have_headers_in_words(runs, kind):
    """Every CSV of the run: headers in words (no snake_case, no bare rule code, nothing
    tests/jargon.py would flag; the ISO label of a week keeps its own column), the HXL
    hashtag row under them."""
    run, _ = runs[kind]
    tables = sorted((run / "tables").glob("*.csv"))
    assert tables or kind == "period", "the weekly run published no table"
    for path in tables:
        with path.open(encoding="utf-8", newline="") as handle:
            header, tags = next(csv.reader(handle)), next(csv.reader(handle))
        assert all(t.startswith("#") for t in tags), f"{path.name}: no HXL row"
        # "(ISO week)": the column of ISO labels machines read (hxl.WEEK_SUFFIX), kept
        found = jargon_in_text("\n".join(h.removesuffix(WEEK_SUFFIX) for h in header))
        assert found == [], f"{path.name}: {found}"


def test_hosting_payments_headers_in_words_and_tags_unchanged(runs):
    run, _ = runs["weekly"]
    with (run / "tables" / "community_hosting_payments.csv").open(encoding="utf-8") as handle:
        header, tags = next(csv.reader(handle)), next(csv.reader(handle))
    shown = dict(zip(header, tags, strict=True))
    assert shown["Expected (LYD)"] == "#value+budget" and shown["Paid (LYD)"] == "#value+transfer"
    assert shown["Payments out of line"] == "#indicator+num" and shown["Month"] == "#date"
    assert "h004_findings" not in header and "expected_lyd" not in header


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


def test_the_checker_finds_the_words_of_issue_22():
    text = (
        "Data sources activities.xlsx, cases.csv · Run 2026-W50_20261207T234108Z\n"
        "As of 7 December 2026 (ISO week 2026-W50). Rows quarantined; repairs to reach the "
        "canonical form; garbled characters (mojibake). 240 of 245 structural checks met. "
        "C008 child without BIA. Passengers: 0 NO-GO, 1 GO (check). Flights after the as-of "
        "date. Payments out of line (rule H004). Shortest quarter up to (days)."
    )
    assert jargon_in_text(text) == [
        "Data sources",
        "Run 2026-W50_",
        "ISO week",
        "quarantined",
        "canonical",
        "mojibake",
        "structural checks",
        "C008",
        "BIA",
        "GO (check)",
        "as-of",
        "H004",
        "Shortest quarter",
    ]


def test_rule_codes_pass_with_their_words_only():
    assert bare_rule_codes("H004 Payment out of line; C004: dates out of order") == []
    assert bare_rule_codes('overdue, rule R001\n"Referral follow-up overdue"') == []
    assert bare_rule_codes("Payment out of line (H004)") == []
    assert bare_rule_codes("(rule H004); H001 Host over capacity; M999") == ["H004", "H001", "M999"]


def test_about_problems_are_found():
    run_id = "2026-W48_20261208T010905Z"
    about = f"<h2>About this report</h2><ul><li>Run reference: {run_id}</li></ul>"
    good = f"<h1>Report</h1><p>Figures as of 24 November 2026</p>{about}"
    assert about_problems(good, run_id, ["cases.csv"]) == []
    early = f"<h1>Report</h1><p>Data from cases.csv, run {run_id}</p>{about}"
    assert about_problems(early, run_id, ["cases.csv"]) == [
        f"{run_id} before 'About this report'",
        "cases.csv before 'About this report'",
    ]
    assert about_problems(f"{about}<h2>More</h2>", run_id, []) == [
        "a heading after 'About this report'"
    ]
    assert about_problems("<h1>Report</h1>", run_id, []) == ["'About this report' found 0 times"]


def test_weeks_in_words():
    assert week_words(date(2026, 11, 24)) == "week 48 of 2026 (23 to 29 November)"
    assert week_words(date(2026, 12, 6)) == "week 49 of 2026 (30 November to 6 December)"
    assert week_words(date(2026, 1, 1)) == "week 1 of 2026 (29 December 2025 to 4 January 2026)"
    assert week_label_words("2026-W49") == "week 49 of 2026 (30 November to 6 December)"
    assert week_label_words("2026-W54") == "2026-W54"


def test_plain_english_passes():
    text = (
        "None of the 12 flights was delayed. Fewer than 5 older persons (1 to 4) returned "
        "to Niger, Mali and/or Chad on 24/11/2026; figures as of 24 November 2026. "
        '"<5": fewer than 5 people. "[c]": hidden. Victim of trafficking: 3 — not applicable. '
        "C008 Unaccompanied or separated child without a best interests assessment (BIA)."
    )
    assert jargon_in_text(text) == []


def test_words_shown_only_for_some_data_are_plain():
    """Labels a demo week may not show: every kind of repair, every gate check, the gate's
    verdict and every rule title (with its code) pass the checker."""
    from types import SimpleNamespace

    import pandas as pd

    from protection_workbench.reports.case_integrity import (
        EXPECTATION_DESCRIPTIONS,
        OTHER_EXPECTATION,
        gate_sentence,
    )
    from protection_workbench.reports.data_quality import REPAIR_LABELS
    from protection_workbench.rules import catalogue

    gate = SimpleNamespace(passed=False, results=pd.DataFrame({"success": [True, False]}))
    rules = catalogue()
    texts = [
        *REPAIR_LABELS.values(),
        *(t.format(column="Individual") for t in [*EXPECTATION_DESCRIPTIONS.values()]),
        OTHER_EXPECTATION.format(column="Individual"),
        gate_sentence(gate),
        *(rules["rule"] + " " + rules["title"]),
    ]
    assert REPAIR_LABELS["encoding"] == "Garbled characters (wrong text encoding)"
    assert {t: jargon_in_text(t) for t in texts if jargon_in_text(t)} == {}


def test_a_notebook_opened_on_its_own_gives_its_date_in_words(tmp_path):
    """Outside a run (no run reference) the header under the title gives the report date in
    words and the files read (the analyst at the notebook); no ISO wording."""
    from protection_workbench.reports.common import page_header

    (tmp_path / "cases.csv").write_text("x\n")
    text = page_header(date(2026, 11, 24), tmp_path)
    lines = text.splitlines()
    assert lines[0].startswith("**Figures as of** 24 November 2026, week 48 of 2026 (23 to 29")
    assert lines[1].startswith("**Files read** cases&#46;csv")
    assert "ISO" not in text and "Data sources" not in text
    assert page_header(date(2026, 11, 24), tmp_path, run_id="r").startswith("This reviewer")
