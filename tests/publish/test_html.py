"""The one escaping helper, the reviewer pages' Content-Security-Policy, the escaping
table and the label function: values from the exports are text on reviewer pages, never
markup, and only values that config/ knows are labels."""

from __future__ import annotations

import html
from html.parser import HTMLParser

import mistune
import nbformat
import pandas as pd
import pytest
from nbconvert.filters.markdown_mistune import markdown2html_mistune

from protection_workbench.config import get_config
from protection_workbench.publish.html import CSP, CSP_META, esc, esc_markdown
from protection_workbench.publish.labels import (
    OTHER,
    allowed_values,
    known_labels,
    known_or_other,
)
from protection_workbench.publish.tables import escaped, styled

PAYLOADS = [
    "<img src=x onerror=\"document.title='pwned'\">",
    "<script>window.pwned=1</script>",
    '"><svg onload=document.title=1>',
    "'><iframe src=javascript:alert(1)>",
    "[click](http://example.invalid/x.png)",
    "![chart](http://example.invalid/x.png)",
    "<http://example.invalid/x>",
    "[ref][1]\n\n[1]: http://example.invalid/x",
    "Home of Amina Yusuf +218 91 234 5678",
    "**bold** _em_ `code` ~~gone~~ # not a title",
    "- not a list item | not | a table |",
    "1. not a numbered item",
    "> not a quote",
    "&amp; &lt;b&gt; &#60;b&#62; \\<b\\>",
    "a & b < c > d \"e\" 'f'",
    "طرابلس <b>عربي</b>",
]


class _Tags(HTMLParser):
    """Tags, attributes and visible text of an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag, attrs):
        self.tags.append((tag, attrs))

    def handle_data(self, data):
        self.text.append(data)


def parse(fragment: str) -> _Tags:
    parser = _Tags()
    parser.feed(fragment)
    parser.close()
    return parser


def first_in_head(page: str) -> tuple[str, dict]:
    """The first element inside <head>: its tag and attributes."""
    found = parse(page)
    tags = [tag for tag, _ in found.tags]
    tag, attrs = found.tags[tags.index("head") + 1]
    return tag, dict(attrs)


def _one_line(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("payload", PAYLOADS)
def test_esc_gives_text_only(payload):
    out = esc(payload)
    assert "<" not in out and ">" not in out and '"' not in out and "'" not in out
    assert html.unescape(out) == payload
    found = parse(f"<p>{out}</p><a title='{out}' href=\"#{out}\">x</a>")
    assert [tag for tag, _ in found.tags] == ["p", "a"]
    assert dict(found.tags[1][1])["title"] == payload


def test_esc_of_none_and_numbers():
    assert esc(None) == "" and esc(5) == "5"
    assert esc_markdown(None) == "" and esc_markdown(1.5) == "1&#46;5"


@pytest.mark.parametrize(
    "render", [markdown2html_mistune, mistune.html], ids=["nbconvert", "mistune"]
)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_esc_markdown_renders_as_the_text_it_was(render, payload):
    """Rendered by mistune (what nbconvert uses for Markdown cells and outputs): one
    paragraph, no tag, link, image or emphasis, and the reader sees the input."""
    rendered = render(esc_markdown(payload))
    found = parse(rendered)
    assert {tag for tag, _ in found.tags} <= {"p", "br"}, rendered
    assert not any(attrs for _, attrs in found.tags), rendered
    assert _one_line("".join(found.text)) == _one_line(payload), rendered


def test_esc_markdown_inside_a_sentence_with_markup_around_it():
    line = f"- **{esc_markdown('<b>x</b>')}**: {esc_markdown('[a](http://example.invalid)')}"
    found = parse(markdown2html_mistune(line))
    assert [tag for tag, _ in found.tags] == ["ul", "li", "strong"]
    assert _one_line("".join(found.text)) == "<b>x</b>: [a](http://example.invalid)"


def test_csp_forbids_scripts_and_requests():
    for directive in ("script-src 'none'", "connect-src 'none'", "default-src 'none'"):
        assert directive in CSP
    assert "img-src data:" in CSP and "http" not in CSP
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' == CSP_META


def test_reviewer_template_carries_the_csp_first_and_no_script(tmp_path):
    """The nbconvert reviewer template: CSP_META as the first element of <head>, and no
    <script> even for a notebook whose outputs hold JavaScript, a widget and raw HTML."""
    try:  # the run's notebook helpers (protection_workbench.pipeline before the run package)
        from protection_workbench.run.notebooks import TEMPLATES, to_html
    except ImportError:
        from protection_workbench.pipeline import TEMPLATES, to_html

    template = (TEMPLATES / "reviewer" / "index.html.j2").read_text("utf-8")
    assert CSP_META in template
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    cell.outputs = [
        nbformat.v4.new_output("display_data", {"application/javascript": "window.pwned=1"}),
        nbformat.v4.new_output(
            "display_data",
            {"application/vnd.jupyter.widget-view+json": {"model_id": "m", "version_major": 2}},
        ),
        nbformat.v4.new_output("display_data", {"text/markdown": esc_markdown(PAYLOADS[0])}),
    ]
    nb.cells = [nbformat.v4.new_markdown_cell("# Title"), cell]
    source, page = tmp_path / "nb.ipynb", tmp_path / "nb.html"
    nbformat.write(nb, source)
    to_html(source, page, "banner")
    text = page.read_text("utf-8")
    assert first_in_head(text) == (
        "meta",
        {"http-equiv": "Content-Security-Policy", "content": CSP},
    )
    assert "<script" not in text.lower()
    assert "<img src=x" not in text and "&lt;img src=x" in text


# --------------------------------------------------------------------------- tables


def test_styled_escapes_values_labels_names_and_caption():
    frame = pd.DataFrame(
        {PAYLOADS[1]: [PAYLOADS[0], "<5"], "n": [1234, 5]},
        index=pd.Index([PAYLOADS[2], "y"], name="<i>name</i>"),
    )
    frame.columns.name = "<b>cols</b>"
    page = styled(frame, caption=PAYLOADS[0], hide_index=False).to_html()
    found = parse(page)
    tags = {tag for tag, _ in found.tags}
    assert tags <= {"style", "table", "caption", "thead", "tbody", "tr", "th", "td"}, tags
    text = "".join(found.text)
    for payload in (PAYLOADS[0], PAYLOADS[1], PAYLOADS[2], "<i>name</i>", "<b>cols</b>"):
        assert payload in text
    assert "1,234" in text and "<5" in text


def test_escaped_keeps_numbers_and_missing_values():
    frame = pd.DataFrame({"a": ["<x>", None], "n": [1, 2]})
    out = escaped(frame)
    assert out["a"].tolist()[0] == "&lt;x&gt;" and pd.isna(out["a"].tolist()[1])
    assert out["n"].tolist() == [1, 2]
    assert frame.loc[0, "a"] == "<x>"  # the input is left as it was


# --------------------------------------------------------------------------- labels


def test_known_or_other_groups_what_is_not_allowed():
    values = pd.Series(["Tripoli", "Home of Amina Yusuf +218 91 234 5678", None, "Sebha"])
    out = known_or_other(values, ["Tripoli", "Sebha"])
    assert out.tolist() == ["Tripoli", OTHER, None, "Sebha"]
    assert out.index.equals(values.index)


def test_known_or_other_compares_as_text_and_keeps_the_index():
    values = pd.Series(pd.Categorical(["a", "<b>", "a"]), index=[7, 8, 9])
    out = known_or_other(values, ["a"])
    assert out.to_dict() == {7: "a", 8: OTHER, 9: "a"}
    assert known_or_other([1, 2], [1]).tolist() == [1, OTHER]
    _ = known_or_other([1, 2], [1]).tolist() == [1, OTHER]


def test_allowed_values_come_from_the_configuration():
    cfg = get_config()
    assert allowed_values("mantika") == set(cfg.sites.mantika_names)
    assert allowed_values("location") == {s.name for s in cfg.sites.sites}
    assert allowed_values("referred_to") == set(cfg.sites.partners)
    assert allowed_values("host_type") == set(cfg.code_lists["host_type"])
    assert allowed_values("exit_reason") == set(cfg.code_lists["exit_reason"])
    assert "NGA" in allowed_values("destination_country")
    with pytest.raises(KeyError, match="notes"):
        allowed_values("notes")


def test_known_labels_with_extra_labels_of_the_report():
    values = pd.Series(["UNICEF", "(missing)", "Dr. Amina's clinic"])
    assert known_labels(values, "referred_to").tolist() == ["UNICEF", OTHER, OTHER]
    out = known_labels(values, "referred_to", extra=["(missing)"])
    assert out.tolist() == ["UNICEF", "(missing)", OTHER]


def test_reviewer_html_gives_each_chart_its_alt_text_escaped(tmp_path):
    """The chart module puts what a chart shows in the image's metadata; the reviewer page
    carries it as the image's alt text (escaped), not nbconvert's empty default."""
    import base64

    import nbformat
    from IPython.display import Image

    from protection_workbench.run.notebooks import to_html

    pixel = base64.b64decode(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
    )
    data, metadata = Image(
        data=pixel, format="png", alt='Returns by week <b>"x"</b>'
    )._repr_mimebundle_()
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("chart")
    cell.outputs = [nbformat.v4.new_output("display_data", data=data, metadata=metadata)]
    nb.cells = [cell]
    nbformat.write(nb, tmp_path / "chart.ipynb")
    to_html(tmp_path / "chart.ipynb", tmp_path / "chart.html")
    page = (tmp_path / "chart.html").read_text("utf-8")
    assert "Returns by week &lt;b&gt;" in page and "<b>" not in page
    assert "No description has been provided for this image" not in page
