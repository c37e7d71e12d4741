"""Tables behind the initial manifest review: the flights of the folder, go / no-go per
passenger of one flight with the reasons, and the list to send back to Operations.

A passenger is NO-GO with any error-severity finding of the manifest rules (M001–M008),
"GO (check)" with warnings only, else GO. The reviewer version (``restricted=False``)
counts passengers through :mod:`protection_workbench.publish.disclosure`; only the case
workers' copy lists them.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from ..publish.disclosure import safe_series
from ..publish.html import esc_markdown
from ..publish.labels import known_labels
from ..publish.tables import TOTAL
from .common import count_text, exact, hide_birth_dates, key_text, severity_rank

DECISIONS = ("NO-GO", "GO (check)", "GO")


def manifests(manifest: pd.DataFrame) -> pd.DataFrame:
    """One row per manifest: manifest_id, flight_date, flight_type, destination, passengers."""
    grouped = manifest.groupby(manifest["manifest_id"].astype("str"), sort=False)
    out = pd.DataFrame(
        {
            "flight_date": grouped["flight_date"].min(),
            "flight_type": grouped["flight_type"].agg(_first_value),
            "destination_country": grouped["destination_country"].agg(_first_value),
            "passengers": grouped["individual_id"].nunique(),
        }
    )
    out.index.name = "manifest_id"
    out = out.reset_index().sort_values(["flight_date", "manifest_id"], kind="stable")
    return out.reset_index(drop=True)


def _first_value(values: pd.Series):
    present = values.dropna()
    return str(present.iloc[0]) if len(present) else None


def pick_manifest(manifest: pd.DataFrame, as_of: date | str | pd.Timestamp, wanted: str = ""):
    """The manifest to review: ``wanted`` if given, else the first flight after ``as_of``.

    When no flight is after ``as_of`` the latest manifest is taken; None when there is no
    manifest at all. Raises ValueError for a ``wanted`` id that is not in the folder.
    """
    table = manifests(manifest)
    if wanted:
        if wanted not in set(table["manifest_id"]):
            known = ", ".join(table["manifest_id"]) or "none"
            raise ValueError(f"manifest {wanted!r} is not in the exports (found: {known})")
        return wanted
    if table.empty:
        return None
    upcoming = table[table["flight_date"] > pd.Timestamp(as_of)]
    chosen = upcoming.iloc[0] if len(upcoming) else table.iloc[-1]
    return str(chosen["manifest_id"])


def _flight_findings(findings: pd.DataFrame, manifest_frame: pd.DataFrame, manifest_id: str):
    """The passengers of one flight (text ids, manifest order) and their manifest findings."""
    rows = manifest_frame[manifest_frame["manifest_id"].astype("str") == manifest_id]
    passengers = pd.Series(key_text(rows["individual_id"]).unique(), name="record_id")
    found = findings
    if "dataset" in found.columns:
        found = found[found["dataset"] == "manifest"]
    found = found.assign(record_id=key_text(found["record_id"]))
    return passengers, found[found["record_id"].isin(passengers)]


def manifest_decisions(
    manifest_findings: pd.DataFrame, manifest_frame: pd.DataFrame, manifest_id: str
) -> pd.DataFrame:
    """Go / no-go per passenger of one manifest, with the reasons.

    NO-GO when the passenger has any error-severity finding, "GO (check)" when warnings
    only, else GO. ``reasons`` lists "RULE message" pairs, errors first. Rows: NO-GO, then
    GO (check), then GO, each in the manifest's order.
    """
    passengers, found = _flight_findings(manifest_findings, manifest_frame, manifest_id)
    found = found.assign(
        _rank=severity_rank(found["severity"]),
        reason=found["rule"].astype("str") + " " + hide_birth_dates(found["message"]),
    ).sort_values(["record_id", "_rank", "rule"])
    per = found.groupby("record_id").agg(
        errors=("severity", lambda s: int((s == "error").sum())),
        warnings=("severity", lambda s: int((s == "warning").sum())),
        reasons=("reason", "; ".join),
    )
    out = pd.DataFrame({"record_id": passengers}).merge(
        per, left_on="record_id", right_index=True, how="left"
    )
    out[["errors", "warnings"]] = out[["errors", "warnings"]].fillna(0).astype(int)
    out["reasons"] = out["reasons"].fillna("")
    out["decision"] = np.select(
        [out["errors"] > 0, out["warnings"] > 0], ["NO-GO", "GO (check)"], default="GO"
    )
    out["_order"] = out["decision"].map({d: i for i, d in enumerate(DECISIONS)})
    out = out.sort_values("_order", kind="stable")
    return out[["record_id", "decision", "errors", "warnings", "reasons"]].reset_index(drop=True)


def decision_summary(decisions: pd.DataFrame) -> pd.DataFrame:
    """Passengers per decision (NO-GO, GO (check), GO; zeros included)."""
    counts = decisions["decision"].value_counts().reindex(list(DECISIONS), fill_value=0)
    return pd.DataFrame({"decision": list(DECISIONS), "passengers": counts.to_numpy(dtype=int)})


def operations_list(decisions: pd.DataFrame) -> pd.DataFrame:
    """The NO-GO passengers with what to fix: the list to send back to Operations."""
    nogo = decisions[decisions["decision"] == "NO-GO"]
    return nogo[["record_id", "reasons"]].rename(columns={"reasons": "to fix"})


# --------------------------------------------------------------------------- as published


def manifests_table(flights: pd.DataFrame, restricted: bool) -> pd.DataFrame:
    """:func:`manifests` as published: flight dates as dates, passengers as counts; in the
    reviewer version flight types and destinations that ``config/`` does not know read
    "Other / unrecognised"."""
    out = flights.assign(flight_date=pd.to_datetime(flights["flight_date"]).dt.date)
    out["passengers"] = [count_text(n, restricted) for n in flights["passengers"]]
    if not restricted:
        for column in ("flight_type", "destination_country"):
            out[column] = known_labels(out[column], column)
    return out


def flight_sentence(flights: pd.DataFrame, chosen: str, restricted: bool) -> str:
    """The Markdown line naming the reviewed flight: its id, type, date, destination and
    passengers; every value from the exports escaped (and, for reviewers, only flight types
    and destinations known to ``config/``)."""
    flight = manifests_table(flights, restricted).set_index("manifest_id").loc[chosen]
    n = flights.set_index("manifest_id").loc[chosen, "passengers"]
    when = pd.Timestamp(flight["flight_date"])
    day = f"{when:%d %B %Y}" if pd.notna(when) else "an unknown date"
    return (
        f"**Manifest** {esc_markdown(chosen)}: {esc_markdown(flight['flight_type'])} flight on "
        f"{day} to {esc_markdown(flight['destination_country'])}, "
        f"**{flight['passengers']} passenger{'' if n == 1 else 's'}**."
    )


def decision_counts(decisions: pd.DataFrame, restricted: bool) -> pd.Series:
    """Passengers per decision and their Total (index NO-GO, GO (check), GO, Total), as
    published: the three decisions add up to the Total, so they are suppressed together."""
    counts = decision_summary(decisions).set_index("decision")["passengers"]
    counts.loc[TOTAL] = int(counts.sum())
    if restricted:
        return exact(counts)
    return safe_series(counts, total=TOTAL)


def decision_sentence(decisions: pd.DataFrame, restricted: bool) -> str:
    """The Markdown summary of :func:`decision_counts`."""
    counted = decision_counts(decisions, restricted)
    return (
        f"**Decision: {counted['GO']} GO, {counted['GO (check)']} GO (check), "
        f"{counted['NO-GO']} NO-GO** (passengers on the manifest: {counted[TOTAL]})."
    )


def reasons_by_rule(
    manifest_findings: pd.DataFrame,
    manifest_frame: pd.DataFrame,
    manifest_id: str,
    catalogue: pd.DataFrame,
    restricted: bool,
) -> pd.DataFrame:
    """Passengers of one manifest per rule they break (rule, title, severity, passengers),
    errors (the NO-GO reasons) first. A passenger breaking two rules counts under both, so
    the column has no total."""
    _, found = _flight_findings(manifest_findings, manifest_frame, manifest_id)
    counts = (
        found.groupby(["rule", "severity"], observed=True)["record_id"]
        .nunique()
        .rename("passengers")
        .reset_index()
    )
    counts["rule"] = counts["rule"].astype(str)
    counts["_rank"] = severity_rank(counts["severity"])
    counts = counts.sort_values(["_rank", "passengers", "rule"], ascending=[True, False, True])
    counts = counts.reset_index(drop=True)
    titles = catalogue.set_index("rule")["title"]
    out = pd.DataFrame(
        {
            "rule": counts["rule"],
            "title": counts["rule"].map(titles).fillna(""),
            "severity": counts["severity"].astype(str),
        }
    )
    if restricted:
        out["passengers"] = exact(counts["passengers"]).to_numpy()
    else:
        out["passengers"] = safe_series(counts["passengers"]).to_numpy()
    return out
