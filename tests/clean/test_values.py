"""Column value cleaners: dates, countries, codes, numbers and text."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from protection_workbench.clean.codes import (
    clean_code,
    clean_mantika,
    clean_sex,
    clean_yes_no,
    split_list,
)
from protection_workbench.clean.countries import clean_countries
from protection_workbench.clean.dates import clean_dates
from protection_workbench.clean.numbers import clean_int, clean_number
from protection_workbench.clean.result import Cleaned
from protection_workbench.clean.text import (
    FTFY_ENCODING_ONLY,
    clean_text,
    fix_encoding,
)
from protection_workbench.config import get_config

CFG = get_config()
VULNERABILITY = CFG.codes("vulnerability")
LOCATION_TYPE = CFG.codes("location_type")
YES_NO_NA = CFG.codes("yes_no_na")
MISSING = [None, np.nan, "", "   ", "\t"]


def obj(*values: object) -> pd.Series:
    return pd.Series(list(values), dtype="object")


def one(cleaned: Cleaned) -> tuple[object, set[str], bool]:
    """(value, repair kinds, invalid) of a one-row result."""
    kinds = {k for k, mask in cleaned.repaired.items() if mask.iloc[0]}
    return cleaned.values.iloc[0], kinds, bool(cleaned.invalid.iloc[0])


def assert_shape(cleaned: Cleaned, raw: pd.Series) -> None:
    assert cleaned.values.index.equals(raw.index)
    assert cleaned.invalid.index.equals(raw.index)
    assert cleaned.invalid.dtype == bool
    for mask in cleaned.repaired.values():
        assert mask.dtype == bool
        assert mask.any()


# --- dates ---------------------------------------------------------------------------------

NOV20 = pd.Timestamp("2026-11-20")


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("2026-11-20", None),
        (" 2026-11-20 ", None),
        ("2026-11-20 00:00:00", "date_format"),
        ("2026-11-20T00:00:00", "date_format"),
        ("20/11/2026", "date_format"),
        ("20-11-2026", "date_format"),
        ("20.11.2026", "date_format"),
        ("20/11/26", "date_format"),
        ("20 Nov 2026", "date_format"),
        ("20-Nov-2026", "date_format"),
        ("20 November 2026", "date_format"),
        ("Nov 20, 2026", "date_format"),
        ("٢٠/١١/٢٠٢٦", "arabic_digits"),
        ("۲۰۲۶-۱۱-۲۰", "arabic_digits"),
        ("٢٠ Nov ٢٠٢٦", "arabic_digits"),
        (46346, "excel_serial"),
        (46346.0, "excel_serial"),
        ("46346", "excel_serial"),
        ("46346.0", "excel_serial"),
        (dt.datetime(2026, 11, 20, 14, 30), None),
        (dt.date(2026, 11, 20), None),
        (pd.Timestamp("2026-11-20 08:00"), None),
    ],
)
def test_dates_accepted_forms(raw, kind):
    value, kinds, invalid = one(clean_dates(obj(raw)))
    assert value == NOV20
    assert kinds == ({kind} if kind else set())
    assert not invalid


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("5/3/2026", "2026-03-05"),
        ("03/04/2026", "2026-04-03"),
        ("01/01/49", "2049-01-01"),
        ("01/01/50", "1950-01-01"),
        ("Sept 3, 1999", "1999-09-03"),
    ],
)
def test_dates_day_first_and_two_digit_years(raw, expected):
    assert one(clean_dates(obj(raw)))[0] == pd.Timestamp(expected)


def test_dates_month_first_when_asked():
    assert one(clean_dates(obj("03/04/2026"), dayfirst=False))[0] == pd.Timestamp("2026-03-04")


@pytest.mark.parametrize("raw", ["31/02/1990", "20/13/2026", "2026-02-30", "hello", 0, 90000, True])
def test_dates_impossible_are_invalid(raw):
    value, kinds, invalid = one(clean_dates(obj(raw)))
    assert pd.isna(value)
    assert invalid
    assert not kinds


def test_dates_missing_and_dtype():
    raw = obj(*MISSING, "2026-11-20")
    cleaned = clean_dates(raw)
    assert_shape(cleaned, raw)
    assert cleaned.values.dtype == "datetime64[ns]"
    assert cleaned.values.isna().tolist() == [True] * len(MISSING) + [False]
    assert not cleaned.invalid.any()
    assert cleaned.repaired == {}


# --- countries -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "iso3", "kind"),
    [
        ("NGA", "NGA", None),
        ("Nigeria", "NGA", "country_alias"),
        ("nigeria ", "NGA", "country_alias"),
        ("nga", "NGA", "country_alias"),
        ("ng", "NGA", "country_alias"),
        ("Nigerian", "NGA", "country_alias"),
        ("Federal Republic of Nigeria", "NGA", "country_alias"),
        ("نيجيريا", "NGA", "country_alias"),
        ("Niger Republic", "NER", "country_alias"),
        ("Cote d'Ivoire", "CIV", "country_alias"),
        ("Côte d'Ivoire", "CIV", "country_alias"),
        ("Côte d&#039;Ivoire", "CIV", "html_entity"),
        ("Ivory Coast", "CIV", "country_alias"),
        ("Sudan, Republic of", "SDN", "country_alias"),
        ("Iran (Islamic Republic of)", "IRN", "country_alias"),
        ("Bolivia (Plurinational State of)", "BOL", "country_alias"),
        ("Tanzania, United Republic of", "TZA", "country_alias"),
        ("The Democratic Republic of the Congo", "COD", "country_alias"),
        ("The Gambia", "GMB", "country_alias"),
        ("Gambia", "GMB", "country_alias"),
        ("Bangladeshi", "BGD", "country_alias"),
        ("Guinean", "GIN", "country_alias"),
    ],
)
def test_countries_to_iso3(raw, iso3, kind):
    value, kinds, invalid = one(clean_countries(obj(raw), CFG))
    assert value == iso3
    assert kinds == ({kind} if kind else set())
    assert not invalid


@pytest.mark.parametrize(("raw", "kept"), [("Biafra", "Biafra"), (" Atlantis ", "Atlantis")])
def test_countries_unknown_kept_and_invalid(raw, kept):
    value, kinds, invalid = one(clean_countries(obj(raw), CFG))
    assert value == kept
    assert invalid
    assert not kinds


def test_countries_iso2_only_when_exactly_two_letters():
    assert one(clean_countries(obj("n g"), CFG))[2]
    assert one(clean_countries(obj("NG"), CFG))[0] == "NGA"


def test_countries_dtype_and_missing():
    raw = obj(*MISSING, "Nigeria")
    cleaned = clean_countries(raw)
    assert_shape(cleaned, raw)
    assert cleaned.values.dtype == "str"
    assert cleaned.values.isna().sum() == len(MISSING)
    assert not cleaned.invalid.any()


# --- text ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected", "kind"),
    [
        ("MiMOSAâ€™s", "MiMOSA’s", "encoding"),
        ("JosÃ©", "José", "encoding"),
        ("Jose\u0301", "José", "unicode"),
        ("  Amina   Bello ", "Amina Bello", "whitespace"),
        ("line\none", "line one", "whitespace"),
        ("It’s Fine", "It’s Fine", None),
    ],
)
def test_text_repairs(raw, expected, kind):
    value, kinds, invalid = one(clean_text(obj(raw)))
    assert value == expected
    assert kinds == ({kind} if kind else set())
    assert not invalid


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30))
def test_fix_encoding_skips_ftfy_only_where_ftfy_changes_nothing(raw):
    import ftfy

    assert fix_encoding(raw) == ftfy.fix_text(raw, FTFY_ENCODING_ONLY)


@pytest.mark.parametrize("raw", ["Jos\u00c3\u00a9", "a\x1b[31mred\x1b[0m", "tab\there", "nul\x00"])
def test_fix_encoding_still_fixes_what_ftfy_fixes(raw):
    import ftfy

    assert fix_encoding(raw) == ftfy.fix_text(raw, FTFY_ENCODING_ONLY)


def test_text_missing():
    cleaned = clean_text(obj(*MISSING))
    assert cleaned.values.dtype == "str"
    assert cleaned.values.isna().all()
    assert cleaned.repaired == {}


# --- codes ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "allowed", "code", "kind"),
    [
        ("detention_centre", LOCATION_TYPE, "detention_centre", None),
        ("Detention Centre", LOCATION_TYPE, "detention_centre", "code_format"),
        ("DETENTION_CENTRE", LOCATION_TYPE, "detention_centre", "code_format"),
        (" detention-centre ", LOCATION_TYPE, "detention_centre", "code_format"),
        ("N/A", YES_NO_NA, "n/a", "code_format"),
        ("na", YES_NO_NA, "n/a", "code_format"),
        ("n.a.", YES_NO_NA, "n/a", "code_format"),
        ("Yes", YES_NO_NA, "yes", "code_format"),
    ],
)
def test_code_matching(raw, allowed, code, kind):
    value, kinds, invalid = one(clean_code(obj(raw), allowed))
    assert value == code
    assert kinds == ({kind} if kind else set())
    assert not invalid


def test_code_unknown_kept_and_invalid():
    value, kinds, invalid = one(clean_code(obj(" tent "), LOCATION_TYPE))
    assert (value, kinds, invalid) == ("tent", set(), True)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("f", "F"),
        ("Female", "F"),
        ("woman", "F"),
        ("GIRL", "F"),
        ("أنثى", "F"),
        ("انثى", "F"),
        ("m", "M"),
        ("male", "M"),
        ("Man", "M"),
        ("boy", "M"),
        ("ذكر", "M"),
    ],
)
def test_sex(raw, code):
    assert one(clean_sex(obj(raw))) == (code, {"code_format"}, False)


def test_sex_canonical_and_unknown():
    assert one(clean_sex(obj("F"))) == ("F", set(), False)
    assert one(clean_sex(obj("X"))) == ("X", set(), True)


@pytest.mark.parametrize(
    ("raw", "answer"),
    [
        ("yes", True),
        ("No", False),
        ("Y", True),
        ("n", False),
        ("TRUE", True),
        ("false", False),
        ("t", True),
        ("F", False),
        ("1", True),
        ("0", False),
        ("1.0", True),
        ("0.0", False),
        (1, True),
        (0.0, False),
        ("نعم", True),
        ("لا", False),
    ],
)
def test_yes_no(raw, answer):
    assert one(clean_yes_no(obj(raw))) == (answer, {"yes_no_format"}, False)


def test_yes_no_bools_and_unknown():
    cleaned = clean_yes_no(obj(True, False, "maybe", 2, None))
    assert cleaned.values.dtype == "boolean"
    assert cleaned.values.iloc[:2].tolist() == [True, False]
    assert cleaned.values.iloc[2:].isna().all()
    assert cleaned.invalid.tolist() == [False, False, True, True, False]
    assert cleaned.repaired == {}


@pytest.mark.parametrize(
    ("raw", "name", "kind"),
    [
        ("Tripoli", "Tripoli", None),
        ("tripoli", "Tripoli", "mantika_alias"),
        ("Tarabulus", "Tripoli", "mantika_alias"),
        ("طرابلس", "Tripoli", "mantika_alias"),
        ("Al Jfara", "Aljfara", "mantika_alias"),
        ("al-jfara", "Aljfara", "mantika_alias"),
    ],
)
def test_mantika(raw, name, kind):
    assert one(clean_mantika(obj(raw), CFG)) == (name, {kind} if kind else set(), False)


def test_mantika_unknown():
    assert one(clean_mantika(obj("Atlantis "), CFG)) == ("Atlantis", set(), True)


@pytest.mark.parametrize(
    ("raw", "expected", "repaired", "invalid"),
    [
        ("vot;medical", "vot;medical", False, False),
        ("medical; VoT", "vot;medical", True, False),
        ("Medical, medical|UASC", "uasc;medical", True, False),
        ("medical;magic;Magic", "medical;magic;Magic", False, True),
        ("magic, medical", "medical;magic", True, True),
        (" ; ", None, False, False),
    ],
)
def test_split_list(raw, expected, repaired, invalid):
    cleaned, _ = split_list(obj(raw), VULNERABILITY)
    value, kinds, bad = one(cleaned)
    assert (value if pd.notna(value) else None) == expected
    assert kinds == ({"list_format"} if repaired else set())
    assert bad == invalid


def test_split_list_flags():
    raw = obj("medical; VoT", None, "uasc")
    cleaned, flags = split_list(raw, VULNERABILITY, prefix="vuln_")
    assert list(flags.columns) == [f"vuln_{c}" for c in VULNERABILITY]
    assert all(dtype == np.dtype(bool) for dtype in flags.dtypes)
    assert flags.index.equals(raw.index)
    assert flags.loc[0, "vuln_vot"] and flags.loc[0, "vuln_medical"]
    assert not flags.loc[1].any()
    assert flags.loc[2].sum() == 1 and flags.loc[2, "vuln_uasc"]
    assert cleaned.values.dtype == "str"


# --- numbers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "number", "kind"),
    [
        ("12", 12, None),
        (12, 12, None),
        (12.0, 12, None),
        ("-3", -3, None),
        ("12.0", 12, "number_format"),
        ("1,234", 1234, "number_format"),
        ("1 234", 1234, "number_format"),
        (" 12 ", 12, None),
        ("١٢", 12, "arabic_digits"),
        ("١٬٢٣٤", 1234, "arabic_digits"),
    ],
)
def test_int(raw, number, kind):
    value, kinds, invalid = one(clean_int(obj(raw)))
    assert value == number
    assert kinds == ({kind} if kind else set())
    assert not invalid


@pytest.mark.parametrize("raw", ["12.5", "1.234", "twelve", 12.5, "1,5", True])
def test_int_invalid(raw):
    value, kinds, invalid = one(clean_int(obj(raw)))
    assert pd.isna(value) and invalid and not kinds


@pytest.mark.parametrize(
    ("raw", "number", "kind"),
    [
        ("1250.5", 1250.5, None),
        (1250.5, 1250.5, None),
        ("1,250.5", 1250.5, "number_format"),
        ("LYD 1250", 1250.0, "number_format"),
        ("1250 LD", 1250.0, "number_format"),
        ("1250 د.ل", 1250.0, "number_format"),
        ("12,5", 12.5, "number_format"),
        ("١٢٫٥", 12.5, "arabic_digits"),
        ("١٬٢٥٠٫٥", 1250.5, "arabic_digits"),
    ],
)
def test_number(raw, number, kind):
    value, kinds, invalid = one(clean_number(obj(raw)))
    assert value == number
    assert kinds == ({kind} if kind else set())
    assert not invalid


def test_number_dtype_missing_and_invalid():
    raw = obj(*MISSING, "abc", "3")
    cleaned = clean_number(raw)
    assert cleaned.values.dtype == "float64"
    assert cleaned.invalid.tolist() == [False] * len(MISSING) + [True, False]
    assert clean_int(raw).values.dtype == "Int64"


# --- idempotence ---------------------------------------------------------------------------

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_idempotent(clean, raw: pd.Series) -> None:
    first = clean(raw)
    second = clean(first.values)
    pd.testing.assert_series_equal(second.values, first.values, check_names=False)
    assert second.repaired == {}
    # Values kept because unknown stay unknown; nothing else becomes invalid.
    assert second.invalid.tolist() == (first.invalid & first.values.notna()).tolist()


date_text = st.one_of(
    st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)).flatmap(
        lambda d: st.sampled_from(
            [
                d.isoformat(),
                d.strftime("%d/%m/%Y"),
                d.strftime("%d-%b-%Y"),
                d.strftime("%b %d, %Y"),
                d.strftime("%d.%m.%y"),
                d,
                dt.datetime.combine(d, dt.time(13, 5)),
            ]
        )
    ),
    st.integers(-5, 100_000),
    st.text(max_size=12),
    st.none(),
)


@SETTINGS
@given(st.lists(date_text, max_size=20))
def test_dates_idempotent(raw):
    assert_idempotent(clean_dates, pd.Series(raw, dtype="object"))


country_text = st.one_of(
    st.sampled_from(
        ["Nigeria", "NGA", "ng", "Côte d&#039;Ivoire", "Biafra", " gambia ", "نيجيريا", "zz", ""]
    ),
    st.text(max_size=10),
    st.none(),
)


@SETTINGS
@given(st.lists(country_text, max_size=20))
def test_countries_idempotent(raw):
    assert_idempotent(lambda v: clean_countries(v, CFG), pd.Series(raw, dtype="object"))


code_text = st.one_of(
    st.sampled_from(["Detention Centre", "urban", "SHELTER", "x", " community-hosting "]),
    st.text(max_size=10),
    st.none(),
)


@SETTINGS
@given(st.lists(code_text, max_size=20))
def test_codes_idempotent(raw):
    series = pd.Series(raw, dtype="object")
    assert_idempotent(lambda v: clean_code(v, LOCATION_TYPE), series)
    assert_idempotent(clean_sex, series)
    assert_idempotent(lambda v: clean_mantika(v, CFG), series)


list_text = st.lists(
    st.sampled_from([*VULNERABILITY, "VoT", "Medical", " gbv ", "magic", ""]), max_size=5
).flatmap(lambda items: st.sampled_from([";", ", ", "|"]).map(lambda sep: sep.join(items)))


@SETTINGS
@given(st.lists(st.one_of(list_text, st.text(max_size=8), st.none()), max_size=20))
def test_lists_idempotent(raw):
    assert_idempotent(lambda v: split_list(v, VULNERABILITY)[0], pd.Series(raw, dtype="object"))


@SETTINGS
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["yes", "N", "true", "0", "نعم", "maybe"]), st.booleans(), st.none()
        ),
        max_size=20,
    )
)
def test_yes_no_idempotent(raw):
    assert_idempotent(clean_yes_no, pd.Series(raw, dtype="object"))


int_text = st.one_of(
    st.integers(-(10**12), 10**12).flatmap(
        lambda n: st.sampled_from([n, str(n), f"{n:,}", f"{n}.0", float(n)])
    ),
    st.text(max_size=8),
    st.none(),
)


@SETTINGS
@given(st.lists(int_text, max_size=20))
def test_ints_idempotent(raw):
    assert_idempotent(clean_int, pd.Series(raw, dtype="object"))
    assert_idempotent(clean_number, pd.Series(raw, dtype="object"))


text_piece = st.sampled_from(
    [*"abcXYZ éÃ©â€™ \t\n", "\u0301", "\u00a0", "محمد", "JosÃ©", "MiMOSAâ€™s", "’"]
)
text_value = st.lists(text_piece, max_size=6).map("".join)


@SETTINGS
@given(st.lists(st.one_of(text_value, st.text(max_size=10), st.none()), max_size=20))
def test_text_idempotent(raw):
    assert_idempotent(clean_text, pd.Series(raw, dtype="object"))


# --- performance ---------------------------------------------------------------------------


def test_many_rows_of_repeated_values():
    n = 200_000
    rng = np.random.default_rng(1)

    def column(values: list[object]) -> pd.Series:
        return pd.Series(np.array(values, dtype=object)[rng.integers(0, len(values), n)])

    cleaned = clean_dates(column(["2026-11-20", "20/11/2026", None, 46346, "31/02/1990"]))
    assert len(cleaned.values) == n
    assert cleaned.invalid.sum() > 0
    clean_countries(column(["Nigeria", "NGA", "Biafra", None]), CFG)
    clean_code(column(["urban", "Detention Centre", None]), LOCATION_TYPE)
    clean_yes_no(column(["yes", "no", None]))
    split_list(column(["medical; VoT", None, "uasc"]), VULNERABILITY)
    clean_int(column(["1,234", "12", None]))
    clean_number(column(["LYD 12", "3.5", None]))
    clean_text(column(["JosÃ©", " a  b", None]))
