"""The quality gate validated in a worker process gives exactly the in-process results, falls
back to this process when the worker cannot help, and lets `run_check` keep Great
Expectations out of the main process altogether."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench import gate
from protection_workbench.clean.load import load_export
from protection_workbench.gate_worker import GateWorker, WorkerFailed, _receive, _send, serve
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("worker") / "demo"
    generate_demo_exports(folder, 1500, 11, AS_OF, 0.03)
    return folder


@pytest.fixture(scope="module")
def frames(demo) -> dict[str, pd.DataFrame]:
    return load_export(demo).frames


@pytest.fixture(scope="module")
def in_process(frames) -> gate.GateResult:
    return gate.run_gate(frames)


def test_worker_gives_the_in_process_results(frames, in_process):
    assert not in_process.passed  # defects planted: failures must travel back too
    with GateWorker() as worker:
        got = gate.run_gate(frames, worker=worker)
        again = gate.run_gate(frames, worker=worker)  # one worker serves several requests
    pd.testing.assert_frame_equal(got.results, in_process.results)
    pd.testing.assert_frame_equal(again.results, in_process.results)


def test_full_frame_validation_and_stored_results_through_the_worker(frames, tmp_path):
    mixed = dict(frames)
    cases = mixed["cases"].copy()
    cases["age"] = cases["age"].astype(object)  # not reducible: validated on every row
    mixed["cases"] = cases
    here = gate.run_gate(mixed, project_dir=tmp_path / "here")
    with GateWorker() as worker:
        there = gate.run_gate(mixed, project_dir=tmp_path / "there", worker=worker)
    pd.testing.assert_frame_equal(there.results, here.results)
    assert not here.results.query("dataset == 'cases' and column == 'age'")["success"].all()
    stored = sorted((tmp_path / "there").rglob("*.json"))
    assert {p.stem for p in stored} == set(here.datasets)
    for path in stored:
        data = json.loads(path.read_text())
        assert data["results"], path
        assert all(
            set(r["result"]) <= {*gate.gx_validate.SAFE_RESULT_KEYS, "observed_value"}
            for r in data["results"]
        )


@pytest.mark.parametrize(
    "command",
    [["/nonexistent/python"], [sys.executable, "-c", "import sys; sys.exit(3)"]],
    ids=["cannot start", "dies"],
)
def test_a_failed_worker_falls_back_to_this_process(frames, in_process, command, caplog):
    caplog.set_level(logging.WARNING, logger="protection_workbench.gate")
    with GateWorker(command) as worker:
        got = gate.run_gate(frames, worker=worker)
        with pytest.raises(WorkerFailed):
            worker.validate([])
    pd.testing.assert_frame_equal(got.results, in_process.results)
    warnings = [r for r in caplog.records if "validating in this process" in r.message]
    assert len(warnings) == 1


def test_closing_ends_the_worker():
    worker = GateWorker()
    proc = worker._proc
    worker.close()
    assert proc.returncode is not None
    with pytest.raises(WorkerFailed):
        worker.validate([])


def test_serve_answers_errors_and_ends_at_end_of_input():
    requests = io.BytesIO()
    _send(requests, ("bogus", []))
    _send(requests, ("validate", []))
    requests.seek(0)
    answers = io.BytesIO()
    assert serve(requests, answers) == 0
    answers.seek(0)
    status, detail = _receive(answers)
    assert status == "error" and "unknown request 'bogus'" in detail
    assert _receive(answers) == ("ok", [])
    with pytest.raises(EOFError):
        _receive(answers)


def test_run_check_keeps_great_expectations_out_of_the_main_process(demo):
    code = f"""
import sys
from protection_workbench.check import run_check
result = run_check({str(demo)!r}, "2026-11-24")
assert result.gate is not None and len(result.gate.results) > 0
assert not result.gate.passed
print("great_expectations" in sys.modules)
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "False", "the gate should have run in the worker process"
