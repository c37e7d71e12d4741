"""pyproject.toml, environment.yml and the constraints file must not drift apart."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    """Normalised distribution name of a requirement string (PEP 503)."""
    bare = re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", bare).lower()


def pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        names |= {_name(r) for r in extra}
    return names


def environment_names() -> tuple[set[str], list]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    conda = [d for d in env["dependencies"] if isinstance(d, str)]
    pip = [d for d in env["dependencies"] if isinstance(d, dict)]
    names = {_name(d) for d in conda} - {"python", "pip"}
    return names, pip


def constraint_pins() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements" / "constraints.txt").read_text("utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"constraints.txt: {line!r} is not pinned with =="
            pins[_name(name)] = version
    return pins


def test_environment_yml_lists_the_same_packages_as_pyproject():
    env, _ = environment_names()
    project = pyproject_names()
    assert env - project == set(), "in environment.yml but not in pyproject.toml"
    assert project - env == set(), "in pyproject.toml but not in environment.yml"


def test_environment_yml_installs_the_package_itself_and_python_311():
    env = yaml.safe_load((ROOT / "environment.yml").read_text("utf-8"))
    _, pip = environment_names()
    assert pip == [{"pip": ["-e ."]}]
    assert "python=3.11" in env["dependencies"]


def test_every_dependency_is_pinned_in_constraints():
    pins = constraint_pins()
    missing = sorted(pyproject_names() - set(pins))
    assert missing == [], f"not pinned in requirements/constraints.txt: {missing} (run make lock)"


def test_constraints_match_the_installed_environment():
    """The venv the tests run in was built from the constraints: versions agree."""
    from importlib.metadata import PackageNotFoundError, version

    pins = constraint_pins()
    wrong = {}
    for name in pyproject_names():
        try:
            installed = version(name)
        except PackageNotFoundError:
            wrong[name] = "not installed"
            continue
        if installed != pins[name]:
            wrong[name] = f"installed {installed}, pinned {pins[name]}"
    assert wrong == {}


def test_great_expectations_import_does_not_pull_in_rfc3987_syntax():
    """jsonschema >= 4.24 puts rfc3987-syntax in the format-nongpl extra (needed by Jupyter);
    importing it compiles 38 lark grammars, ~2 s on every `workbench check`. The pin in
    pyproject.toml keeps it out of the lock and of the environment."""
    import importlib.util

    pins = constraint_pins()
    major, minor = (int(p) for p in pins["jsonschema"].split(".")[:2])
    assert (major, minor) < (4, 24), f"jsonschema {pins['jsonschema']} is locked"
    assert "rfc3987-syntax" not in pins
    assert importlib.util.find_spec("rfc3987_syntax") is None, (
        "rfc3987_syntax is installed: an older .venv? run make clean-venv && make install"
    )
