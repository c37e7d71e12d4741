"""Load + clean of the cases export against a plain pyarrow CSV read of the same file.

Goal (issue: cleaning library): cleaning <= 4x the floor, peak memory <= 3 GB.
"""

from __future__ import annotations

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


def main() -> None:
    args = arguments(__doc__, repeat=5)
    with tempfile.TemporaryDirectory() as tmp:
        out = args.data or Path(tmp) / "demo"
        cases = generated_cases(out, args.individuals, args.seed, reuse=args.data is not None)
        size = cases.stat().st_size
        measured = interleaved(
            {
                "floor": floor_step(out, cases),
                "cleaning": (
                    f"ds = clean_dataset('cases', Path({str(cases)!r}))",
                    "from pathlib import Path\n"
                    "from protection_workbench.clean.dataset import clean_dataset",
                ),
            },
            args.repeat,
        )
    floor, cleaning = measured["floor"], measured["cleaning"]
    ratio = cleaning["seconds"] / floor["seconds"]
    print(f"cases export: {args.individuals:,} individuals, {size / 1e6:.0f} MB ({cases.name})")
    print(f"floor  pyarrow.csv.read_csv: {floor['seconds']:.2f} s, peak {gb(floor['peak_bytes'])}")
    print(
        f"load + clean (clean_dataset): {cleaning['seconds']:.2f} s, "
        f"peak {gb(cleaning['peak_bytes'])}"
    )
    print(f"ratio: {ratio:.2f}x the floor (goal <= 4x); peak memory goal <= 3 GB")
    print(
        f"  median of the ratios within each round: {paired_ratio(cleaning, floor):.2f}x "
        f"(floor {_rounds(floor)}; cleaning {_rounds(cleaning)})"
    )


def _rounds(measured: dict) -> str:
    return ", ".join(f"{s:.2f}" for s in measured["rounds"]) + " s"


if __name__ == "__main__":
    main()
