"""Small helpers shared by the report notebooks (headers, tables shown to reviewers)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from IPython.display import Markdown

from .html import esc_markdown


def describe_sources(names: list[str]) -> str:
    """File names for a header: the one-per-flight manifests are counted, not listed."""
    manifests = [n for n in names if n.lower().startswith("manifest")]
    others = sorted(n for n in names if n not in manifests)
    if len(manifests) > 2:
        others.append(f"{len(manifests)} manifest files (manifest_*)")
    else:
        others += sorted(manifests)
    return ", ".join(others) if others else "(none found)"


def report_header(title: str, as_of: date, data_dir: str | Path, run_id: str = "") -> Markdown:
    """Title block every report starts with: as-of date, data sources and run id.

    File and folder names come from the exports' folder and may hold anything: they (and
    the title and run id) are escaped for Markdown."""
    folder = Path(data_dir)
    sources = (
        sorted(
            p.name for p in folder.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))
        )
        if folder.is_dir()
        else []
    )
    iso = as_of.isocalendar()
    lines = [
        f"# {esc_markdown(title)}",
        "",
        f"**As of** {as_of:%d %B %Y} (ISO week {iso.year}-W{iso.week:02d})  ",
        f"**Data sources** {esc_markdown(describe_sources(sources))} in "
        f"{esc_markdown(folder.name + '/')}  ",
        f"**Run** {esc_markdown(run_id or 'interactive')}",
    ]
    return Markdown("\n".join(lines))


def fmt_int(value: float | int) -> str:
    """Thousands with a thin space-free comma, as reviewers expect (1,234)."""
    return f"{int(value):,}"
