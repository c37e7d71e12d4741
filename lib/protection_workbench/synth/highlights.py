"""A sample ``highlights.md`` for the demo folder: the team's notes on the week of as-of.

Written from the generated records as a team would write them: flights, outreach,
distributions, embassy meetings, what got in the way and what is planned. Only places,
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

_MANIFEST_ID = re.compile(r"^(?:MNF|COM)-\d{8}-([A-Z]{3})-([A-Z]{3})")
_WORD = re.compile(r"[^\W\d_]+")


def _charters(rows: pd.DataFrame, date_column: str, airports: dict[str, str]):
    """(country, departure airport, day) of each charter manifest of ``rows``, by date;
    manifests whose id names no known airport are left out."""
    flights = rows.drop_duplicates("manifest_id").sort_values(date_column)
    for mid, when in zip(flights["manifest_id"], flights[date_column], strict=True):
        m = _MANIFEST_ID.match(str(mid))
        if m and m[1] in airports:
            yield _country(m[2]), airports[m[1]], _day(when)


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


def write_highlights(
    frames: dict[str, pd.DataFrame], as_of: date, cfg: Config, seed: int = 1
) -> str:
    """The text of a sample ``highlights.md`` for the ISO week of ``as_of``."""
    rng = np.random.default_rng([seed, 77])
    names = _name_words(frames)

    def safe(text: str) -> bool:
        return not any(w.casefold() in names for w in _WORD.findall(text))

    as_of_ts = pd.Timestamp(as_of)
    week_start = as_of_ts - pd.Timedelta(days=7)  # the last seven days, as-of included
    airports = {a.iata: a.name for a in cfg.sites.airports}
    iso = as_of.isocalendar()
    lines = [
        f"<!-- Sample notes for week {iso.year}-W{iso.week:02d}, written by the demo "
        "generator as a team would write them. -->",
        "",
        "## Highlights",
        "",
    ]
    highlights: list[str] = []

    cases = frames["cases"]
    gone = cases[
        (cases["case_status"] == "departed")
        & (cases["flight_type"] == "charter")
        & (cases["departure_date"] > week_start)
        & (cases["departure_date"] <= as_of_ts)
    ]
    for country, airport, when in _charters(gone, "departure_date", airports):
        sentence = (
            f"A charter flight to {country} left {airport} on {when}; "
            "the returnees were met by the IOM mission on arrival."
        )
        if safe(sentence):
            highlights.append(sentence)
    if not highlights:
        highlights.append(
            "Returns continued on commercial bookings while the next charters were prepared."
        )

    acts = frames["activities"]
    week = acts[(acts["date"] > week_start) & (acts["date"] <= as_of_ts)]
    outreach = week[week["activity_type"] == "outreach_session"]
    places = [m for m in outreach["mantika"].value_counts().index[:3] if safe(m)]
    if len(outreach) and places:
        sessions = "session" if len(outreach) == 1 else "sessions"
        highlights.append(
            f"The team held {len(outreach)} outreach {sessions} on the voluntary return "
            f"process in {_listing(places)}."
        )
    nfi = week[week["activity_type"] == "nfi_distribution"]
    kits = int(pd.to_numeric(nfi["items"], errors="coerce").fillna(0).sum())
    sites = [s for s in nfi["location"].value_counts().index[:2] if safe(s)]
    if kits and sites:
        highlights.append(
            f"{kits:,} NFI kits (hygiene kits and blankets) were distributed, "
            f"mostly at {_listing(sites)}."
        )
    if (week["activity_type"] == "embassy_meeting").any():
        highlights.append(
            "Meetings with the embassies on travel documents for the next flights went well; "
            "a consular registration day is being planned."
        )
    lines += [f"- {h}" for h in highlights] + ["", "## Challenges", ""]

    challenges: list[str] = []
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
    manifest = frames.get("manifest")
    if manifest is not None and len(manifest):
        ahead = manifest[
            (manifest["flight_date"] > as_of_ts)
            & (manifest["flight_date"] <= as_of_ts + pd.Timedelta(days=7))
            & (manifest["flight_type"] == "charter")
        ]
        for country, airport, when in _charters(ahead, "flight_date", airports):
            sentence = (
                f"Charter to {country} from {airport} on {when}: "
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
