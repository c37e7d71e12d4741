"""The checking notebooks run top to bottom with papermill on generated exports, and show
what an independent `run_check` says: records to fix, go / no-go per passenger, changes
since a previous run. With ``restricted=False`` no real id or name reaches an output."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from protection_workbench.check import run_check
from protection_workbench.synth.generate import generate_demo_exports

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
KERNEL = "protection-workbench"
AS_OF = "2026-11-24"
NAMES = ("case_integrity", "manifest_review", "referrals_followup")


def papermill(name: str, out: Path, parameters: dict) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "papermill",
        str(NOTEBOOKS / f"{name}.ipynb"),
        str(out),
        "--kernel",
        KERNEL,
        "--cwd",
        str(NOTEBOOKS),
        "--no-progress-bar",
        "--log-level",
        "ERROR",
        "-y",
        yaml.safe_dump(parameters),
    ]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Generate exports, check them independently, execute the three notebooks in parallel."""
    tmp = tmp_path_factory.mktemp("checking")
    data = tmp / "demo"
    generate_demo_exports(data, 3000, 11, date(2026, 11, 24), 0.02)
    check = run_check(data, AS_OF, gate=False)
    current = check.findings
    # The previous run: one current finding was not there yet (new), one is gone (fixed).
    extra = pd.DataFrame(
        [["cases", "IND-99990001", "LY-VHR-9999001", "C004", "error", "dates out of order"]],
        columns=current.columns,
    )
    previous = pd.concat([current.iloc[1:], extra], ignore_index=True)
    previous_path = tmp / "previous_findings.csv"
    previous.to_csv(previous_path, index=False)

    base = {"data_dir": str(data), "as_of": AS_OF, "run_id": "test-run"}
    extra_params = {"case_integrity": {"previous_findings": str(previous_path)}}
    procs = {
        name: papermill(name, tmp / f"{name}.ipynb", base | extra_params.get(name, {}))
        for name in NAMES
    }
    logs = {name: proc.communicate(timeout=240)[0] for name, proc in procs.items()}
    for name, proc in procs.items():
        assert proc.returncode == 0, f"{name} failed:\n{logs[name][-3000:]}"
    executed = {name: json.loads((tmp / f"{name}.ipynb").read_text("utf-8")) for name in NAMES}
    return {"check": check, "previous": previous, "executed": executed}


def outputs(nb: dict) -> list[dict]:
    return [o for cell in nb["cells"] if cell["cell_type"] == "code" for o in cell["outputs"]]


def output_text(nb: dict) -> str:
    """Everything a reader sees: streams, markdown, HTML and plain text (not images)."""
    parts = []
    for o in outputs(nb):
        if "text" in o:
            parts.append("".join(o["text"]))
        for mime, value in o.get("data", {}).items():
            if mime.startswith("text/"):
                parts.append("".join(value) if isinstance(value, list) else str(value))
    return "\n".join(parts)


def markdown(nb: dict) -> str:
    return "\n".join(
        "".join(o["data"]["text/markdown"])
        for o in outputs(nb)
        if "text/markdown" in o.get("data", {})
    )


@pytest.mark.parametrize("name", NAMES)
def test_notebook_runs_without_errors(run, name):
    nb = run["executed"][name]
    errors = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert errors == [], errors[:1]
    assert "test-run" in markdown(nb)  # the header names the run


def test_case_integrity_shows_gate_verdict_and_records_to_fix(run):
    text = markdown(run["executed"]["case_integrity"])
    assert re.search(r"\*\*Quality gate: (PASSED|FAILED)\*\*", text)
    shown = re.search(r"\*\*([\d,]+) records to fix\*\*", text)
    assert shown, "records-to-fix count missing"
    assert int(shown.group(1).replace(",", "")) == len(run["check"].findings)


def test_case_integrity_shows_changes_since_previous_run(run):
    text = markdown(run["executed"]["case_integrity"])
    found = re.search(
        r"\*\*([\d,]+) new\*\*, \*\*([\d,]+) fixed\*\*, \*\*([\d,]+) still open\*\*", text
    )
    assert found, "change summary missing"
    new, fixed, still_open = (int(g.replace(",", "")) for g in found.groups())
    assert (new, fixed, still_open) == (1, 1, len(run["check"].findings) - 1)


def test_manifest_review_decisions_match_run_check(run):
    text = markdown(run["executed"]["manifest_review"])
    chosen = re.search(r"\*\*Manifest\*\* (\S+):", text).group(1)
    manifest = run["check"].export.frames["manifest"]
    flights = manifest.groupby("manifest_id")["flight_date"].min().sort_index(kind="stable")
    upcoming = flights[flights > pd.Timestamp(AS_OF)].sort_values(kind="stable")
    assert chosen == upcoming.index[0]  # the first flight after the as-of date

    passengers = set(manifest.loc[manifest["manifest_id"] == chosen, "individual_id"].astype(str))
    findings = run["check"].findings
    ours = findings[(findings["dataset"] == "manifest") & findings["record_id"].isin(passengers)]
    errors = set(ours.loc[ours["severity"] == "error", "record_id"])
    warned = set(ours.loc[ours["severity"] == "warning", "record_id"]) - errors
    expected = (len(passengers) - len(errors) - len(warned), len(warned), len(errors))
    shown = re.search(r"\*\*Decision: (\d+) GO, (\d+) GO \(check\), (\d+) NO-GO\*\*", text)
    assert shown, "decision summary missing"
    assert tuple(int(g) for g in shown.groups()) == expected


@pytest.mark.parametrize("name", NAMES)
def test_reviewer_version_shows_no_real_id_or_name(run, name):
    text = output_text(run["executed"][name])
    assert not re.search(r"IND-\d{8}", text)
    assert not re.search(r"LY-VHR-\d{7}", text)
    cases = run["check"].export.frames["cases"]
    for place in cases["location"].dropna().astype(str).unique():  # "Ain Zara DC" is no name
        text = text.replace(place, " ")
    first_names = set(cases["first_name"].dropna().astype(str))
    shown = [n for n in first_names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
    assert shown == [], shown[:5]
