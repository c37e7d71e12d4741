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
  ``KeyError``, ``dtype``, ``func()``).
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
    seen: dict[str, None] = {}
    for _, token in sorted(found):
        seen.setdefault(token.strip().rstrip(".,;:"), None)
    return list(seen)


def jargon(html: str) -> list[str]:
    """The offending tokens in the visible text of the page ``html``."""
    return jargon_in_text(visible_text(html))
