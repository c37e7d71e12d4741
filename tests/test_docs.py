"""The project's own documentation stays true to the code.

* docs/rules.md is generated from the rule registry (the one `workbench rules` prints) and is
  up to date;
* docs/data-contract.md lists every dataset and canonical column of ``contract.py``, with its
  kind, required flag, code list and record key;
* every relative link of README.md and docs/*.md points to a file (and heading) that exists,
  and no document refers to the specification folder outside this repository;
* the import layering of docs/architecture.md holds: the foundation never imports the layers
  above it, rules never import reporting or the run, and no two modules import each other,
  directly or around a cycle.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from protection_workbench.contract import DATASETS
from protection_workbench.rules.docs import docs_path, render_markdown

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "lib" / "protection_workbench"
PKG = "protection_workbench"

# --------------------------------------------------------------------------- docs/rules.md


def test_rules_doc_is_generated_from_the_current_catalogue():
    assert docs_path() == DOCS / "rules.md"
    assert (DOCS / "rules.md").read_text("utf-8") == render_markdown(), (
        "docs/rules.md is out of date: run `.venv/bin/python -m protection_workbench.rules.docs "
        "--write` and commit it"
    )


def test_rules_doc_lists_every_rule_of_the_cli_catalogue():
    from protection_workbench.rules import catalogue

    text = (DOCS / "rules.md").read_text("utf-8")
    for row in catalogue().itertuples(index=False):
        assert f"### {row.rule} — {row.title}" in text
        assert f"- Severity: **{row.severity}**" in text
        for setting in filter(None, (s.strip() for s in row.settings.split(","))):
            assert f"`{setting}` = " in text, (row.rule, setting)


def test_rules_doc_check_command():
    done = subprocess.run(
        [sys.executable, "-m", "protection_workbench.rules.docs", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


def test_rules_doc_links_the_interpretation_page():
    assert "](rules-interpretation.md)" in (DOCS / "rules.md").read_text("utf-8")
    assert (DOCS / "rules-interpretation.md").is_file()


# --------------------------------------------------------------------------- docs/data-contract.md

_ROW = re.compile(r"^\|\s*`(?P<column>[a-z_]+)`\s*\|(?P<kind>[^|]*)\|\s*(?P<required>yes|no)\s*\|")


def _contract_sections() -> dict[str, str]:
    """The text under each ``### `dataset``` heading of docs/data-contract.md."""
    text = (DOCS / "data-contract.md").read_text("utf-8")
    parts = re.split(r"^### `([a-z_]+)`\s*$", text, flags=re.M)
    return {parts[i]: parts[i + 1].split("\n## ")[0] for i in range(1, len(parts), 2)}


def test_data_contract_doc_has_a_section_per_dataset():
    sections = _contract_sections()
    assert list(sections) == list(DATASETS), "one '### `name`' section per dataset, in order"


@pytest.mark.parametrize("name", list(DATASETS))
def test_data_contract_doc_lists_the_columns_of_the_code(name):
    ds = DATASETS[name]
    section = _contract_sections()[name]
    rows = {m["column"]: m for line in section.splitlines() if (m := _ROW.match(line))}
    assert list(rows) == ds.column_names, f"{name}: columns differ from contract.py"
    for col in ds.columns:
        kind = rows[col.name]["kind"].split()
        assert kind[0] == col.kind, (name, col.name, "kind")
        assert rows[col.name]["required"] == ("yes" if col.required else "no"), (name, col.name)
        if col.codes:
            assert f"`{col.codes}`" in kind, (name, col.name, "code list")
    assert f"Record key: `{ds.key}`" in section, (name, "record key")


def test_data_contract_doc_names_every_code_list_used_by_the_contract():
    text = (DOCS / "data-contract.md").read_text("utf-8")
    for codes in {c.codes for d in DATASETS.values() for c in d.columns if c.codes}:
        assert f"| `{codes}` |" in text, codes


# --------------------------------------------------------------------------- links

_FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.M | re.S)
_CODE = re.compile(r"`[^`\n]*`")
_LINK = re.compile(r"!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_REF = re.compile(r"^\s{0,3}\[[^\]\n]+\]:\s*<?(\S+?)>?(?:\s|$)", re.M)
_HREF = re.compile(r"""<a\s[^>]*href=["']([^"']+)["']""", re.I)


def _documents() -> list[Path]:
    return [ROOT / "README.md", *sorted(DOCS.glob("*.md"))]


def _prose(text: str) -> str:
    return _FENCE.sub("", text)


def _links(text: str) -> list[str]:
    prose = _CODE.sub("", _prose(text))
    return _LINK.findall(prose) + _REF.findall(prose) + _HREF.findall(prose)


def _anchors(path: Path) -> set[str]:
    """Explicit ``id``s and GitHub's heading anchors of a Markdown file."""
    text = path.read_text("utf-8")
    found = set(re.findall(r"""\bid=["']([^"']+)["']""", text))
    seen: dict[str, int] = {}
    for heading in re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _prose(text), flags=re.M):
        slug = re.sub(r"[^\w\- ]", "", heading.replace("`", "").strip().lower()).replace(" ", "-")
        n = seen.get(slug, 0)
        seen[slug] = n + 1
        found.add(slug if n == 0 else f"{slug}-{n}")
    return found


@pytest.mark.parametrize("doc", _documents(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_relative_links_point_to_existing_files(doc):
    broken = []
    for link in _links(doc.read_text("utf-8")):
        if re.match(r"^[a-z][a-z0-9+.-]*:", link, flags=re.I):  # http:, https:, mailto: …
            continue
        target, _, anchor = link.partition("#")
        path = (doc.parent / target).resolve() if target else doc
        if not path.exists():
            broken.append(link)
        elif anchor and path.suffix == ".md" and anchor not in _anchors(path):
            broken.append(f"{link} (no such heading)")
    assert broken == [], f"{doc.name}: broken links {broken}"


def test_the_new_documents_link_each_other():
    for name in ("data-contract.md", "rules.md", "data-protection.md", "architecture.md"):
        assert (DOCS / name).is_file(), name
    linked = {
        Path(link.partition("#")[0]).name
        for doc in DOCS.glob("*.md")
        for link in _links(doc.read_text("utf-8"))
    }
    assert {"data-contract.md", "rules.md", "data-protection.md", "architecture.md"} <= linked


_SHARED = re.compile(r"\.\./shared|/work/shared")


@pytest.mark.parametrize(
    "doc",
    [
        pytest.param(ROOT / "README.md", id="README.md"),
        *[pytest.param(p, id=f"docs/{p.name}") for p in sorted(DOCS.glob("*.md"))],
    ],
)
def test_no_reference_to_the_spec_outside_the_repository(doc):
    hits = [m.group() for m in _SHARED.finditer(doc.read_text("utf-8"))]
    assert hits == [], f"{doc.name} refers to files users' clones do not have: {hits}"


# --------------------------------------------------------------------------- import layering


def _module_name(path: Path) -> tuple[str, bool]:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    is_package = parts[-1] == "__init__"
    return ".".join(parts[:-1] if is_package else parts), is_package


def _resolve(name: str, modules: set[str]) -> str | None:
    """The module of the package that ``name`` (a module or a name in one) belongs to."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def module_graph() -> dict[str, set[str]]:
    """Module -> the package's modules it imports: every ``import`` and ``from … import`` of the
    file, at module level, in functions or under ``TYPE_CHECKING``. ``from pkg import mod``
    counts as importing ``pkg.mod``. (The implicit initialisation of parent packages is not
    an edge, as in import-linter and pydeps.)"""
    files = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}
    modules = {name for name, _ in files}
    graph: dict[str, set[str]] = {}
    for (name, is_package), path in files.items():
        base = name.split(".") if is_package else name.split(".")[:-1]
        imported: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    up = base[: len(base) - (node.level - 1)]
                    module = ".".join(up + ([node.module] if node.module else []))
                else:
                    module = node.module or ""
                targets = [f"{module}.{alias.name}" for alias in node.names]
            else:
                continue
            for target in targets:
                if target == PKG or target.startswith(PKG + "."):
                    found = _resolve(target, modules)
                    if found and found != name:
                        imported.add(found)
        graph[name] = imported
    return graph


def _in(module: str, group: tuple[str, ...]) -> bool:
    return any(module == f"{PKG}.{g}" or module.startswith(f"{PKG}.{g}.") for g in group)


FOUNDATION = ("clean", "contract", "config", "errors", "outputs", "paths", "dates")
GATE = ("gate", "gx_validate")
PUBLISHING = ("publish",)
ABOVE_FOUNDATION = ("run", "reports", "rules", "cli", "synth", *GATE, *PUBLISHING)
ABOVE_RULES = ("run", "reports", "cli", *PUBLISHING)


def _violations(lower: tuple[str, ...], higher: tuple[str, ...]) -> list[str]:
    graph = module_graph()
    return sorted(
        f"{module} imports {target}"
        for module, targets in graph.items()
        if _in(module, lower)
        for target in targets
        if _in(target, higher)
    )


def test_module_graph_sees_the_package():
    graph = module_graph()
    assert len(graph) > 40
    assert f"{PKG}.rules.registry" in graph[f"{PKG}.rules"]
    assert f"{PKG}.rules.cases" in graph[f"{PKG}.rules"]  # `from . import cases`
    assert f"{PKG}.config" in graph[f"{PKG}.rules.registry"]  # `from ..config import Config`
    assert sum(map(len, graph.values())) > 80


def test_foundation_imports_no_higher_layer():
    """clean/, contract, config, errors, outputs and paths are what everything else stands on."""
    assert _violations(FOUNDATION, ABOVE_FOUNDATION) == []


def test_rules_import_neither_reports_nor_publishing_nor_the_run():
    assert _violations(("rules",), ABOVE_RULES) == []


def test_publishing_is_a_toolbox_below_the_reports_and_the_run():
    """publish/ knows nothing of any one report, of the checks or of the run."""
    assert _violations(PUBLISHING, ("run", "reports", "rules", "cli", *GATE)) == []


def test_reports_do_not_import_the_run():
    assert _violations(("reports",), ("run", "cli")) == []


def test_only_the_entry_points_import_the_cli():
    graph = module_graph()
    users = sorted(m for m, targets in graph.items() if f"{PKG}.cli" in targets)
    assert users == [f"{PKG}.__main__"]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_modules():
    assert _cycles(module_graph()) == []
