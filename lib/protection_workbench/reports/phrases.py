"""Phrases of the weekly narrative: counts with their nouns, comparisons, days and lists.

Every count of people goes through :mod:`protection_workbench.publish.disclosure` (1 to
``min_cell - 1`` reads "fewer than 5", with a plural noun); counts that are not of people (flights,
sessions, kits) are written exactly with ``protect=False``.
"""

from __future__ import annotations

from datetime import date

from ..publish import disclosure
from .weekly import WeeklyFigures


def shown(n: int, protect: bool = True) -> str:
    """The number as printed: through disclosure for people, exact otherwise."""
    return disclosure.say_count(n) if protect else f"{int(n):,}"


def is_one(n: int, protect: bool = True) -> bool:
    """The number is printed as "1" (so the noun and verb are singular)."""
    return shown(n, protect) == "1"


def plural(n: int | str, singular: str, plural: str | None = None) -> str:
    """The noun for ``n`` things: singular for 1 (and for 0: "no charter flight"), else plural.

    ``n`` may be a printed count; anything but "1" and "0" (e.g. "fewer than 5", "1,234")
    is plural.
    """
    many = plural or f"{singular}s"
    text = str(n).strip()
    return singular if text in ("0", "1") else many


def count_phrase(n: int, noun: str, plural_noun: str | None = None, *, protect: bool = True) -> str:
    """ "no charter flight", "1 charter flight", "2 charter flights", "fewer than 5 migrants".

    ``protect`` (default) prints counts of people through disclosure: 1–4 read "fewer than
    5";
    pass ``protect=False`` for things that are not people (flights, sessions, kits)."""
    if n == 0:
        return f"no {noun}"
    text = shown(n, protect)
    return f"{text} {plural(text, noun, plural_noun)}"


def be(n: int, protect: bool = True, present: bool = False) -> str:
    """was/were (is/are) agreeing with the printed count."""
    singular = n == 0 or is_one(n, protect)
    if present:
        return "is" if singular else "are"
    return "was" if singular else "were"


def none_or(n: int) -> str:
    return "none" if n == 0 else disclosure.say_count(n)


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


def capital(text: str) -> str:
    return text[:1].upper() + text[1:]
