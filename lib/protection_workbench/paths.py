"""Project paths, resolved from this package's own location (never from the working directory)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


def project_root() -> Path:
    """The checkout this package was installed from (editable install: lib/..)."""
    return PACKAGE_DIR.parent.parent


def notebooks_dir() -> Path:
    return project_root() / "notebooks"


def expectations_dir() -> Path:
    return project_root() / "expectations"


@contextmanager
def staged_folder(out: Path) -> Iterator[Path]:
    """A hidden folder next to ``out`` to write into; when the block completes it replaces
    ``out`` (an earlier ``out`` is removed only after the swap), on an error it is removed
    and ``out`` is left as it was. So a folder that exists is always a complete one."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.tmp-", dir=out.parent))
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}.old-{os.getpid()}")
        out.rename(old)
    staging.rename(out)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
