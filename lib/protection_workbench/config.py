"""Analyst-editable configuration: header aliases, code lists, sites and thresholds.

The files live in ``config/`` at the project root (or in the folder named by the
``WORKBENCH_CONFIG_DIR`` environment variable). Each is validated on load; a
problem raises :class:`ConfigError` naming the file, the key and what is wrong,
so an analyst who edited a file knows exactly where to look.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .contract import DATASETS
from .paths import project_root

CONFIG_FILES = (
    "code_lists.yaml",
    "thresholds.yaml",
    "sites.yaml",
    "header_aliases.yaml",
    "country_aliases.yaml",
    "missing_values.yaml",
)

# Code lists whose codes are names in sites.yaml, not lists of code_lists.yaml.
SITES_CODE_LISTS = ("mantika", "airport")
# Code lists the contract refers to and that must therefore exist.
REQUIRED_CODE_LISTS = sorted(
    {
        c.codes
        for d in DATASETS.values()
        for c in d.columns
        if c.codes and c.codes not in SITES_CODE_LISTS
    }
    | {"final_case_status", "clearance_vulnerability", "bia_vulnerability"}
)


class ConfigError(ValueError):
    """A configuration file is missing or invalid. The message names file, key and problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Thresholds(_Strict):
    ftt_validity_days: int = Field(ge=0)
    stall_days: int = Field(ge=1)
    age_tolerance_years: int = Field(ge=0)
    age_min: int = Field(ge=0)
    age_max: int = Field(ge=1, le=130)
    earliest_year: int = Field(ge=1800, le=2000)
    adult_age: int = Field(ge=1, le=30)
    manifest_clash_days: int = Field(ge=0)
    visit_interval_days: int = Field(ge=1)
    first_visit_days: int = Field(ge=0)
    major_issue_follow_up_days: int = Field(ge=0)
    payment_tolerance: float = Field(ge=0, le=1)
    min_cell: int = Field(ge=1, le=100)
    # Manifest review: every flight within this many days after the as-of date is reviewed.
    manifest_review_days: int = Field(default=14, ge=1, le=366)
    # Weekly report: returns are also counted cumulatively from this day (YYYY-MM-DD).
    programme_start: date = date(2026, 1, 1)
    # Limits on input files (hostile or broken exports are refused before they are loaded).
    # Defaults equal the shipped config/thresholds.yaml so that older config folders still load.
    max_rows: int = Field(default=2_000_000, ge=1)
    max_columns: int = Field(default=200, ge=1, le=16_384)
    max_inflated_bytes: int = Field(default=1_000_000_000, ge=1)
    max_compression_ratio: int = Field(default=200, ge=2)
    max_cells: int = Field(default=5_000_000, ge=1_000)
    # Cleaning (defaults as shipped, for older config folders).
    country_fuzzy_min_score: float = Field(default=0.9, ge=0.5, le=1)
    month_first_min_share: float = Field(default=0.2, gt=0, le=1)
    date_order: dict[str, Literal["day_first", "month_first"]] = {}
    # Two-letter country values are ISO 3166 alpha-2 codes only in a column of codes.
    country_code_min_share: float = Field(default=0.5, gt=0, le=1)
    # A column taken through a header alias whose values are mostly unrecognised is not used.
    wrong_column_min_share: float = Field(default=0.5, gt=0, le=1)
    wrong_column_min_values: int = Field(default=10, ge=1)


class Mantika(_Strict):
    name: str = Field(min_length=1)
    aliases: list[str] = []


class Site(_Strict):
    name: str = Field(min_length=1)
    location_type: str
    mantika: str
    weight: float = Field(default=1.0, ge=0)


class Airport(_Strict):
    name: str = Field(min_length=1)
    iata: str = Field(pattern=r"^[A-Z]{3}$")
    mantika: str
    aliases: list[str] = []  # other spellings in manifests; the IATA code is always accepted


class Sites(_Strict):
    mantikas: list[Mantika] = Field(min_length=1)
    sites: list[Site] = Field(min_length=1)
    airports: list[Airport] = Field(min_length=1)
    partners: list[str] = Field(min_length=1)

    @field_validator("partners")
    @classmethod
    def _unique_partners(cls, v: list[str]) -> list[str]:
        dup = sorted({p for p in v if v.count(p) > 1})
        if dup:
            raise ValueError(f"listed more than once: {', '.join(dup)}")
        return v

    @property
    def mantika_names(self) -> list[str]:
        return [m.name for m in self.mantikas]

    @property
    def airport_names(self) -> list[str]:
        return [a.name for a in self.airports]


@dataclass(frozen=True)
class Config:
    """All configuration, validated. ``directory`` is where it was read from."""

    directory: Path
    code_lists: dict[str, list[str]]
    thresholds: Thresholds
    sites: Sites
    header_aliases: dict[str, dict[str, list[str]]]
    country_aliases: dict[str, list[str]]
    # language -> {"codes": {list name: {code: label}}, "columns": {column: label}}
    labels: dict[str, dict[str, dict]] = field(default_factory=dict)
    # Spellings that name more than one country ("Congolese"): reported, never guessed.
    ambiguous_countries: tuple[str, ...] = ()
    # What exports write for "not known" ("NA", "-", "غير معروف"): read as missing.
    missing_markers: tuple[str, ...] = ()

    def codes(self, name: str) -> list[str]:
        if name == "mantika":
            return self.sites.mantika_names
        if name == "airport":
            return self.sites.airport_names
        return self.code_lists[name]


def default_config_dir() -> Path:
    override = os.environ.get("WORKBENCH_CONFIG_DIR")
    return Path(override) if override else project_root() / "config"


def _read_yaml(path: Path) -> object:
    if not path.is_file():
        raise ConfigError(f"{path}: configuration file not found")
    try:
        with path.open(encoding="utf-8") as fh:
            # libyaml's loader when built in: the same safe loading, ~10x faster.
            return yaml.load(fh, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 1})" if where is not None else ""
        raise ConfigError(f"{path}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None


def _pydantic_error(path: Path, exc: ValidationError) -> ConfigError:
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"]) or "(top level)"
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown key (check the spelling)"
        problems.append(f"{path.name}: key '{key}': {msg}")
    return ConfigError(f"{path}: invalid configuration\n  " + "\n  ".join(problems))


# Lists that are subsets of another list take their labels from it.
_SUBSET_LISTS = {
    "final_case_status": "case_status",
    "clearance_vulnerability": "vulnerability",
    "bia_vulnerability": "vulnerability",
}


def _load_labels(path: Path, raw: object, lists: dict[str, list[str]]) -> dict[str, dict]:
    """The ``labels:`` section of code_lists.yaml: every code of a labelled list has a
    non-empty label, and no label names a code or list that does not exist."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: key 'labels': expected a mapping of language -> labels")
    out: dict[str, dict] = {}
    for lang, sections in raw.items():
        where = f"labels.{lang}"
        if not isinstance(sections, dict) or set(sections) - {"codes", "columns"}:
            raise ConfigError(f"{path}: key '{where}': expected the keys 'codes' and 'columns'")
        codes = sections.get("codes") or {}
        columns = sections.get("columns") or {}
        if not isinstance(codes, dict) or not isinstance(columns, dict):
            raise ConfigError(f"{path}: key '{where}': 'codes' and 'columns' must be mappings")
        for name, mapping in codes.items():
            key = f"{where}.codes.{name}"
            if name not in lists:
                raise ConfigError(f"{path}: key '{key}': there is no code list '{name}'")
            if not isinstance(mapping, dict):
                raise ConfigError(f"{path}: key '{key}': expected a mapping of code -> label")
            mapping = {str(k): str(v).strip() if v is not None else "" for k, v in mapping.items()}
            stray = [c for c in mapping if c not in lists[name]]
            if stray:
                raise ConfigError(f"{path}: key '{key}': {', '.join(stray)} not in the list")
            missing = [c for c in lists[name] if not mapping.get(c)]
            if missing:
                raise ConfigError(f"{path}: key '{key}': no label for {', '.join(missing)}")
            codes[name] = mapping
        for column, label in columns.items():
            if not str(label or "").strip():
                raise ConfigError(f"{path}: key '{where}.columns.{column}': empty label")
        out[str(lang)] = {
            "codes": codes,
            "columns": {str(k): str(v).strip() for k, v in columns.items()},
        }
    return out


def _load_code_lists(path: Path) -> tuple[dict[str, list[str]], dict[str, dict]]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of list name -> list of codes")
    raw = dict(raw)
    raw_labels = raw.pop("labels", None)
    lists: dict[str, list[str]] = {}
    for name, values in raw.items():
        if not isinstance(values, list) or not values:
            raise ConfigError(f"{path}: key '{name}': expected a non-empty list of codes")
        codes = [str(v).strip() for v in values]
        if any(not c for c in codes):
            raise ConfigError(f"{path}: key '{name}': contains an empty code")
        dup = sorted({c for c in codes if codes.count(c) > 1})
        if dup:
            raise ConfigError(f"{path}: key '{name}': listed more than once: {', '.join(dup)}")
        lists[str(name)] = codes
    missing = [n for n in REQUIRED_CODE_LISTS if n not in lists]
    if missing:
        raise ConfigError(f"{path}: missing code list(s): {', '.join(missing)}")
    for sub, parent in _SUBSET_LISTS.items():
        stray = [c for c in lists[sub] if c not in lists[parent]]
        if stray:
            raise ConfigError(f"{path}: key '{sub}': {', '.join(stray)} not in the '{parent}' list")
    return lists, _load_labels(path, raw_labels, lists)


def _load_thresholds(path: Path) -> Thresholds:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of setting -> value")
    try:
        t = Thresholds.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(path, exc) from None
    if t.age_min >= t.age_max:
        raise ConfigError(f"{path}: key 'age_min': must be below age_max ({t.age_max})")
    return t


def _load_sites(path: Path, code_lists: dict[str, list[str]]) -> Sites:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected keys mantikas, sites, airports, partners")
    try:
        sites = Sites.model_validate(raw)
    except ValidationError as exc:
        raise _pydantic_error(path, exc) from None
    names = sites.mantika_names
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise ConfigError(f"{path}: key 'mantikas': listed more than once: {', '.join(dup)}")
    for i, site in enumerate(sites.sites):
        if site.mantika not in names:
            raise ConfigError(
                f"{path}: key 'sites.{i}.mantika': {site.mantika!r} is not one of the mantikas"
            )
        if site.location_type not in code_lists["location_type"]:
            raise ConfigError(
                f"{path}: key 'sites.{i}.location_type': {site.location_type!r} is not in "
                f"code list location_type ({', '.join(code_lists['location_type'])})"
            )
    for i, airport in enumerate(sites.airports):
        if airport.mantika not in names:
            raise ConfigError(
                f"{path}: key 'airports.{i}.mantika': {airport.mantika!r} is not one of the mantikas"
            )
    spellings = [s for a in sites.airports for s in (a.name, a.iata, *a.aliases)]
    dup = sorted({s for s in spellings if spellings.count(s) > 1})
    if dup:
        raise ConfigError(f"{path}: key 'airports': listed more than once: {', '.join(dup)}")
    return sites


def _load_header_aliases(path: Path) -> dict[str, dict[str, list[str]]]:
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of dataset -> column -> aliases")
    out: dict[str, dict[str, list[str]]] = {}
    for ds_name, columns in raw.items():
        if ds_name not in DATASETS:
            raise ConfigError(
                f"{path}: key '{ds_name}': unknown dataset (known: {', '.join(DATASETS)})"
            )
        if not isinstance(columns, dict):
            raise ConfigError(f"{path}: key '{ds_name}': expected a mapping of column -> aliases")
        known = DATASETS[ds_name].column_names
        out[ds_name] = {}
        for col, aliases in columns.items():
            if col not in known:
                raise ConfigError(
                    f"{path}: key '{ds_name}.{col}': not a canonical column of {ds_name}"
                )
            if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                raise ConfigError(f"{path}: key '{ds_name}.{col}': expected a list of strings")
            out[ds_name][col] = [a for a in aliases]
    return out


AMBIGUOUS_KEY = "ambiguous"


def _load_country_aliases(path: Path) -> tuple[dict[str, list[str]], tuple[str, ...]]:
    """(ISO3 -> aliases, the spellings listed under ``ambiguous``)."""
    import pycountry  # imported here: only country cleaning needs it

    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of ISO3 code -> list of aliases")
    out: dict[str, list[str]] = {}
    owner: dict[str, str] = {}
    for code, aliases in raw.items():
        code = str(code)
        if code == AMBIGUOUS_KEY:
            continue
        if pycountry.countries.get(alpha_3=code) is None:
            raise ConfigError(f"{path}: key '{code}': not an ISO 3166-1 alpha-3 country code")
        if not isinstance(aliases, list) or not all(isinstance(a, str) and a for a in aliases):
            raise ConfigError(f"{path}: key '{code}': expected a list of non-empty strings")
        for alias in aliases:
            folded = alias.casefold().strip()
            if folded in owner and owner[folded] != code:
                raise ConfigError(
                    f"{path}: key '{code}': alias {alias!r} is also listed under {owner[folded]}"
                )
            owner[folded] = code
        out[code] = list(aliases)
    ambiguous = raw.get(AMBIGUOUS_KEY) or []
    if not isinstance(ambiguous, list) or not all(isinstance(a, str) and a for a in ambiguous):
        raise ConfigError(f"{path}: key '{AMBIGUOUS_KEY}': expected a list of non-empty strings")
    for alias in ambiguous:
        if alias.casefold().strip() in owner:
            raise ConfigError(
                f"{path}: key '{AMBIGUOUS_KEY}': {alias!r} is also an alias of "
                f"{owner[alias.casefold().strip()]}"
            )
    return out, tuple(ambiguous)


def _load_missing_markers(path: Path) -> tuple[str, ...]:
    raw = _read_yaml(path)
    markers = raw.get("markers") if isinstance(raw, dict) else None
    if not isinstance(markers, list) or not all(isinstance(m, str) and m.strip() for m in markers):
        raise ConfigError(f"{path}: key 'markers': expected a list of non-empty strings")
    if extra := sorted(set(raw) - {"markers"}):
        raise ConfigError(f"{path}: key '{extra[0]}': unknown key (check the spelling)")
    return tuple(m.strip() for m in markers)


def load_config(directory: str | Path | None = None) -> Config:
    """Read and validate every configuration file of ``directory`` (default: config/)."""
    directory = Path(directory) if directory is not None else default_config_dir()
    code_lists, labels = _load_code_lists(directory / "code_lists.yaml")
    country_aliases, ambiguous_countries = _load_country_aliases(directory / "country_aliases.yaml")
    return Config(
        directory=directory,
        code_lists=code_lists,
        labels=labels,
        thresholds=_load_thresholds(directory / "thresholds.yaml"),
        sites=_load_sites(directory / "sites.yaml", code_lists),
        header_aliases=_load_header_aliases(directory / "header_aliases.yaml"),
        country_aliases=country_aliases,
        ambiguous_countries=ambiguous_countries,
        missing_markers=_load_missing_markers(directory / "missing_values.yaml"),
    )


@lru_cache(maxsize=4)
def _cached(directory: str) -> Config:
    return load_config(directory)


def get_config(directory: str | Path | None = None) -> Config:
    """Like :func:`load_config`, cached per folder (config files are read once per process)."""
    return _cached(str(Path(directory) if directory is not None else default_config_dir()))
