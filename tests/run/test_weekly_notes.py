"""The team's notes in the weekly run: checked against the cleaned records before any report,
refused with exit 2 (file, line and kind, never the value) when they hold personal data, shown
in the weekly report when they do not (or when --allow-notes-pii says so), copied into the
restricted run folder only; and `workbench notes template`."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import nbformat
import pytest
from browser import chromium, open_offline

from protection_workbench import cli
from protection_workbench.clean.load import load_export
from protection_workbench.publish import notes
from protection_workbench.publish.html import CSP
from protection_workbench.run.weekly import (
    EXIT_BAD_INPUT,
    WEEKLY_REPORTS,
    Report,
    RunFailed,
    run_weekly,
)
from protection_workbench.synth.generate import generate_demo_exports

pytestmark = pytest.mark.slow

AS_OF = date(2026, 11, 24)
PHONE = "+218 91 777 4242"
SENTENCE = 'Outreach in Sebha & Ubari reached "many" families <quickly>'
# In the page as HTML (the report's HTML may write quotes in text as they are).
SENTENCE_ESCAPED = "Outreach in Sebha &amp; Ubari reached"
PHONE_TRACES = ("777 4242", "7774242")
HOSTILE = (
    "<script>window.pwned = 1</script>\n\n"
    '<img src=http://example.invalid/x.png onerror="window.pwned = 2">\n\n'
    "[x](javascript:window.pwned=3) ![c](http://example.invalid/c.png)\n"
)
# A report notebook that shows the notes block, as the weekly report does.
SHOW_NOTES = (
    "from IPython.display import HTML, display\n"
    "from protection_workbench.publish import notes\n"
    "display(HTML(notes.notes_html(notes_file)))"
)


def _notebook(folder: Path, name: str, body: str) -> Path:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell('data_dir = ""\nas_of = ""\nrun_id = ""\nnotes_file = None')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [nbformat.v4.new_markdown_cell(f"# {name}"), params]
    nb.cells.append(nbformat.v4.new_code_cell(body))
    nb.metadata["kernelspec"] = {
        "name": "protection-workbench",
        "display_name": "Protection workbench",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


def _notes(path: Path, *lines: str) -> Path:
    path.write_text("## Highlights\n\n" + "\n".join(lines) + "\n", "utf-8")
    return path


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    data = tmp_path_factory.mktemp("notes-run") / "demo"
    generate_demo_exports(data, 1500, 31, AS_OF, 0.01)
    return data


@pytest.fixture(scope="module")
def shown(tmp_path_factory) -> Path:
    return _notebook(tmp_path_factory.mktemp("notebooks"), "shown", SHOW_NOTES)


def _files(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_a_phone_number_in_the_notes_stops_the_run_with_exit_2(demo, shown, tmp_path):
    out = tmp_path / "outputs"
    earlier = run_weekly(demo, AS_OF, out, (Report("shown.ipynb", "Shown"),), shown)
    before = _files(out / earlier["run_id"]) | _files(Path(earlier["restricted"]))
    planted = _notes(tmp_path / "team-notes.md", "Two charter flights left.", f"Call {PHONE}.")
    proc = subprocess.run(
        [sys.executable, "-m", "protection_workbench", "run", "weekly", "--data", str(demo)]
        + ["--as-of", "2026-11-24", "--out", str(out), "--notes", str(planted)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 2, proc.stderr
    assert f"{planted}: " in proc.stderr and "line 4: a phone number" in proc.stderr
    assert not [t for t in PHONE_TRACES if t in proc.stderr] and "Traceback" not in proc.stderr
    # nothing published: the failed run is kept apart, the earlier run is untouched
    runs = sorted(p.name for p in out.iterdir() if p.is_dir())
    failed = [name for name in runs if name.endswith(".failed")]
    assert len(runs) == 2 and len(failed) == 1 and earlier["run_id"] in runs
    folder = out / failed[0]
    assert not [p.name for p in folder.glob("*.html") if p.name != "index.html"]
    assert not list(folder.rglob("*.md")) and not list(folder.rglob("*.ipynb"))
    error = (folder / "error.txt").read_text()
    assert str(planted) in error and "line 4: a phone number" in error
    for path in folder.rglob("*"):
        if path.is_file():
            text = path.read_text("utf-8", errors="replace")
            assert not [t for t in PHONE_TRACES if t in text], path.name
    after = _files(out / earlier["run_id"]) | _files(Path(earlier["restricted"]))
    assert after == before
    # the restricted failed run keeps the notes as they were checked, for their owner only
    copy = out.with_name("outputs-restricted") / failed[0] / "notes" / "team-notes.md"
    assert copy.read_bytes() == planted.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600


def test_a_name_from_the_case_records_in_the_default_notes_stops_the_run(demo, shown, tmp_path):
    data = tmp_path / "exports"
    shutil.copytree(demo, data)
    person = load_export(demo)["cases"].dropna(subset=["first_name", "last_name"]).iloc[11]
    _notes(
        notes.default_notes_path(data),
        "Outreach sessions in Tripoli went well.",
        f"We met {person.first_name} {person.last_name} about the flight.",
    )
    with pytest.raises(RunFailed) as info:
        run_weekly(data, AS_OF, tmp_path / "outputs", (Report("shown.ipynb", "Shown"),), shown)
    assert info.value.exit_code == EXIT_BAD_INPUT
    message = str(info.value)
    assert "highlights.md" in message and "line 4: a person's name" in message
    assert person.last_name not in message
    assert not [p for p in (tmp_path / "outputs").iterdir() if p.is_dir() and "." not in p.name]


def test_notes_are_shown_escaped_and_copied_to_the_restricted_folder_only(demo, shown, tmp_path):
    planted = _notes(tmp_path / "team-notes.md", f"{SENTENCE}.", "", HOSTILE)
    record = run_weekly(
        demo, AS_OF, tmp_path / "outputs", (Report("shown.ipynb", "Shown"),), shown, notes=planted
    )
    run = tmp_path / "outputs" / record["run_id"]
    page = (run / "shown.html").read_text("utf-8")
    assert page.count(SENTENCE_ESCAPED) == 1 and notes.ATTRIBUTION in page
    assert "families &lt;quickly&gt;" in page and "<quickly>" not in page
    assert "<script>window.pwned" not in page and "<img src=http" not in page
    assert "&lt;script&gt;window.pwned" in page  # shown as text
    saved = json.loads((run / "run.json").read_text())["notes"]
    assert saved["file"] == str(planted.resolve()) and saved["present"] is True
    assert saved["sha256"] and saved["personal_data_lines"] == []
    copy = Path(record["restricted"]) / "notes" / "team-notes.md"
    assert copy.read_bytes() == planted.read_bytes()
    assert not list(run.rglob("*.md")), "the notes file itself is not for the reviewers' folder"


def test_allow_notes_pii_publishes_what_was_found(demo, shown, tmp_path):
    planted = _notes(tmp_path / "team-notes.md", "A good week.", f"Call {PHONE}.")
    record = run_weekly(
        demo,
        AS_OF,
        tmp_path / "outputs",
        (Report("shown.ipynb", "Shown"),),
        shown,
        notes=planted,
        allow_notes_pii=True,
    )
    assert record["status"] in {"ok", "gate_failed"}
    assert record["notes"]["personal_data_lines"] == [4]
    assert record["notes"]["personal_data_allowed"] is True
    page = (tmp_path / "outputs" / record["run_id"] / "shown.html").read_text("utf-8")
    assert PHONE in page


def test_no_notes_is_not_an_error_and_the_report_says_so(demo, shown, tmp_path):
    data = tmp_path / "exports"
    shutil.copytree(demo, data)
    notes.default_notes_path(data).unlink(missing_ok=True)
    record = run_weekly(data, AS_OF, tmp_path / "outputs", (Report("shown.ipynb", "Shown"),), shown)
    assert record["notes"]["present"] is False
    page = (tmp_path / "outputs" / record["run_id"] / "shown.html").read_text("utf-8")
    assert notes.NO_NOTES in page and notes.HEADING in page


def test_the_demo_sample_highlights_pass_the_check(tmp_path):
    """The sample highlights.md of `workbench demo-data` is ordinary text: no finding on the
    records it comes with, at two sizes and two seeds."""
    for individuals, seed in ((1500, 3), (4000, 11)):
        data = tmp_path / f"demo-{seed}"
        generate_demo_exports(data, individuals, seed, AS_OF, 0.01)
        sample = notes.default_notes_path(data)
        assert sample.is_file(), "workbench demo-data writes a sample highlights.md"
        assert notes.check_notes_file(sample, load_export(data).frames) == []
        assert "<h3>" in notes.notes_html(sample)


# --------------------------------------------------------------------------- the real report


@pytest.fixture(scope="module")
def weekly_page(demo, tmp_path_factory) -> Path:
    """The real weekly report with hostile notes (and a phone number, allowed)."""
    base = tmp_path_factory.mktemp("weekly-notes")
    planted = _notes(base / "team-notes.md", f"{SENTENCE}.", "", HOSTILE, f"Call {PHONE}.")
    report = next(r for r in WEEKLY_REPORTS if r.notebook == "weekly_report.ipynb")
    record = run_weekly(
        demo, AS_OF, base / "outputs", (report,), notes=planted, allow_notes_pii=True
    )
    assert [r["status"] for r in record["reports"]] == ["ok"], record["reports"]
    return base / "outputs" / record["run_id"] / "weekly_report.html"


@pytest.fixture(scope="module")
def browser():
    yield from chromium()


def test_the_weekly_report_shows_the_notes_after_the_week_in_brief(weekly_page):
    page = weekly_page.read_text("utf-8")
    assert page.count(SENTENCE_ESCAPED) == 1
    brief = page.index("The week in brief")
    assert brief < page.index(notes.HEADING) < page.index(SENTENCE_ESCAPED)
    assert page.index(SENTENCE_ESCAPED) < page.index(">Flights<")  # the next section


def test_hostile_notes_do_not_run_on_the_weekly_report(weekly_page, browser):
    opened = open_offline(browser, weekly_page)
    try:
        page = opened.page
        page.wait_for_timeout(300)
        assert page.evaluate("typeof window.pwned") == "undefined"
        csp = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
        assert csp == CSP
        notes_block = page.locator("section.team-notes")
        assert notes_block.count() == 1
        assert notes_block.locator("script, img, a, iframe").count() == 0
        shown = notes_block.inner_text()
        assert SENTENCE in shown and "<script>window.pwned = 1</script>" in shown
        assert opened.leaving == []
        assert not [m for m in opened.console if "pageerror" in m]
    finally:
        opened.context.close()


# --------------------------------------------------------------------------- the template


def test_notes_template_writes_once_and_replaces_only_when_asked(tmp_path, capsys):
    data = tmp_path / "exports"
    data.mkdir()
    assert cli.main(["notes", "template", "--week", "2026-W48", "--data", str(data)]) == 0
    written = data / "highlights.md"
    assert written.read_text("utf-8") == notes.notes_template("2026-W48")
    written.write_text("## Highlights\n\nOur own words.\n", "utf-8")
    assert cli.main(["notes", "template", "--week", "2026-W48", "--data", str(data)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert written.read_text("utf-8") == "## Highlights\n\nOur own words.\n"
    args = ["notes", "template", "--week", "2026-W49", "--out", str(written), "--replace"]
    assert cli.main(args) == 0
    assert "2026-W49" in written.read_text("utf-8")
    capsys.readouterr()
    assert cli.main(["notes", "template", "--week", "2026-W48"]) == 0
    assert capsys.readouterr().out == notes.notes_template("2026-W48")


def test_notes_check_reports_what_the_run_would_refuse(demo, tmp_path, capsys):
    planted = _notes(tmp_path / "team-notes.md", "Fine.", f"Call {PHONE}.")
    assert cli.main(["notes", "check", "--data", str(demo), "--notes", str(planted)]) == 1
    out = capsys.readouterr().out
    assert "line 4: a phone number" in out and not [t for t in PHONE_TRACES if t in out]
    _notes(planted, "Two charter flights from Mitiga; outreach in Sebha.")
    assert cli.main(["notes", "check", "--data", str(demo), "--notes", str(planted)]) == 0


def test_run_weekly_takes_the_notes_options():
    args = cli.build_parser().parse_args(
        ["run", "weekly", "--data", "d", "--notes", "n.md", "--allow-notes-pii"]
    )
    assert args.notes == Path("n.md") and args.allow_notes_pii is True
    args = cli.build_parser().parse_args(["run", "weekly", "--data", "d"])
    assert args.notes is None and args.allow_notes_pii is False
