"""synth.messy: canonical frames written as messy but reversible exports."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import ftfy
import numpy as np
import openpyxl
import pandas as pd
import pytest

from protection_workbench.config import get_config
from protection_workbench.contract import DATASETS
from protection_workbench.synth.messy import ExportFile, write_exports

KIND_DTYPE = {
    "date": "datetime64[ns]",
    "int": "Int64",
    "number": "float64",
    "bool": "boolean",
}
FIRST = ["José", "Aïssatou", "محمد", "Chinedu", "Fatoumata", "Zoë", "Ibrahim", "فاطمة", "Ousmane"]
LAST = ["N'Diaye", "Traoré", "عبد الله", "Okafor", "Camara", "Müller", "Bâ", "أحمد", "Diallo"]
NATION = ["NGA", "CIV", "SDN", "EGY", "GMB", "BGD", "Biafra", "SEN", "MLI"]
VULN = ["vot;medical", None, "uasc", "gbv;medical;disability", None, "elderly", "unknown_item"]


def _typed(data: dict, name: str) -> pd.DataFrame:
    ds = DATASETS[name]
    frame = pd.DataFrame({c: data[c] for c in ds.column_names})
    for col in ds.columns:
        dtype = KIND_DTYPE.get(col.kind, "str")
        frame[col.name] = frame[col.name].astype(dtype)
    return frame


def _dates(rng, n, start="2025-01-01", days=700, missing=0.1):
    d = pd.Timestamp(start) + pd.to_timedelta(rng.integers(0, days, n), unit="D")
    return pd.Series(d).where(rng.random(n) > missing)


def make_frames(n: int = 40, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)

    def pick(values, size=n):
        return [values[i] for i in rng.integers(0, len(values), size)]

    cfg = get_config()
    mantikas = cfg.sites.mantika_names
    ids = [f"IND-{i:06d}" for i in range(n)]
    cases = {
        "case_id": [f"CASE-{i // 2:06d}" for i in range(n)],
        "individual_id": ids,
        "is_principal": pick([True, False, None]),
        "first_name": pick(FIRST),
        "last_name": pick(LAST),
        "sex": pick(["F", "M", "X", None]),
        "date_of_birth": _dates(rng, n, "1960-01-01", 20000),
        "age": pick([1, 17, 34, 56, None]),
        "nationality": pick(NATION),
        "destination_country": pick(NATION[:6]),
        "phone": pick(["0912345678", "+218 91 234 5678", None]),
        "document_number": pick(["A1234567", "ETD-99812", None]),
        "location_type": pick(["detention_centre", "urban", "hospital", "community_hosting"]),
        "location": pick(["Tariq Al Sikka DC", "Tripoli", "Misrata Shelter", "Souq Al Khamis DC"]),
        "mantika": pick(mantikas + ["Atlantis"]),
        "registration_date": _dates(rng, n, missing=0),
        "interview_date": _dates(rng, n),
        "vulnerabilities": pick(VULN),
        "avm_screening_date": _dates(rng, n),
        "protection_clearance": pick(["pending", "cleared", "not_required", None]),
        "protection_clearance_date": _dates(rng, n),
        "bia_date": _dates(rng, n, missing=0.8),
        "single_headed_docs_complete": pick(["yes", "no", "n/a", None]),
        "travel_document_status": pick(["none", "requested", "issued"]),
        "travel_document_date": _dates(rng, n),
        "ftt_status": pick(["pending", "fit", "unfit", "not_assessed"]),
        "ftt_date": _dates(rng, n),
        "manifest_id": pick(["MNF-001", "MNF-002", None]),
        "flight_type": pick(["charter", "commercial", None]),
        "departure_date": _dates(rng, n, missing=0.5),
        "case_status": pick(["registered", "ready", "on_hold", "departed"]),
        "status_reason": pick(["Awaiting ETD", "Medical follow up — café", None, "تأجيل"]),
        "last_updated": _dates(rng, n, missing=0),
    }
    m = min(n, 12)
    referrals = {
        "referral_id": [f"REF-{i:05d}" for i in range(m)],
        "individual_id": ids[:m],
        "referral_date": _dates(rng, m, missing=0),
        "service": pick(["medical", "mhpss", "child_protection"], m),
        "referred_to": pick(["IOM MHPSS Team", "UNICEF", "Libyan Red Crescent"], m),
        "follow_up_due": _dates(rng, m, missing=0),
        "follow_up_date": _dates(rng, m),
        "outcome": pick(["pending", "assisted", "closed"], m),
    }
    manifest = {
        "manifest_id": ["MNF-001"] * 4 + ["MNF-002"] * 3 + ["MNF-003"] * 3,
        "flight_date": _dates(rng, 10, missing=0),
        "flight_type": pick(["charter", "commercial"], 10),
        "departure_airport": pick(["Mitiga", "Benghazi Benina", "Sebha", None], 10),
        "destination_country": pick(NATION[:6], 10),
        "individual_id": ids[:10],
        "first_name": pick(FIRST, 10),
        "last_name": pick(LAST, 10),
        "date_of_birth": _dates(rng, 10, "1970-01-01", 15000),
        "nationality": pick(NATION, 10),
        "document_number": pick(["A1234567", None], 10),
        "ftt_status": pick(["fit", "unfit"], 10),
    }
    hosts = {
        "host_id": [f"HOST-{i:03d}" for i in range(6)],
        "host_type": pick(["family", "safe_shelter"], 6),
        "mantika": pick(mantikas, 6),
        "capacity": [2, 4, 1500, None, 3, 6],
        "monthly_rate_lyd": [1250.5, 900.0, 12345.25, np.nan, 0.1 + 0.2, 700.0],
        "active": [True, False, None, True, True, False],
    }
    placements = {
        "placement_id": [f"PL-{i:04d}" for i in range(m)],
        "individual_id": ids[:m],
        "host_id": pick(hosts["host_id"], m),
        "start_date": _dates(rng, m, missing=0),
        "end_date": _dates(rng, m, missing=0.5),
        "exit_reason": pick(["vhr_departure", "self_exit", None], m),
    }
    visits = {
        "visit_id": [f"V-{i:04d}" for i in range(m)],
        "placement_id": placements["placement_id"],
        "visit_date": _dates(rng, m, missing=0),
        "visit_type": pick(["routine", "spot", "follow_up"], m),
        "compliance": pick(["compliant", "minor_issue", "major_issue"], m),
        "issue_followed_up": pick([True, False, None], m),
        "notes": pick(["Family well, children at school", "Réparation, toit", None], m),
    }
    payments = {
        "payment_id": [f"PAY-{i:04d}" for i in range(m)],
        "host_id": pick(hosts["host_id"], m),
        "period": pick(["2026-10", "2026-09", "2026-13", None], m),
        "amount_lyd": pick([1250.5, 900.0, 1500.0, 12345.25], m),
        "paid_date": _dates(rng, m, "1899-12-01", 60000, missing=0),
    }
    activities = {
        "activity_id": [f"ACT-{i:04d}" for i in range(m)],
        "date": _dates(rng, m, missing=0),
        "activity_type": pick(["outreach_session", "nfi_distribution", "training"], m),
        "location": pick(["Tripoli", "Sebha", "Zwara DC"], m),
        "mantika": pick(mantikas, m),
        "participants_f": pick([0, 12, 1200, None], m),
        "participants_m": pick([3, 40, None], m),
        "participants_children": pick([0, 5, None], m),
        "items": pick([10, 2500, None], m),
        "notes": pick(["Session on safe migration", "توزيع", None], m),
    }
    raw = {
        "cases": cases,
        "referrals": referrals,
        "manifest": manifest,
        "hosts": hosts,
        "placements": placements,
        "visits": visits,
        "payments": payments,
        "activities": activities,
    }
    return {name: _typed(data, name) for name, data in raw.items()}


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return make_frames(400)


@pytest.fixture(scope="module")
def written(frames, tmp_path_factory) -> tuple[Path, list[ExportFile]]:
    out = tmp_path_factory.mktemp("exports")
    return out, write_exports(frames, out, 7, get_config())


def _read_csv_text(f: ExportFile) -> str:
    return f.path.read_bytes().decode(f.encoding)


def _csv_rows(f: ExportFile) -> list[list[str]]:
    return list(csv.reader(io.StringIO(_read_csv_text(f), newline="")))


def _by_name(files: list[ExportFile]) -> dict[str, ExportFile]:
    return {f.path.name: f for f in files}


def _csv_column(f: ExportFile, name: str) -> list[str]:
    """The written values of canonical column ``name`` (data rows only, empty tail dropped)."""
    rows = _csv_rows(f)
    j = DATASETS[f.dataset].column_names.index(name)
    return [r[j] for r in rows[1:] if any(r)]


def _xlsx_rows(f: ExportFile) -> list[tuple]:
    wb = openpyxl.load_workbook(f.path, read_only=True)
    rows = list(wb.worksheets[0].iter_rows(values_only=True))
    wb.close()
    return rows


def test_files_and_names(written, frames):
    out, files = written
    names = {p.name for p in out.iterdir()}
    singles = {
        "cases.csv",
        "referrals.csv",
        "placements.csv",
        "visits.csv",
        "hosts.xlsx",
        "payments.xlsx",
        "activities.xlsx",
    }
    assert singles <= names
    manifests = sorted(n for n in names if n.startswith("manifest_"))
    ids = frames["manifest"]["manifest_id"].drop_duplicates().tolist()
    assert [re.sub(r"\.(csv|xlsx)$", "", n) for n in manifests] == sorted(
        f"manifest_{i}" for i in ids
    )
    assert {Path(n).suffix for n in manifests} == {".csv", ".xlsx"}
    assert names == {f.path.name for f in files}


def test_export_file_fields(written, frames):
    out, files = written
    for f in files:
        assert f.path.is_absolute() and f.path.is_file() and f.path.parent == out.absolute()
        assert f.file_format == f.path.suffix[1:]
        names = DATASETS[f.dataset].column_names
        assert len(f.headers) == len(names)
        if f.file_format == "csv":
            assert f.encoding in {"utf-8", "utf-8-sig", "cp1252", "cp1256"}
            rows = [r for r in _csv_rows(f) if any(r)]
            assert rows[0] == f.headers
        else:
            assert f.encoding is None
            rows = _xlsx_rows(f)
            assert list(rows[0]) == f.headers
        assert f.rows == len(rows) - 1
    assert sum(f.rows for f in files if f.dataset == "manifest") == len(frames["manifest"])
    assert _by_name(files)["cases.csv"].rows == len(frames["cases"])


def test_same_seed_same_bytes_other_seed_differs(frames, tmp_path):
    cfg = get_config()
    write_exports(frames, tmp_path / "a", 7, cfg)
    write_exports(frames, tmp_path / "b", 7, cfg)
    write_exports(frames, tmp_path / "c", 8, cfg)
    a, b, c = (_digest(tmp_path / x) for x in "abc")
    assert a == b
    assert a["cases.csv"] != c["cases.csv"]
    assert a["hosts.xlsx"] != c["hosts.xlsx"] or a["payments.xlsx"] != c["payments.xlsx"]


def _norm(header: str) -> str:
    return re.sub(r"[\W_]+", "_", header.casefold()).strip("_")


@pytest.mark.parametrize("seed", range(6))
def test_headers_map_back_without_ambiguity(frames, tmp_path, seed):
    cfg = get_config()
    files = write_exports(frames, tmp_path, seed, cfg)
    for f in files:
        ds = DATASETS[f.dataset]
        aliases = cfg.header_aliases.get(ds.name, {})
        owners: dict[str, set[str]] = {}
        for col in ds.column_names:
            for form in [col, *aliases.get(col, [])]:
                owners.setdefault(_norm(form), set()).add(col)
        for header, col in zip(f.headers, ds.column_names, strict=True):
            assert owners.get(_norm(header)) == {col}, (f.path.name, header, col)
    cases = _by_name(files)["cases.csv"]
    assert cases.headers != DATASETS["cases"].column_names
    first_line = cases.path.read_bytes().decode(cases.encoding).splitlines()[0]
    assert first_line != ",".join(DATASETS["cases"].column_names)


def test_encodings_vary_and_decode(tmp_path, frames):
    cfg = get_config()
    for seed in range(4):
        files = write_exports(frames, tmp_path / str(seed), seed, cfg)
        csvs = [f for f in files if f.file_format == "csv"]
        assert len({f.encoding for f in csvs}) >= 2
        for f in csvs:
            f.path.read_bytes().decode(f.encoding)  # strict


def test_cases_dates_in_many_forms(written, frames):
    _, files = written
    cases = _by_name(files)["cases.csv"]
    values = [v for v in _csv_column(cases, "registration_date") if v]
    assert len(values) == frames["cases"]["registration_date"].notna().sum()
    arabic = [v for v in values if re.search("[٠-٩]", v)]
    iso = [v for v in values if re.fullmatch(r"\d{4}-\d{2}-\d{2}", v)]
    dayfirst = [v for v in values if re.fullmatch(r"\d{1,2}[/.-]\d{1,2}[/.-]\d{4}", v)]
    names = [v for v in values if re.fullmatch(r"\d{2}[ -][A-Z][a-z]{2}[ -]\d{4}", v)]
    assert arabic and iso and dayfirst and names
    assert all(re.fullmatch(r"[٠-٩]{2}/[٠-٩]{2}/[٠-٩]{4}", v) for v in arabic)


def _clean_text(value: str) -> str:
    return " ".join(ftfy.fix_text(value).split())


def test_text_is_recoverable_and_mojibake_reversible(written, frames):
    _, files = written
    mojibake = 0
    for f in files:
        if f.file_format != "csv":
            continue
        frame = frames[f.dataset]
        if f.dataset == "manifest":
            frame = frame[frame["manifest_id"] == f.path.stem.removeprefix("manifest_")]
        for col in DATASETS[f.dataset].columns:
            if col.kind != "str":
                continue
            truth = frame[col.name].tolist()
            for raw, want in zip(_csv_column(f, col.name), truth, strict=True):
                if pd.isna(want):
                    assert raw == ""
                    continue
                assert _clean_text(raw) == want, (f.path.name, col.name, raw, want)
                if col.name.endswith(("_id", "phone", "document_number")):
                    assert raw.strip() == want
                if raw.strip() != want and ftfy.fix_text(raw) == want:
                    mojibake += 1
    assert mojibake > 0


def test_defect_values_written_unchanged(written):
    _, files = written
    cases = _by_name(files)["cases.csv"]
    assert "X" in _csv_column(cases, "sex")
    assert "Biafra" in _csv_column(cases, "nationality")
    assert "hospital" in _csv_column(cases, "location_type")
    assert "Atlantis" in _csv_column(cases, "mantika")
    assert "unknown_item" in _csv_column(cases, "vulnerabilities")
    periods = [r[2] for r in _xlsx_rows(_by_name(files)["payments.xlsx"])[1:]]
    assert "2026-13" in periods


def test_xlsx_has_date_cells_and_serial_numbers(written, frames):
    _, files = written
    epoch = pd.Timestamp("1899-12-30")
    kinds = set()
    for f in files:
        if f.file_format != "xlsx":
            continue
        ds = DATASETS[f.dataset]
        frame = frames[f.dataset]
        if f.dataset == "manifest":
            frame = frame[frame["manifest_id"] == f.path.stem.removeprefix("manifest_")]
        rows = _xlsx_rows(f)[1:]
        for j, col in enumerate(ds.columns):
            if col.kind != "date":
                continue
            for row, want in zip(rows, frame[col.name], strict=True):
                got = row[j]
                if pd.isna(want):
                    assert got is None
                elif isinstance(got, dt.datetime):
                    kinds.add("date")
                    assert pd.Timestamp(got) == want
                elif isinstance(got, int | float):
                    kinds.add("serial")
                    assert epoch + pd.Timedelta(days=int(got)) == want
                else:
                    kinds.add("text")
                    assert pd.to_datetime(got, dayfirst=True) == want
    assert {"date", "serial"} <= kinds


def test_cleaners_recover_dates_numbers_periods(written, frames):
    """Where the cleaning modules exist, they read back exactly the canonical values."""
    dates = pytest.importorskip("protection_workbench.clean.dates")
    numbers = pytest.importorskip("protection_workbench.clean.numbers")
    periods = pytest.importorskip("protection_workbench.clean.periods")
    files = _by_name(written[1])
    cases = files["cases.csv"]
    for col in DATASETS["cases"].columns:
        raw = pd.Series(_csv_column(cases, col.name), dtype="object").replace("", None)
        want = frames["cases"][col.name].reset_index(drop=True)
        if col.kind == "date":
            got = dates.clean_dates(raw).values
        elif col.kind == "int":
            got = numbers.clean_int(raw).values
        else:
            continue
        assert values_equal(got, want).all(), col.name
    rows = _xlsx_rows(files["payments.xlsx"])[1:]
    truth = frames["payments"]
    got = periods.clean_periods(pd.Series([r[2] for r in rows], dtype="object")).values
    valid = truth["period"] != "2026-13"
    assert values_equal(got[valid.to_numpy()], truth["period"][valid]).all()
    amounts = numbers.clean_number(pd.Series([r[3] for r in rows], dtype="object")).values
    assert values_equal(amounts, truth["amount_lyd"]).all()
    hosts = _xlsx_rows(files["hosts.xlsx"])[1:]
    rates = numbers.clean_number(pd.Series([r[4] for r in hosts], dtype="object")).values
    assert values_equal(rates, frames["hosts"]["monthly_rate_lyd"]).all()


def values_equal(a: pd.Series, b: pd.Series) -> np.ndarray:
    a, b = pd.Series(a).reset_index(drop=True), pd.Series(b).reset_index(drop=True)
    both = a.isna().to_numpy() & b.isna().to_numpy()
    same = (a.astype(object) == b.astype(object)).fillna(False).to_numpy(dtype=bool)
    return both | same


def test_csv_number_forms(tmp_path):
    frames = make_frames(300, seed=3)
    frames["cases"]["age"] = pd.array(np.arange(300) * 37, dtype="Int64")
    files = _by_name(write_exports(frames, tmp_path, 5, get_config()))
    ages = _csv_column(files["cases.csv"], "age")
    assert any("," in v for v in ages)
    assert any(re.search("[٠-٩]", v) for v in ages)
    assert all("," not in v for v, n in zip(ages, range(0, 300 * 37, 37), strict=True) if n < 1000)


def test_empty_manifest_writes_no_manifest_file(tmp_path):
    frames = make_frames(20)
    frames["manifest"] = frames["manifest"].iloc[:0]
    files = write_exports(frames, tmp_path, 1, get_config())
    assert not [f for f in files if f.dataset == "manifest"]
    assert not list(tmp_path.glob("manifest*"))


def test_empty_and_all_missing_frames(tmp_path):
    frames = make_frames(20)
    for name in ("referrals", "hosts"):
        frames[name] = frames[name].iloc[:0]
    cases = frames["cases"]
    for col in DATASETS["cases"].columns:
        if not col.required:
            cases[col.name] = pd.Series(pd.NA, index=cases.index).astype(cases[col.name].dtype)
    payments = frames["payments"]
    payments["period"] = pd.Series(pd.NA, index=payments.index, dtype="str")
    payments["paid_date"] = pd.NaT
    files = _by_name(write_exports(frames, tmp_path, 2, get_config()))
    assert files["referrals.csv"].rows == 0
    assert len([r for r in _csv_rows(files["referrals.csv"]) if any(r)]) == 1
    assert files["hosts.xlsx"].rows == 0 and len(_xlsx_rows(files["hosts.xlsx"])) == 1
    assert set(_csv_column(files["cases.csv"], "date_of_birth")) == {""}
    assert {r[4] for r in _xlsx_rows(files["payments.xlsx"])[1:]} == {None}


def test_country_forms(tmp_path):
    frames = make_frames(300, seed=5)
    files = _by_name(write_exports(frames, tmp_path, 4, get_config()))
    values = set(_csv_column(files["cases.csv"], "nationality"))
    assert {"NGA", "Nigeria", "Biafra"} <= values
    assert any(v in values for v in ("NG", "CI", "SD", "EG", "GM", "BD", "SN", "ML"))
    assert "Côte d&#039;Ivoire" in values or "Côte d'Ivoire" in values
