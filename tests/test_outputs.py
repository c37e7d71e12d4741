"""Commands never destroy what they did not write; restricted outputs are private; CSV
cells cannot run as spreadsheet formulas (outputs.py, and the CLI that uses it)."""

from __future__ import annotations

import csv
import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from protection_workbench.outputs import (
    MARKER,
    UnsafeOutputError,
    neutralise_formula,
    replacing_own_output,
    write_csv,
)
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = "2026-11-24"


def _workbench(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "protection_workbench", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
    )


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs") / "demo"
    generate_demo_exports(out, 800, 5, date.fromisoformat(AS_OF), 0.01)
    return out


def _snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------------------ the folder guard


def test_check_keeps_a_users_file_when_it_replaces_its_own_output(demo, tmp_path):
    out = tmp_path / "check"
    assert (
        _workbench("check", "--data", str(demo), "--as-of", AS_OF, "--out", str(out)).returncode
        == 1
    )
    (out / "my notes.txt").write_text("call the partner on Monday")
    proc = _workbench("check", "--data", str(demo), "--as-of", AS_OF, "--out", str(out))
    assert proc.returncode == 1, proc.stderr
    assert (out / "my notes.txt").read_text() == "call the partner on Monday"
    assert (out / "findings.csv").is_file() and (out / MARKER).is_file()
    assert not [p for p in out.iterdir() if p.name.startswith((".staging", ".old"))]


@pytest.mark.parametrize("where", ["data", "inside data", "around data"])
def test_check_and_clean_refuse_the_data_folder_and_folders_around_it(demo, where, tmp_path):
    before = _snapshot(demo)
    out = {"data": demo, "inside data": demo / "results", "around data": demo.parent}[where]
    for command in (["check", "--as-of", AS_OF], ["clean"]):
        proc = _workbench(*command, "--data", str(demo), "--out", str(out))
        assert proc.returncode == 2, proc.stderr
        assert "data folder" in proc.stderr and "Traceback" not in proc.stderr
    assert _snapshot(demo) == before, "the exports were changed"
    assert not (demo / "results").exists()


def test_check_refuses_a_file_a_foreign_folder_and_the_weekly_site(demo, tmp_path):
    a_file = tmp_path / "report.docx"
    a_file.write_bytes(b"the user's document")
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "budget.xlsx").write_bytes(b"numbers")
    site = tmp_path / "outputs"
    site.mkdir()
    (site / MARKER).write_text('{"kind": "weekly-site"}')
    (site / "2026-W47_x").mkdir()
    for out, expected in ((a_file, "is a file"), (foreign, "not made by the workbench"),
                          (site, "another kind")):  # fmt: skip
        proc = _workbench("check", "--data", str(demo), "--as-of", AS_OF, "--out", str(out))
        assert proc.returncode == 2 and expected in proc.stderr, proc.stderr
    assert a_file.read_bytes() == b"the user's document"
    assert [p.name for p in foreign.iterdir()] == ["budget.xlsx"]
    assert (site / "2026-W47_x").is_dir()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "hidden leftovers"


def test_an_entry_the_workbench_did_not_write_is_never_replaced(tmp_path):
    out = tmp_path / "out"
    with replacing_own_output(out, "check") as staging:
        (staging / "findings.csv").write_text("first")
    (out / "cleaning").mkdir()
    (out / "cleaning" / "mine.txt").write_text("the user's")
    with (
        pytest.raises(UnsafeOutputError, match="cleaning"),
        replacing_own_output(out, "check") as staging,
    ):
        (staging / "findings.csv").write_text("second")
        (staging / "cleaning").mkdir()
    assert (out / "findings.csv").read_text() == "first", "nothing replaced on refusal"
    assert (out / "cleaning" / "mine.txt").read_text() == "the user's"


def test_a_failure_while_writing_leaves_the_earlier_output_whole(tmp_path):
    out = tmp_path / "out"
    with replacing_own_output(out, "check") as staging:
        (staging / "findings.csv").write_text("first")
    with pytest.raises(OSError), replacing_own_output(out, "check") as staging:
        (staging / "findings.csv").write_text("half")
        raise OSError(28, "No space left on device")  # what a full disk raises
    assert (out / "findings.csv").read_text() == "first"
    assert sorted(p.name for p in out.iterdir()) == [MARKER, "findings.csv"]


@pytest.fixture
def small_disk(tmp_path):
    """A real 1 MB tmpfs where the machine allows mounting (root in the sandbox and CI),
    else None: the tests then raise the same OS error themselves."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        yield None
        return
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_a_read_only_output_folder_is_a_clear_error(demo, small_disk, tmp_path, monkeypatch):
    from protection_workbench import cli

    if small_disk is not None:
        subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
        out = small_disk / "check"
    else:  # no mount here: the error a read-only file system gives
        out = tmp_path / "check"

        def read_only(*args, **kwargs):
            raise OSError(30, "Read-only file system", str(out))

        monkeypatch.setattr(Path, "mkdir", read_only)
    code = cli.main(["check", "--data", str(demo), "--as-of", AS_OF, "--out", str(out)])
    assert code == 2
    assert not out.exists()


def test_a_full_disk_keeps_no_copy_of_the_data_and_says_so(demo, small_disk, tmp_path):
    """The weekly run on a disk that fills up: exit 2 with the reason, and no hand-off copy
    of the cleaned data or half-written run left anywhere."""
    from protection_workbench.run.weekly import Report, RunFailed, run_weekly

    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    root = small_disk or tmp_path / "disk"
    out = root / "outputs"
    if small_disk is not None:  # leave ~64 KB free: the cleaning outputs do not fit
        free = os.statvfs(root).f_bavail * os.statvfs(root).f_frsize
        (root / "filler").write_bytes(b"x" * (free - 64 * 1024))
    if small_disk is None:  # no mount here: fill the "disk" by failing the hand-off write
        import protection_workbench.run.check as check

        def full(self, folder):
            folder.mkdir(parents=True)
            (folder / "partial.parquet").write_bytes(b"x")
            raise OSError(28, "No space left on device", str(folder))

        check.CheckResult.save, saved = full, check.CheckResult.save
    try:
        with pytest.raises(RunFailed) as info:
            run_weekly(demo, date.fromisoformat(AS_OF), out, (Report("x.ipynb", "X"),), notebooks)
    finally:
        if small_disk is None:
            check.CheckResult.save = saved
    assert info.value.exit_code == 2
    assert "No space left on device" in str(info.value)
    leftovers = [p for p in root.rglob("*") if "prepared" in p.parts or p.suffix == ".parquet"]
    leftovers += [p for p in root.rglob("*.csv")]  # no half-written cleaning outputs
    assert leftovers == []
    assert not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


# ------------------------------------------------------------------ permissions


def test_check_outputs_are_private_to_their_owner(demo, tmp_path):
    out = tmp_path / "check"
    _workbench("check", "--data", str(demo), "--as-of", AS_OF, "--out", str(out))
    assert _mode(out) == 0o700
    assert (out / MARKER).is_file()
    for path in out.rglob("*"):  # the marker too: it lists what the folder holds
        assert _mode(path) == (0o700 if path.is_dir() else 0o600), path


# ------------------------------------------------------------------ formula injection

FORMULAS = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_formula_prefixes_are_neutralised(text):
    assert neutralise_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["-13", "+5", "-0.5", "1,234", 42, -3.5, "Tripoli", "", None])
def test_numbers_and_plain_text_are_unchanged(value):
    assert neutralise_formula(value) == value


def test_every_csv_cell_and_header_is_neutralised_numbers_kept(tmp_path):
    frame = pd.DataFrame(
        {"record_id": FORMULAS[:3], "=cmd": ["a", "b", "c"], "count": [-1, 2, 3]}
    ).astype({"record_id": "category"})
    path = write_csv(frame, tmp_path / "x.csv", index=False)
    rows = list(csv.reader(path.open()))
    assert rows[0] == ["record_id", "'=cmd", "count"]
    assert [r[0] for r in rows[1:]] == ["'" + f for f in FORMULAS[:3]]
    assert [r[2] for r in rows[1:]] == ["-1", "2", "3"]


def test_findings_csv_of_check_is_neutralised(tmp_path):
    from protection_workbench.run.check import read_findings

    frame = pd.DataFrame(
        {
            "dataset": ["cases"],
            "record_id": ['=HYPERLINK("http://evil")'],
            "case_id": ["@SUM(A1)"],
            "rule": ["C001"],
            "severity": ["error"],
            "message": ["+1 more"],
        }
    )
    path = write_csv(frame, tmp_path / "findings.csv", index=False)
    back = read_findings(path)
    assert back.loc[0, "record_id"].startswith("'=")
    assert back.loc[0, "case_id"].startswith("'@")


def test_published_hxl_tables_are_neutralised_numbers_kept(tmp_path):
    from protection_workbench.publish.hxl import read_hxl_csv, write_hxl_files

    table = pd.DataFrame({"mantika": ["=1+1", "Tripoli"], "individuals": [-3, 12]})
    path = write_hxl_files(
        table, tmp_path / "t.csv", {"mantika": "#adm1+name", "individuals": "#affected"}
    )[0]
    data, tags = read_hxl_csv(path)
    assert list(data["mantika"]) == ["'=1+1", "Tripoli"]
    assert list(data["individuals"]) == [-3, 12]
