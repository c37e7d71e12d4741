"""The command line's contract: arguments fully checked (exit 2, one message), exit codes
that mean one thing each, and an internal error that is one plain line on stderr with the
traceback kept in a private log."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from protection_workbench import cli
from protection_workbench.dates import last_complete_week_end, week_end


@pytest.mark.parametrize(
    "week", ["2026-W54", "2026-W00", "2026-W4", "20266-W47", "0000-W01", "2026-47", "W47", ""]
)
def test_a_bad_iso_week_exits_2(week, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["run", "weekly", "--data", str(tmp_path), "--week", week])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "--week" in err and ("ISO week" in err or "year" in err), err


@pytest.mark.parametrize("week,sunday", [("2026-W47", "2026-11-22"), ("2020-W53", "2021-01-03")])
def test_a_good_iso_week_ends_on_its_sunday(week, sunday):
    assert week_end(cli._iso_week(week)).isoformat() == sunday


@pytest.mark.parametrize(
    "today, sunday",
    [
        ("2026-11-30", "2026-11-29"),  # Monday 06:00, the scheduled run: the week just ended
        ("2026-12-02", "2026-11-29"),  # mid-week: still the last complete week
        ("2026-12-06", "2026-11-29"),  # Sunday: the day is not over, so the week before
        ("2027-01-04", "2027-01-03"),  # across a year: week 2026-W53
    ],
)
def test_the_default_week_is_the_last_complete_one(today, sunday):
    from datetime import date

    assert last_complete_week_end(date.fromisoformat(today)).isoformat() == sunday


@pytest.mark.parametrize("as_of", ["0001-01-01", "9999-12-31", "2026-02-30", "24/11/2026", "x"])
def test_a_bad_as_of_date_exits_2_without_a_traceback(as_of, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        cli.main(["check", "--data", str(tmp_path), "--as-of", as_of, "--out", str(tmp_path)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and ("YYYY-MM-DD" in err or "outside" in err)


def test_an_internal_error_is_exit_3_one_line_and_a_private_log(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))

    def a_bug(args):
        raise KeyError("Amina Yusuf")  # a bug whose message quotes data

    monkeypatch.setattr(cli, "cmd_rules", a_bug)
    code = cli.main(["rules"])
    err = capsys.readouterr().err
    assert code == 3
    assert err.count("\n") == 1 and "internal error (KeyError)" in err
    assert "Amina" not in err and "Traceback" not in err
    log = Path(err.rsplit(": ", 1)[1].strip())
    assert "Amina Yusuf" in log.read_text() and "Traceback" in log.read_text()
    assert stat.S_IMODE(log.stat().st_mode) == 0o600
    assert stat.S_IMODE(log.parent.stat().st_mode) == 0o700
