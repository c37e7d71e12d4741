"""The reviewers' site in a real browser: headless Chromium (Debian's package) driven by
Playwright, with the network cut off. Every page loads without a request leaving it,
without a console error, with every chart image decoded and the title, as-of date and
run id visible. Screenshots are saved in the test's temporary folder."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from browser import chromium, open_offline

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def site(weekly_demo_run) -> tuple[Path, dict]:
    return weekly_demo_run


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def _open(browser, path: Path, shots: Path):
    """Open a local file offline (see browser.py) and save a screenshot."""
    opened = open_offline(browser, path)
    errors = [m for m in opened.console if m.startswith(("error:", "pageerror:"))]
    shots.mkdir(exist_ok=True)
    opened.page.screenshot(path=str(shots / f"{path.parent.name}-{path.stem}.png"), full_page=False)
    return opened.context, opened.page, opened.leaving, errors


def test_site_index_lists_the_run(site, browser, tmp_path):
    out, record = site
    context, page, leaving, errors = _open(browser, out / "index.html", tmp_path)
    assert leaving == [] and errors == []
    assert record["run_id"] in page.inner_text("body")
    page.click(f"text={record['run_id']}")
    page.wait_for_load_state("load")
    body = page.inner_text("body")
    assert "Figures as of 24 November 2026" in body and "Weekly report" in body
    context.close()


def test_every_report_loads_offline_with_its_charts(site, browser, tmp_path):
    out, record = site
    run = out / record["run_id"]
    saved = json.loads((run / "run.json").read_text())
    pages = [run / "index.html"] + [run / r["html"] for r in saved["reports"]]
    charts = 0
    for path in pages:
        context, page, leaving, errors = _open(browser, path, tmp_path)
        assert leaving == [], f"{path.name} made network requests: {leaving}"
        assert errors == [], f"{path.name} console errors: {errors}"
        text = page.inner_text("body")
        assert record["as_of"] in text or AS_OF.strftime("%d %B %Y") in text, path.name
        assert record["run_id"] in text, path.name
        assert page.title(), path.name
        assert "Traceback" not in text, path.name
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => [e.complete, e.naturalWidth])"
        )
        assert all(done and width > 0 for done, width in images), f"{path.name}: broken image"
        charts += len(images)
        context.close()
    assert charts >= 5, "the reports should show charts"
    assert len(list(tmp_path.glob("*.png"))) == len(pages)


def test_reports_print_cleanly(site, browser, tmp_path):
    out, record = site
    context, page, _, _ = _open(browser, out / record["run_id"] / "weekly_report.html", tmp_path)
    pdf = tmp_path / "weekly_report.pdf"
    page.pdf(path=str(pdf))
    assert pdf.stat().st_size > 10_000
    context.close()
