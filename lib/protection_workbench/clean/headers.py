"""Map the headers of an export file to the canonical column names of the data contract.

Matching compares normalised forms (:func:`normalise_header`): case, accents, spaces and
punctuation do not matter, so only genuinely different spellings need an alias in
``config/header_aliases.yaml``.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..config import Config, get_config
from ..contract import dataset as get_dataset
from ..errors import MissingColumnError

_NON_ALNUM = re.compile(r"[\W_]+")


def normalise_header(text: object) -> str:
    """``"Date of Birth "``, ``"DATE_OF_BIRTH"``, ``"date-of-birth"`` -> ``"date_of_birth"``.

    NFKC, strip, casefold, accents and other combining marks removed (Arabic letters
    are kept; Arabic short-vowel marks are dropped), every run of other characters
    becomes ``_``, leading and trailing ``_`` removed.
    """
    s = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    s = unicodedata.normalize("NFD", s)
    s = "".join(c for c in s if not unicodedata.category(c).startswith("M"))
    s = unicodedata.normalize("NFC", s)
    return _NON_ALNUM.sub("_", s).strip("_")


@dataclass
class HeaderMapping:
    """How the headers of one file map to the canonical columns of its dataset."""

    dataset: str
    columns: dict[str, str]  # raw header -> canonical name (or the new name of a duplicate)
    unknown: list[str]  # extra columns kept as they are, in file order
    missing_optional: list[str]  # canonical optional columns the file does not have
    duplicates: dict[str, str] = field(default_factory=dict)  # extra header -> column it repeats
    conflicts: list[str] = field(default_factory=list)  # headers claiming one column, in words


def header_lookup(dataset: str, cfg: Config) -> dict[str, str]:
    """Normalised spelling -> canonical column; the earlier column (contract order) wins."""
    ds = get_dataset(dataset)
    aliases = cfg.header_aliases.get(dataset, {})
    lookup: dict[str, str] = {}
    for col in ds.column_names:
        lookup.setdefault(normalise_header(col), col)
    for col in ds.column_names:
        for alias in aliases.get(col, []):
            key = normalise_header(alias)
            if key:
                lookup.setdefault(key, col)
    return lookup


def tried_headers(dataset: str, column: str, cfg: Config) -> list[str]:
    return [column, *cfg.header_aliases.get(dataset, {}).get(column, [])]


def map_headers(
    raw_headers: list[str], dataset: str, path: str | Path, cfg: Config | None = None
) -> HeaderMapping:
    """Map ``raw_headers`` (file order) to canonical columns; raise when required ones lack.

    A header spelt as the canonical name itself wins over an alias wherever it stands (a
    world-region ``Region`` column, an alias of ``mantika``, does not take the place of an
    exact ``Mantika`` column); otherwise the first header wins. The others that claim the
    same column are kept as extra columns and named in :attr:`HeaderMapping.conflicts`; a
    loser whose name equals a canonical name is renamed ``"<name> (duplicate)"`` so names
    stay unique.
    """
    cfg = cfg or get_config()
    ds = get_dataset(dataset)
    lookup = header_lookup(dataset, cfg)
    exact = {normalise_header(c): c for c in ds.column_names}
    keys = [normalise_header(raw) for raw in raw_headers]
    claims = [lookup.get(key) for key in keys]
    winner: dict[str, int] = {}  # canonical column -> position of the header that gets it
    for i, key in enumerate(keys):  # exact spellings first ...
        if key in exact:
            winner.setdefault(exact[key], i)
    for i, col in enumerate(claims):  # ... then aliases, for the columns still free
        if col is not None:
            winner.setdefault(col, i)
    columns: dict[str, str] = {}
    unknown: list[str] = []
    duplicates: dict[str, str] = {}
    canonical = set(ds.column_names)
    for i, (raw, col) in enumerate(zip(raw_headers, claims, strict=True)):
        if col is not None and winner[col] == i:
            columns[raw] = col
            continue
        name = raw
        if raw in canonical:
            name = f"{raw} (duplicate)"
            n = 2
            while name in raw_headers or name in columns.values():
                name = f"{raw} (duplicate {n})"
                n += 1
            columns[raw] = name
        if col is not None:
            duplicates[name] = col
        unknown.append(name)
    conflicts = [
        f"columns {', '.join(repr(raw_headers[i]) for i in claimants)} all stand for "
        f"{col}: {raw_headers[winner[col]]!r} is used, the others are kept as extra columns"
        for col in winner
        if len(claimants := [i for i, c in enumerate(claims) if c == col]) > 1
    ]
    used = set(winner)
    missing = [c for c in ds.required if c not in used]
    if missing:
        first = missing[0]
        raise MissingColumnError(
            path,
            first,
            tried_headers(dataset, first, cfg),
            also_missing={c: tried_headers(dataset, c, cfg) for c in missing[1:]},
        )
    missing_optional = [c for c in ds.column_names if c not in used and c not in ds.required]
    return HeaderMapping(dataset, columns, unknown, missing_optional, duplicates, conflicts)
