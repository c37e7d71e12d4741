"""The weekly run end to end, and its unattended safety: failures are kept apart, never
replace an earlier run, a killed run leaves nothing that looks complete, and two runs at
once do not corrupt each other."""

from __future__ import annotations

import email
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from email import policy
from pathlib import Path

import nbformat
import pytest
from notebook_runs import tiny_notebook

from protection_workbench.run.weekly import WEEKLY_REPORTS, Report, run_weekly
from protection_workbench.synth.generate import generate_demo_exports, load_truth

AS_OF = date(2026, 11, 24)


# Distinctive personal data planted in the exports: none may reach a reviewer output.
PLANTED = {
    "first_name": "Zorblatt",
    "last_name": "Quexington",
    "phone": "+218 91 777 4242",
    "document_number": "PX9988776",
    "date_of_birth": "13/03/1931",
}
PLANTED_TRACES = [
    "Zorblatt",
    "Quexington",
    "777 4242",
    "7774242",
    "PX9988776",
    "13/03/1931",
    "1931-03-13",
    "Planted note",
]


def _plant_personal_data(folder: Path) -> None:
    """Write PLANTED into some case rows and a note into some visits, in the file's own
    encoding and header spelling."""
    import pandas as pd

    from protection_workbench.clean.headers import map_headers
    from protection_workbench.config import get_config

    record = json.loads((folder / "_generator" / "generator.json").read_text())
    for name, values in (("cases", PLANTED), ("visits", {"notes": "Planted note Zorblatt"})):
        path = folder / f"{name}.csv"
        enc = next(f["encoding"] for f in record["files"] if f["path"] == path.name)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding=enc)
        mapping = map_headers(list(frame.columns), name, path, get_config())
        header = {canonical: raw for raw, canonical in mapping.columns.items()}
        rows = frame.index[3:9]
        for column, value in values.items():
            frame.loc[rows, header[column]] = value
        frame.to_csv(path, index=False, encoding=enc)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("weekly") / "demo"
    generate_demo_exports(out, 1500, 31, AS_OF, 0.01)
    _plant_personal_data(out)
    return out


ROOT = Path(__file__).resolve().parents[1]


def readme_cron_line() -> str:
    """The cron line of the README's scheduling section, as an analyst would paste it."""
    text = (ROOT / "README.md").read_text("utf-8")
    block = re.search(r"```cron\n(.+?)\n```", text, flags=re.S)
    assert block, "README has no ```cron block"
    return block.group(1).strip()


# The scheduled run of these tests starts on a Monday morning, the day after the week of
# the demo exports ended: it must report that week (W48, Monday 23 to Sunday 29 November).
SCHEDULED_AT = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
WEEK_THAT_ENDED = date(2026, 11, 29)


@pytest.fixture(scope="module")
def inbox():
    """A real SMTP server (aiosmtpd) on the loopback address for the run's message."""
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self) -> None:
            self.envelopes: list = []

        async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802
            self.envelopes.append(envelope)
            return "250 Message accepted"

    handler = Inbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    yield handler, port
    controller.stop()


@pytest.fixture(scope="module")
def full_run(demo, inbox, tmp_path_factory) -> tuple[Path, dict]:
    """The whole weekly run, started exactly as cron would: the README's cron line, no
    terminal, a minimal environment, on a Monday at 06:00 (libfaketime gives the workbench's
    Python processes that clock; Chromium and LibreOffice keep the real one), with the
    run's message switched on in a copy of config/ and sent to a local SMTP server."""
    base = tmp_path_factory.mktemp("site")
    out, log = base / "outputs", base / "weekly-run.log"
    config = base / "config"
    shutil.copytree(ROOT / "config", config)
    (config / "notify.yaml").write_text(
        "enabled: true\nhost: 127.0.0.1\n"
        f"port: {inbox[1]}\nsecurity: none\n"
        "sender: Protection workbench <workbench@example.org>\n"
        "recipients: [protection-team@example.org]\n",
        "utf-8",
    )
    schedule, command = readme_cron_line().split(" ", 5)[:5], readme_cron_line().split(" ", 5)[5]
    assert schedule == ["0", "6", "*", "*", "1"]
    command = (
        command.replace("/opt/protection-workbench", str(ROOT))
        .replace("/srv/protection/exports/current", str(demo))
        .replace("/srv/protection/outputs", str(out))
        .replace("/srv/protection/weekly-run.log", str(log))
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(base),
        "SHELL": "/bin/sh",
        "LOGNAME": "cron",
        "WORKBENCH_CONFIG_DIR": str(config),
        # only the workbench's Python processes (the run and its kernels) see the Monday
        "FAKETIME_ONLY_CMDS": "python,python3,python3.11",
    }
    # An offset from now, not a start time: the run and the kernels it starts later must
    # share one clock (with a start time each process would start its own at 06:00).
    offset = int(time.time() - SCHEDULED_AT.timestamp())
    proc = subprocess.run(
        ["faketime", "-f", f"-{offset}", "/bin/sh", "-c", command],
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        timeout=900,
    )
    assert proc.returncode in (0, 1), log.read_text() if log.exists() else proc.stderr
    assert "\r" not in log.read_text(), "progress bars in a scheduler log"
    runs = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert len(runs) == 1, runs
    return out, json.loads((runs[0] / "run.json").read_text())


def test_the_monday_run_reports_the_week_that_ended_and_sends_its_message(full_run, inbox):
    """Issue 22: the README's cron line, run on Monday 30 November 2026 at 06:00, reports
    week 2026-W48 (23 to 29 November) in full, not a one-day week 2026-W49, and the team
    hears about it: one plain message to the configured SMTP server."""
    out, record = full_run
    assert record["as_of"] == WEEK_THAT_ENDED.isoformat()
    assert record["run_id"].startswith("2026-W48"), record["run_id"]
    page = (out / record["run_id"] / "weekly_report.html").read_text("utf-8")
    assert "23 November to 29 November 2026 (compared with the week before)" in page
    assert "not yet complete" not in page
    handler, _ = inbox
    assert len(handler.envelopes) == 1
    message = email.message_from_bytes(handler.envelopes[0].content, policy=policy.default)
    assert message["To"] == "protection-team@example.org"
    assert "2026-W48" in message["Subject"]
    assert not list(message.iter_attachments())
    assert str(out) in message.get_body(preferencelist=("plain",)).get_content()


def test_every_report_is_produced_with_a_complete_run_folder(full_run):
    out, record = full_run
    run = out / record["run_id"]
    restricted = out.with_name("outputs-restricted") / record["run_id"]
    assert Path(record["restricted"]) == restricted
    assert record["status"] in {"ok", "gate_failed"}
    for report in WEEKLY_REPORTS:
        html = run / report.notebook.replace(".ipynb", ".html")
        assert html.is_file(), html
        assert (run / "notebooks" / report.notebook).is_file()
        if report.case_worker_copy:  # real ids, for case workers, in the restricted root
            assert (restricted / html.name).is_file(), html.name
            assert not (run / "restricted").exists()
        text = html.read_text("utf-8")
        assert "Traceback" not in text
        assert not re.search(r"""(src|href)=["']https?://""", text), "network request in HTML"
        as_of = date.fromisoformat(record["as_of"])
        assert f"{as_of.day} {as_of:%B %Y}" in text and record["run_id"] in text
    for name in ("index.html", "run.json", "gate.json"):
        assert (run / name).is_file(), name
    assert (restricted / "findings.csv").is_file()
    assert (restricted / "cleaning" / "cleaning_report.json").is_file()
    assert not (restricted / "prepared").exists(), "the hand-off copy of the data is removed"
    for root in (out, restricted.parent):
        assert not [p for p in root.iterdir() if p.name.endswith(".tmp")]


def test_run_json_matches_the_inputs(full_run, demo):
    out, record = full_run
    saved = json.loads((out / record["run_id"] / "run.json").read_text())
    files = {i["file"]: i for i in saved["inputs"]}
    # highlights.md is the team's notes, recorded apart (run.json "notes"), not an export
    exports = sorted(p for p in demo.iterdir() if p.is_file() and p.name != "highlights.md")
    assert sorted(files) == sorted(p.name for p in exports)
    assert saved["notes"]["file"].endswith("highlights.md")
    for path in exports:
        assert files[path.name]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    _, _, generated = load_truth(demo)
    assert files["cases.csv"]["rows"] == generated["rows"]["cases"]
    assert saved["versions"]["pandas"] and saved["git_commit"]["commit"]
    assert {r["notebook"] for r in saved["reports"]} == {r.notebook for r in WEEKLY_REPORTS}
    assert all(r["status"] == "ok" and r["seconds"] > 0 for r in saved["reports"])
    assert saved["parameters"]["as_of"] == WEEK_THAT_ENDED.isoformat()  # cron: no --as-of


def test_planted_personal_data_reaches_no_reviewer_output(full_run, demo):
    """Names, phone and document numbers, birth dates and notes planted in the exports
    appear nowhere in the run outside restricted/: not in the executed notebooks, the HTML,
    the published tables, run.json or gate.json."""
    out, record = full_run
    run = out / record["run_id"]
    checked = 0
    for path in run.rglob("*"):
        if not path.is_file() or "restricted" in path.relative_to(run).parts:
            continue
        text = path.read_bytes().decode("utf-8", errors="replace")
        found = [t for t in PLANTED_TRACES if t in text]
        assert not found, f"{path.relative_to(run)} shows {found}"
        checked += 1
    assert checked >= 10
    # ... and they really were in the input the run read
    from protection_workbench.clean.load import load_export

    cases = load_export(demo)["cases"]
    assert (cases["first_name"] == "Zorblatt").sum() == 6
    assert (cases["date_of_birth"] == "1931-03-13").sum() == 6
    restricted = (Path(record["restricted"]) / "findings.csv").read_text()
    assert "Zorblatt" not in restricted  # findings name records by id, never by name


def test_reviewer_pages_never_link_the_restricted_folder(full_run):
    out, record = full_run
    pages = [out / "index.html", *(out / record["run_id"]).glob("*.html")]
    for page in pages:
        links = re.findall(r"""href=["']([^"']*)""", page.read_text("utf-8"))
        assert not [link for link in links if "restricted" in link], page.name
    site = (out / "index.html").read_text("utf-8")
    assert record["run_id"] in site


def test_a_failing_report_spares_the_others_and_earlier_runs(demo, tmp_path):
    out = tmp_path / "outputs"
    notebooks = tmp_path / "notebooks"
    tiny_notebook(notebooks, "good", "print('fine')")
    tiny_notebook(notebooks, "bad", "raise ValueError('planted failure Zorblatt')")
    first = run_weekly(demo, AS_OF, out, (Report("good.ipynb", "Good"),), notebooks)
    before = {p: p.read_bytes() for p in (out / first["run_id"]).rglob("*") if p.is_file()}
    record = run_weekly(
        demo, AS_OF, out, (Report("bad.ipynb", "Bad"), Report("good.ipynb", "Good")), notebooks
    )
    assert record["status"] == "reports_failed"
    run, restricted = out / record["run_id"], Path(record["restricted"])
    bad, good = record["reports"]
    assert bad["status"] == "failed" and good["status"] == "ok"
    assert (run / "good.html").is_file() and not (run / "bad.html").exists()
    # reviewers read what failed and where, never a value from the data
    error = (run / "error.txt").read_text()
    assert "bad.ipynb" in error and "cell" in error and "ValueError" in error
    assert "Zorblatt" not in error and "Zorblatt" not in (run / "run.json").read_text()
    assert "Zorblatt" not in (run / "index.html").read_text()
    assert not (run / "notebooks" / "bad.ipynb").exists(), "its error output may quote data"
    # maintainers get the whole story in the restricted folder, without terminal colours
    log = (restricted / "logs" / "error.log").read_text()
    assert "planted failure Zorblatt" in log and "\x1b[" not in log
    assert (restricted / "notebooks" / "failed-bad.ipynb").is_file()
    after = {p: p.read_bytes() for p in (out / first["run_id"]).rglob("*") if p.is_file()}
    assert after == before, "an earlier run was changed"
    site = (out / "index.html").read_text()
    assert first["run_id"] in site and record["run_id"] in site and "some reports failed" in site


def _table_notebook(folder: Path, name: str, body: str) -> Path:
    """A tiny report that also takes the ``tables_dir`` parameter of the run."""
    path = tiny_notebook(folder, name, body)
    nb = nbformat.read(path, as_version=4)
    nb.cells[1].source += '\ntables_dir = ""  # set by the run'
    nbformat.write(nb, path)
    return path


def test_reports_run_two_at_a_time_and_publish_only_their_own_tables(demo, tmp_path):
    """Two reports run at once (each waits for a file the other writes), each is credited
    with exactly the tables it wrote, a failed report's tables are not published, and a
    report that publishes a name another report took fails instead of replacing it."""
    notebooks, meet = tmp_path / "notebooks", tmp_path / "meet"
    meet.mkdir()
    wait_for = (
        "import pathlib, time\n"
        "pathlib.Path({mine!r}).touch()\n"
        "deadline = time.time() + 60\n"
        "while not pathlib.Path({theirs!r}).exists() and time.time() < deadline:\n"
        "    time.sleep(0.1)\n"
        "assert pathlib.Path({theirs!r}).exists(), 'the other report never ran meanwhile'\n"
    )
    write = "pathlib.Path(tables_dir, {name!r}).write_text('people\\n#affected\\n1\\n')\n"
    first, second = meet / "first", meet / "second"
    _table_notebook(
        notebooks,
        "left",
        wait_for.format(mine=str(first), theirs=str(second)) + write.format(name="left_a.csv"),
    )
    _table_notebook(
        notebooks,
        "right",
        wait_for.format(mine=str(second), theirs=str(first))
        + write.format(name="right_a.csv")
        + write.format(name="right_b.csv"),
    )
    _table_notebook(
        notebooks,
        "broken",
        "import pathlib\n" + write.format(name="broken_a.csv") + "raise ValueError('planted')",
    )
    _table_notebook(notebooks, "copycat", "import pathlib\n" + write.format(name="left_a.csv"))
    reports = tuple(Report(f"{n}.ipynb", n.title()) for n in ("left", "right", "broken", "copycat"))
    record = run_weekly(demo, AS_OF, tmp_path / "out", reports, notebooks)
    by_name = {r["notebook"]: r for r in record["reports"]}
    assert [r["notebook"] for r in record["reports"]] == [r.notebook for r in reports]
    assert by_name["left.ipynb"]["tables"] == ["left_a.csv"]
    assert by_name["right.ipynb"]["tables"] == ["right_a.csv", "right_b.csv"]
    assert by_name["broken.ipynb"]["status"] == "failed"
    assert by_name["copycat.ipynb"]["status"] == "failed"
    tables = tmp_path / "out" / record["run_id"] / "tables"
    assert sorted(p.name for p in tables.iterdir()) == ["left_a.csv", "right_a.csv", "right_b.csv"]
    assert (tables / "left_a.csv").read_text() == "people\n#affected\n1\n"


def test_a_corrupt_export_fails_cleanly_at_the_cli(tmp_path):
    data = tmp_path / "exports"
    data.mkdir()
    (data / "cases.csv").write_bytes(b"\x00\x01\x02PK garbage")
    out = tmp_path / "outputs"
    proc = subprocess.run(
        [sys.executable, "-m", "protection_workbench", "run", "weekly", "--data", str(data)]
        + ["--as-of", "2026-11-24", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 2
    assert "cases.csv" in proc.stderr and "Traceback" not in proc.stderr
    assert [p.name.endswith(".failed") for p in out.iterdir() if p.is_dir()] == [True]
    failed = next(p for p in out.iterdir() if p.is_dir())
    assert "cases.csv" in (failed / "error.txt").read_text()
    assert not list(out.with_name("outputs-restricted").rglob("prepared"))


def test_reruns_of_the_same_week_get_new_run_ids(demo, tmp_path):
    notebooks = tmp_path / "notebooks"
    tiny_notebook(notebooks, "good", "print('fine')")
    out = tmp_path / "outputs"
    a = run_weekly(demo, AS_OF, out, (Report("good.ipynb", "Good"),), notebooks)
    b = run_weekly(demo, AS_OF, out, (Report("good.ipynb", "Good"),), notebooks)
    assert a["run_id"] != b["run_id"] and a["week"] == b["week"]
    assert (out / a["run_id"]).is_dir() and (out / b["run_id"]).is_dir()


RUNNER = """
import sys
from datetime import date
from pathlib import Path
from protection_workbench.run.weekly import Report, run_weekly
run_weekly(Path(sys.argv[1]), date(2026, 11, 24), Path(sys.argv[2]),
           (Report("slow.ipynb", "Slow"),), Path(sys.argv[3]))
"""


def _start(demo: Path, out: Path, notebooks: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", RUNNER, str(demo), str(out), str(notebooks)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def test_two_runs_at_once_do_not_corrupt_each_other(demo, tmp_path):
    notebooks = tmp_path / "notebooks"
    tiny_notebook(notebooks, "slow", "import time\ntime.sleep(2)\nprint('done')")
    out = tmp_path / "outputs"
    procs = [_start(demo, out, notebooks) for _ in range(2)]
    for p in procs:
        assert p.wait(timeout=300) == 0, p.stderr.read().decode()
    runs = [p for p in out.iterdir() if p.is_dir()]
    assert len(runs) == 2 and all(not p.name.endswith((".failed", ".tmp")) for p in runs)
    for run in runs:
        record = json.loads((run / "run.json").read_text())
        assert record["status"] in {"ok", "gate_failed"}
        assert (run / "slow.html").is_file()
    site = (out / "index.html").read_text()
    assert all(run.name in site for run in runs)


def test_a_run_killed_halfway_is_never_shown_as_complete(demo, tmp_path):
    notebooks = tmp_path / "notebooks"
    out = tmp_path / "outputs"
    tiny_notebook(notebooks, "good", "print('fine')")
    earlier = run_weekly(demo, AS_OF, out, (Report("good.ipynb", "Good"),), notebooks)
    kept = [out / earlier["run_id"], Path(earlier["restricted"])]
    before = {p: p.read_bytes() for folder in kept for p in folder.rglob("*") if p.is_file()}
    tiny_notebook(notebooks, "slow", "import time\ntime.sleep(60)")
    proc = _start(demo, out, notebooks)
    deadline = time.time() + 120
    while time.time() < deadline and not list((out / ".").glob(".*.tmp/notebooks")):
        time.sleep(0.5)
    time.sleep(3)  # inside the notebook now
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    complete = [p for p in out.iterdir() if p.is_dir() and not p.name.startswith(".")]
    assert complete == [out / earlier["run_id"]], "a killed run must not look complete"
    assert "Slow" not in (out / "index.html").read_text()
    restricted = out.with_name("outputs-restricted")
    assert list(restricted.glob(".*.tmp/prepared")), "the killed run had handed off its data"
    # the next run sweeps what the killed one left, including its copy of the data
    tiny_notebook(notebooks, "slow", "print('quick this time')")
    record = run_weekly(demo, AS_OF, out, (Report("slow.ipynb", "Slow"),), notebooks)
    assert (out / record["run_id"] / "slow.html").is_file()
    assert record["swept_leftovers"] == 2
    for root in (out, restricted):
        assert not [p.name for p in root.iterdir() if p.name.endswith(".tmp")]
    assert not list(restricted.rglob("prepared")) and not list(restricted.rglob("*.parquet"))
    after = {p: p.read_bytes() for folder in kept for p in folder.rglob("*") if p.is_file()}
    assert after == before, "the earlier run was changed"


def test_restricted_outputs_are_private_and_none_is_in_the_reviewers_folder(full_run):
    """Every restricted file is 0600 in 0700 folders, apart from the reviewers' folder;
    every reviewer file is readable (0644) and none of them is a restricted kind."""
    import stat

    out, record = full_run
    restricted_root = out.with_name("outputs-restricted")
    assert stat.S_IMODE(restricted_root.stat().st_mode) == 0o700
    files = [p for p in Path(record["restricted"]).rglob("*") if p.is_file()]
    assert {p.name for p in files} >= {"findings.csv", "findings.xlsx", "quarantine.csv"}
    for path in [Path(record["restricted"]), *Path(record["restricted"]).rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), (path, oct(mode))
    run = out / record["run_id"]
    for path in [run, *run.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), (path, oct(mode))
        assert path.name not in {"findings.csv", "findings.xlsx", "quarantine.csv"}
        assert "restricted" not in path.relative_to(out).parts
        assert path.suffix not in {".parquet", ".pkl", ".log"}
