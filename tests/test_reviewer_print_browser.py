"""Reviewer pages print on A4 portrait: each page of a weekly run, laid out by headless
Chromium (tests/browser.py) for print at the printable width of an A4 page, has no element
wider than the page and no box that hides content by scrolling; its PDF is A4. The PDFs
and screenshots are saved in the test's temporary folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from browser import chromium, open_offline

from protection_workbench.run.weekly import WEEKLY_REPORTS

MM = 96 / 25.4  # CSS pixels per millimetre
# A4 portrait less the margins of the reviewer template's @page rule (12 mm each side)
PRINTABLE_WIDTH = int((210 - 2 * 12) * MM)
PAGES = ["run index.html"] + [r.notebook.replace(".ipynb", ".html") for r in WEEKLY_REPORTS]

# Elements wider than the printable width, or boxes whose content is wider than the box
# (clipped or scrolled on paper): tag, class and the start of their text.
TOO_WIDE = """(width) => {
  const out = [];
  const describe = (el) => `${el.tagName.toLowerCase()}.${el.className || ''}: ` +
      (el.innerText || el.getAttribute('alt') || '').trim().slice(0, 60);
  for (const el of document.body.querySelectorAll('*')) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    if (box.right > width + 1 || box.left < -1) out.push('beyond the page: ' + describe(el));
    else if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0 &&
             getComputedStyle(el).overflowX !== 'visible')
      out.push('content cut: ' + describe(el));
  }
  if (document.documentElement.scrollWidth > width + 1)
    out.push('page ' + document.documentElement.scrollWidth + ' px wide');
  return out;
}"""


@pytest.fixture(scope="module")
def run(weekly_demo_run) -> Path:
    out, record = weekly_demo_run
    return out / record["run_id"]


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.mark.parametrize("name", PAGES)
def test_page_fits_a4_portrait_when_printed(run, browser, tmp_path, name):
    from pypdf import PdfReader

    path = run / ("index.html" if name == "run index.html" else name)
    assert path.is_file(), f"{name} was not produced"
    opened = open_offline(browser, path)
    page = opened.page
    page.set_viewport_size({"width": PRINTABLE_WIDTH, "height": int(297 * MM)})
    page.emulate_media(media="print")
    too_wide = page.evaluate(TOO_WIDE, PRINTABLE_WIDTH)
    page.screenshot(path=str(tmp_path / f"{path.stem}-print.png"), full_page=True)
    pdf = tmp_path / f"{path.stem}.pdf"
    page.pdf(path=str(pdf), prefer_css_page_size=True, print_background=True)
    opened.context.close()
    assert too_wide == [], f"{name}: {too_wide[:8]}"
    sizes = {
        (round(float(p.mediabox.width)), round(float(p.mediabox.height)))
        for p in PdfReader(pdf).pages
    }
    assert sizes == {(595, 842)}, sizes  # A4 portrait in points
