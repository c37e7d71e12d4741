"""Print quality of the reports' copies, checked on the rendered pages, not on the markup.

The browser PDFs of a weekly run and of a period (donor) run, as the runs printed them
with headless Chromium, and their Word copies as LibreOffice renders them to PDF, are
read back with poppler (``pdftotext -bbox`` for the words and where they are,
``pdftoppm`` for page images):

- no word of a table is broken across two lines ("Co de", "Stat us", "Ahea d");
- no page but the last is filled under a third (the lowest ink on the page image);
- no heading or caption is the last line of a page (it is on the page of its table);
- in Word, the indicator table's name column is wide enough for several words a line,
  numbers are right aligned, and a table too wide for the page is set in smaller type;
- a chart's legend is outside its plot, where it cannot cover the last month's bars.

The page images (40 dpi) stay in the test's temporary folder for a person to look at.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import docx
import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from office import SOFFICE, word_to_pdf
from PIL import Image

from protection_workbench.publish import charts
from protection_workbench.publish.docx import TABLE_FONT_PT, add_table, new_document
from protection_workbench.run.period import PERIOD_REPORTS, run_period
from protection_workbench.run.weekly import WEEKLY_REPORTS

pytestmark = pytest.mark.slow

WEEKLY = [r.notebook.removesuffix(".ipynb") for r in WEEKLY_REPORTS]
PERIOD = [r.notebook.removesuffix(".ipynb") for r in PERIOD_REPORTS]
A4_HEIGHT_MM = 297
# Printable band of a page, top and bottom margins in mm: the browser PDFs' @page rule
# (publish/pdf.py, PRINT_CSS) and the Word copies' margins (publish/docx.py; the footer
# with the page number sits in the bottom margin).
BROWSER_MARGINS = (16, 18)
WORD_MARGINS = (20, 20)
LEAST_FILL = 1 / 3

_PAGE = re.compile(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>'
)
_EDGES = "()[]{}:;'\"“”‘’"  # not "." nor ",": "O1.1" and "3,000" are whole words


# --------------------------------------------------------------------------- reading pages


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name} is missing: `make test` installs Debian's poppler-utils")
    return found


def page_words(pdf: Path) -> list[tuple[float, list[tuple[float, float, float, float, str]]]]:
    """Each page's height (points) and its words as (x0, y0, x1, y1, text), y downwards."""
    done = subprocess.run(
        [_tool("pdftotext"), "-bbox", str(pdf), "-"],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return [
        (
            float(height),
            [
                (float(a), float(b), float(c), float(d), html.unescape(t))
                for a, b, c, d, t in _WORD.findall(body)
            ],
        )
        for height, body in _PAGE.findall(done.stdout)
    ]


def _bare(word: str) -> str:
    return word.strip(_EDGES)


def vocabulary(cells: list[str]) -> set[str]:
    """The words of table cells that a broken word would be one of (with a letter, 3+
    characters)."""
    words = {_bare(w) for cell in cells for w in cell.split()}
    return {w for w in words if len(w) >= 3 and re.search(r"[^\W\d_]", w)}


def _under(on_page: list, x0: float, y0: float, x1: float, y1: float) -> list:
    """The words of the next line that overlap ``x0``..``x1``."""
    return [
        w
        for w in on_page
        if y0 + (y1 - y0) / 2 < w[1] <= y1 + 1.2 * (y1 - y0) and not (w[2] < x0 or w[0] > x1)
    ]


def broken_words(pdf: Path, words: set[str]) -> list[str]:
    """Words of ``words`` printed in pieces: a piece, and right under it on the next
    line(s) the rest ("Co" over "de", "Stat-" over "us", "Ah" over "ea" over "d")."""
    found = []
    for number, (_, on_page) in enumerate(page_words(pdf), 1):
        for first in on_page:
            head = _bare(first[4])
            if not head or head in words or not any(w.startswith(head) for w in words):
                continue
            chains = [(head, first, [first[4]])]
            while chains:
                joined, last, pieces = chains.pop()
                for piece in _under(on_page, *last[:4]):
                    longer = (joined[:-1] if joined.endswith("-") else joined) + _bare(piece[4])
                    if longer in words:
                        found.append(f"page {number}: {' / '.join([*pieces, piece[4]])}")
                    elif any(w.startswith(longer) for w in words) and len(pieces) < 8:
                        chains.append((longer, piece, [*pieces, piece[4]]))
    return found


def page_fills(pdf: Path, margins: tuple[float, float], keep: Path) -> list[float]:
    """How far down each page's printable band the lowest ink reaches (0 to 1), from
    the page images (40 dpi, grey), which are kept in ``keep``."""
    keep.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [_tool("pdftoppm"), "-r", "40", "-png", "-gray", str(pdf), str(keep / pdf.stem)],
        check=True,
        timeout=300,
    )
    images = sorted(keep.glob(f"{pdf.stem}-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    fills = []
    for image in images:
        pixels = np.asarray(Image.open(image).convert("L"))
        height = pixels.shape[0]
        top = round(height * margins[0] / A4_HEIGHT_MM)
        bottom = round(height * (A4_HEIGHT_MM - margins[1]) / A4_HEIGHT_MM)
        inked = np.flatnonzero((pixels[:bottom] < 200).any(axis=1))
        fills.append(max(0, inked.max() + 1 - top) / (bottom - top) if len(inked) else 0.0)
    return fills


def last_lines(pdf: Path, bottom_margin_mm: float) -> list[list[str]]:
    """The text of the last two lines of each page, above the bottom margin."""
    out = []
    for height, on_page in page_words(pdf):
        limit = height * (A4_HEIGHT_MM - bottom_margin_mm) / A4_HEIGHT_MM
        lines: dict[int, list[tuple[float, str]]] = {}
        for x0, y0, _, y1, text in on_page:
            if y1 <= limit:
                lines.setdefault(round(y0), []).append((x0, text))
        rows = [" ".join(t for _, t in sorted(lines[y])) for y in sorted(lines)]
        out.append(rows[-2:])
    return out


def orphaned_captions(pdf: Path, captions: set[str], bottom_margin_mm: float) -> list[str]:
    """Captions and headings printed as the last line(s) of a page, apart from the table or
    text they introduce, which starts on the next page."""
    found = []
    pages = last_lines(pdf, bottom_margin_mm)
    for number, rows in enumerate(pages[:-1], 1):
        ends = {" ".join(rows[-1:]), " ".join(rows)}
        found += [f"page {number}: {c!r}" for c in captions & ends]
    return found


def html_captions(page: Path) -> set[str]:
    """Headings, table captions and bold lead-ins (a paragraph that is one bold phrase,
    the title the weekly report shows above each table) of a reviewer page."""
    import lxml.html

    root = lxml.html.fromstring(page.read_text("utf-8"))
    found = set()
    for element in root.iter("h1", "h2", "h3", "h4", "caption", "p"):
        if element.tag == "p":
            bold = element.find("strong")
            if bold is None or " ".join(element.text_content().split()) != " ".join(
                bold.text_content().split()
            ):
                continue
        found.add(" ".join(element.text_content().replace("¶", "").split()))
    return found - {""}


def html_cells(page: Path) -> list[str]:
    import lxml.html

    root = lxml.html.fromstring(page.read_text("utf-8"))
    return [c.text_content() for c in root.iter("th", "td")]


# --------------------------------------------------------------------------- the runs


@pytest.fixture(scope="module")
def weekly(weekly_demo_run) -> Path:
    out, record = weekly_demo_run
    return out / record["run_id"]


@pytest.fixture(scope="module")
def period(weekly_demo_run, tmp_path_factory) -> Path:
    """One period run (2026-Q3) on the weekly run's generated exports (weekly_demo_run
    keeps them in ``demo`` beside its outputs, and a run only reads them)."""
    out, _ = weekly_demo_run
    site = tmp_path_factory.mktemp("print-period") / "outputs"
    try:
        record = run_period(out.parent / "demo", date(2026, 7, 1), date(2026, 9, 30), site)
    except Exception as exc:  # a failed gate still publishes the report
        record = getattr(exc, "record", None)
        if record is None:
            raise
    return site / record["run_id"]


@pytest.fixture(scope="module")
def reports(weekly, period) -> dict[str, Path]:
    """Report name -> its run folder, for every report of both runs."""
    return {**dict.fromkeys(WEEKLY, weekly), **dict.fromkeys(PERIOD, period)}


@pytest.fixture(scope="module")
def word_pdfs(reports, tmp_path_factory) -> Path:
    """Every Word copy of both runs, rendered to PDF by LibreOffice (one call)."""
    assert Path(SOFFICE).exists(), "LibreOffice is missing: `make office` installs it"
    base = tmp_path_factory.mktemp("word-rendered")
    copies = [folder / f"{name}.docx" for name, folder in reports.items()]
    missing = [c.name for c in copies if not c.is_file()]
    assert missing == [], f"Word copies not written: {missing}"
    done = word_to_pdf(copies, base, base, timeout=600)
    assert done.returncode == 0, done.stderr
    return base


def _pdf(reports: dict[str, Path], name: str) -> Path:
    pdf = reports[name] / f"{name}.pdf"
    assert pdf.is_file(), f"{name}: the run printed no PDF"
    return pdf


def _word_cells(path: Path) -> list[str]:
    document = docx.Document(str(path))
    return [c.text for t in document.tables for r in t.rows for c in r.cells]


# --------------------------------------------------------------------------- browser PDF


@pytest.mark.parametrize("name", WEEKLY + PERIOD)
def test_pdf_tables_wrap_on_spaces_only(reports, name):
    """Headers and cells wrap between words: "Code", "Status", "Ahead", "O1.1" whole."""
    pdf = _pdf(reports, name)
    words = vocabulary(html_cells(reports[name] / f"{name}.html"))
    assert broken_words(pdf, words) == []


@pytest.mark.parametrize("name", WEEKLY + PERIOD)
def test_pdf_pages_before_the_last_are_a_third_full_at_least(reports, name, tmp_path):
    fills = page_fills(_pdf(reports, name), BROWSER_MARGINS, tmp_path)
    thin = {n: round(f, 2) for n, f in enumerate(fills[:-1], 1) if f < LEAST_FILL}
    assert thin == {}, f"{name}: pages filled under a third (page: share) of {len(fills)}"


@pytest.mark.parametrize("name", WEEKLY + PERIOD)
def test_pdf_captions_are_on_the_page_of_their_table(reports, name):
    captions = html_captions(reports[name] / f"{name}.html")
    assert captions, "the page has headings and captions"
    assert orphaned_captions(_pdf(reports, name), captions, BROWSER_MARGINS[1]) == []


def test_the_checks_see_broken_words_thin_pages_and_orphaned_captions(tmp_path):
    """The measures can fail: a page printed by Chromium with a squeezed table, a heading
    at the foot of a page and a near-empty page is caught by each check."""
    from protection_workbench.publish.pdf import html_to_pdf

    page = tmp_path / "bad.html"
    page.write_text(
        "<html><head></head><body>"
        "<div style='height: 200mm; border-left: 2px solid black'></div>"
        "<h2>Returns by week</h2>"
        "<p style='break-before: page'>A page with one line.</p>"
        "<table style='break-before: page; width: 14px; overflow-wrap: anywhere'>"
        "<tr><th>Status</th></tr><tr><td>Ahead</td></tr></table></body></html>",
        "utf-8",
    )
    pdf = html_to_pdf(page, tmp_path / "bad.pdf")
    assert broken_words(pdf, {"Status", "Ahead"}) != []
    assert orphaned_captions(pdf, {"Returns by week"}, BROWSER_MARGINS[1]) != []
    fills = page_fills(pdf, BROWSER_MARGINS, tmp_path / "pages")
    assert len(fills) == 3 and fills[0] > LEAST_FILL > fills[1]


# --------------------------------------------------------------------------- Word copies


@pytest.mark.parametrize("name", WEEKLY + PERIOD)
def test_word_tables_wrap_on_spaces_only(reports, word_pdfs, name):
    words = vocabulary(_word_cells(reports[name] / f"{name}.docx"))
    assert broken_words(word_pdfs / f"{name}.pdf", words) == []


@pytest.mark.parametrize("name", WEEKLY + PERIOD)
def test_word_pages_before_the_last_are_a_third_full_and_keep_captions(
    reports, word_pdfs, name, tmp_path
):
    rendered = word_pdfs / f"{name}.pdf"
    fills = page_fills(rendered, WORD_MARGINS, tmp_path)
    thin = {n: round(f, 2) for n, f in enumerate(fills[:-1], 1) if f < LEAST_FILL}
    assert thin == {}, f"{name}: pages filled under a third (page: share) of {len(fills)}"
    captions = html_captions(reports[name] / f"{name}.html")
    assert orphaned_captions(rendered, captions, WORD_MARGINS[1]) == []


def test_word_indicator_names_are_not_one_word_per_line(reports, word_pdfs):
    """The name column is the wide one: in LibreOffice's rendering each indicator's name
    has its first three words on one line, and its numbers are right aligned."""
    document = docx.Document(str(reports["period_report"] / "period_report.docx"))
    table, name_column = next(
        (t, j)
        for t in document.tables
        for j, c in enumerate(t.rows[0].cells)
        if c.text.startswith("Indicator")
    )
    names = [r.cells[name_column].text for r in table.rows[1:]]
    assert len(names) >= 5
    layout = subprocess.run(
        [_tool("pdftotext"), "-layout", str(word_pdfs / "period_report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    lines = [" ".join(line.split()) for line in layout.splitlines()]
    apart = [
        n
        for n in names
        if len(n.split()) >= 4 and not any(" ".join(n.split()[:3]) in line for line in lines)
    ]
    assert apart == [], "names wrapped a word or two a line"
    columns = list(zip(*[[c.paragraphs[0] for c in r.cells] for r in table.rows[1:]], strict=True))
    numbers = [
        column
        for column in columns
        if all(re.fullmatch(r"[\d,.% <\[\]c–-]*\d[\d,.% ]*", p.text) for p in column)
    ]
    assert numbers, "the indicator table has columns of numbers"
    for column in numbers:
        assert {p.alignment.name if p.alignment else "LEFT" for p in column} == {"RIGHT"}


def test_word_column_widths_follow_the_content(tmp_path):
    """A table of 8 columns: the name column gets most of the width, codes and numbers
    little; a table too wide for the page is set in smaller type instead of breaking
    its codes; as LibreOffice renders them."""
    head = [["Code", "Indicator", "Baseline", "Target", "This period", "% of target", "Status"]]
    body = [
        [f"O{i}.1", "Number of migrants assisted to return home voluntarily from Libya"]
        + ["0", "3,000", "272", "9 %", "Behind"]
        for i in range(1, 6)
    ]
    wide = [[f"O{i}.{j}" for i in range(1, 4) for j in range(1, 6)]]
    document = new_document("widths")
    add_table(document, head, body)
    add_table(document, wide, [["100 %"] * 15])
    target = tmp_path / "widths.docx"
    document.save(str(target))
    first, second = docx.Document(str(target)).tables
    widths = [c.width for c in first.columns]
    assert widths[1] == max(widths) and widths[1] > 3 * max(widths[0], widths[2], widths[4])
    second_size = second.rows[0].cells[0].paragraphs[0].runs[0].font.size.pt
    assert second_size < TABLE_FONT_PT
    done = word_to_pdf([target], tmp_path, tmp_path)
    assert done.returncode == 0, done.stderr
    rendered = tmp_path / "widths.pdf"
    cells = [c for row in head + body + wide for c in row]
    assert broken_words(rendered, vocabulary(cells)) == []
    (_, words), *_ = page_words(rendered)
    name_only = {"Number", "migrants", "assisted", "return", "home", "voluntarily", "Libya"}
    lines_of_names = {round(y0) for _, y0, _, _, t in words if t in name_only}
    assert len(lines_of_names) <= 5 * 2  # five rows, each name on two lines at most


# --------------------------------------------------------------------------- charts


def _overlaps(box, other) -> bool:
    return box.x0 < other.x1 and other.x0 < box.x1 and box.y0 < other.y1 and other.y0 < box.y1


def test_a_legend_never_covers_the_bars_or_lines():
    """Drawn (Agg) as a report draws them, the hosting payments chart (the last month's
    bars the tallest) and a line chart: the legend is outside the plot and inside the
    figure."""
    payments = pd.DataFrame(
        {"Expected": [42_000, 45_000, 43_000, 45_000, 43_000, 47_000]},
        index=["2026-05", "2026-06", "2026-07", "2026-08", "2026-09", "2026-10"],
    ).assign(Paid=[42_000, 45_000, 45_600, 45_000, 43_000, 47_000])
    bars = charts.bar_figure(
        payments,
        title="Expected and paid host payments by month",
        ylabel="LYD",
        colours=[charts.LIGHT_BLUE, charts.BLUE],
        bar_labels=False,
        protect=False,
    )
    occupancy = pd.DataFrame(
        {"occupied": [20, 30, 48], "capacity": [50, 50, 50]},
        index=pd.to_datetime(["2026-11-08", "2026-11-15", "2026-11-22"]),
    )
    lines = charts.line_figure(occupancy, title="Occupancy", steps=("capacity",))
    for figure in (bars, lines):
        canvas = FigureCanvasAgg(figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        (ax,) = figure.axes
        legend = ax.get_legend().get_window_extent(renderer)
        assert not _overlaps(legend, ax.get_window_extent(renderer))
        drawn = [*ax.patches, *ax.lines]
        assert drawn and not any(_overlaps(legend, a.get_window_extent(renderer)) for a in drawn)
        assert legend.x0 >= 0 and legend.x1 <= figure.bbox.x1  # not cut off


# --------------------------------------------------------------------------- long tables


@pytest.fixture(scope="module")
def long_table_report(tmp_path_factory) -> Path:
    """A reviewer notebook with half a page of text, then a captioned table of 120 rows,
    then a short captioned table: executed outputs written directly, converted by the
    reviewer template as the runs convert them, printed and written to Word."""
    import nbformat

    from protection_workbench.publish.docx import notebook_to_docx
    from protection_workbench.publish.pdf import html_to_pdf
    from protection_workbench.publish.tables import styled
    from protection_workbench.run.notebooks import to_html

    base = tmp_path_factory.mktemp("long-table")
    long = pd.DataFrame(
        {"Mantika": [f"Place {i}" for i in range(1, 121)], "Departures": range(1, 121)}
    )
    short = pd.DataFrame({"Flight type": ["Charter flight", "Total"], "Departures": [3, 3]})

    def shown(*outputs) -> nbformat.NotebookNode:
        cell = nbformat.v4.new_code_cell("")
        cell.outputs = [nbformat.v4.new_output("display_data", data=d) for d in outputs]
        return cell

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [
        nbformat.v4.new_markdown_cell("# Long table\n\n" + "A line of text. " * 120),
        shown(
            {"text/markdown": "**Departures by place**"},
            {"text/html": styled(long).to_html()},
            {"text/markdown": "**Departures by flight type**"},
            {"text/html": styled(short).to_html()},
        ),
    ]
    executed = base / "long.ipynb"
    nbformat.write(notebook, executed)
    to_html(executed, base / "long.html", "Run test", "Long table")
    html_to_pdf(base / "long.html", base / "long.pdf")
    notebook_to_docx(executed, base / "long.docx", "Run test", "Long table")
    done = word_to_pdf([base / "long.docx"], base / "word", base)
    assert done.returncode == 0, done.stderr
    return base


@pytest.mark.parametrize("copy", ["long.pdf", "word/long.pdf"])
def test_a_long_table_runs_on_with_its_header_on_every_page(long_table_report, copy):
    """Browser PDF and Word: the long table starts under its caption on the first page
    (which it fills), runs on across pages with its header row on each, and no row is
    cut; the short table after it stays whole, with its caption."""
    pages = page_words(long_table_report / copy)
    texts = [" ".join(t for *_, t in words) for _, words in pages]
    assert len(pages) >= 3
    assert "Departures by place" in texts[0] and "Place 1 " in texts[0] + " "
    with_rows = [n for n, text in enumerate(texts) if re.search(r"\bPlace \d+\b", text)]
    assert len(with_rows) >= 2
    for n in with_rows:  # the header row: both column names on the page
        assert {"Mantika", "Departures"} <= set(texts[n].split()), f"page {n + 1}"
    shown = [int(m) for text in texts for m in re.findall(r"\bPlace (\d+)\b", text)]
    assert sorted(shown) == list(range(1, 121))  # every row once, none cut in two
    (short,) = [n for n, text in enumerate(texts) if "Charter flight" in text]
    assert "Departures by flight type" in texts[short]
    margins = BROWSER_MARGINS if copy == "long.pdf" else WORD_MARGINS
    fills = page_fills(long_table_report / copy, margins, long_table_report / "pages" / copy)
    assert fills[0] > 0.9
