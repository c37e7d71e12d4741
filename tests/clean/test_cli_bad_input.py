"""`workbench clean` on bad input: one clear message naming the file, exit 2, no traceback,
and no output folder that could be taken for a complete one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

GOOD_REFERRALS = (
    "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,Result\n"
    "REF-1,IND-1,03/11/2026,Medical,UNICEF,10/11/2026,09/11/2026,assisted\n"
)


def _workbench(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "protection_workbench", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def _xlsx(path: Path) -> Path:
    book = xlsxwriter.Workbook(path)
    sheet = book.add_worksheet()
    for r, line in enumerate(GOOD_REFERRALS.splitlines()):
        for c, value in enumerate(line.split(",")):
            sheet.write(r, c, value)
    book.close()
    return path


def _empty(folder: Path) -> str:
    (folder / "referrals.csv").write_bytes(b"")
    return "empty"


def _wrong_delimiter(folder: Path) -> str:
    header, row = GOOD_REFERRALS.splitlines()
    rows = f"{row.replace(',', ';')}\n" * 3
    (folder / "referrals.csv").write_text(f"{header}\n{rows}", "utf-8")
    return "delimiter"


def _not_a_spreadsheet(folder: Path) -> str:
    (folder / "referrals.csv").write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00\x01")
    return "not a CSV"


def _truncated_xlsx(folder: Path) -> str:
    path = _xlsx(folder / "referrals.xlsx")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return "XLSX"


def _missing_column(folder: Path) -> str:
    (folder / "referrals.csv").write_text("Referral No,Individual No\nREF-1,IND-1\n", "utf-8")
    return "referral_date"


def _no_date_parses(folder: Path) -> str:
    rows = [f"REF-{i},IND-{i},someday,medical,UNICEF,next week,,pending" for i in range(1, 6)]
    header = GOOD_REFERRALS.splitlines()[0]
    (folder / "referrals.csv").write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return "is a date"


@pytest.mark.parametrize(
    "make",
    [
        _empty,
        _wrong_delimiter,
        _not_a_spreadsheet,
        _truncated_xlsx,
        _missing_column,
        _no_date_parses,
    ],
)
def test_bad_input_is_one_clear_message_and_no_output(tmp_path: Path, make):
    data = tmp_path / "exports"
    data.mkdir()
    expected = make(data)
    out = tmp_path / "cleaning"
    proc = _workbench("clean", "--data", str(data), "--out", str(out))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.startswith("workbench: error: ")
    assert "referrals." in proc.stderr  # names the file
    assert expected in proc.stderr
    assert not out.exists(), "a failed run must not leave an output folder"
    assert [p.name for p in tmp_path.iterdir()] == ["exports"], "staging left behind"


def test_a_good_folder_is_cleaned_and_reported(tmp_path: Path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "referrals.csv").write_text(GOOD_REFERRALS, "utf-8")
    _xlsx(data / "hosts_unrelated.xlsx")  # not a dataset name: reported, not read
    out = tmp_path / "cleaning"
    proc = _workbench("clean", "--data", str(data), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "referrals" in proc.stdout
    assert sorted(p.name for p in out.iterdir()) == [
        ".workbench-output.json",  # says the workbench made the folder, and what it wrote
        "cleaned",  # the cleaned data as Parquet (owner-only)
        "cleaning_report.json",
        "cleaning_summary.csv",
        "quarantine.csv",
        "value_issues.csv",
    ]


def test_a_missing_folder_is_named(tmp_path: Path):
    proc = _workbench("clean", "--data", str(tmp_path / "nope"), "--out", str(tmp_path / "o"))
    assert proc.returncode == 2
    assert "nope" in proc.stderr and "Traceback" not in proc.stderr
