"""Plain-English paragraphs of the weekly report: programme facts only.

Every number in a sentence is a cell (or total) of the report's protected table set
(:func:`.weekly_tables.publish`), read with ``published.cell``: a sentence can never show
what a table hides, and reads "fewer than 5" or "not shown" where a table shows "<5" or
"[c]". Flights, activities, kits and money are exact there, so they are exact here. The
data quality of the exports is not the donors' business: the run index shows the gate.

:func:`weekly_narrative_markdown` gives the paragraphs escaped for Markdown
(:func:`protection_workbench.publish.html.esc_markdown`): that is what the notebook shows.
"""

from __future__ import annotations

import pandas as pd

from ..publish.disclosure import SECONDARY
from ..publish.header import report_header
from ..publish.html import esc_markdown
from ..publish.protected import Published
from ..publish.tables import TOTAL
from .phrases import (
    be,
    capital,
    count_phrase,
    day_phrase,
    is_hidden,
    is_zero,
    join_words,
    long_day,
    none_or,
    not_available,
    plural,
    words,
)
from .weekly import ADULTS, CHILDREN, WeeklyData, period_names
from .weekly_tables import CHARTER, COMMERCIAL

DESTINATIONS_NAMED = 3
# Activities of the field log as a sentence counts them (labels of config/code_lists.yaml).
ACTIVITY_WORDS = {
    "Outreach session": ("outreach session", "outreach sessions"),
    "Distribution of non-food items": (
        "distribution of non-food items",
        "distributions of non-food items",
    ),
    "Field visit": ("field visit", "field visits"),
    "Embassy meeting": ("embassy meeting", "embassy meetings"),
    "Training": ("training", "trainings"),
    "Coordination meeting": ("coordination meeting", "coordination meetings"),
}
PARTNERS_NAMED = 4  # more partners concerned are left to the table
# Statuses of the case records as a sentence says them (labels of config/code_lists.yaml).
PIPELINE_WORDS = {
    "Documents pending": "waiting for travel documents",
    "Ready to travel": "ready to travel",
    "On a flight manifest": "on a flight manifest",
    "On hold": "on hold",
    "Cancelled": "cancelled",
}
# Where the caseload stays (location types of config/code_lists.yaml) as a sentence says it.
LOCATION_WORDS = {
    "Detention centre": "in detention centres",
    "Urban": "in urban areas",
    "Shelter": "in shelters",
    "Community hosting": "in community hosting",
    "Other / unrecognised": "in places the configuration does not know",
    "Not recorded": "whose location type is not recorded",
}
HOSTING_REPORT_DAYS = 28  # the window of the community hosting report's visits and issues


def week_phrase(data: WeeklyData) -> str:
    """ "week 47", or "week 48 so far (to 24 November)" when the as-of date is mid-week."""
    if data.week_complete:
        return f"week {data.week}"
    return f"week {data.week} so far (to {day_phrase(data.as_of)})"


def _has(published: Published, *names: str) -> bool:
    return all(n in published.names() for n in names)


def _shown_rows(published: Published, name: str, column: str) -> pd.Series:
    """The rows of ``column`` whose published value is a number above zero, most first."""
    values = published.values(name).drop(index=TOTAL, errors="ignore")[column]
    values = values.dropna()
    values = values[values > 0]
    return values.sort_values(ascending=False, kind="stable")


def listing(items: list[tuple[str, str]]) -> str:
    """ "12 assisted, fewer than 5 declined and others not shown" from (published count,
    what) pairs: zeros left out, counts hidden to protect others not quoted."""
    parts = [f"{words(n)} {what}" for n, what in items if not is_zero(n) and n != SECONDARY]
    if any(n == SECONDARY for n, _ in items):
        parts.append("others not shown")
    return join_words(parts)


def lower_first(label: str) -> str:
    """A label inside a sentence: "Travel documents issued" -> "travel documents issued",
    acronyms kept ("Vulnerability (AVM) screenings" -> "vulnerability (AVM) screenings")."""
    return label[:1].lower() + label[1:]


def returns_paragraph(data: WeeklyData, published: Published) -> str:
    """ "In week 47, 312 migrants returned home on 2 charter flights and 9 commercial
    bookings, 80 of them women and girls. The week before, 280 returned; 4,810 have
    returned since the programme started on 1 January 2026." """
    if not _has(published, "returns"):
        return not_available("returns", "case records")
    names = period_names(data)
    now = published.cell("returns", col=names["week"])
    before = published.cell("returns", col=names["previous"])
    since = published.cell("returns", col=names["programme"])
    when = f"In {week_phrase(data)}"
    if is_zero(now):
        first = f"{when}, no migrant returned home."
    else:
        flights = [
            count_phrase(published.cell("departed_flights", kind, "Flights"), noun)
            for kind, noun in ((CHARTER, "charter flight"), (COMMERCIAL, "commercial booking"))
            if not is_zero(published.cell("departed_flights", kind, "Flights"))
        ]
        on = f" on {join_words(flights)}" if flights else ""
        women = published.cell("returns_by_sex_age", TOTAL, "Female")
        hidden = is_zero(women) or women == SECONDARY
        share = "" if hidden else f", {words(women)} of them women and girls"
        first = f"{when}, {count_phrase(now, 'migrant')} returned home{on}{share}."
    earlier = "The week before" if data.week_complete else "On the same days of the week before"
    start = long_day(data.periods["programme"].start)
    return (
        f"{first} {earlier}, {none_or(before)} returned; {words(since)} "
        f"{'has' if since.strip() == '1' else 'have'} returned since the programme started "
        f"on {start}."
    )


def destinations_paragraph(data: WeeklyData, published: Published) -> str:
    """The main countries of return this week and how many returnees were children."""
    if not _has(published, "returns_by_destination"):
        return ""
    week = period_names(data)["week"]
    if is_zero(published.cell("returns", col=week)):
        return ""
    top = _shown_rows(published, "returns_by_destination", week).head(DESTINATIONS_NAMED)
    named = [
        f"{country} ({words(published.cell('returns_by_destination', country, week))})"
        for country in top.index
        if not is_hidden(published.cell("returns_by_destination", country, week))
    ]
    first = f"The main countries of return were {join_words(named)}." if named else ""
    children = published.cell("returns_by_age_group", CHILDREN, week)
    adults = published.cell("returns_by_age_group", ADULTS, week)
    if is_zero(children):
        second = "None of them was a child."
    else:
        second = f"Among them {be(children)} {count_phrase(children, 'child', 'children')}"
        second += "." if adults == SECONDARY else f" and {count_phrase(adults, 'adult')}."
    return f"{first} {second}".strip()


def vulnerability_paragraph(data: WeeklyData, published: Published) -> str:
    """Returnees with a recorded vulnerability this week, by vulnerability."""
    if not _has(published, "returns_vulnerable"):
        return ""
    names = period_names(data)
    week, since = names["week"], names["programme"]
    now = published.cell("returns_vulnerable", col=week)
    total = published.cell("returns_vulnerable", col=since)
    if is_zero(now):
        first = f"No returnee of {week_phrase(data)} had a recorded vulnerability"
    else:
        kinds = _shown_rows(published, "returns_by_vulnerability", week)
        listed = [
            f"{lower_first(label)} {words(published.cell('returns_by_vulnerability', label, week))}"
            for label in kinds.index
        ]
        first = (
            f"In {week_phrase(data)}, {count_phrase(now, 'returnee')} with a recorded "
            "vulnerability returned home"
        )
        if listed:
            first += f" — {join_words(listed)} (a person may have several)"
    return f"{first}; {words(total)} since the programme started."


def case_flow_paragraph(data: WeeklyData, published: Published) -> str:
    """The steps recorded in the case records this week."""
    if not _has(published, "case_flow", "pipeline"):
        return not_available("the case flow", "case records")
    week = period_names(data)["week"]
    flow = published.table("case_flow")[week]
    steps = listing([(n, lower_first(step)) for step, n in flow.items()])
    first = (
        f"The case records show, for {week_phrase(data)}: {steps}."
        if steps
        else f"No step of a case was recorded in {week_phrase(data)}."
    )
    everyone = published.cell("pipeline", TOTAL)
    statuses = published.table("pipeline").index
    detail = listing(
        [
            (published.cell("pipeline", label), what)
            for label, what in PIPELINE_WORDS.items()
            if label in statuses
        ]
    )
    return (
        f"{first} On {day_phrase(data.as_of)} the case records held "
        f"{count_phrase(everyone, 'individual')}, among them {detail}.{caseload_sentence(data, published)}"
    )


def caseload_sentence(data: WeeklyData, published: Published) -> str:
    """ " The caseload on 24 November (everyone not departed or cancelled): 1,134 individuals,
    573 in detention centres, 492 in urban areas, …" (empty without the table)."""
    name = "caseload_by_location_type"
    if not _has(published, name):
        return ""
    total = published.cell(name, TOTAL)
    rows = published.table(name).index
    where = listing(
        [(published.cell(name, label), w) for label, w in LOCATION_WORDS.items() if label in rows]
    )
    return (
        f" The caseload on {day_phrase(data.as_of)} (everyone not departed or cancelled): "
        f"{count_phrase(total, 'individual')}" + (f", {where}." if where else ".")
    )


def referrals_made_sentence(data: WeeklyData, published: Published) -> str:
    """ "In week 48 so far (to 24 November), 12 referrals were made to services (5 for
    medical care, …). " (empty without the table)."""
    name = "referrals_made_by_service"
    if not _has(published, name):
        return ""
    week = period_names(data)["week"]
    total = published.cell(name, TOTAL, week)
    if is_zero(total):
        return f"No referral to a service was made in {week_phrase(data)}. "
    services = listing(
        [
            (published.cell(name, s, week), f"for {lower_first(s)}")
            for s in published.table(name).index
            if s != TOTAL
        ]
    )
    return (
        f"In {week_phrase(data)}, {count_phrase(total, 'referral')} to services "
        f"{be(total)} made ({services}). "
    )


def referrals_paragraph(data: WeeklyData, published: Published) -> str:
    """Referral outcomes recorded this week and the overdue follow-ups (rule R001)."""
    if not _has(published, "referral_outcomes_by_service", "overdue_by_partner"):
        return not_available("referrals", "referral records")
    table = "referral_outcomes_by_service"
    total = published.cell(table, TOTAL, TOTAL)
    if is_zero(total):
        first = f"No referral outcome was recorded in {week_phrase(data)}"
    else:
        outcomes = listing(
            [
                (published.cell(table, TOTAL, o), o.lower())
                for o in published.table(table).columns
                if o != TOTAL
            ]
        )
        first = (
            f"In {week_phrase(data)}, {count_phrase(total, 'referral outcome')} "
            f"{be(total)} recorded ({outcomes})"
        )
    overdue = published.cell("overdue_by_partner", TOTAL)
    partners = [
        p for p in published.table("overdue_by_partner").index
        if p != TOTAL and not is_zero(published.cell("overdue_by_partner", p))
    ]  # fmt: skip
    second = (
        f"{count_phrase(overdue, 'follow-up')} {be(overdue)} overdue on {day_phrase(data.as_of)}"
    )
    if len(partners) > PARTNERS_NAMED:
        second += ", with the partners listed in the table below"
    elif partners:
        second += f", with {join_words(partners)}"
    return f"{referrals_made_sentence(data, published)}{first}; {second}."


def activities_paragraph(data: WeeklyData, published: Published) -> str:
    """The field log of the week: activities (exact), participants (protected), NFI kits."""
    if not _has(published, "activities"):
        return not_available("activities", "activity log records")
    kinds = published.table("activities")
    if TOTAL not in kinds.index or is_zero(kinds.loc[TOTAL, TOTAL]):
        return f"No activity was logged in {week_phrase(data)}."
    done = listing(
        [
            (kinds.loc[TOTAL, k], plural(kinds.loc[TOTAL, k], *ACTIVITY_WORDS.get(k, (k, k))))
            for k in kinds.columns
            if k != TOTAL
        ]
    )
    first = (
        f"In {week_phrase(data)} the team logged "
        f"{count_phrase(kinds.loc[TOTAL, TOTAL], 'activity', 'activities')}: {done}"
    )
    people = published.table("activity_participants")
    if TOTAL in people.index:
        f, m = people.loc[TOTAL, "Women and girls"], people.loc[TOTAL, "Men and boys"]
        children = people.loc[TOTAL, "Children"]
        first += (
            f". They reached {count_phrase(f, 'woman or girl', 'women and girls')} and "
            f"{count_phrase(m, 'man or boy', 'men and boys')}, "
            f"{count_phrase(children, 'child', 'children')} among them"
        )
    kits = published.cell("nfi_kits", TOTAL, "Kits distributed")
    second = f"{count_phrase(kits, 'NFI kit')} {be(kits)} distributed"
    return f"{first}; {second}."


def hosting_paragraph(data: WeeklyData, published: Published) -> str:
    """Community hosting this week: people hosted, placements, visits, issues, payments."""
    if not _has(published, "placements"):
        return not_available("community hosting", "placement records")
    hosted = published.cell("placements", "Hosted on the report date")
    started = published.cell("placements", "Placements started this week")
    ended = published.cell("placements", "Placements ended this week")
    parts = [
        f"On {day_phrase(data.as_of)}, {count_phrase(hosted, 'person', 'people')} "
        f"{be(hosted)} hosted by host families and safe shelters; "
        f"{count_phrase(started, 'placement')} started and {none_or(ended)} ended this week."
    ]
    if _has(published, "visits", "compliance_issues", "overdue_visits"):
        visits = published.cell("visits", TOTAL, TOTAL)
        issues = published.cell("compliance_issues", TOTAL, TOTAL)
        overdue = published.cell("overdue_visits", TOTAL)
        parts.append(
            f"{capital(count_phrase(visits, 'monitoring visit'))} {be(visits)} made this week, "
            f"finding {count_phrase(issues, 'minor or major issue')}; "
            f"{count_phrase(overdue, 'placement')} {be(overdue)} overdue for a visit."
        )
    if _has(published, "payments"):
        amount = published.cell("payments", TOTAL, "Amount (LYD)") or "0"
        paid = published.cell("payments", TOTAL, "Payments")
        parts.append(
            "No payment to hosts was made this week."
            if is_zero(paid)
            else f"{capital(count_phrase(paid, 'payment'))} to hosts, {amount} LYD in all, "
            f"{be(paid)} made this week."
        )
    parts.append(
        f"This report covers the week's 7 days; the community hosting report covers the "
        f"visits, issues and payments of the last {HOSTING_REPORT_DAYS} days."
    )
    return " ".join(parts)


PARAGRAPHS = (
    returns_paragraph,
    destinations_paragraph,
    vulnerability_paragraph,
    case_flow_paragraph,
    referrals_paragraph,
    activities_paragraph,
    hosting_paragraph,
)


def period_note(data: WeeklyData) -> str:
    """The line under the weekly report's header: the week, its days, what it is compared
    with, and the start of the programme."""
    week = data.periods["week"]
    compared = (
        "compared with the week before"
        if data.week_complete
        else "not yet complete, so compared with the same days of the week before"
    )
    return (
        f"**Week** {data.week_label}: {day_phrase(week.start)} to {long_day(week.end)} "
        f"({compared}). Cumulative figures run from the start of the programme on "
        f"{long_day(data.periods['programme'].start)}. Statuses are those of the case "
        "records on the report date."
    )


def page_intro(data: WeeklyData, published: Published, data_dir, run_id: str = "") -> str:
    """The one header block under the title (Markdown): the as-of date and the data
    sources when the notebook is opened on its own (a run's page banner gives them), the
    week and what it is compared with, and the markers' footnote when a marker is shown."""
    lines = []
    if not run_id:
        header = report_header("", data.as_of, data_dir).data.splitlines()
        lines += [
            line for line in header if line.startswith(("**Figures as of**", "**Files read**"))
        ]
    lines.append(period_note(data))
    note = published.note()
    if note:
        lines.append(esc_markdown(note))
    return "\n\n".join(lines)


def weekly_narrative(data: WeeklyData, published: Published) -> list[str]:
    """The report's paragraphs in reading order (empty ones left out)."""
    texts = (paragraph(data, published) for paragraph in PARAGRAPHS)
    return [text for text in texts if text]


def weekly_narrative_markdown(data: WeeklyData, published: Published) -> list[str]:
    """:func:`weekly_narrative` with every paragraph escaped for Markdown."""
    return [esc_markdown(text) for text in weekly_narrative(data, published)]
