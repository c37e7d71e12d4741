"""Reviewer pages printed to PDF by headless Chromium (Debian's ``chromium``).

The PDF is the reviewer HTML as a browser prints it, on A4 with the page's print CSS
(charts and short tables kept whole, captions with their tables), without the browser's
own header and footer (they would print the file's path). Chromium runs as a subprocess with a throw-away profile and no network: ``--proxy-server`` points at a closed
local port and every host name resolves to nothing, so even a page that tried could fetch
nothing (and reviewer pages carry a Content-Security-Policy that forbids it anyway).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from .html import esc

CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
# No background connection that a closed network would refuse (also used by the browser
# tests, tests/browser.py).
CHROMIUM_QUIET_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
TIMEOUT_S = 120
# A4 portrait, margins for binding and the page number. The reviewer template's print
# CSS does the rest: headings and captions kept with what follows, charts and short
# tables whole, long tables across pages with their header repeated, cells wrapped on
# spaces only (tests/publish/test_print_quality.py checks the printed pages).
PRINT_CSS = """<style>
@page { size: A4 portrait; margin: 16mm 14mm 18mm 14mm; }
@media print {
  body { font-size: 10pt; }
  table { font-size: 8.5pt; }
  .workbench-banner a { color: inherit; text-decoration: none; }
  h1, h2, h3 { break-after: avoid; }
  img { max-width: 100% !important; height: auto; }
}
</style>"""


class PdfSkipped(RuntimeError):
    """Chromium is not installed: the report is published as HTML and Word only."""


def find_chromium() -> str | None:
    """The Chromium executable on PATH (``WORKBENCH_CHROMIUM`` overrides), or None."""
    override = os.environ.get("WORKBENCH_CHROMIUM")
    if override:
        return override if Path(override).exists() else None
    for name in CHROMIUM_CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def printable(html: str) -> str:
    """The page with the A4 print CSS added before ``</head>``."""
    at = html.find("</head>")
    return html[:at] + PRINT_CSS + html[at:] if at >= 0 else PRINT_CSS + html


def html_to_pdf(source: Path, target: Path, title: str = "", timeout_s: float = TIMEOUT_S) -> Path:
    """Print the HTML page ``source`` to ``target`` (PDF). Raises :class:`PdfSkipped` when
    Chromium is missing and ``RuntimeError`` when it fails (its messages, which never
    quote the page, are in the error)."""
    chromium = find_chromium()
    if chromium is None:
        raise PdfSkipped("Chromium is not installed (Debian package chromium)")
    target = Path(target)
    with tempfile.TemporaryDirectory(prefix="workbench-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        html = printable(Path(source).read_text("utf-8"))
        if title and "<title>" not in html:
            html = html.replace("<head>", f"<head><title>{esc(title)}</title>", 1)
        page.write_text(html, "utf-8")
        out = Path(tmp) / "page.pdf"
        command = [
            chromium,
            "--headless",
            *CHROMIUM_QUIET_ARGS,
            "--proxy-server=127.0.0.1:9",
            "--host-resolver-rules=MAP * ~NOTFOUND",
            f"--user-data-dir={Path(tmp) / 'profile'}",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(
                command, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise RuntimeError(f"Chromium did not print the PDF within {timeout_s:.0f} s") from None
        if done.returncode != 0 or not out.is_file() or out.stat().st_size == 0:
            last = (done.stderr or "").strip().splitlines()[-1:] or ["no message"]
            raise RuntimeError(
                f"Chromium could not print the PDF (exit {done.returncode}: {last[0]})"
            )
        shutil.move(out, target)
    return target
