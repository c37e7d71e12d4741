"""Small helpers shared by the report notebooks (headers, tables shown to reviewers)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path

from IPython.display import Markdown

from ..clean.folder import dataset_of
from ..contract import DATASETS
from .html import esc_markdown

# The id of a flight's manifest (MNF-20261125-SEB-NGA for a charter, COM-20261125-NGA for
# a commercial booking, "-2" for a second flight of the day): the one part of a manifest's
# file name that reviewers may read. Capitals, digits and dashes only: no free text fits.
MANIFEST_ID = re.compile(r"(?:MNF|COM)-\d{8}(?:-[A-Z]{3}){1,2}(?:-\d{1,2})?")
_MANIFEST_FILE = re.compile(rf"manifest(?:_({MANIFEST_ID.pattern}))?", re.IGNORECASE)


def manifest_id_of(name: str) -> str | None:
    """The flight id a manifest's file name carries (``manifest_MNF-…-NGA.xlsx``), if it
    matches :data:`MANIFEST_ID` exactly; else None."""
    match = _MANIFEST_FILE.fullmatch(Path(name).stem)
    if match is None or match.group(1) is None or not MANIFEST_ID.fullmatch(match.group(1)):
        return None  # the id itself in capitals, whatever the spelling of "manifest"
    return match.group(1)


def public_file_name(name: str) -> str | None:
    """``name`` if reviewers may read it, else None.

    File names are data: the user types them and they can hold a name, a phone or a
    passport number (``manifest_Amina 0912345678.csv``). A name is public only when it
    says nothing but its dataset (``cases.csv``) or a flight's manifest id
    (``manifest_MNF-20261125-SEB-NGA.xlsx``); the restricted outputs keep the real names."""
    path = Path(name)
    dataset = dataset_of(path) if path.name == name else None
    if dataset is None:
        return None
    if DATASETS[dataset].many_files:
        plain = path.stem.casefold() == dataset  # manifest.csv
        return name if plain or manifest_id_of(name) else None
    return name if path.stem.casefold() == dataset else None


def describe_sources(names: Iterable[str | None]) -> str:
    """The export files for a header, without a name reviewers may not read: the
    one-per-flight manifests are counted when there are more than two, and a file whose
    name is not public (:func:`public_file_name`, or None) is counted, never named."""
    names = list(names)
    shown = [n for n in names if n is not None and public_file_name(n)]
    withheld = len(names) - len(shown)
    manifests = [n for n in shown if dataset_of(Path(n)) == "manifest"]
    parts = sorted(n for n in shown if n not in manifests)
    if len(manifests) > 2:
        parts.append(f"{len(manifests)} flight manifest files")
    else:
        parts += sorted(manifests)
    if withheld:
        parts.append(f"{withheld} file{'s' if withheld > 1 else ''} whose name is not shown")
    return ", ".join(parts) if parts else "(none found)"


def _day(day: date, year: bool) -> str:
    return f"{day.day} {day:%B %Y}" if year else f"{day.day} {day:%B}"


def week_words(day: date) -> str:
    """The ISO week holding ``day`` as a reader says it: "week 48 of 2026 (23 to 29
    November)", "week 49 of 2026 (30 November to 6 December)", "week 1 of 2026 (29 December
    2025 to 4 January 2026)". Machines keep the ISO label (2026-W48) in file names and CSV."""
    iso = day.isocalendar()
    monday = day - timedelta(days=iso.weekday - 1)
    sunday = monday + timedelta(days=6)
    if monday.year != sunday.year:
        span = f"{_day(monday, True)} to {_day(sunday, True)}"
    elif monday.month != sunday.month:
        span = f"{_day(monday, False)} to {_day(sunday, False)}"
    else:
        span = f"{monday.day} to {_day(sunday, False)}"
    return f"week {iso.week} of {iso.year} ({span})"


def week_label_words(label: str) -> str:
    """An ISO week label ("2026-W48") in words (:func:`week_words`); a label that is not
    one is returned as it is."""
    match = re.fullmatch(r"(\d{4})-W(\d{2})", str(label).strip())
    if match is None:
        return str(label)
    try:
        return week_words(date.fromisocalendar(int(match[1]), int(match[2]), 1))
    except ValueError:
        return str(label)


def report_header(title: str, as_of: date, data_dir: str | Path, run_id: str = "") -> Markdown:
    """Title block of a report opened on its own (no run): the report date in words and,
    for the analyst at the notebook, the data sources and the run id.

    The export files are described by :func:`describe_sources` (no file name that could
    hold personal data; files that are not exports are left out); the folder's name, the
    title and the run id are escaped for Markdown."""
    folder = Path(data_dir)
    sources = (
        sorted(p.name for p in folder.iterdir() if p.is_file() and dataset_of(p) is not None)
        if folder.is_dir()
        else []
    )
    lines = [
        f"# {esc_markdown(title)}",
        "",
        f"**Figures as of** {as_of.day} {as_of:%B %Y}, {week_words(as_of)}  ",
        f"**Files read** {esc_markdown(describe_sources(sources))} in the folder "
        f"{esc_markdown(folder.name)}  ",
        f"**Run reference** {esc_markdown(run_id or 'none (opened on its own)')}",
    ]
    return Markdown("\n".join(lines))


def fmt_int(value: float | int) -> str:
    """Thousands with a thin space-free comma, as reviewers expect (1,234)."""
    return f"{int(value):,}"
