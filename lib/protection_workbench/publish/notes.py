"""The team's own words in the weekly report: a Markdown file of highlights and challenges.

The analyst writes ``highlights.md`` (by default in the data folder) as a plain file; the
weekly report shows it near the top, attributed to the team. Two things keep it safe:

* :func:`notes_html` renders a small Markdown subset from **escaped** text: headings,
  paragraphs, lists, quotes, code, bold and italic. Raw HTML is shown as text, images are
  never shown and links are shown as text, so nothing runs and nothing is fetched.
* :func:`find_personal_data` looks for what must not reach a reviewer page: phone numbers,
  ids in the exports' formats or present in the cleaned data, document numbers, names of
  people in the case records, and a person singled out by a description (a few people, an
  age, a nationality, place or situation). It reads the notes as the page will show them:
  the same blocks as the renderer, soft-wrapped lines joined, comments and inline markup
  dropped, invisible characters removed and Unicode normalised (NFKC) — and each line as
  written. The weekly and period runs refuse notes that hold one (unless told otherwise);
  its messages name the file, line and kind, never the value.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import InputFileError
from .html import esc

NOTES_FILE = "highlights.md"
HEADING = "Highlights and challenges from the team"
ATTRIBUTION = "Written by the team for this week; not computed from the data."
NO_NOTES = "No highlights were written for this week."
# A page of notes is a few kilobytes; anything far beyond is not notes.
MAX_NOTES_BYTES = 256 * 1024

# Kinds of personal data, as the messages say them.
PHONE = "a phone number"
RECORD_ID = "an id from the exports"
DOCUMENT = "a document number from the records"
NAME = "a person's name from the case records"
DESCRIPTION = "a person described by age with nationality, place or situation"


def default_notes_path(data_dir: str | os.PathLike) -> Path:
    """Where the weekly run looks for the team's notes when none is named."""
    return Path(data_dir) / NOTES_FILE


def read_notes(path: str | os.PathLike) -> str:
    """The text of a notes file (UTF-8, with or without BOM). A file that is too large or
    not UTF-8 is an :class:`InputFileError` naming the file (never its content)."""
    path = Path(path)
    size = path.stat().st_size
    if size > MAX_NOTES_BYTES:
        raise InputFileError(
            path, f"{size:,} bytes: too large for the week's notes ({MAX_NOTES_BYTES:,} at most)"
        )
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(
            path, f"line {line}: not UTF-8 text; save the notes as UTF-8 (any plain text editor)"
        ) from None


# --------------------------------------------------------------------------- the template

_TEMPLATE = """\
<!-- The team's highlights and challenges for week {week}.
     The weekly report shows this file near the top, as you write it, to programme
     management and donors. Lines between these comment markers are never shown.
     Write plain sentences; Markdown is fine: **bold**, *italic*, lists starting with "- ".
     Never write a name, a phone number, a document number, a date of birth or an id
     (case, individual, referral, manifest): write "a family of five from Sebha", not who
     they are. The weekly run checks this file against the case records and refuses to
     publish notes that look like personal data. -->

## Highlights

<!-- What went well this week: flights, outreach, partners, milestones reached. -->

## Challenges

<!-- What got in the way: access to detention centres, travel documents, postponed
     flights, funding, staffing. -->

## Next week

<!-- What is planned: flights, visits, trainings, meetings. -->
"""


def notes_template(week: str) -> str:
    """A notes file to fill in for ISO ``week`` (e.g. ``2026-W48``): the three sections and
    short guidance in comments that the report never shows."""
    return _TEMPLATE.format(week=week)


# --------------------------------------------------------------------------- rendering

_COMMENT = re.compile(r"<!--.*?-->", re.S)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_RULE_LINE = re.compile(r"^ {0,3}([-*_])(?:[ \t]*\1){2,}[ \t]*$")
_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])[ \t]+(.*)$")
_QUOTE = re.compile(r"^ {0,3}> ?(.*)$")
# Inline Markdown, applied to text already escaped by esc(): only fixed tags are added.
_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_IMAGE = re.compile(r"!\[([^\]]*)\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(([^)\s]*)[^)]*\)")
_STRONG = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*|(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_EM = re.compile(r"\*(?=\S)(.+?)(?<=\S)\*|(?<!\w)_(?=\S)(.+?)(?<=\S)_(?!\w)")


def _inline(text: str) -> str:
    """Escaped ``text`` with bold, italic and code marked; images dropped, links as text."""
    parts = _CODE_SPAN.split(esc(text))
    out = []
    # split() with two groups gives [text, ticks, code, text, ticks, code, ...]
    for i in range(0, len(parts), 3):
        chunk = parts[i]
        chunk = _IMAGE.sub(lambda m: "(image not shown)", chunk)
        chunk = _LINK.sub(lambda m: f"{m.group(1)} ({m.group(2)})" if m.group(2) else m[1], chunk)
        chunk = _STRONG.sub(lambda m: f"<strong>{m.group(1) or m.group(2)}</strong>", chunk)
        chunk = _EM.sub(lambda m: f"<em>{m.group(1) or m.group(2)}</em>", chunk)
        out.append(chunk)
        if i + 2 < len(parts):
            out.append(f"<code>{parts[i + 2].strip()}</code>")
    return "".join(out)


@dataclass
class _Block:
    """One block of the rendered notes: its tag and its items, each item the pieces of the
    file's lines it shows, as (line index, start, end); one item but in lists."""

    tag: str  # p, ul, ol, h3…h6, blockquote, pre, hr
    items: list[list[tuple[int, int, int]]]

    def texts(self, lines: list) -> list:
        """Each item's text as shown: a paragraph's or an item's lines joined by a space
        (soft-wrapped lines read as one), a code block's by a line break."""
        sep = "\n" if self.tag == "pre" else " "
        return [_join(sep, [lines[i][a:b] for i, a, b in item]) for item in self.items]


def _join(sep: str, pieces: list):
    """``sep.join(pieces)`` for text and for :class:`_Shown` text alike."""
    if pieces and isinstance(pieces[0], _Shown):
        return _Shown.joined(sep, pieces)
    return sep.join(pieces)


def _stripped(i: int, line: str, start: int = 0) -> tuple[int, int, int]:
    """The piece of ``line`` from ``start``, without the whitespace around it."""
    rest = line[start:]
    begin = start + len(rest) - len(rest.lstrip())
    return (i, begin, max(begin, len(line.rstrip())))


def _blocks(lines: list[str], top_level: int = 3) -> list[_Block]:
    """The block structure of the notes (comments already dropped), as :func:`render_markdown`
    shows it and :func:`find_personal_data` reads it."""
    blocks: list[_Block] = []
    para: list[tuple[int, int, int]] = []
    items: list[list[tuple[int, int, int]]] = []
    list_tag = ""

    def close() -> None:
        nonlocal list_tag
        if para:
            blocks.append(_Block("p", [list(para)]))
            para.clear()
        if items:
            blocks.append(_Block(list_tag, [list(item) for item in items]))
            items.clear()
            list_tag = ""

    fence: str | None = None
    code: list[tuple[int, int, int]] = []
    for i, line in enumerate(lines):
        if fence is not None:
            if line.strip().startswith(fence):
                blocks.append(_Block("pre", [code]))
                fence, code = None, []
            else:
                code.append((i, 0, len(line)))
            continue
        if m := _FENCE.match(line):
            close()
            fence = m.group(1)
            continue
        if not line.strip():
            close()
            continue
        if m := _HEADING_LINE.match(line):
            close()
            level = min(6, max(top_level, top_level + len(m.group(1)) - 2))
            if m.group(2):
                blocks.append(_Block(f"h{level}", [[(i, m.start(2), m.end(2))]]))
            continue
        if _RULE_LINE.match(line):
            close()
            blocks.append(_Block("hr", []))
            continue
        if m := _ITEM.match(line):
            tag = "ol" if m.group(1)[0].isdigit() else "ul"
            if para or (items and tag != list_tag):
                close()
            list_tag = tag
            items.append([(i, m.start(2), m.end(2))])
            continue
        if m := _QUOTE.match(line):
            close()
            blocks.append(_Block("blockquote", [[(i, m.start(1), m.end(1))]]))
            continue
        if items and line[:1] in (" ", "\t"):
            items[-1].append(_stripped(i, line))  # an item's continuation line
            continue
        if items:
            close()
        para.append(_stripped(i, line))
    if fence is not None:  # an unclosed fence: what was inside is still shown
        blocks.append(_Block("pre", [code]))
    close()
    return blocks


def _without_comments(text: str) -> str:
    return _COMMENT.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def render_markdown(text: str, top_level: int = 3) -> str:
    """A safe rendering of the Markdown the team writes: comments dropped, every character
    escaped, then a small subset marked up (headings from ``top_level`` down, paragraphs,
    lists, block quotes, code blocks, rules, bold, italic, code). Never a raw tag, an image
    or a link."""
    lines = _without_comments(text).split("\n")
    html: list[str] = []
    for block in _blocks(lines, top_level):
        texts = block.texts(lines)
        if block.tag == "hr":
            html.append("<hr>")
        elif block.tag == "pre":
            html.append(f"<pre><code>{esc(texts[0])}</code></pre>")
        elif block.tag in ("ul", "ol"):
            body = "".join(f"<li>{_inline(t)}</li>" for t in texts)
            html.append(f"<{block.tag}>{body}</{block.tag}>")
        elif block.tag == "blockquote":
            html.append(f"<blockquote><p>{_inline(texts[0])}</p></blockquote>")
        else:
            html.append(f"<{block.tag}>{_inline(texts[0])}</{block.tag}>")
    return "\n".join(html)


def _has_content(text: str) -> bool:
    """Anything written beyond comments and section headings (an untouched template is empty)."""
    kept = _COMMENT.sub("", text).split("\n")
    return any(line.strip() and not _HEADING_LINE.match(line) for line in kept)


def notes_html(path: str | os.PathLike | None) -> str:
    """The block of the weekly report with the team's notes from ``path``: a heading, a line
    saying who wrote it, and the notes rendered safely. No file, an empty file or an
    untouched template gives a visible line saying that no highlights were written."""
    text = ""
    if path is not None and Path(path).is_file():
        text = read_notes(path)
    body = render_markdown(text) if _has_content(text) else f"<p><em>{esc(NO_NOTES)}</em></p>"
    return (
        '<section class="team-notes" style="border-left: 4px solid #0033a0; '
        'padding: 0.2em 0 0.2em 1em; margin: 1em 0;">\n'
        f"<h2>{esc(HEADING)}</h2>\n"
        f'<p style="color: #555;"><em>{esc(ATTRIBUTION)}</em></p>\n'
        f"{body}\n"
        "</section>"
    )


# --------------------------------------------------------------------------- personal data


@dataclass(frozen=True)
class NoteFinding:
    """Something in the notes that looks like personal data: where and what kind, never
    the value itself."""

    line: int
    kind: str


# Phone numbers, after Arabic-Indic digits are read as ASCII ones. International: "+" or
# "00", then 8 to 15 digits with single separators. Libyan: mobiles 091-095 and landlines
# 0XX with seven digits, with or without 0 or 218 in front.
_PHONE_PATTERNS = (
    re.compile(r"(?<![\w+])(?:\+|00)[ \t]?\d(?:[ \t()./-]{0,2}\d){7,14}(?!\d)"),
    # Libyan numbers in any grouping ("0912 345 678", "91/234/5678", "09 12 34 56 78")
    re.compile(
        r"(?<![\w+/.-])(?:218[ \t./-]?|0)?\(?9[ \t./-]?[1-5]\)?(?:[ \t./-]?\d){7}(?![\d/-])"
    ),
    re.compile(r"(?<![\w+/.-])\(?0\d{2}\)?(?:[ \t./-]?\d){7}(?![\d/-])"),
)
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "0123456789" * 2)
# Ids in the exports' formats: IND-00000001, LY-VHR-0000001, REF-…, HST-…, PLC-…, and flight
# manifests MNF-20261125-SEB-NGA, COM-20261125-NGA. Capitals only for the first, so that
# "mid-2027" is not an id (an id written in small letters is found in the records).
_ID_PATTERNS = (
    re.compile(r"(?<![\w-])[A-Z]{2,}(?:-[A-Z]{2,})*-\d{3,}(?![\w])"),
    re.compile(r"(?<![\w-])(?:MNF|COM)-\d{8}(?:-[A-Z]{3})+", re.I),
)
# Candidate tokens for values looked up in the records: ids and document numbers.
_TOKEN = re.compile(r"[^\W_](?:[\w/.-]*[^\W_])?")
_DOCUMENT = re.compile(r"(?<![^\W_])[A-Za-z]{0,4}[ -]?\d(?:[\d -]*\d)?(?![^\W_])")
_NOT_ALNUM = re.compile(r"[\W_]+")
# Words of names: letters (any script), apostrophes inside a name dropped (N'Diaye).
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_APOSTROPHE = re.compile(r"['’]")
_LETTER_RUN = r"[^\W\d_]+"
_MAX_NAME_WORDS = 6
# First names that are also ordinary English words: alone they say nothing about a person.
_ORDINARY = frozenset(
    """monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december grace joy blessing blessings
    precious hope faith mercy patience gift favour favor peace victory wisdom justice
    charity lucky happy will mark rose islam sheikh highlights challenges week next team
    flight flights charter commercial outreach training meeting""".split()  # noqa: SIM905
)


@cache
def _drop_marks() -> dict[int, None]:
    """Combining marks (accents, Arabic harakat) of the Basic Multilingual Plane."""
    return {cp: None for cp in range(0x10000) if unicodedata.combining(chr(cp))}


@lru_cache(maxsize=1 << 16)
def _word_key(text: str) -> str:
    """A word's or name's comparison key: accents and harakat dropped, case folded."""
    folded = unicodedata.normalize("NFKD", text).translate(_drop_marks()).casefold()
    return " ".join(_WORD.findall(_APOSTROPHE.sub("", folded)))


def _name_keys(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """:func:`_word_key` of each distinct value, and each row's code into them (-1:
    missing). String work is done once per distinct name, never per row."""
    codes, distinct = pd.factorize(values)
    keys = (
        pd.Series(distinct, dtype="string")
        .str.normalize("NFKD")
        .str.translate(_drop_marks())
        .str.casefold()
        .str.replace(_APOSTROPHE.pattern, "", regex=True)
        .str.findall(_LETTER_RUN)
        .str.join(" ")
        .to_numpy(dtype=object)
    )
    return codes, keys


@cache
def _places() -> re.Pattern:
    """The places and partners ``config/`` knows, as written in the notes ("Ain Zara DC",
    "Ain Zara", "Libyan Red Crescent"): their words are never taken for a person's name."""
    from ..config import get_config

    sites = get_config().sites
    labels = [p for m in sites.mantikas for p in (m.name, *m.aliases)]
    labels += [s.name for s in sites.sites] + list(sites.partners)
    labels += [re.sub(r"\s+DC$", "", s.name) for s in sites.sites]
    labels += [p for a in sites.airports for p in (a.name, *a.aliases)]
    alternatives = "|".join(re.escape(x) for x in sorted(set(labels), key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


def _min_cell() -> int:
    from ..config import get_config

    return int(get_config().thresholds.min_cell)


# Characters a reader does not see or sees as a space: they must not hide a name or a phone
# number from the check ("Ah<ZWSP>med", "091<NBSP>234<NBSP>5678"). Format characters
# (category Cf: zero-width spaces and joiners, word joiner, BOM, soft hyphen, direction
# marks) are dropped; line and paragraph separators and other spaces read as a space; dashes
# as "-"; Arabic-Indic digits as ASCII ones; the rest through NFKC (full-width digits and
# letters, non-breaking spaces, ligatures).
_SPACES = "\u2028\u2029\x85\x0b\x0c\t"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"


@cache
def _as_read(char: str) -> str:
    """What a reader takes ``char`` for, for the check (see above)."""
    if char in _SPACES:
        return " "
    if char in _DASHES:
        return "-"
    if unicodedata.category(char) == "Cf":
        return ""
    return unicodedata.normalize("NFKC", char).translate(_DIGITS)


class _Shown:
    """Text of the notes as a reviewer reads it, with the file's line of each character
    (so that a finding names the line where it starts, never the text)."""

    __slots__ = ("text", "lines")

    def __init__(self, text: str, lines: tuple[int, ...]):
        self.text = text
        self.lines = lines  # the file line of each character of ``text``

    def __getitem__(self, key: slice) -> _Shown:
        return _Shown(self.text[key], self.lines[key])

    def __len__(self) -> int:
        return len(self.text)

    @staticmethod
    def joined(sep: str, pieces: list[_Shown]) -> _Shown:
        """The pieces joined by ``sep``, which takes the line of the piece it follows."""
        lines: list[int] = []
        for k, piece in enumerate(pieces):
            if k:
                lines.extend([lines[-1] if lines else piece.line_at(0)] * len(sep))
            lines.extend(piece.lines)
        return _Shown(sep.join(p.text for p in pieces), tuple(lines))

    def line_at(self, position: int) -> int:
        if position < len(self.lines):
            return self.lines[position]
        return self.lines[-1] if self.lines else 1

    def split_lines(self) -> list[_Shown]:
        out, start = [], 0
        for i, char in enumerate(self.text):
            if char == "\n":
                out.append(self[start:i])
                start = i + 1
        return [*out, self[start:]]

    def read(self) -> _Shown:
        """The text as read: each character through :func:`_as_read`."""
        if self.text.isascii() and "\t" not in self.text and "\x0b" not in self.text:
            return self
        text, lines = [], []
        for char, line in zip(self.text, self.lines, strict=True):
            seen = _as_read(char)
            text.append(seen)
            lines.extend([line] * len(seen))
        return _Shown("".join(text), tuple(lines))

    def without(self, chars: str) -> _Shown:
        keep = [i for i, c in enumerate(self.text) if c not in chars]
        return _Shown("".join(self.text[i] for i in keep), tuple(self.lines[i] for i in keep))


def _with_lines(text: str) -> _Shown:
    """``text`` (line breaks already "\\n") with the file line of each character."""
    lines, line = [], 1
    for char in text:
        lines.append(line)
        line += char == "\n"
    return _Shown(text, tuple(lines))


# Inline Markdown that the page does not show as written: **bold**, *em*, _em_, `code`.
_MARKUP = "*_`"


def _lines(text: str) -> list[_Shown]:
    """What the check reads: every paragraph, list item, heading, quote and code block as
    the page shows it — comments dropped (a comment inside a word joins its halves),
    soft-wrapped lines joined, invisible characters dropped and Unicode normalised — both
    with and without its inline markup (``Ah**med**`` reads "Ahmed"); and each line that
    holds a comment as written (normalised too): what a comment hides is checked as well."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tagged = _with_lines(text)
    kept, start, commented = [], 0, set()
    for m in _COMMENT.finditer(text):
        kept.append(tagged[start : m.start()])
        commented.update(range(tagged.line_at(m.start()), tagged.line_at(m.end() - 1) + 1))
        start = m.end()
    lines = _Shown.joined("", [*kept, tagged[start:]]).split_lines()
    units = [
        shown for block in _blocks([line.text for line in lines]) for shown in block.texts(lines)
    ]
    # The lines with a comment, as written: the rest of each line is in the blocks above.
    units += [line for line in tagged.split_lines() if line.line_at(0) in commented]
    out, seen = [], set()
    for unit in units:
        read = unit.read()
        for variant in (read, read.without(_MARKUP)):
            if variant.text.strip() and (variant.text, variant.lines) not in seen:
                seen.add((variant.text, variant.lines))
                out.append(variant)
    return out


def _regex_findings(lines: list[_Shown], patterns, kind: str) -> set[NoteFinding]:
    return {
        NoteFinding(shown.line_at(m.start()), kind)
        for shown in lines
        for p in patterns
        for m in p.finditer(shown.text)
    }


def _candidates(lines: list[_Shown], pattern: re.Pattern, key) -> pd.DataFrame:
    """Every match of ``pattern`` in the notes, with its line and its key."""
    rows = [
        (shown.line_at(m.start()), m.group())
        for shown in lines
        for m in pattern.finditer(shown.text)
    ]
    frame = pd.DataFrame(rows, columns=["line", "text"])
    frame["key"] = frame["text"].map(key) if len(frame) else pd.Series(dtype=str)
    return frame


def _name_grams(lines: list[_Shown]) -> pd.DataFrame:
    """Runs of 1 to 6 words of each line, outside the names of places and partners: their
    key, the line of their first word, and whether the run starts with a capital (or a
    letter without case, as in Arabic)."""
    rows = []
    for shown in lines:
        places = [(m.start(), m.end()) for m in _places().finditer(shown.text)]
        # a run of words never spans a place's name
        bounds = zip(
            [0] + [e for _, e in places], [s for s, _ in places] + [len(shown.text)], strict=True
        )
        for start, end in bounds:
            words = list(_WORD.finditer(shown.text, start, end))
            keys = [_word_key(w.group()) for w in words]
            for i, word in enumerate(words):
                line = shown.line_at(word.start())
                for j in range(i + 1, min(len(words), i + _MAX_NAME_WORDS) + 1):
                    rows.append((line, " ".join(keys[i:j]), j - i, not word.group()[0].islower()))
    return pd.DataFrame(rows, columns=["line", "key", "words", "capital"])


# A person singled out by a description: a few people (1 to 4), a word for a person, an age,
# and a nationality, place, date or situation ("1 unaccompanied Ethiopian boy (15) returned
# from Misrata on 7 December"); for a child the age alone is enough ("a girl aged 9").
# Aggregates ("39 children returned", "a group of children aged 10 to 15") are not flagged.
_CHILD = r"boys?|girls?|child(?:ren)?|minors?|bab(?:y|ies)|infants?|toddlers?|teen(?:ager)?s?"
_CHILD += r"|adolescents?|orphans?|sons?|daughters?|nephews?|nieces?|uasc|uac"
_ADULT = r"m[ae]n|wom[ae]n|persons?|people|mothers?|fathers?|brothers?|sisters?|husbands?"
_ADULT += r"|wi(?:fe|ves)|migrants?|survivors?|victims?|siblings?|youths?|individuals?"
_NOT_A_FEW = r"group|groups|number|numbers|total|few|family|families|lot|dozens?|hundreds"
_NOT_A_FEW += r"|thousands|several|many|some|all|most|more|other|flight|flights|charter|session"
_AGE_WORD = r"\d{1,2}[ -]?(?:years?|yrs?|months?)[ -]?old"
_FEW_PEOPLE = re.compile(
    r"(?<![\w-])(?:a|an|one|two|three|four|single|lone|[1-4])"
    rf"(?:[ ,]++(?!(?:{_NOT_A_FEW})\b)(?:{_AGE_WORD}|[^\W\d_][\w'’-]*)){{0,5}}?"
    rf"[ ,]++(?P<person>{_CHILD}|{_ADULT}|{_AGE_WORD})(?![\w-])",  # "a 15-year-old from …"
    re.I,
)
_AGE = re.compile(
    r"\(\s*\d{1,2}(?:\s*(?:,|and|&)\s*\d{1,2})*\s*(?:y(?:ea)?rs?|y/?o|months?)?\s*\)"
    r"|\bage[ds]?\s*(?:of\s*)?\d{1,2}\b"
    rf"|\b{_AGE_WORD}\b|\b\d{{1,2}}\s*(?:yo|y/o|y\.o\.)(?!\w)",
    re.I,
)
_AGE_AFTER = re.compile(rf"(?:{_CHILD}|{_ADULT}),\s*\d{{1,2}}\s*(?:[,.;)]|$)", re.I)
_SITUATION = re.compile(
    r"\b(?:unaccompanied|separated|pregnant|disab\w*|traffick\w*|survivors?|victims?|vot"
    r"|gbv|sgbv|detained|detention|orphan\w*|injur\w*|wounded|sick|ill|medical|hospital\w*"
    r"|arrested|missing|deceased|died|raped|abused|exploited)\b",
    re.I,
)
_PLACE_AFTER = re.compile(r"\b(?:from|in|at|to|near)\s+(?:the\s+)?[A-Z][\w'’-]+")
_MONTHS = r"jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec"
_DAY = re.compile(
    rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})[a-z]*\b|\b(?:{_MONTHS})[a-z]*\s+\d{{1,2}}\b"
    r"|\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b",
    re.I,
)
_SENTENCE = re.compile(r"(?:[^.!?;]|\.(?=\d))+")


@cache
def _origins() -> re.Pattern:
    """Nationalities and countries as written: the project's aliases (demonyms among them)
    and the ISO 3166 names."""
    from ..config import get_config

    words = {a for aliases in get_config().country_aliases.values() for a in aliases}
    try:
        import pycountry

        for country in pycountry.countries:
            words |= {country.name, getattr(country, "common_name", country.name)}
    except ImportError:  # the aliases alone still hold the usual nationalities
        pass
    words = {w for w in words if len(w) >= 4}
    alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.I)


def _descriptions(lines: list[_Shown]) -> set[NoteFinding]:
    """Sentences that single out a person (see ``_FEW_PEOPLE``): where the few people are."""
    found = set()
    for shown in lines:
        for sentence in _SENTENCE.finditer(shown.text):
            text = sentence.group()
            few = _FEW_PEOPLE.search(text)
            if few is None or not (_AGE.search(text) or _AGE_AFTER.search(text)):
                continue
            person = few.group("person")
            age = re.match(r"\d+", person)  # "a 15-year-old": a child under 18
            child = re.fullmatch(_CHILD, person, re.I) is not None or (
                age is not None and (int(age.group()) < 18 or "month" in person.lower())
            )
            identifying = any(
                p.search(text) for p in (_SITUATION, _PLACE_AFTER, _DAY, _origins(), _places())
            )
            if child or identifying:
                found.add(NoteFinding(shown.line_at(sentence.start() + few.start()), DESCRIPTION))
    return found


def _frames_with(frames: Mapping[str, pd.DataFrame], columns: tuple[str, ...]):
    return [f for f in frames.values() if all(c in f.columns for c in columns)]


def find_personal_data(
    text: str,
    cases: pd.DataFrame | None = None,
    frames: Mapping[str, pd.DataFrame] | None = None,
    rare_below: int | None = None,
) -> list[NoteFinding]:
    """What in the notes ``text`` looks like personal data, one finding per line and kind,
    in line order. Always: phone numbers (Libyan and international formats) and ids in the
    exports' formats. With the cleaned ``cases`` (and any other cleaned ``frames``, e.g.
    ``export.frames``): any id or document number present in the records, and names of
    people in the records — a first and last name of one person (in either order), or a
    name so rare that fewer than ``rare_below`` people bear it (default: the small-cell
    threshold ``min_cell``). Ordinary words and the places and partners of ``config/`` are
    not taken for names."""
    frames = dict(frames or {})
    if cases is not None:
        frames["cases"] = cases
    lines = _lines(text)
    found = _regex_findings(lines, _PHONE_PATTERNS, PHONE)
    found |= _regex_findings(lines, _ID_PATTERNS, RECORD_ID)
    found |= _descriptions(lines)
    if lines and frames:
        found |= _record_ids(lines, frames) | _documents(lines, frames)
        grams, people = _name_grams(lines), _person_names(frames)
        if len(grams) and len(people):
            found |= _names(grams, people)
            found |= _rare_names(grams, people, _min_cell() if rare_below is None else rare_below)
    return sorted(found, key=lambda f: (f.line, f.kind))


def _record_ids(lines, frames) -> set[NoteFinding]:
    tokens = _candidates(lines, _TOKEN, str)
    # An id long enough not to be a count or a word: a letter and a digit, or 6+ digits.
    tokens = tokens[
        (tokens["key"].str.len() >= 4)
        & tokens["key"].str.contains(r"\d")
        & ~tokens["key"].str.fullmatch(r"\d{1,5}")
    ]
    if tokens.empty:
        return set()
    # Cleaned ids are trimmed; the notes may write them in another case.
    spellings = {
        s: key.casefold() for key in tokens["key"] for s in (key, key.upper(), key.lower())
    }
    present = set()
    for frame in frames.values():
        for column in (c for c in frame.columns if str(c).endswith("_id")):
            values = frame[column]
            hit = values.isin(spellings).to_numpy()
            present |= {spellings[v] for v in pd.unique(values[hit])}
    hits = tokens[tokens["key"].str.casefold().isin(present)]
    return {NoteFinding(int(n), RECORD_ID) for n in hits["line"]}


def _document_key(value: str) -> str:
    return _NOT_ALNUM.sub("", value).upper()


def _documents(lines, frames) -> set[NoteFinding]:
    tokens = pd.concat(
        [_candidates(lines, _DOCUMENT, _document_key), _candidates(lines, _TOKEN, _document_key)]
    )
    # A document number has a few digits; words and small figures are not looked up.
    tokens = tokens[(tokens["key"].str.len() >= 5) & tokens["key"].str.count(r"\d").ge(4)]
    documents = [f["document_number"] for f in _frames_with(frames, ("document_number",))]
    if tokens.empty or not documents:
        return set()
    keys = set(tokens["key"])
    digits = {max(re.findall(r"\d+", key), key=len) for key in keys}
    present = set()
    for values in documents:
        values = values.astype("string")
        # Only values holding a candidate's longest run of digits need normalising.
        near = np.logical_or.reduce(
            [values.str.contains(d, regex=False).fillna(False).to_numpy() for d in digits]
        )
        normalised = values[near].str.replace(_NOT_ALNUM.pattern, "", regex=True).str.upper()
        present |= set(normalised[normalised.isin(keys).to_numpy()])
    return {NoteFinding(int(n), DOCUMENT) for n in tokens.loc[tokens["key"].isin(present), "line"]}


@dataclass(frozen=True)
class _Named:
    """The names of the people of one dataset: codes into distinct name keys, and ids."""

    first: tuple[np.ndarray, np.ndarray]  # (codes per row, distinct keys)
    last: tuple[np.ndarray, np.ndarray]
    ids: pd.Series | None

    def rows(self, key_ok: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
        """Rows whose first (``key_ok[0]``) and last (``key_ok[1]``) name keys are ok."""
        (first, _), (last, _) = self.first, self.last
        ok_first = np.append(key_ok[0], False)[first]  # code -1 (missing) is never ok
        ok_last = np.append(key_ok[1], False)[last]
        return ok_first & ok_last


def _person_names(frames) -> list[_Named]:
    """Name keys of everyone in the records: cases and manifests."""
    return [
        _Named(
            _name_keys(f["first_name"]),
            _name_keys(f["last_name"]),
            f.get("individual_id"),
        )
        for f in _frames_with(frames, ("first_name", "last_name"))
    ]


def _names(grams: pd.DataFrame, people: list[_Named]) -> set[NoteFinding]:
    # Only people whose every name word occurs in the notes can be named there.
    words = set(grams.loc[grams["words"] == 1, "key"])

    def in_notes(keys: np.ndarray) -> np.ndarray:
        distinct = pd.Series(keys, dtype=object)
        ok = distinct.str.split().explode().isin(words).groupby(level=0).all()
        return (ok & (distinct.str.len() > 0)).to_numpy(dtype=bool)

    full: set[str] = set()
    for named in people:
        rows = named.rows((in_notes(named.first[1]), in_notes(named.last[1])))
        first = pd.Series(named.first[1][named.first[0][rows]], dtype=object)
        last = pd.Series(named.last[1][named.last[0][rows]], dtype=object)
        full |= set(first + " " + last) | set(last + " " + first)
    hits = grams[(grams["words"] >= 2) & grams["key"].isin(full)]
    return {NoteFinding(int(n), NAME) for n in hits["line"]}


def _rare_names(grams: pd.DataFrame, people: list[_Named], rare_below: int) -> set[NoteFinding]:
    grams = grams[grams["capital"] & (grams["key"].str.len() >= 4)]
    grams = grams[~grams["key"].isin(_ORDINARY)]
    if grams.empty or rare_below < 1:
        return set()
    # How many people bear each name written in the notes: a person counts once (named
    # X X, or in the cases and a manifest); a record without an id counts as one person.
    candidates = set(grams["key"])
    bearers = []
    for i, named in enumerate(people):
        for codes, keys in (named.first, named.last):
            wanted = np.append(pd.Series(keys, dtype=object).isin(candidates).to_numpy(), False)
            rows = np.flatnonzero(wanted[codes])
            ids = f"row {i}-" + pd.Series(rows, dtype=object).astype(str)
            if named.ids is not None:
                known = named.ids.iloc[rows].astype(object).reset_index(drop=True)
                ids = known.where(known.notna(), ids)
            bearers.append(pd.DataFrame({"id": ids, "key": keys[codes[rows]]}, dtype=object))
    if not bearers:
        return set()
    counts = pd.concat(bearers).drop_duplicates()["key"].value_counts()
    rare = set(counts.index[counts < rare_below])
    return {NoteFinding(int(n), NAME) for n in grams.loc[grams["key"].isin(rare), "line"]}


def check_notes_file(
    path: str | os.PathLike, frames: Mapping[str, pd.DataFrame] | None = None
) -> list[NoteFinding]:
    """:func:`find_personal_data` on the notes file ``path`` against the cleaned ``frames``
    (``cases`` among them)."""
    return find_personal_data(read_notes(path), frames=frames)


def personal_data_message(path: str | os.PathLike, found: list[NoteFinding]) -> str:
    """One message naming the file, and each line with the kind of personal data it seems to
    hold — never the value."""
    where = "; ".join(f"line {f.line}: {f.kind}" for f in found)
    return (
        f"{path}: the team's notes seem to hold personal data ({where}). Reviewer pages "
        "must stay free of personal data: remove it and run again, or run with "
        "--allow-notes-pii if it is not personal data"
    )
