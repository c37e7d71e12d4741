"""Word copies of the reports: an executed reviewer notebook as a ``.docx`` (python-docx).

One converter for every report (weekly, period, …), from what the reviewer page shows and
nothing else: the notebook's Markdown cells and Markdown outputs become real Word headings
(``#`` Heading 1, ``##`` Heading 2 …), paragraphs and bullet points; each HTML table output
(the escaped tables of :func:`~.tables.styled`) becomes a Word table whose header rows
repeat on every page, its columns as wide as their content needs (the name column wide,
codes and numbers narrow: :func:`column_widths`) and its caption kept with it; each chart
(PNG output) becomes a picture with its alt text. Code, streams, errors and plain-text
reprs are never written. Pages are A4 portrait with the page number in the footer.

The tables are read back from the HTML the reviewer sees (already protected and escaped),
so the Word copy can never show a figure the page does not.
"""

from __future__ import annotations

import base64
import html as html_lib
import io
import re
from collections.abc import Sequence
from pathlib import Path

NBSP = "\u00a0"
TABLE_FONT_PT = 8
BODY_FONT_PT = 10
IMAGE_WIDTH_CM = 17.0
TEXT_WIDTH_PT = 17.0 / 2.54 * 72  # A4 less the 2 cm margins: the widest a table may be
CELL_PADDING_PT = 2 * 5.4  # Word's default left and right cell margins (0.19 cm each)
SMALLEST_TABLE_FONT_PT = 6.0  # a table too wide for the page is set smaller, down to this
# Character widths in em, a little above those of DejaVu Sans (the font LibreOffice uses
# where Calibri is missing, wider than Calibri): a column sized with them fits either.
_EM = {
    **dict.fromkeys("ijl.,:;'|! ", 0.34),
    **dict.fromkeys("()[]ftrI-", 0.44),
    **dict.fromkeys("mwMW%", 1.0),
    **dict.fromkeys("0123456789", 0.66),
    **dict.fromkeys("abcdeghknopqsuvxyz", 0.64),
    **dict.fromkeys("ABCDEFGHJKLNOPQRSTUVXYZ", 0.8),
}
_OTHER_EM = 0.86  # < > – and other signs
CELL_SLACK_PT = 2.0  # rounding in the layout of the Word processor
TABLE_KEPT_WHOLE_ROWS = 25  # a table this short is kept on one page (with its caption)
_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_TAG = re.compile(r"<[^>]+>")


def _text(markdown: str) -> str:
    """Markdown inline text as plain text: character references decoded, tags dropped."""
    return html_lib.unescape(_TAG.sub("", markdown)).replace("`", "")


def _runs(paragraph, markdown: str, bold: bool = False) -> None:
    """Add ``markdown`` (inline) to ``paragraph``: **bold** spans bold, the rest plain."""
    at = 0
    for match in _BOLD.finditer(markdown):
        if match.start() > at:
            paragraph.add_run(_text(markdown[at : match.start()])).bold = bold or None
        paragraph.add_run(_text(match.group(1))).bold = True
        at = match.end()
    if at < len(markdown):
        paragraph.add_run(_text(markdown[at:])).bold = bold or None


def add_markdown(document, markdown: str) -> None:
    """Headings, bullet points and paragraphs of ``markdown`` (a line ending in two spaces
    breaks the line; a blank line ends the paragraph)."""
    block: list[str] = []

    def flush() -> None:
        if not block:
            return
        paragraph = document.add_paragraph()
        for i, line in enumerate(block):
            if i:
                if block[i - 1].endswith("  "):
                    paragraph.add_run().add_break()
                else:
                    paragraph.add_run(" ")
            _runs(paragraph, line.strip())
        block.clear()

    for line in markdown.splitlines():
        heading = _HEADING.match(line.strip())
        bullet = _BULLET.match(line)
        if heading:
            flush()
            document.add_heading(_text(heading.group(2)).strip(), level=min(len(heading[1]), 4))
        elif bullet:
            flush()
            _runs(document.add_paragraph(style="List Bullet"), bullet.group(1))
        elif not line.strip():
            flush()
        else:
            block.append(line)
    flush()


# --------------------------------------------------------------------------- tables


def html_tables(fragment: str) -> list[tuple[list[list[str]], list[list[str]]]]:
    """Every table of an HTML fragment as (header rows, body rows) of cell texts; a cell
    spanning columns is repeated as blank cells so that the rows line up."""
    return [(head, body) for _, head, body in captioned_tables(fragment)]


def captioned_tables(fragment: str) -> list[tuple[str, list[list[str]], list[list[str]]]]:
    """Every table of an HTML fragment as (caption, header rows, body rows), as
    :func:`html_tables` (the caption is "" when the table has none)."""
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except Exception:  # noqa: BLE001 (not HTML: nothing to convert)
        return []
    found = []
    for table in root.iter("table"):
        head, body = [], []
        for row in table.iter("tr"):
            cells: list[str] = []
            for cell in row:
                if cell.tag not in ("td", "th"):
                    continue
                text = " ".join(cell.text_content().split())
                cells.append(text)
                cells += [""] * (int(cell.get("colspan", "1") or 1) - 1)
            in_head = any(p.tag == "thead" for p in row.iterancestors())
            (head if in_head else body).append(cells)
        caption = table.find("caption")
        caption = "" if caption is None else " ".join(caption.text_content().split())
        found.append((caption, head, body))
    return found


def _shade(cell, colour: str) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), colour)
    cell._tc.get_or_add_tcPr().append(shading)


def _row_flag(row, name: str) -> None:
    """Set the row property ``w:<name>`` (tblHeader: repeated on each page; cantSplit:
    never split across two pages)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    flag = OxmlElement(f"w:{name}")
    flag.set(qn("w:val"), "true")
    row._tr.get_or_add_trPr().append(flag)


_NUMBER = re.compile(r"[-<\[\]c\d,.% –]+")


def _is_number(value: str) -> bool:
    """A published figure (1,234 · 12 % · <5 · [c] · –), right aligned in its column."""
    return bool(_NUMBER.fullmatch(value or "x")) and value.strip() != "c"


def text_width_pt(text: str, bold: bool = False, size_pt: float = TABLE_FONT_PT) -> float:
    """The width ``text`` takes on one line, estimated from its characters (_EM)."""
    ems = sum(_EM.get(c, _OTHER_EM) for c in text)
    return ems * size_pt * (1.1 if bold else 1.0)


def table_font_pt(head: list[list[str]], body: list[list[str]]) -> float:
    """The table's type size: :data:`TABLE_FONT_PT`, or smaller (half points, down to
    :data:`SMALLEST_TABLE_FONT_PT`) when its columns' longest words would not fit across
    the page at that size."""
    size = TABLE_FONT_PT
    while size > SMALLEST_TABLE_FONT_PT and sum(_least_widths(head, body, size)) > TEXT_WIDTH_PT:
        size -= 0.5
    return size


def _least_widths(head, body, size_pt: float) -> list[float]:
    width = max((len(r) for r in head + body), default=0)
    least = [0.0] * width
    for bold, rows in ((True, head), (False, body)):
        for row in rows:
            for j, value in enumerate(row):
                for word in value.split():
                    least[j] = max(least[j], text_width_pt(word, bold, size_pt))
    return [w + CELL_PADDING_PT + CELL_SLACK_PT for w in least]


def column_widths(
    head: list[list[str]],
    body: list[list[str]],
    available_pt: float = TEXT_WIDTH_PT,
    size_pt: float = TABLE_FONT_PT,
) -> list[float]:
    """Column widths in points from the cells' content: every column at least as wide as
    its longest word (a header word in bold), at most as wide as its longest cell on one
    line, and the width left over shared in proportion to how much text of each column
    would otherwise wrap. So the name or description column is wide, code and number
    columns narrow, and no word is broken (unless the longest words alone are wider than
    the page: :func:`table_font_pt` makes the type smaller first)."""
    least = _least_widths(head, body, size_pt)
    most, wants = list(least), [0.0] * len(least)
    for bold, rows in ((True, head), (False, body)):
        for row in rows:
            for j, value in enumerate(row):
                need = text_width_pt(value, bold, size_pt) + CELL_PADDING_PT + CELL_SLACK_PT
                most[j] = max(most[j], need)
                wants[j] += max(0.0, need - least[j])
    if sum(most) <= available_pt:
        return most
    if sum(least) >= available_pt:  # words alone too wide: shrink all alike
        return [w * available_pt / sum(least) for w in least]
    widths = list(least)
    open_ = {j for j, w in enumerate(wants) if w > 0}
    while open_:  # share what is left; a column given all it needs leaves the rest
        spare = available_pt - sum(widths)
        total = sum(wants[j] for j in open_)
        full = {j for j in open_ if widths[j] + spare * wants[j] / total >= most[j]}
        if not full:
            for j in open_:
                widths[j] += spare * wants[j] / total
            break
        for j in full:
            widths[j] = most[j]
        open_ -= full
    return widths


def add_table(document, head: list[list[str]], body: list[list[str]], caption: str = "") -> None:
    """A Word table: columns as wide as their content needs (:func:`column_widths`), the
    header rows bold, shaded and repeated on each page, numbers right aligned, no row
    split across pages. A short table is kept on one page with the caption or heading
    just before it; a long one runs on with its header repeated."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    # a pandas header often has a second row holding only the index name: fold it in
    if len(head) == 2 and head[1] and any(head[1]) and not any(head[1][1:]):
        head = [[head[1][0] or head[0][0], *head[0][1:]]]
    width = max((len(r) for r in head + body), default=0)
    if not width:
        return
    rows = [r + [""] * (width - len(r)) for r in head + body]
    if caption:
        run = document.add_paragraph().add_run(caption)
        run.bold = True
    if document.paragraphs:  # the caption or heading stays on the page of its table
        document.paragraphs[-1].paragraph_format.keep_with_next = True
    numeric = [
        j > 0 and bool(body) and all(_is_number(r[j]) for r in rows[len(head) :] if r[j])
        for j in range(width)
    ]
    size = table_font_pt(rows[: len(head)], rows[len(head) :])
    widths = column_widths(rows[: len(head)], rows[len(head) :], size_pt=size)
    table = document.add_table(rows=len(rows), cols=width)
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT  # under its caption
    table.autofit = False  # the widths below, not Word's equal shares
    for j, column in enumerate(table.columns):
        column.width = Pt(widths[j])
    keep_whole = len(rows) <= TABLE_KEPT_WHOLE_ROWS
    for i, values in enumerate(rows):
        row = table.rows[i]
        _row_flag(row, "cantSplit")
        if i < len(head):
            _row_flag(row, "tblHeader")
        for j, value in enumerate(values):
            cell = row.cells[j]
            cell.width = Pt(widths[j])
            paragraph = cell.paragraphs[0]
            run = paragraph.add_run(value)
            run.font.size = Pt(size)
            if i < len(head):
                run.bold = True
                _shade(cell, "D9E2F3")
            if numeric[j] or (j and i >= len(head) and _is_number(value)):
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if keep_whole and i < len(rows) - 1:
                paragraph.paragraph_format.keep_with_next = True
    document.add_paragraph()


def add_html(document, fragment: str) -> None:
    """An HTML output that is not a table (the team's notes): headings, paragraphs, list
    items and quotes as Word headings, paragraphs and bullet points; text only."""
    import lxml.html

    try:
        root = lxml.html.fromstring(f"<div>{fragment}</div>")
    except Exception:  # noqa: BLE001 (not HTML: nothing to convert)
        return

    def text(element) -> str:
        return " ".join(element.text_content().split())

    def walk(element) -> None:
        for child in element:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag in ("style", "script"):
                continue
            if re.fullmatch(r"h[1-6]", tag):
                document.add_heading(text(child), level=min(int(tag[1]), 4))
            elif tag == "li":
                document.add_paragraph(text(child), style="List Bullet")
            elif tag in ("p", "pre", "blockquote"):
                paragraph = document.add_paragraph()
                run = paragraph.add_run(text(child))
                run.italic = tag == "blockquote" or None
            else:
                walk(child)

    walk(root)


# --------------------------------------------------------------------------- pictures


def add_picture(document, png: bytes, alt: str = "") -> None:
    from docx.shared import Cm

    document.add_picture(io.BytesIO(png), width=Cm(IMAGE_WIDTH_CM))
    if alt:
        # the picture's description (Word's alt text), as the reviewer page's alt
        shape = document.inline_shapes[-1]
        shape._inline.docPr.set("descr", alt)


# --------------------------------------------------------------------------- document


def _page_number_footer(section) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    paragraph = section.footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    paragraph.add_run("Page ")
    for instruction in ("PAGE", " of ", "NUMPAGES"):
        if instruction == " of ":
            paragraph.add_run(instruction)
            continue
        field = OxmlElement("w:fldSimple")
        field.set(qn("w:instr"), instruction)
        run = OxmlElement("w:r")
        text = OxmlElement("w:t")
        text.text = "1"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)


def new_document(title: str = ""):
    """An empty A4 portrait document with page numbers in the footer."""
    from docx import Document
    from docx.shared import Cm, Pt

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(2.0)
    section.top_margin, section.bottom_margin = Cm(2.0), Cm(2.0)
    document.styles["Normal"].font.size = Pt(BODY_FONT_PT)
    document.styles["Normal"].font.name = "Calibri"
    _page_number_footer(section)
    if title:
        document.core_properties.title = title
    document.core_properties.author = "Protection data workbench"
    return document


def _source(value) -> str:
    return "".join(value) if isinstance(value, list) else str(value)


def notebook_to_docx(
    executed: Path, target: Path, banner: str = "", title: str = "", about: Sequence[str] = ()
) -> Path:
    """Write the executed reviewer notebook ``executed`` as a Word document ``target``.
    ``banner`` is a plain-text line (the report date) put under the report's title;
    ``about`` the lines of the closing "About this report" section (run reference, files)."""
    import nbformat

    notebook = nbformat.read(executed, as_version=4)
    document = new_document(title)
    banner_written = not banner
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            add_markdown(document, cell.source)
            if not banner_written:  # under the report's title
                document.add_paragraph().add_run(banner).italic = True
                banner_written = True
            continue
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if output.get("output_type") not in ("display_data", "execute_result"):
                continue  # streams and errors are not part of the report
            if "image/png" in data:
                alt = output.get("metadata", {}).get("image/png", {}).get("alt", "")
                if not alt:
                    alt = output.get("metadata", {}).get("alt", "")
                add_picture(document, base64.b64decode(_source(data["image/png"])), alt)
            elif "text/html" in data:
                fragment = _source(data["text/html"])
                tables = captioned_tables(fragment)
                for caption, head, body in tables:
                    add_table(document, head, body, caption)
                if not tables:
                    add_html(document, fragment)
            elif "text/markdown" in data:
                add_markdown(document, _source(data["text/markdown"]))
                if not banner_written:
                    document.add_paragraph().add_run(banner).italic = True
                    banner_written = True
    if about:
        document.add_heading("About this report", level=2)
        for line in about:
            document.add_paragraph(line)
    target = Path(target)
    document.save(str(target))
    return target
