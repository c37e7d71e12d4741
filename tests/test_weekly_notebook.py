"""The weekly report notebook runs with papermill on generated exports (a whole ISO week
and a week in progress, two seeds): its sections come in the order a programme manager
reads them, the team's notes right after the week in brief, the returns sentence is true
of the generator's clean truth and equal to its published table, the published tables are
plain-number CSVs with an HXL row, and no real id or name reaches an output."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import notebook_runs
import pandas as pd
import pytest
from notebook_runs import outputs, start_papermill

from protection_workbench.publish import notes
from protection_workbench.publish.hxl import read_hxl_csv
from protection_workbench.reports.weekly import country_name
from protection_workbench.synth.generate import generate_demo_exports, load_truth

pytestmark = pytest.mark.slow

GENERATED = date(2026, 11, 24)
# (seed, parameters, the as-of date they mean): a whole ISO week, and a week in progress.
RUNS = {
    "week47": (3, {"week": "2026-W47"}, date(2026, 11, 22)),
    "midweek": (8, {"as_of": "2026-11-24"}, date(2026, 11, 24)),
}
SECTIONS = [
    "The week in brief",
    "Flights",
    "Returns",
    "Case flow",
    "Referrals",
    "Activities",
    "Community hosting",
    "Published tables",
]
PLANTED = "The embassy of Niger issued travel documents for the whole waiting list."
RETURNS = re.compile(
    r"In week (\d+)(?: so far \(to [^)]*\))?, (?:no migrant|(fewer than 5|\S+) migrants|"
    r"a number of migrants \(not shown\)) returned home"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("weekly")
    procs = {}
    for name, (seed, params, _) in RUNS.items():
        data = tmp / f"demo-{name}"
        generate_demo_exports(data, 3000, seed, GENERATED, 0.01)
        if name != "midweek":  # without notes: the demo's sample highlights.md goes
            notes.default_notes_path(data).unlink()
        notes_file = tmp / f"notes-{name}.md"
        notes_file.write_text(f"## Highlights\n\n{PLANTED}\n", "utf-8")
        parameters = {
            "data_dir": str(data),
            "run_id": f"test-{name}",
            "tables_dir": str(tmp / f"tables-{name}"),
            "notes_file": str(notes_file) if name == "midweek" else None,
            **params,
        }
        procs[name] = start_papermill("weekly_report", tmp / f"{name}.ipynb", parameters)
    logs = {name: proc.communicate(timeout=300)[0] for name, proc in procs.items()}
    for name, proc in procs.items():
        assert proc.returncode == 0, f"{name} failed:\n{logs[name][-3000:]}"
    return {
        name: {
            "nb": json.loads((tmp / f"{name}.ipynb").read_text("utf-8")),
            "truth": load_truth(tmp / f"demo-{name}")[0],
            "tables": tmp / f"tables-{name}",
            "as_of": as_of,
        }
        for name, (_, _, as_of) in RUNS.items()
    }


def markdown(nb: dict) -> str:
    return html.unescape(notebook_runs.markdown(nb))


def everything_shown(run: dict) -> str:
    """Everything the notebook shows, and the published tables."""
    parts = [notebook_runs.output_text(run["nb"])]
    parts += [p.read_text("utf-8") for p in sorted(run["tables"].glob("*.csv"))]
    return "\n".join(parts)


def truth_returns(truth: dict[str, pd.DataFrame], as_of: date) -> int:
    """Departed people with a departure date from the Monday of the as-of week to as-of."""
    cases = truth["cases"]
    monday = as_of - timedelta(days=as_of.weekday())
    in_week = cases["departure_date"].between(pd.Timestamp(monday), pd.Timestamp(as_of))
    return int(cases.loc[(cases["case_status"] == "departed") & in_week, "individual_id"].nunique())


def agrees(shown: str, true: int) -> bool:
    if shown in ("<5", "fewer than 5"):
        return 1 <= true <= 4
    if shown in ("[c]", "not shown"):
        return true >= 1
    return shown == f"{true:,}"


@pytest.mark.parametrize("name", RUNS)
def test_notebook_runs_with_one_title_and_readable_charts(runs, name):
    nb = runs[name]["nb"]
    errors = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert errors == [], errors[:1]
    titles = [c for c in nb["cells"] if c["cell_type"] == "markdown" and
              "".join(c["source"]).startswith("# ")]  # fmt: skip
    assert len(titles) == 1
    assert not re.search(r"(?m)^# ", markdown(nb))  # no second title from a cell's output
    images = [o for o in outputs(nb) if "image/png" in o.get("data", {})]
    assert 1 <= len(images) <= 3  # by week, by country, by age group and sex: drawable ones
    for image in images:
        alt = image["metadata"]["image/png"]["alt"]
        assert alt.startswith("Bar chart"), alt


@pytest.mark.parametrize("name", RUNS)
def test_sections_in_the_order_a_manager_reads_them_with_the_notes_after_the_brief(runs, name):
    cells = runs[name]["nb"]["cells"]
    headings = [
        "".join(c["source"]).splitlines()[0][3:]
        for c in cells
        if c["cell_type"] == "markdown" and "".join(c["source"]).startswith("## ")
    ]
    assert headings == SECTIONS
    where = {h: i for i, c in enumerate(cells) for h in SECTIONS
             if "".join(c["source"]).startswith(f"## {h}")}  # fmt: skip
    shown = [
        i
        for i, c in enumerate(cells)
        if c["cell_type"] == "code"
        and any(
            notes.HEADING in "".join(o.get("data", {}).get("text/html", "")) for o in c["outputs"]
        )
    ]
    assert len(shown) == 1 and where["The week in brief"] < shown[0] < where["Flights"]
    text = notebook_runs.output_text(runs[name]["nb"])
    if name == "midweek":
        assert text.count(PLANTED) == 1
    else:
        assert notes.NO_NOTES in text


@pytest.mark.parametrize("name", RUNS)
def test_returns_sentence_matches_the_truth_and_the_table(runs, name):
    run = runs[name]
    found = RETURNS.search(markdown(run["nb"]))
    assert found, "returns sentence missing"
    assert int(found.group(1)) == run["as_of"].isocalendar().week
    said = found.group(2) or ("not shown" if "not shown" in found.group(0) else "0")
    true = truth_returns(run["truth"], run["as_of"])
    assert agrees(said, true), (said, true)
    returns, tags = read_hxl_csv(run["tables"] / "weekly_returns.csv")
    published = str(returns["This week"].iloc[0])
    assert agrees(published, true)
    assert tags["This week"] == "#reached+ind"  # HXL dictionary: people reached


@pytest.mark.parametrize("name", RUNS)
def test_published_tables_hold_plain_numbers(runs, name):
    tables = runs[name]["tables"]
    pipeline = (tables / "weekly_pipeline.csv").read_text("utf-8")
    assert not re.search(r'"\d{1,3}(,\d{3})+"', pipeline)  # 1234, never "1,234"
    disclosure = json.loads((tables / "weekly_disclosure.json").read_text("utf-8"))
    assert 0 <= disclosure["cells_hidden"] <= disclosure["cells"]
    flights, _ = read_hxl_csv(tables / "weekly_flights.csv")
    assert {"Flight date", "Departure airport", "Destination", "Flight type", "Passengers"} <= set(
        flights.columns
    )


@pytest.mark.parametrize("name", RUNS)
def test_no_real_id_or_name_is_shown(runs, name):
    run = runs[name]
    text = everything_shown(run)
    assert "IND-" not in text
    assert "LY-VHR-" not in text
    assert "MNF-" not in text and "COM-" not in text  # flights are named by date and place
    cases = run["truth"]["cases"]
    places = set(cases["location"].dropna().astype(str))
    places |= {country_name(c) for c in cases["destination_country"].dropna().unique()}
    for place in sorted(places, key=len, reverse=True):
        text = text.replace(place, " ")
    first_names = set(cases["first_name"].dropna().astype(str))
    shown = [n for n in first_names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
    assert shown == [], shown[:5]


@pytest.mark.parametrize("name", RUNS)
def test_caseload_by_where_they_stay_and_referrals_made_are_shown_and_published(runs, name):
    """Issue 22: the caseload on the report date by location type and the referrals made
    this week by service: in the week in brief, on the page and published (HXL CSV), each
    agreeing with the generator's truth."""
    run, as_of = runs[name], runs[name]["as_of"]
    cases = run["truth"]["cases"].drop_duplicates("individual_id")
    open_cases = cases[~cases["case_status"].isin(["departed", "cancelled"])]
    caseload, tags = read_hxl_csv(run["tables"] / "weekly_caseload_by_location_type.csv")
    caseload = caseload.set_index(caseload.columns[0])
    plain = lambda cell: f"{int(cell):,}" if str(cell).isdigit() else str(cell)  # noqa: E731
    assert agrees(plain(caseload.loc["Total", "People"]), len(open_cases))
    assert tags["People"] == "#reached+ind"
    assert {"Detention centre", "Urban", "Shelter", "Community hosting"} <= set(caseload.index)
    refs = run["truth"]["referrals"]
    monday = as_of - timedelta(days=as_of.weekday())
    made = refs["referral_date"].between(pd.Timestamp(monday), pd.Timestamp(as_of)).sum()
    referrals, _ = read_hxl_csv(run["tables"] / "weekly_referrals_made_by_service.csv")
    referrals = referrals.set_index(referrals.columns[0])
    assert agrees(plain(referrals.loc["Total", "This week"]), int(made))
    text = markdown(run["nb"])
    total = f"{len(open_cases):,}"
    assert f"(everyone not departed or cancelled): {total} individuals" in text or (
        "(everyone not departed or cancelled):" in text and len(open_cases) < 5
    )
    assert "referrals to services" in text or "referral to a service" in text
    shown = notebook_runs.output_text(run["nb"])
    assert "Caseload on the report date by where they stay" in shown
    assert "Referrals made this week, by service" in shown
