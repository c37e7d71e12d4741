"""The team's notes in the weekly report: rendered from escaped text only (no raw HTML, no
image, no link, nothing that runs, in a real browser too), a template to fill in, and a check
that finds personal data of the generated records in the notes without taking ordinary
words, places or partners for names."""

from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from browser import chromium, open_offline

from protection_workbench.clean.load import load_export
from protection_workbench.config import get_config
from protection_workbench.errors import InputFileError
from protection_workbench.publish import notes
from protection_workbench.publish.html import CSP_META
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)

SENTENCE = 'Tom & Jerry\'s "outreach" <went> well in Sebha'
SENTENCE_ESCAPED = "Tom &amp; Jerry&#x27;s &quot;outreach&quot; &lt;went&gt; well in Sebha"
HOSTILE = [
    "<script>window.pwned = 1; document.title = 'pwned'</script>",
    '<img src=http://example.invalid/x.png onerror="window.pwned = 2">',
    "[x](javascript:window.pwned=3)",
    "[report](http://example.invalid/report)",
    "![chart](http://example.invalid/chart.png)",
    "![inline](data:image/png;base64,iVBORw0KGgo=)",
    '<div onclick="window.pwned = 4" style="background:url(http://example.invalid/b)">x</div>',
    '<iframe src="http://example.invalid/"></iframe>',
    "<http://example.invalid/auto>",
    '<svg onload="window.pwned = 5"></svg>',
    "**bold <b onmouseover=window.pwned=6>b</b>**",
    "`<script>window.pwned = 7</script>`",
    "```\n<script>window.pwned = 8</script>\n```",
    "> <img src=x onerror=window.pwned=9>",
]
# The only tags and attributes the rendered block may hold: fixed ones of notes_html.
ALLOWED_TAGS = {"section", "h2", "h3", "h4", "h5", "h6", "p", "em", "strong", "code", "pre"}
ALLOWED_TAGS |= {"ul", "ol", "li", "blockquote", "hr"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


def _tags(html: str) -> list[tuple[str, list]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _notes_file(folder: Path, text: str, name: str = "highlights.md") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    return path


# --------------------------------------------------------------------------- rendering


def test_a_planted_sentence_appears_once_and_escaped(tmp_path):
    path = _notes_file(tmp_path, f"## Highlights\n\n{SENTENCE}.\n")
    block = notes.notes_html(path)
    assert block.count(SENTENCE_ESCAPED) == 1
    assert SENTENCE not in block and "<went>" not in block
    assert block.index(notes.HEADING) < block.index(notes.ATTRIBUTION)
    assert block.index(notes.ATTRIBUTION) < block.index(SENTENCE_ESCAPED)
    assert "<h3>Highlights</h3>" in block  # the file's sections sit under the block's heading


@pytest.mark.parametrize("payload", HOSTILE)
def test_raw_html_images_and_links_do_not_survive(payload, tmp_path):
    block = notes.notes_html(_notes_file(tmp_path, f"## Highlights\n\n{payload}\n"))
    for tag, attrs in _tags(block):
        assert tag in ALLOWED_TAGS, (tag, block)
        assert all(name in {"class", "style"} for name, _ in attrs), (tag, attrs)
        assert all("url(" not in (value or "") for _, value in attrs)
    assert not re.search(r"<(script|img|a|iframe|svg|div|b)\b", block)
    assert "http://example.invalid" not in block or "&lt;" in block or "(" in block


def test_links_are_shown_as_text_and_images_not_at_all():
    html = notes.render_markdown(
        "See [the report](http://example.invalid/r) and ![a chart](http://example.invalid/c)."
    )
    assert html == "<p>See the report (http://example.invalid/r) and (image not shown).</p>"


def test_the_markdown_the_team_writes_is_kept():
    html = notes.render_markdown(
        "# Week\n## Highlights\n- **Two** charter flights\n- *one* commercial\n\n"
        "1. first\n2. second\n\n> quoted\n\nA paragraph\nover two lines.\n\n---\n"
    )
    assert html.split("\n") == [
        "<h3>Week</h3>",
        "<h3>Highlights</h3>",
        "<ul><li><strong>Two</strong> charter flights</li><li><em>one</em> commercial</li></ul>",
        "<ol><li>first</li><li>second</li></ol>",
        "<blockquote><p>quoted</p></blockquote>",
        "<p>A paragraph over two lines.</p>",
        "<hr>",
    ]


def test_comments_are_never_shown():
    html = notes.render_markdown("Shown <!-- hidden\nover lines --> too\n<!-- also hidden -->\n")
    assert html == "<p>Shown  too</p>"


@pytest.mark.parametrize("content", [None, "", "\n  \n", notes.notes_template("2026-W48")])
def test_no_file_an_empty_one_or_an_untouched_template_say_so(content, tmp_path):
    path = tmp_path / "highlights.md"
    if content is not None:
        path.write_text(content, "utf-8")
    block = notes.notes_html(path)
    assert notes.NO_NOTES in block and notes.HEADING in block
    assert "<h3>" not in block  # not the template's empty sections
    assert notes.NO_NOTES in notes.notes_html(None)


def test_notes_that_are_not_utf8_or_too_large_are_refused_by_name(tmp_path):
    bad = tmp_path / "latin.md"
    bad.write_bytes("## Highlights\n\nCaf\xe9 au lait\n".encode("cp1252"))
    with pytest.raises(InputFileError, match=r"latin\.md: line 3: not UTF-8") as info:
        notes.notes_html(bad)
    assert "Caf" not in str(info.value)
    big = tmp_path / "big.md"
    big.write_text("x" * (notes.MAX_NOTES_BYTES + 1))
    with pytest.raises(InputFileError, match="too large"):
        notes.read_notes(big)
    bom = _notes_file(tmp_path, "\ufeffHello\n", "bom.md")
    assert "<p>Hello</p>" in notes.notes_html(bom)


def test_the_default_path_is_in_the_data_folder(tmp_path):
    assert notes.default_notes_path(tmp_path) == tmp_path / "highlights.md"


def test_the_template_has_the_sections_and_says_what_never_to_write():
    text = notes.notes_template("2026-W48")
    assert "2026-W48" in text
    assert [h for h in text.splitlines() if h.startswith("## ")] == [
        "## Highlights",
        "## Challenges",
        "## Next week",
    ]
    for never in ("name", "phone number", "document number", "id"):
        assert never in text
    # its guidance is all comments: nothing of it reaches the report
    assert notes.render_markdown(text).split("\n") == [
        "<h3>Highlights</h3>",
        "<h3>Challenges</h3>",
        "<h3>Next week</h3>",
    ]


# --------------------------------------------------------------------------- personal data


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pd.DataFrame]:
    data = tmp_path_factory.mktemp("notes") / "demo"
    generate_demo_exports(data, 1500, 31, AS_OF, 0.01)
    return load_export(data).frames


def _kinds(text: str, **kwargs) -> list[tuple[int, str]]:
    return [(f.line, f.kind) for f in notes.find_personal_data(text, **kwargs)]


@pytest.mark.parametrize(
    "phone",
    [
        "+218 91 234 5678",
        "+218-92-234-5678",
        "00218 94 1234567",
        "218 91 2345678",
        "091 234 5678",
        "0912345678",
        "092-234-5678",
        "(021) 333 4444",
        "٠٩١٢٣٤٥٦٧٨",
        "+44 20 7946 0958",
        "+33 6 12 34 56 78",
        "+234 803 123 4567",
        "0033612345678",
    ],
)
def test_phone_numbers_are_found_in_libyan_and_international_formats(phone):
    text = f"## Highlights\n\nA good week.\nCall the focal point on {phone} for news.\n"
    assert _kinds(text) == [(4, notes.PHONE)]


@pytest.mark.parametrize(
    "ordinary",
    [
        "Week 2026-W48, as of 2026-11-24 and 24/11/2026",
        "12 500 LYD paid; 1 234 567 LYD this year; 1,234,567 people",
        "Charters took 120–170 people each; fewer than 5 in Ghat",
        "+5 on last week, 45% more, open from 09:00 to 17:00",
        "Flights on 25.11.2026 and 2.12.2026, 310 passengers",
        "A second charter by mid-2027; COVID-19 rules lifted; Q4-2026 plan",
    ],
)
def test_ordinary_figures_and_dates_are_not_phone_numbers_or_ids(ordinary):
    assert _kinds(ordinary) == []


@pytest.mark.parametrize(
    "record_id",
    ["IND-00000123", "LY-VHR-0001234", "REF-0000042", "PLC-000295", "MNF-20261125-SEB-NGA"],
)
def test_ids_in_the_exports_formats_are_found(record_id):
    assert _kinds(f"Fine.\nPlease look at {record_id} again.") == [(2, notes.RECORD_ID)]


def test_ids_documents_and_names_of_the_generated_records_are_found(frames):
    cases = frames["cases"]
    person = cases.dropna(subset=["first_name", "last_name", "document_number"]).iloc[5]
    referral = frames["referrals"]["referral_id"].iloc[0]
    text = "\n".join(
        [
            "## Highlights",
            f"We met {person.first_name} {person.last_name} in the centre.",  # 2
            f"Then {person.last_name.upper()}, {person.first_name.lower()} again.",  # 3
            f"Her document {person.document_number} is at the embassy.",  # 4
            f"Document {person.document_number[:3]} {person.document_number[3:]} too.",  # 5
            f"Case {person.case_id.lower()} and referral {referral}.",  # 6
            "Nothing personal on this line.",  # 7
        ]
    )
    assert _kinds(text, frames=frames) == [
        (2, notes.NAME),
        (3, notes.NAME),
        (4, notes.DOCUMENT),
        (5, notes.DOCUMENT),
        (6, notes.RECORD_ID),
    ]
    # the same text with the cases only: every finding but the referral's id format
    assert _kinds(text, cases=cases) == _kinds(text, frames=frames)


def test_ids_of_any_format_present_in_the_records_are_found(frames):
    placements = frames["placements"].copy()
    placements.loc[placements.index[0], "placement_id"] = "hq7/2026/x41"
    assert _kinds("Fine.\nVisit HQ7/2026/X41 soon.", frames={"placements": placements}) == [
        (2, notes.RECORD_ID)
    ]
    assert _kinds("Visit HQ7/2026/X42 soon.", frames={"placements": placements}) == []


def test_a_rare_name_is_found_alone_a_common_first_name_is_not(frames):
    cases = frames["cases"].copy()
    rows = cases.index[:3]
    cases.loc[rows, "last_name"] = "Quexington"
    common = cases["first_name"].value_counts().index[0]
    assert cases["first_name"].value_counts().iloc[0] >= 5
    text = f"Quexington asked about the flight.\n{common} from the team led the session."
    assert _kinds(text, cases=cases) == [(1, notes.NAME)]
    # fewer than min_cell people bear it: with a threshold of 3 it is no longer rare
    assert _kinds(text, cases=cases, rare_below=3) == []


def test_names_in_arabic_script_are_found(frames):
    cases = frames["cases"].copy()
    cases.loc[cases.index[0], ["first_name", "last_name"]] = ["فاطمة", "سليمان"]
    assert _kinds("التقينا فاطمة سليمان اليوم", cases=cases) == [(1, notes.NAME)]
    assert _kinds("التقينا فاطمة اليوم", cases=cases, rare_below=1) == []


def test_ordinary_words_places_and_partners_are_not_names(frames):
    cases = frames["cases"].copy()
    cfg = get_config()
    # people bearing the names of places, partners and ordinary words, rare ones too
    planted = [
        ("Tariq", "Al Sikka"),
        ("Ain", "Zara"),
        ("Grace", "Okafor"),
        ("Sunday", "Friday"),
        ("Libyan", "Red Crescent"),
        ("Sebha", "Mitiga"),
    ]
    for i, (first, last) in enumerate(planted):
        cases.loc[cases.index[i], ["first_name", "last_name"]] = [first, last]
    text = "\n".join(
        [
            "## Highlights",
            "Visits to Tariq Al Sikka DC and Ain Zara DC with the Libyan Red Crescent.",
            "A grace period for documents. Grace period agreed. Flights on Sunday and Friday.",
            "Charters from Sebha and Mitiga; outreach in "
            + ", ".join(m.name for m in cfg.sites.mantikas)
            + ".",
            "Partners: " + ", ".join(cfg.sites.partners) + ".",
            "Joy, Blessing and Precious news: 310 people went home.",
        ]
    )
    assert _kinds(text, cases=cases) == []


def test_the_template_and_ordinary_highlights_pass_on_generated_records(frames):
    ordinary = notes.notes_template("2026-W48") + (
        "\n## Highlights\n\n- Two charter flights from Mitiga and Sebha took 310 people home "
        "to Nigeria, Niger and Mali on Sunday.\n- Outreach sessions in Tripoli and Misrata "
        "with UNICEF and IRC; 45 referrals followed up.\n\n## Challenges\n\n- Access to Ain "
        "Zara DC was refused twice; travel documents for Chad are slow.\n\n## Next week\n\n"
        "- A charter to Banjul on 2026-12-02; training for 20 host families.\n"
    )
    assert notes.find_personal_data(ordinary, frames=frames) == []


def test_the_message_names_the_file_line_and_kind_never_the_value(tmp_path, frames):
    path = _notes_file(tmp_path, "## Highlights\n\nAll fine.\nCall +218 91 777 4242.\n")
    found = notes.check_notes_file(path, frames)
    message = notes.personal_data_message(path, found)
    assert str(path) in message and "line 4: a phone number" in message
    assert "777" not in message and "--allow-notes-pii" in message


# --------------------------------------------------------------------------- in a browser


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


@pytest.mark.parametrize("with_csp", [True, False], ids=["with CSP", "escaping alone"])
def test_hostile_notes_do_not_run_in_a_browser(browser, tmp_path, with_csp):
    """On a page with the reviewer pages' CSP, and without it (escaping alone must hold):
    no planted element is in the DOM, nothing ran, nothing was fetched."""
    text = "## Highlights\n\n" + f"{SENTENCE}.\n\n" + "\n\n".join(HOSTILE) + "\n"
    block = notes.notes_html(_notes_file(tmp_path, text))
    head = CSP_META if with_csp else ""
    page_path = tmp_path / "page.html"
    page_path.write_text(
        f'<!doctype html><html><head><meta charset="utf-8">{head}<title>notes</title></head>'
        f"<body>{block}</body></html>",
        "utf-8",
    )
    opened = open_offline(browser, page_path)
    dialogs: list[str] = []
    opened.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    try:
        page = opened.page
        page.mouse.move(5, 5)
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.pwned") == "undefined"
        assert page.title() == "notes"
        forbidden = "script, img, a, iframe, svg, div, b, object, embed, form, input"
        assert page.eval_on_selector_all(forbidden, "els => els.length") == 0
        assert opened.leaving == [] and dialogs == []
        shown = page.inner_text("section.team-notes")
        assert shown.count(SENTENCE) == 1
        assert "<script>window.pwned = 1" in shown  # the markup is shown as text
        assert notes.HEADING in shown and notes.ATTRIBUTION in shown
    finally:
        opened.context.close()
