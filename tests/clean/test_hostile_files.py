"""Hostile or broken input files: bounded work, honest text, messages that never echo content.

One regression test per finding of the safety issue (real files, the real readers).
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from xlsx_parts import write_xlsx

from protection_workbench.clean import read as read_module
from protection_workbench.clean import xlsx_guard
from protection_workbench.clean.dataset import clean_dataset
from protection_workbench.clean.folder import discover
from protection_workbench.clean.read import Limits, check_xlsx, read_table
from protection_workbench.config import get_config
from protection_workbench.errors import InputFileError

REFERRALS_HEADER = (
    "Referral No,Individual No,Date of Referral,Service Type,Partner,Due Date,FU Date,Result"
)
NS = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'


def _row(i: int, name: str = "UNICEF") -> str:
    return f"REF-{i},IND-{i},03/11/2026,medical,{name},10/11/2026,,pending"


def _inline(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


# --------------------------------------------------------------------------- finding 1: XLSX


def test_xlsx_with_a_cell_at_xfd1048576_is_refused_before_loading(tmp_path: Path):
    """A few KB, one cell at the last cell of a sheet: refused (calamine would allocate
    16384 x 1048576 cells and abort the process)."""
    sheet = (
        f'{NS}<sheetData><row r="1">{_inline("A1", "id")}</row>'
        f'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    path = write_xlsx(tmp_path / "cases.xlsx", sheet)
    assert path.stat().st_size < 5000
    with pytest.raises(InputFileError, match="max_columns") as info:
        read_table(path)
    assert "cases.xlsx" in str(info.value)


def test_xlsx_declaring_the_whole_sheet_is_refused(tmp_path: Path):
    sheet = (
        f'{NS}<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{_inline("A1", "id")}'
        "</row></sheetData></worksheet>"
    )
    with pytest.raises(InputFileError, match=r"declares 16,384 columns.*max_columns"):
        read_table(write_xlsx(tmp_path / "cases.xlsx", sheet))


def test_xlsx_cells_without_references_are_counted(tmp_path: Path):
    """Cells may omit ``r``: their position comes from their order, and is bounded too."""
    cells = "<c><v>1</v></c>" * 250
    sheet = f'{NS}<sheetData><row r="1">{_inline("A1", "id")}</row><row>{cells}</row>'
    sheet += "</sheetData></worksheet>"
    with pytest.raises(InputFileError, match="max_columns"):
        read_table(write_xlsx(tmp_path / "cases.xlsx", sheet))


def test_xlsx_rows_beyond_the_limit_are_refused(tmp_path: Path):
    sheet = (
        f'{NS}<sheetData><row r="1">{_inline("A1", "id")}</row>'
        f'<row r="3000000"><c r="A3000000"><v>1</v></c></row></sheetData></worksheet>'
    )
    with pytest.raises(InputFileError, match="max_rows"):
        read_table(write_xlsx(tmp_path / "cases.xlsx", sheet))


def _shared_strings_bomb(path: Path, inflated: int) -> Path:
    """A workbook whose sharedStrings part is ``inflated`` bytes of near-empty strings
    (highly compressible: a zip bomb), written in pieces to keep the test light."""
    sheet = f'{NS}<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>'
    write_xlsx(path, sheet, shared=None)
    head = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    unit = b"<si><t>x</t></si>" * 4096
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
        z.open("xl/sharedStrings.xml", "w", force_zip64=True) as part,
    ):
        part.write(head)
        written = len(head)
        while written < inflated:
            part.write(unit)
            written += len(unit)
        part.write(b"</sst>")
    return path


def test_shared_strings_bomb_is_refused_with_a_small_limit(tmp_path: Path):
    path = _shared_strings_bomb(tmp_path / "hosts.xlsx", 3_000_000)
    limits = Limits(max_inflated_bytes=1_000_000)
    with pytest.raises(InputFileError, match="max_inflated_bytes") as info:
        read_table(path, limits)
    assert "hosts.xlsx" in str(info.value)


def test_bomb_ratio_is_refused_from_the_zip_directory_alone(tmp_path: Path, monkeypatch):
    """With the default limits, a part inflating thousands of times its size is refused
    from the sizes declared in the zip directory: nothing is inflated, nothing allocated."""
    path = _shared_strings_bomb(tmp_path / "hosts.xlsx", 12_000_000)
    inflated: list[str] = []
    real = xlsx_guard._inflated

    def spy(fh, info, limits, where):
        inflated.append(info.filename)
        return real(fh, info, limits, where)

    monkeypatch.setattr(xlsx_guard, "_inflated", spy)
    with pytest.raises(InputFileError, match="max_compression_ratio"):
        read_table(path)
    assert inflated == []


def test_actual_inflated_size_beyond_the_declared_one_is_refused(tmp_path: Path):
    """A part that inflates to more than its directory entry declares (a forged size)."""
    path = write_xlsx(tmp_path / "cases.xlsx", f"{NS}<sheetData/></worksheet>")
    payload = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    data = bytearray(path.read_bytes())
    # Shrink the declared uncompressed size in the central directory (and local header).
    for sig, size_at in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):
        start = 0
        while (i := data.find(sig, start)) >= 0:
            name_at = 46 if sig == b"PK\x01\x02" else 30
            name_len = int.from_bytes(data[i + 28 : i + 30], "little")
            if data[i + name_at : i + name_at + name_len] == b"xl/worksheets/sheet1.xml":
                data[i + size_at : i + size_at + 4] = (len(payload) // 4).to_bytes(4, "little")
            start = i + 4
    path.write_bytes(bytes(data))
    with pytest.raises(InputFileError, match="more than the .* bytes it declares"):
        check_xlsx(path, Limits())


def test_old_excel_signature_in_xlsx_gets_the_xls_message(tmp_path: Path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(2000))
    with pytest.raises(InputFileError, match=r"save it as \.xlsx or \.csv"):
        read_table(path)


def test_hostile_xlsx_exits_2_through_the_cli(tmp_path: Path):
    data = tmp_path / "exports"
    data.mkdir()
    sheet = (
        f'{NS}<sheetData><row r="1">{_inline("A1", "Referral No")}</row>'
        f'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData></worksheet>'
    )
    write_xlsx(data / "referrals.xlsx", sheet)
    proc = subprocess.run(
        [sys.executable, "-m", "protection_workbench", "clean", "--data", str(data)]
        + ["--out", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr and "referrals.xlsx" in proc.stderr
    assert "max_columns" in proc.stderr


def test_a_normal_xlsx_still_loads(tmp_path: Path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(REFERRALS_HEADER.split(","))
    for i in range(1, 4):
        ws.append(_row(i).split(","))
    path = tmp_path / "referrals.xlsx"
    wb.save(path)
    ds = clean_dataset("referrals", path)
    assert ds.report.rows_in == 3 and ds.report.rows_clean == 3


# --------------------------------------------------------------------------- finding 2: CSV


def test_a_10_mb_header_line_is_refused_quickly_by_the_column_limit(tmp_path: Path):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"a," * 5_000_000 + b"a\n1,2\n")
    with pytest.raises(InputFileError, match=r"columns, more than the limit max_columns"):
        read_table(path)


def test_a_10_mb_data_line_of_extra_fields_is_read_correctly(tmp_path: Path):
    """Extra empty fields are harmless (as before); extra values name the line."""
    empty = tmp_path / "referrals.csv"
    empty.write_bytes((REFERRALS_HEADER + "\n" + _row(1) + "," * 10_000_000 + "\n").encode())
    table = read_table(empty)
    assert list(table.data.columns) == REFERRALS_HEADER.split(",")
    assert table.data["Referral No"].tolist() == ["REF-1"] and table.line_numbers.tolist() == [2]
    full = tmp_path / "cases.csv"
    full.write_bytes(b"id,name\n1,Ali" + b",x" * 5_000_000 + b"\n")
    with pytest.raises(InputFileError, match=r"line 2 has 5,000,002 fields, header has 2"):
        read_table(full)


def test_many_repeated_headers_are_numbered(tmp_path: Path):
    names = read_module.unique_headers(["a"] * 150 + [""] * 3 + ["a (2)"])
    assert len(set(names)) == len(names) == 154
    assert names[:3] == ["a", "a (3)", "a (4)"] and names[-1] == "a (2)"


# --------------------------------------------------------------------------- finding 3: text


def test_utf8_bom_file_with_cp1252_and_cp1256_lines_is_repaired_not_replaced(tmp_path: Path):
    lines = [
        "\ufeff" + REFERRALS_HEADER,
        _row(1, "Médecins Sans Frontières"),
        _row(2, "José Núñez"),
        _row(3, "محمد علي"),
        _row(4, "UNICEF"),
    ]
    raw = "\n".join(lines[:2]).encode("utf-8") + b"\n"
    raw += lines[2].encode("cp1252") + b"\n" + lines[3].encode("cp1256") + b"\n"
    raw += lines[4].encode("utf-8") + b"\n"
    path = tmp_path / "referrals.csv"
    path.write_bytes(raw)
    ds = clean_dataset("referrals", path)
    partners = ds.frame["referred_to"].astype(str).tolist()
    assert not any("\ufffd" in p for p in partners)
    table = read_table(path)
    assert table.data["Partner"].tolist() == [
        "Médecins Sans Frontières",
        "José Núñez",
        "محمد علي",
        "UNICEF",
    ]
    assert table.encoding == "utf-8-sig"
    assert ds.report.repairs.get("legacy_encoding") == 2
    assert ds.report.rows_in == 4


def test_unclear_legacy_bytes_are_a_value_issue_never_silent(tmp_path: Path):
    """A byte that is not UTF-8 and reads as a different lone symbol in cp1252 ("Š") and
    cp1256 ("ڈ"), with no letters around to tell: U+FFFD, reported as a value issue with
    file, line and column (the value itself not shown)."""
    raw = ("\ufeff" + REFERRALS_HEADER + "\n" + _row(1) + "\n").encode("utf-8")
    raw += _row(2, "UNI \x8a").encode("latin-1") + b"\n"
    path = tmp_path / "referrals.csv"
    path.write_bytes(raw)
    ds = clean_dataset("referrals", path)
    assert ds.frame["referred_to"].astype(str).tolist()[1] == "UNI \ufffd"
    issue = ds.issues[ds.issues["column"] == "referred_to"]
    assert issue[["file", "line"]].values.tolist() == [["referrals.csv", 3]]
    assert "UNI" not in issue["value"].iloc[0] and "UTF-8" in issue["problem"].iloc[0]
    assert "legacy_encoding" not in ds.report.repairs


def test_mostly_legacy_file_is_still_read_in_its_code_page(tmp_path: Path):
    """A Windows-1256 export (no valid UTF-8 line) keeps the fast whole-file decoding."""
    lines = [REFERRALS_HEADER] + [_row(i, "الهلال الأحمر") for i in range(1, 4)]
    path = tmp_path / "referrals.csv"
    path.write_bytes(("\n".join(lines) + "\n").encode("cp1256"))
    table = read_table(path)
    assert table.encoding == "cp1256" and table.value_notes == []
    assert table.data["Partner"].tolist() == ["الهلال الأحمر"] * 3


def test_nul_and_control_characters_are_removed_and_counted(tmp_path: Path):
    rows = [REFERRALS_HEADER, _row(1), "REF-2,\x00IND-1,03/11/2026,medical,UNI\x07CEF,,,pending"]
    path = tmp_path / "referrals.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode())
    ds = clean_dataset("referrals", path)
    assert ds.frame["individual_id"].astype(str).tolist() == ["IND-1", "IND-1"]
    assert ds.frame["referred_to"].astype(str).tolist()[1] == "UNICEF"
    assert ds.report.repairs.get("control_characters") == 2
    assert ds.report.rows_in == ds.report.rows_clean + ds.report.rows_quarantined == 2


def test_control_characters_in_xlsx_cells_are_removed_and_counted(tmp_path: Path):
    header = "".join(
        _inline(f"{chr(65 + i)}1", h) for i, h in enumerate(REFERRALS_HEADER.split(","))
    )
    values = _row(1).split(",")
    values[4] = "UNI\u009fCEF"  # a C1 control: allowed in XML, not in a partner's name
    cells = "".join(_inline(f"{chr(65 + i)}2", v) for i, v in enumerate(values) if v)
    sheet = f'{NS}<sheetData><row r="1">{header}</row><row r="2">{cells}</row></sheetData>'
    path = write_xlsx(tmp_path / "referrals.xlsx", sheet + "</worksheet>")
    table = read_table(path)
    assert table.data["Partner"].tolist() == ["UNICEF"]
    assert [(n.column, n.kind, n.rows.tolist()) for n in table.value_notes] == [
        ("Partner", "control_characters", [0])
    ]
    ds = clean_dataset("referrals", path)
    assert ds.report.repairs.get("control_characters") == 1


# --------------------------------------------------------------------------- finding 4: messages

PII = "Fatima Al-Sayed 1990-05-17 +218912345678"


@pytest.mark.parametrize(
    "content",
    [
        f"{PII}\n1,2,3\n4,5,6\n",  # one column, rows with more: "wrong delimiter?"
        f"{PII};x\n1,2,3,4\n5,6,7,8\n",  # delimiter mismatch
        f'id,name\n1,"{PII}\n',  # unterminated quote
        f'id,name\n1,"{PII}"x"y,\n2,b\n',
        f"id,name\n1,{PII},{PII}\n",  # extra value
        f"{PII}\n",  # header only, nothing else
    ],
)
def test_messages_never_echo_file_content(tmp_path: Path, content: str):
    path = tmp_path / "cases.csv"
    path.write_text(content, "utf-8")
    try:
        read_table(path)
    except InputFileError as exc:
        message = str(exc)
        assert "cases.csv" in message
        for part in ("Fatima", "Sayed", "1990", "218912345678"):
            assert part not in message, message


def test_date_error_names_the_line_not_a_value(tmp_path: Path):
    rows = [REFERRALS_HEADER] + [
        f"REF-{i},IND-{i},{PII},medical,UNICEF,{PII},,pending" for i in range(1, 5)
    ]
    path = tmp_path / "referrals.csv"
    path.write_text("\n".join(rows) + "\n", "utf-8")
    with pytest.raises(InputFileError) as info:
        clean_dataset("referrals", path)
    message = str(info.value)
    assert "referrals.csv" in message and "line 2" in message and "Fatima" not in message


def test_symlink_out_of_the_data_folder_is_refused(tmp_path: Path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"{PII}\nsecond line\n", "utf-8")
    data = tmp_path / "exports"
    data.mkdir()
    link = data / "cases.csv"
    os.symlink(outside, link)
    with pytest.raises(InputFileError, match="symbolic link") as info:
        discover(data)
    assert "Fatima" not in str(info.value)
    with pytest.raises(InputFileError, match="outside the data folder") as info:
        read_table(link)
    assert "Fatima" not in str(info.value)
    with pytest.raises(InputFileError, match="outside the data folder"):
        clean_dataset("cases", link)


def test_symlink_inside_the_data_folder_is_followed(tmp_path: Path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "_referrals_2026.csv").write_text(REFERRALS_HEADER + "\n" + _row(1) + "\n", "utf-8")
    os.symlink(data / "_referrals_2026.csv", data / "referrals.csv")
    found = discover(data)
    assert list(found.datasets) == ["referrals"]
    assert clean_dataset("referrals", found.datasets["referrals"].paths).report.rows_clean == 1


# --------------------------------------------------------------------------- finding 5: .xls


def test_xls_export_gets_a_clear_message(tmp_path: Path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "cases.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512))
    (data / "referrals.csv").write_text(REFERRALS_HEADER + "\n" + _row(1) + "\n", "utf-8")
    with pytest.raises(InputFileError, match=r"\.xls\) is not supported: save it as \.xlsx"):
        discover(data)
    with pytest.raises(InputFileError, match=r"save it as \.xlsx or \.csv"):
        read_table(data / "cases.xls")


def test_unrelated_xls_files_stay_unrecognised(tmp_path: Path):
    (tmp_path / "budget.xls").write_bytes(b"x")
    (tmp_path / "referrals.csv").write_text(REFERRALS_HEADER + "\n" + _row(1) + "\n", "utf-8")
    assert [p.name for p in discover(tmp_path).unrecognised] == ["budget.xls"]


# --------------------------------------------------------------------------- limits


def test_limits_come_from_the_configuration():
    t = get_config().thresholds
    assert (
        Limits.of(None)
        == Limits.of(t)
        == Limits(t.max_rows, t.max_columns, t.max_inflated_bytes, t.max_compression_ratio)
    )


@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"])
def test_late_cp1252_line_in_a_big_utf8_file_is_repaired(tmp_path: Path, bom: bytes):
    """The invalid bytes come after the first megabyte: Arrow finds them, and the file is
    decoded again value by value (not as a whole in a legacy code page)."""
    rows = [_row(i, "Médecins du Monde") for i in range(1, 20_001)]
    raw = bom + ("\n".join([REFERRALS_HEADER, *rows]) + "\n").encode("utf-8")
    raw += _row(20_001, "Peña").encode("cp1252") + b"\n"
    path = tmp_path / "referrals.csv"
    path.write_bytes(raw)
    table = read_table(path)
    partners = table.data["Partner"]
    assert partners.iloc[-1] == "Peña" and (partners.iloc[:-1] == "Médecins du Monde").all()
    assert [(n.kind, n.rows.tolist()) for n in table.value_notes] == [("legacy_encoding", [20_000])]
    assert table.line_numbers[-1] == 20_002
