"""Bounds on an input file, from ``config/thresholds.yaml``: what a hostile or broken export
may cost before it is refused."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Limits:
    """Bounds on an input file (``config/thresholds.yaml``, see :class:`Thresholds`)."""

    max_rows: int = 2_000_000
    max_columns: int = 200
    max_inflated_bytes: int = 1_000_000_000
    max_compression_ratio: int = 200
    max_cells: int = 5_000_000

    @classmethod
    def of(cls, source: Any = None) -> Limits:
        """Limits from a :class:`Limits`, a ``Thresholds``, a ``Config`` or (None) the
        configuration in use."""
        if isinstance(source, Limits):
            return source
        if source is None:
            from ..config import get_config

            source = get_config()
        source = getattr(source, "thresholds", source)
        return cls(
            max_rows=source.max_rows,
            max_columns=source.max_columns,
            max_inflated_bytes=source.max_inflated_bytes,
            max_compression_ratio=source.max_compression_ratio,
            max_cells=source.max_cells,
        )
