"""Reading export files: encodings, delimiters, line numbers, XLSX types, headers, folders."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from protection_workbench.clean.folder import discover
from protection_workbench.clean.headers import map_headers, normalise_header
from protection_workbench.clean.read import detect_encoding, read_table
from protection_workbench.config import get_config
from protection_workbench.errors import InputFileError, MissingColumnError

NAMES_LATIN = ["José Núñez", "François Açaï", "Muñoz Peña", "Zoë Müller", "Amina Diallo"]
NAMES_ARABIC = ["محمد علي", "فاطمة الزهراء", "عبد الله", "أحمد", "Amina Diallo"]


def _csv(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def _values(table, column: str) -> list:
    return [None if v is None or v != v else v for v in table.data[column].tolist()]


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "names", "expected"),
    [
        ("utf-8", NAMES_LATIN + NAMES_ARABIC, "utf-8"),
        ("utf-8-sig", NAMES_LATIN + NAMES_ARABIC, "utf-8-sig"),
        ("cp1252", NAMES_LATIN, "cp1252"),
        ("cp1256", NAMES_ARABIC, "cp1256"),
    ],
)
def test_encodings_round_trip(tmp_path: Path, encoding, names, expected):
    text = "id,name\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names))
    table = read_table(_csv(tmp_path / "cases.csv", text, encoding))
    assert table.encoding == expected
    assert list(table.data.columns) == ["id", "name"]
    assert _values(table, "name") == names


@pytest.mark.parametrize(
    ("names", "encoding"),
    [
        (["José"], "cp1252"),
        (["Peña"], "cp1252"),
        (["María"], "cp1252"),
        (["Ñuñoa", "Ángel"], "cp1252"),
        (["François Açaï"], "cp1252"),
        (["ÉMILE DUPRÉ"], "cp1252"),
        (["محمد"], "cp1256"),
        (["علي"], "cp1256"),
        (["الجنس", "مصر"], "cp1256"),
    ],
)
def test_legacy_encoding_in_mostly_ascii_file(names, encoding):
    lines = [f"IND-{i},Tripoli,medical,2026-11-03" for i in range(2000)]
    for k, name in enumerate(names):
        lines[500 * (k + 1)] += f",{name}"
    raw = ("\n".join(["id,location,service,date", *lines]) + "\n").encode(encoding)
    assert detect_encoding(raw) == encoding


def test_cp1256_file_with_latin_names_too(tmp_path: Path):
    names = ["محمد علي", "Jean Dupré", "فاطمة", "Ali Ben Salem"]
    text = "id,name\n" + "".join(f"{i},{n}\n" for i, n in enumerate(names))
    table = read_table(_csv(tmp_path / "cases.csv", text, "cp1256"))
    assert table.encoding == "cp1256"
    assert _values(table, "name") == names


# --------------------------------------------------------------------------- structure


def test_line_numbers_with_quoted_newlines_and_commas(tmp_path: Path):
    text = 'id,notes,n\n1,"two\nlines, with comma",a\n2,plain,b\n3,"three\nline\nnote",c\n4,x,d\n'
    table = read_table(_csv(tmp_path / "visits.csv", text))
    assert table.line_numbers.tolist() == [2, 4, 5, 8]
    assert _values(table, "id") == ["1", "2", "3", "4"]
    assert table.data["notes"].tolist()[0] == "two\nlines, with comma"


def test_line_numbers_are_physical_lines(tmp_path: Path):
    text = 'id,notes\r\n1,"a\r\nb"\r\n\r\n2,c\r\n3,"d"\r\n'
    table = read_table(_csv(tmp_path / "visits.csv", text))
    assert _values(table, "id") == ["1", "2", "3"]
    assert table.line_numbers.tolist() == [2, 5, 6]


def test_line_numbers_plain_file_without_trailing_newline(tmp_path: Path):
    table = read_table(_csv(tmp_path / "cases.csv", "a,b\n1,2\n3,4"))
    assert table.line_numbers.tolist() == [2, 3]
    assert _values(table, "b") == ["2", "4"]


def test_empty_rows_dropped_and_counted_values_untouched(tmp_path: Path):
    text = "id,name,\n1, Amina ,\n,,\n  , ,\n\n2,,\n"
    table = read_table(_csv(tmp_path / "cases.csv", text))
    assert _values(table, "id") == ["1", "2"]
    assert _values(table, "name") == [" Amina ", None]
    assert table.line_numbers.tolist() == [2, 6]
    assert table.dropped_empty_rows == 2
    assert table.dropped_empty_columns == 1
    assert list(table.data.columns) == ["id", "name"]


def test_blank_header_with_values_and_duplicate_headers(tmp_path: Path):
    text = " Name ,Name,,Name (2),Name\nA,B,C,D,E\n"
    table = read_table(_csv(tmp_path / "cases.csv", text))
    assert list(table.data.columns) == [
        "Name",
        "Name (3)",
        "Unnamed column 3",
        "Name (2)",
        "Name (4)",
    ]
    assert table.original_headers == [" Name ", "Name", "", "Name (2)", "Name"]
    assert table.data.iloc[0].tolist() == ["A", "B", "C", "D", "E"]


@pytest.mark.parametrize("sep", [";", "\t"])
def test_semicolon_and_tab_delimiters(tmp_path: Path, sep):
    text = sep.join(["id", "name", "amount"]) + "\n" + sep.join(["1", "Ali", "1,5"]) + "\n"
    table = read_table(_csv(tmp_path / "payments.csv", text))
    assert list(table.data.columns) == ["id", "name", "amount"]
    assert _values(table, "amount") == ["1,5"]


def test_header_only_file_has_no_rows(tmp_path: Path):
    table = read_table(_csv(tmp_path / "cases.csv", "id,name\n"))
    assert len(table.data) == 0 and list(table.data.columns) == ["id", "name"]


def test_short_rows_are_padded(tmp_path: Path):
    table = read_table(_csv(tmp_path / "cases.csv", "a,b,c\n1,2\n3,4,5\n"))
    assert _values(table, "c") == [None, "5"]
    assert table.line_numbers.tolist() == [2, 3]


# --------------------------------------------------------------------------- XLSX


def test_xlsx_keeps_cell_types_and_sheet_rows(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([])  # a blank first row: the header is the first non-empty one
    ws.append(["Individual No", "Date of Birth", "Serial", "Name", "Age", ""])
    ws.append(["IND-1", dt.date(1990, 5, 17), 45234, " Amina ", 34.5, None])
    ws.append([None, None, None, None, None, None])
    ws.append(["IND-2", dt.datetime(2001, 1, 2, 10, 30), "03/11/2026", "Ali", 7, None])
    path = tmp_path / "cases.xlsx"
    wb.save(path)
    table = read_table(path)
    assert table.encoding is None
    assert list(table.data.columns) == ["Individual No", "Date of Birth", "Serial", "Name", "Age"]
    assert table.line_numbers.tolist() == [3, 5]
    assert table.dropped_empty_rows == 1
    row = table.data.iloc[0].tolist()
    assert row[0] == "IND-1" and row[3] == " Amina " and row[4] == 34.5
    assert isinstance(row[1], dt.date) and row[1].year == 1990
    assert row[2] == 45234 and not isinstance(row[2], str)
    second = table.data.iloc[1].tolist()
    assert isinstance(second[1], dt.datetime) and second[2] == "03/11/2026" and second[4] == 7


def test_xlsx_written_by_xlsxwriter(tmp_path: Path):
    xlsxwriter = pytest.importorskip("xlsxwriter")
    path = tmp_path / "manifest_FL1.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet()
    fmt = wb.add_format({"num_format": "dd/mm/yyyy"})
    ws.write_row(0, 0, ["Manifest ID", "Flight Date"])
    ws.write_string(1, 0, "M-1")
    ws.write_datetime(1, 1, dt.datetime(2026, 11, 20), fmt)
    wb.close()
    table = read_table(path)
    value = table.data["Flight Date"].iloc[0]
    assert isinstance(value, dt.date) and value.isoformat()[:10] == "2026-11-20"
    assert table.line_numbers.tolist() == [2]


# --------------------------------------------------------------------------- bad input


def _bad(tmp_path: Path, name: str, content: bytes) -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError) as info:
        read_table(path)
    message = str(info.value)
    assert name in message
    return message


def test_bad_inputs_are_named_in_plain_words(tmp_path: Path):
    assert "file is empty" in _bad(tmp_path, "cases.csv", b"")
    assert "binary content" in _bad(tmp_path, "a.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    assert "binary content" in _bad(tmp_path, "b.csv", b"PK\x03\x04\x14\x00\x00\x00" * 20)
    assert "binary content" in _bad(tmp_path, "c.csv", bytes(range(256)) * 4)
    assert "XLSX" in _bad(tmp_path, "d.xlsx", b"PK\x03\x04 truncated zip")
    assert "XLSX" in _bad(tmp_path, "e.xlsx", b"id,name\n1,Ali\n")
    assert "file is empty" in _bad(tmp_path, "f.xlsx", b"")
    assert "unsupported file type" in _bad(tmp_path, "g.json", b"{}")
    msg = _bad(tmp_path, "h.csv", b"a,b\n1,2\n3,4,5\n6,7\n")
    assert "line 3 has 3 fields, header has 2" in msg
    msg = _bad(tmp_path, "i.csv", b"case id|name\n1,Ali,x\n2,Sara,y\n")
    assert "wrong delimiter?" in msg


def test_wrong_delimiter_single_column(tmp_path: Path):
    msg = _bad(tmp_path, "cases.csv", b"Case ID\n1,Ali,x\n2,Sara,y\n")
    assert "only one column: wrong delimiter?" in msg


def test_truncated_xlsx(tmp_path: Path):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.Workbook()
    wb.active.append(["a", "b"])
    good = tmp_path / "good.xlsx"
    wb.save(good)
    content = good.read_bytes()
    msg = _bad(tmp_path, "referrals.xlsx", content[: len(content) // 2])
    assert "truncated or corrupt" in msg


# --------------------------------------------------------------------------- headers


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Date of Birth ", "date_of_birth"),
        ("DATE_OF_BIRTH", "date_of_birth"),
        ("date-of-birth", "date_of_birth"),
        ("D.O.B.", "d_o_b"),
        ("  Nationalité ", "nationalite"),
        ("Case #", "case"),
        ("Age (years)", "age_years"),
        ("ＡＧＥ", "age"),
        ("الجنس", "الجنس"),
        ("تاريخ الميلاد", "تاريخ_الميلاد"),
    ],
)
def test_normalise_header(raw, expected):
    assert normalise_header(raw) == expected


CASES_HEADERS = [
    "Case No",
    "Individual No",
    "PA",
    "Given Name",
    "Surname",
    "الجنس",
    "D.O.B.",
    "Age",
    "Citizenship",
    "Destination",
    "Location Type",
    "Site",
    "Region",
    "Registration Date",
    "Travel Document Status",
    "FTT Status",
    "Case Status",
    "Last Updated",
]


def test_map_headers_aliases_including_arabic():
    cfg = get_config()
    mapping = map_headers([*CASES_HEADERS, "Entered By", "Gender"], "cases", "cases.csv", cfg)
    assert mapping.columns["الجنس"] == "sex"
    assert mapping.columns["D.O.B."] == "date_of_birth"
    assert mapping.columns["Case No"] == "case_id"
    assert mapping.columns["PA"] == "is_principal"
    assert mapping.unknown == ["Entered By", "Gender"]  # Gender repeats sex: kept as extra
    assert mapping.duplicates == {"Gender": "sex"}
    assert "phone" in mapping.missing_optional and "sex" not in mapping.missing_optional


def test_exact_canonical_name_beats_an_alias_before_it():
    """Issue 14: the exact column wins wherever it stands; the alias is kept as an extra
    column and the conflict names both headers."""
    headers = [h for h in CASES_HEADERS if h != "الجنس"]
    mapping = map_headers([*headers, "Gender", "sex"], "cases", "cases.csv", get_config())
    assert mapping.columns["sex"] == "sex"
    assert "Gender" not in mapping.columns
    assert mapping.unknown == ["Gender"]
    assert mapping.duplicates == {"Gender": "sex"}
    assert mapping.conflicts == [
        "columns 'Gender', 'sex' all stand for sex: 'sex' is used, the others are kept as "
        "extra columns"
    ]


def test_world_region_column_does_not_take_the_place_of_mantika():
    """Issue 14: a real 'region' column (world region, an alias of mantika) first, then the
    exact 'Mantika' column: Mantika is the mantika."""
    headers = [h for h in CASES_HEADERS if h != "Region"]
    raw = [headers[0], "region", *headers[1:], "Mantika"]
    mapping = map_headers(raw, "cases", "cases.csv", get_config())
    assert mapping.columns["Mantika"] == "mantika"
    assert mapping.unknown == ["region"]
    assert "'region', 'Mantika'" in mapping.conflicts[0]


def test_two_aliases_of_one_column_the_first_wins_and_the_conflict_is_named():
    headers = [h for h in CASES_HEADERS if h != "الجنس"]
    mapping = map_headers([*headers, "Gender", "M/F"], "cases", "cases.csv", get_config())
    assert mapping.columns["Gender"] == "sex"
    assert mapping.unknown == ["M/F"]
    assert mapping.conflicts and "'Gender', 'M/F'" in mapping.conflicts[0]


def test_duplicate_with_canonical_name_is_renamed():
    headers = [h for h in CASES_HEADERS if h != "الجنس"]
    mapping = map_headers([*headers, "sex", "SEX"], "cases", "cases.csv", get_config())
    assert mapping.columns["sex"] == "sex"
    assert mapping.unknown == ["SEX"]
    mapping = map_headers([*headers, "sex", "sex"], "cases", "cases.csv", get_config())
    assert mapping.unknown == ["sex (duplicate)"]


def test_missing_required_columns_are_all_named():
    headers = [h for h in CASES_HEADERS if h not in ("Surname", "Region")]
    with pytest.raises(MissingColumnError) as info:
        map_headers(headers, "cases", Path("data/cases.csv"), get_config())
    err = info.value
    message = str(err)
    assert message.startswith("data/cases.csv: ")
    assert err.column == "last_name" and err.missing == ["last_name", "mantika"]
    assert "'last_name'" in message and "'Surname'" in message and "'mantika'" in message


def test_missing_column_error_keeps_its_old_signature():
    err = MissingColumnError("x.csv", "age", ["age", "Age at Registration"])
    assert str(err).startswith("x.csv: required column 'age' not found")


# --------------------------------------------------------------------------- folder


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_text("a\n")


def test_discover_finds_datasets_in_contract_order(tmp_path: Path):
    _touch(
        tmp_path,
        "Referrals.CSV",
        "cases.csv",
        "manifest_FL2.xlsx",
        "manifest_FL1.csv",
        "notes.txt",
        "summary.xlsx",
        ".hidden.csv",
        "~$cases.xlsx",
        "_scratch.csv",
        "highlights.md",  # the team's notes: read by the runs, not an export
        "Period_Notes.md",
    )
    (tmp_path / "hosts.csv").mkdir()
    found = discover(tmp_path)
    assert list(found.datasets) == ["cases", "referrals", "manifest"]
    assert [p.name for p in found.datasets["manifest"].paths] == [
        "manifest_FL1.csv",
        "manifest_FL2.xlsx",
    ]
    assert [p.name for p in found.unrecognised] == ["notes.txt", "summary.xlsx"]


def test_discover_errors(tmp_path: Path):
    with pytest.raises(InputFileError, match="folder not found"):
        discover(tmp_path / "nope")
    _touch(tmp_path, "readme.md")
    with pytest.raises(InputFileError, match="no export files found"):
        discover(tmp_path)
    _touch(tmp_path, "cases.csv", "cases.xlsx")
    with pytest.raises(InputFileError, match=r"cases\.csv and cases\.xlsx"):
        discover(tmp_path)
