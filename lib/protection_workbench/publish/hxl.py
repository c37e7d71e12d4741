"""Published tables as CSV with an HXL hashtag row (Humanitarian Exchange Language).

The first line holds the column headers, the second the HXL hashtags (``#adm1+name``,
``#reached+ind+f`` ...), then the data. Tools such as the HXL Proxy and HDX read the
hashtags to recognise columns whatever their header text. See https://hxlstandard.org.

**By the book.** Every hashtag and attribute comes from the HXL hashtag dictionary (HXL
1.1, the "HXL core schemas" on HDX, status "Released"; tests/data/hxl/ holds a copy and
tests/publish/test_hxl_dictionary.py checks every tag against it): people are counted
``#reached+ind`` with ``+f``/``+m``/``+children``/``+adults``, mantikas are ``#adm1+name``,
countries ``#country+name`` with their ISO 3166-1 alpha-3 code ``#country+code`` beside
them, dates ``#date`` (a week ``#date+start``, the date of its Monday), amounts ``#value``
(``+budget`` expected, ``+transfer`` paid) with their ``#currency+code``, other numbers
``#indicator+num``. Where the dictionary has no attribute for what tells two columns
apart ("This week", "Since programme start"), they share the hashtag and their headers
tell them apart, as the HXL tagging conventions allow.

A published table as shown on a page ("1,234", "<5", "[c]", "2026-W47", a "Total" row) is
written so that libhxl's core schema reports no issue at any level and typed tools read it:

* **numbers plain**: no thousands separators;
* **hidden counts empty**: a numeric cell that is not a number ("<5", "[c]", "–") is left
  empty and its marker goes to a companion column ``<header> (marker)`` (``#meta``) right
  after it. Columns of people (``#affected``, ``#population``, ``#inneed``, ``#targeted``,
  ``#reached``) always get one, so that the columns stay the same from week to week;
* **dates ISO**: a week ``2026-W47`` in a ``#date`` column is written as the date of its
  Monday (``2026-11-16``) and the week as shown goes to a companion ``<header> (ISO week)``
  column (``#meta``); a date as shown ("Mon 23 Nov 2026") is written ``2026-11-23``;
* **codes beside names**: a ``#country+name`` column gets a ``<header> (ISO3)`` column
  ``#country+code`` (exact names of ISO 3166 only: anything else is left empty);
* **currency**: a table with amounts (``#value``) gets a ``Currency`` column
  (``#currency+code``, e.g. "LYD");
* **totals in their own file**: rows labelled "Total" are written to ``<name>_totals.csv``
  (the numbers only: a total is not a mantika or a date), so that a total is never read
  as one more row of the table nor flagged as a numeric outlier.

:func:`read_hxl_csv` reads such a file (and its totals) back into the table as shown.
"""

from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path

import pandas as pd

from ..outputs import neutralise_formula, neutralise_frame

# libhxl's own grammar of a hashtag with attributes (hxl.model.Column.PATTERN): letters in
# either case, digits and underscores; tests/publish/test_hxl.py compares the two.
_TOKEN = r"[A-Za-z][_0-9A-Za-z]*"
HXL_TAG = re.compile(rf"^\s*#{_TOKEN}(\s*\+{_TOKEN})*\s*$")

# Hashtags whose values the HXL core schema requires to be numbers (hxl-default-schema.json);
# "#indicator+num" and "#output+num" match those hashtags with the +num attribute.
PEOPLE_HASHTAGS = frozenset({"affected", "population", "inneed", "targeted", "reached"})
NUMBER_HASHTAGS = PEOPLE_HASHTAGS | {"value"}
NUMBER_WITH_NUM = frozenset({"indicator", "output"})

MARKER_SUFFIX = " (marker)"
WEEK_SUFFIX = " (ISO week)"
CODE_SUFFIX = " (ISO3)"
CURRENCY_HEADER = "Currency"
TOTALS_SUFFIX = "_totals"  # of the file holding a table's total rows
META_TAG = "#meta"  # the companion columns: markers, weeks as shown
CURRENCY_TAG = "#currency+code"

# The people counted in the workbench's tables are people the programme reached (registered,
# counselled, returned, hosted, referred): #reached, always of individuals (+ind).
PEOPLE_TAG = "#reached+ind"
LABEL_TAG = "#indicator+name"  # a row label that no more specific hashtag describes
NUMBER_TAG = "#indicator+num"
AMOUNT_TAG = "#value"

# Hashtags for the usual columns and row headings of published tables (lower case), all
# from the HXL dictionary.
COMMON_TAGS: dict[str, str] = {
    # when
    "week": "#date+start",
    "registration_week": "#date+start",
    "week_ending": "#date+end",
    "date": "#date",
    "flight date": "#date",
    "month": "#date",
    "period": "#date",
    "year": "#date",
    # where
    "mantika": "#adm1+name",
    "departing mantika": "#adm1+name",
    "location": "#loc+name",
    "site": "#loc+name",
    "location type": "#loc+type",
    "location_type": "#loc+type",
    "kind of place": "#loc+type",
    "host_type": "#loc+type",
    "airport": "#loc+name",
    "departure airport": "#loc+name",
    # countries: ISO 3166-1 alpha-3 codes, or names (a code column is added beside them)
    "country": "#country+code",
    "nationality": "#country+code",
    "country_of_origin": "#country+code+origin",
    "country_name": "#country+name",
    "destination": "#country+name+dest",
    # who
    "age group": "#beneficiary+type",
    "children and adults": "#beneficiary+type",
    "vulnerability": "#beneficiary+type",
    "organisation": "#org+name",
    "partner": "#org+name",
    "service": "#service+name",
    # what
    "activity": "#activity+type",
    "step": "#activity+type",
    "visit type": "#activity+type",
    "flight": "#activity+name",
    "flight type": "#activity+type",
    "status": "#status+name",
    "compliance": "#status+name",
    "follow_up": "#status+name",
    "exit_reason": "#status+name",
    "sector": "#sector+name",
    "indicator": "#indicator+name",
    "rule": "#indicator+code",
    "title": "#description",
    # people, by sex and age
    "female_children": "#reached+ind+f+children",
    "male_children": "#reached+ind+m+children",
    "female_adults": "#reached+ind+f+adults",
    "male_adults": "#reached+ind+m+adults",
    "female": "#reached+ind+f",
    "male": "#reached+ind+m",
    "children": "#reached+ind+children",
    "adults": "#reached+ind+adults",
    "individuals": "#reached+ind",
    "persons": "#reached+ind",
    "returns": "#reached+ind",
    "returnees": "#reached+ind",
    "households": "#reached+hh",
    # counts and money
    "count": "#indicator+num",
    "n": "#indicator+num",
    "kits distributed": "#output+num",
    "capacity": "#capacity+num",
    "amount (lyd)": "#value+transfer",
    "paid_lyd": "#value+transfer",
    "expected_lyd": "#value+budget",
}

_PLAIN = re.compile(r"^-?\d+(\.\d+)?$")
_GROUPED = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
# an ISO week, as shown on pages: "2026-W47", "2026W47", "2026-W48 (to 24 Nov)"
_WEEK = re.compile(r"^(\d{4})-?W(\d{2})(?:\s*\(.*\))?$")
_ISO_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
# dates as pages show them: "Mon 23 Nov 2026", "23 Nov 2026"
_SHOWN_DATE_FORMATS = ("%a %d %b %Y", "%d %b %Y")
# What tables show instead of a number: "<5" (fewer than 5), "[c]" and the other UK GSS
# symbols in brackets, a dash or ".." (not published).
_MARKER = re.compile(r"^(<\d+|\[[a-z]{1,4}\]|[–—-]|\.\.)$")
# words of a heading that say whose count a column is (people tables)
_FEMALE = re.compile(r"\b(female|women|girls?)\b", re.IGNORECASE)
_MALE = re.compile(r"\b(male|men|boys?)\b", re.IGNORECASE)
_CHILDREN = re.compile(r"\bchildren\b", re.IGNORECASE)
_ADULTS = re.compile(r"\badults?\b", re.IGNORECASE)


def normalise_tag(tag: str) -> str:
    """``tag`` as libhxl writes it: lower case, no spaces (``#Reached +F`` → ``#reached+f``)."""
    return re.sub(r"\s+", "", tag).lower()


def hashtag_parts(tag: str) -> tuple[str, list[str]]:
    """(hashtag, attributes) of a valid tag: ``#reached+ind+f`` → ("reached", ["ind", "f"])."""
    name, *attributes = normalise_tag(tag).lstrip("#").split("+")
    return name, attributes


def is_number_tag(tag: str) -> bool:
    """True when the HXL core schema requires numbers in a column with this ``tag``."""
    name, attributes = hashtag_parts(tag)
    return name in NUMBER_HASHTAGS or (name in NUMBER_WITH_NUM and "num" in attributes)


def is_people_tag(tag: str) -> bool:
    return hashtag_parts(tag)[0] in PEOPLE_HASHTAGS


def _check_tags(columns: list[str], tags: Mapping[str, str]) -> list[str]:
    missing = [c for c in columns if c not in tags]
    if missing:
        raise ValueError(f"columns without an HXL hashtag: {', '.join(map(repr, missing))}")
    bad = {
        c: tags[c] for c in columns if not isinstance(tags[c], str) or not HXL_TAG.match(tags[c])
    }
    if bad:
        listed = ", ".join(f"{c!r}: {t!r}" for c, t in bad.items())
        raise ValueError(f"not valid HXL hashtags (e.g. '#reached+ind+f'): {listed}")
    return [normalise_tag(tags[c]) for c in columns]


def suggest_tags(columns, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Tags for ``columns`` from :data:`COMMON_TAGS` (``extra`` first, then the column name
    as it is, then in lower case); columns without a suggestion are left out, so
    :func:`write_hxl_files` will name them."""
    lookup = {**COMMON_TAGS, **(extra or {})}
    out = {}
    for column in map(str, columns):
        tag = lookup.get(column) or lookup.get(column.strip().lower())
        if tag:
            out[column] = tag
    return out


def people_tag(heading: object, hashtag: str = PEOPLE_TAG) -> str:
    """The hashtag of a count of people headed ``heading``: ``hashtag`` (``#reached+ind``)
    with ``+f``/``+m``/``+children``/``+adults`` as the heading says ("Women and girls" →
    ``#reached+ind+f``, "Children" → ``#reached+ind+children``, "This week" → as it is)."""
    text = str(heading)
    female, male = bool(_FEMALE.search(text)), bool(_MALE.search(text))
    attributes = [a for a, says in (("f", female and not male), ("m", male and not female)) if says]
    attributes += [
        a for a, word in (("children", _CHILDREN), ("adults", _ADULTS)) if word.search(text)
    ]
    return "+".join([hashtag, *attributes])


def table_tags(table: pd.DataFrame, people: Iterable[str] = ()) -> dict[str, str]:
    """Dictionary hashtags for a published table (as shown), by its headings: its row
    heading (``table.index.name``) and text columns from :data:`COMMON_TAGS` (a row label
    that none describes: ``#indicator+name``; a ``#date`` heading over values that are not
    dates, such as "This week": ``#meta``); the ``people`` columns counts of people
    (:func:`people_tag`); amounts (a heading with "LYD") ``#value``; other numbers
    ``#indicator+num``; other text ``#meta``."""
    people = {str(c) for c in people}
    row = table.index.name or "row"
    labels = _as_text(pd.Series(table.index, dtype=object))
    tags = {row: _label_tag(row, labels)}
    for column in table.columns:
        text = _as_text(table[column])
        known = suggest_tags([column]).get(str(column))
        if str(column) in people:
            tags[column] = people_tag(column)
        elif _looks_numeric(text):
            tags[column] = known or (AMOUNT_TAG if "LYD" in str(column) else NUMBER_TAG)
        else:
            tags[column] = _label_tag(column, text) if known else META_TAG
    return tags


def _label_tag(heading: object, text: pd.Series) -> str:
    tag = suggest_tags([heading]).get(str(heading), LABEL_TAG)
    if hashtag_parts(tag)[0] == "date":
        shown = text[(text != "") & (text.str.casefold() != "total")]
        if not (_dates(shown).notna() | _week_starts(shown).notna()).all():
            return META_TAG  # relative periods ("This week"): the report's dates say which
    return tag


# --------------------------------------------------------------------------- the dictionary


def read_dictionary(
    hashtags: str | os.PathLike, attributes: str | os.PathLike, statuses=("Released",)
) -> tuple[frozenset[str], frozenset[str]]:
    """(hashtags, attributes) of the HXL dictionary, without "#" and "+", from the two
    tables of the "HXL core schemas" (HXL-tagged CSV: ``#valid_tag``/``#valid_attribute``
    and ``#status``), those whose status is one of ``statuses``."""

    def read(path, column: str) -> frozenset[str]:
        frame = pd.read_csv(path, dtype=str, header=None, keep_default_na=False)
        # the hashtag row: the first whose cells are all hashtags (HXL allows header rows above)
        row = next(i for i, r in frame.iterrows() if all(HXL_TAG.match(v) for v in r if v))
        hashtags = [normalise_tag(v) for v in frame.iloc[row]]
        data = frame.iloc[row + 1 :]
        keep = data.iloc[:, hashtags.index("#status")].str.strip().isin(statuses)
        names = data.iloc[:, hashtags.index(column)][keep].str.strip()
        return frozenset(names.str.lstrip("#+").str.lower())

    return read(hashtags, "#valid_tag"), read(attributes, "#valid_attribute")


def outside_dictionary(tags: Iterable[str], dictionary) -> list[str]:
    """The hashtags (``#x``) and attributes (``+x``) of ``tags`` that ``dictionary``
    (:func:`read_dictionary`) does not hold, each once, in order."""
    hashtags, attributes = dictionary
    found: dict[str, None] = {}
    for tag in tags:
        name, extra = hashtag_parts(tag)
        if name not in hashtags:
            found[f"#{name}"] = None
        for attribute in extra:
            if attribute not in attributes:
                found[f"+{attribute}"] = None
    return list(found)


# --------------------------------------------------------------------------- conversion


def _as_text(values: pd.Series) -> pd.Series:
    """Cells as stripped text, missing as ""; dates and timestamps as ISO dates."""

    def one(v: object) -> str:
        if isinstance(v, pd.Timestamp):
            return v.date().isoformat() if v == v.normalize() else v.isoformat()
        if hasattr(v, "isoformat"):
            return v.isoformat()
        if isinstance(v, float) and v.is_integer():
            return str(int(v))
        return str(v).strip()

    return values.astype(object).map(one, na_action="ignore").fillna("").reset_index(drop=True)


def parse_numbers(text: pd.Series) -> pd.Series:
    """The numbers among ``text`` ("1,234" → 1234, "2.5" → 2.5), NaN elsewhere."""
    plain = text.where(text.str.fullmatch(_GROUPED.pattern), text).str.replace(",", "")
    numeric = text.str.fullmatch(_PLAIN.pattern) | text.str.fullmatch(_GROUPED.pattern)
    return pd.to_numeric(plain.where(numeric), errors="coerce")


def _looks_numeric(text: pd.Series) -> bool:
    """Every value a number or a marker ("<5", "[c]", "–"), at least one a number."""
    numbers = parse_numbers(text)
    if not numbers.notna().any():
        return False
    others = text[(text != "") & numbers.isna()]
    return bool(others.str.fullmatch(_MARKER.pattern).all())


def _is_numeric(tag: str, text: pd.Series) -> bool:
    """A column of numbers: the core schema says so, or its values do (not a date)."""
    if is_number_tag(tag):
        return True
    return hashtag_parts(tag)[0] not in ("date", "meta") and _looks_numeric(text)


def plain(numbers: pd.Series) -> pd.Series:
    """Numbers as written: whole numbers without ".0", missing as ""."""
    present = numbers.notna()
    if (numbers[present] == numbers[present].round()).all():
        numbers = numbers.astype("Int64")
    return numbers.astype(object).where(present, "")


def _week_starts(text: pd.Series) -> pd.Series:
    """ISO weeks ("2026-W47", "2026-W48 (to 24 Nov)") as the ISO date of their Monday,
    NaN elsewhere."""
    parts = text.str.extract(_WEEK)
    monday = pd.to_datetime(parts[0] + "-W" + parts[1] + "-1", format="%G-W%V-%u", errors="coerce")
    return monday.dt.strftime("%Y-%m-%d")


def _dates(text: pd.Series) -> pd.Series:
    """Dates as ISO (as they are, or from "Mon 23 Nov 2026"), NaN elsewhere."""
    out = text.where(text.str.fullmatch(_ISO_DATE.pattern))
    for form in _SHOWN_DATE_FORMATS:
        parsed = pd.to_datetime(text, format=form, errors="coerce").dt.strftime("%Y-%m-%d")
        out = out.fillna(parsed)
    return out


@cache
def _iso3_by_name() -> dict[str, str]:
    """ISO 3166-1 alpha-3 code of each country name the reports show (pycountry's common
    name, else its name, as :func:`protection_workbench.reports.weekly.country_name`), and
    of each code itself."""
    import pycountry

    names = {}
    for country in pycountry.countries:
        names[country.alpha_3] = country.alpha_3
        names[country.name] = country.alpha_3
        names[getattr(country, "common_name", None) or country.name] = country.alpha_3
    return names


def country_codes(names: pd.Series) -> pd.Series:
    """The ISO3 code of each country name ("Côte d'Ivoire" → "CIV"); "" for anything that
    is not exactly the name of a country ("Not recorded", "Other / unrecognised")."""
    return names.map(_iso3_by_name()).fillna("")


def _with(tag: str, attribute: str, instead_of: str) -> str:
    name, attributes = hashtag_parts(tag)
    return "#" + "+".join([name, *(attribute if a == instead_of else a for a in attributes)])


def to_hxl(
    table: pd.DataFrame, tags: Mapping[str, str], currency: str | None = None
) -> tuple[pd.DataFrame, list[str]]:
    """``table`` (rows as published on a page, no totals) as libhxl's core schema accepts
    it, and its hashtags: plain numbers, markers in ``(marker)`` columns, weeks as dates
    with an ``(ISO week)`` column, ISO3 codes beside country names, and, with ``currency``
    (an ISO 4217 code), a ``Currency`` column when there are amounts. See the module
    docstring."""
    columns = [str(c) for c in table.columns]
    if len(set(columns)) != len(columns):
        raise ValueError("column headers must be unique")
    hashtags = _check_tags(columns, {str(k): v for k, v in tags.items()})
    out: dict[str, pd.Series] = {}
    out_tags: list[str] = []

    def add(header: str, values: pd.Series, tag: str) -> None:
        if header in out:  # e.g. a column already named "x (marker)"
            raise ValueError(f"column headers must be unique once companions are added: {header!r}")
        out[header] = values
        out_tags.append(tag)

    for i, (column, tag) in enumerate(zip(columns, hashtags, strict=True)):
        text = _as_text(table.iloc[:, i])
        name, attributes = hashtag_parts(tag)
        if _is_numeric(tag, text):
            numbers = parse_numbers(text)
            markers = text.where(numbers.isna(), "")
            add(column, plain(numbers), tag)
            if is_people_tag(tag) or (markers != "").any():
                add(f"{column}{MARKER_SUFFIX}", markers, META_TAG)
        elif name == "date":
            weeks, dates = _week_starts(text), _dates(text)
            add(column, weeks.fillna(dates).fillna(""), tag)
            if weeks.notna().any():
                add(f"{column}{WEEK_SUFFIX}", text.where(weeks.notna(), ""), META_TAG)
            other = (text != "") & weeks.isna() & dates.isna()
            if other.any():  # not a date: kept as shown, beside the empty date
                add(f"{column}{MARKER_SUFFIX}", text.where(other, ""), META_TAG)
        elif name == "country" and "name" in attributes:
            add(column, text, tag)
            code_tag = _with(tag, "code", "name")
            if code_tag not in hashtags:
                add(f"{column}{CODE_SUFFIX}", country_codes(text), code_tag)
        else:
            add(column, text, tag)
    has_amounts = any(hashtag_parts(t)[0] == "value" for t in hashtags)
    if currency and has_amounts and CURRENCY_TAG not in hashtags:
        add(
            CURRENCY_HEADER,
            pd.Series(currency, index=range(len(table)), dtype=object),
            CURRENCY_TAG,
        )
    return pd.DataFrame(out, index=range(len(table))), out_tags


def split_totals(
    table: pd.DataFrame, tags: Mapping[str, str], total: str | None
) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """(the rows of ``table``, its total rows or None): a total row is labelled ``total``
    in a column of labels (not numbers). The total rows keep the columns of numbers only:
    their labels ("Total" in the mantika or month column) are not mantikas or dates."""
    if total is None or table.empty:
        return table, None
    columns = [str(c) for c in table.columns]
    hashtags = _check_tags(columns, {str(k): v for k, v in tags.items()})
    is_total = pd.Series(False, index=range(len(table)))
    numeric = []
    for i, tag in enumerate(hashtags):
        text = _as_text(table.iloc[:, i])
        numeric.append(_is_numeric(tag, text))
        if not numeric[-1]:
            is_total |= text.str.casefold() == total.casefold()
    if not is_total.any():
        return table, None
    rows = is_total.to_numpy()
    return table[~rows], table.iloc[rows, [i for i, n in enumerate(numeric) if n]]


def _write_csv(frame: pd.DataFrame, hashtags: list[str], path: Path) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise_formula(c) for c in frame.columns])
    writer.writerow(hashtags)
    # Text that a spreadsheet would run as a formula is neutralised (see outputs.py).
    neutralise_frame(frame).to_csv(buffer, header=False, index=False, lineterminator="\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(buffer.getvalue())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def totals_path(path: str | os.PathLike) -> Path:
    """The file of a table's total rows: ``x.csv`` → ``x_totals.csv``."""
    path = Path(path)
    return path.with_name(f"{path.stem}{TOTALS_SUFFIX}{path.suffix}")


def write_hxl_files(
    table: pd.DataFrame,
    path: str | os.PathLike,
    tags: Mapping[str, str],
    index: bool = False,
    total: str | None = None,
    currency: str | None = None,
) -> list[Path]:
    """Write ``table`` as UTF-8 CSV: headers, HXL hashtags, data, converted by
    :func:`to_hxl` so that libhxl's core schema accepts it; rows labelled ``total`` go to
    :func:`totals_path` (:func:`split_totals`). Every column (and, with ``index=True``,
    every index level) needs a valid hashtag in ``tags``, otherwise ValueError names the
    columns. Each file is written to a temporary file and renamed into place. Returns the
    paths written: the table's, then its totals' if it has total rows."""
    frame = table.reset_index() if index else table
    rows, totals = split_totals(frame, tags, total)
    body, hashtags = to_hxl(rows, tags, currency)
    written = [_write_csv(body, hashtags, Path(path))]
    if totals is not None:
        sums, sum_tags = to_hxl(totals, tags, currency)
        written.append(_write_csv(sums, sum_tags, totals_path(path)))
    return written


def _whole(values: pd.Series) -> pd.Series:
    """A column read with gaps (floats) back to whole numbers where they are whole."""
    if pd.api.types.is_float_dtype(values) and (values.dropna() % 1 == 0).all():
        return values.astype("Int64").astype(object).where(values.notna(), None)
    return values.astype(object)


def read_hxl_rows(path: str | os.PathLike) -> tuple[list[str], list[str]]:
    """(headers, hashtags) of a CSV written by :func:`write_hxl_files`."""
    with open(path, encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        try:
            headers, hashtags = next(reader), next(reader)
        except StopIteration:
            raise ValueError(f"{path}: needs a header row and an HXL hashtag row") from None
    if len(headers) != len(hashtags) or not all(HXL_TAG.match(t) for t in hashtags if t):
        raise ValueError(f"{path}: the second line is not an HXL hashtag row")
    return headers, [normalise_tag(t) for t in hashtags]


def _read_one(path: Path) -> tuple[pd.DataFrame, dict[str, str]]:
    headers, hashtags = read_hxl_rows(path)
    data = pd.read_csv(path, skiprows=[1], encoding="utf-8", keep_default_na=False, na_values=[""])
    tags = dict(zip(headers, hashtags, strict=True))
    for header, tag in tags.items():
        if tag != META_TAG:
            continue
        if header.endswith(MARKER_SUFFIX) and header.removesuffix(MARKER_SUFFIX) in tags:
            base, note = header.removesuffix(MARKER_SUFFIX), data.pop(header)
            shown = note.notna() & (note.astype(str) != "")
            data[base] = _whole(data[base]).where(~shown, note)
        elif header.endswith(WEEK_SUFFIX) and header.removesuffix(WEEK_SUFFIX) in tags:
            base, week = header.removesuffix(WEEK_SUFFIX), data.pop(header)
            data[base] = data[base].astype(object).where(week.isna(), week)
    for header, tag in tags.items():
        base = header.removesuffix(CODE_SUFFIX)
        if header.endswith(CODE_SUFFIX) and tags.get(base) == _with(tag, "name", "code"):
            data.pop(header)
    if tags.get(CURRENCY_HEADER) == CURRENCY_TAG:
        data.pop(CURRENCY_HEADER)
    return data, {h: t for h, t in tags.items() if h in data.columns}


def read_hxl_csv(
    path: str | os.PathLike, total: str = "Total"
) -> tuple[pd.DataFrame, dict[str, str]]:
    """Read a CSV written by :func:`write_hxl_files` back into the table as it was shown:
    (data, {column: hashtag}). Markers go back into their columns, weeks back to
    "2026-W47", the total rows (of :func:`totals_path`) back at the end with ``total`` in
    the columns of labels; the companion columns are dropped (a date shown "Mon 23 Nov
    2026" comes back as written, "2026-11-23"). Text is kept as written ("NA"); only empty
    fields are missing."""
    data, tags = _read_one(Path(path))
    if totals_path(path).is_file():
        sums, _ = _read_one(totals_path(path))
        labels = [c for c in data.columns if c not in sums.columns]
        sums = sums.assign(**{c: total for c in labels})[list(data.columns)]
        data = pd.concat([data.astype(object), sums.astype(object)], ignore_index=True)
        data = data.apply(_whole)
    return data, tags
