"""The checking and hosting reports print on A4 portrait: executed with papermill on
generated exports, converted as the weekly run converts them, laid out by headless Chromium
for print at the width of an A4 page (1 cm margins), no table, chart or block is wider than
the page. Each page is printed to PDF (A4) and screenshotted into the test's folder."""

from __future__ import annotations

from datetime import date

import pytest
from browser import chromium, open_offline
from jargon import jargon
from notebook_runs import start_papermill

from protection_workbench.run.notebooks import to_html
from protection_workbench.run.weekly import WEEKLY_REPORTS
from protection_workbench.synth.generate import generate_demo_exports

pytestmark = pytest.mark.slow

AS_OF = "2026-11-24"
REPORTS = ("case_integrity", "data_quality", "manifest_review", "referrals_followup")
ALL = (*REPORTS, "community_hosting")
A4_WIDTH_PX = 718  # 210 mm less two 1 cm margins, at 96 px per inch


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("print")
    data = tmp / "demo"
    generate_demo_exports(data, 3000, 11, date(2026, 11, 24), 0.02)
    base = {"data_dir": str(data), "as_of": AS_OF, "run_id": "print-test"}
    procs = {name: start_papermill(name, tmp / f"{name}.ipynb", base) for name in ALL}
    logs = {name: proc.communicate(timeout=300)[0] for name, proc in procs.items()}
    for name, proc in procs.items():
        assert proc.returncode == 0, f"{name} failed:\n{logs[name][-3000:]}"
    titles = {r.notebook.removesuffix(".ipynb"): r.title for r in WEEKLY_REPORTS}
    for name in ALL:  # converted as the weekly run converts them (title, banner)
        title = f"{titles[name]} — week 2026-W48"
        to_html(tmp / f"{name}.ipynb", tmp / f"{name}.html", "Run <b>print-test</b>", title)
    return tmp


@pytest.mark.parametrize("name", ALL)
def test_no_jargon_on_the_page(pages, name):
    """No snake_case, code, parameter name, path or Python/GX identifier a reader sees
    (tests/jargon.py, the checker every reviewer page goes through)."""
    assert jargon((pages / f"{name}.html").read_text("utf-8")) == []


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


WIDER_THAN_PAGE = """() => [...document.querySelectorAll('table, img, pre, .jp-OutputArea-output')]
    .map(e => [e.tagName, Math.round(e.getBoundingClientRect().right),
               (e.querySelector('caption') || {}).textContent || ''])
    .filter(x => x[1] > window.innerWidth + 1)"""


@pytest.mark.parametrize("name", ALL)
def test_report_fits_a4_portrait_when_printed(pages, browser, name):
    opened = open_offline(browser, pages / f"{name}.html")
    page = opened.page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    assert page.evaluate(WIDER_THAN_PAGE) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    page.screenshot(path=str(pages / f"{name}.png"), full_page=True)
    page.pdf(path=str(pages / f"{name}.pdf"), format="A4", margin={"left": "1cm", "right": "1cm"})
    assert (pages / f"{name}.pdf").stat().st_size > 10_000
    assert opened.leaving == []
    opened.context.close()


def test_the_check_sees_content_wider_than_the_page(pages, browser):
    """The measure can fail: a block wider than the page, added to a report, is seen (the
    reviewer template makes tables wrap on paper, so a plain block stands in for one)."""
    opened = open_offline(browser, pages / "data_quality.html")
    page = opened.page
    page.emulate_media(media="print")
    page.set_viewport_size({"width": A4_WIDTH_PX, "height": 1123})
    assert page.evaluate("document.documentElement.scrollWidth") <= A4_WIDTH_PX
    page.evaluate(
        "document.body.insertAdjacentHTML('beforeend', '<div style=\\'width: 1000px\\'>x</div>')"
    )
    assert page.evaluate("document.documentElement.scrollWidth") > A4_WIDTH_PX
    opened.context.close()
