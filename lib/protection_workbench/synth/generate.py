"""Write a folder of demo exports: population -> defects -> messy files, plus the truth.

Layout of the output folder::

    cases.csv, referrals.csv, manifest_<id>.xlsx|csv, hosts.xlsx, ...   the messy exports
    highlights.md                  sample team notes for the week (the weekly run shows them)
    _generator/generator.json      parameters, files written (format, encoding, headers, rows)
    _generator/ground_truth.csv    dataset, record_id, rule of every injected defect
    _generator/truth/<dataset>.parquet   canonical values before the exports were made messy

The folder is built next to its destination and moved into place only when
complete, so an interrupted run never leaves a half-written demo folder behind.
A folder that was not made by this generator is never overwritten.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from .. import __version__
from ..config import Config, get_config
from ..errors import WorkbenchError
from ..paths import staged_folder
from .defects import inject_defects
from .highlights import write_highlights
from .messy import ExportFile, write_exports
from .population import build_population

GENERATOR_DIR = "_generator"
NOTES_FILE = "highlights.md"  # where the weekly run looks for the team's notes
MARKER = "generator.json"


@dataclass
class GenerationSummary:
    out: Path
    files: list[ExportFile]
    rows: dict[str, int]
    defects: int
    seconds: float


def generated_marker(folder: Path) -> Path:
    return folder / GENERATOR_DIR / MARKER


def _check_destination(out: Path, replace: bool) -> None:
    if not out.exists():
        return
    if not out.is_dir():
        raise WorkbenchError(f"{out}: exists and is not a folder")
    if not any(out.iterdir()):
        return
    if not generated_marker(out).is_file():
        raise WorkbenchError(
            f"{out}: folder is not empty and was not made by `workbench demo-data`; "
            "refusing to overwrite it (it may hold real exports). Choose another --out folder."
        )
    if not replace:
        raise WorkbenchError(
            f"{out}: demo data already exists; pass --replace to generate it again"
        )


def generate_demo_exports(
    out: Path,
    individuals: int = 20_000,
    seed: int = 1,
    as_of: date | None = None,
    defect_rate: float = 0.0,
    replace: bool = False,
    cfg: Config | None = None,
) -> GenerationSummary:
    """Generate every dataset of the data contract as messy exports into ``out``."""
    if individuals < 1:
        raise WorkbenchError(f"--individuals must be at least 1 (got {individuals})")
    if not 0.0 <= defect_rate <= 0.5:
        raise WorkbenchError(f"--defect-rate must be between 0 and 0.5 (got {defect_rate})")
    cfg = cfg or get_config()
    as_of = as_of or date.today()
    out = Path(out)
    _check_destination(out, replace)

    started = time.perf_counter()
    frames = build_population(individuals, seed, as_of, cfg)
    frames, ground_truth = inject_defects(frames, defect_rate, seed, as_of, cfg)

    with staged_folder(out) as staging:
        files = write_exports(frames, staging, seed, cfg)
        (staging / NOTES_FILE).write_text(write_highlights(frames, as_of, cfg, seed), "utf-8")
        meta_dir = staging / GENERATOR_DIR
        (meta_dir / "truth").mkdir(parents=True)
        for name, frame in frames.items():
            frame.to_parquet(meta_dir / "truth" / f"{name}.parquet", index=False)
        ground_truth.to_csv(meta_dir / "ground_truth.csv", index=False)
        record = {
            "generator_version": __version__,
            "parameters": {
                "individuals": individuals,
                "seed": seed,
                "as_of": as_of.isoformat(),
                "defect_rate": defect_rate,
            },
            "rows": {name: int(len(frame)) for name, frame in frames.items()},
            "defects": int(len(ground_truth)),
            "notes": NOTES_FILE,
            "files": [
                {**asdict(f), "path": f.path.name if f.path.is_absolute() else str(f.path)}
                for f in files
            ],
        }
        (meta_dir / "README.txt").write_text(
            "Made by `workbench demo-data`: synthetic data, no real person.\n"
            "truth/ holds the canonical values before the exports were made messy;\n"
            "ground_truth.csv lists the injected defects (dataset, record_id, rule).\n",
            encoding="utf-8",
        )
        (meta_dir / MARKER).write_text(json.dumps(record, indent=2, default=str), "utf-8")
    files = [ExportFile(**{**asdict(f), "path": out / Path(f.path).name}) for f in files]
    return GenerationSummary(
        out=out,
        files=files,
        rows={name: int(len(frame)) for name, frame in frames.items()},
        defects=int(len(ground_truth)),
        seconds=time.perf_counter() - started,
    )


def load_truth(folder: Path) -> tuple[dict[str, pd.DataFrame], pd.DataFrame, dict]:
    """Read back the clean truth, ground truth and generator record of a demo folder."""
    meta_dir = Path(folder) / GENERATOR_DIR
    record = json.loads((meta_dir / MARKER).read_text("utf-8"))
    truth = {p.stem: pd.read_parquet(p) for p in sorted((meta_dir / "truth").glob("*.parquet"))}
    ground_truth = pd.read_csv(meta_dir / "ground_truth.csv", dtype=str)
    return truth, ground_truth, record
