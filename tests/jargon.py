"""Jargon on reviewer pages: what a programme manager or a donor should never have to read.

:func:`jargon` takes the HTML of a page and returns the offending tokens of its visible text
(text nodes outside ``<style>``/``<script>``, the ``<title>`` and images' alt text):

* snake_case tokens (``flight_type``, ``median_days``, ``expect_column_values_to_be_unique``);
* codes of ``config/code_lists.yaml`` that are not plain words (``uasc``, ``vot``, ``gbv``,
  ``mhpss``; codes with an underscore are snake_case);
* the notebooks' parameter names (``tables_dir``, ``restricted = True``);
* paths and file names of the project (``docs/rules-interpretation.md``, ``demo/``,
  ``config/``, ``.py``, ``.ipynb``, globs such as ``manifest_*``);
* Python and Great Expectations identifiers (``DataFrame``, ``None``, ``True``, ``NaN``,
  ``KeyError``, ``dtype``, ``func()``);
* the technical words of :data:`READER_TERMS` ("ISO week", "canonical form", "quarantined",
  "mojibake", "structural checks", "GO (check)", "the as-of date", "Data sources", a run
  header "Run 2026-W48_…", an unexplained "BIA", "Shortest quarter up to");
* a rule code without its words (:func:`bare_rule_codes`: "(rule H004)"; "H004 Payment out
  of line" and 'rule R001 "Referral follow-up overdue"' are fine).

:func:`about_problems` checks that a report ends with "About this report" and that its run
reference and file names appear nowhere before it.
"""

from __future__ import annotations

import ast
import json
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]

# Codes that are ordinary English although their label words them differently.
PLAIN_WORDS = frozenset({"elderly", "unfit", "manifested", "n/a", "none", "spot"})
PROJECT_FOLDERS = (
    "docs",
    "demo",
    "config",
    "notebooks",
    "lib",
    "tests",
    "expectations",
    "templates",
    "outputs",
    "outputs-restricted",
    "data",
    "prepared",
)

SNAKE = re.compile(r"(?<![\w/.#-])[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+(?![\w/])")
PATHS = [
    re.compile(r"\b[\w.-]+\.(?:py|ipynb|md|ya?ml|j2|parquet|log)\b"),
    re.compile(rf"(?<![\w.-])(?:{'|'.join(map(re.escape, PROJECT_FOLDERS))})/[\w./-]*"),
    re.compile(r"(?<![\w/])[\w.-]+/(?=[\s),.;:]|$)"),  # a folder: "demo/"
    re.compile(r"\b\w+_\*"),  # a glob: "manifest_*"
]
PYTHON = [
    re.compile(r"\b(?:DataFrame|dtype|Styler|Timestamp|NaT|NaN|nan|ipynb|kwargs|stderr)\b"),
    re.compile(r"<NA>"),
    re.compile(r"\b[A-Z]\w*(?:Error|Exception)\b"),
    re.compile(r"\b[A-Za-z_]\w*\(\)"),  # a call: "run_check()"
    # None/True/False as values, not as words that start a sentence ("None of the ...")
    re.compile(r"\b(?:None|True|False)\b(?![ \t]+[a-z])"),
    re.compile(r"\bexpect_\w+"),
]


# Words of the workbench's makers that a reader should not meet (issue 22): each pattern
# is searched in the visible text; the plain words used instead are in the comments.
READER_TERMS = [
    re.compile(r"\bISO[ -]weeks?\b", re.IGNORECASE),  # "week 48 of 2026 (23 to 29 November)"
    re.compile(r"\bcanonical\b", re.IGNORECASE),  # "written the same way"
    re.compile(r"\bquarantin\w*", re.IGNORECASE),  # "set aside for correction"
    re.compile(r"\bmojibake\b", re.IGNORECASE),  # "garbled characters (wrong text encoding)"
    re.compile(r"\bstructural checks?\b", re.IGNORECASE),  # "checks on the columns"
    re.compile(r"(?<!assessment \()\bBIA\b"),  # "best interests assessment (BIA)" first
    re.compile(r"\bGO \(check\)"),  # "GO with warnings"
    re.compile(r"\bas-of\b", re.IGNORECASE),  # "the report date"
    re.compile(r"\bData sources\b"),  # "Files read", in "About this report"
    re.compile(r"\bRun \d{4}-(?:W\d{2}|\d{2})_"),  # "Run reference", in "About this report"
    re.compile(r"\bShortest quarter\b|\bLongest quarter\b"),  # "A quarter of stays …"
]
RULE_CODE = re.compile(r"(?<![\w-])[CHMR]\d{3}(?![\w-])")
# between a rule code and its title: spaces, a colon, a comma, quotes, a dash, brackets
_JOIN = r"[\s,:;\"'“”‘’(—–-]{0,5}"


@lru_cache(maxsize=1)
def rule_titles() -> dict[str, str]:
    """Each rule code of the registry with its title (lib/protection_workbench/rules)."""
    from protection_workbench.rules import catalogue

    return dict(zip(catalogue()["rule"], catalogue()["title"], strict=True))


def bare_rule_codes(text: str) -> list[str]:
    """The rule codes of ``text`` shown without their title beside them (before or after,
    spaces and line breaks as one space, case ignored): "(rule H004)" is one,
    "H004 Payment out of line" and "Payment out of line (H004)" are not."""
    flat = re.sub(r"\s+", " ", text)
    titles = rule_titles()
    bare = []
    for match in RULE_CODE.finditer(flat):
        code = match.group(0)
        title = re.escape(re.sub(r"\s+", " ", titles.get(code, "\0")))
        after = re.match(rf"{_JOIN}{title}", flat[match.end() :], re.IGNORECASE)
        before = re.search(rf"{title}{_JOIN}(?:rule )?$", flat[: match.start()], re.IGNORECASE)
        if not (after or before):
            bare.append(code)
    return bare


class _Visible(HTMLParser):
    """Collects the text a reader sees, and alt text of images."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "template"):
            self._hidden += 1
        if tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(alt)
        if tag in ("br", "p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "title"):
            self.parts.append("\n")

    def handle_endtag(self, tag):
        if tag in ("style", "script", "template") and self._hidden:
            self._hidden -= 1
        if tag in ("p", "div", "li", "td", "th", "tr", "h1", "h2", "h3", "h4", "title"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The text of a page a reader sees (title, body text, alt text of images)."""
    parser = _Visible()
    parser.feed(html)
    return "".join(parser.parts)


@lru_cache(maxsize=1)
def jargon_codes() -> frozenset[str]:
    """Codes of the code lists that a reader would not understand (abbreviations): codes
    that are not a word of their own label and not plain English."""
    config = yaml.safe_load((ROOT / "config" / "code_lists.yaml").read_text("utf-8"))
    labels = config.get("labels", {}).get("en", {}).get("codes", {})
    label_text = " ".join(str(v) for named in labels.values() for v in named.values())
    label_words = set(re.findall(r"[a-z/]+", label_text.lower()))
    return frozenset(
        code
        for name, values in config.items()
        if name != "labels" and isinstance(values, list)
        for code in map(str, values)
        if len(code) > 1 and code not in label_words and code not in PLAIN_WORDS
    )


@lru_cache(maxsize=1)
def parameter_names() -> frozenset[str]:
    """Names set in the ``parameters`` cell of every notebook of ``notebooks/``."""
    names = set()
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        notebook = json.loads(path.read_text("utf-8"))
        for cell in notebook["cells"]:
            if "parameters" in cell.get("metadata", {}).get("tags", []):
                tree = ast.parse("".join(cell["source"]))
                for node in ast.walk(tree):
                    if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                        names.add(node.id)
    return frozenset(names)


def jargon_in_text(text: str) -> list[str]:
    """The offending tokens of ``text``, each once, in order of appearance."""
    found: list[tuple[int, str]] = []
    found += [(m.start(), m.group(0)) for m in SNAKE.finditer(text)]
    for pattern in PATHS + PYTHON:
        found += [(m.start(), m.group(0)) for m in pattern.finditer(text)]
    codes = "|".join(sorted(map(re.escape, jargon_codes()), key=len, reverse=True))
    if codes:
        found += [
            (m.start(), m.group(0)) for m in re.finditer(rf"(?<![\w/-])(?:{codes})(?![\w/-])", text)
        ]
    # a single-word parameter as a parameter: "restricted = True", "parameter week"
    for name in parameter_names():
        for m in re.finditer(rf"\b{re.escape(name)}\s*=|\bparameters?\s+{re.escape(name)}\b", text):
            found.append((m.start(), m.group(0)))
    for pattern in READER_TERMS:
        found += [(m.start(), m.group(0)) for m in pattern.finditer(text)]
    found += [(text.find(code), code) for code in bare_rule_codes(text)]
    seen: dict[str, None] = {}
    for _, token in sorted(found):
        seen.setdefault(token.strip().rstrip(".,;:"), None)
    return list(seen)


def jargon(html: str) -> list[str]:
    """The offending tokens in the visible text of the page ``html``."""
    return jargon_in_text(visible_text(html))


ABOUT = "About this report"


def about_problems(html: str, run_id: str, file_names: list[str]) -> list[str]:
    """What is wrong with the end of a reviewer report: "About this report" must be its
    last section (no heading and no text of the report after it) and hold the run
    reference; the run reference and the ``file_names`` read must appear nowhere before
    it. [] when all is well."""
    text = visible_text(html)
    problems = []
    if text.count(ABOUT) != 1:
        return [f"{ABOUT!r} found {text.count(ABOUT)} times"]
    before, after = text.split(ABOUT)
    if re.search(r"<h[1-6][ >]", html.split(ABOUT, 1)[1], re.IGNORECASE):
        problems.append(f"a heading after {ABOUT!r}")
    if "Download the tables" in after:
        problems.append(f"the tables' links after {ABOUT!r}")
    if run_id not in after:
        problems.append(f"the run reference is not in {ABOUT!r}")
    problems += [f"{name} before {ABOUT!r}" for name in [run_id, *file_names] if name in before]
    return problems
