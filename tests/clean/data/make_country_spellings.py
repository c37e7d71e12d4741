"""Write country_spellings.csv: real-world country spellings with their expected ISO3.

Built from hdx-python-country's own table (UN English short and formal names, ISO, M49,
ReliefWeb and HPC names, UN Arabic names), pycountry's ISO 3166 names, ISO2 and ISO3 codes,
the project's aliases (config/country_aliases.yaml) and the spellings of real exports
quoted in issue 14. A spelling that two countries share is left out (it is ambiguous).
Run from the project root: .venv/bin/python tests/clean/data/make_country_spellings.py
"""

from __future__ import annotations

import csv
from pathlib import Path

import pycountry
from hdx.location.country import Country

from protection_workbench.config import load_config

ENGLISH = (
    "Preferred Term",
    "English Short",
    "English Formal",
    "ISO Alt Term",
    "M49 English",
    "RW Short Name",
    "HPC Tools Alt Term",
)
ARABIC = ("Arabic Short", "M49 Arabic")
# Spellings of real exports (issue 14), with the country they name.
REAL = {
    "Democratic Republic of the Congo": "COD",
    "United States Virgin Islands": "VIR",
    "China, Hong Kong Special Administrative Region": "HKG",
    "China, Macao Special Administrative Region": "MAC",
    "Turkey": "TUR",
    "Russia": "RUS",
    "UK": "GBR",
    "UAE": "ARE",
    "Cape Verde": "CPV",
    "Swaziland": "SWZ",
    "Congo, Democratic Republic of the": "COD",
    "D.R. Congo": "COD",
    "RDC": "COD",
    "the Republic of Mali": "MLI",
    "the Republic of the Niger": "NER",
    "Côte d&#039;Ivoire": "CIV",
}


def rows() -> list[tuple[str, str, str]]:
    data = Country.countriesdata(use_live=False)["countries"]
    out: list[tuple[str, str, str]] = []
    for iso3, row in data.items():
        out += [(row[c], iso3, "hdx English") for c in ENGLISH if row.get(c)]
        out += [(row[c], iso3, "hdx Arabic") for c in ARABIC if row.get(c)]
        out.append((iso3, iso3, "ISO3 code"))
        out.append((iso3.lower(), iso3, "ISO3 code"))
    for country in pycountry.countries:
        out.append((country.alpha_2, country.alpha_3, "ISO2 code"))
        for attr in ("name", "official_name", "common_name"):
            if name := getattr(country, attr, None):
                out.append((name, country.alpha_3, "ISO 3166 name"))
    for iso3, aliases in load_config().country_aliases.items():
        out += [(alias, iso3, "project alias") for alias in aliases]
    out += [(spelling, iso3, "real export") for spelling, iso3 in REAL.items()]
    return out


def main() -> None:
    owners: dict[str, set[str]] = {}
    first: dict[str, tuple[str, str]] = {}
    for spelling, iso3, source in rows():
        spelling = " ".join(spelling.split())
        owners.setdefault(spelling.casefold(), set()).add(iso3)
        first.setdefault(spelling, (iso3, source))
    path = Path(__file__).with_name("country_spellings.csv")
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["spelling", "iso3", "source"])
        for spelling, (iso3, source) in sorted(first.items(), key=lambda kv: (kv[1][1], kv[0])):
            if len(owners[spelling.casefold()]) == 1:
                writer.writerow([spelling, iso3, source])


if __name__ == "__main__":
    main()
