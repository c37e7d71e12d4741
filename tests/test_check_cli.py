"""`workbench check` end to end on messy demo exports: the findings equal the injected
defects, exit codes follow the contract, partial folders and bad input behave."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from protection_workbench.rules import FINDING_COLUMNS
from protection_workbench.synth.generate import generate_demo_exports, load_truth

AS_OF = "2026-11-24"


def _workbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "protection_workbench", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def broken(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("check") / "demo"
    generate_demo_exports(out, 3000, 23, date.fromisoformat(AS_OF), 0.02)
    return out


@pytest.fixture(scope="module")
def checked(broken, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    out = tmp_path_factory.mktemp("findings") / "check"
    proc = _workbench("check", "--data", str(broken), "--as-of", AS_OF, "--out", str(out))
    return proc, out


def test_findings_are_exactly_the_injected_defects(broken, checked):
    proc, out = checked
    assert proc.returncode == 1, proc.stderr  # error findings
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert list(findings.columns) == FINDING_COLUMNS
    _, truth, _ = load_truth(broken)
    got = findings[["dataset", "record_id", "rule"]]
    merged = got.merge(truth, how="outer", indicator=True)
    assert (merged["_merge"] == "both").all(), merged[merged["_merge"] != "both"].head(10)


def test_terminal_summary_and_xlsx_for_case_workers(checked):
    proc, out = checked
    assert "Quality gate" in proc.stdout
    assert "Result: FAILED" in proc.stdout
    assert "C010" in proc.stdout
    book = load_workbook(out / "findings.xlsx", read_only=False)
    assert {"cases", "manifest", "placements", "payments", "referrals", "hosts", "rules"} <= set(
        book.sheetnames
    )
    sheet = book["cases"]
    assert sheet.auto_filter.ref, "filters must be on"
    assert [c.value for c in sheet[1]] == [
        "record_id",
        "case_id",
        "rule",
        "severity",
        "title",
        "message",
    ]
    findings = pd.read_csv(out / "findings.csv", dtype=str)
    assert sheet.max_row - 1 == (findings["dataset"] == "cases").sum()
    summary = json.loads((out / "check.json").read_text())
    assert summary["findings"]["total"] == len(findings)
    assert (out / "cleaning" / "cleaning_report.json").is_file()


def test_clean_data_passes_with_exit_0(tmp_path: Path):
    data = tmp_path / "demo"
    generate_demo_exports(data, 1500, 4, date.fromisoformat(AS_OF), 0.0)
    proc = _workbench("check", "--data", str(data), "--as-of", AS_OF, "--out", str(tmp_path / "o"))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Result: PASSED" in proc.stdout
    assert pd.read_csv(tmp_path / "o" / "findings.csv").empty


def test_a_folder_with_only_some_datasets_runs_the_rules_it_can(broken, tmp_path: Path):
    data = tmp_path / "some"
    data.mkdir()
    for name in ("cases.csv", "referrals.csv"):
        shutil.copy(broken / name, data / name)
    out = tmp_path / "o"
    proc = _workbench(
        "check", "--data", str(data), "--as-of", AS_OF, "--out", str(out), "--no-gate"
    )
    assert proc.returncode == 1, proc.stderr
    rules = set(pd.read_csv(out / "findings.csv", dtype=str)["rule"])
    assert rules and all(r[0] in "CR" for r in rules), rules
    assert "R002" in rules  # referrals checked against the cases present


def test_bad_input_exits_2_and_leaves_no_findings(tmp_path: Path):
    data = tmp_path / "bad"
    data.mkdir()
    (data / "cases.csv").write_bytes(b"PK\x03\x04 not really a spreadsheet \x00\x01")
    out = tmp_path / "o"
    proc = _workbench("check", "--data", str(data), "--as-of", AS_OF, "--out", str(out))
    assert proc.returncode == 2
    assert "cases.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert not out.exists()


def test_bad_arguments_exit_2(tmp_path: Path):
    proc = _workbench("check", "--data", str(tmp_path), "--as-of", "24/11/2026", "--out", "x")
    assert proc.returncode == 2
    assert "YYYY-MM-DD" in proc.stderr


def test_rules_lists_the_catalogue():
    proc = _workbench("rules")
    assert proc.returncode == 0
    codes = [line.split()[0] for line in proc.stdout.splitlines() if line.strip()]
    assert len(codes) == 30 and codes[0] == "C001" and "H005" in codes
    detail = _workbench("rules", "M004")
    assert "ftt_validity_days" in detail.stdout
    assert _workbench("rules", "X999").returncode == 2


def test_findings_xlsx_keeps_text_as_text(tmp_path: Path):
    from protection_workbench.run.check import write_findings_xlsx

    findings = pd.DataFrame(
        {
            "dataset": ["cases", "cases", "hosts"],
            "record_id": ['=HYPERLINK("http://x")', "00123", "H-1"],
            "case_id": ["C-1", None, None],
            "rule": ["C001", "C002", "H001"],
            "severity": ["error", "error", "warning"],
            "message": ["http://example.org", "individual_id on 2 rows", "+1 more"],
        }
    )
    path = tmp_path / "findings.xlsx"
    write_findings_xlsx(findings, path)
    book = load_workbook(path)
    assert book.sheetnames == ["cases", "hosts", "rules"]
    rows = [[c.value for c in row] for row in book["cases"].iter_rows(min_row=2)]
    assert [r[0] for r in rows] == ['=HYPERLINK("http://x")', "00123"]
    assert all(c.data_type == "s" for c in book["cases"]["A"][1:])  # not a formula
    assert rows[1][1] is None and rows[0][4]  # missing case_id blank; rule title filled in
    assert not book["cases"]["F2"].hyperlink
    assert book["hosts"].max_row == 2
