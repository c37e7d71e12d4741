"""The period run for a quarter on 200 000 individuals: HTML + Word + PDF, with stage timings.

Goal (issue: donor and period reports): the period report of a quarter on 200 000
individuals — executing the notebook, the reviewer HTML, the Word copy and the PDF —
under 30 s. The whole run also cleans the exports and runs the gate and the rules once
(as the weekly run does); those stages are printed apart, as is the floor: the same run
machinery executing a notebook that only imports what the report imports.

    .venv/bin/python benchmarks/bench_period.py                      # 200 000 individuals
    .venv/bin/python benchmarks/bench_period.py --data /tmp/bench-200k --individuals 200000
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import floor_notebook  # noqa: E402

from protection_workbench.run.period import run_period
from protection_workbench.run.weekly import Report
from protection_workbench.synth.generate import generate_demo_exports, generated_marker

AS_OF = date(2026, 11, 24)
QUARTER = (date(2026, 7, 1), date(2026, 9, 30))
GOAL_S = 30.0
FLOOR_IMPORTS = """\
from IPython.display import Markdown, display
from protection_workbench.clean.load import load_export
from protection_workbench.publish import charts, disclosure
from protection_workbench.publish.tables import styled
from protection_workbench.reports import period
from protection_workbench.run.check import run_check
"""


def _report_seconds(record: dict) -> float:
    (report,) = record["reports"]
    return report["execute_seconds"] + report["html_seconds"] + record["stages"]["word_and_pdf"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--individuals", type=int, default=200_000)
    parser.add_argument("--data", type=Path, default=None, help="generate here once, reuse later")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-period-") as tmp:
        tmp = Path(tmp)
        data = args.data or tmp / "demo"
        if not generated_marker(data).is_file():
            t = time.perf_counter()
            generate_demo_exports(data, args.individuals, 7, AS_OF, 0.01)
            print(f"generated {args.individuals:,} individuals in {time.perf_counter() - t:.1f} s")
        floor_notebook(
            tmp / "floor_nb", 'data_dir = ""\ndate_from = ""\ndate_to = ""', FLOOR_IMPORTS
        )
        floor = run_period(
            data,
            *QUARTER,
            tmp / "floor",
            reports=(Report("floor.ipynb", "Floor"),),
            notebook_dir=tmp / "floor_nb",
        )
        t = time.perf_counter()
        record = run_period(data, *QUARTER, tmp / "outputs")
        wall = time.perf_counter() - t
        (report,) = record["reports"]
        assert report["status"] == "ok" and report.get("docx") and report.get("pdf"), report
        took = _report_seconds(record)
        print(f"quarter {QUARTER[0]}..{QUARTER[1]} on {args.individuals:,} individuals")
        print(f"  clean (once per run)            {record['stages']['clean']:6.1f} s")
        print(f"  gate and rules (once per run)   {record['stages']['gate_and_rules']:6.1f} s")
        print(
            f"  period report: notebook         {report['execute_seconds']:6.1f} s"
            f"   (floor: {floor['reports'][0]['execute_seconds']:.1f} s)"
        )
        print(f"                 HTML             {report['html_seconds']:6.1f} s")
        print(f"                 Word + PDF       {record['stages']['word_and_pdf']:6.1f} s")
        print(
            f"  report, HTML + Word + PDF       {took:6.1f} s   goal < {GOAL_S:.0f} s: "
            + ("met" if took < GOAL_S else "NOT MET")
        )
        print(f"  whole run (wall)                {wall:6.1f} s")


if __name__ == "__main__":
    main()
