"""`workbench run period` end to end through the weekly run's machinery: the run folder
named by its period, HTML + Word + PDF beside each other and linked from the run's page,
run.json with the period and the project, the restricted folder apart and the prepared
copy of the data gone; without Chromium the PDF is skipped and said; bad arguments exit 2
with nothing written."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from jargon import jargon

from protection_workbench.indicators import get_indicators
from protection_workbench.run.period import make_run_id, period_tag, run_period
from protection_workbench.run.weekly import RunFailed
from protection_workbench.synth.generate import generate_demo_exports, load_truth

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("period-run") / "demo"
    generate_demo_exports(out, 1200, 17, AS_OF, 0.01)
    return out


def _workbench(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "protection_workbench", *args],
        capture_output=True,
        text=True,
        timeout=900,
        env=env,
    )


@pytest.fixture(scope="module")
def month_run(demo, tmp_path_factory) -> tuple[Path, dict, subprocess.CompletedProcess]:
    out = tmp_path_factory.mktemp("site") / "outputs"
    done = _workbench("run", "period", "--data", str(demo), "--month", "2026-10", "--out", str(out))
    assert done.returncode in (0, 1), done.stderr[-3000:]
    (run,) = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    return out, json.loads((run / "run.json").read_text("utf-8")), done


def test_the_run_publishes_html_word_and_pdf(month_run):
    out, record, done = month_run
    run = out / record["run_id"]
    assert record["run_id"].startswith("2026-10_")
    (report,) = record["reports"]
    assert report["status"] == "ok"
    for kind in ("html", "docx", "pdf"):
        assert (run / f"period_report.{kind}").stat().st_size > 1000, kind
        assert report[kind] == f"period_report.{kind}"
    assert (run / "notebooks" / "period_report.ipynb").is_file()
    assert "period_report.pdf" in done.stdout and "Period run" in done.stdout


def test_run_json_records_the_period_and_the_project(month_run):
    _, record, _ = month_run
    project = get_indicators().project().name
    assert record["period"] == {"from": "2026-10-01", "to": "2026-10-31", "label": "October 2026"}
    assert record["project"] == project and record["as_of"] == "2026-10-31"
    assert record["parameters"]["date_from"] == "2026-10-01"
    assert record["status"] in ("ok", "gate_failed")
    assert record["stages"]["word_and_pdf"] > 0


def test_the_run_page_and_the_site_index_link_every_copy(month_run):
    out, record, _ = month_run
    page = (out / record["run_id"] / "index.html").read_text("utf-8")
    assert "Period report, October 2026" in page
    for link in (
        'href="period_report.html"',
        'href="period_report.docx"',
        'href="period_report.pdf"',
    ):
        assert link in page
    assert record["run_id"] in (out / "index.html").read_text("utf-8")
    for html in (page, (out / record["run_id"] / "period_report.html").read_text("utf-8")):
        assert jargon(html) == []


def test_the_restricted_folder_is_apart_and_the_data_copy_gone(month_run):
    out, record, _ = month_run
    restricted = Path(record["restricted"])
    assert restricted.parent == out.with_name("outputs-restricted")
    assert (restricted / "findings.csv").is_file()
    assert not (restricted / "prepared").exists()
    assert not list(out.glob(f"{record['run_id']}/**/*.parquet"))


def test_without_chromium_the_pdf_is_skipped_and_said(demo, tmp_path, monkeypatch):
    monkeypatch.setenv("WORKBENCH_CHROMIUM", str(tmp_path / "no-chromium"))
    out = tmp_path / "outputs"
    record = run_period(demo, date(2026, 9, 1), date(2026, 9, 30), out)
    (report,) = record["reports"]
    run = out / record["run_id"]
    assert report["status"] == "ok" and "pdf" not in report
    assert report["pdf_skipped"] == "Chromium is not installed"
    assert (run / "period_report.html").is_file() and (run / "period_report.docx").is_file()
    assert not (run / "period_report.pdf").exists()
    assert "no PDF: Chromium is not installed" in (run / "index.html").read_text("utf-8")


def test_notes_naming_a_person_stop_the_run_unless_allowed(demo, tmp_path):
    """The team's narrative is checked against the case records before the report runs:
    a person's name stops the run (exit 2) naming the file and line, never the name."""
    person = load_truth(demo)[0]["cases"].iloc[10]
    name = f"{person['first_name']} {person['last_name']}"
    notes = tmp_path / "notes.md"
    notes.write_text(f"# Highlights\n\nWe met {name} in Sebha.\n", "utf-8")
    with pytest.raises(RunFailed) as caught:
        run_period(demo, date(2026, 9, 1), date(2026, 9, 30), tmp_path / "out", notes=notes)
    assert caught.value.exit_code == 2
    assert str(notes) in str(caught.value) and "line 3" in str(caught.value)
    assert person["last_name"] not in str(caught.value)
    record = run_period(
        demo,
        date(2026, 9, 1),
        date(2026, 9, 30),
        tmp_path / "out2",
        notes=notes,
        allow_notes_pii=True,
    )
    assert record["notes"][0]["personal_data_allowed"] is True
    html = (tmp_path / "out2" / record["run_id"] / "period_report.html").read_text("utf-8")
    assert "We met" in html


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--project", "No such project"], "no project called 'No such project'"),
        (["--from", "2026-07-01"], "needs both --from and --to"),
        (["--month", "2026-13"], "not a month like 2026-10"),
        (["--from", "2026-09-30", "--to", "2026-07-01"], "ends (2026-07-01) before it starts"),
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(demo, tmp_path, args, message):
    out = tmp_path / "outputs"
    done = _workbench("run", "period", "--data", str(demo), "--out", str(out), *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr
    assert not out.exists()


def test_run_ids_name_the_period():
    assert period_tag(date(2026, 7, 1), date(2026, 9, 30)) == "2026-Q3"
    assert period_tag(date(2026, 10, 1), date(2026, 10, 31)) == "2026-10"
    assert period_tag(date(2026, 7, 1), date(2026, 8, 15)) == "2026-07-01_2026-08-15"
    assert make_run_id(date(2026, 7, 1), date(2026, 9, 30)).startswith("2026-Q3_")


# --------------------------------------------------------------------------- published tables

DICTIONARY = Path(__file__).resolve().parent / "data" / "hxl"  # see its SOURCE.md


def test_the_period_report_publishes_its_tables_as_valid_hxl(month_run):
    """Like the weekly report's: the indicator table, the months, each breakdown and the
    period's work as CSV with an HXL row, every hashtag of the HXL dictionary, no error or
    warning of libhxl's core schema (its info hints name real busy rows only, never a
    total: totals are in their own files), linked from the report's page."""
    import hxl
    import hxl.input

    from protection_workbench.publish.hxl import outside_dictionary, read_dictionary, read_hxl_rows

    out, record, _ = month_run
    run = out / record["run_id"]
    tables = sorted((run / "tables").glob("*.csv"))
    names = {p.name for p in tables}
    assert {
        "period_indicators.csv",
        "period_indicators_by_month.csv",
        "period_returns_assisted_by_sex.csv",
        "period_returns_by_flight_type.csv",
        "period_referrals_followed_up_in_time_by_sex.csv",
    } <= names
    (report,) = record["reports"]
    assert sorted(report["tables"]) == sorted(names)
    # what it hides, recorded in run.json as the weekly reports' (no share of people)
    hidden = report["disclosure"]
    assert hidden["cells"] > 100 and 0 < hidden["cells_hidden"] < hidden["cells"]
    assert hidden["people_hidden_percent"] is None and hidden["min_cell"] == 5
    dictionary = read_dictionary(DICTIONARY / "hashtag.hxl.csv", DICTIONARY / "attribute.hxl.csv")
    for path in tables:
        headers, tags = read_hxl_rows(path)
        assert outside_dictionary(tags, dictionary) == [], path.name
        source = hxl.data(str(path), hxl.input.InputOptions(allow_local=True))
        issues = hxl.validate(source, hxl.schema())["issues"]
        serious = [i for i in issues if i["severity"] != "info"]
        assert serious == [], (path.name, serious)
        hints = {i["description"] for i in issues}
        assert hints <= {"Possible numeric outlier"}, (path.name, hints)
    headers, tags = read_hxl_rows(run / "tables" / "period_indicators.csv")
    assert headers[:3] == ["Code", "Indicator", "Unit"]
    assert "% of period target" in headers and "% of project target" in headers
    assert tags[:2] == ["#indicator+code", "#indicator+name"]
    page = (run / "period_report.html").read_text("utf-8")
    assert 'href="tables/period_indicators.csv"' in page


def test_the_published_indicators_are_the_page_figures(month_run):
    """The CSV holds the page's figures (a hidden count stays hidden: empty, its marker
    beside it), the percents as numbers."""
    import csv

    out, record, _ = month_run
    path = out / record["run_id"] / "tables" / "period_indicators.csv"
    rows = list(
        csv.DictReader(
            path.read_text("utf-8").splitlines()[:1] + path.read_text("utf-8").splitlines()[2:]
        )
    )
    codes = [r["Code"] for r in rows]
    assert codes == [i.code for i in get_indicators().project().indicators]
    o11 = rows[0]
    assert o11["Project target"] == "24000" and o11["Unit"] == "people"
    assert o11["This period"].isdigit() and o11["% of project target"].isdigit()
    assert all("<" not in r["This period"] for r in rows)  # markers in their own column


def test_the_data_package_describes_the_period_tables_and_is_valid(month_run):
    import frictionless

    out, record, _ = month_run
    run = out / record["run_id"]
    report = frictionless.validate(str(run / "datapackage.json"))
    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "note"])[:10]
    data = json.loads((run / "datapackage.json").read_text("utf-8"))
    assert {r["path"] for r in data["resources"]} == {
        f"tables/{p.name}" for p in (run / "tables").glob("*.csv")
    }
    assert "October 2026" in data["title"]
    titles = {r["title"] for r in data["resources"]}
    assert "Indicators" in titles and "Returns assisted by sex" in titles


def test_the_report_is_titled_after_the_project_and_its_donor(month_run):
    out, record, _ = month_run
    project = get_indicators().project()
    page = (out / record["run_id"] / "period_report.html").read_text("utf-8")
    import html as html_module

    text = html_module.unescape(page)
    assert f"{project.report_title}: report to {project.donor}, October 2026" in text
