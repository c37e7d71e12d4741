"""Load a whole export folder into clean, typed frames — the one call notebooks and the CLI share."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import Config, get_config
from ..paths import staged_folder
from .dataset import CleanDataset, clean_dataset
from .folder import discover


@dataclass
class Export:
    """The cleaned datasets of one export folder."""

    folder: Path
    datasets: dict[str, CleanDataset]
    unrecognised_files: list[str] = field(default_factory=list)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.datasets[name].frame

    def __contains__(self, name: str) -> bool:
        return name in self.datasets

    @property
    def frames(self) -> dict[str, pd.DataFrame]:
        return {name: ds.frame for name, ds in self.datasets.items()}

    def report_table(self) -> pd.DataFrame:
        """One row per dataset: rows in, clean, quarantined, repairs, unknown values."""
        return pd.DataFrame([ds.report.summary() for ds in self.datasets.values()]).set_index(
            "dataset"
        )

    def repairs_table(self) -> pd.DataFrame:
        """Values repaired, by dataset and kind of repair."""
        rows = [
            {"dataset": name, "repair": kind, "values": count}
            for name, ds in self.datasets.items()
            for kind, count in sorted(ds.report.repairs.items())
        ]
        return pd.DataFrame(rows, columns=["dataset", "repair", "values"])

    def quarantine(self) -> pd.DataFrame:
        parts = [ds.quarantine.assign(dataset=n) for n, ds in self.datasets.items()]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def issues(self) -> pd.DataFrame:
        parts = [ds.issues.assign(dataset=n) for n, ds in self.datasets.items()]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def load_export(folder: str | Path, cfg: Config | None = None) -> Export:
    """Discover and clean every dataset file of ``folder``.

    Raises :class:`~protection_workbench.errors.InputFileError` with the file and the
    problem for unusable input (nothing is returned half-loaded).
    """
    from ..prepared import load_for

    prepared = load_for(folder)  # inside a weekly run: cleaned once by the run itself
    if prepared is not None:
        return prepared.export
    cfg = cfg or get_config()
    folder = Path(folder)
    found = discover(folder)
    datasets = {
        name: clean_dataset(name, files.paths, cfg) for name, files in found.datasets.items()
    }
    return Export(folder, datasets, [p.name for p in found.unrecognised])


def write_cleaning_outputs(export: Export, out: str | Path) -> Path:
    """Write the cleaning report, quarantine and value issues of ``export`` into ``out``.

    Written to a temporary folder first and moved into place when complete, so a
    folder that exists is always a complete one. Issues and quarantine name files
    and lines (for case workers), never personal values.
    """
    out = Path(out)
    with staged_folder(out) as staging:
        report = {
            "folder": str(export.folder),
            "unrecognised_files": export.unrecognised_files,
            "datasets": {n: ds.report.to_dict() for n, ds in export.datasets.items()},
        }
        (staging / "cleaning_report.json").write_text(
            json.dumps(report, indent=2, ensure_ascii=False, default=str), "utf-8"
        )
        export.report_table().to_csv(staging / "cleaning_summary.csv")
        export.quarantine().to_csv(staging / "quarantine.csv", index=False)
        export.issues().to_csv(staging / "value_issues.csv", index=False)
    return out
