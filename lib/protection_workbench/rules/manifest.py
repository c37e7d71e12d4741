"""Initial manifest review M001–M008 (rules.md, "Initial manifest review")."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..clean.names import normalise_name_key
from .cases import has_vulnerability
from .registry import Context, findings, fmt_date, join_reasons, rule, text

CASE_FIELDS = [
    "individual_id",
    "case_id",
    "first_name",
    "last_name",
    "date_of_birth",
    "nationality",
    "document_number",
    "case_status",
    "travel_document_status",
    "ftt_date",
    "destination_country",
    "protection_clearance",
    "bia_date",
    "vulnerabilities",
]


def passengers(ctx: Context) -> pd.DataFrame:
    """Each manifest row with its case record (columns suffixed ``_case``) and ``found``."""
    manifest = ctx.frames["manifest"].reset_index(drop=True)
    cases = ctx.frames["cases"]
    case_cols = [c for c in CASE_FIELDS if c in cases.columns]
    left = manifest.assign(individual_id=manifest["individual_id"].astype("str"))
    # Only the case records of the passengers can match: keep those before the rest.
    listed = cases["individual_id"].astype("str").isin(left["individual_id"]).to_numpy()
    one = cases.loc[listed, case_cols].drop_duplicates("individual_id")
    one = one.astype({"individual_id": "str"})
    one = one.rename(columns={c: f"{c}_case" for c in case_cols if c != "individual_id"})
    merged = left.merge(one, on="individual_id", how="left", indicator=True)
    merged["found"] = merged.pop("_merge").eq("both").to_numpy()
    merged.index = manifest.index
    return merged


def _manifest_findings(p: pd.DataFrame, mask: np.ndarray, message) -> pd.DataFrame:
    idx = np.flatnonzero(mask)
    sub = p.iloc[idx]
    msg = message if isinstance(message, str) else message.iloc[idx].reset_index(drop=True)
    case_id = sub["case_id_case"].reset_index(drop=True) if "case_id_case" in sub else None
    return findings("manifest", sub["individual_id"].reset_index(drop=True), msg, case_id)


def _on(p: pd.DataFrame) -> str:
    return "on manifest " + text(p["manifest_id"])


@rule("M001", "error", "Passenger not in case records", ("manifest", "cases"))
def m001(ctx: Context) -> pd.DataFrame:
    """A passenger on the initial manifest has no case record (individual_id not found).
    Correct the individual number or remove the passenger before the manifest goes to
    Operations."""
    p = passengers(ctx)
    return _manifest_findings(
        p, ~p["found"].to_numpy(), "not found in case records (" + _on(p) + ")"
    )


@rule("M002", "error", "Identity differs from the case record", ("manifest", "cases"))
def m002(ctx: Context) -> pd.DataFrame:
    """Name, date of birth, nationality or document number on the manifest differ from the
    case record. The airline and the embassy check these against the travel document:
    correct the manifest (or the case record, if the manifest is right)."""
    p = passengers(ctx)
    found = p["found"].to_numpy()
    name_m = normalise_name_key(text(p["first_name"]) + " " + text(p["last_name"]))
    name_c = normalise_name_key(text(p["first_name_case"]) + " " + text(p["last_name_case"]))
    both = lambda a, b: (p[a].notna() & p[b].notna()).to_numpy() & found  # noqa: E731
    parts = [
        (
            found
            & (name_m != name_c).to_numpy()
            & (name_m != "").to_numpy()
            & (name_c != "").to_numpy(),
            "name differs",
        ),
        (
            both("date_of_birth", "date_of_birth_case")
            & (p["date_of_birth"] != p["date_of_birth_case"]).to_numpy(),
            "date of birth differs",
        ),
        (
            both("nationality", "nationality_case")
            & (text(p["nationality"]) != text(p["nationality_case"])).to_numpy(),
            "nationality "
            + text(p["nationality"])
            + " vs "
            + text(p["nationality_case"])
            + " in case",
        ),
        (
            both("document_number", "document_number_case")
            & (text(p["document_number"]) != text(p["document_number_case"])).to_numpy(),
            "document number differs",
        ),
    ]
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _manifest_findings(p, mask, join_reasons(parts) + " (" + _on(p) + ")")


@rule("M003", "error", "Not eligible to fly", ("manifest", "cases"))
def m003(ctx: Context) -> pd.DataFrame:
    """The passenger's case is not *ready* or *manifested*, or the travel document has not
    been issued. Take the passenger off this flight until the case is ready."""
    p = passengers(ctx)
    found = p["found"].to_numpy()
    status = text(p["case_status_case"])
    doc = text(p["travel_document_status_case"])
    parts = [
        (found & ~status.isin(["ready", "manifested"]).to_numpy(), "case status '" + status + "'"),
        (
            found & (doc != "issued").to_numpy(),
            "travel document '" + doc.replace("", "(empty)") + "'",
        ),
    ]
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _manifest_findings(p, mask, join_reasons(parts))


@rule(
    "M004",
    "error",
    "Fit-to-travel not valid for this flight",
    ("manifest", "cases"),
    settings=("ftt_validity_days",),
)
def m004(ctx: Context) -> pd.DataFrame:
    """The manifest's fit-to-travel status is not *fit*, or the fit-to-travel check in the
    case record is older than 7 days (setting `ftt_validity_days`) before the flight date."""
    p = passengers(ctx)
    found = p["found"].to_numpy()
    days = (p["flight_date"] - p["ftt_date_case"]).dt.days
    not_fit = (text(p["ftt_status"]) != "fit").to_numpy()
    stale = found & (days > ctx.t.ftt_validity_days).fillna(False).to_numpy(dtype=bool)
    parts = [
        (not_fit, "fit-to-travel '" + text(p["ftt_status"]) + "'"),
        (
            stale,
            "FTT dated "
            + fmt_date(p["ftt_date_case"])
            + " is "
            + days.astype("Int64").astype("str").fillna("")
            + " days before flight "
            + fmt_date(p["flight_date"])
            + f"; max {ctx.t.ftt_validity_days}",
        ),
    ]
    return _manifest_findings(p, not_fit | stale, join_reasons(parts))


@rule(
    "M005",
    "error",
    "Vulnerable passenger without clearance or best interests assessment (BIA)",
    ("manifest", "cases"),
)
def m005(ctx: Context) -> pd.DataFrame:
    """A passenger with a vulnerability that needs protection clearance is not *cleared*, or
    an unaccompanied/separated child has no best-interests assessment. The passenger cannot
    fly until the protection team clears the movement."""
    p = passengers(ctx)
    found = p["found"].to_numpy()
    vulnerabilities = p["vulnerabilities_case"]
    vulnerable = found & has_vulnerability(
        vulnerabilities, ctx.cfg.codes("clearance_vulnerability")
    ).to_numpy(dtype=bool)
    child = found & has_vulnerability(vulnerabilities, ctx.cfg.codes("bia_vulnerability")).to_numpy(
        dtype=bool
    )
    parts = [
        (
            vulnerable & (text(p["protection_clearance_case"]) != "cleared").to_numpy(),
            "protection clearance '"
            + text(p["protection_clearance_case"]).replace("", "(empty)")
            + "'",
        ),
        (child & p["bia_date_case"].isna().to_numpy(), "unaccompanied/separated child without BIA"),
    ]
    mask = np.logical_or.reduce([m for m, _ in parts])
    return _manifest_findings(p, mask, join_reasons(parts))


@rule("M006", "warning", "Family split across flights", ("manifest", "cases"))
def m006(ctx: Context) -> pd.DataFrame:
    """Another member of the passenger's case, who has not departed and is not cancelled,
    is not on this manifest. Families travel together: add the member or confirm the split
    with the protection team."""
    p = passengers(ctx)
    cases = ctx.frames["cases"]
    on_manifest = p.loc[p["found"], ["manifest_id", "case_id_case", "individual_id"]].astype("str")
    on_manifest = on_manifest.rename(columns={"case_id_case": "case_id"})
    flights = on_manifest[["manifest_id", "case_id"]].drop_duplicates()
    # Only members of the passengers' cases matter: select them before the rest.
    in_flights = cases["case_id"].astype("str").isin(flights["case_id"]).to_numpy()
    members = cases.loc[in_flights, ["case_id", "individual_id", "case_status"]]
    status = text(members["case_status"])
    travelling = members.loc[
        ~status.isin(["departed", "cancelled"]).to_numpy(), ["case_id", "individual_id"]
    ]
    travelling = travelling.astype("str").drop_duplicates()
    expected = flights.merge(travelling, on="case_id")
    missing = expected.merge(
        on_manifest.drop_duplicates(),
        on=["manifest_id", "case_id", "individual_id"],
        how="left",
        indicator=True,
    )
    missing = missing[missing["_merge"] == "left_only"]
    count = missing.groupby(["manifest_id", "case_id"]).size().rename("missing").reset_index()
    hit = (
        p[["manifest_id", "case_id_case"]].astype("str").rename(columns={"case_id_case": "case_id"})
    )
    hit = hit.merge(count, on=["manifest_id", "case_id"], how="left")
    mask = hit["missing"].notna().to_numpy() & p["found"].to_numpy()
    message = (
        hit["missing"].astype("Int64").astype("str").fillna("")
        + " member(s) of case not on "
        + _on(p).str[3:]
    )
    return _manifest_findings(p, mask, message)


@rule(
    "M007", "error", "Passenger on two manifests", ("manifest",), settings=("manifest_clash_days",)
)
def m007(ctx: Context) -> pd.DataFrame:
    """The same person is twice on this manifest, or also on another manifest for a flight
    within 7 days (setting `manifest_clash_days`). Remove the duplicate booking."""
    m = ctx.frames["manifest"].reset_index(drop=True)
    ids = m["individual_id"].astype("str")
    twice = (m.assign(i=ids).duplicated(["manifest_id", "i"], keep=False)).to_numpy()
    flights = m.assign(i=ids)[["i", "manifest_id", "flight_date"]].drop_duplicates(
        ["i", "manifest_id"]
    )
    pairs = flights.merge(flights, on="i", suffixes=("", "_other"))
    pairs = pairs[pairs["manifest_id"] != pairs["manifest_id_other"]]
    close = (
        pairs["flight_date"] - pairs["flight_date_other"]
    ).dt.days.abs() <= ctx.t.manifest_clash_days
    clash = pairs[close.fillna(False).to_numpy(dtype=bool)]
    other = clash.groupby(["i", "manifest_id"])["manifest_id_other"].first()
    key = pd.MultiIndex.from_arrays([ids, m["manifest_id"].astype("str")])
    other_for_row = pd.Series(other.reindex(key).to_numpy(), index=m.index)
    parts = [
        (twice, "listed twice on " + text(m["manifest_id"])),
        (other_for_row.notna().to_numpy(), "also on manifest " + text(other_for_row)),
    ]
    mask = np.logical_or.reduce([mk for mk, _ in parts])
    idx = np.flatnonzero(mask)
    return findings(
        "manifest",
        ids.iloc[idx].reset_index(drop=True),
        join_reasons(parts).iloc[idx].reset_index(drop=True),
    )


@rule("M008", "error", "Flight destination differs from the passenger's", ("manifest", "cases"))
def m008(ctx: Context) -> pd.DataFrame:
    """The flight goes to a country other than the passenger's destination country in the
    case record. Check the booking or the destination recorded for the case."""
    p = passengers(ctx)
    dest_m, dest_c = text(p["destination_country"]), text(p["destination_country_case"])
    known = (dest_m != "").to_numpy() & (dest_c != "").to_numpy()
    mask = p["found"].to_numpy() & (dest_m != dest_c).to_numpy() & known
    return _manifest_findings(p, mask, "flight to " + dest_m + " but case destination " + dest_c)
