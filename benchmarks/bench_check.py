"""Checking speed: all case rules + the quality gate, and `workbench check` end to end.

Goal (issue: integrity checks): checking (after cleaning) <= 3x the floor, `workbench
check` end to end <= 10x the floor (issue 11: the gate is GX in-process; its import is shown
on its own line), peak memory <= 4 GB. The floor is a plain pyarrow
read of the same cases export, measured in the same run (in alternation with the steps).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import (  # noqa: E402
    arguments,
    floor_step,
    gb,
    generated_cases,
    interleaved,
    paired_ratio,
)

CHECKING_BODY = """
result = run_check(folder, "2026-11-24", export=export)
print(f"gate {result.gate.seconds:.2f} s, then the rules; {len(result.findings)} findings",
      file=sys.stderr)
"""


def main() -> None:
    args = arguments(__doc__, repeat=3)
    with tempfile.TemporaryDirectory() as tmp:
        data = args.data or Path(tmp) / "demo"
        only_cases = Path(tmp) / "cases_only"
        cases = generated_cases(data, args.individuals, args.seed, reuse=args.data is not None)
        only_cases.mkdir()
        shutil.copyfile(cases, only_cases / cases.name)  # the cleaner follows no symlink
        out = Path(tmp) / "out"
        measured = interleaved(
            {
                "floor": floor_step(data, cases),
                # Cleaning and the GX import happen in the setup (not timed): the body is
                # run_check on the cleaned export: the gate, then every case rule.
                "checking": (
                    CHECKING_BODY,
                    f"from protection_workbench.clean.load import load_export\n"
                    f"from protection_workbench.run.check import run_check\n"
                    f"folder = {str(only_cases)!r}\n"
                    f"export = load_export(folder)\n"
                    f"import great_expectations  # import cost is not checking\n",
                ),
                # The gate alone (part of checking), to follow its cost on its own line.
                "gate": (
                    "run_gate(frames)",
                    f"from protection_workbench.clean.load import load_export\n"
                    f"from protection_workbench.gate import run_gate\n"
                    f"frames = load_export({str(only_cases)!r}).frames\n"
                    f"import great_expectations\n",
                ),
                # Not a goal: the fixed cost that every gate pays once per process.
                "gx_import": ("import great_expectations", "import pandas"),
                "end_to_end": (
                    f"subprocess.run([sys.executable, '-m', 'protection_workbench', 'check', "
                    f"'--data', {str(only_cases)!r}, '--as-of', '2026-11-24', '--out', "
                    f"{str(out)!r}], check=False, capture_output=True)",
                    "import subprocess",
                ),
            },
            args.repeat,
        )
    floor, checking, gate, end_to_end, gx_import = (
        measured[k] for k in ("floor", "checking", "gate", "end_to_end", "gx_import")
    )
    print(f"cases export: {args.individuals:,} individuals ({cases.name})")
    print(f"floor  pyarrow.csv.read_csv: {floor['seconds']:.2f} s, peak {gb(floor['peak_bytes'])}")
    print(
        f"checking (gate + case rules, after cleaning): {checking['seconds']:.2f} s "
        f"= {checking['seconds'] / floor['seconds']:.2f}x the floor (goal <= 3x), "
        f"peak {gb(checking['peak_bytes'])} (includes the cleaned frames); "
        f"median of the ratios within each round {paired_ratio(checking, floor):.2f}x"
    )
    print(
        f"  of which the quality gate (GX on distinct values): {gate['seconds']:.2f} s "
        f"= {gate['seconds'] / floor['seconds']:.2f}x the floor"
    )
    print(
        f"import great_expectations alone (after pandas): {gx_import['seconds']:.2f} s "
        f"= {gx_import['seconds'] / floor['seconds']:.2f}x the floor"
    )
    print(
        f"workbench check end to end: {end_to_end['seconds']:.2f} s "
        f"= {end_to_end['seconds'] / floor['seconds']:.2f}x the floor (goal <= 10x); "
        f"peak {gb(end_to_end['peak_bytes'])} (goal <= 4 GB); "
        f"median of the ratios within each round {paired_ratio(end_to_end, floor):.2f}x"
    )
    print(
        f"  without the GX import: {end_to_end['seconds'] - gx_import['seconds']:.2f} s "
        f"= {(end_to_end['seconds'] - gx_import['seconds']) / floor['seconds']:.2f}x the floor"
    )
    print(f"  floor in each round: {', '.join(f'{s:.2f}' for s in floor['rounds'])} s")


if __name__ == "__main__":
    main()
