"""`workbench demo-data` end to end: every dataset, messy forms, ground truth, safety."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.cli import main
from protection_workbench.contract import DATASETS
from protection_workbench.synth.generate import load_truth

AS_OF = "2026-11-24"
RULES = (
    [f"C{i:03d}" for i in range(1, 16)]
    + ["R001", "R002"]
    + [f"M{i:03d}" for i in range(1, 9)]
    + [f"H{i:03d}" for i in range(1, 6)]
)


def _generate(out: Path, seed: int = 11, rate: float = 0.02, n: int = 3000) -> None:
    code = main(
        [
            "demo-data",
            "--out",
            str(out),
            "--individuals",
            str(n),
            "--seed",
            str(seed),
            "--as-of",
            AS_OF,
            "--defect-rate",
            str(rate),
        ]
    )
    assert code == 0


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "exports"
    _generate(out)
    return out


def _digest(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.iterdir())
        if p.is_file()
    }


def test_every_dataset_is_written(demo: Path):
    names = {p.name for p in demo.iterdir() if p.is_file()}
    for single in ("cases", "referrals", "hosts", "placements", "visits", "payments", "activities"):
        assert any(re.fullmatch(rf"{single}\.(csv|xlsx)", n) for n in names), single
    manifests = [n for n in names if n.startswith("manifest")]
    assert manifests, "no manifest file"
    assert any(n.endswith(".xlsx") for n in names) and any(n.endswith(".csv") for n in names)


def test_ground_truth_names_every_rule_code(demo: Path):
    _, ground_truth, record = load_truth(demo)
    assert list(ground_truth.columns) == ["dataset", "record_id", "rule"]
    assert set(RULES) <= set(ground_truth["rule"])
    assert not ground_truth.duplicated().any()
    assert record["defects"] == len(ground_truth)


def test_truth_frames_follow_the_contract(demo: Path):
    truth, _, record = load_truth(demo)
    assert set(truth) == set(DATASETS)
    for name, frame in truth.items():
        assert list(frame.columns) == DATASETS[name].column_names, name
        assert record["rows"][name] == len(frame)


def test_files_are_messy_like_real_exports(demo: Path):
    _, _, record = load_truth(demo)
    encodings = {f["encoding"] for f in record["files"] if f["encoding"]}
    assert len(encodings) >= 2, encodings
    raw = (demo / "cases.csv").read_bytes()
    enc = next(f["encoding"] for f in record["files"] if f["path"] == "cases.csv")
    text = raw.decode(enc)
    header = text.splitlines()[0]
    assert header != ",".join(DATASETS["cases"].column_names), "headers should not be canonical"
    assert re.search(r"[٠-٩]", text), "no Arabic-Indic digits"
    assert re.search(r"\b\d{1,2}[/.-]\d{1,2}[/.-]\d{4}\b", text), "no day-first dates"
    assert re.search(r"\b\d{4}-\d{2}-\d{2}\b", text), "no ISO dates"


def test_at_rate_zero_there_is_no_defect(tmp_path: Path):
    out = tmp_path / "clean"
    _generate(out, rate=0.0, n=2000)
    _, ground_truth, _ = load_truth(out)
    assert ground_truth.empty


def test_same_seed_same_bytes_other_seed_other_data(tmp_path: Path):
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    _generate(a, seed=5, n=1500)
    _generate(b, seed=5, n=1500)
    _generate(c, seed=6, n=1500)
    assert _digest(a) == _digest(b)
    assert _digest(a) != _digest(c)
    truth_a, _, _ = load_truth(a)
    truth_b, _, _ = load_truth(b)
    for name in truth_a:
        pd.testing.assert_frame_equal(truth_a[name], truth_b[name])


def test_refuses_to_overwrite_a_folder_it_did_not_make(tmp_path: Path, capsys):
    real = tmp_path / "real_exports"
    real.mkdir()
    (real / "cases.csv").write_text("precious\n")
    code = main(["demo-data", "--out", str(real), "--individuals", "100", "--as-of", AS_OF])
    assert code == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert (real / "cases.csv").read_text() == "precious\n"


def test_replaces_its_own_output_only_when_asked(tmp_path: Path, capsys):
    out = tmp_path / "demo"
    _generate(out, n=500)
    assert main(["demo-data", "--out", str(out), "--individuals", "500", "--as-of", AS_OF]) == 2
    assert "--replace" in capsys.readouterr().err
    args = ["demo-data", "--out", str(out), "--individuals", "600", "--as-of", AS_OF, "--replace"]
    assert main(args) == 0
    assert (
        json.loads((out / "_generator" / "generator.json").read_text())["parameters"]["individuals"]
        == 600
    )
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "staging left behind"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--individuals", "0"], "at least 1"),
        (["--defect-rate", "2"], "between 0 and 0.5"),
        (["--as-of", "24/11/2026"], "YYYY-MM-DD"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(tmp_path: Path, args, message):
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "protection_workbench",
            "demo-data",
            "--out",
            str(tmp_path / "x"),
            *args,
        ],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2
    assert message in proc.stderr
    assert "Traceback" not in proc.stderr


def test_manifests_carry_departure_airports_that_clean_back(demo: Path):
    from protection_workbench.clean.load import load_export
    from protection_workbench.config import get_config

    truth, _, _ = load_truth(demo)
    cleaned = load_export(demo)["manifest"]
    airports = get_config().codes("airport")
    assert cleaned["departure_airport"].notna().all()
    assert set(cleaned["departure_airport"].astype(str)) <= set(airports)
    key = ["manifest_id", "individual_id"]
    both = (
        cleaned[[*key, "departure_airport"]]
        .astype(str)
        .merge(
            truth["manifest"][[*key, "departure_airport"]].astype(str), on=key, suffixes=("", "_t")
        )
    )
    assert len(both) >= len(truth["manifest"])
    assert (both["departure_airport"] == both["departure_airport_t"]).all()
    # the files spell them as exports do: IATA codes or other spellings among the names
    written = "".join(p.read_text("utf-8", errors="replace") for p in demo.glob("manifest_*.csv"))
    assert re.search(r"\b(MJI|MRA|SEB|BEN)\b", written)


def test_a_manifest_without_an_airport_column_still_cleans(tmp_path: Path):
    from protection_workbench.clean.load import load_export

    columns = [c for c in DATASETS["manifest"].column_names if c != "departure_airport"]
    row = {
        "manifest_id": "MNF-20261126-MJI-NGA",
        "flight_date": "26/11/2026",
        "flight_type": "Charter",
        "destination_country": "Nigeria",
        "individual_id": "IND-00000001",
        "first_name": "Emeka",
        "last_name": "Okafor",
        "date_of_birth": "1990-01-01",
        "nationality": "NGA",
        "document_number": "ETD1234567",
        "ftt_status": "fit",
    }
    pd.DataFrame([row], columns=columns).to_csv(tmp_path / "manifest_1.csv", index=False)
    export = load_export(tmp_path)
    manifest = export["manifest"]
    assert len(manifest) == 1 and manifest["departure_airport"].isna().all()
    assert "departure_airport" in export.datasets["manifest"].report.missing_optional_columns
    # the aliases of config/header_aliases.yaml and the IATA code are understood
    pd.DataFrame([{**row, "Airport": "mji"}]).rename(
        columns={"flight_type": "Charter/Commercial"}
    ).to_csv(tmp_path / "manifest_1.csv", index=False)
    assert load_export(tmp_path)["manifest"]["departure_airport"].tolist() == ["Mitiga"]


def test_sample_highlights_are_written_and_hold_no_personal_data(demo: Path):
    from protection_workbench.clean.load import load_export
    from protection_workbench.publish.notes import find_personal_data

    text = (demo / "highlights.md").read_text("utf-8")
    sections = re.findall(r"^## (.+)$", text, flags=re.M)
    assert sections == ["Highlights", "Challenges", "Next week"]
    visible = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    items = [line for line in visible.splitlines() if line.startswith("- ")]
    assert len(items) >= 6 and all(len(line) > 40 for line in items)
    # the run's own check, against the cleaned records of the folder
    assert find_personal_data(text, frames=load_export(demo).frames) == []
    # and independently: no id, phone or document pattern, no word that is a person's name
    assert not re.search(r"\b(IND|LY-VHR|REF|PLC|HST|VIS|PAY|ACT|MNF|COM)-\d", text)
    assert not re.search(r"\+?\d[\d ]{7,}\d", text)
    truth, _, _ = load_truth(demo)
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", visible)}
    for frame in (truth["cases"], truth["manifest"]):
        for column in ("first_name", "last_name"):
            names = {
                w.casefold()
                for v in frame[column].dropna().astype(str).unique()
                for w in re.findall(r"[^\W\d_]+", v)
            }
            assert not words & names, (column, words & names)
    # upcoming charters are announced with their departure airport
    assert re.search(r"Charter to .+ from (Mitiga|Misrata|Sebha|Benghazi Benina) on", text)
    _, _, record = load_truth(demo)
    assert record["notes"] == "highlights.md"
