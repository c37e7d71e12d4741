"""Load a whole export folder into clean, typed frames — the one call notebooks and the CLI share."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..config import Config, get_config
from ..errors import WorkbenchError
from ..outputs import make_private, private_umask, write_csv
from .dataset import CleanDataset, CleaningReport, clean_dataset
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

    # The weekly run cleans once and hands the result to its notebooks as files: Parquet for
    # the frames (types kept), JSON for the rest. Personal data: the run keeps the folder in
    # its restricted area and removes it when the notebooks are done.
    _FRAMES = ("frame", "provenance", "quarantine", "issues")

    def save(self, folder: Path) -> Path:
        """Write the export into ``folder`` (see :meth:`load`)."""
        folder.mkdir(parents=True, exist_ok=True)
        index = {"folder": str(self.folder), "unrecognised_files": self.unrecognised_files}
        index["datasets"] = {}
        for name, ds in self.datasets.items():
            for part in self._FRAMES:
                getattr(ds, part).to_parquet(folder / f"{name}.{part}.parquet")
            ds.report.unknown_values.to_parquet(folder / f"{name}.unknown_values.parquet")
            report = {
                f.name: getattr(ds.report, f.name)
                for f in dataclasses.fields(ds.report)
                if f.name != "unknown_values"
            }
            index["datasets"][name] = {"report": report, "extra_columns": ds.extra_columns}
        (folder / "export.json").write_text(json.dumps(index, default=str), "utf-8")
        return folder

    @classmethod
    def load(cls, folder: Path) -> Export:
        """The export written by :meth:`save` into ``folder``."""
        index = read_prepared(folder / "export.json")
        datasets = {}
        for name, saved in index["datasets"].items():
            frames = {p: pd.read_parquet(folder / f"{name}.{p}.parquet") for p in cls._FRAMES}
            unknown = pd.read_parquet(folder / f"{name}.unknown_values.parquet")
            report = CleaningReport(**saved["report"], unknown_values=unknown)
            datasets[name] = CleanDataset(
                name, **frames, report=report, extra_columns=saved["extra_columns"]
            )
        return cls(Path(index["folder"]), datasets, index["unrecognised_files"])


def read_prepared(path: Path) -> dict:
    """A JSON record a run saved for its notebooks; a clear error if there is none."""
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise WorkbenchError(f"{path.parent}: no prepared data of a run here ({exc})") from None


def load_export(
    folder: str | Path, cfg: Config | None = None, prepared_dir: str | Path | None = None
) -> Export:
    """Discover and clean every dataset file of ``folder``.

    Given ``prepared_dir`` (a weekly run names the folder where it saved the exports it
    cleaned, see :meth:`Export.save`), the cleaned data are read from there instead of
    cleaning ``folder`` again; it must be the same export folder.

    Raises :class:`~protection_workbench.errors.InputFileError` with the file and the
    problem for unusable input (nothing is returned half-loaded).
    """
    if prepared_dir:
        export = Export.load(Path(prepared_dir) / "export")
        if Path(folder).resolve() != export.folder.resolve():
            raise WorkbenchError(
                f"prepared data in {prepared_dir} are of {export.folder}, not of {folder}"
            )
        return export
    cfg = cfg or get_config()
    folder = Path(folder)
    found = discover(folder)
    datasets = {
        name: clean_dataset(name, files.paths, cfg) for name, files in found.datasets.items()
    }
    return Export(folder, datasets, [p.name for p in found.unrecognised])


def write_cleaning_outputs(export: Export, out: str | Path) -> Path:
    """Write the cleaning report, quarantine and value issues of ``export`` into the folder
    ``out`` (created if needed; the caller chooses and guards it, see ``outputs.py``).

    Issues and quarantine name files and lines (for case workers): restricted outputs.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    report = {
        "folder": str(export.folder),
        "unrecognised_files": export.unrecognised_files,
        "datasets": {n: ds.report.to_dict() for n, ds in export.datasets.items()},
    }
    (out / "cleaning_report.json").write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str), "utf-8"
    )
    write_csv(export.report_table(), out / "cleaning_summary.csv")
    write_csv(export.quarantine(), out / "quarantine.csv", index=False)
    write_csv(export.issues(), out / "value_issues.csv", index=False)
    return out


CLEANED_FOLDER = "cleaned"


def write_clean_frames(export: Export, out: str | Path) -> Path:
    """Write the canonical frame of each dataset of ``export`` as Parquet into
    ``out/cleaned/<dataset>.parquet`` (types kept: open them in JupyterLab with
    ``pandas.read_parquet`` without cleaning again).

    They hold personal data (names, dates of birth): the folder and its files are made
    owner-only (0700/0600) whatever the umask; ``out`` is a restricted place.
    """
    folder = Path(out) / CLEANED_FOLDER
    with private_umask():
        folder.mkdir(parents=True, exist_ok=True)
        for name, ds in export.datasets.items():
            ds.frame.to_parquet(folder / f"{name}.parquet", index=False)
    make_private(folder)
    return folder
