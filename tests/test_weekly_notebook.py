"""The weekly report notebook runs with papermill on generated exports (two weeks, two
seeds): the number of returns in its first sentence is the number of departed people in
the generator's clean truth, as published, and the figure of its returns table; no real id
or name reaches an output or a published table."""

from __future__ import annotations

import html
import json
import re
from datetime import date, timedelta

import notebook_runs
import pandas as pd
import pytest
from notebook_runs import outputs, start_papermill

from protection_workbench.publish.disclosure import marker_note, show_count
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
RETURNS = re.compile(
    r"In week (\d+)(?: so far \(to [^)]*\))?, (?:no migrant|(\S+) migrants) returned home"
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("weekly")
    procs = {}
    for name, (seed, params, _) in RUNS.items():
        data = tmp / f"demo-{name}"
        generate_demo_exports(data, 3000, seed, GENERATED, 0.01)
        parameters = {
            "data_dir": str(data),
            "run_id": f"test-{name}",
            "tables_dir": str(tmp / f"tables-{name}"),
            **params,
        }
        procs[name] = start_papermill("weekly_report", tmp / f"{name}.ipynb", parameters)
    logs = {name: proc.communicate(timeout=240)[0] for name, proc in procs.items()}
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
    """Streams, markdown, HTML and plain text of the notebook, and the published tables."""
    parts = []
    for o in outputs(run["nb"]):
        if "text" in o:
            parts.append("".join(o["text"]))
        for mime, value in o.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append("".join(value) if isinstance(value, list) else str(value))
    parts += [p.read_text("utf-8") for p in sorted(run["tables"].glob("*.csv"))]
    return "\n".join(parts)


def truth_returns(truth: dict[str, pd.DataFrame], as_of: date) -> int:
    """Departed people with a departure date from the Monday of the as-of week to as-of."""
    cases = truth["cases"]
    monday = as_of - timedelta(days=as_of.weekday())
    in_week = cases["departure_date"].between(pd.Timestamp(monday), pd.Timestamp(as_of))
    return int(cases.loc[(cases["case_status"] == "departed") & in_week, "individual_id"].nunique())


@pytest.mark.parametrize("name", RUNS)
def test_notebook_runs_without_errors(runs, name):
    nb = runs[name]["nb"]
    errors = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert errors == [], errors[:1]
    assert f"test-{name}" in markdown(nb)  # the header names the run
    assert marker_note() in markdown(nb)  # the one footnote on the markers
    images = [o for o in outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) == 3  # trend, destinations, sex and age


@pytest.mark.parametrize("name", RUNS)
def test_returns_sentence_matches_the_truth_and_the_table(runs, name):
    run = runs[name]
    found = RETURNS.search(markdown(run["nb"]))
    assert found, "returns sentence missing"
    assert int(found.group(1)) == run["as_of"].isocalendar().week
    expected = show_count(truth_returns(run["truth"], run["as_of"]))
    assert (found.group(2) or "0") == expected
    flights, tags = read_hxl_csv(run["tables"] / "returns_by_flight_type.csv")
    total = flights.set_index("flight_type").loc["Total", "people this week"]
    assert str(total) == expected
    assert tags["people this week"] == "#affected+returned+week"
    trend, _ = read_hxl_csv(run["tables"] / "returns_by_week.csv")
    assert str(trend["returns"].iloc[-1]) == expected


@pytest.mark.parametrize("name", RUNS)
def test_no_real_id_or_name_is_shown(runs, name):
    run = runs[name]
    text = everything_shown(run)
    assert "IND-" not in text
    assert "LY-VHR-" not in text
    cases = run["truth"]["cases"]
    places = set(cases["location"].dropna().astype(str))
    places |= {country_name(c) for c in cases["destination_country"].dropna().unique()}
    for place in sorted(places, key=len, reverse=True):
        text = text.replace(place, " ")
    first_names = set(cases["first_name"].dropna().astype(str))
    shown = [n for n in first_names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
    assert shown == [], shown[:5]
