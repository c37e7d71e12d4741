"""Checking speed: all case rules + the quality gate, and `workbench check` end to end.

Goal (issue: integrity checks): checking (after cleaning) <= 3x the floor, `workbench
check` end to end <= 8x the floor, peak memory <= 4 GB. The floor is a plain pyarrow
read of the same cases export, measured in the same run.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _measure import best, floor_read, gb, generated_cases  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "demo"
        only_cases = Path(tmp) / "cases_only"
        cases = generated_cases(data, args.individuals, args.seed)
        only_cases.mkdir()
        (only_cases / cases.name).symlink_to(cases)

        floor = floor_read(data, cases, args.repeat)
        # Cleaning happens in the setup (not timed); the body is the gate + every case rule.
        checking = best(
            """
            g = time.perf_counter()
            gate = run_gate(frames)
            g = time.perf_counter() - g
            r = time.perf_counter()
            findings = run_rules(frames, "2026-11-24")
            r = time.perf_counter() - r
            print(f"gate {g:.2f} s, rules {r:.2f} s, {len(findings)} findings", file=sys.stderr)
            """,
            setup=f"""
            from protection_workbench.clean.load import load_export
            from protection_workbench.gate import run_gate
            from protection_workbench.rules import run_rules
            frames = load_export({str(only_cases)!r}).frames
            import great_expectations  # import cost is not checking
            """,
            repeat=args.repeat,
        )
        end_to_end = best(
            f"subprocess.run([sys.executable, '-m', 'protection_workbench', 'check', '--data', "
            f"{str(only_cases)!r}, '--as-of', '2026-11-24', '--out', {str(Path(tmp) / 'out')!r}],"
            " check=False, capture_output=True)",
            setup="import subprocess",
            repeat=args.repeat,
        )
    print(f"cases export: {args.individuals:,} individuals ({cases.name})")
    print(f"floor  pyarrow.csv.read_csv: {floor['seconds']:.2f} s, peak {gb(floor['peak_bytes'])}")
    print(
        f"checking (gate + case rules, after cleaning): {checking['seconds']:.2f} s "
        f"= {checking['seconds'] / floor['seconds']:.2f}x the floor (goal <= 3x), "
        f"peak {gb(checking['peak_bytes'])} (includes the cleaned frames)"
    )
    print(
        f"workbench check end to end: {end_to_end['seconds']:.2f} s "
        f"= {end_to_end['seconds'] / floor['seconds']:.2f}x the floor (goal <= 8x); "
        f"peak {gb(end_to_end['peak_bytes'])} (goal <= 4 GB)"
    )


if __name__ == "__main__":
    main()
