"""The reviewers' site in a real browser: headless Chromium (Debian's package) driven by
Playwright, with the network cut off. Every page loads without a request leaving it,
without a console error, with every chart image decoded and the title, as-of date and
run id visible. Screenshots are saved in the test's temporary folder."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import pytest

from protection_workbench.run.weekly import run_weekly
from protection_workbench.synth.generate import generate_demo_exports

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AS_OF = date(2026, 11, 24)
# As the machine's notes advise: no background connections that a closed network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("browser")
    data = base / "demo"
    generate_demo_exports(data, 1500, 41, AS_OF, 0.01)
    record = run_weekly(data, AS_OF, base / "outputs")
    return base / "outputs", record


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail("Chromium is missing: `make test` installs Debian's chromium package")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _open(browser, path: Path, shots: Path):
    """Open a local file with every non-file request blocked and recorded."""
    context = browser.new_context(offline=True)
    page = context.new_page()
    leaving, errors = [], []

    def route(r):
        if r.request.url.startswith("file://"):
            r.continue_()
        else:
            leaving.append(r.request.url)
            r.abort()

    page.route("**/*", route)
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri(), wait_until="load")
    shots.mkdir(exist_ok=True)
    page.screenshot(path=str(shots / f"{path.parent.name}-{path.stem}.png"), full_page=False)
    return context, page, leaving, errors


def test_site_index_lists_the_run(site, browser, tmp_path):
    out, record = site
    context, page, leaving, errors = _open(browser, out / "index.html", tmp_path)
    assert leaving == [] and errors == []
    assert record["run_id"] in page.inner_text("body")
    page.click(f"text={record['run_id']}")
    page.wait_for_load_state("load")
    body = page.inner_text("body")
    assert record["as_of"] in body and "Weekly report" in body
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
