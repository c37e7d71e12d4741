"""Expected errors: bad input or arguments. The CLI prints them without a traceback (exit 2)."""

from __future__ import annotations

import re
from pathlib import Path

# What a terminal would act on rather than show: C0 and C1 controls (ESC starts colour and
# cursor sequences), DEL, bidirectional marks, overrides and isolates, line and paragraph
# separators. The line feed is kept apart: multi-line messages keep their lines.
_CONTROL = "\x00-\x09\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL_BUT_NEWLINE = re.compile(f"[{_CONTROL}]")
_CONTROL_CHARS = re.compile(f"[\n{_CONTROL}]")


def _escape(match: re.Match) -> str:
    return ascii(match.group())[1:-1]  # ESC → \x1b, U+202E → \u202e


def printable(text: object, keep_newlines: bool = True) -> str:
    """``text`` safe to print on a terminal or in a log: every control character (ESC, CR,
    bidi overrides …) written as an escape such as ``\\x1b``. File names are data and may
    hold them; line breaks of a multi-line message are kept unless ``keep_newlines`` is
    false (for a file name, which must stay on its line)."""
    pattern = _CONTROL_BUT_NEWLINE if keep_newlines else _CONTROL_CHARS
    return pattern.sub(_escape, str(text))


class WorkbenchError(Exception):
    """A problem the user can fix (input, arguments, environment); the message says what."""


class InputFileError(WorkbenchError):
    """An input file cannot be used. ``str()`` is ``"<file>: <problem>"``."""

    def __init__(self, path: str | Path, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(f"{printable(self.path, keep_newlines=False)}: {problem}")


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
