"""Find the export files of a folder and tell which dataset each belongs to."""

from __future__ import annotations

from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from pathlib import Path

from ..contract import DATASETS
from ..errors import InputFileError
from .read import XLS_MESSAGE, check_not_linked_out

EXTENSIONS = (".csv", ".xlsx", ".xlsm")
# Named like an export but in a format that cannot be read: refused with a clear message
# (rather than listed among the unrecognised files and the dataset silently missing).
REFUSED = {".xls": XLS_MESSAGE}
# The team's own notes kept beside the exports (docs: "Writing the week's highlights"): read
# by the weekly and period runs, not exports, so not listed as unrecognised files.
NOTES_FILES = frozenset({"highlights.md", "period_notes.md"})


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
    if name.startswith((".", "_", "~$")) or name.casefold() in NOTES_FILES:
        return True
    if path.is_symlink():
        return False  # judged (and refused when it leaves the folder) without following it
    return not path.is_file()


def dataset_of(path: Path, extensions: tuple[str, ...] = EXTENSIONS) -> str | None:
    """The dataset whose ``file_pattern`` matches the file's stem (case-insensitive)."""
    if path.suffix.lower() not in extensions:
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
        problem = REFUSED.get(path.suffix.lower())
        if problem and dataset_of(path, tuple(REFUSED)):
            raise InputFileError(path, problem)
        name = dataset_of(path)
        if name is not None:
            check_not_linked_out(path, folder)
            if not path.is_file():
                continue
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
