"""Pseudonymisation: keyed, stable, secret kept outside the repository; PII dropped."""

from __future__ import annotations

import hashlib
import hmac

import pandas as pd
import pytest

from protection_workbench.contract import CASES
from protection_workbench.paths import project_root
from protection_workbench.publish import pseudonyms as privacy

KEY = bytes.fromhex("00112233445566778899aabbccddeeff" * 2)


@pytest.fixture(autouse=True)
def no_key_in_environment(monkeypatch, tmp_path):
    monkeypatch.delenv(privacy.KEY_ENV, raising=False)
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(tmp_path / "absent.key"))


def test_pseudonym_is_the_keyed_hmac_and_stable():
    ids = pd.Series(["IND-1", "IND-2", "IND-1", None], dtype="str")
    out = privacy.pseudonymise(ids, KEY)
    expected = hmac.new(KEY, b"IND-1", hashlib.sha256).hexdigest()[:16]
    assert out.iloc[0] == expected
    assert out.iloc[0] == out.iloc[2]
    assert out.iloc[1] != out.iloc[0]
    assert pd.isna(out.iloc[3])
    assert "IND" not in "".join(out.dropna())


def test_another_key_gives_other_pseudonyms():
    ids = pd.Series(["IND-1"], dtype="str")
    assert privacy.pseudonymise(ids, KEY).iloc[0] != privacy.pseudonymise(ids, b"x" * 32).iloc[0]


def test_missing_key_is_a_clear_error_and_demo_gets_a_throwaway_key():
    with pytest.raises(privacy.PseudonymKeyError, match="no pseudonymisation key"):
        privacy.load_key()
    demo = privacy.load_key(demo=True)
    assert len(demo) == 32 and demo == privacy.load_key(demo=True)


def test_key_from_environment_and_from_file(monkeypatch, tmp_path):
    monkeypatch.setenv(privacy.KEY_ENV, KEY.hex())
    assert privacy.load_key() == KEY
    monkeypatch.delenv(privacy.KEY_ENV)
    key_file = tmp_path / "pseudonym.key"
    key_file.write_text("correct horse battery staple\n")
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(key_file))
    assert privacy.load_key() == b"correct horse battery staple"


def test_key_file_inside_the_repository_is_refused(monkeypatch):
    inside = project_root() / "config" / "code_lists.yaml"
    monkeypatch.setenv(privacy.KEY_FILE_ENV, str(inside))
    with pytest.raises(privacy.PseudonymKeyError, match="outside the repository"):
        privacy.load_key()


def test_short_key_is_refused(monkeypatch):
    monkeypatch.setenv(privacy.KEY_ENV, "abc")
    with pytest.raises(privacy.PseudonymKeyError, match="too short"):
        privacy.load_key()


def test_reviewer_safe_drops_pii_and_pseudonymises_ids():
    frame = pd.DataFrame({c: pd.Series(["x"], dtype="str") for c in CASES.column_names})
    frame["individual_id"] = "IND-000042"
    frame["case_id"] = "CASE-000007"
    safe = privacy.reviewer_safe(frame, "cases", KEY)
    for col in ("first_name", "last_name", "date_of_birth", "phone", "document_number"):
        assert col not in safe.columns
    assert safe.loc[0, "individual_id"] == privacy.pseudonymise(frame["individual_id"], KEY)[0]
    assert "IND-000042" not in safe.to_csv() and "CASE-000007" not in safe.to_csv()
    assert "sex" in safe.columns and "nationality" in safe.columns
