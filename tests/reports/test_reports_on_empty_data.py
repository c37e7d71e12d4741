"""Every report on an export where datasets have no rows and on dates before any data
(issue 20, defect 4): the code of each report notebook — the report modules' main functions
in the order the notebook calls them — runs to the end, in this process, on the run's
prepared data (as the weekly and period runs hand it over), and the period indicators are
computed. A new notebook of notebooks/ is covered by being listed in REPORTS."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from protection_workbench.clean.folder import discover
from protection_workbench.run.check import run_check
from protection_workbench.synth.generate import generate_demo_exports

ROOT = Path(__file__).resolve().parents[2]
AS_OF = date(2026, 11, 24)
HOSTING = ("placements", "visits")


def header_only(folder: Path, datasets: tuple[str, ...] | None = None) -> None:
    """Keep only the header row of each export file of ``datasets`` (all: None)."""
    for dataset, files in discover(folder).datasets.items():
        if datasets is not None and dataset not in datasets:
            continue
        for path in files.paths:
            if path.suffix.lower() == ".xlsx":
                book = openpyxl.load_workbook(path)
                for sheet in book.worksheets:
                    sheet.delete_rows(2, sheet.max_row)
                book.save(path)
            else:
                raw = path.read_bytes()
                path.write_bytes(raw[: raw.index(b"\n") + 1])


@pytest.fixture(scope="module")
def exports(tmp_path_factory) -> dict[str, Path]:
    """A small generated export, as is and with datasets header-only."""
    base = tmp_path_factory.mktemp("empty-reports")
    full = base / "full"
    generate_demo_exports(full, 300, 11, AS_OF, 0.02)
    out = {"full": full}
    for name, datasets in (("no rows", None), ("no hosting rows", HOSTING)):
        folder = base / name.replace(" ", "-")
        generate_demo_exports(folder, 300, 11, AS_OF, 0.02)
        header_only(folder, datasets)
        out[name] = folder
    return out


def prepared(exports, tmp_path, export: str, as_of) -> tuple[Path, Path]:
    data = exports[export]
    folder = tmp_path / "prepared"
    folder.mkdir()
    result = run_check(data, as_of)
    assert not result.failed_rules
    result.save(folder)
    return data, folder


def notebook_code(name: str) -> tuple[str, list[str]]:
    """The parameters cell and the other code cells of ``notebooks/<name>.ipynb``."""
    cells = json.loads((ROOT / "notebooks" / f"{name}.ipynb").read_text("utf-8"))["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    params = [c for c in code if "parameters" in c.get("metadata", {}).get("tags", [])]
    return "".join(params[0]["source"]), ["".join(c["source"]) for c in code if c not in params]


def run_notebook_code(name: str, parameters: dict, cwd: Path, monkeypatch) -> dict:
    """Execute the notebook's code as papermill would (its parameters, then the run's), in
    this process; returns its names. A failing report raises here."""
    monkeypatch.chdir(cwd)  # the notebooks run in notebooks/ (papermill's cwd)
    params, cells = notebook_code(name)
    names: dict = {"__name__": f"notebook_{name}"}
    exec(compile(params, f"{name}:parameters", "exec"), names)
    names.update(parameters)
    for i, cell in enumerate(cells):
        exec(compile(cell, f"{name}:cell {i + 1}", "exec"), names)
    return names


WEEKLY = [
    "weekly_report",
    "data_quality",
    "case_integrity",
    "manifest_review",
    "referrals_followup",
    "community_hosting",
]
SCENARIOS = [
    pytest.param("no rows", AS_OF, id="every-dataset-header-only"),
    pytest.param("no hosting rows", AS_OF, id="placements-and-visits-header-only"),
    pytest.param("full", date(2019, 1, 31), id="as-of-before-any-data"),
    pytest.param("full", date(2025, 10, 1), id="as-of-before-any-placement"),
]


@pytest.mark.slow
@pytest.mark.parametrize(("export", "as_of"), SCENARIOS)
def test_every_weekly_report_runs_to_the_end(exports, tmp_path, monkeypatch, export, as_of):
    data, folder = prepared(exports, tmp_path, export, as_of)
    failed = {}
    for name in WEEKLY:
        tables = tmp_path / "tables" / name
        tables.mkdir(parents=True)
        parameters = {
            "data_dir": str(data),
            "as_of": as_of.isoformat(),
            "run_id": "test",
            "prepared_dir": str(folder),
            "tables_dir": str(tables),
        }
        if name == "weekly_report":
            parameters["notes_file"] = str(data / "highlights.md")
        try:
            run_notebook_code(name, parameters, ROOT / "notebooks", monkeypatch)
        except Exception as exc:  # collect every failing report, not only the first
            failed[name] = f"{type(exc).__name__}: {exc}"
    assert failed == {}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("export", "first", "last"),
    [
        pytest.param("no rows", "2026-10-01", "2026-10-31", id="every-dataset-header-only"),
        pytest.param("no hosting rows", "2026-10-01", "2026-10-31", id="hosting-header-only"),
        pytest.param("full", "2019-01-01", "2019-01-31", id="a-month-before-any-data"),
    ],
)
def test_the_period_report_runs_to_the_end(exports, tmp_path, monkeypatch, export, first, last):
    data, folder = prepared(exports, tmp_path, export, pd.Timestamp(last).date())
    names = run_notebook_code(
        "period_report",
        {
            "data_dir": str(data),
            "date_from": first,
            "date_to": last,
            "run_id": "test",
            "prepared_dir": str(folder),
        },
        ROOT / "notebooks",
        monkeypatch,
    )
    assert names["report"] is not None


def _broken(ctx):
    raise TypeError("a fault planted by the test")


def test_a_rule_that_failed_is_named_on_the_checking_reports(exports, tmp_path, monkeypatch):
    """H001 raising: check_rules reports it, the prepared data keep it, and the case
    integrity and hosting reports name it (code and title, never the error's text); the
    referrals report, which no hosting rule feeds, does not."""
    import IPython.display
    from IPython.display import Markdown

    from protection_workbench.rules import RULES

    monkeypatch.setitem(RULES, "H001", dataclasses.replace(RULES["H001"], check=_broken))
    data, folder = exports["full"], tmp_path / "prepared"
    result = run_check(data, AS_OF)
    assert set(result.failed_rules) == {"H001"} and not result.passed
    result.save(folder)
    shown: list = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs, **kw: shown.extend(objs))
    parameters = {
        "data_dir": str(data),
        "as_of": AS_OF.isoformat(),
        "run_id": "test",
        "prepared_dir": str(folder),
        "tables_dir": "",
    }
    for name in ("case_integrity", "community_hosting", "manifest_review"):
        shown.clear()
        run_notebook_code(name, parameters, ROOT / "notebooks", monkeypatch)
        texts = [o.data for o in shown if isinstance(o, Markdown)]
        named = [t for t in texts if "could not run" in t]
        if name == "manifest_review":
            assert named == []
        else:
            assert len(named) == 1 and "H001 Monitoring visit overdue" in named[0]
        assert not any("a fault planted" in t for t in texts)
