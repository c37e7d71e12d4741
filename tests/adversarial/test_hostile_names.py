"""Hostile file names: file names are data.

* A manifest named after a person (``manifest_<name> <phone>.csv``) or a file the workbench
  does not recognise (``<name> passport <number>.csv``) never reaches a reviewer output:
  not run.json, the run's page, a report's banner, its Word or PDF copy, error.txt. Reviewer
  outputs name a dataset or a flight's manifest id, never a raw file name; the restricted
  run.json keeps the real names (issue 20, defect 5).
* Control characters of a file name (ESC …) are never sent to the terminal: every message
  that names a file shows them escaped (defect 9).
"""

from __future__ import annotations

import functools
import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest
from adversarial.test_hostile_folders import tiny_notebook

from protection_workbench import cli
from protection_workbench.errors import InputFileError, printable
from protection_workbench.publish.header import (
    describe_sources,
    public_file_name,
    report_header,
)
from protection_workbench.run import weekly
from protection_workbench.run.copies import plain_banner
from protection_workbench.run.provenance import public_inputs
from protection_workbench.run.site import about_text, sources_of
from protection_workbench.run.weekly import Report, RunFailed, run_weekly
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)
PERSON = "Amina Yusuf"
PHONE = "0912345678"
PASSPORT = "P7654321"
HOSTILE_MANIFEST = f"manifest_{PERSON} {PHONE}.csv"
HOSTILE_OTHER = f"{PERSON} passport {PASSPORT}.csv"
TRACES = ("Amina", "Yusuf", PHONE, PASSPORT)
ESCAPE_NAME = "\x1b[2J\x1b]0;owned\x07red.csv"


# ------------------------------------------------------------------ which names are public


@pytest.mark.parametrize(
    "name,public",
    [
        ("cases.csv", True),
        ("Referrals.XLSX", True),
        ("manifest_MNF-20261125-SEB-NGA.xlsx", True),
        ("manifest_COM-20261127-MJI-BFA-2.csv", True),
        ("manifest.csv", True),
        (HOSTILE_MANIFEST, False),
        ("manifest_MNF-20261125-SEB-NGA Amina.csv", False),
        ("manifest_mnf-20261125-seb-nga.csv", False),  # not the id's own spelling
        ("manifest_MNF-20261125-SEB-NGA_.xlsx", False),
        (HOSTILE_OTHER, False),
        ("cases Amina.csv", False),
        ("cases.txt", False),
        (ESCAPE_NAME, False),
    ],
)
def test_a_file_name_is_public_only_when_it_says_nothing_but_its_dataset(name, public):
    assert (public_file_name(name) == name) is public
    if not public:
        assert public_file_name(name) is None


def test_headers_count_the_files_whose_names_are_not_public():
    names = ["cases.csv", HOSTILE_MANIFEST, "manifest_MNF-20261125-SEB-NGA.xlsx", None]
    text = describe_sources(names)
    assert text == "cases.csv, manifest_MNF-20261125-SEB-NGA.xlsx, 2 files whose name is not shown"
    many = [f"manifest_MNF-2026112{i}-SEB-NGA.xlsx" for i in range(5)] + [HOSTILE_MANIFEST]
    assert describe_sources(many) == "5 flight manifest files, 1 file whose name is not shown"
    record = {
        "run_id": "2026-W48_x",
        "as_of": "2026-11-24",
        "inputs": [{"dataset": "manifest", "file": HOSTILE_MANIFEST}, {"file": "cases.csv"}],
    }
    for shown in (sources_of(record), plain_banner(record), *about_text(record)):
        assert not [t for t in TRACES if t in shown], shown


def test_the_interactive_header_names_no_hostile_file(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    for name in ("cases.csv", HOSTILE_MANIFEST, HOSTILE_OTHER, ESCAPE_NAME):
        (folder / name).write_text("x\n")
    text = report_header("Weekly", AS_OF, folder).data
    assert "cases&#46;csv" in text and "1 file whose name is not shown" in text
    assert not [t for t in TRACES if t in text] and "\x1b" not in text


def test_public_inputs_withhold_the_names_and_keep_the_checksums():
    rows = [
        {"dataset": "manifest", "file": HOSTILE_MANIFEST, "sha256": "ab", "rows": 3},
        {"dataset": "cases", "file": "cases.csv", "sha256": "cd", "rows": 9},
    ]
    public = public_inputs(rows)
    assert public == [
        {"dataset": "manifest", "sha256": "ab", "rows": 3, "name_withheld": True},
        {"dataset": "cases", "file": "cases.csv", "sha256": "cd", "rows": 9},
    ]
    assert rows[0]["file"] == HOSTILE_MANIFEST, "the restricted record keeps the real name"


# ------------------------------------------------------------------ a whole run


@pytest.fixture(scope="module")
def hostile_exports(tmp_path_factory) -> Path:
    """Demo exports with two manifests only (so that pages would list them by name), one of
    them named after a person, and an unrecognised file named after one."""
    data = tmp_path_factory.mktemp("hostile-names") / "demo"
    generate_demo_exports(data, 1500, 29, AS_OF, 0.0)
    every = sorted(data.glob("manifest_*"))
    named = next(p for p in every if p.suffix == ".csv")
    other = next(p for p in every if p != named)
    for extra in every:
        if extra not in (named, other):
            extra.unlink()
    named.rename(data / HOSTILE_MANIFEST)
    assert len(list(data.glob("manifest*"))) == 2
    (data / HOSTILE_OTHER).write_text("name,passport\nAmina Yusuf,P7654321\n")
    return data


@pytest.fixture(scope="module")
def hostile_run(hostile_exports, tmp_path_factory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("hostile-names-run")
    tiny_notebook(base / "notebooks", "good", "print('fine')")
    out = base / "outputs"
    record = run_weekly(
        hostile_exports, AS_OF, out, (Report("good.ipynb", "Good"),), base / "notebooks"
    )
    return out / record["run_id"], record


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as docx:
        return "\n".join(
            docx.read(name).decode("utf-8", "replace")
            for name in docx.namelist()
            if name.endswith(".xml")
        )


def test_no_reviewer_output_names_a_hostile_file(hostile_run):
    run, record = hostile_run
    assert record["status"] in {"ok", "gate_failed"}, record.get("error")
    pages = {
        "run.json": (run / "run.json").read_text(),
        "index.html": (run / "index.html").read_text(),
        "site index": (run.parent / "index.html").read_text(),
        "good.html": (run / "good.html").read_text(),
        "good.docx": _docx_text(run / "good.docx"),
    }
    if (run / "good.pdf").is_file():
        pages["good.pdf"] = _pdf_text(run / "good.pdf")
    else:
        assert record["reports"][0].get("pdf_skipped"), "no PDF and no reason"
    for name, text in pages.items():
        assert not [t for t in TRACES if t in text], f"{name} names a hostile file"
    for name in ("index.html", "good.html"):
        assert "1 file whose name is not shown" in pages[name], name
    # every other reviewer file too (notebooks, tables, gate.json …)
    for path in run.rglob("*"):
        if path.is_file() and path.suffix not in {".pdf", ".docx"}:
            text = path.read_bytes().decode("utf-8", "replace")
            assert not [t for t in TRACES if t in text], path.relative_to(run)
    public = json.loads(pages["run.json"])
    withheld = [i for i in public["inputs"] if i.get("name_withheld")]
    assert [i["dataset"] for i in withheld] == ["manifest"] and "file" not in withheld[0]
    assert public["unrecognised_files"] == 1


def test_the_restricted_run_record_keeps_the_real_names(hostile_run):
    _, record = hostile_run
    restricted = json.loads((Path(record["restricted"]) / "run.json").read_text())
    assert HOSTILE_MANIFEST in {i["file"] for i in restricted["inputs"]}
    assert restricted["unrecognised_files"] == [HOSTILE_OTHER]
    assert "_restricted" not in record, "the returned record holds no restricted part"


def test_an_unreadable_hostile_file_is_named_to_the_operator_only(hostile_exports, tmp_path):
    data = tmp_path / "exports"
    shutil.copytree(hostile_exports, data)
    (data / HOSTILE_MANIFEST).write_bytes(b"\x00\x01\x02PK garbage")
    out = tmp_path / "outputs"
    with pytest.raises(RunFailed) as info:
        run_weekly(data, AS_OF, out, (Report("x.ipynb", "X"),), tmp_path)
    assert HOSTILE_MANIFEST in str(info.value), "the operator is told which file"
    kept = info.value.kept
    for path in (kept / "error.txt", kept / "run.json", kept / "index.html"):
        text = path.read_text()
        assert not [t for t in TRACES if t in text], path.name
        assert "a file whose name is not shown: not a CSV text file" in text, path.name
    log = (Path(info.value.record["restricted"]) / "logs" / "error.log").read_text()
    assert HOSTILE_MANIFEST in log


# ------------------------------------------------------------------ control characters


def test_printable_escapes_control_characters_and_keeps_lines():
    assert printable("a\x1b[31mb\u202ec\r\nd") == "a\\x1b[31mb\\u202ec\\r\nd"
    assert printable("x\ny", keep_newlines=False) == "x\\ny"
    assert "\x1b" not in str(InputFileError(ESCAPE_NAME, "file is empty"))


def test_clean_lists_an_unrecognised_file_name_escaped(hostile_exports, tmp_path, capsys):
    data = tmp_path / "exports"
    shutil.copytree(hostile_exports, data)
    (data / ESCAPE_NAME).write_text("a,b\n1,2\n")
    assert cli.main(["clean", "--data", str(data), "--out", str(tmp_path / "clean")]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out
    assert "\\x1b[2J\\x1b]0;owned\\x07red.csv" in out


def test_a_broken_file_with_control_characters_is_named_escaped(tmp_path, capsys):
    data = tmp_path / "exports"
    data.mkdir()
    (data / f"manifest_{ESCAPE_NAME}").write_bytes(b"\x00\x01\x02PK garbage")
    code = cli.main(
        ["check", "--data", str(data), "--as-of", "2026-11-24", "--out"] + [str(tmp_path / "check")]
    )
    err = capsys.readouterr().err
    assert code == 2, err
    assert "\x1b" not in err and "\x07" not in err and "\\x1b[2J" in err, err


def test_a_weekly_run_never_echoes_control_characters(tmp_path, monkeypatch, capsys):
    data = tmp_path / "exports"
    data.mkdir()
    (data / f"manifest_{ESCAPE_NAME}").write_bytes(b"\x00\x01\x02PK garbage")
    monkeypatch.setattr(
        weekly,
        "run_weekly",
        functools.partial(weekly.run_weekly, reports=(Report("x.ipynb", "X"),)),
    )
    code = cli.main(
        ["run", "weekly", "--data", str(data), "--as-of", "2026-11-24"]
        + [
            "--out",
            str(tmp_path / "outputs"),
        ]
    )
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "\x1b" not in captured.err + captured.out and "\\x1b[2J" in captured.err
    (failed,) = (tmp_path / "outputs").glob("*.failed")
    assert "\\x1b" not in (failed / "error.txt").read_text(), "the name is withheld there"
