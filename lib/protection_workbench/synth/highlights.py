"""A sample ``highlights.md`` for the demo folder: the team's notes on the week of as-of.

Written from the generated records as a team would write them: flights, outreach,
distributions, embassy meetings, what got in the way and what is planned. The figures are
the weekly report's own (its tables for the week of as-of), so the notes never contradict
the week in brief printed beside them. Only places,
countries, airports, dates and counts of activities or kits appear; never a count of
people, a name, an id or a phone number. A place or country whose words are also a name
in the case records is left out, so that the weekly run's personal-data check passes.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import numpy as np
import pandas as pd
import pycountry

from ..config import Config
from ..publish.labels import OTHER, code_labels, column_label
from ..publish.tables import TOTAL
from ..reports import weekly_tables
from ..reports.weekly import (
    AIRPORT,
    DESTINATION,
    FLIGHT_TYPE,
    NO_MANIFEST,
    NOT_RECORDED,
    weekly_data,
)
from ..reports.weekly_tables import CHARTER

_WORD = re.compile(r"[^\W\d_]+")
FLIGHT_DATE = column_label("flight_date")


def _country(code: str) -> str:
    country = pycountry.countries.get(alpha_3=str(code))
    if country is None:
        return str(code)
    return getattr(country, "common_name", None) or country.name


def _day(value) -> str:
    ts = pd.Timestamp(value)
    return f"{ts.day} {ts:%B}"


def _listing(items: list[str]) -> str:
    items = list(dict.fromkeys(items))
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _name_words(frames: dict[str, pd.DataFrame]) -> set[str]:
    words: set[str] = set()
    for name in ("cases", "manifest"):
        frame = frames.get(name)
        if frame is None:
            continue
        for column in ("first_name", "last_name"):
            for value in frame[column].dropna().astype(str).unique():
                words.update(w.casefold() for w in _WORD.findall(value))
    return words


def _flight_rows(published, kind: str) -> pd.DataFrame:
    """The rows of the report's flights table of one flight type, with their dates."""
    flights = published.table("flights")
    rows = flights[flights[FLIGHT_TYPE].eq(kind).to_numpy()]
    return rows.assign(_date=pd.to_datetime(rows[FLIGHT_DATE], format="%a %d %b %Y"))


def _top(column: pd.Series, n: int) -> list[str]:
    """The rows of a published column with the most, at least one, the Total left out."""
    values = column.drop(index=TOTAL, errors="ignore").astype("Float64").fillna(0)
    return [
        str(i) for i in values[values > 0].sort_values(ascending=False, kind="stable").index[:n]
    ]


def write_highlights(
    frames: dict[str, pd.DataFrame], as_of: date, cfg: Config, seed: int = 1
) -> str:
    """The text of a sample ``highlights.md`` for the week the weekly report shows for
    ``as_of`` (its Monday to as-of).

    Every figure is read from the weekly report's own tables (:func:`.weekly.weekly_data`
    and :func:`.weekly_tables.publish` on these records), so that the notes agree with the
    week in brief beside them: charter flights and their airports from the flights table,
    outreach sessions from the activities table, NFI kits from the kits table."""
    rng = np.random.default_rng([seed, 77])
    names = _name_words(frames)

    def safe(text: str) -> bool:
        return not any(w.casefold() in names for w in _WORD.findall(text))

    as_of_ts = pd.Timestamp(as_of)
    data = weekly_data(frames, as_of, cfg)
    published = weekly_tables.publish(data)
    tables = set(published.names())
    iso = as_of.isocalendar()
    lines = [
        f"<!-- Sample notes for week {iso.year}-W{iso.week:02d}, written by the demo "
        "generator as a team would write them. -->",
        "",
        "## Highlights",
        "",
    ]
    highlights: list[str] = []
    charters = _flight_rows(published, CHARTER) if "flights" in tables else None
    if charters is not None:
        gone = charters[(charters["Week"] == "This week") & (charters["_date"] <= as_of_ts)]
        for country, airport, when in zip(
            gone[DESTINATION], gone[AIRPORT], gone["_date"], strict=True
        ):
            where = f" {airport}" if airport not in (NOT_RECORDED, NO_MANIFEST, OTHER) else ""
            sentence = (
                f"A charter flight to {country} left{where} on {_day(when)}; "
                "the returnees were met by the IOM mission on arrival."
            )
            if safe(sentence):
                highlights.append(sentence)
    if not highlights:
        highlights.append(
            "Returns continued on commercial bookings while the next charters were prepared."
        )

    kinds = code_labels("activity_type", cfg)
    if "activities" in tables:
        log = published.values("activities")
        outreach = log.get(kinds["outreach_session"], pd.Series(dtype="Float64"))
        sessions = int(outreach.get(TOTAL, 0) or 0)
        places = [m for m in _top(outreach, 3) if safe(m)]
        if sessions and places:
            word = "session" if sessions == 1 else "sessions"
            highlights.append(
                f"The team held {sessions:,} outreach {word} on the voluntary return "
                f"process in {_listing(places)}."
            )
    if "nfi_kits" in tables:
        given = published.values("nfi_kits")["Kits distributed"]
        kits = int(given.get(TOTAL, 0) or 0)
        places = [m for m in _top(given, 2) if safe(m)]
        if kits and places:
            highlights.append(
                f"{kits:,} NFI kits (hygiene kits and blankets) were distributed, "
                f"mostly in {_listing(places)}."
            )
    if "activities" in tables and kinds["embassy_meeting"] in published.values("activities"):
        meetings = published.values("activities")[kinds["embassy_meeting"]]
        if int(meetings.get(TOTAL, 0) or 0):
            highlights.append(
                "Meetings with the embassies on travel documents for the next flights went "
                "well; a consular registration day is being planned."
            )
    lines += [f"- {h}" for h in highlights] + ["", "## Challenges", ""]

    challenges: list[str] = []
    cases = frames["cases"]
    waiting = cases[cases["case_status"] == "documents_pending"]
    slow = [_country(c) for c in waiting["destination_country"].value_counts().index[:2]]
    slow = [c for c in slow if safe(c)]
    if slow:
        challenges.append(
            f"Travel documents are still slow for returnees to {_listing(slow)}: "
            "most of the cases waiting for documents are for these embassies."
        )
    centres = [s.name for s in cfg.sites.sites if s.location_type == "detention_centre"]
    centres = [c for c in centres if safe(c)]
    if centres:
        centre = centres[int(rng.integers(len(centres)))]
        challenges.append(
            f"Access to {centre} was restricted on one day; the field visit was moved to next week."
        )
    challenges.append(
        "Some fit-to-travel checks had to be repeated because flights were rescheduled."
    )
    lines += [f"- {c}" for c in challenges] + ["", "## Next week", ""]

    plans: list[str] = []
    if charters is not None:
        ahead = charters[
            (charters["_date"] > as_of_ts) & (charters["_date"] <= as_of_ts + pd.Timedelta(days=7))
        ]
        for country, airport, when in zip(
            ahead[DESTINATION], ahead[AIRPORT], ahead["_date"], strict=True
        ):
            where = f" from {airport}" if airport not in (NOT_RECORDED, NO_MANIFEST, OTHER) else ""
            sentence = (
                f"Charter to {country}{where} on {_day(when)}: "
                "the initial manifest is under review before it goes to Operations."
            )
            if safe(sentence):
                plans.append(sentence)
    next_monday = as_of + timedelta(days=7 - as_of.weekday())
    meeting = (
        f"Protection working group meeting in Tripoli in the week of {_day(next_monday)}; "
        "training for partner staff on referrals."
    )
    plans.append(meeting if safe(meeting) else "Training for partner staff on referrals.")
    lines += [f"- {p}" for p in plans]
    return "\n".join(lines) + "\n"
