"""LibreOffice Writer, headless (Debian's package, installed by `make test`): the tests
open the Word copies of the reports as people do and read back the PDF it prints."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

SOFFICE = "/usr/bin/soffice"


def word_to_pdf(
    documents: Iterable[Path], outdir: Path, home: Path, timeout: int = 240
) -> subprocess.CompletedProcess:
    """Print ``documents`` (.docx) to PDF files in ``outdir``, with a LibreOffice profile and
    HOME of their own under ``home`` (two test workers never share a profile)."""
    return subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{home / 'lo-profile'}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(outdir),
            *map(str, documents),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "HOME": str(home)},
    )
