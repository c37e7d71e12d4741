"""The `workbench` command (also `python -m protection_workbench`).

Exit codes mean one thing each: 0 passed; 1 outputs produced, but the quality gate failed
or records need correcting; 2 bad input or arguments (one clear message, nothing
half-written); 3 internal error (one plain line on stderr, the traceback in a private log).
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import NoReturn

from .dates import last_complete_week_end, parse_as_of, parse_iso_week, week_end
from .errors import WorkbenchError, printable

EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3


def _iso_date(text: str) -> date:
    if not text.strip():
        raise argparse.ArgumentTypeError("empty: give a date in YYYY-MM-DD form")
    try:
        return parse_as_of(text)
    except WorkbenchError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
    print(
        f"  {len(cfg.code_lists)} code lists, {len(cfg.sites.mantikas)} mantikas, "
        f"{len(cfg.sites.sites)} sites, {len(cfg.sites.partners)} partners"
    )
    print(f"  header aliases for {', '.join(cfg.header_aliases)}")
    from .indicators import INDICATORS_FILE, load_indicators

    if (cfg.directory / INDICATORS_FILE).is_file():
        projects = load_indicators(cfg.directory, cfg).projects
        count = sum(len(p.indicators) for p in projects)
        print(f"  {len(projects)} project(s) with {count} indicators ({INDICATORS_FILE})")
    else:
        print(f"  no {INDICATORS_FILE}: period reports need one (docs/period-reports.md)")
    from .run.notify import load_notify_settings

    print(f"  {load_notify_settings(cfg.directory).describe()}")
    return EXIT_OK


def cmd_clean(args: argparse.Namespace) -> int:
    from .clean.load import load_export, write_clean_frames, write_cleaning_outputs
    from .outputs import check_output_folder, replacing_own_output

    check_output_folder(args.out, args.data, kind="cleaning")  # before any work
    export = load_export(args.data)
    with replacing_own_output(args.out, "cleaning", data=args.data) as staging:
        write_cleaning_outputs(export, staging)
        write_clean_frames(export, staging)  # the cleaned data: owner-only, like the folder
    out = args.out.resolve()
    table = export.report_table()
    print(
        table[
            ["rows_in", "rows_clean", "rows_quarantined", "values_repaired", "unknown_values"]
        ].to_string()
    )
    if export.unrecognised_files:
        names = ", ".join(printable(n, keep_newlines=False) for n in export.unrecognised_files)
        print(f"Files not recognised (ignored): {names}")
    print(printable(f"Cleaning report, quarantine and value issues written to {out}"))
    print(printable(f"Cleaned data (Parquet, personal data: never share): {out / 'cleaned'}"))
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    from .outputs import check_output_folder
    from .run.check import run_check, write_check_outputs

    check_output_folder(args.out, args.data, kind="check")  # before any work
    result = run_check(args.data, args.as_of or date.today(), gate=not args.no_gate)
    out = write_check_outputs(result, args.out)
    for line in result.summary_lines():
        print(line)
    print(printable(f"Findings for case workers: {out / 'findings.xlsx'} (and findings.csv)"))
    print(printable(f"Cleaning report and quarantine: {out / 'cleaning'}"))
    return result.exit_code


def cmd_rules(args: argparse.Namespace) -> int:
    import textwrap

    from .rules import catalogue

    table = catalogue()
    if args.code:
        unknown = sorted(set(args.code) - set(table["rule"]))
        if unknown:
            raise WorkbenchError(f"unknown rule code(s): {', '.join(unknown)}")
        table = table[table["rule"].isin(args.code)]
    for row in table.itertuples(index=False):
        print(f"{row.rule}  {row.severity:<7}  {row.title}  [{row.datasets}]")
        if args.verbose or args.code:
            print(textwrap.indent(textwrap.fill(row.explanation, 88), "    "))
            if row.settings:
                print(f"    settings (config/thresholds.yaml): {row.settings}")
            print()
    return EXIT_OK


def cmd_expectations(args: argparse.Namespace) -> int:
    from .gate import REGENERATE_HINT, default_project_dir, stale_suites, write_suites

    project_dir = default_project_dir()
    if args.action == "write":
        paths = write_suites(project_dir)
        print(f"wrote {len(paths)} suites to {project_dir / 'gx' / 'expectations'}")
        return EXIT_OK
    stale = stale_suites(project_dir)
    if stale:
        print(f"stale expectation suites: {', '.join(stale)}; run `{REGENERATE_HINT}`")
        return EXIT_FINDINGS
    print("expectation suites are current")
    return EXIT_OK


def _add_run_options(parser: argparse.ArgumentParser, notes_help: str) -> None:
    """The options of the weekly and the period run: where the outputs go, retention and
    the team's notes (read back by :func:`_run_options`)."""
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("outputs"),
        help="the reviewers' folder, safe to share (default outputs/)",
    )
    parser.add_argument(
        "--restricted",
        type=Path,
        default=None,
        help="folder for the case workers' outputs, never to share (default: OUT-restricted "
        "next to --out)",
    )
    parser.add_argument(
        "--keep-restricted",
        type=_positive_int,
        default=None,
        metavar="N",
        help="after the run, keep the restricted outputs of the newest N runs only",
    )
    parser.add_argument("--notes", type=Path, default=None, metavar="FILE", help=notes_help)
    parser.add_argument(
        "--allow-notes-pii",
        action="store_true",
        help="publish the notes even if they seem to hold personal data (a name, phone or id)",
    )


def _run_options(args: argparse.Namespace) -> dict:
    """The options the weekly and the period run share (restricted folder, retention,
    the team's notes)."""
    return {
        "restricted_root": args.restricted,
        "keep_restricted": args.keep_restricted,
        "notes": args.notes,
        "allow_notes_pii": args.allow_notes_pii,
    }


def _run_failed(exc, out: Path) -> int:
    """Say why a weekly or period run failed and whether (and where) it is kept; its exit
    code."""
    print(f"workbench: error: {printable(exc)}", file=sys.stderr)
    if exc.kept is not None:
        kept = f"The failed run is kept in {exc.kept}"
    else:
        kept = f"Nothing of the failed run was kept in {out}"
    print(printable(f"{kept}; earlier runs are untouched."), file=sys.stderr)
    return exc.exit_code


def _send_run_message(record: dict, out: Path, notify) -> None:
    """The run's e-mail, when config/notify.yaml switches it on; a message that cannot be
    sent is a warning on stderr (the scheduler's log), never a failed run."""
    from .run.notify import send_run_message

    restricted = record.get("restricted")
    send_run_message(record, out.resolve(), Path(restricted) if restricted else None, notify)


def cmd_run_weekly(args: argparse.Namespace) -> int:
    from .run.notify import load_notify_settings
    from .run.weekly import RunFailed, exit_code_of, run_weekly

    notify = load_notify_settings()  # a broken file stops here, before any work
    # A scheduled run (no --as-of, no --week) reports the last complete ISO week: on a
    # Monday morning, the week that ended the day before.
    as_of = week_end(args.week) if args.week else args.as_of
    as_of = as_of or last_complete_week_end(date.today())
    out = Path(args.out).expanduser().absolute()  # once, before any work
    try:
        record = run_weekly(
            args.data,
            as_of,
            out,
            **_run_options(args),
        )
    except RunFailed as exc:
        _send_run_message(exc.record, out, notify)
        return _run_failed(exc, out)
    _send_run_message(record, out, notify)
    out = out.resolve()
    folder = out / record["run_id"]
    produced = [r for r in record["reports"] if r["status"] == "ok"]
    lines = [f"Weekly run {record['run_id']}: {len(produced)} report(s) in {folder}"]
    for failed in (r for r in record["reports"] if r["status"] != "ok"):
        lines.append(f"  FAILED: {failed['error']} (see {folder / 'error.txt'})")
    lines += [
        record["gate"]["summary"],
        f"Share with reviewers: {out} (open index.html in a browser).",
        f"Never share: {Path(record['restricted']).parent} (real ids, for case workers).",
    ]
    print(printable("\n".join(lines)))
    return exit_code_of(record)


def cmd_notes_template(args: argparse.Namespace) -> int:
    from .publish.notes import default_notes_path, notes_template

    text = notes_template(args.week or _this_week())
    target = args.out or (default_notes_path(args.data) if args.data else None)
    if target is None:
        sys.stdout.write(text)
        return EXIT_OK
    if args.data and not Path(args.data).is_dir():
        raise WorkbenchError(f"{args.data}: export folder not found")
    if target.exists() and not args.replace:
        raise WorkbenchError(
            f"{target}: already exists; the notes in it would be lost (use --replace)"
        )
    target.write_text(text, "utf-8")
    written = printable(f"Template for the week's highlights written to {target}")
    print(f"{written}: open it in JupyterLab or")
    print("any text editor, write under each heading, and never a name, phone or id.")
    return EXIT_OK


def cmd_notes_check(args: argparse.Namespace) -> int:
    from .clean.load import load_export
    from .publish.notes import check_notes_file, default_notes_path, personal_data_message

    path = args.notes or default_notes_path(args.data)
    if not path.is_file():
        raise WorkbenchError(f"{path}: no notes file here")
    found = check_notes_file(path, load_export(args.data).frames)
    if found:
        print(printable(personal_data_message(path, found)))
        return EXIT_FINDINGS
    print(
        printable(f"{path}: nothing that looks like personal data; the weekly run will publish it.")
    )
    return EXIT_OK


def _this_week() -> str:
    return "{}-W{:02d}".format(*date.today().isocalendar()[:2])


def cmd_run_period(args: argparse.Namespace) -> int:
    from .dates import parse_period
    from .run.notify import load_notify_settings
    from .run.period import run_period
    from .run.weekly import RunFailed, exit_code_of

    notify = load_notify_settings()  # a broken file stops here, before any work
    start, end = parse_period(args.date_from, args.date_to, args.month, args.quarter)
    out = Path(args.out).expanduser().absolute()  # once, before any work
    try:
        record = run_period(
            args.data,
            start,
            end,
            out,
            project=args.project,
            **_run_options(args),
        )
    except RunFailed as exc:
        _send_run_message(exc.record, out, notify)
        return _run_failed(exc, out)
    _send_run_message(record, out, notify)
    folder = out.resolve() / record["run_id"]
    lines = [f"Period run {record['run_id']} ({record['period_label']}, {record['project']})"]
    for report in record["reports"]:
        if report["status"] != "ok":
            lines.append(f"  FAILED: {report['error']} (see {folder / 'error.txt'})")
            continue
        made = [report[k] for k in ("html", "docx", "pdf") if report.get(k)]
        lines.append(f"  {report['title']}: {', '.join(made)} in {folder}")
        if report.get("pdf_skipped"):
            lines.append(f"  no PDF: {report['pdf_skipped']}; HTML and Word were published")
    lines.append(f"Share with reviewers and donors: {folder}")
    print(printable("\n".join(lines)))
    return exit_code_of(record)


def cmd_prune(args: argparse.Namespace) -> int:
    from .run.weekly import default_restricted_root, prune_restricted

    root = (args.restricted or default_restricted_root(args.out)).expanduser().resolve()
    if not root.is_dir():
        raise WorkbenchError(f"{root}: no restricted outputs here")
    pruned = prune_restricted(root, args.keep)
    lines = [f"Removed the restricted outputs of {len(pruned.removed)} older run(s) from {root}."]
    lines += [f"  removed: {path.name}" for path in pruned.removed]
    if pruned.left_alone:
        lines.append(f"Left alone (not removed), {len(pruned.left_alone)}:")
        lines += [f"  {path.name}: {why}" for path, why in pruned.left_alone]
    print("\n".join(printable(line, keep_newlines=False) for line in lines))
    return EXIT_OK


def _iso_week(text: str) -> str:
    try:
        return "{}-W{:02d}".format(*parse_iso_week(text))
    except WorkbenchError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


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
        "--defect-rate",
        type=_rate,
        default=0.0,
        help="share of records given a defect per rule, 0-0.5 (default 0: no rule fires)",
    )
    demo.add_argument(
        "--replace", action="store_true", help="replace demo data made earlier in that folder"
    )
    demo.set_defaults(func=cmd_demo_data)

    clean = sub.add_parser(
        "clean",
        help="clean an export folder and write the cleaning report, quarantine and value issues",
    )
    clean.add_argument("--data", type=Path, required=True, help="folder of exports")
    clean.add_argument("--out", type=Path, required=True, help="folder for the cleaning outputs")
    clean.set_defaults(func=cmd_clean)

    check = sub.add_parser(
        "check",
        help="check an export folder: quality gate and every rule; findings for case workers",
        description="Clean the exports, run the quality gate and every rule whose datasets are "
        "present, and write findings.csv, findings.xlsx and the cleaning report. "
        "Exit 0: gate passed and no error finding; 1: gate failed or error findings; "
        "2: unusable input or arguments.",
    )
    check.add_argument("--data", type=Path, required=True, help="folder of exports")
    check.add_argument("--as-of", type=_iso_date, default=None, help="YYYY-MM-DD (default today)")
    check.add_argument("--out", type=Path, required=True, help="folder for the findings")
    check.add_argument("--no-gate", action="store_true", help="skip the Great Expectations gate")
    check.set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="list the rule catalogue")
    rules.add_argument("code", nargs="*", help="show these rules in full (e.g. C010 M004)")
    rules.add_argument("-v", "--verbose", action="store_true", help="with explanations")
    rules.set_defaults(func=cmd_rules)

    expectations = sub.add_parser(
        "expectations",
        help="the Great Expectations suites of the quality gate (expectations/)",
        description="write: regenerate the suites from the data contract and config/ (after "
        "editing code lists); check: exit 1 if the committed suites are out of date.",
    )
    expectations.add_argument("action", choices=["write", "check"])
    expectations.set_defaults(func=cmd_expectations)

    run = sub.add_parser("run", help="run a report pipeline")
    run_sub = run.add_subparsers(dest="pipeline", required=True, metavar="PIPELINE")
    weekly = run_sub.add_parser("weekly", help="the weekly reports, from exports to HTML")
    weekly.add_argument("--data", type=Path, required=True, help="folder of exports")
    when = weekly.add_mutually_exclusive_group()
    when.add_argument(
        "--as-of",
        type=_iso_date,
        default=None,
        help="YYYY-MM-DD: the week up to this day (default: the last complete week, "
        "Monday to Sunday, before today)",
    )
    when.add_argument("--week", type=_iso_week, default=None, help="ISO week, e.g. 2026-W47")
    _add_run_options(
        weekly,
        notes_help="the team's highlights and challenges, Markdown (default "
        "DATA/highlights.md; none is fine)",
    )
    weekly.set_defaults(func=cmd_run_weekly)

    period = run_sub.add_parser(
        "period",
        help="the donor report of a period: indicators against targets, in HTML, Word and PDF",
        description="The period report for a month, a quarter or any span of days, for a "
        "project of config/indicators.yaml (default: the first). Default period: the last "
        "complete month.",
    )
    period.add_argument("--data", type=Path, required=True, help="folder of exports")
    span = period.add_mutually_exclusive_group()
    span.add_argument("--month", default=None, help="a calendar month, e.g. 2026-10")
    span.add_argument("--quarter", default=None, help="a calendar quarter, e.g. 2026-Q3")
    span.add_argument(
        "--from", dest="date_from", default=None, metavar="YYYY-MM-DD", help="first day"
    )
    period.add_argument(
        "--to", dest="date_to", default=None, metavar="YYYY-MM-DD", help="last day (with --from)"
    )
    period.add_argument("--project", default=None, help="project name in config/indicators.yaml")
    _add_run_options(
        period,
        notes_help="the team's narrative for the period, Markdown (default "
        "DATA/period_notes.md; none is fine)",
    )
    period.set_defaults(func=cmd_run_period)

    prune = sub.add_parser(
        "prune",
        help="remove the restricted outputs of older runs (data minimisation)",
        description="Keep the restricted outputs (findings with real ids, case workers' "
        "copies) of the newest N runs only, newest by the start their run.json records; "
        "reviewer outputs are not touched. Only run folders the workbench made (its marker "
        "and a readable run.json) are removed; anything else is listed and left alone.",
    )
    prune.add_argument("--out", type=Path, default=Path("outputs"), help="default outputs/")
    prune.add_argument("--restricted", type=Path, default=None, help="default OUT-restricted")
    prune.add_argument("--keep", type=_positive_int, required=True, metavar="N")
    prune.set_defaults(func=cmd_prune)

    notes = sub.add_parser(
        "notes",
        help="the team's highlights and challenges shown in the weekly report",
        description="template: write a file to fill in for a week; check: look for personal "
        "data in it as the weekly run does (exit 1 if some is found).",
    )
    notes_sub = notes.add_subparsers(dest="notes_command", required=True, metavar="ACTION")
    template = notes_sub.add_parser("template", help="write a template to fill in")
    template.add_argument(
        "--week", type=_iso_week, default=None, help="ISO week, e.g. 2026-W48 (default: this week)"
    )
    template.add_argument(
        "--data", type=Path, default=None, help="write DATA/highlights.md (the run's default)"
    )
    template.add_argument(
        "--out", type=Path, default=None, metavar="FILE", help="write FILE (default: stdout)"
    )
    template.add_argument("--replace", action="store_true", help="overwrite an existing file")
    template.set_defaults(func=cmd_notes_template)
    notes_check = notes_sub.add_parser(
        "check", help="check the notes for personal data against the exports"
    )
    notes_check.add_argument("--data", type=Path, required=True, help="folder of exports")
    notes_check.add_argument(
        "--notes", type=Path, default=None, metavar="FILE", help="default DATA/highlights.md"
    )
    notes_check.set_defaults(func=cmd_notes_check)

    config = sub.add_parser("config", help="configuration files")
    config_sub = config.add_subparsers(dest="config_command", required=True, metavar="ACTION")
    config_check = config_sub.add_parser("check", help="validate the configuration files")
    config_check.add_argument("--config-dir", type=Path, default=None, help="default: config/")
    config_check.set_defaults(func=cmd_config_check)

    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from .config import ConfigError

    parser = build_parser()
    args = parser.parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except (WorkbenchError, ConfigError) as exc:
        print(f"workbench: error: {printable(exc)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("workbench: interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # the machine's problem, not a bug: a full disk, no permission
        where = f" {exc.filename}" if exc.filename else ""
        print(
            printable(f"workbench: error: cannot use{where}: {exc.strerror or exc}"),
            file=sys.stderr,
        )
        return EXIT_BAD_INPUT
    except Exception as exc:  # noqa: BLE001 (a bug: one plain line, the traceback kept apart)
        log = _crash_log(exc)
        print(
            f"workbench: internal error ({type(exc).__name__}); this is a bug of the "
            f"workbench, not of your data. Details for the maintainers: {log}",
            file=sys.stderr,
        )
        return EXIT_INTERNAL


def _crash_log(exc: BaseException) -> Path:
    """The traceback, in a file only its owner can read (it may quote data values)."""
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    folder = state / "protection-workbench"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(folder, 0o700)
    log = folder / f"crash-{date.today():%Y%m%d}-{os.getpid()}.log"
    fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("".join(traceback.format_exception(exc)))
    return log


def run(argv: Sequence[str] | None = None) -> NoReturn:
    """The ``workbench`` command: :func:`main`, then exit with its code."""
    code = main(argv)
    sys.stdout.flush()
    # Everything is written and closed by now. Frozen objects are left out of the garbage
    # collections the interpreter runs while it shuts down, which otherwise walk every object
    # of the run (Great Expectations alone leaves hundreds of thousands) for over a second
    # and free nothing that the end of the process would not.
    gc.freeze()
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
