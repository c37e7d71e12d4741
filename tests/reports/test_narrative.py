"""The weekly narrative reads naturally for zero, one, many, suppressed (1–4 -> "<5") and
missing data: exact sentences."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from protection_workbench.reports import narrative as n
from protection_workbench.reports import phrases as p
from protection_workbench.reports.weekly import (
    FLIGHT_TYPES,
    WeeklyFigures,
    report_periods,
)

SUNDAY = date(2026, 11, 22)  # ISO week 2026-W47, complete


def flights(charter_people=0, charter=0, commercial_people=0, commercial=0) -> pd.DataFrame:
    zero = [0, 0]
    return pd.DataFrame(
        {
            "week_people": [charter_people, commercial_people],
            "week_flights": [charter, commercial],
            "previous_people": zero,
            "previous_flights": zero,
            "ytd_people": zero,
            "ytd_flights": zero,
        },
        index=pd.Index(FLIGHT_TYPES, name="flight_type"),
    )


def make(as_of: date = SUNDAY, **values) -> WeeklyFigures:
    iso = as_of.isocalendar()
    fig = WeeklyFigures(
        as_of=as_of, iso_year=iso.year, week=iso.week, periods=report_periods(as_of), datasets=()
    )
    for key, value in values.items():
        setattr(fig, key, value)
    return fig


def returns(week, previous, ytd, women=0, children=0, **more) -> WeeklyFigures:
    return make(
        returns={"week": week, "previous": previous, "ytd": ytd},
        women_girls={"week": women, "previous": 0, "ytd": 0},
        children={"week": children, "previous": 0, "ytd": 0},
        **more,
    )


# --------------------------------------------------------------------------- phrases


@pytest.mark.parametrize(
    ("count", "expected"),
    [(0, "flight"), (1, "flight"), (2, "flights"), ("<5", "flights"), ("1,234", "flights")],
)
def test_plural(count, expected):
    assert p.plural(count, "flight") == expected


def test_plural_irregular():
    assert p.plural(3, "child", "children") == "children"
    assert p.plural(1, "child", "children") == "child"


@pytest.mark.parametrize(
    ("args", "kwargs", "expected"),
    [
        ((0, "charter flight"), {"protect": False}, "no charter flight"),
        ((1, "charter flight"), {"protect": False}, "1 charter flight"),
        ((2, "charter flight"), {"protect": False}, "2 charter flights"),
        ((1234, "NFI kit"), {"protect": False}, "1,234 NFI kits"),
        ((0, "migrant"), {}, "no migrant"),
        ((1, "migrant"), {}, "fewer than 5 migrants"),
        ((4, "migrant"), {}, "fewer than 5 migrants"),
        ((5, "migrant"), {}, "5 migrants"),
        ((4810, "migrant"), {}, "4,810 migrants"),
        ((3, "child", "children"), {}, "fewer than 5 children"),
    ],
)
def test_count_phrase(args, kwargs, expected):
    assert p.count_phrase(*args, **kwargs) == expected


@pytest.mark.parametrize(
    ("current", "previous", "ytd", "expected"),
    [
        (312, 280, None, "up from 280 the week before"),
        (250, 280, None, "down from 280 the week before"),
        (0, 1280, None, "down from 1,280 the week before"),
        (280, 280, None, "unchanged from the week before"),
        (0, 0, None, "unchanged from the week before"),
        (12, 0, None, "up from none the week before"),
        (3, 0, None, "up from none the week before"),
        (12, 3, None, "up from fewer than 5 the week before"),
        (0, 3, None, "down from fewer than 5 the week before"),
        (2, 3, None, "a similar number to the week before"),
        (3, 3, None, "a similar number to the week before"),
        (3, 12, None, "down from 12 the week before"),
        (12, 0, 12, "the first returns this year"),
        (12, 0, 40, "up from none the week before"),
    ],
)
def test_change_phrase(current, previous, ytd, expected):
    assert p.change_phrase(current, previous, ytd) == expected


def test_join_words():
    assert p.join_words([]) == ""
    assert p.join_words(["a"]) == "a"
    assert p.join_words(["a", "b"]) == "a and b"
    assert p.join_words(["a", "b", "c"]) == "a, b and c"


# --------------------------------------------------------------------------- returns


def test_returns_many():
    fig = returns(312, 280, 4810, women=66, by_flight_type=flights(300, 2, 12, 9))
    assert n.returns_paragraph(fig) == (
        "In week 47, 312 migrants returned home on 2 charter flights and 9 commercial bookings, "
        "21 % of them women and girls. That is up from 280 the week before; "
        "4,810 have returned so far this year."
    )


def test_returns_one_flight_and_no_women():
    fig = returns(120, 120, 900, women=0, by_flight_type=flights(120, 1))
    assert n.returns_paragraph(fig) == (
        "In week 47, 120 migrants returned home on 1 charter flight, none of them women or "
        "girls. That is unchanged from the week before; 900 have returned so far this year."
    )


def test_returns_zero():
    fig = returns(0, 280, 4810, by_flight_type=flights())
    assert n.returns_paragraph(fig) == (
        "In week 47, no migrant returned home. That is down from 280 the week before; "
        "4,810 have returned so far this year."
    )


def test_returns_zero_all_year():
    fig = returns(0, 0, 0, by_flight_type=flights())
    assert n.returns_paragraph(fig) == (
        "In week 47, no migrant returned home. That is unchanged from the week before; "
        "no migrant has returned so far this year."
    )


def test_returns_suppressed_omit_the_share():
    fig = returns(3, 2, 40, women=1, by_flight_type=flights(0, 0, 3, 1))
    assert n.returns_paragraph(fig) == (
        "In week 47, fewer than 5 migrants returned home on 1 commercial booking. That is a similar "
        "number to the week before; 40 have returned so far this year."
    )


def test_returns_few_women_omit_the_share():
    fig = returns(60, 3, 500, women=2, by_flight_type=flights(60, 1))
    assert n.returns_paragraph(fig) == (
        "In week 47, 60 migrants returned home on 1 charter flight. That is up from fewer "
        "than 5 the week before; 500 have returned so far this year."
    )


def test_returns_first_of_the_year():
    fig = make(
        as_of=date(2026, 1, 11),
        returns={"week": 40, "previous": 0, "ytd": 40},
        women_girls={"week": 10},
        by_flight_type=flights(40, 1),
    )
    assert n.returns_paragraph(fig) == (
        "In week 2, 40 migrants returned home on 1 charter flight, 25 % of them women and "
        "girls. These are the first returns this year."
    )


def test_returns_mid_week():
    fig = make(
        as_of=date(2026, 11, 24),
        returns={"week": 19, "previous": 55, "ytd": 1921},
        women_girls={"week": 5},
        by_flight_type=flights(17, 5, 2, 1),
    )
    assert n.returns_paragraph(fig) == (
        "In week 48 so far (to 24 November), 19 migrants returned home on 5 charter flights "
        "and 1 commercial booking, 26 % of them women and girls. That is down from 55 the "
        "week before; 1,921 have returned so far this year."
    )


def test_returns_missing():
    assert n.returns_paragraph(make()) == (
        "Figures on returns are not available: the case records were not in this week's exports."
    )


def destinations(**week) -> pd.DataFrame:
    names = {"NGA": "Nigeria", "MLI": "Mali", "NER": "Niger", "GMB": "Gambia"}
    return pd.DataFrame(
        {"name": [names[c] for c in week], "week": list(week.values())},
        index=pd.Index(list(week), name="destination"),
    )


def test_destinations_many_and_children():
    fig = returns(80, 0, 80, children=11, by_destination=destinations(NGA=40, MLI=30, NER=7, GMB=3))
    assert n.destinations_paragraph(fig) == (
        "The main destinations were Nigeria (40), Mali (30) and Niger (7), out of 4 countries "
        "of return. Among them were 11 children."
    )


def test_destinations_one_country_few_children_and_none():
    fig = returns(40, 0, 40, children=2, by_destination=destinations(NGA=40, MLI=0))
    assert n.destinations_paragraph(fig) == (
        "All returned to Nigeria. Among them were fewer than 5 children."
    )
    fig = returns(43, 0, 43, children=0, by_destination=destinations(NGA=40, MLI=3))
    assert n.destinations_paragraph(fig) == (
        "They returned to Nigeria (40) and Mali (fewer than 5). None of them was a child."
    )


def test_destinations_left_out_without_returns():
    assert n.destinations_paragraph(returns(0, 5, 5, by_destination=destinations(NGA=0))) == ""
    assert n.destinations_paragraph(make()) == ""


# --------------------------------------------------------------------------- the others


def test_pipeline():
    pipeline = {"counselled": 24, "awaiting_documents": 590, "awaiting_ftt": 0, "manifested": 3}
    assert n.pipeline_paragraph(make(pipeline=pipeline)) == (
        "Migrants in the pipeline on 22 November: 24 counselled, 590 awaiting travel "
        "documents, none awaiting a fit-to-travel check and fewer than 5 manifested for a flight."
    )
    empty = dict.fromkeys(pipeline, 0)
    assert n.pipeline_paragraph(make(pipeline=empty)) == (
        "No migrant was in the pipeline on 22 November (counselled, awaiting travel documents "
        "or a fit-to-travel check, or manifested)."
    )
    assert n.pipeline_paragraph(make()) == (
        "Figures on the pipeline are not available: the case records were not in this "
        "week's exports."
    )


def vulnerable(week, ytd, returned=100, **codes) -> WeeklyFigures:
    table = pd.DataFrame({"week": list(codes.values()), "ytd": list(codes.values())})
    table.index = pd.Index(list(codes), name="vulnerability")
    return make(
        vulnerable={"week": week, "previous": 0, "ytd": ytd},
        returns={"week": returned, "previous": 0, "ytd": ytd},
        by_vulnerability=table,
    )


def test_vulnerability_many():
    fig = vulnerable(25, 410, medical=12, vot=8, uasc=5)
    assert n.vulnerability_paragraph(fig) == (
        "In week 47, 25 vulnerable migrants were assisted to return: 12 people with medical "
        "needs, 8 victims of trafficking and 5 unaccompanied children; 410 vulnerable migrants "
        "have been assisted to return so far this year."
    )


def test_vulnerability_suppressed_and_overlapping():
    fig = vulnerable(3, 410, medical=3, pregnant=1, uasc=0)
    assert n.vulnerability_paragraph(fig) == (
        "In week 47, fewer than 5 vulnerable migrants were assisted to return: fewer than 5 people with medical "
        "needs and fewer than 5 pregnant women (a person may have more than one vulnerability); 410 "
        "vulnerable migrants have been assisted to return so far this year."
    )


def test_vulnerability_zero():
    assert n.vulnerability_paragraph(vulnerable(0, 410, returned=55)) == (
        "None of the migrants who returned in week 47 had a recorded vulnerability; 410 "
        "vulnerable migrants have been assisted to return so far this year."
    )
    assert n.vulnerability_paragraph(vulnerable(0, 0, returned=0)) == (
        "No vulnerable migrant was assisted to return in week 47; no vulnerable migrant has "
        "been assisted to return so far this year."
    )


def test_vulnerability_missing():
    assert n.vulnerability_paragraph(make()).startswith("Figures on vulnerable cases are not")


def referrals(week, overdue, **services) -> WeeklyFigures:
    return make(
        referrals_week=week,
        referrals_overdue=overdue,
        referrals_by_service=pd.Series(services, dtype=int),
    )


def test_referrals():
    assert n.referrals_paragraph(referrals(14, 9, medical=6, legal=5, cash=3)) == (
        "In week 47, 14 referrals were made to specialised services, most often for medical "
        "care; 9 follow-ups were overdue on 22 November."
    )
    assert n.referrals_paragraph(referrals(3, 0, medical=2, legal=1)) == (
        "In week 47, fewer than 5 referrals were made to specialised services; no follow-up was "
        "overdue on 22 November."
    )
    assert n.referrals_paragraph(referrals(0, 1)) == (
        "No referral was made to specialised services in week 47; fewer than 5 follow-ups were overdue "
        "on 22 November."
    )
    assert n.referrals_paragraph(make()) == (
        "Figures on referrals are not available: the referral records were not in this "
        "week's exports."
    )


def activities(sessions, f=0, m=0, children=0, distributions=0, kits=0) -> WeeklyFigures:
    return make(
        outreach_sessions=sessions,
        participants={"f": f, "m": m, "children": children},
        nfi_distributions=distributions,
        nfi_kits=kits,
    )


def test_activities():
    assert n.activities_paragraph(activities(3, 60, 50, 35, 2, 120)) == (
        "3 outreach sessions were held this week, reaching 145 participants (60 women, 50 men "
        "and 35 children); 120 NFI kits were distributed in 2 distributions."
    )
    assert n.activities_paragraph(activities(1, 20, 0, 3, 1, 1)) == (
        "1 outreach session was held this week, reaching 23 participants (20 women, no man "
        "and fewer than 5 children); 1 NFI kit was distributed in 1 distribution."
    )
    assert n.activities_paragraph(activities(1, 2, 1)) == (
        "1 outreach session was held this week, reaching fewer than 5 participants; no NFI kit was "
        "distributed."
    )
    assert n.activities_paragraph(activities(0)) == (
        "There was no outreach session this week; no NFI kit was distributed."
    )
    assert n.activities_paragraph(make()) == (
        "Figures on outreach and distributions are not available: the activity log records "
        "were not in this week's exports."
    )


def test_hosting():
    fig = make(hosting={"active": 175, "new": 15, "exits": 13})
    assert n.hosting_paragraph(fig) == (
        "On 22 November, 175 migrants were in community hosting (host families and safe "
        "shelters); 15 new placements started and 13 ended this week."
    )
    fig = make(hosting={"active": 0, "new": 0, "exits": 2})
    assert n.hosting_paragraph(fig) == (
        "On 22 November, no migrant was in community hosting (host families and safe "
        "shelters); no new placement started and fewer than 5 ended this week."
    )
    fig = make(hosting={"active": 3, "new": 1, "exits": 0})
    assert n.hosting_paragraph(fig) == (
        "On 22 November, fewer than 5 migrants were in community hosting (host families and safe "
        "shelters); fewer than 5 new placements started and none ended this week."
    )
    assert n.hosting_paragraph(make()).startswith("Figures on community hosting are not")


@pytest.mark.parametrize(
    ("passed", "records", "expected"),
    [
        (True, 23, "The quality gate passed; 23 records need correcting."),
        (False, 23, "The quality gate failed; 23 records need correcting."),
        (True, 0, "The quality gate passed; no record needs correcting."),
        (False, 2, "The quality gate failed; fewer than 5 records need correcting."),
        (None, 1234, "The quality gate did not run; 1,234 records need correcting."),
    ],
)
def test_data_quality(passed, records, expected):
    assert n.data_quality_paragraph(make(gate_passed=passed, records_to_correct=records)) == (
        expected
    )


def test_weekly_narrative_without_any_dataset_does_not_crash():
    paragraphs = n.weekly_narrative(make(gate_passed=None))
    assert len(paragraphs) == 7  # destinations left out
    assert all("not available" in p for p in paragraphs[:-1])
    assert paragraphs[-1] == "The quality gate did not run; no record needs correcting."
