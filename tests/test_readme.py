"""What the README tells a newcomer to run exists and is what CI runs."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text("utf-8")


def make_targets() -> set[str]:
    text = (ROOT / "Makefile").read_text("utf-8")
    return set(re.findall(r"^([a-zA-Z_-]+):", text, flags=re.M))


def test_ci_runs_exactly_the_readme_test_command():
    lines = [
        line.strip()
        for line in (ROOT / ".ci" / "run").read_text("utf-8").splitlines()
        if line.strip() and not line.strip().startswith(("#", "set ", "cd "))
    ]
    assert lines == ["make test"]
    assert re.search(r"^make test\b", README, flags=re.M)


def test_every_make_command_in_the_readme_exists():
    named = set(re.findall(r"\bmake ([a-z][a-z-]*)", README))
    assert {"demo", "test", "lab", "help"} <= named
    assert named - make_targets() == set()


def test_make_help_lists_the_commands_with_their_descriptions():
    out = subprocess.run(["make", "help"], cwd=ROOT, capture_output=True, text=True, check=True)
    for target in ("demo", "test", "lab", "install", "lock"):
        assert re.search(rf"\b{target}\b\S*\s+\S", out.stdout), target


def test_readme_paths_exist():
    for path in re.findall(
        r"`((?:config|lib|requirements|notebooks|docs|expectations)/[^`* ]+)`", README
    ):
        assert (ROOT / path).exists(), path


def test_lib_is_tracked_by_git():
    listed = subprocess.run(
        ["git", "ls-files", "lib"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    assert "lib/protection_workbench/__init__.py" in listed
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", "lib/protection_workbench/cli.py"], cwd=ROOT
    )
    assert ignored.returncode == 1, "lib/ is ignored by .gitignore"


def test_data_and_outputs_are_ignored_and_not_tracked():
    for path in (
        "data/demo/cases.csv",
        "outputs/2026-W47/index.html",
        "outputs-restricted/2026-W47/findings.csv",
    ):
        assert subprocess.run(["git", "check-ignore", "-q", path], cwd=ROOT).returncode == 0, path
    tracked = subprocess.run(
        ["git", "ls-files", "data", "outputs", "outputs-restricted"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert [p for p in tracked if not p.endswith("README.md")] == []
