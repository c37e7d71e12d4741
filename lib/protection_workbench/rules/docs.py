"""docs/rules.md, generated from the rule registry: the one source `workbench rules` uses.

The page lists every rule of :func:`protection_workbench.rules.catalogue` (code, severity,
title, datasets, explanation and the settings of ``config/thresholds.yaml`` it reads, with
their values in the project's ``config/``), so that the command line and the documentation
can never say different things. After adding or changing a rule (or a threshold)::

    python -m protection_workbench.rules.docs --write   # rewrite docs/rules.md
    python -m protection_workbench.rules.docs --check   # exit 1 if docs/rules.md is stale

``tests/test_docs.py`` runs the check.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..config import Config, load_config
from ..paths import project_root
from . import catalogue

# Rule families, by the letter of their code, in reading order.
FAMILIES = (
    ("C", "Case records", "the `cases` export (MiMOSA VHR case records)"),
    ("R", "Referrals", "the `referrals` tracking sheet, against `cases`"),
    ("M", "Initial manifest review", "a flight's initial `manifest`, against `cases`"),
    ("H", "Community hosting", "`hosts`, `placements`, `visits` and `payments`"),
)
OTHER_FAMILY = ("Other rules", "")


def docs_path() -> Path:
    return project_root() / "docs" / "rules.md"


def _project_config() -> Config:
    # Always the repository's config/ (not $WORKBENCH_CONFIG_DIR): the page documents the
    # defaults the project ships.
    return load_config(project_root() / "config")


def _cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _settings_of(row) -> list[str]:
    return [s.strip() for s in str(row.settings).split(",") if s.strip()]


def _value(cfg: Config, name: str) -> str:
    value = getattr(cfg.thresholds, name)
    return f"{value:g}" if isinstance(value, float) else str(value)


def render_markdown(cfg: Config | None = None) -> str:
    """The text of docs/rules.md for the rules registered now (with ``cfg``'s settings,
    by default the repository's ``config/``)."""
    cfg = cfg or _project_config()
    table = catalogue()
    rows = list(table.itertuples(index=False))
    families: dict[str, tuple[str, str]] = {p: (t, d) for p, t, d in FAMILIES}
    order = [p for p, _, _ in FAMILIES]

    def family(code: str) -> str:
        return code[:1] if code[:1] in families else ""

    lines = [
        "<!-- GENERATED from the rule registry (lib/protection_workbench/rules/) by",
        "     `python -m protection_workbench.rules.docs --write`. Do not edit by hand:",
        "     change the rule's title, docstring or settings and regenerate. -->",
        "",
        "# Rule catalogue",
        "",
        "Every check the workbench runs on the cleaned exports, with the stable code that",
        "findings, reports and the case workers' XLSX use. This page is generated from the",
        "same registry as `workbench rules` (`workbench rules C010` explains one rule on the",
        "command line), so the two always agree.",
        "",
        "- **error**: the record must be corrected before the case moves. `workbench check`",
        "  and `workbench run weekly` exit with status 1 when there is any error finding.",
        "- **warning**: needs a look; listed, but does not change the exit status.",
        "",
        "A rule runs only when every dataset it names is in the export folder (see",
        "[the data contract](data-contract.md)); the others are skipped. A finding is one",
        "row `(dataset, record_id, case_id, rule, severity, message)`, at most one per",
        "record and rule. Where a rule's wording leaves room for more than one reading,",
        "[how the rules are read](rules-interpretation.md) fixes the one the code uses.",
        "Windows and thresholds are settings of",
        "[`config/thresholds.yaml`](../config/thresholds.yaml); the values below are the",
        "ones this repository ships.",
        "",
        "| code | severity | title | datasets |",
        "|---|---|---|---|",
    ]
    for r in rows:
        datasets = ", ".join(f"`{d.strip()}`" for d in str(r.datasets).split(","))
        lines.append(
            f"| [{r.rule}](#{r.rule.lower()}) | {r.severity} | {_cell(r.title)} | {datasets} |"
        )
    lines.append("")

    present = {family(r.rule) for r in rows}
    for prefix in [*order, ""]:
        if prefix not in present:
            continue
        title, scope = families.get(prefix, OTHER_FAMILY)
        lines += [f"## {title}", ""]
        if scope:
            lines += [f"Rules on {scope}.", ""]
        for r in rows:
            if family(r.rule) != prefix:
                continue
            datasets = ", ".join(f"`{d.strip()}`" for d in str(r.datasets).split(","))
            lines += [
                f'<a id="{r.rule.lower()}"></a>',
                "",
                f"### {r.rule} — {r.title}",
                "",
                f"- Severity: **{r.severity}**",
                f"- Datasets: {datasets}",
            ]
            settings = _settings_of(r)
            if settings:
                shown = ", ".join(f"`{s}` = {_value(cfg, s)}" for s in settings)
                lines.append(f"- Settings (`config/thresholds.yaml`): {shown}")
            lines += ["", str(r.explanation).strip(), ""]

    used: dict[str, list[str]] = {}
    for r in rows:
        for s in _settings_of(r):
            used.setdefault(s, []).append(r.rule)
    if used:
        lines += [
            "## Settings used by the rules",
            "",
            "Change them in `config/thresholds.yaml` (validated on load:",
            "`workbench config check`), never in code; then regenerate this page.",
            "",
            "| setting | value | rules |",
            "|---|---|---|",
        ]
        for name in sorted(used):
            codes = ", ".join(f"[{c}](#{c.lower()})" for c in used[name])
            lines.append(f"| `{name}` | {_value(cfg, name)} | {codes} |")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m protection_workbench.rules.docs",
        description="Write or check docs/rules.md, generated from the rule registry.",
    )
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="rewrite docs/rules.md")
    action.add_argument(
        "--check", action="store_true", help="exit 1 if docs/rules.md is not up to date"
    )
    args = parser.parse_args(argv)
    path = docs_path()
    text = render_markdown()
    if args.write:
        path.write_text(text, "utf-8")
        print(f"wrote {path}")
        return 0
    current = path.read_text("utf-8") if path.is_file() else None
    if current != text:
        print(
            f"{path} is not up to date with the rule registry; run "
            "`python -m protection_workbench.rules.docs --write`",
            file=sys.stderr,
        )
        return 1
    print(f"{path} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
