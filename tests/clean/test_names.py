"""Name keys for duplicate detection: spellings and scripts of one name meet."""

from __future__ import annotations

import numpy as np
import pandas as pd

from protection_workbench.clean.names import name_key, normalise_name_key


def test_name_key_spellings_and_scripts_meet():
    first = pd.Series(["Mohamed", "Muhammad", "محمد", "MOHAMMED", "Mohamed"])
    last = pd.Series(["Ali", "Ali", None, "ali", "Àli"])
    keys = normalise_name_key(first, last)
    assert keys.dtype == "str"
    assert keys.iloc[0] == "mhmd al"
    assert keys.iloc[2] == "mhmd"
    assert keys.iloc[0] == keys.iloc[1] == keys.iloc[3] == keys.iloc[4]


def test_name_key_of_full_name_only():
    keys = normalise_name_key(pd.Series(["Muhammad  Ali", None]))
    assert keys.tolist() == ["mhmd al", ""]


def test_name_key_of_one_name_matches_the_column_key():
    names = ["Fatima Zahra", "فاطمة الزهراء", "JosÃ© NÃºÃ±ez", "", "  "]
    assert normalise_name_key(pd.Series(names)).tolist() == [name_key(n) for n in names]


def test_many_rows_of_repeated_names():
    n = 200_000
    rng = np.random.default_rng(1)
    first = pd.Series(np.array(["Mohamed", "Ali", None], dtype=object)[rng.integers(0, 3, n)])
    keys = normalise_name_key(first, first)
    assert len(keys) == n
    assert set(keys) <= {"mhmd mhmd", "al al", " ", ""}
