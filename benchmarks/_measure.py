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


def generated_cases(folder, individuals: int, seed: int):
    """Generate demo exports into ``folder``; return the path of the cases export."""
    from datetime import date

    from protection_workbench.synth.generate import generate_demo_exports

    generate_demo_exports(folder, individuals, seed, date(2026, 11, 24), 0.01)
    return next(p for p in folder.iterdir() if p.name.startswith("cases."))


def floor_read(folder, cases, repeat: int = 1) -> dict:
    """The floor: a plain pyarrow read of the cases export, in its own encoding."""
    record = json.loads((folder / "_generator" / "generator.json").read_text())
    enc = next(f["encoding"] for f in record["files"] if f["path"] == cases.name)
    enc = {"utf-8-sig": "utf-8"}.get(enc, enc)
    return best(
        f"t = pacsv.read_csv({str(cases)!r}, read_options=pacsv.ReadOptions(encoding={enc!r}))",
        setup="import pyarrow.csv as pacsv",
        repeat=repeat,
    )
