"""Find the export files of a folder and tell which dataset each belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from ..contract import DATASETS
from ..errors import InputFileError

EXTENSIONS = (".csv", ".xlsx", ".xlsm")


@dataclass
class DatasetFiles:
    name: str
    paths: list[Path] = field(default_factory=list)


@dataclass
class Discovered:
    folder: Path
    datasets: dict[str, DatasetFiles]  # contract order, only datasets with a file
    unrecognised: list[Path] = field(default_factory=list)


def _ignored(path: Path) -> bool:
    name = path.name
    return name.startswith((".", "_", "~$")) or not path.is_file()


def dataset_of(path: Path) -> str | None:
    """The dataset whose ``file_pattern`` matches the file's stem (case-insensitive)."""
    if path.suffix.lower() not in EXTENSIONS:
        return None
    stem = path.stem.casefold()
    for ds in DATASETS.values():
        if fnmatchcase(stem, ds.file_pattern.casefold()):
            return ds.name
    return None


def discover(folder: str | Path) -> Discovered:
    """The dataset files of ``folder`` (not recursive); raise when unusable or ambiguous."""
    folder = Path(folder)
    if not folder.exists():
        raise InputFileError(folder, "folder not found")
    if not folder.is_dir():
        raise InputFileError(folder, "not a folder")
    found: dict[str, list[Path]] = {}
    unrecognised: list[Path] = []
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if _ignored(path):
            continue
        name = dataset_of(path)
        if name is None:
            unrecognised.append(path)
        else:
            found.setdefault(name, []).append(path)
    if not found:
        raise InputFileError(
            folder,
            "no export files found (expected cases.csv, referrals.xlsx, manifest_*.xlsx …)",
        )
    datasets: dict[str, DatasetFiles] = {}
    for ds in DATASETS.values():
        paths = found.get(ds.name)
        if not paths:
            continue
        if len(paths) > 1 and not ds.many_files:
            names = " and ".join(p.name for p in paths)
            raise InputFileError(
                folder,
                f"{names} are both {ds.name} exports: keep only one of them in the folder",
            )
        datasets[ds.name] = DatasetFiles(ds.name, paths)
    return Discovered(folder, datasets, unrecognised)
