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
from _measure import gb, measure  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=2, help="best of N runs per measurement")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "demo"
        only_cases = Path(tmp) / "cases_only"
        from datetime import date

        from protection_workbench.synth.generate import generate_demo_exports

        generate_demo_exports(data, args.individuals, args.seed, date(2026, 11, 24), 0.01)
        cases = next(p for p in data.iterdir() if p.name.startswith("cases."))
        only_cases.mkdir()
        (only_cases / cases.name).symlink_to(cases)

        def best(body: str, setup: str) -> dict:
            runs = [measure(body, setup) for _ in range(args.repeat)]
            return min(runs, key=lambda r: r["seconds"])

        floor = best(
            f"t = pacsv.read_csv({str(cases)!r}, read_options=pacsv.ReadOptions(encoding=enc))",
            setup=f"import pyarrow.csv as pacsv\nenc = {_encoding(data, cases.name)!r}",
        )
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
        )
        end_to_end = best(
            f"subprocess.run([sys.executable, '-m', 'protection_workbench', 'check', '--data', "
            f"{str(only_cases)!r}, '--as-of', '2026-11-24', '--out', {str(Path(tmp) / 'out')!r}],"
            " check=False, capture_output=True)",
            setup="import subprocess",
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


def _encoding(folder: Path, name: str) -> str:
    import json

    record = json.loads((folder / "_generator" / "generator.json").read_text())
    enc = next(f["encoding"] for f in record["files"] if f["path"] == name)
    return {"utf-8-sig": "utf-8"}.get(enc, enc)


if __name__ == "__main__":
    main()
