"""The community hosting notebook runs top to bottom with papermill on generated exports
(two seeds, in parallel), shows figures that an independent count from the generator's
truth frames agrees with, publishes its tables with an HXL row, and shows no id and no
visit note."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import notebook_runs
import pandas as pd
import pytest
from notebook_runs import NOTEBOOKS, output_text, outputs, start_papermill

from protection_workbench.publish.disclosure import marker_note, say_count
from protection_workbench.synth.generate import generate_demo_exports, load_truth

pytestmark = pytest.mark.slow

AS_OF = "2026-11-24"
PERIOD_DAYS = 28
SEEDS = (5, 23)
ID_PATTERN = re.compile(r"(PLC|HST|IND)-\d+")
TABLES = (
    "active_placements",
    "occupancy_weekly",
    "exits_by_reason",
    "length_of_stay",
    "visits_status",
    "major_issue_follow_up",
    "payments",
    "alerts",
)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """For each seed: generated exports, the executed notebook and its tables folder."""
    tmp = tmp_path_factory.mktemp("hosting")
    procs, out = {}, {}
    for seed in SEEDS:
        data = tmp / f"demo-{seed}"
        generate_demo_exports(data, 3000, seed, date(2026, 11, 24), 0.02)
        tables = tmp / f"tables-{seed}"
        parameters = {
            "data_dir": str(data),
            "as_of": AS_OF,
            "run_id": f"test-{seed}",
            "period_days": PERIOD_DAYS,
            "tables_dir": str(tables),
        }
        procs[seed] = start_papermill(
            "community_hosting", tmp / f"hosting-{seed}.ipynb", parameters
        )
        out[seed] = {"data": data, "tables": tables}
    logs = {seed: proc.communicate(timeout=240)[0] for seed, proc in procs.items()}
    for seed, proc in procs.items():
        assert proc.returncode == 0, f"seed {seed} failed:\n{logs[seed][-3000:]}"
        out[seed]["nb"] = json.loads((tmp / f"hosting-{seed}.ipynb").read_text("utf-8"))
        out[seed]["truth"] = load_truth(out[seed]["data"])[0]
    return out


def markdown(nb: dict) -> str:
    """The Markdown the notebook displayed, character references decoded (the header's
    values are escaped for Markdown)."""
    return html.unescape(notebook_runs.markdown(nb))


def headline(nb: dict, label: str) -> str:
    found = re.search(rf"{label}[^*]*\*\*([^*]+)\*\*", markdown(nb))
    assert found, f"{label!r} missing from the headline"
    return found.group(1)


@pytest.mark.parametrize("seed", SEEDS)
def test_notebook_runs_without_errors_and_shows_charts(runs, seed):
    nb = runs[seed]["nb"]
    errors = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert errors == [], errors[:1]
    # one header block: in a run the page's banner names the run and the sources
    assert f"test-{seed}" not in markdown(nb) and "**Data sources**" not in markdown(nb)
    assert marker_note() in markdown(nb)  # the one footnote on the markers
    images = [o for o in outputs(nb) if "image/png" in o.get("data", {})]
    assert len(images) >= 6


@pytest.mark.parametrize("seed", SEEDS)
def test_headline_figures_match_the_truth(runs, seed):
    nb, placements = runs[seed]["nb"], runs[seed]["truth"]["placements"]
    day = pd.Timestamp(AS_OF)
    start, end = placements["start_date"], placements["end_date"]
    active = (start <= day) & (end.isna() | (day < end))
    # a sentence reads "fewer than 5" for "<5" and "not shown" for "[c]"
    assert headline(nb, "Active placements on") in (say_count(int(active.sum())), "not shown")
    first = day - pd.Timedelta(days=PERIOD_DAYS - 1)
    new = start.between(first, day)
    assert headline(nb, "New placements in the 28 days to") == say_count(int(new.sum()))


@pytest.mark.parametrize("seed", SEEDS)
def test_headline_states_its_periods_and_agrees_with_the_tables(runs, seed):
    text = markdown(runs[seed]["nb"])
    # the major issues of the headline are those of the period's follow-up table ...
    line = re.search(r"- Major issues found in the 28 days to 24 November: .*", text).group(0)
    table = re.search(
        r"Major issues found in the period, by follow-up", output_text(runs[seed]["nb"])
    )
    assert table and "followed up late" in line and "still open" in line
    # ... and the rule's count, which looks back further, says so
    assert re.search(r"also before this period: \*\*", text)
    assert "Reporting period: the 28 days from 28 October 2026 to 24 November 2026" in text


@pytest.mark.parametrize("seed", SEEDS)
def test_reviewer_page_is_in_plain_english(runs, seed):
    text = output_text(runs[seed]["nb"])
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))
    assert re.findall(r"\b[a-z]+(?:_[a-z0-9]+)+\b", text) == []
    assert "Host family" in text and "Returned home (VHR)" in text  # codes as labels
    assert "tables_dir" not in text and "`" not in text


@pytest.mark.parametrize("seed", SEEDS)
def test_published_tables_have_an_hxl_row(runs, seed):
    folder = runs[seed]["tables"]
    for name in TABLES:
        path = folder / f"community_hosting_{name}.csv"
        assert path.is_file(), f"{path.name} not published"
        lines = path.read_text("utf-8").splitlines()
        assert len(lines) >= 3, f"{path.name} has no data"
        tags = lines[1].split(",")
        assert all(t.startswith("#") for t in tags), f"{path.name}: no HXL row"


@pytest.mark.parametrize("seed", SEEDS)
def test_no_id_and_no_visit_note_is_shown_or_published(runs, seed):
    published = "\n".join(p.read_text("utf-8") for p in runs[seed]["tables"].glob("*.csv"))
    text = output_text(runs[seed]["nb"]) + "\n" + published
    assert not ID_PATTERN.search(text), ID_PATTERN.search(text).group(0)
    notes = runs[seed]["truth"]["visits"]["notes"].dropna().astype(str).unique()
    assert len(notes) > 0
    shown = [note for note in notes if note in text]
    assert shown == [], shown[:3]


def test_the_stored_notebook_has_no_outputs_and_one_parameters_cell():
    nb = json.loads((NOTEBOOKS / "community_hosting.ipynb").read_text("utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)
    tagged = [c for c in code if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1
    assert "tables_dir = " in "".join(tagged[0]["source"])
