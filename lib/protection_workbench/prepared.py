"""The weekly run's cleaned data and check results, handed to its report notebooks.

The run cleans the exports and runs the gate and the rules once; each notebook would
otherwise do it again (the same folder, the same as-of date). The run pickles its
:class:`~protection_workbench.check.CheckResult` into its restricted folder and names the
file in the ``WORKBENCH_PREPARED`` environment variable of the kernels it starts;
``load_export`` and ``run_check`` reuse it when they are asked for the same folder (and
as-of date). Outside a run the variable is unset and nothing changes: a notebook opened
in JupyterLab cleans and checks the data itself.
"""

from __future__ import annotations

import os
import pickle
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .check import CheckResult

ENV = "WORKBENCH_PREPARED"


def save(result: CheckResult, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        pickle.dump(result, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path


@lru_cache(maxsize=2)
def _read(path: str, mtime: float) -> CheckResult:
    with open(path, "rb") as fh:
        return pickle.load(fh)  # written by this run, in its own restricted folder


def load_for(folder: str | Path, as_of=None) -> CheckResult | None:
    """The run's prepared result if it is for ``folder`` (and ``as_of``), else None."""
    path = os.environ.get(ENV)
    if not path or not Path(path).is_file():
        return None
    result = _read(path, Path(path).stat().st_mtime)
    if Path(folder).resolve() != Path(result.export.folder).resolve():
        return None
    if as_of is not None and pd.Timestamp(as_of) != result.as_of:
        return None
    return result
