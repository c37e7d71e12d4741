"""Word and PDF copies of a run's reviewer reports, beside each report's HTML.

Shared by the weekly and the period run: after the reports are executed, each reviewer
report ``<name>.html`` gets ``<name>.docx`` (from its executed notebook,
:mod:`protection_workbench.publish.docx`) and ``<name>.pdf`` (the HTML printed by headless
Chromium, :mod:`protection_workbench.publish.pdf`; several printed at once). The HTML is
the report: a copy that cannot be made is recorded in the report's entry of run.json
(``docx_error`` / ``pdf_error``, the kind of error only) and said on stderr, and the run
goes on. Without Chromium the PDFs are skipped and the run says so (``pdf_skipped``).
"""

from __future__ import annotations

import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from ..errors import printable
from .site import about_text, as_of_words

PDF_WORKERS = 4


def _log(message: str) -> None:
    print(printable(message), file=sys.stderr, flush=True)


def plain_banner(record: dict) -> str:
    """The line under a Word report's title: the report date in words. The run reference
    and the files read close the document ("About this report", :func:`~.site.about_text`)."""
    return f"Figures as of {as_of_words(record)}"


def write_copies(record: dict, staging: Path) -> None:
    """Write the DOCX and PDF of every report of ``record`` that has its HTML in
    ``staging`` (the run's folder being built), note them in the report entries and the
    time taken in the run's stages (``word_and_pdf``)."""
    started = time.perf_counter()
    try:
        _write_copies(record, staging)
    finally:
        record.setdefault("stages", {})["word_and_pdf"] = round(time.perf_counter() - started, 2)


def _write_copies(record: dict, staging: Path) -> None:
    from ..publish.docx import notebook_to_docx
    from ..publish.pdf import PdfSkipped, find_chromium, html_to_pdf

    banner = plain_banner(record)

    done = [r for r in record.get("reports", []) if r.get("status") == "ok" and r.get("html")]
    for entry in done:
        stem = Path(entry["html"]).stem
        try:
            notebook_to_docx(
                staging / "notebooks" / entry["notebook"],
                staging / f"{stem}.docx",
                banner=banner,
                title=entry["title"],
                about=about_text(record),
            )
            entry["docx"] = f"{stem}.docx"
        except Exception as exc:  # noqa: BLE001 (the HTML is published whatever happens)
            entry["docx_error"] = type(exc).__name__
            _log(f"  {entry['title']}: the Word copy could not be written ({type(exc).__name__})")
    if not done:
        return
    if find_chromium() is None:
        for entry in done:
            entry["pdf_skipped"] = "Chromium is not installed"
        _log("  PDF copies skipped: Chromium is not installed (Debian package chromium)")
        return

    def pdf(entry: dict) -> None:
        stem = Path(entry["html"]).stem
        try:
            html_to_pdf(staging / entry["html"], staging / f"{stem}.pdf", entry["title"])
            entry["pdf"] = f"{stem}.pdf"
        except PdfSkipped as exc:
            entry["pdf_skipped"] = str(exc)
        except Exception as exc:  # noqa: BLE001 (the HTML is published whatever happens)
            entry["pdf_error"] = type(exc).__name__
            _log(f"  {entry['title']}: the PDF could not be printed ({type(exc).__name__})")

    with ThreadPoolExecutor(max_workers=PDF_WORKERS) as pool:
        list(pool.map(pdf, done))
