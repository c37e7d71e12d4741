"""The `workbench` command (also `python -m protection_workbench`).

Expected problems (bad input, bad settings) print one clear message and exit 2,
without a traceback; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT = 0, 1, 2


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date in YYYY-MM-DD form: {text!r}") from None


def _rate(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
    if not 0.0 <= value <= 0.5:
        raise argparse.ArgumentTypeError(f"must be between 0 and 0.5: {text}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1: {text}")
    return value


def cmd_demo_data(args: argparse.Namespace) -> int:
    from .synth.generate import generate_demo_exports

    summary = generate_demo_exports(
        out=args.out,
        individuals=args.individuals,
        seed=args.seed,
        as_of=args.as_of,
        defect_rate=args.defect_rate,
        replace=args.replace,
    )
    print(
        f"Demo exports for {args.individuals:,} individuals (seed {args.seed}) "
        f"written to {summary.out} in {summary.seconds:.1f} s:"
    )
    for f in summary.files[:12]:
        enc = f" [{f.encoding}]" if f.encoding else ""
        print(f"  {f.path.name:<40} {f.rows:>9,} rows{enc}")
    if len(summary.files) > 12:
        print(f"  … and {len(summary.files) - 12} more files")
    print(f"Injected defects (ground truth): {summary.defects:,} — see {summary.out}/_generator/")
    return EXIT_OK


def cmd_config_check(args: argparse.Namespace) -> int:
    from .config import load_config

    cfg = load_config(args.config_dir)
    print(f"Configuration in {cfg.directory} is valid:")
    print(f"  {len(cfg.code_lists)} code lists, {len(cfg.sites.mantikas)} mantikas, "
          f"{len(cfg.sites.sites)} sites, {len(cfg.sites.partners)} partners")
    print(f"  header aliases for {', '.join(cfg.header_aliases)}")
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="workbench",
        description="Protection data workbench: clean, check and report on MiMOSA exports.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    demo = sub.add_parser(
        "demo-data",
        help="generate realistic synthetic exports (no real person) into a folder",
        description="Generate every dataset of the data contract as messy exports, "
        "with an optional share of injected defects and their ground truth.",
    )
    demo.add_argument("--out", type=Path, required=True, help="folder to write the exports to")
    demo.add_argument("--individuals", type=_positive_int, default=20_000, help="default 20000")
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--as-of", type=_iso_date, default=None, help="YYYY-MM-DD (default today)")
    demo.add_argument(
        "--defect-rate", type=_rate, default=0.0,
        help="share of records given a defect per rule, 0-0.5 (default 0: no rule fires)",
    )
    demo.add_argument(
        "--replace", action="store_true", help="replace demo data made earlier in that folder"
    )
    demo.set_defaults(func=cmd_demo_data)

    config = sub.add_parser("config", help="configuration files")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    check = config_sub.add_parser("check", help="validate the configuration files")
    check.add_argument("--config-dir", type=Path, default=None, help="default: config/")
    check.set_defaults(func=cmd_config_check)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .config import ConfigError
    from .errors import WorkbenchError

    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (WorkbenchError, ConfigError) as exc:
        print(f"workbench: error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
