"""`workbench check`: clean a folder of exports, run the quality gate and every rule.

The same call backs the CLI, the checking notebooks and the weekly run, so that a
case worker's XLSX, a notebook's tables and the weekly figures always agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..clean.load import Export, load_export, read_prepared, write_cleaning_outputs
from ..config import Config, get_config
from ..errors import WorkbenchError
from ..outputs import replacing_own_output, write_csv
from ..rules import FINDING_COLUMNS, RuleFailure, catalogue, check_rules
from ..rules.registry import as_date

if TYPE_CHECKING:
    from ..gate import GateResult

EXIT_OK = 0
EXIT_FAILED = 1


@dataclass
class CheckResult:
    export: Export
    findings: pd.DataFrame  # FINDING_COLUMNS
    gate: GateResult | None  # None when the gate was not asked for
    as_of: pd.Timestamp
    # Rules that raised (a bug of the workbench): the others ran, the check is incomplete.
    failed_rules: dict[str, RuleFailure] = field(default_factory=dict)

    @property
    def error_count(self) -> int:
        return int((self.findings["severity"] == "error").sum())

    @property
    def warning_count(self) -> int:
        return int((self.findings["severity"] == "warning").sum())

    @property
    def gate_passed(self) -> bool | None:
        return None if self.gate is None else bool(self.gate.passed)

    @property
    def passed(self) -> bool:
        """No error-severity finding, the gate passed (when it ran) and every rule ran."""
        return self.error_count == 0 and self.gate_passed is not False and not self.failed_rules

    def rules_failed(self) -> dict[str, str]:
        """Each rule that could not run and its error class (no data value: publishable)."""
        return {code: f.error for code, f in sorted(self.failed_rules.items())}

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.passed else EXIT_FAILED

    def save(self, folder: Path) -> Path:
        """Write this result into ``folder`` for the notebooks of a run (see :meth:`load`):
        the cleaned export and the findings as Parquet, the gate result and as-of as JSON."""
        self.export.save(folder / "export")
        self.findings.to_parquet(folder / "findings.parquet")
        meta = {
            "as_of": self.as_of.isoformat(),
            "gate": self.gate is not None,
            "failed_rules": [vars(f) for f in self.failed_rules.values()],
        }
        # Parquet reads text back as ``str``; the columns that were ``object`` are restored.
        meta["object_columns"] = [c for c in self.findings if self.findings[c].dtype == object]
        if self.gate is not None:
            self.gate.results.to_parquet(folder / "gate_results.parquet")
            meta.update(
                gate_passed=bool(self.gate.passed),
                gate_seconds=float(self.gate.seconds),
                gate_datasets=list(self.gate.datasets),
            )
        (folder / "check.json").write_text(json.dumps(meta), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> CheckResult:
        """The result a run saved into ``folder`` with :meth:`save`."""
        from ..gate import GateResult

        meta = read_prepared(folder / "check.json")
        gate = None
        if meta["gate"]:
            gate = GateResult(
                passed=meta["gate_passed"],
                results=pd.read_parquet(folder / "gate_results.parquet"),
                seconds=meta["gate_seconds"],
                datasets=meta["gate_datasets"],
            )
        findings = pd.read_parquet(folder / "findings.parquet")
        for col in meta["object_columns"]:
            findings[col] = findings[col].astype(object).where(findings[col].notna(), None)
        return cls(
            export=Export.load(folder / "export"),
            findings=findings,
            gate=gate,
            as_of=pd.Timestamp(meta["as_of"]),
            failed_rules={f["code"]: RuleFailure(**f) for f in meta.get("failed_rules", [])},
        )

    def summary_lines(self) -> list[str]:
        lines = []
        if self.gate is not None:
            lines.append(self.gate.summary())
        by_rule = self.findings.groupby(["rule", "severity"], observed=True).size()
        lines.append(
            f"Findings: {len(self.findings):,} ({self.error_count:,} errors, "
            f"{self.warning_count:,} warnings) in "
            f"{self.findings['record_id'].nunique():,} records"
        )
        for (code, severity), n in by_rule.items():
            lines.append(f"  {code} {severity:<7} {n:>7,}")
        for failure in self.failed_rules.values():
            lines.append(
                f"  {failure.code} could not run ({failure.error}): a bug of the workbench, "
                "not of your data; the other rules ran"
            )
        lines.append("Result: " + ("PASSED" if self.passed else "FAILED"))
        return lines


def run_check(
    data: str | Path,
    as_of: date | str | pd.Timestamp,
    cfg: Config | None = None,
    gate: bool = True,
    export: Export | None = None,
    prepared_dir: str | Path | None = None,
) -> CheckResult:
    """Load and clean ``data`` (unless ``export`` is given), run the gate and the rules.

    Given ``prepared_dir`` (the notebooks of a weekly run get it as a parameter), the run's
    own result saved there is returned instead (see :meth:`CheckResult.save`); it must be
    of the same folder and as-of date."""
    if prepared_dir:
        result = CheckResult.load(Path(prepared_dir))
        if Path(data).resolve() != result.export.folder.resolve():
            raise WorkbenchError(f"prepared data in {prepared_dir} are not of {data}")
        if as_date(as_of) != result.as_of:
            raise WorkbenchError(
                f"prepared data in {prepared_dir} are as of {result.as_of:%Y-%m-%d}, "
                f"not {as_date(as_of):%Y-%m-%d}"
            )
        return result
    cfg = cfg or get_config()
    as_of_ts = as_date(as_of)
    export = export or load_export(data, cfg)
    gate_result = None
    if gate:
        from ..gate import run_gate

        gate_result = run_gate(export.frames, cfg)
    rules = check_rules(export.frames, as_of_ts, cfg)
    return CheckResult(
        export=export,
        findings=rules.findings,
        gate=gate_result,
        as_of=as_of_ts,
        failed_rules=rules.failed,
    )


def read_findings(path: str | Path) -> pd.DataFrame:
    """A findings.csv written by an earlier check or weekly run."""
    frame = pd.read_csv(path, dtype="str", keep_default_na=False)
    missing = [c for c in FINDING_COLUMNS if c not in frame.columns]
    if missing:
        from ..errors import InputFileError

        raise InputFileError(path, f"not a findings file (missing columns {', '.join(missing)})")
    return frame[FINDING_COLUMNS].replace("", pd.NA)


XLSX_COLUMNS = ["record_id", "case_id", "rule", "severity", "title", "message"]
XLSX_WIDTHS = [16, 16, 7, 9, 36, 90]


def write_findings_xlsx(findings: pd.DataFrame, path: Path) -> None:
    """One sheet per dataset, header frozen, filters on, columns sized: for case workers.

    Written with xlsxwriter directly, a column at a time (pandas' ``to_excel`` builds a
    style for every cell, which made this the slowest step of ``workbench check``)."""
    import xlsxwriter

    rules = catalogue().set_index("rule")
    # Text stays text: a value starting with "=" or "http" is not turned into a formula or link.
    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_numbers": False, "strings_to_formulas": False, "strings_to_urls": False},
    )
    try:
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        header = book.add_format({"bold": True})
        datasets = sorted(findings["dataset"].unique()) or ["findings"]
        for name in datasets:
            part = findings[findings["dataset"] == name] if len(findings) else findings
            part = part.assign(title=part["rule"].map(rules["title"]))[XLSX_COLUMNS]
            sheet = book.add_worksheet(name[:31])
            sheet.write_row(0, 0, XLSX_COLUMNS, header)
            for j, col in enumerate(XLSX_COLUMNS):
                values = part[col].astype(object).where(part[col].notna(), None).tolist()
                sheet.write_column(1, j, values)
            sheet.freeze_panes(1, 0)
            sheet.autofilter(0, 0, max(len(part), 1), len(XLSX_COLUMNS) - 1)
            for i, width in enumerate(XLSX_WIDTHS):
                sheet.set_column(i, i, width, wrap if i >= 4 else None)
        about = book.add_worksheet("rules")
        table = catalogue()[["rule", "severity", "title", "explanation"]]
        about.write_row(0, 0, list(table.columns), header)
        for i, row in enumerate(table.itertuples(index=False), start=1):
            about.write_row(i, 0, list(row), wrap)
        about.set_column(0, 1, 9)
        about.set_column(2, 2, 40)
        about.set_column(3, 3, 100)
    finally:
        book.close()


def write_check_outputs(result: CheckResult, out: str | Path) -> Path:
    """Write findings.csv / findings.xlsx, the gate result and the cleaning report into ``out``.

    ``out`` is refused if it could harm the user's files (see ``outputs.py``); the outputs
    are restricted (real ids): private to their owner. They are built in a staging folder and
    replace the same outputs of an earlier check only when complete; other files in ``out``
    are never touched.
    """
    with replacing_own_output(Path(out), "check", data=result.export.folder) as staging:
        write_csv(result.findings, staging / "findings.csv", index=False)
        write_findings_xlsx(result.findings, staging / "findings.xlsx")
        write_cleaning_outputs(result.export, staging / "cleaning")
        summary = {
            "as_of": result.as_of.date().isoformat(),
            "passed": result.passed,
            "gate": None if result.gate is None else result.gate.to_dict(),
            "findings": {
                "total": int(len(result.findings)),
                "errors": result.error_count,
                "warnings": result.warning_count,
                "by_rule": {
                    k: int(v)
                    for k, v in result.findings["rule"].value_counts().sort_index().items()
                },
            },
            # code -> error class and message (restricted: a message may quote a value)
            "rules_failed": {
                f.code: f"{f.error}: {f.detail}" for f in result.failed_rules.values()
            },
            "datasets": sorted(result.export.datasets),
        }
        (staging / "check.json").write_text(json.dumps(summary, indent=2, default=str), "utf-8")
        # always written, so that a rerun replaces the errors of an earlier check
        write_rule_errors(result, staging / "rule_errors.log")
    return Path(out).resolve()


def write_rule_errors(result: CheckResult, path: Path) -> None:
    """The tracebacks of the rules that could not run, for the maintainers (restricted)."""
    failures = [f"rule {f.code}:\n{f.traceback}" for f in result.failed_rules.values()]
    path.write_text("\n".join(failures) or "Every rule ran.\n", "utf-8")
