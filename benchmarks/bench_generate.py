"""How fast `workbench demo-data` writes every dataset (goal: 1 000 000 individuals well under a minute)."""

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
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "demo"
        stages = measure(
            f"""
            pop_t = time.perf_counter()
            frames = build_population({args.individuals}, {args.seed}, as_of, cfg)
            pop_t = time.perf_counter() - pop_t
            d_t = time.perf_counter()
            frames, truth = inject_defects(frames, 0.01, {args.seed}, as_of, cfg)
            d_t = time.perf_counter() - d_t
            w_t = time.perf_counter()
            write_exports(frames, Path({str(out)!r}), {args.seed}, cfg)
            w_t = time.perf_counter() - w_t
            print(f"population {{pop_t:.1f}} s, defects {{d_t:.1f}} s, writing {{w_t:.1f}} s", file=sys.stderr)
            """,
            setup="""
            from datetime import date
            from pathlib import Path
            from protection_workbench.config import get_config
            from protection_workbench.synth.population import build_population
            from protection_workbench.synth.defects import inject_defects
            from protection_workbench.synth.messy import write_exports
            cfg = get_config(); as_of = date(2026, 11, 24)
            """,
        )
        whole = measure(
            f"generate_demo_exports(Path({str(Path(tmp) / 'cli')!r}), {args.individuals}, "
            f"{args.seed}, date(2026, 11, 24), 0.01)",
            setup="from datetime import date\nfrom pathlib import Path\n"
            "from protection_workbench.synth.generate import generate_demo_exports",
        )
        files = [p for p in (Path(tmp) / "cli").iterdir() if p.is_file()]
        size = sum(p.stat().st_size for p in files)
        manifests = sum(p.name.startswith("manifest") for p in files)
    print(f"individuals: {args.individuals:,}")
    print(f"stages (one process): {stages['seconds']:.1f} s, peak {gb(stages['peak_bytes'])}")
    print(
        f"generate_demo_exports end to end: {whole['seconds']:.1f} s, peak {gb(whole['peak_bytes'])}, "
        f"{size / 1e6:.0f} MB of exports in {len(files)} files ({manifests} flight manifests)"
    )
    print(f"goal: well under 60 s -> {whole['seconds'] / 60:.2f} of the minute")


if __name__ == "__main__":
    main()
