"""Time each rule on a large cleaned export and check findings against a saved baseline.

Usage:
    python benchmarks/bench_rules_profile.py EXPORT_DIR [--frames PKL] [--save-before PKL]
        [--compare PKL] [--as-of 2026-11-24] [--codes C001,C002]

Loads the cleaned frames once (or from a pickle cache), times every rule that applies,
then runs run_rules and saves or compares the findings (a refactoring of the rules must
give identical findings: ``--save-before`` on the old code, ``--compare`` on the new).
"""

from __future__ import annotations

import argparse
import os
import pickle
import sys
import time

import pandas as pd

from protection_workbench.config import get_config
from protection_workbench.rules import RULES, run_rules
from protection_workbench.rules.registry import Context


def load_frames(export: str, cache: str | None) -> dict[str, pd.DataFrame]:
    if cache and os.path.exists(cache):
        with open(cache, "rb") as fh:
            return pickle.load(fh)
    from protection_workbench.clean.load import load_export

    t = time.perf_counter()
    frames = load_export(export).frames
    print(f"loaded {export} in {time.perf_counter() - t:.1f}s", file=sys.stderr)
    if cache:
        with open(cache, "wb") as fh:
            pickle.dump(frames, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return frames


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("export")
    ap.add_argument("--frames", default=None, help="pickle cache of the cleaned frames")
    ap.add_argument("--as-of", default="2026-11-24")
    ap.add_argument("--codes", default=None)
    ap.add_argument("--save-before", default=None)
    ap.add_argument("--compare", default=None)
    ap.add_argument("--no-full", action="store_true")
    ap.add_argument("--repeat", type=int, default=1, help="best of N passes per rule")
    args = ap.parse_args()

    frames = load_frames(args.export, args.frames)
    print({k: len(v) for k, v in frames.items()})
    codes = args.codes.split(",") if args.codes else sorted(RULES)
    codes = [c for c in codes if RULES[c].applies_to(set(frames))]
    best: dict[str, float] = {}
    counts: dict[str, int] = {}
    for _ in range(args.repeat):
        # One context per pass, as run_rules builds (rules share nothing but the frames).
        ctx = Context(frames=frames, as_of=pd.Timestamp(args.as_of), cfg=get_config())
        for code in codes:
            t = time.perf_counter()
            out = RULES[code].check(ctx)
            best[code] = min(best.get(code, float("inf")), time.perf_counter() - t)
            counts[code] = len(out)
    for code in codes:
        print(f"{code}: {best[code]:6.3f}s  {counts[code]:7d} findings", flush=True)
    cases_total = sum(v for k, v in best.items() if k.startswith("C"))
    print(f"case rules: {cases_total:.2f}s  all rules: {sum(best.values()):.2f}s")

    if args.no_full:
        return
    t = time.perf_counter()
    found = run_rules(frames, args.as_of)
    print(f"run_rules: {time.perf_counter() - t:.2f}s, {len(found)} findings")
    if args.save_before:
        found.to_pickle(args.save_before)
        print(f"saved {args.save_before}")
    if args.compare:
        before = pd.read_pickle(args.compare)
        pd.testing.assert_frame_equal(found, before)
        print("IDENTICAL to", args.compare)


if __name__ == "__main__":
    main()
