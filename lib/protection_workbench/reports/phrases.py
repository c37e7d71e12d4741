"""Phrases of the weekly narrative: published counts with their nouns, days and lists.

Every number comes as it is published (a string from the report's protected table set:
"1,234", "<5", "[c]", "0"); here it is put into words ("fewer than 5", "not shown") with a
noun that agrees with it. Nothing here counts or computes a number.
"""

from __future__ import annotations

from datetime import date

from ..publish import disclosure


def words(published: str) -> str:
    """A published cell for a sentence: "fewer than 5", "not shown", "1,234"."""
    return disclosure.in_words(published)


def is_zero(published: str) -> bool:
    return str(published).strip() == "0"


def is_one(published: str) -> bool:
    return str(published).strip() == "1"


def is_hidden(published: str) -> bool:
    return disclosure.is_marker(published)


def plural(n: str, singular: str, plural: str | None = None) -> str:
    """The noun for a published count: singular for "1" and "0", else plural."""
    many = plural or f"{singular}s"
    return singular if str(n).strip() in ("0", "1") else many


def count_phrase(published: str, noun: str, plural_noun: str | None = None) -> str:
    """ "no charter flight", "1 charter flight", "fewer than 5 migrants", "1,234 migrants";
    a cell hidden to protect another reads "a number of migrants (not shown)"."""
    text = str(published).strip()
    if is_zero(text):
        return f"no {noun}"
    if text == disclosure.SECONDARY:
        return f"a number of {plural('2', noun, plural_noun)} ({disclosure.SECONDARY_WORDS})"
    return f"{words(text)} {plural(text, noun, plural_noun)}"


def be(published: str, present: bool = False) -> str:
    """was/were (is/are) agreeing with the published count."""
    singular = is_zero(published) or is_one(published)
    if present:
        return "is" if singular else "are"
    return "was" if singular else "were"


def none_or(published: str) -> str:
    return "none" if is_zero(published) else words(published)


def day_phrase(day: date) -> str:
    """24 November."""
    return f"{day.day} {day:%B}"


def long_day(day: date) -> str:
    """24 November 2026."""
    return f"{day.day} {day:%B %Y}"


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
