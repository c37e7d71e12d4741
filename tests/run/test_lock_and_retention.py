"""A live lock is waited for with a time limit and a message naming its holder; a lock of
a process that is gone is free at once; old restricted outputs can be pruned (only run
folders: more in tests/adversarial/test_hostile_folders.py)."""

from __future__ import annotations

import fcntl
import json
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest

from protection_workbench import cli
from protection_workbench.errors import WorkbenchError
from protection_workbench.outputs import claim_folder, mark_run_folder
from protection_workbench.run.weekly import prune_restricted, run_lock


def test_a_live_lock_is_waited_for_then_a_clear_message(tmp_path):
    claim_folder(tmp_path, "weekly-site", private=False)
    with run_lock(tmp_path):  # a run that hangs
        started = time.monotonic()
        with (
            pytest.raises(WorkbenchError, match=r"process \d+ since .* held the lock"),
            run_lock(tmp_path, timeout_s=2),
        ):
            pass
        assert 2 <= time.monotonic() - started < 10


def test_the_lock_of_a_killed_process_is_free_at_once(tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import fcntl, sys, time; h = open(sys.argv[1], 'a'); "
            "fcntl.flock(h, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(600)",
            str(tmp_path / ".weekly-run.lock"),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    with open(tmp_path / ".weekly-run.lock") as handle, pytest.raises(BlockingIOError):
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    holder.kill()
    holder.wait()
    started = time.monotonic()
    with run_lock(tmp_path, timeout_s=5):
        assert time.monotonic() - started < 1


def _runs(root: Path, names: list[str]) -> None:
    """Run folders as runs leave them (run marker, run.json), started in the order given."""
    claim_folder(root, "weekly-restricted", private=True)
    for hour, name in enumerate(names):
        run_id = name.removesuffix(".failed")
        (root / name).mkdir(parents=True)
        mark_run_folder(root / name, run_id, private=True)
        started = f"2026-11-{10 + hour:02d}T06:00:00+00:00"
        (root / name / "run.json").write_text(json.dumps({"run_id": run_id, "started": started}))
        (root / name / "findings.csv").write_text("x")


def test_prune_keeps_the_newest_runs_and_nothing_else_goes(tmp_path):
    restricted = tmp_path / "outputs-restricted"
    names = ["2026-W45_a", "2026-W46_a", "2026-W47_a", "2026-W47_b.failed", "2026-W48_a"]
    _runs(restricted, names)
    pruned = prune_restricted(restricted, keep=2)
    assert sorted(p.name for p in pruned.removed) == ["2026-W45_a", "2026-W46_a", "2026-W47_a"]
    assert pruned.left_alone == []
    assert sorted(p.name for p in restricted.iterdir()) == [
        ".workbench-output.json",
        "2026-W47_b.failed",
        "2026-W48_a",
    ]


def test_prune_command(tmp_path, capsys):
    _runs(tmp_path / "outputs-restricted", ["2026-W46_a", "2026-W47_a"])
    assert cli.main(["prune", "--out", str(tmp_path / "outputs"), "--keep", "1"]) == 0
    assert "1 older run" in capsys.readouterr().out
    assert sorted(p.name for p in (tmp_path / "outputs-restricted").iterdir()) == [
        ".workbench-output.json",
        "2026-W47_a",
    ]
    assert cli.main(["prune", "--out", str(tmp_path / "elsewhere"), "--keep", "1"]) == 2


def test_weekly_run_refuses_a_restricted_root_inside_the_reviewers_folder(tmp_path):
    from protection_workbench.run.weekly import run_weekly

    data = tmp_path / "exports"
    data.mkdir()
    with pytest.raises(WorkbenchError, match="must not be inside the reviewers"):
        run_weekly(
            data, date(2026, 11, 24), tmp_path / "out", restricted_root=tmp_path / "out" / "r"
        )
