"""Hostile folders: what the workbench deletes, moves and where it works.

* Retention (``workbench prune``, ``--keep-restricted``) removes only run folders the
  workbench made (run marker and readable run.json), newest runs by their recorded start;
  everything else is left alone and listed (issue 20, defect 2).
* A report that fails while ``--out`` and ``--restricted`` are on two file systems is
  moved across them; the run goes on and says coherently what was kept (defect 7).
* No thread changes the process's working directory: a relative ``--out`` gives right
  paths everywhere even while reports run two at a time (defect 8).
* The workbench's marker is owner-only in private roots (defect 9).
"""

from __future__ import annotations

import functools
import json
import os
import shutil
import stat
import tempfile
import threading
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import nbformat
import pytest
from notebook_runs import tiny_notebook

from protection_workbench import cli
from protection_workbench.errors import WorkbenchError
from protection_workbench.outputs import (
    MARKER,
    claim_folder,
    mark_run_folder,
    replacing_own_output,
)
from protection_workbench.run import weekly
from protection_workbench.run.period import run_period
from protection_workbench.run.weekly import Report, prune_restricted, run_weekly
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("hostile-folders") / "demo"
    generate_demo_exports(out, 1500, 23, AS_OF, 0.01)
    return out


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


# ------------------------------------------------------------------ retention (defect 2)


def _restricted_root(path: Path) -> Path:
    return claim_folder(path, "weekly-restricted", private=True)


def _run_folder(root: Path, run_id: str, started: datetime, suffix: str = "") -> Path:
    """A run folder as a run leaves it: the run marker and run.json (with its start)."""
    folder = root / f"{run_id}{suffix}"
    folder.mkdir()
    mark_run_folder(folder, run_id, private=True)
    record = {"run_id": run_id, "started": started.isoformat(timespec="seconds")}
    (folder / "run.json").write_text(json.dumps(record))
    (folder / "findings.csv").write_text("record_id\nIND-1\n")
    return folder


def _users_folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir(parents=True)
    (folder / "findings.csv").write_text("my own list\n")  # looks like a run's, is not
    return folder


T0 = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)


def test_prune_removes_only_run_folders_and_lists_the_rest(tmp_path, capsys):
    root = _restricted_root(tmp_path / "outputs-restricted")
    old = _run_folder(root, "2026-W47_20261123T060000Z", T0 - timedelta(days=7))
    failed = _run_folder(root, "2026-W48_20261130T050000Z", T0 - timedelta(hours=1), ".failed")
    newest = _run_folder(root, "2026-W48_20261130T060000Z", T0)
    users = [_users_folder(root, n) for n in ("2024-taxes", "2025-archive", "2025-photos")]
    copy = root / "2026-W47 backup"  # a user's copy of a run: marker and record say W47
    shutil.copytree(old, copy)
    broken = _run_folder(root, "2026-W46_20261116T060000Z", T0 - timedelta(days=14))
    (broken / "run.json").write_text("{ not json")
    (root / "notes.txt").write_text("kept by hand")

    assert cli.main(["prune", "--restricted", str(root), "--keep", "1"]) == 0
    out = capsys.readouterr().out
    assert not old.exists() and not failed.exists() and newest.is_dir()
    for kept in [*users, copy, broken, root / "notes.txt"]:
        assert kept.exists(), kept
        assert kept.name in out, f"{kept.name} is not listed as left alone"
    assert "2 older run(s)" in out and "Left alone (not removed), 6" in out
    assert (users[1] / "findings.csv").read_text() == "my own list\n"


def test_prune_orders_runs_by_their_recorded_start_not_their_name(tmp_path):
    """A period run (``2026-Q4_…``) made after a weekly run is the newest, although its
    name sorts before the weekly run's."""
    root = _restricted_root(tmp_path / "outputs-restricted")
    weekly_run = _run_folder(root, "2026-W52_20261228T060000Z", T0 + timedelta(days=28))
    period_run = _run_folder(root, "2026-Q4_20270105T090000Z", T0 + timedelta(days=36))
    month_run = _run_folder(root, "2026-12_20270104T090000Z", T0 + timedelta(days=35))
    pruned = prune_restricted(root, keep=2)
    assert sorted(pruned.removed) == [weekly_run]
    assert period_run.is_dir() and month_run.is_dir() and pruned.left_alone == []


def test_prune_refuses_a_folder_the_workbench_did_not_make(tmp_path, capsys):
    documents = tmp_path / "mydocs"
    users = [_users_folder(documents, n) for n in ("2024-taxes", "2025-photos")]
    code = cli.main(["prune", "--restricted", str(documents), "--keep", "1"])
    err = capsys.readouterr().err
    assert code == 2 and "not a restricted folder made by the workbench" in err, err
    assert "nothing was removed" in err and "Traceback" not in err
    assert all(folder.is_dir() for folder in users)


def test_prune_with_the_file_system_root_as_out_is_a_clear_exit_2(capsys):
    code = cli.main(["prune", "--out", "/", "--keep", "1"])
    err = capsys.readouterr().err
    assert code == 2, err
    assert "root of the file system" in err and "--restricted" in err
    assert "internal error" not in err


def test_retention_keeps_the_newest_runs_by_time_on_real_runs(demo, tmp_path):
    """A weekly run, then a period run with ``--keep-restricted 1``: the period run is the
    newest and stays (its name sorts first); the weekly run's restricted folder goes, a
    folder of the user's in the restricted root stays. Both real run folders carry the
    run marker and a run.json, owner-only in the restricted root."""
    notebooks, out = tmp_path / "notebooks", tmp_path / "outputs"
    tiny_notebook(notebooks, "good", "print('fine')")
    first = run_weekly(demo, AS_OF, out, (Report("good.ipynb", "Good"),), notebooks)
    restricted_root = out.with_name("outputs-restricted")
    archive = _users_folder(restricted_root, "2025-archive")
    for folder, private in ((Path(first["restricted"]), True), (out / first["run_id"], False)):
        marker = json.loads((folder / MARKER).read_text())
        assert marker["kind"] == "run" and marker["run_id"] == first["run_id"]
        assert json.loads((folder / "run.json").read_text())["run_id"] == first["run_id"]
        assert _mode(folder / MARKER) == (0o600 if private else 0o644)
    assert _mode(restricted_root / MARKER) == 0o600
    second = run_period(
        demo,
        date(2026, 10, 1),
        date(2026, 12, 31),
        out,
        reports=(Report("good.ipynb", "Good"),),
        notebook_dir=notebooks,
        keep_restricted=1,
    )
    assert second["run_id"].startswith("2026-Q4_") and second["run_id"] < first["run_id"]
    assert Path(second["restricted"]).is_dir()
    assert not Path(first["restricted"]).exists()
    assert (archive / "findings.csv").read_text() == "my own list\n"
    assert (out / first["run_id"]).is_dir(), "reviewers' folders are never pruned"


def test_leftovers_are_swept_only_from_run_folders(tmp_path):
    """The sweep of a killed run's leftovers removes only the workbench's own staging
    folders and hand-off copies, never a user's ``.something.tmp`` or ``prepared``."""
    out = claim_folder(tmp_path / "outputs", "weekly-site", private=False)
    root = _restricted_root(tmp_path / "outputs-restricted")
    killed = root / ".2026-W48_20261130T060000Z.tmp"
    killed.mkdir()
    mark_run_folder(killed, "2026-W48_20261130T060000Z", private=True)
    run = _run_folder(root, "2026-W47_20261123T060000Z", T0 - timedelta(days=7))
    (run / "prepared").mkdir()
    users_tmp, users_prepared = root / ".mine.tmp", _users_folder(root, "2025-archive")
    users_tmp.mkdir()
    (users_prepared / "prepared").mkdir()
    swept = weekly.sweep_leftovers(out, root)
    assert sorted(swept) == sorted([str(killed), str(run / "prepared")])
    assert users_tmp.is_dir() and (users_prepared / "prepared").is_dir()


# ------------------------------------------------------------------ the marker (defect 9)


def test_the_marker_is_owner_only_in_private_roots(tmp_path):
    private = claim_folder(tmp_path / "private", "check", private=True)
    shared = claim_folder(tmp_path / "shared", "weekly-site", private=False)
    assert _mode(private / MARKER) == 0o600 and _mode(shared / MARKER) == 0o644
    with replacing_own_output(tmp_path / "private", "check") as staging:
        (staging / "findings.csv").write_text("x\n")
    assert _mode(private / MARKER) == 0o600
    # a marker an older version left readable by all is made private when claimed again
    os.chmod(private / MARKER, 0o644)
    claim_folder(private, "check", private=True)
    assert _mode(private / MARKER) == 0o600


# ------------------------------------------------------------------ runs through the CLI


def _cli_with_reports(monkeypatch, reports: tuple[Report, ...], notebooks: Path) -> None:
    """``workbench run weekly`` as typed, running ``reports`` of ``notebooks``."""
    monkeypatch.setattr(
        weekly,
        "run_weekly",
        functools.partial(weekly.run_weekly, reports=reports, notebook_dir=notebooks),
    )


@pytest.fixture
def other_file_system(tmp_path):
    """A folder on another file system than ``tmp_path`` (tmpfs /dev/shm)."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("no /dev/shm here: no second file system to test with")
    folder = Path(tempfile.mkdtemp(prefix="workbench-test-", dir="/dev/shm"))
    try:
        if folder.stat().st_dev == tmp_path.stat().st_dev:
            pytest.skip("/dev/shm is on the same file system as the test's folder here")
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_a_failed_report_across_two_file_systems_spares_the_others(
    demo, tmp_path, other_file_system, monkeypatch, capsys
):
    notebooks = tmp_path / "notebooks"
    tiny_notebook(notebooks, "good", "print('fine')")
    tiny_notebook(notebooks, "bad", "raise ValueError('planted failure')")
    _cli_with_reports(
        monkeypatch, (Report("bad.ipynb", "Bad"), Report("good.ipynb", "Good")), notebooks
    )
    out, restricted = other_file_system / "outputs", tmp_path / "restricted"
    code = cli.main(
        ["run", "weekly", "--data", str(demo), "--as-of", AS_OF.isoformat()]
        + ["--out", str(out), "--restricted", str(restricted)]
    )
    captured = capsys.readouterr()
    assert code == 3, captured.err  # a report failed; the others are published
    assert "cross-device" not in captured.err and "nothing" not in captured.err
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    record = json.loads((run / "run.json").read_text())
    assert record["status"] == "reports_failed"
    assert [r["status"] for r in record["reports"]] == ["failed", "ok"]
    assert (run / "good.html").is_file() and not (run / "notebooks" / "bad.ipynb").exists()
    failed_copy = restricted / run.name / "notebooks" / "failed-bad.ipynb"
    assert "planted failure" in failed_copy.read_text()
    assert _mode(failed_copy) == 0o600
    assert not [p for p in out.rglob("*") if p.name.endswith((".partial", ".tmp"))]
    assert f"Share with reviewers: {out}" in captured.out


def test_a_failed_run_across_two_file_systems_says_where_it_is_kept(
    tmp_path, other_file_system, capsys
):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "cases.csv").write_bytes(b"\x00\x01\x02PK garbage")
    out, restricted = other_file_system / "outputs", tmp_path / "restricted"
    code = cli.main(
        ["run", "weekly", "--data", str(data), "--as-of", AS_OF.isoformat()]
        + ["--out", str(out), "--restricted", str(restricted)]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    (kept,) = [p for p in out.iterdir() if p.is_dir()]
    assert kept.name.endswith(".failed") and (kept / "error.txt").is_file()
    assert f"The failed run is kept in {kept}" in err and "nothing" not in err.lower(), err
    assert (restricted / kept.name / "logs" / "error.log").is_file()


def test_no_thread_changes_the_working_directory_with_a_relative_out(
    demo, tmp_path, monkeypatch, capsys
):
    """Two reports at once (one fails), ``--out`` relative, the process in a folder of its
    own: the working directory never changes while they run, every path printed or
    recorded is under that folder, and each kernel still runs in the notebooks' folder."""
    notebooks = tmp_path / "notebooks"
    tiny_notebook(notebooks, "slow", "import os, time\ntime.sleep(3)\nprint(os.getcwd())")
    tiny_notebook(notebooks, "bad", "import time\ntime.sleep(1)\nraise ValueError('planted')")
    reports = (Report("slow.ipynb", "Slow"), Report("bad.ipynb", "Bad"))
    _cli_with_reports(monkeypatch, reports, notebooks)
    here = tmp_path / "elsewhere"
    here.mkdir()
    monkeypatch.chdir(here)
    seen, stop = set(), threading.Event()

    def watch() -> None:
        while not stop.is_set():
            seen.add(os.getcwd())
            stop.wait(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        code = cli.main(
            ["run", "weekly", "--data", str(demo), "--as-of", "2026-11-24"]
            + [
                "--out",
                "site",
            ]
        )
    finally:
        stop.set()
        watcher.join()
    captured = capsys.readouterr()
    assert code == 3, captured.err
    assert seen == {str(here)}, f"the working directory changed: {seen}"
    out = here / "site"
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    record = json.loads((run / "run.json").read_text())
    assert record["restricted"] == str(here / "site-restricted" / run.name)
    assert f"Share with reviewers: {out} " in captured.out
    assert f"(see {run / 'error.txt'})" in captured.out
    assert f"Never share: {here / 'site-restricted'} " in captured.out
    assert str(notebooks) not in captured.out + captured.err + json.dumps(record)

    def paths(value):  # every absolute path the record holds
        if isinstance(value, dict):
            return [p for v in value.values() for p in paths(v)]
        if isinstance(value, list):
            return [p for v in value for p in paths(v)]
        return [value] if isinstance(value, str) and value.startswith("/") else []

    recorded = paths(record)
    assert str(here / "site-restricted" / run.name) in recorded and str(demo) in recorded
    assert all(Path(p).is_relative_to(here) or Path(p).is_relative_to(demo) for p in recorded)
    # the kernel itself still started in the notebooks' folder
    executed = nbformat.read(run / "notebooks" / "slow.ipynb", as_version=4)
    assert executed.cells[-1].outputs[0]["text"].strip() == str(notebooks)
    assert (here / "site-restricted" / run.name / "notebooks" / "failed-bad.ipynb").is_file()


def test_a_root_without_a_marker_is_never_pruned_by_the_run(tmp_path):
    with pytest.raises(WorkbenchError, match="not a restricted folder"):
        prune_restricted(tmp_path, keep=1)
