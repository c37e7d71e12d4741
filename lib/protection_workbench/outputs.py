"""Where the workbench writes, and how: it never destroys what it did not write.

* A command writes only into a folder it made itself (a marker file, :data:`MARKER`, says
  so and lists what it wrote) or into a new or empty one. It refuses, with one clear
  message, a file, a non-empty folder it did not make, the data folder, or any folder
  inside or around the data folder.
* Replacing its own earlier output replaces only the entries it wrote then; a file the
  user put next to them (notes, a spreadsheet) stays as it is.
* Restricted outputs (real ids, per-record lists, cleaning details) are private: folders
  0700, files 0600 (the marker too). What reviewers get is readable (folders 0755, files
  0644).
* A run folder (weekly or period) carries a marker of its own (kind :data:`RUN_KIND`, with
  its run id): only such folders are ever removed by retention (``workbench prune``).
* Moving a file between the two roots of a run works across file systems
  (:func:`move_file`).
* Every CSV the workbench writes has formula prefixes neutralised (:func:`write_csv`).
"""

from __future__ import annotations

import errno
import json
import os
import re
import shutil
import stat
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from .errors import WorkbenchError

MARKER = ".workbench-output.json"
PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600
SHARED_DIR, SHARED_FILE = 0o755, 0o644
RUN_KIND = "run"  # the marker kind of one run's folder (reviewers' or restricted)


class UnsafeOutputError(WorkbenchError):
    """The output folder asked for could destroy or expose something the user owns."""


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def check_output_folder(out: Path, data: Path | None = None, kind: str = "output") -> Path:
    """``out`` resolved, after refusing every output folder that could harm the user's files.

    Refused: an existing file; the data folder, a folder inside it or one that contains it;
    a non-empty folder that this workbench did not make (no :data:`MARKER`) — unless it only
    holds earlier output of the same ``kind``.
    """
    out = Path(out).expanduser().resolve()
    if data is not None:
        data = Path(data).expanduser().resolve()
        if _inside(out, data) or _inside(data, out):
            raise UnsafeOutputError(
                f"--out {out}: is the data folder {data}, inside it or around it; "
                "choose a folder outside the exports (nothing was written)"
            )
    if out.exists() and not out.is_dir():
        raise UnsafeOutputError(f"--out {out}: is a file, not a folder (nothing was written)")
    if out.is_dir() and any(out.iterdir()):
        marker = read_marker(out)
        if marker is None:
            raise UnsafeOutputError(
                f"--out {out}: folder is not empty and was not made by the workbench; "
                "refusing to write into it. Choose a new or empty folder (nothing was written)"
            )
        if marker.get("kind") != kind:
            raise UnsafeOutputError(
                f"--out {out}: holds workbench output of another kind ({marker.get('kind')}), "
                f"not {kind}; choose another folder (nothing was written)"
            )
    return out


def read_marker(folder: Path) -> dict | None:
    """The marker of a folder the workbench made, or None (no marker, or not readable)."""
    try:
        marker = json.loads((folder / MARKER).read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return marker if isinstance(marker, dict) else None


def claim_folder(out: Path, kind: str, private: bool) -> Path:
    """Create ``out`` (and its marker) if needed, with private or shared permissions."""
    out.mkdir(parents=True, exist_ok=True)
    os.chmod(out, PRIVATE_DIR if private else SHARED_DIR)
    if read_marker(out) is None:
        _write_marker(out, kind, [], private)
    elif private:  # a marker written by an older version was readable by all
        os.chmod(out / MARKER, PRIVATE_FILE)
    return out


def mark_run_folder(folder: Path, run_id: str, private: bool) -> None:
    """Say that ``folder`` is the workbench's folder of run ``run_id``: the one sign that
    retention may remove it (with its readable run.json)."""
    _write_marker(folder, RUN_KIND, [], private, run_id=run_id)


def _write_marker(out: Path, kind: str, entries: list[str], private: bool, **about) -> None:
    marker = {
        "kind": kind,
        **about,
        "written_by": "protection-workbench",
        "updated": datetime.now(UTC).isoformat(timespec="seconds"),
        "entries": sorted(entries),
        "note": "The workbench replaces only the entries listed here; other files are yours.",
    }
    # a name of its own: two runs claiming one new folder at once must not share it
    tmp = out / f"{MARKER}.{os.getpid()}-{threading.get_ident()}.tmp"
    tmp.write_text(json.dumps(marker, indent=2), "utf-8")
    os.chmod(tmp, PRIVATE_FILE if private else SHARED_FILE)
    os.replace(tmp, out / MARKER)


def move_file(source: Path, target: Path) -> None:
    """Move a file the workbench wrote to ``target``, also onto another file system (the
    reviewers' and the restricted root may be on two): renamed when it can be, else copied
    under a hidden name beside ``target``, renamed into place, and the source removed."""
    try:
        os.replace(source, target)
        return
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
    partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
    try:
        shutil.copyfile(source, partial)
        os.chmod(partial, stat.S_IMODE(source.stat().st_mode))
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    source.unlink()


@contextmanager
def replacing_own_output(
    out: Path, kind: str, data: Path | None = None, private: bool = True
) -> Iterator[Path]:
    """A hidden staging folder inside ``out`` to write the command's outputs into.

    When the block completes, each entry written replaces the entry of the same name (which
    the marker says the workbench wrote earlier); entries not written by the workbench are
    never touched. On an error the staging folder is removed and ``out`` is left as it was.
    """
    out = check_output_folder(out, data, kind)
    claim_folder(out, kind, private)
    marker = read_marker(out) or {}
    ours = set(marker.get("entries", []))
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=out))
    try:
        with private_umask() if private else _no_change():
            yield staging
        written = sorted(p.name for p in staging.iterdir())
        clash = [n for n in written if (out / n).exists() and n not in ours]
        if clash:
            raise UnsafeOutputError(
                f"--out {out}: {', '.join(clash)} already exist and were not written by the "
                "workbench; refusing to replace them (nothing was written)"
            )
        for name in written:
            target = out / name
            if target.is_dir() and not target.is_symlink():
                old = out / f".old-{name}-{os.getpid()}"
                os.replace(target, old)
                os.replace(staging / name, target)
                shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(staging / name, target)
        _write_marker(out, kind, sorted(ours | set(written)), private)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@contextmanager
def _no_change() -> Iterator[None]:
    yield


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created in the block are readable by their owner only.

    The umask is process-wide (and inherited by the kernels a run starts), so restricted
    outputs are private even when a library writes them with default permissions."""
    old = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(old)


def make_private(root: Path) -> None:
    """Owner-only permissions on ``root`` and everything in it (symlinks left alone)."""
    _chmod_tree(root, PRIVATE_DIR, PRIVATE_FILE)


def make_shared(root: Path) -> None:
    """Readable permissions on what reviewers get: folders 0755, files 0644."""
    _chmod_tree(root, SHARED_DIR, SHARED_FILE)


def _chmod_tree(root: Path, dir_mode: int, file_mode: int) -> None:
    for path in [root, *root.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            continue
        os.chmod(path, dir_mode if stat.S_ISDIR(mode) else file_mode)


# Spreadsheet formula injection (OWASP "CSV injection"): a text cell starting with one of
# these is read as a formula by Excel or LibreOffice. Prefixing an apostrophe makes it text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d[\d,]*)?(\.\d+)?([eE][+-]?\d+)?$")


def neutralise_formula(value: object) -> object:
    """``value`` with a leading apostrophe if a spreadsheet would read it as a formula.

    Numbers (and text that is a plain number such as ``-13``) are left unchanged."""
    if not isinstance(value, str) or not value.startswith(_FORMULA_START):
        return value
    if _PLAIN_NUMBER.match(value) and any(c.isdigit() for c in value):
        return value
    return "'" + value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) cannot run as formulas.

    Vectorised: only the cells that start with a formula prefix are looked at one by one."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if isinstance(series.dtype, pd.CategoricalDtype):
            series = series.astype(object)
        if not (series.dtype == object or pd.api.types.is_string_dtype(series.dtype)):
            continue
        try:
            suspect = series.str.startswith(_FORMULA_START, na=False).to_numpy(dtype=bool)
        except AttributeError:  # an object column without text: nothing to neutralise
            continue
        if suspect.any():
            series = series.astype(object)
            series[suspect] = [neutralise_formula(v) for v in series[suspect]]
        out[col] = series
    out.columns = [neutralise_formula(c) for c in out.columns]
    if out.index.dtype == object:
        out.index = out.index.map(neutralise_formula)
    return out


def write_csv(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    """``frame.to_csv(path)`` with formula prefixes neutralised: every CSV the workbench
    writes goes through here."""
    neutralise_frame(frame).to_csv(path, **kwargs)
    return path
