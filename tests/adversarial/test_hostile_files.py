"""Hostile or broken input files (issue 20): every row accounted for, bounded work.

Kept together with the other classes of the adversarial tests (hostile names, notes and
folders, beside this module). Real files through the real readers and the CLI.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from xlsx_parts import write_xlsx

from protection_workbench.clean import xlsx_guard
from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.limits import Limits
from protection_workbench.clean.read import read_csv, read_table
from protection_workbench.config import ConfigError, default_config_dir, load_config
from protection_workbench.errors import InputFileError
from protection_workbench.synth.generate import generate_demo_exports

REFERRALS_HEADER = "REFERRAL_ID,individual_id,Referral Date,Sector,referred_to,FOLLOW_UP_DUE,Status"
VISITS_HEADER = "Visit Ref,PLACEMENT_ID,visit_date,Visit Type,compliance,Followed Up,notes"


def _referral(i: int, partner: str = "UNICEF") -> str:
    return f"REF-{i:07d},IND-{i:08d},03/11/2026,medical,{partner},10/11/2026,pending"


def _referrals(tmp_path: Path, lines: list[str], name: str = "referrals.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([REFERRALS_HEADER, *lines]) + "\n", "utf-8")
    return path


def _stray_quote(line: str) -> str:
    """``line`` with a quote opened before its second value and never closed."""
    key, rest = line.split(",", 1)
    return f'{key},"{rest}'


def _accounted(ds) -> None:
    report = ds.report
    assert report.rows_in == report.rows_clean + report.rows_quarantined
    assert len(ds.frame) == report.rows_clean and len(ds.quarantine) == report.rows_quarantined


def _clean_cli(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "protection_workbench", "clean", "--data", str(data)]
        + ["--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )


# --------------------------------------------------------------------------- broken quotes


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("hostile-demo") / "demo"
    generate_demo_exports(folder, 300, 3, date(2026, 11, 24))
    return folder


def test_stray_quote_in_a_generated_export_loses_no_row(demo: Path, tmp_path: Path):
    """The issue's case: line 5 of a generated referrals.csv opens a quote it never closes.
    It used to swallow the rest of the file (4 rows read, none quarantined, exit 0)."""
    data = tmp_path / "data"
    data.mkdir()
    for name in ("cases.csv", "referrals.csv"):
        (data / name).write_bytes((demo / name).read_bytes())
    raw = (data / "referrals.csv").read_bytes()
    lines = raw.split(b"\n")
    lines[4] = lines[4].replace(b",IND-", b',"IND-', 1)
    assert b'"IND-' in lines[4]
    (data / "referrals.csv").write_bytes(b"\n".join(lines))
    before = clean_dataset("referrals", demo / "referrals.csv").report.rows_in

    ds = clean_dataset("referrals", data / "referrals.csv")
    _accounted(ds)
    assert ds.report.rows_in == before
    assert ds.report.rows_quarantined == 1 and ds.report.rows_clean == before - 1
    held = ds.quarantine.iloc[0]
    assert (held["file"], held["line"], held["column"]) == ("referrals.csv", 5, "individual_id")
    assert "not closed" in held["reason"] and "end of the file" in held["reason"]
    assert [n["line"] for n in ds.report.notes if n["kind"] == "broken_quoting"] == [5]

    proc = _clean_cli(data, tmp_path / "out")
    assert proc.returncode == 0, proc.stderr
    quarantine = (tmp_path / "out" / "quarantine.csv").read_text("utf-8")
    assert "referrals.csv,5,individual_id," in quarantine


def test_stray_quote_closed_by_a_later_quoted_value_loses_no_row(tmp_path: Path):
    """The stray quote pairs with the opening quote of a legitimate quoted value 20 lines
    down ("Tripoli, Libya"): the lines between are read, and that value stays whole."""
    lines = [_referral(i) for i in range(1, 41)]
    lines[3] = _stray_quote(lines[3])  # file line 5
    lines[23] = _referral(24, '"IMC, Tripoli"')
    path = _referrals(tmp_path, lines)
    for arrow in (True, False):
        table = read_csv(path, arrow=arrow)
        assert [r.line for r in table.set_aside] == [5]
        assert len(table) == 39 and 5 not in table.line_numbers.tolist()
        assert table.data["referred_to"].tolist()[22] == "IMC, Tripoli"
    ds = clean_dataset("referrals", path)
    _accounted(ds)
    assert (ds.report.rows_in, ds.report.rows_clean) == (40, 39)


def test_a_stray_quote_swallowing_more_than_a_value_can_hold_loses_no_row(tmp_path: Path):
    """The swallowed value outgrows the csv module's field limit (it used to be refused,
    exit 2): the line is set aside and the 5 000 lines after it read."""
    lines = [_referral(i) for i in range(1, 5001)]
    lines[3] = _stray_quote(lines[3])  # line 5
    path = _referrals(tmp_path, lines)
    ds = clean_dataset("referrals", path)
    _accounted(ds)
    assert (ds.report.rows_in, ds.report.rows_clean) == (5000, 4999)
    assert ds.quarantine["line"].tolist() == [5]
    assert "not closed" in ds.quarantine["reason"].iloc[0]


def test_two_stray_quotes_are_both_set_aside(tmp_path: Path):
    """The second stray quote closes the first: once the first line is set aside, the
    second swallows the rest of the file, and is set aside in turn."""
    lines = [_referral(i) for i in range(1, 31)]
    lines[2] = _stray_quote(lines[2])  # line 4
    lines[15] = _stray_quote(lines[15])  # line 17
    path = _referrals(tmp_path, lines)
    for arrow in (True, False):
        table = read_csv(path, arrow=arrow)
        assert [r.line for r in table.set_aside] == [4, 17]
        assert len(table) == 28
    ds = clean_dataset("referrals", path)
    _accounted(ds)
    assert ds.quarantine["line"].tolist() == [4, 17]


def test_legitimate_quoted_commas_and_notes_over_several_lines_are_read_whole(tmp_path: Path):
    """Quoted values holding commas, doubled quotes, and notes written over several lines
    (the contract's free text) are data, not broken quotes: nothing is set aside."""
    note = '"Host asked, again, about the payment date.\nChild ill, referred to IMC, ok."'
    rows = [
        VISITS_HEADER,
        f"VIS-1,PLC-1,13/12/2025,routine,compliant,yes,{note}",
        'VIS-2,PLC-2,14/12/2025,routine,compliant,,"said ""fine"", nothing else"',
        "VIS-3,PLC-3,15/12/2025,routine,compliant,,",
        'VIS-4,PLC-4,16/12/2025,routine,compliant,no,"line one\n\nline three, with a comma"',
    ]
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    ds = clean_dataset("visits", path)
    _accounted(ds)
    assert ds.report.rows_quarantined == 0 and ds.report.rows_clean == 4
    assert ds.provenance["source_line"].tolist() == [2, 4, 5, 6]
    notes = ds.frame["notes"].astype(str).tolist()
    assert "Child ill, referred to IMC" in notes[0] and notes[1] == 'said "fine", nothing else'


def test_a_stray_quote_in_a_free_text_note_is_found_by_the_records_it_swallows(tmp_path: Path):
    """In a notes column line breaks are allowed; a quote that swallows whole records there
    is still a broken quote."""
    rows = [VISITS_HEADER] + [
        f"VIS-{i},PLC-{i},13/12/2025,routine,compliant,,ok" for i in range(1, 21)
    ]
    rows[3] = rows[3].replace(",ok", ',"ok')  # line 4: the note's quote is never closed
    rows[12] = rows[12].replace(",ok", ',"fine"')  # ... but a later note's quote closes it
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    ds = clean_dataset("visits", path)
    _accounted(ds)
    assert ds.quarantine["line"].tolist() == [4]
    assert ds.report.rows_clean == 19


@pytest.mark.parametrize("sep", [";", "\t", "|"])
def test_a_stray_quote_in_a_note_of_a_semicolon_tab_or_pipe_export(tmp_path: Path, sep: str):
    rows = [VISITS_HEADER.replace(",", sep)] + [
        sep.join([f"VIS-{i}", f"PLC-{i}", "13/12/2025", "routine", "compliant", "", "ok"])
        for i in range(1, 16)
    ]
    rows[3] = rows[3][: -len("ok")] + '"ok'  # line 4: never closed ...
    rows[10] = rows[10][: -len("ok")] + '"a\nb"'  # ... but for this note's opening quote
    path = tmp_path / "visits.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    for arrow in (True, False):
        table = read_csv(path, arrow=arrow)
        assert [r.line for r in table.set_aside] == [4], arrow
        assert len(table) == 14 and table.data["notes"].tolist()[8] == "a\nb"  # line 11


def test_a_line_break_where_the_contract_has_none_sets_the_record_aside(tmp_path: Path):
    """A referral id written over two lines (a misplaced quote, or a pasted line break):
    the record is set aside with the lines it covers, never merged or guessed."""
    lines = [_referral(i) for i in range(1, 6)]
    lines[1] = '"REF-00\n00002",IND-00000002,03/11/2026,medical,UNICEF,10/11/2026,pending'
    path = _referrals(tmp_path, lines)
    ds = clean_dataset("referrals", path)
    _accounted(ds)
    assert ds.report.rows_in == 5 and ds.report.rows_clean == 4
    held = ds.quarantine.iloc[0]
    assert (held["line"], held["column"]) == (3, "referral_id")
    assert "lines 3-4" in held["reason"]
    assert ds.provenance["source_line"].tolist() == [2, 5, 6, 7]
    # Without the contract (read_table alone) every column may hold line breaks.
    assert read_table(path).set_aside == []


def test_every_file_of_a_dataset_is_accounted_for(tmp_path: Path):
    """Rows in = clean + quarantined for each manifest file, one of them broken."""
    header = (
        "manifest_id,flight_date,flight_type,departure_airport,destination_country,"
        "individual_id,first_name,last_name,date_of_birth,nationality,document_number,"
        "ftt_status"
    )
    good = [
        f"COM-20261127-MJI-GHA,27/11/2026,commercial,MJI,Ghana,IND-{i},A,B,1990-01-01,"
        "Ghana,ETD1,fit"
        for i in range(1, 6)
    ]
    broken = list(good)
    broken[1] = broken[1].replace(",IND-", ',"IND-')
    first = tmp_path / "manifest_A.csv"
    second = tmp_path / "manifest_B.csv"
    first.write_text("\n".join([header, *good]) + "\n", "utf-8")
    second.write_text("\n".join([header, *broken]) + "\n", "utf-8")
    ds = clean_dataset("manifest", [first, second])
    _accounted(ds)
    assert ds.report.rows_in == 10 and ds.report.rows_quarantined == 1
    assert ds.quarantine[["file", "line"]].values.tolist() == [["manifest_B.csv", 3]]


@pytest.mark.parametrize("every", [1, 3])
def test_a_file_of_broken_quotes_is_refused_after_bounded_work(tmp_path: Path, every: int):
    """A stray quote on every line (or every third line, where each round of setting lines
    aside and reading again would find only half of them): refused naming the first line,
    after a bounded number of reads, never by a long loop."""
    lines = [_referral(i) for i in range(1, 60_001)]
    for k in range(0, len(lines), every):
        lines[k] = lines[k].replace(",pending", ',"pending')
    path = _referrals(tmp_path, lines)
    started = time.perf_counter()
    with pytest.raises(InputFileError, match=r"line 2: a quote is not closed") as info:
        read_table(path)
    assert time.perf_counter() - started < 20
    assert "IND-" not in str(info.value) and "pending" not in str(info.value)


def test_a_few_hundred_stray_quotes_are_all_set_aside(tmp_path: Path):
    lines = [_referral(i) for i in range(1, 1501)]
    for k in range(0, len(lines), 3):
        lines[k] = lines[k].replace(",pending", ',"pending')
    ds = clean_dataset("referrals", _referrals(tmp_path, lines))
    _accounted(ds)
    assert ds.report.rows_quarantined == 500 and ds.report.rows_clean == 1000
    assert ds.quarantine["line"].tolist() == list(range(2, 1502, 3))


# --------------------------------------------------------------------------- XLSX extent

NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
ACTIVITIES = [
    "activity_id",
    "date",
    "activity_type",
    "location",
    "mantika",
    "participants_f",
    "participants_m",
    "participants_children",
    "items",
    "notes",
]


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _sheet(body: str) -> str:
    header = "".join(_inline(f"{chr(65 + i)}1", h) for i, h in enumerate(ACTIVITIES))
    return f'{NS}<sheetData><row r="1">{header}</row>{body}</sheetData></worksheet>'


def _activity(row: int) -> str:
    return (
        f'<row r="{row}">{_inline(f"A{row}", f"ACT-{row}")}{_inline(f"B{row}", "2026-11-20")}'
        f"{_inline(f'C{row}', 'distribution')}{_inline(f'D{row}', 'Tripoli')}"
        f"{_inline(f'E{row}', 'Tripoli')}</row>"
    )


def _measured_clean(data: Path, out: Path, timeout: float) -> tuple[int, str, float, float]:
    """``workbench clean`` in a fresh process: exit status, stderr, seconds and peak memory
    (MB) of that process alone."""
    probe = (
        "import resource, subprocess, sys, time\n"
        "t = time.perf_counter()\n"
        "limit = float(sys.argv[1])\n"
        "p = subprocess.run(sys.argv[2:], capture_output=True, text=True, timeout=limit)\n"
        "s = time.perf_counter() - t\n"
        "mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024\n"
        "print(p.returncode, s, mb)\n"
        "sys.stderr.write(p.stderr)\n"
    )
    command = [sys.executable, "-m", "protection_workbench", "clean", "--data", str(data)]
    proc = subprocess.run(
        [sys.executable, "-c", probe, str(timeout), *command, "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=timeout + 30,
    )
    code, seconds, mb = proc.stdout.split()
    return int(code), proc.stderr, float(seconds), float(mb)


def test_a_2_kb_workbook_with_a_cell_at_gr1048576_costs_seconds_not_a_minute(tmp_path: Path):
    """The issue's case: header and one cell at GR1048576 (inside max_rows x max_columns).
    It cost 58-112 s and 10 GB (calamine built 1 048 576 x 200 cells); now the two rows it
    holds are read, the value's row keeps its sheet row number and is accounted for."""
    data = tmp_path / "data"
    data.mkdir()
    body = '<row r="1048576"><c r="GR1048576"><v>1</v></c></row>'
    path = write_xlsx(data / "activities.xlsx", _sheet(body))
    assert path.stat().st_size < 2500
    code, stderr, seconds, mb = _measured_clean(data, tmp_path / "out", timeout=60)
    assert code == 0, stderr
    assert seconds < 10 and mb < 1000, (seconds, mb)
    table = read_table(path)
    assert table.line_numbers.tolist() == [1048576] and table.dropped_empty_rows == 1048574
    ds = clean_dataset("activities", path)
    _accounted(ds)
    assert ds.quarantine[["line", "column"]].values.tolist() == [[1048576, "activity_id"]]


def test_a_cell_whose_reference_lies_far_below_its_row_is_not_built_there(tmp_path: Path):
    """A cell in row element 2 whose own reference says GR1048576 (the XLSX reader places
    a cell by its reference): read on its row, nothing built in between."""
    path = write_xlsx(
        tmp_path / "activities.xlsx", _sheet('<row r="2"><c r="GR1048576"><v>1</v></c></row>')
    )
    started = time.perf_counter()
    table = read_table(path)
    assert time.perf_counter() - started < 5
    assert table.line_numbers.tolist() == [2] and table.data.shape == (1, 11)


FAR = {
    "a cell without a reference": '<row r="1048576"><c><v>1</v></c></row>',
    "prefixed tags": '<x:row r="1048576"><x:c r="GR1048576"><x:v>1</x:v></x:c></x:row>',
    "odd spacing": '<row  r = "1048576" ><c  r = "GR1048576" ><v>1</v></c></row>',
}


@pytest.mark.parametrize("name", list(FAR))
def test_far_cells_written_in_other_ways_are_read_on_their_row(tmp_path: Path, name: str):
    sheet = _sheet(FAR[name]).replace("<worksheet ", '<worksheet xmlns:x="x" ', 1)
    sheet = sheet.replace('xmlns:x="x"', 'xmlns:x="' + NS.split('"')[1] + '"')
    started = time.perf_counter()
    table = read_table(write_xlsx(tmp_path / "activities.xlsx", sheet))
    assert time.perf_counter() - started < 5
    assert table.line_numbers.tolist() == [1048576] and len(table.data) == 1


@pytest.mark.parametrize(
    "body",
    [
        '<row r="1048576"><c r="GR1048576"><v>1</v></c>',  # a row never closed
        '<c  r="GR1048576"><v>1</v></c>',  # a cell outside any row
    ],
)
def test_far_cells_outside_well_formed_rows_are_refused(tmp_path: Path, body: str):
    path = write_xlsx(tmp_path / "activities.xlsx", _sheet(body))
    started = time.perf_counter()
    with pytest.raises(InputFileError, match="outside its rows"):
        read_table(path)
    assert time.perf_counter() - started < 5


def test_rows_of_formatting_only_are_not_built(tmp_path: Path):
    """Many rows holding only formatted empty cells after the data (a trailing formatted
    area): not built, not refused, not counted as rows of the export."""
    formatted = "".join(f'<row r="{r}"><c r="J{r}" s="1"/></row>' for r in range(4, 60_000))
    path = write_xlsx(tmp_path / "activities.xlsx", _sheet(_activity(2) + _activity(3) + formatted))
    limits = Limits(max_cells=100_000)  # the sheet as it is: 60 000 rows x 10 columns
    table = read_table(path, limits)
    assert table.data["activity_id"].tolist() == ["ACT-2", "ACT-3"]
    assert table.line_numbers.tolist() == [2, 3] and table.dropped_empty_rows == 0


def test_a_sheet_with_too_many_real_cells_is_refused_naming_the_limit(tmp_path: Path):
    """30 000 rows, each with one value in column GR: 6 million cells to build from 30 000
    values (the reader builds every column up to the last value): refused with exit 2,
    naming the file, the limit and where it is set, before anything is built."""
    data = tmp_path / "data"
    data.mkdir()
    body = "".join(f'<row r="{r}"><c r="GR{r}"><v>1</v></c></row>' for r in range(2, 30_002))
    write_xlsx(data / "activities.xlsx", _sheet(body))
    code, stderr, seconds, mb = _measured_clean(data, tmp_path / "out", timeout=60)
    assert code == 2, stderr
    assert "activities.xlsx" in stderr and "max_cells" in stderr
    assert "config/thresholds.yaml" in stderr and "Traceback" not in stderr
    assert seconds < 10 and mb < 1000, (seconds, mb)


def test_a_huge_shared_strings_table_is_refused(tmp_path: Path):
    strings = "".join(f"<si><t>{i:x}</t></si>" for i in range(20_000))
    shared = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    )
    path = write_xlsx(
        tmp_path / "activities.xlsx",
        _sheet('<row r="2"><c r="A2" t="s"><v>0</v></c></row>'),
        shared=shared,
    )
    with pytest.raises(InputFileError, match=r"shared strings.*max_cells"):
        read_table(path, Limits(max_cells=10_000))
    assert read_table(path).data["activity_id"].tolist() == ["0"]


def test_a_compacted_sheet_reads_as_the_sheet_itself(tmp_path: Path, monkeypatch):
    """A sheet with a long empty stretch is read from a compacted copy: the same values and
    types (dates through the workbook's styles), sheet row numbers and empty rows as when
    calamine reads the sheet itself."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(ACTIVITIES)
    for r in (2, 3, 5003, 5004):
        values = [f"ACT-{r}", dt.datetime(2026, 11, r % 28 + 1), "distribution", "Tripoli"]
        values += ["Tripoli", 3, 4.5, None, r, "note"]
        for c, v in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=v)
    path = tmp_path / "activities.xlsx"
    wb.save(path)
    plan = xlsx_guard.check_xlsx(path, Limits())
    assert plan.first_sheet == "xl/worksheets/sheet1.xml"
    assert plan.to_compact(Limits()) is not None  # cells 5 000 rows below the 5 rows
    compact = read_table(path)
    monkeypatch.setattr(xlsx_guard.XlsxPlan, "to_compact", lambda self, limits: None)
    plain = read_table(path)
    pd.testing.assert_frame_equal(compact.data, plain.data)
    assert compact.line_numbers.tolist() == plain.line_numbers.tolist() == [2, 3, 5003, 5004]
    assert compact.dropped_empty_rows == plain.dropped_empty_rows == 4999
    assert isinstance(compact.data["date"].iloc[0], dt.date)  # a date, through the styles


def test_max_cells_is_validated_on_load(tmp_path: Path):
    config = tmp_path / "config"
    shutil.copytree(default_config_dir(), config)
    thresholds = config / "thresholds.yaml"
    text = thresholds.read_text("utf-8")
    assert "\nmax_cells: 5000000\n" in text
    assert Limits.of(load_config(config)).max_cells == 5_000_000
    thresholds.write_text(text.replace("\nmax_cells: 5000000\n", "\nmax_cells: 0\n"), "utf-8")
    with pytest.raises(ConfigError, match="max_cells"):
        load_config(config)
