"""Expected errors: bad input or arguments. The CLI prints them without a traceback (exit 2)."""

from __future__ import annotations

from pathlib import Path


class WorkbenchError(Exception):
    """A problem the user can fix (input, arguments, environment); the message says what."""


class InputFileError(WorkbenchError):
    """An input file cannot be used. ``str()`` is ``"<file>: <problem>"``."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


class MissingColumnError(InputFileError):
    """A required column is missing; the message names the file, the column and the aliases tried.

    ``also_missing`` (optional) names further missing required columns and their aliases so
    that one message lists them all; ``column``/``tried`` stay those of the first one.
    """

    def __init__(
        self,
        path: str | Path,
        column: str,
        tried: list[str],
        also_missing: dict[str, list[str]] | None = None,
    ) -> None:
        self.column = column
        self.tried = list(tried)
        self.also_missing = dict(also_missing or {})
        self.missing = [column, *self.also_missing]
        if not self.also_missing:
            shown = ", ".join(repr(t) for t in tried)
            problem = (
                f"required column '{column}' not found (headers tried: {shown}); "
                "add the file's spelling to config/header_aliases.yaml"
            )
        else:
            parts = [
                f"'{col}' (headers tried: {', '.join(repr(t) for t in aliases)})"
                for col, aliases in {column: self.tried, **self.also_missing}.items()
            ]
            problem = (
                f"{len(parts)} required columns not found: {'; '.join(parts)}; "
                "add the file's spellings to config/header_aliases.yaml"
            )
        super().__init__(path, problem)
