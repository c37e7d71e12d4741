"""Hostile notes (issue 20, defect 6): personal data spelled so that a line-by-line look
misses it but a reviewer's page shows it — a name wrapped over two lines of Markdown or
broken by an invisible character, phones with non-breaking spaces, slashes, other
groupings, wrapped or in full-width digits — and a child singled out by a description. The
check reads the notes as they will be rendered; its messages never hold the value."""

from __future__ import annotations

import re
from datetime import date

import pandas as pd
import pytest

from protection_workbench.clean.load import load_export
from protection_workbench.publish import notes
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)
FIRST, LAST = "Yacouba", "Sangare"
PHONE_DIGITS = "0912345678"


@pytest.fixture(scope="module")
def frames(tmp_path_factory) -> dict[str, pd.DataFrame]:
    """Generated records with one planted person, as the weekly run checks the notes."""
    folder = tmp_path_factory.mktemp("hostile-notes") / "demo"
    generate_demo_exports(folder, 400, 5, AS_OF, 0.0)
    loaded = load_export(folder).frames
    cases = loaded["cases"].copy()
    cases.loc[cases.index[3], ["first_name", "last_name"]] = [FIRST, LAST]
    return {**loaded, "cases": cases}


def kinds(text: str, frames=None, **options) -> list[tuple[int, str]]:
    return [(f.line, f.kind) for f in notes.find_personal_data(text, frames=frames, **options)]


def shown(text: str) -> str:
    """What a reader sees of the rendered notes: tags dropped, invisible characters gone."""
    visible = re.sub(r"<[^>]+>", "", notes.render_markdown(text))
    return re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", visible)


HIDDEN_NAMES = {
    "wrapped over two lines": f"## Highlights\n\nWe met {FIRST}\n{LAST} at the centre.\n",
    "wrapped in a list item": f"## Highlights\n\n- We met {FIRST}\n  {LAST} at the centre.\n",
    "zero-width space inside": f"## Highlights\n\nWe met {FIRST[:3]}\u200b{FIRST[3:]} {LAST}.\n",
    "zero-width joiner and word joiner": f"## Highlights\n\nWe met {FIRST}\u2060 {LAST[:2]}\u200d{LAST[2:]}.\n",
    "soft hyphen inside": f"## Highlights\n\nWe met {FIRST[:4]}\u00ad{FIRST[4:]} {LAST}.\n",
    "non-breaking space between": f"## Highlights\n\nWe met {FIRST}\u00a0{LAST}.\n",
    "full-width letters": "## Highlights\n\nWe met "
    + "".join(chr(ord(c) + 0xFEE0) for c in f"{FIRST} {LAST}")
    + ".\n",
    "bold half of the name": f"## Highlights\n\nWe met **{FIRST[:3]}**{FIRST[3:]} {LAST}.\n",
    "a comment inside the name": f"## Highlights\n\nWe met {FIRST[:3]}<!-- x -->{FIRST[3:]} {LAST}.\n",
}


@pytest.mark.parametrize("text", HIDDEN_NAMES.values(), ids=HIDDEN_NAMES.keys())
def test_a_name_hidden_from_a_line_by_line_look_is_found_where_it_starts(frames, text):
    assert f"{FIRST} {LAST}" in shown(text).replace("\u00a0", " ") or "Ｙ" in text
    # as a first and last name of one person (a rare name alone is found on its own)
    assert kinds(text, frames, rare_below=0) == [(3, notes.NAME)]


HIDDEN_PHONES = {
    "non-breaking spaces": "091\u00a0234\u00a05678",
    "narrow no-break spaces, international": "+218\u202f91\u202f234\u202f5678",
    "slashes": "091/234/5678",
    "slashes, international": "+218/91/234/5678",
    "grouped 4-3-3": "0912 345 678",
    "grouped in pairs": "09 12 34 56 78",
    "en dashes": "091–234–5678",
    "full-width digits": "".join(chr(ord(c) + 0xFEE0) for c in PHONE_DIGITS),
    "zero-width spaces between digits": "\u200b".join(PHONE_DIGITS),
    "Arabic-Indic digits with non-breaking spaces": "٠٩١\u00a0٢٣٤\u00a0٥٦٧٨",
}


@pytest.mark.parametrize("phone", HIDDEN_PHONES.values(), ids=HIDDEN_PHONES.keys())
def test_a_phone_in_any_spelling_is_found(phone):
    assert kinds(f"## Highlights\n\nCall the focal point on {phone} for news.\n") == [
        (3, notes.PHONE)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "## Highlights\n\nCall the focal point on 091 234\n5678 for news.\n",
        "## Highlights\n\nCall the focal point on +218 91\n234 5678 for news.\n",
        "## Highlights\n\n- Call the focal point on 091\n  234 5678 for news.\n",
    ],
    ids=["paragraph", "international", "list item"],
)
def test_a_phone_wrapped_over_two_lines_is_found_on_its_first_line(text):
    assert kinds(text) == [(3, notes.PHONE)]


def test_an_id_with_invisible_or_full_width_characters_is_found():
    hidden = "IND-\u200b00000123"
    wide = "".join(chr(ord(c) + 0xFEE0) if c != "-" else "－" for c in "IND-00000123")
    assert kinds(f"Fine.\nPlease look at {hidden} again.") == [(2, notes.RECORD_ID)]
    assert kinds(f"Fine.\nPlease look at {wide} again.") == [(2, notes.RECORD_ID)]


SINGLED_OUT = [
    "1 unaccompanied Ethiopian boy (15) returned from Misrata on 7 December.",
    "A girl aged 9 was referred to the partner.",
    "One 16-year-old Sudanese girl was moved to the shelter.",
    "An Ethiopian boy, 15, was referred for medical care.",
    "Two Eritrean women aged 30 and 34 from Sebha were referred.",
    "Three separated children (12, 14 and 16) from Kufra were placed with a host.",
    "A pregnant Nigerian woman (22) was released from detention.",
    "A 15-year-old from Eritrea was released.",
    "A baby (3 months) from Sebha was referred.",
]


@pytest.mark.parametrize("sentence", SINGLED_OUT)
def test_a_person_singled_out_by_age_and_origin_or_place_is_found(sentence):
    assert kinds(f"## Highlights\n\nA good week.\n{sentence}\n") == [(4, notes.DESCRIPTION)]


def test_a_description_wrapped_over_lines_is_found_where_it_starts():
    text = (
        "## Highlights\n\nThis week 1 unaccompanied\nEthiopian boy (15) returned from\nMisrata.\n"
    )
    assert kinds(text) == [(3, notes.DESCRIPTION)]


AGGREGATES = [
    "39 children returned to Niger this week.",
    "A group of children aged 10 to 15 attended the session in Sebha.",
    "Two charter flights took 310 people home; 40 children were under 5.",
    "3 children under 5 returned to Niger.",
    "One flight took 150 people aged 18 to 60 to Nigeria on 2 December.",
    "A woman aged 40 attended the training.",
    "12 unaccompanied children (aged 14 to 17) were referred to UNICEF.",
    "A charter to Banjul on 2026-12-02; training for 20 host families.",
    "A 2-day training for 25 women in Sebha.",
    "One boy and two girls were referred to the partner.",
    "A 5-year plan was agreed with UNICEF in Tripoli.",
]


@pytest.mark.parametrize("sentence", AGGREGATES)
def test_aggregates_are_not_taken_for_a_person(sentence):
    assert kinds(f"## Highlights\n\n{sentence}\n") == []


def test_a_notes_file_with_every_hostile_spelling_is_refused_by_line_and_kind(frames, tmp_path):
    lines = [
        "## Highlights",  # 1
        "",
        f"We met {FIRST}",  # 3: the name, wrapped
        f"{LAST} at the centre.",
        "",
        "Call 091\u00a0234\u00a05678 for news.",  # 6
        "",
        SINGLED_OUT[0],  # 8
        "",
        "39 children returned to Niger this week.",  # 10: an aggregate
    ]
    path = tmp_path / "highlights.md"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    found = notes.check_notes_file(path, frames)
    assert [(f.line, f.kind) for f in found] == [
        (3, notes.NAME),
        (4, notes.NAME),  # a name so rare that it is found alone too
        (6, notes.PHONE),
        (8, notes.DESCRIPTION),
    ]
    message = notes.personal_data_message(path, found)
    for value in (FIRST, LAST, "234", "5678", "Ethiopian", "Misrata", "(15)"):
        assert value not in message


def test_what_is_checked_is_what_is_rendered():
    """The renderer and the check share one reading of the blocks: the rendered paragraph
    holds the joined name that the check finds."""
    text = f"## Highlights\n\nWe met {FIRST}\n{LAST} at the centre.\n"
    assert f"<p>We met {FIRST} {LAST} at the centre.</p>" in notes.render_markdown(text)
