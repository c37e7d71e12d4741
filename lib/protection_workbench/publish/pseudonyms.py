"""Pseudonymisation and PII handling for reviewer-facing outputs (docs/data-protection.md).

Records are referred to in shared outputs only by a keyed hash (HMAC-SHA256) of
their id. The secret key is kept outside the repository: in the environment
variable ``WORKBENCH_PSEUDONYM_KEY`` (hex or text), or in a key file named by
``WORKBENCH_PSEUDONYM_KEY_FILE`` (default ``~/.config/protection-workbench/pseudonym.key``).
Demo runs use a throwaway key made for the process, never written anywhere.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
from functools import lru_cache
from pathlib import Path

import pandas as pd

from ..contract import dataset as get_dataset
from ..errors import WorkbenchError
from ..paths import project_root

KEY_ENV = "WORKBENCH_PSEUDONYM_KEY"
KEY_FILE_ENV = "WORKBENCH_PSEUDONYM_KEY_FILE"
DEFAULT_KEY_FILE = Path("~/.config/protection-workbench/pseudonym.key")
PSEUDONYM_LENGTH = 16  # hex characters: 64 bits, ample for a caseload of millions

# Columns holding ids of records; pseudonymised rather than dropped so that rows
# can still be joined and counted. manifest_id names a flight, not a person: kept.
ID_COLUMNS = ("case_id", "individual_id", "referral_id", "placement_id", "visit_id", "payment_id")


class PseudonymKeyError(WorkbenchError):
    """No usable pseudonymisation key."""


def _inside_repository(path: Path) -> bool:
    try:
        path.resolve().relative_to(project_root().resolve())
    except ValueError:
        return False
    return True


def _decode_key(text: str) -> bytes:
    text = text.strip()
    try:
        key = bytes.fromhex(text)
    except ValueError:
        key = text.encode("utf-8")
    return key


def load_key(demo: bool = False) -> bytes:
    """The pseudonymisation secret; ``demo=True`` allows a throwaway key when none is set."""
    if os.environ.get(KEY_ENV):
        key = _decode_key(os.environ[KEY_ENV])
        source = f"${KEY_ENV}"
    else:
        path = Path(os.environ.get(KEY_FILE_ENV) or DEFAULT_KEY_FILE).expanduser()
        if not path.is_file():
            if demo:
                return _throwaway_key()
            raise PseudonymKeyError(
                f"no pseudonymisation key: set {KEY_ENV} or put a key in {path} "
                f"(create one with: python -c 'import secrets; print(secrets.token_hex(32))' > {path}"
                " && chmod 600 it). Keep it outside the repository and never share it."
            )
        if _inside_repository(path):
            raise PseudonymKeyError(
                f"{path}: the pseudonymisation key file must be outside the repository"
            )
        key = _decode_key(path.read_text("utf-8"))
        source = str(path)
    if len(key) < 16:
        raise PseudonymKeyError(
            f"{source}: the pseudonymisation key is too short (16 bytes at least)"
        )
    return key


@lru_cache(maxsize=1)
def _throwaway_key() -> bytes:
    return secrets.token_bytes(32)


def pseudonymise(values: pd.Series, key: bytes) -> pd.Series:
    """Keyed hash of each value (same value -> same pseudonym); missing stays missing.

    Hashes each distinct value once and maps back (ids repeat across datasets).
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    hashed = [
        hmac.new(key, str(v).encode("utf-8"), hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]
        for v in uniques
    ]
    lookup = pd.array([*hashed, pd.NA], dtype="string")
    out = lookup.take(codes)  # sentinel -1 takes the trailing NA
    return pd.Series(out, index=values.index, name=values.name).astype("str")


def reviewer_safe(frame: pd.DataFrame, dataset_name: str, key: bytes) -> pd.DataFrame:
    """Drop the PII and free-text columns of a canonical frame and pseudonymise its ids.

    Used for anything reviewer-facing: names, phones, document numbers, dates of birth
    and notes are removed; record ids are replaced by their keyed hash.
    """
    ds = get_dataset(dataset_name)
    drop = [c for c in ds.pii if c in frame.columns]
    safe = frame.drop(columns=drop)
    for col in ID_COLUMNS:
        if col in safe.columns:
            safe[col] = pseudonymise(safe[col], key)
    return safe
