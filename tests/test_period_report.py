"""The period report notebook on demo data (a month, a quarter, the project's life, and as
opened with its defaults), its published tables, and its Word and PDF copies: python-docx
reads real headings and the indicator table as a Word table with a repeated header row,
LibreOffice converts the DOCX without error, the PDF has pages and text, and no planted
personal data reaches either."""

from __future__ import annotations

import html
import io
import re
from datetime import date
from pathlib import Path

import docx
import nbformat
import pytest
from jargon import jargon
from notebook_runs import markdown, output_text, outputs, start_papermill
from office import SOFFICE, word_to_pdf
from pypdf import PdfReader
from test_weekly_run import PLANTED_TRACES, _plant_personal_data

from protection_workbench.indicators import get_indicators
from protection_workbench.publish.docx import html_tables, notebook_to_docx
from protection_workbench.publish.pdf import find_chromium, html_to_pdf, printable
from protection_workbench.run.notebooks import to_html
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("period-report") / "demo"
    generate_demo_exports(out, 1500, 13, AS_OF, 0.01)
    _plant_personal_data(out)
    (out / "period_notes.md").write_text(
        "# Highlights\n\n- Two charter flights left Misrata <script>alert(1)</script>\n",
        "utf-8",
    )
    (out / "highlights-2026-W37.md").write_text("Embassy visits resumed in week 37.\n", "utf-8")
    return out


@pytest.fixture(scope="module")
def executed(demo, tmp_path_factory) -> dict[str, dict]:
    """The notebook for a month, a quarter and the project's life, run at once."""
    project = get_indicators().project()
    periods = {
        "month": ("2026-10-01", "2026-10-31"),
        "quarter": ("2026-07-01", "2026-09-30"),
        "life": (project.start.isoformat(), AS_OF.isoformat()),
    }
    base = tmp_path_factory.mktemp("executed")
    procs = {
        name: start_papermill(
            "period_report",
            base / f"{name}.ipynb",
            {"data_dir": str(demo), "date_from": start, "date_to": end, "run_id": "test"},
        )
        for name, (start, end) in periods.items()
    }
    for name, proc in procs.items():
        out, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{name}: {out[-3000:]}"
    return {name: nbformat.read(base / f"{name}.ipynb", as_version=4) for name in periods}


def _errors(nb) -> list:
    return [o for o in outputs(nb) if o.get("output_type") == "error"]


def test_the_report_runs_for_a_month_a_quarter_and_the_project_life(executed):
    labels = {
        "month": "October 2026",
        "quarter": "July–September 2026 (2026-Q3)",
        "life": "1 July 2025 to 24 November 2026",
    }
    for name, nb in executed.items():
        assert _errors(nb) == [], name
        text = html.unescape(output_text(nb))  # Markdown writes ( - ) as references
        assert labels[name] in text, name
        for code in ("O1.1", "O2.2", "O3.3"):
            assert code in text
        assert "Since project start" in text and "Period target (% reached)" in text
        assert "Project target (% reached)" in text and "What the status means" in text
        assert text.count(get_indicators().project().report_title) >= 1  # the title
        assert any("## The period in brief" in c.source for c in nb.cells)
        assert "behind by about" in text or "on track" in text  # the narrative
        assert "Returns by flight type" in text and "Monitoring visits" in text
        assert sum("image/png" in o.get("data", {}) for o in outputs(nb)) >= 3


def test_the_analysts_words_are_shown_escaped_and_the_weekly_highlights_annexed(executed):
    shown = output_text(executed["quarter"])
    assert "Two charter flights left Misrata" in shown
    assert "<script>" not in shown and "&lt;script&gt;" in shown  # as text, never markup
    assert "Embassy visits resumed in week 37" in shown  # 2026-W37 is in the quarter
    assert "Embassy visits resumed" not in output_text(executed["month"])
    assert "No weekly highlights were written" in markdown(executed["month"])


def test_no_code_identifiers_on_the_page(executed):
    text = output_text(executed["quarter"])
    for leftover in ("returns_assisted", "age_band", "location_type", "date_from", "prepared_dir"):
        assert leftover not in text, leftover


# --------------------------------------------------------------------------- Word and PDF


@pytest.fixture(scope="module")
def copies(executed, tmp_path_factory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("copies")
    nb_path = base / "period_report.ipynb"
    nbformat.write(executed["quarter"], nb_path)
    html = base / "period_report.html"
    to_html(nb_path, html, "Run <b>test</b>", "Period report")
    word = notebook_to_docx(nb_path, base / "period_report.docx", "Run test", "Period report")
    pdf = html_to_pdf(html, base / "period_report.pdf", "Period report")
    return {"html": html, "docx": word, "pdf": pdf, "base": base}


def test_the_word_copy_has_headings_and_the_indicator_table(copies):
    document = docx.Document(str(copies["docx"]))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    project = get_indicators().project()
    assert "Indicators" in headings and "The period in brief" in headings
    assert any(h.startswith(f"{project.report_title}: report to {project.donor}") for h in headings)
    indicator = next(t for t in document.tables if t.rows[0].cells[0].text == "Code")
    header = [c.text for c in indicator.rows[0].cells]
    assert header[:4] == ["Code", "Indicator", "Baseline", "This period"]
    assert header[4:7] == [
        "Period target (% reached)",
        "Since project start",
        "Project target (% reached)",
    ]
    o11 = [c.text for c in indicator.rows[1].cells]
    assert re.fullmatch(r"3,000 \(\d+\s%\)", o11[4]) and re.fullmatch(r"24,000 \(\d+\s%\)", o11[6])
    assert "Status" in header
    # the header row repeats on every page (w:tblHeader), the body rows are the indicators
    assert indicator.rows[0]._tr.trPr.xml.count("tblHeader") == 1
    codes = [r.cells[0].text for r in indicator.rows[1:]]
    assert codes == [i.code for i in get_indicators().project().indicators]
    assert len(document.inline_shapes) >= 3  # the charts, as pictures
    section = document.sections[0]
    assert round(section.page_width.cm, 1) == 21.0 and round(section.page_height.cm, 1) == 29.7
    assert "PAGE" in section.footer._element.xml  # page numbers
    text = "\n".join(p.text for p in document.paragraphs)
    assert "import " not in text and "display(" not in text  # code never shown


def test_libreoffice_converts_the_word_copy(copies, tmp_path):
    assert Path(SOFFICE).exists(), "LibreOffice is missing: `make office` installs it"
    out = tmp_path / "converted"
    done = word_to_pdf([copies["docx"]], out, tmp_path)
    assert done.returncode == 0, done.stderr
    converted = out / "period_report.pdf"
    assert converted.is_file()
    pages = PdfReader(io.BytesIO(converted.read_bytes())).pages
    assert len(pages) >= 2 and "Indicators" in "".join(p.extract_text() for p in pages)


def test_the_pdf_has_pages_and_text(copies):
    reader = PdfReader(str(copies["pdf"]))
    assert len(reader.pages) > 0
    text = "".join(page.extract_text() for page in reader.pages)
    assert "Voluntary humanitarian return and community" in text  # the project's title
    assert "O1.1" in text and "Since project start" in text and "Project target" in text


def test_planted_personal_data_reaches_neither_word_nor_pdf(copies):
    document = docx.Document(str(copies["docx"]))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    word = "\n".join([p.text for p in document.paragraphs] + cells)
    pdf = "".join(p.extract_text() for p in PdfReader(str(copies["pdf"])).pages)
    for text in (word, pdf):
        assert len(text) > 2000
        found = [t for t in PLANTED_TRACES if t in text]
        assert not found, found


def test_no_jargon_on_the_period_page(copies):
    """Read as a programme manager would: no snake_case, code, parameter, path or Python
    identifier in the page's visible text (tests/jargon.py)."""
    assert jargon(copies["html"].read_text("utf-8")) == []


def test_tables_are_read_from_the_escaped_html():
    head, body = html_tables(
        "<table><thead><tr><th></th><th colspan='2'>A &amp; B</th></tr></thead>"
        "<tbody><tr><th>x</th><td>&lt;5</td><td>[c]</td></tr></tbody></table>"
    )[0]
    assert head == [["", "A & B", ""]] and body == [["x", "<5", "[c]"]]


def test_print_css_is_a4_and_chromium_is_found():
    assert "size: A4 portrait" in printable("<html><head></head><body></body></html>")
    assert find_chromium() is not None, "Chromium is missing: `make browser` installs it"


# --------------------------------------------------------------------------- the donor's page


def test_the_month_table_is_headed_by_indicator_names(executed):
    """Indicators as rows named in words (their code after), months as the columns:
    no column or row is headed by a bare code such as O1.1."""
    import re

    project = get_indicators().project()
    page = html.unescape(output_text(executed["quarter"]))
    month_table = next(t for t in re.findall(r"<table.*?</table>", page, re.S) if "Sep 2026" in t)
    headers = [
        re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th.*?</th>", month_table, re.S)
    ]
    for indicator in project.indicators:
        assert f"{indicator.statement} ({indicator.code})" in headers
    assert not [h for h in headers if re.fullmatch(r"O\d\.\d", h)]
    assert "Jul 2026" in headers and "Sep 2026" in headers


def test_the_narrative_comes_before_the_team_notes(executed):
    text = html.unescape(output_text(executed["quarter"]))
    brief = text.index("in this period")
    assert brief < text.index("Two charter flights left Misrata")  # the team's notes after
    assert "since the project started" in text and "project's target of 24,000" in text
