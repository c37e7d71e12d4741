"""The demo's sample highlights agree with the weekly report they are printed in: every
number and every flight they name is the report's own figure for that week, read back
from the exports as the weekly run reads them (cleaned, defects included)."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from protection_workbench.clean.load import load_export
from protection_workbench.publish.tables import TOTAL
from protection_workbench.reports import weekly_tables
from protection_workbench.reports.weekly import weekly_data
from protection_workbench.synth.generate import NOTES_FILE, generate_demo_exports

NUMBER = re.compile(r"\d[\d,]*")
DAY = re.compile(r"on (\d{1,2} [A-Z][a-z]+)")


def _section(text: str, heading: str) -> list[str]:
    """The bullet lines of one section of the notes."""
    part = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line[2:] for line in part.splitlines() if line.startswith("- ")]


@pytest.fixture(
    scope="module",
    params=[(2500, 7, date(2026, 11, 24)), (4000, 3, date(2026, 12, 6))],
    ids=["tuesday", "sunday"],
)
def demo(request, tmp_path_factory):
    """A demo folder, its highlights, and the weekly report's tables on its exports."""
    individuals, seed, as_of = request.param
    folder = tmp_path_factory.mktemp("highlights") / "demo"
    generate_demo_exports(folder, individuals, seed, as_of, 0.01)
    published = weekly_tables.publish(weekly_data(load_export(folder).frames, as_of))
    return (folder / NOTES_FILE).read_text("utf-8"), published, as_of


def _day(text: str) -> str:
    ts = pd.Timestamp(text)
    return f"{ts.day} {ts:%B}"


def test_every_number_in_the_highlights_is_the_reports_figure(demo):
    text, published, _ = demo
    kits = int(published.values("nfi_kits").loc[TOTAL, "Kits distributed"])
    activities = published.values("activities")
    sessions = (
        int(activities.loc[TOTAL, "Outreach session"])
        if "Outreach session" in (activities.columns)
        else 0
    )
    seen = 0
    for line in _section(text, "Highlights"):
        numbers = [int(n.replace(",", "")) for n in NUMBER.findall(DAY.sub("", line))]
        if "NFI kits" in line:
            assert numbers == [kits], line
            seen += 1
        elif "outreach" in line:
            assert numbers == [sessions], line
            seen += 1
        else:  # a flight names its day only; other lines hold no number
            assert numbers == [], line
    assert seen >= 1, "the week's distributions or outreach are in the highlights"


def test_the_charters_named_are_the_reports_flights(demo):
    text, published, as_of = demo
    flights = published.table("flights")
    charter = flights[flights["Flight type"].eq("Charter flight").to_numpy()]
    dates = pd.to_datetime(charter["Flight date"], format="%a %d %b %Y")
    gone = charter[(charter["Week"].eq("This week") & (dates <= pd.Timestamp(as_of))).to_numpy()]
    ahead = charter[
        (
            (dates > pd.Timestamp(as_of)) & (dates <= pd.Timestamp(as_of) + pd.Timedelta(days=7))
        ).to_numpy()
    ]
    left = [line for line in _section(text, "Highlights") if line.startswith("A charter")]
    planned = [line for line in _section(text, "Next week") if line.startswith("Charter to")]
    assert len(left) == len(gone) and len(planned) == len(ahead)
    for lines, rows in ((left, gone), (planned, ahead)):
        for line, (_, row) in zip(lines, rows.iterrows(), strict=True):
            assert row["Destination"] in line and _day(row["Flight date"]) in line, line
            airport = row["Departure airport"]
            if airport not in (
                "Not recorded",
                "No manifest in the exports",
                "Other / unrecognised",
            ):
                assert f" {airport} on" in line, line
            else:  # an airport the report does not know is not invented in the notes
                assert "Not recorded" not in line and "manifest in" not in line, line
    assert left or planned, "the demo week has charter flights"
