"""Plain-English paragraphs of the weekly report, written from :class:`WeeklyFigures`.

Pure functions: figures in, sentences out. Every count of people goes through
:mod:`protection_workbench.publish.disclosure` (1 to ``min_cell - 1`` reads "<5", with a plural
noun), percentages are left out when computed from small numbers, and a comparison with
the week before never gives away a small number. Counts that are not counts of people
(flights, outreach sessions, NFI kits) are written exactly (``protect=False``).

A dataset absent from the export gives a sentence saying the figure is not available.

:func:`weekly_narrative_markdown` gives the same paragraphs escaped for Markdown
(:func:`protection_workbench.publish.html.esc_markdown`): that is what a notebook shows.
"""

from __future__ import annotations

from datetime import date

from ..publish import disclosure
from ..publish.html import esc_markdown
from ..publish.labels import OTHER
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


# --------------------------------------------------------------------------- phrases


def _shown(n: int, protect: bool = True) -> str:
    """The number as printed: through disclosure for people, exact otherwise."""
    return disclosure.show_count(n) if protect else f"{int(n):,}"


def _is_one(n: int, protect: bool = True) -> bool:
    """The number is printed as "1" (so the noun and verb are singular)."""
    return _shown(n, protect) == "1"


def plural(n: int | str, singular: str, plural: str | None = None) -> str:
    """The noun for ``n`` things: singular for 1 (and for 0: "no charter flight"), else plural.

    ``n`` may be a printed count; anything but "1" and "0" (e.g. "<5", "1,234") is plural.
    """
    many = plural or f"{singular}s"
    text = str(n).strip()
    return singular if text in ("0", "1") else many


def count_phrase(n: int, noun: str, plural_noun: str | None = None, *, protect: bool = True) -> str:
    """ "no charter flight", "1 charter flight", "2 charter flights", "<5 migrants".

    ``protect`` (default) prints counts of people through disclosure: 1–4 read "<5";
    pass ``protect=False`` for things that are not people (flights, sessions, kits)."""
    if n == 0:
        return f"no {noun}"
    shown = _shown(n, protect)
    return f"{shown} {plural(shown, noun, plural_noun)}"


def _be(n: int, protect: bool = True, present: bool = False) -> str:
    """was/were (is/are) agreeing with the printed count."""
    singular = n == 0 or _is_one(n, protect)
    if present:
        return "is" if singular else "are"
    return "was" if singular else "were"


def _none_or(n: int) -> str:
    return "none" if n == 0 else disclosure.show_count(n)


def change_phrase(current: int, previous: int, ytd: int | None = None) -> str:
    """How ``current`` compares with the week before, without giving away a small number.

    "up from 280 the week before", "down from 280 the week before", "unchanged from the
    week before", "up from none the week before", "up from fewer than 5 the week before",
    "a similar number to the week before" (both small) and, when ``ytd`` shows nothing
    earlier this year, "the first returns this year".
    """
    m = disclosure.min_cell()
    small_now, small_before = disclosure.is_small(current), disclosure.is_small(previous)
    if ytd is not None and current > 0 and 0 < ytd <= current:
        return "the first returns this year"
    if current == previous and not small_now:
        return "unchanged from the week before"
    if small_now and small_before:
        return "a similar number to the week before"
    if previous == 0:
        return "up from none the week before"
    if small_before:
        direction = "up" if current > previous else "down"
        return f"{direction} from fewer than {m} the week before"
    direction = "up" if current > previous else "down"
    return f"{direction} from {previous:,} the week before"


def day_phrase(day: date) -> str:
    """24 November."""
    return f"{day.day} {day:%B}"


def week_phrase(fig: WeeklyFigures) -> str:
    """ "week 47", or "week 48 so far (to 24 November)" when the as-of date is mid-week."""
    if fig.week_complete:
        return f"week {fig.week}"
    return f"week {fig.week} so far (to {day_phrase(fig.as_of)})"


def join_words(items: list[str]) -> str:
    """ "a", "a and b", "a, b and c"."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def not_available(topic: str, source: str) -> str:
    """The sentence for a figure whose dataset is absent."""
    return f"Figures on {topic} are not available: the {source} were not in this week's exports."


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


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
        so_far = f"{disclosure.show_count(ytd)} {'has' if _is_one(ytd) else 'have'} returned so far this year"
    return f"{first} That is {change}; {so_far}."


def _destination_item(name: str, n: int) -> str:
    return f"{name} ({disclosure.show_count(n)})"


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
        second = f"Among them {_be(children)} {count_phrase(children, 'child', 'children')}."
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
        f"Migrants in the pipeline on {when}: {_none_or(p['counselled'])} counselled, "
        f"{_none_or(p['awaiting_documents'])} awaiting travel documents, "
        f"{_none_or(p['awaiting_ftt'])} awaiting a fit-to-travel check and "
        f"{_none_or(p['manifested'])} manifested for a flight."
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
        first = (
            f"In {week}, {count_phrase(now, 'vulnerable migrant')} {_be(now)} assisted to return"
        )
        if items:
            several = " (a person may have more than one vulnerability)" if mentions > now else ""
            first += f": {join_words(items)}{several}"
    if ytd == 0:
        year = "no vulnerable migrant has been assisted to return so far this year"
    else:
        year = (
            f"{count_phrase(ytd, 'vulnerable migrant')} {'has' if _is_one(ytd) else 'have'} "
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
            f"In {week}, {count_phrase(made, 'referral')} {_be(made)} made to specialised services"
        )
        services = fig.referrals_by_service
        if services is not None and len(services) > 1:
            top = services.sort_values(ascending=False, kind="stable")
            if top.iloc[0] > top.iloc[1] and not disclosure.is_small(int(top.iloc[0])):
                name = SERVICE_NAMES.get(str(top.index[0]), str(top.index[0]).replace("_", " "))
                first += f", most often for {name}"
    second = (
        f"{count_phrase(overdue, 'follow-up')} {_be(overdue)} overdue on {day_phrase(fig.as_of)}"
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
            f"{_capital(count_phrase(sessions, 'outreach session', protect=False))} "
            f"{_be(sessions, protect=False)} held this week"
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
            f"{_be(distributions, protect=False)} held"
        )
    else:
        second = (
            f"{count_phrase(kits, 'NFI kit', protect=False)} {_be(kits, protect=False)} "
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
        f"On {day_phrase(fig.as_of)}, {count_phrase(active, 'migrant')} {_be(active)} "
        "in community hosting (host families and safe shelters)"
    )
    second = f"{count_phrase(new, 'new placement')} started and {_none_or(exits)} ended this week"
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
        records = f"{count_phrase(n, 'record')} {'needs' if _is_one(n) else 'need'} correcting"
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


def weekly_narrative(fig: WeeklyFigures) -> list[str]:
    """The report's paragraphs in reading order (empty ones left out)."""
    return [text for text in (paragraph(fig) for paragraph in PARAGRAPHS) if text]


def weekly_narrative_markdown(fig: WeeklyFigures) -> list[str]:
    """:func:`weekly_narrative` with every paragraph escaped for Markdown: whatever a label
    from the exports holds, it shows as text (no tag, link, image or emphasis)."""
    return [esc_markdown(text) for text in weekly_narrative(fig)]
