"""Plain-English paragraphs of the weekly report, written from :class:`WeeklyFigures`.

Pure functions: figures in, sentences out (the phrases they are made of are in
:mod:`.phrases`). Every count of people goes through
:mod:`protection_workbench.publish.disclosure` (1 to ``min_cell - 1`` reads "<5", with a plural
noun), percentages are left out when computed from small numbers, and a comparison with
the week before never gives away a small number. Counts that are not counts of people
(flights, outreach sessions, NFI kits) are written exactly (``protect=False``).

A dataset absent from the export gives a sentence saying the figure is not available.

:func:`weekly_narrative_markdown` gives the same paragraphs escaped for Markdown
(:func:`protection_workbench.publish.html.esc_markdown`): that is what a notebook shows.
"""

from __future__ import annotations

from ..publish import disclosure
from ..publish.html import esc_markdown
from ..publish.labels import OTHER
from .phrases import (
    be,
    capital,
    change_phrase,
    count_phrase,
    day_phrase,
    is_one,
    join_words,
    none_or,
    not_available,
    week_phrase,
)
from .weekly import WeeklyFigures

DESTINATIONS_NAMED = 3

VULNERABILITY_NOUNS: dict[str, tuple[str, str]] = {
    "uasc": ("unaccompanied child", "unaccompanied children"),
    "separated_child": ("separated child", "separated children"),
    "vot": ("victim of trafficking", "victims of trafficking"),
    "gbv": ("survivor of gender-based violence", "survivors of gender-based violence"),
    "medical": ("person with medical needs", "people with medical needs"),
    "disability": ("person with a disability", "people with disabilities"),
    "elderly": ("older person", "older persons"),
    "single_headed_household": (
        "member of a single-headed household",
        "members of single-headed households",
    ),
    "pregnant": ("pregnant woman", "pregnant women"),
    OTHER: ("person with another vulnerability", "people with other vulnerabilities"),
}

SERVICE_NAMES: dict[str, str] = {
    "medical": "medical care",
    "mhpss": "mental health and psychosocial support",
    "shelter": "shelter",
    "child_protection": "child protection",
    "legal": "legal aid",
    "cash": "cash assistance",
    "other": "other services",
    OTHER: "services not in the code list",
}


# --------------------------------------------------------------------------- paragraphs


def _flights_clause(fig: WeeklyFigures) -> str:
    table = fig.by_flight_type
    if table is None:
        return ""
    charter = int(table.loc["charter", "week_flights"])
    commercial = int(table.loc["commercial", "week_flights"])
    parts = []
    if charter:
        parts.append(count_phrase(charter, "charter flight", protect=False))
    if commercial:
        parts.append(count_phrase(commercial, "commercial booking", protect=False))
    return f" on {join_words(parts)}" if parts else ""


def _share_clause(part: int, whole: int) -> str:
    if part == 0 and not disclosure.is_small(whole):
        return ", none of them women or girls"
    share = disclosure.show_percent(part, whole)
    return "" if share == disclosure.NOT_SHOWN else f", {share} of them women and girls"


def returns_paragraph(fig: WeeklyFigures) -> str:
    """ "In week 47, 312 migrants returned home on 2 charter flights and 9 commercial
    bookings, 21 % of them women and girls. That is up from 280 the week before; 4,810 have
    returned so far this year." """
    if fig.returns is None:
        return not_available("returns", "case records")
    now, before, ytd = fig.returns["week"], fig.returns["previous"], fig.returns["ytd"]
    when = f"In {week_phrase(fig)}"
    if now == 0:
        first = f"{when}, no migrant returned home."
    else:
        share = _share_clause((fig.women_girls or {}).get("week", 0), now)
        first = (
            f"{when}, {count_phrase(now, 'migrant')} returned home{_flights_clause(fig)}{share}."
        )
    change = change_phrase(now, before, ytd)
    if change.startswith("the first"):
        return f"{first} These are the first returns this year."
    if ytd == 0:
        so_far = "no migrant has returned so far this year"
    else:
        so_far = f"{disclosure.say_count(ytd)} {'has' if is_one(ytd) else 'have'} returned so far this year"
    return f"{first} That is {change}; {so_far}."


def _destination_item(name: str, n: int) -> str:
    return f"{name} ({disclosure.say_count(n)})"


def destinations_paragraph(fig: WeeklyFigures) -> str:
    """Where the week's returnees went and how many were children; empty without returns."""
    if fig.returns is None or fig.by_destination is None or fig.returns["week"] == 0:
        return ""
    week = fig.by_destination.loc[fig.by_destination["week"] > 0]
    week = week.sort_values("week", ascending=False, kind="stable")
    named = [
        _destination_item(r.name, int(r.week)) for r in week.head(DESTINATIONS_NAMED).itertuples()
    ]
    if len(week) == 1:
        first = f"All returned to {week['name'].iloc[0]}."
    elif len(week) <= DESTINATIONS_NAMED:
        first = f"They returned to {join_words(named)}."
    else:
        first = (
            f"The main destinations were {join_words(named)}, "
            f"out of {len(week)} countries of return."
        )
    children = (fig.children or {}).get("week", 0)
    if children == 0:
        second = "None of them was a child."
    else:
        second = f"Among them {be(children)} {count_phrase(children, 'child', 'children')}."
    return f"{first} {second}"


def pipeline_paragraph(fig: WeeklyFigures) -> str:
    """ "Migrants in the pipeline on 24 November: 24 counselled, 590 awaiting travel
    documents, none awaiting a fit-to-travel check and 31 manifested for a flight." """
    if fig.pipeline is None:
        return not_available("the pipeline", "case records")
    p = fig.pipeline
    when = day_phrase(fig.as_of)
    if not any(p.values()):
        return (
            f"No migrant was in the pipeline on {when} (counselled, awaiting travel "
            "documents or a fit-to-travel check, or manifested)."
        )
    return (
        f"Migrants in the pipeline on {when}: {none_or(p['counselled'])} counselled, "
        f"{none_or(p['awaiting_documents'])} awaiting travel documents, "
        f"{none_or(p['awaiting_ftt'])} awaiting a fit-to-travel check and "
        f"{none_or(p['manifested'])} manifested for a flight."
    )


def _vulnerability_list(fig: WeeklyFigures) -> tuple[list[str], int]:
    table = fig.by_vulnerability
    if table is None or table.empty:
        return [], 0
    week = table["week"][table["week"] > 0].sort_values(ascending=False, kind="stable")
    items = []
    for code, n in week.items():
        singular, many = VULNERABILITY_NOUNS.get(str(code), (str(code), str(code)))
        items.append(count_phrase(int(n), singular, many))
    return items, int(week.sum())


def vulnerability_paragraph(fig: WeeklyFigures) -> str:
    """Returnees with a recorded vulnerability this week (by vulnerability) and this year."""
    if fig.vulnerable is None:
        return not_available("vulnerable cases", "case records")
    now, ytd = fig.vulnerable["week"], fig.vulnerable["ytd"]
    week = week_phrase(fig)
    if now == 0:
        returned = (fig.returns or {}).get("week", 0)
        if returned == 0:
            first = f"No vulnerable migrant was assisted to return in {week}"
        else:
            first = f"None of the migrants who returned in {week} had a recorded vulnerability"
    else:
        items, mentions = _vulnerability_list(fig)
        first = f"In {week}, {count_phrase(now, 'vulnerable migrant')} {be(now)} assisted to return"
        if items:
            several = " (a person may have more than one vulnerability)" if mentions > now else ""
            first += f": {join_words(items)}{several}"
    if ytd == 0:
        year = "no vulnerable migrant has been assisted to return so far this year"
    else:
        year = (
            f"{count_phrase(ytd, 'vulnerable migrant')} {'has' if is_one(ytd) else 'have'} "
            "been assisted to return so far this year"
        )
    return f"{first}; {year}."


def referrals_paragraph(fig: WeeklyFigures) -> str:
    """ "In week 47, 14 referrals were made to specialised services, most often for medical
    care; 9 follow-ups were overdue on 24 November." """
    if fig.referrals_week is None or fig.referrals_overdue is None:
        return not_available("referrals", "referral records")
    made, overdue = fig.referrals_week, fig.referrals_overdue
    week = week_phrase(fig)
    if made == 0:
        first = f"No referral was made to specialised services in {week}"
    else:
        first = (
            f"In {week}, {count_phrase(made, 'referral')} {be(made)} made to specialised services"
        )
        services = fig.referrals_by_service
        if services is not None and len(services) > 1:
            top = services.sort_values(ascending=False, kind="stable")
            if top.iloc[0] > top.iloc[1] and not disclosure.is_small(int(top.iloc[0])):
                name = SERVICE_NAMES.get(str(top.index[0]), str(top.index[0]).replace("_", " "))
                first += f", most often for {name}"
    second = (
        f"{count_phrase(overdue, 'follow-up')} {be(overdue)} overdue on {day_phrase(fig.as_of)}"
    )
    return f"{first}; {second}."


def activities_paragraph(fig: WeeklyFigures) -> str:
    """Outreach sessions (with participants) and NFI kits distributed this week."""
    if fig.outreach_sessions is None:
        return not_available("outreach and distributions", "activity log records")
    sessions = fig.outreach_sessions
    if sessions == 0:
        first = "There was no outreach session this week"
    else:
        first = (
            f"{capital(count_phrase(sessions, 'outreach session', protect=False))} "
            f"{be(sessions, protect=False)} held this week"
        )
        people = fig.participants or {}
        f, m, ch = people.get("f", 0), people.get("m", 0), people.get("children", 0)
        total = f + m + ch
        if disclosure.is_small(total):
            first += f", reaching {count_phrase(total, 'participant')}"
        elif total:
            detail = join_words(
                [
                    count_phrase(f, "woman", "women"),
                    count_phrase(m, "man", "men"),
                    count_phrase(ch, "child", "children"),
                ]
            )
            first += f", reaching {count_phrase(total, 'participant')} ({detail})"
    distributions, kits = fig.nfi_distributions or 0, fig.nfi_kits or 0
    if distributions == 0:
        second = "no NFI kit was distributed"
    elif kits == 0:
        second = (
            f"{count_phrase(distributions, 'NFI distribution', protect=False)} "
            f"{be(distributions, protect=False)} held"
        )
    else:
        second = (
            f"{count_phrase(kits, 'NFI kit', protect=False)} {be(kits, protect=False)} "
            f"distributed in {count_phrase(distributions, 'distribution', protect=False)}"
        )
    return f"{first}; {second}."


def hosting_paragraph(fig: WeeklyFigures) -> str:
    """ "On 24 November, 175 migrants were in community hosting; 15 new placements started
    and 13 ended this week." """
    if fig.hosting is None:
        return not_available("community hosting", "placement records")
    active, new, exits = fig.hosting["active"], fig.hosting["new"], fig.hosting["exits"]
    first = (
        f"On {day_phrase(fig.as_of)}, {count_phrase(active, 'migrant')} {be(active)} "
        "in community hosting (host families and safe shelters)"
    )
    second = f"{count_phrase(new, 'new placement')} started and {none_or(exits)} ended this week"
    return f"{first}; {second}."


def data_quality_paragraph(fig: WeeklyFigures) -> str:
    """ "The quality gate passed; 23 records need correcting." (or "failed")."""
    if fig.gate_passed is None:
        gate = "The quality gate did not run"
    else:
        gate = f"The quality gate {'passed' if fig.gate_passed else 'failed'}"
    n = fig.records_to_correct
    if n == 0:
        records = "no record needs correcting"
    else:
        records = f"{count_phrase(n, 'record')} {'needs' if is_one(n) else 'need'} correcting"
    return f"{gate}; {records}."


PARAGRAPHS = (
    returns_paragraph,
    destinations_paragraph,
    vulnerability_paragraph,
    pipeline_paragraph,
    referrals_paragraph,
    activities_paragraph,
    hosting_paragraph,
    data_quality_paragraph,
)


def period_note(fig: WeeklyFigures) -> str:
    """The line under the weekly report's header: the week, its days, and the year to date."""
    period = fig.periods["week"]
    return (
        f"**Week** {fig.week_label}: {day_phrase(period.start)} to {day_phrase(period.end)} "
        f"{period.end.year}"
        + ("" if fig.week_complete else " (week not yet complete)")
        + f"; year to date from 1 January {fig.periods['ytd'].start.year}. The pipeline is "
        "the status of the cases in the exports."
    )


def weekly_narrative(fig: WeeklyFigures) -> list[str]:
    """The report's paragraphs in reading order (empty ones left out)."""
    return [text for text in (paragraph(fig) for paragraph in PARAGRAPHS) if text]


def weekly_narrative_markdown(fig: WeeklyFigures) -> list[str]:
    """:func:`weekly_narrative` with every paragraph escaped for Markdown: whatever a label
    from the exports holds, it shows as text (no tag, link, image or emphasis)."""
    return [esc_markdown(text) for text in weekly_narrative(fig)]
