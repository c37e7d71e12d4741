"""The whole weekly run on 20 000 and 200 000 individuals, with per-stage timings.

The floor of each notebook is a notebook that only has the parameters cell and the
imports the reports make, executed and converted through the same path (papermill,
the project kernel, nbconvert), measured in the same run. Goal (issue: scheduled
weekly run): the whole run on 200 000 individuals under 60 s on a 2-core machine, and
no stage more than 2x its floor plus its own data work. The reports run two at a time, so
each report's time includes sharing the two cores with another report.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import floor_notebook  # noqa: E402

from protection_workbench.run.weekly import WEEKLY_REPORTS, Report, run_weekly
from protection_workbench.synth.generate import generate_demo_exports

AS_OF = date(2026, 11, 24)
FLOOR_IMPORTS = """\
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display
from protection_workbench.publish import disclosure, header
from protection_workbench.run.check import run_check
from protection_workbench.clean.load import load_export
"""


def bench(individuals: int, tmp: Path) -> None:
    data = tmp / f"demo{individuals}"
    generate_demo_exports(data, individuals, 7, AS_OF, 0.01)
    floor_dir = tmp / "floor_nb"
    floor_notebook(
        floor_dir,
        'data_dir = ""  # exports\nas_of = ""  # YYYY-MM-DD\nrun_id = ""  # the run',
        FLOOR_IMPORTS,
    )
    floor = run_weekly(
        data, AS_OF, tmp / f"floor{individuals}", (Report("floor.ipynb", "Floor"),), floor_dir
    )
    floor_nb = floor["reports"][0]
    started = time.perf_counter()
    record = run_weekly(data, AS_OF, tmp / f"out{individuals}", WEEKLY_REPORTS)
    total = time.perf_counter() - started
    print(
        f"\n== weekly run, {individuals:,} individuals: {total:.1f} s in all (status {record['status']})"
    )
    print(
        f"   clean {record['stages']['clean']:.1f} s, gate + rules {record['stages']['gate_and_rules']:.1f} s"
    )
    print(
        f"   reports {record['stages']['reports']:.1f} s (two at a time), "
        f"Word and PDF copies {record['stages']['word_and_pdf']:.1f} s"
    )
    print(
        f"   floor notebook (kernel start + imports): execute {floor_nb['execute_seconds']:.1f} s, "
        f"html {floor_nb['html_seconds']:.1f} s (alone; the reports below share the cores)"
    )
    for r in record["reports"]:
        ratio = r["execute_seconds"] / floor_nb["execute_seconds"]
        print(
            f"   {r['notebook']:<26} execute {r['execute_seconds']:5.1f} s ({ratio:4.1f}x floor), "
            f"html {r['html_seconds']:4.1f} s"
        )
    print(json.dumps({"individuals": individuals, "total": round(total, 1)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--individuals", type=int, nargs="+", default=[20_000, 200_000])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.individuals:
            bench(n, Path(tmp))


if __name__ == "__main__":
    main()
