"""The result of cleaning one column: values, what was repaired, what could not be cleaned."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd


@dataclass
class Cleaned:
    """Cleaned values of one column.

    ``repaired`` maps a kind of repair ("date_format", "country_alias", "encoding", …)
    to a boolean mask of the values it changed; ``invalid`` marks values that could
    not be cleaned (dates/numbers became missing; codes/countries kept as they came).
    """

    values: pd.Series
    repaired: dict[str, pd.Series] = field(default_factory=dict)
    invalid: pd.Series | None = None
    # For list columns: one boolean column per code (e.g. vuln_medical), same index.
    flags: pd.DataFrame | None = None
    # Optionally ``values`` factorised: per row the position of its value in ``distinct``
    # (-1: missing); ``distinct`` may repeat values and hold None. Saves re-encoding.
    codes: np.ndarray | None = None
    distinct: list | None = None
    # What a reviewer should look at (a fuzzy country match, a column read month-first):
    # plain dicts with a "kind", kept in the cleaning report.
    notes: list[dict] = field(default_factory=list)
    # Per row, what is wrong with an invalid value when it is more than the column's usual
    # problem ("not a date"): e.g. a weekday that does not fit the date. None elsewhere.
    problems: pd.Series | None = None

    def __post_init__(self) -> None:
        if self.invalid is None:
            self.invalid = pd.Series(False, index=self.values.index)

    def repair_counts(self) -> dict[str, int]:
        return {kind: int(mask.sum()) for kind, mask in self.repaired.items() if mask.any()}

    def unknown_counts(self, raw: pd.Series) -> pd.Series:
        """Counts of the raw values that could not be cleaned, most frequent first."""
        return raw[self.invalid.to_numpy()].astype("str").value_counts()
