"""The weekly narrative: numbers only from published cells, read naturally ("fewer than
5", "not shown"), programme facts only, exact sentences where nothing is small."""

from __future__ import annotations

import re
from datetime import date

import pytest

from protection_workbench.config import get_config
from protection_workbench.reports import narrative as n
from protection_workbench.reports import phrases as p
from protection_workbench.reports import weekly_tables
from protection_workbench.reports.weekly import weekly_data
from protection_workbench.synth.population import build_population

from .test_weekly_figures import frame

WEDNESDAY = date(2026, 11, 25)


# --------------------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        ("0", "no migrant"),
        ("1", "1 migrant"),
        ("<5", "fewer than 5 migrants"),
        ("[c]", "a number of migrants (not shown)"),
        ("1,234", "1,234 migrants"),
    ],
)
def test_count_phrase_reads_published_cells(shown, expected):
    assert p.count_phrase(shown, "migrant") == expected


def test_listing_leaves_out_zeros_and_does_not_quote_hidden_cells():
    assert n.listing([("12", "assisted"), ("0", "closed"), ("<5", "declined")]) == (
        "12 assisted and fewer than 5 declined"
    )
    assert (
        n.listing([("12", "assisted"), ("[c]", "declined")]) == "12 assisted and others not shown"
    )
    assert n.lower_first("Vulnerability (AVM) screenings") == "vulnerability (AVM) screenings"


# --------------------------------------------------------------------------- sentences


def departed(iid, day, sex, manifest="MNF-1"):
    return {
        "individual_id": iid, "case_status": "departed", "departure_date": day, "sex": sex,
        "age": 30, "flight_type": "charter", "manifest_id": manifest,
        "destination_country": "NGA", "location_type": "detention_centre",
        "mantika": "Tripoli", "travel_document_status": "issued",
    }  # fmt: skip


@pytest.fixture(scope="module")
def large():
    """20 returns this week (10 women), 10 on the same days of the week before: no count
    is small, so nothing is hidden and the sentences can be read exactly."""
    rows = [departed(f"W{i}", "2026-11-24", "FM"[i % 2]) for i in range(20)]
    rows += [departed(f"P{i}", "2026-11-17", "FM"[i % 2], "MNF-0") for i in range(10)]
    data = weekly_data({"cases": frame("cases", rows)}, WEDNESDAY)
    return data, weekly_tables.publish(data)


def test_returns_sentence(large):
    data, published = large
    assert n.returns_paragraph(data, published) == (
        "In week 48 so far (to 25 November), 20 migrants returned home on 1 charter flight, "
        "10 of them women and girls. On the same days of the week before, 10 returned; 30 "
        "have returned since the programme started on 1 January 2026."
    )
    assert n.destinations_paragraph(data, published) == (
        "The main countries of return were Nigeria (20). None of them was a child."
    )


def test_missing_datasets_say_not_available(large):
    data, published = large
    assert n.referrals_paragraph(data, published) == (
        "Figures on referrals are not available: the referral records were not in this "
        "week's exports."
    )
    nothing = weekly_data({}, WEDNESDAY)
    paragraphs = n.weekly_narrative(nothing, weekly_tables.publish(nothing))
    assert all("not available" in text for text in paragraphs)


# --------------------------------------------------------------------------- generated

DATES = re.compile(
    r"\b\d{1,2} (January|February|March|April|May|June|July|August|September|October|"
    r"November|December)( \d{4})?|\bweek \d+|\b\d+ days\b|\b\d{4}-W\d{2}"
)
NUMBER = re.compile(r"\d[\d,]*(\.\d+)?")


@pytest.fixture(
    scope="module", params=[(2000, 5, date(2026, 11, 24)), (5000, 9, date(2026, 11, 29))]
)
def generated(request):
    size, seed, as_of = request.param
    data = weekly_data(build_population(size, seed, as_of, get_config()), as_of)
    published = weekly_tables.publish(data)
    return data, published, n.weekly_narrative(data, published)


def test_every_number_in_a_sentence_is_a_published_cell(generated):
    data, published, paragraphs = generated
    cells = set()
    for name in published.names():
        cells |= set(published.table(name).astype(str).to_numpy().ravel())
    text = DATES.sub(" ", " ".join(paragraphs))
    quoted = [m.group(0).rstrip(",") for m in NUMBER.finditer(text)]
    assert quoted, "the narrative quotes no number"
    assert [q for q in quoted if q not in cells] == []


def test_sentences_read_naturally_and_hold_programme_facts_only(generated):
    _, _, paragraphs = generated
    text = " ".join(paragraphs)
    assert "<5" not in text and "[c]" not in text
    assert "quality gate" not in text.lower() and "correcting" not in text
    assert "cases" not in text  # individuals are never called cases
    assert "28 days" in text and "7 days" in text  # the hosting windows cross-referenced
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", text)  # no code or column name
