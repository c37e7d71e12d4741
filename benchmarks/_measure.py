"""Run a snippet in a fresh Python process and report wall time and peak memory."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

RUNNER = """
import json, resource, sys, time
{setup}
t0 = time.perf_counter()
{body}
elapsed = time.perf_counter() - t0
def _hwm():  # VmHWM is per process image: unlike ru_maxrss it is not inherited from the parent
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
peak = max(_hwm(), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)
print("@@" + json.dumps({{"seconds": elapsed, "peak_bytes": peak}}))
"""


def measure(body: str, setup: str = "") -> dict:
    code = RUNNER.format(setup=textwrap.dedent(setup), body=textwrap.dedent(body))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(proc.stderr)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("@@")][-1]
    return json.loads(line[2:])


def gb(n: float) -> str:
    return f"{n / 1e9:.2f} GB"


def best(body: str, setup: str = "", repeat: int = 1) -> dict:
    """The fastest of ``repeat`` fresh-process measurements."""
    return min((measure(body, setup) for _ in range(repeat)), key=lambda r: r["seconds"])


def interleaved(steps: dict[str, tuple[str, str]], repeat: int) -> dict[str, dict]:
    """The fastest of ``repeat`` fresh-process measurements of each ``name: (body, setup)``,
    taken in rounds (floor, step, floor, step...) so that a machine that slows down or
    speeds up during the run (shared virtual machines do) weighs on all steps alike."""
    runs: dict[str, list[dict]] = {name: [] for name in steps}
    for _ in range(repeat):
        for name, (body, setup) in steps.items():
            runs[name].append(measure(body, setup))
    best = {name: min(r, key=lambda m: m["seconds"]) for name, r in runs.items()}
    # every round's time too, in order, for paired_ratio
    return {name: {**best[name], "rounds": [m["seconds"] for m in runs[name]]} for name in runs}


def paired_ratio(step: dict, floor: dict) -> float:
    """The median over rounds of step / floor measured in the same round (see interleaved):
    a second view of the ratio that a machine whose speed drifts between rounds moves less
    than the ratio of the two best times, which may come from different rounds."""
    import statistics

    return statistics.median(s / f for s, f in zip(step["rounds"], floor["rounds"], strict=True))


def arguments(description: str, repeat: int):
    """The command-line arguments every 1M-individual benchmark takes, parsed."""
    import argparse
    from pathlib import Path

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--individuals", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=repeat, help="best of N runs per step")
    parser.add_argument(
        "--data",
        type=Path,
        default=None,
        help="generate into (and reuse) this folder instead of a temporary one",
    )
    return parser.parse_args()


def generated_cases(folder, individuals: int, seed: int, reuse: bool = False):
    """Generate demo exports into ``folder``; return the path of the cases export.

    With ``reuse``, a folder already generated with the same size and seed is used as it is
    (a million individuals take half a minute to generate)."""
    from datetime import date

    from protection_workbench.synth.generate import generate_demo_exports

    record = folder / "_generator" / "generator.json"
    if not (reuse and record.exists() and _generated_with(record, individuals, seed)):
        generate_demo_exports(folder, individuals, seed, date(2026, 11, 24), 0.01)
    return next(p for p in folder.iterdir() if p.name.startswith("cases."))


def _generated_with(record, individuals: int, seed: int) -> bool:
    params = json.loads(record.read_text()).get("parameters") or {}
    return params.get("individuals") == individuals and params.get("seed") == seed


def floor_step(folder, cases) -> tuple[str, str]:
    """The floor as (body, setup): a plain pyarrow read of the cases export, in its own
    encoding."""
    record = json.loads((folder / "_generator" / "generator.json").read_text())
    enc = next(f["encoding"] for f in record["files"] if f["path"] == cases.name)
    enc = {"utf-8-sig": "utf-8"}.get(enc, enc)
    return (
        f"t = pacsv.read_csv({str(cases)!r}, read_options=pacsv.ReadOptions(encoding={enc!r}))",
        "import pyarrow.csv as pacsv",
    )


def floor_read(folder, cases, repeat: int = 1) -> dict:
    """The floor measured alone (see floor_step)."""
    body, setup = floor_step(folder, cases)
    return best(body, setup=setup, repeat=repeat)


def floor_notebook(folder, parameters: str, imports: str):
    """Write ``folder/floor.ipynb``: a report notebook that only has its parameters cell
    (``parameters``, tagged for papermill) and the ``imports`` of the report it stands for,
    on the project kernel. Executed by the run machinery, it measures what every report
    pays before its own work (kernel start, imports, HTML). Returns its path."""
    import nbformat

    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell(parameters)
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Floor"),
        params,
        nbformat.v4.new_code_cell(imports),
    ]
    nb.metadata["kernelspec"] = {
        "name": "protection-workbench",
        "display_name": "PW",
        "language": "python",
    }
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / "floor.ipynb")
    return folder / "floor.ipynb"
