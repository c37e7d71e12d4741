"""Tables behind the initial manifest review: the flights of the folder, go / no-go per
passenger of one flight with the reasons, and the list to send back to Operations.

A passenger is NO-GO with any error-severity finding of the manifest rules (M001–M008),
"GO with warnings" with warnings only, else GO. The reviewer version (``restricted=False``)
counts passengers through :mod:`protection_workbench.publish.disclosure`; only the case
workers' copy lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from ..config import Config, get_config
from ..publish.disclosure import in_words
from ..publish.html import esc_markdown
from ..publish.labels import OTHER, known_labels, relabel
from ..publish.protected import Published, TableSet
from ..publish.tables import TOTAL
from .common import hide_birth_dates, key_text, severity_rank
from .weekly import country_name

DECISIONS = ("NO-GO", "GO with warnings", "GO")


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
    """The manifest to review: ``wanted`` if given, else the next charter flight after
    ``as_of`` (a charter carries most of the returnees of a week: its review matters more
    than a commercial booking of one passenger), else the first flight after ``as_of``.

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
    upcoming = table[(table["flight_date"] > pd.Timestamp(as_of)).to_numpy(dtype=bool)]
    charters = upcoming[upcoming["flight_type"].astype("string").eq("charter").fillna(False)]
    chosen = (charters if len(charters) else upcoming if len(upcoming) else table.tail(1)).iloc[0]
    return str(chosen["manifest_id"])


def _manifest_findings(findings: pd.DataFrame) -> pd.DataFrame:
    """The findings of the manifest rules, record ids as text keys."""
    found = findings
    if "dataset" in found.columns:
        found = found[found["dataset"] == "manifest"]
    return found.assign(record_id=key_text(found["record_id"]))


def _flight_findings(findings: pd.DataFrame, manifest_frame: pd.DataFrame, manifest_id: str):
    """The passengers of one flight (text ids, manifest order) and their manifest findings."""
    rows = manifest_frame[manifest_frame["manifest_id"].astype("str") == manifest_id]
    passengers = pd.Series(key_text(rows["individual_id"]).unique(), name="record_id")
    found = _manifest_findings(findings)
    return passengers, found[found["record_id"].isin(passengers)]


def manifest_decisions(
    manifest_findings: pd.DataFrame, manifest_frame: pd.DataFrame, manifest_id: str
) -> pd.DataFrame:
    """Go / no-go per passenger of one manifest, with the reasons.

    NO-GO when the passenger has any error-severity finding, "GO with warnings" when warnings
    only, else GO. ``reasons`` lists "RULE message" pairs, errors first. Rows: NO-GO, then
    GO with warnings, then GO, each in the manifest's order.
    """
    passengers, found = _flight_findings(manifest_findings, manifest_frame, manifest_id)
    out = _decide(pd.DataFrame({"record_id": passengers}), found)
    out["_order"] = out["decision"].map({d: i for i, d in enumerate(DECISIONS)})
    out = out.sort_values("_order", kind="stable")
    return out[["record_id", "decision", "errors", "warnings", "reasons"]].reset_index(drop=True)


def _decide(passengers: pd.DataFrame, found: pd.DataFrame) -> pd.DataFrame:
    """``passengers`` (a ``record_id`` column, text keys) with their errors, warnings,
    reasons ("RULE message", errors first) and decision, from their manifest findings."""
    found = found.assign(
        _rank=severity_rank(found["severity"]),
        reason=found["rule"].astype("str") + " " + hide_birth_dates(found["message"]),
        error=(found["severity"] == "error").astype(int),
        warning=(found["severity"] == "warning").astype(int),
    ).sort_values(["record_id", "_rank", "rule"])
    per = found.groupby("record_id").agg(
        errors=("error", "sum"), warnings=("warning", "sum"), reasons=("reason", "; ".join)
    )
    out = passengers.merge(per, left_on="record_id", right_index=True, how="left")
    out[["errors", "warnings"]] = out[["errors", "warnings"]].fillna(0).astype(int)
    out["reasons"] = out["reasons"].fillna("")
    out["decision"] = np.select(
        [out["errors"] > 0, out["warnings"] > 0], ["NO-GO", "GO with warnings"], default="GO"
    )
    return out


def decision_summary(decisions: pd.DataFrame) -> pd.DataFrame:
    """Passengers per decision (NO-GO, GO with warnings, GO; zeros included)."""
    counts = decisions["decision"].value_counts().reindex(list(DECISIONS), fill_value=0)
    return pd.DataFrame({"decision": list(DECISIONS), "passengers": counts.to_numpy(dtype=int)})


def operations_list(decisions: pd.DataFrame) -> pd.DataFrame:
    """The NO-GO passengers with what to fix: the list to send back to Operations."""
    nogo = decisions[decisions["decision"] == "NO-GO"]
    return nogo[["record_id", "reasons"]].rename(columns={"reasons": "to fix"})


# --------------------------------------------------------------------------- as published


def flight_sentence(
    flights: pd.DataFrame, chosen: str, published: Published, restricted: bool
) -> str:
    """The Markdown line naming the reviewed flight: its manifest, type, destination, date
    and passengers (as published in the table set); every value from the exports escaped
    (and, for reviewers, only flight types and destinations known to ``config/``)."""
    flight = flights.set_index("manifest_id").loc[[chosen]].reset_index()
    when = pd.to_datetime(flight["flight_date"]).iloc[0]
    day = f"{when:%d %B %Y}" if pd.notna(when) else "an unknown date"
    people = published.say("passengers", chosen)
    # case workers see an unknown type or destination as typed (escaped), to correct it
    label = (
        f"{flight['flight_type'].iloc[0]} flight to {flight['destination_country'].iloc[0]}"
        if restricted
        else flight_label(flight).iloc[0]
    )
    plural = "" if people == "1" else "s"  # "fewer than 5 passengers", never "passenger"
    return (
        f"**Manifest** {esc_markdown(chosen)}: {esc_markdown(label)} "
        f"on {day}, **{people} passenger{plural}**."
    )


def decision_counts(published: Published) -> pd.Series:
    """Passengers of the flight reviewed in detail per decision and their Total (index
    NO-GO, GO with warnings, GO, Total), as published in the table set (the three decisions add
    up to the Total: they are protected together)."""
    table = published.table("decisions")
    table.columns = [str(c) for c in table.columns]
    row = table.iloc[0].reindex([*DECISIONS, TOTAL], fill_value="0")
    return row.rename(None)


def flight_verdict(decisions: pd.DataFrame) -> str:
    """The verdict of a flight from its passengers' decisions: NO-GO when one passenger is
    NO-GO, GO with warnings when one has warnings only, else GO."""
    found = set(decisions["decision"])
    return next((d for d in DECISIONS[:2] if d in found), "GO")


def decision_sentence(decisions: pd.DataFrame, published: Published) -> str:
    """The Markdown verdict of one flight (a decision: always shown) and its passengers
    per decision (:func:`decision_counts`, in words)."""
    counted = decision_counts(published).map(in_words)
    parts = ", ".join(f"{counted[d]} {d}" for d in DECISIONS)
    return (
        f"**Verdict: {flight_verdict(decisions)}.** Passengers: {parts} "
        f"(of {counted[TOTAL]} on the manifest)."
    )


def reasons_by_rule(published: Published, catalogue: pd.DataFrame) -> pd.DataFrame:
    """Passengers of the flight reviewed in detail per rule they break (Rule: code and
    title, Severity, Passengers), errors (the NO-GO reasons) first, as published. A
    passenger breaking two rules counts under both, so the column has no total."""
    table = published.table("reasons")
    table = table[table.iloc[:, 0] != "0"]  # rules no passenger of this flight breaks
    codes = pd.Series([str(r) for r in table.index])
    rules = catalogue.set_index("rule")
    return pd.DataFrame(
        {
            "Rule": (codes + " " + codes.map(rules["title"]).fillna("")).str.strip(),
            "Severity": codes.map(rules["severity"]).fillna("").str.capitalize(),
            "Passengers": table.iloc[:, 0].to_numpy(),
        }
    )


# --------------------------------------------------------------------------- every upcoming flight

NO_ISSUE = "No issue: GO"


def review_days(cfg: Config | None = None) -> int:
    """How many days after the as-of date the review covers (``manifest_review_days``)."""
    return int((cfg or get_config()).thresholds.manifest_review_days)


def upcoming_flights(
    manifest: pd.DataFrame, as_of: date | str | pd.Timestamp, days: int | None = None
) -> pd.DataFrame:
    """:func:`manifests` whose flight is within ``days`` days after ``as_of`` (the day after
    as-of to as-of + ``days``, both included; default ``manifest_review_days``)."""
    table = manifests(manifest)
    day = pd.Timestamp(as_of).normalize()
    days = review_days() if days is None else int(days)
    dates = pd.to_datetime(table["flight_date"])
    inside = ((dates > day) & (dates <= day + pd.Timedelta(days=days))).fillna(False)
    return table[inside.to_numpy(dtype=bool)].reset_index(drop=True)


@dataclass
class FlightReview:
    """The review of every flight of a window: one verdict per flight, the rules behind it
    and the go / no-go of every passenger (exact: protect before showing)."""

    start: pd.Timestamp  # the first day of the window (the day after as-of)
    end: pd.Timestamp  # the last day of the window
    flights: pd.DataFrame  # manifests() + no_go, check, go (passengers), verdict
    issues: pd.DataFrame  # manifest_id, rule, severity, title, passengers (with that issue)
    passengers: pd.DataFrame  # manifest_id, record_id, decision, errors, warnings, reasons

    def verdict_counts(self) -> pd.Series:
        """Flights per verdict (NO-GO, GO with warnings, GO; zeros kept): flights, not people."""
        counts = self.flights["verdict"].value_counts()
        return counts.reindex(list(DECISIONS), fill_value=0).astype(int)

    def sentence(self) -> str:
        """The Markdown summary: flights in the window and their verdicts (exact: a flight
        is not a person and a verdict is a decision, never suppressed)."""
        n = len(self.flights)
        window = f"from {self.start.day} {self.start:%B} to {self.end.day} {self.end:%B %Y}"
        if n == 0:
            return f"No flight is planned {window}: no manifest to review."
        counts = self.verdict_counts()
        parts = ", ".join(f"**{counts[d]:,} {d}**" for d in DECISIONS)
        return f"{n:,} flight{'' if n == 1 else 's'} {window}: {parts}."

    def to_fix(self) -> pd.DataFrame:
        """The passengers to fix per manifest (NO-GO, then GO with warnings), flights in date
        order: case workers' copy only (real ids; show through
        :func:`~.common.for_display`)."""
        order = self.flights[["manifest_id", "flight_date"]]
        out = self.passengers[self.passengers["decision"] != "GO"].merge(order, on="manifest_id")
        out["_order"] = out["decision"].map({d: i for i, d in enumerate(DECISIONS)})
        out = out.sort_values(["flight_date", "manifest_id", "_order"], kind="stable")
        out = out.rename(columns={"reasons": "to fix"})
        return out[["manifest_id", "record_id", "decision", "to fix"]].reset_index(drop=True)


def review_flights(
    findings: pd.DataFrame,
    manifest: pd.DataFrame,
    as_of: date | str | pd.Timestamp,
    catalogue: pd.DataFrame,
    days: int | None = None,
) -> FlightReview:
    """Go / no-go of every manifest whose flight is within ``days`` days after ``as_of``
    (:func:`upcoming_flights`): a flight is NO-GO when one of its passengers is NO-GO,
    GO with warnings when one has warnings only, else GO. ``findings`` are the run's findings
    (those of the manifest rules M001–M008 are used); a passenger's findings count on
    every manifest of the window the passenger is on."""
    days = review_days() if days is None else int(days)
    day = pd.Timestamp(as_of).normalize()
    flights = upcoming_flights(manifest, day, days)
    rows = manifest[manifest["manifest_id"].astype("str").isin(flights["manifest_id"])]
    pax = pd.DataFrame(
        {
            "manifest_id": rows["manifest_id"].astype("str").to_numpy(),
            "record_id": key_text(rows["individual_id"]).to_numpy(),
        }
    ).drop_duplicates(ignore_index=True)
    found = _manifest_findings(findings)
    found = found[found["record_id"].isin(pax["record_id"])]
    decided = _decide(pax, found)
    per_flight = pd.crosstab(decided["manifest_id"], decided["decision"]).reindex(
        index=flights["manifest_id"], columns=list(DECISIONS), fill_value=0
    )
    flights = flights.assign(
        no_go=per_flight["NO-GO"].to_numpy(dtype=int),
        check=per_flight["GO with warnings"].to_numpy(dtype=int),
        go=per_flight["GO"].to_numpy(dtype=int),
    )
    flights["verdict"] = np.select(
        [flights["no_go"] > 0, flights["check"] > 0], ["NO-GO", "GO with warnings"], default="GO"
    )
    issues = (
        found.merge(pax, on="record_id")
        .groupby(["manifest_id", "rule", "severity"], observed=True)["record_id"]
        .nunique()
        .rename("passengers")
        .reset_index()
    )
    issues["rule"] = issues["rule"].astype("str")
    issues["severity"] = issues["severity"].astype("str")
    issues["title"] = issues["rule"].map(catalogue.set_index("rule")["title"]).fillna("")
    issues["_rank"] = severity_rank(issues["severity"])
    issues = issues.sort_values(["manifest_id", "_rank", "rule"]).drop(columns="_rank")
    return FlightReview(
        start=day + pd.Timedelta(days=1),
        end=day + pd.Timedelta(days=days),
        flights=flights,
        issues=issues[["manifest_id", "rule", "severity", "title", "passengers"]].reset_index(
            drop=True
        ),
        passengers=decided[
            ["manifest_id", "record_id", "decision", "errors", "warnings", "reasons"]
        ],
    )


def flight_label(flights: pd.DataFrame) -> pd.Series:
    """ "Charter flight to Nigeria": the flight type and destination in plain English; a type
    or country that ``config/`` does not know reads "Other / unrecognised"."""
    kind = relabel(flights["flight_type"], "flight_type").fillna("Flight of unknown type")
    where = known_labels(flights["destination_country"], "destination_country")
    country = where.map(lambda c: c if c == OTHER else country_name(c), na_action="ignore")
    return kind + " to " + country.fillna("an unknown destination")


def protected_tables(
    review: FlightReview,
    findings: pd.DataFrame,
    manifest: pd.DataFrame,
    chosen: str | None,
    catalogue: pd.DataFrame,
    restricted: bool = False,
) -> Published:
    """Every count of people the manifest review shows, from one protected table set:
    passengers per flight of the window, passengers per rule broken per flight, and for the
    flight reviewed in detail (``chosen``) its passengers per decision (with their total)
    and per rule. Passengers are counted from one frame (one row per flight and
    passenger), the issues from another (one row per flight, passenger and rule): tables
    of one frame are protected together. Verdicts are decisions, not counts: they are not
    in the set and are always shown. Exact in the case workers' copy (``restricted``)."""
    ts = TableSet(min_cell=1 if restricted else None)
    pax = review.passengers[["manifest_id", "record_id", "decision"]]
    if chosen is not None and chosen not in set(pax["manifest_id"]):
        detail = manifest_decisions(findings, manifest, chosen)
        pax = pd.concat([pax, detail[["record_id", "decision"]].assign(manifest_id=chosen)])
    pax = pax.assign(decision=pd.Categorical(pax["decision"], categories=list(DECISIONS)))
    pax = pax.reset_index(drop=True)
    found = _manifest_findings(findings)[["record_id", "rule", "severity"]]
    issues = found.merge(pax[["manifest_id", "record_id"]], on="record_id")
    issues = issues.drop_duplicates(["manifest_id", "record_id", "rule"], ignore_index=True)
    codes = issues["rule"].astype("str")
    ranked = issues.assign(_rank=severity_rank(issues["severity"]), _rule=codes)
    order = ranked.sort_values(["_rank", "_rule"])["_rule"].drop_duplicates()
    issues["Rule"] = pd.Categorical(codes, categories=list(order))
    ts.count("passengers", pax, rows="manifest_id", value_name="Passengers")
    ts.count("issues", issues, rows="manifest_id", cols="Rule", value_name="Passengers")
    if chosen is not None:
        ours = (pax["manifest_id"] == chosen).to_numpy()
        ts.count("decisions", pax, cols="decision", where=ours, totals=True)
        mine = (issues["manifest_id"] == chosen).to_numpy()
        ts.count("reasons", issues, rows="Rule", where=mine, value_name="Passengers")
    return ts.protect()


def review_summary(review: FlightReview, published: Published) -> pd.DataFrame:
    """The one summary table of the review: one row per flight and rule behind its verdict
    (a flight without an issue has one row, "No issue: GO"), in date order.

    Columns: Flight date, Manifest, Flight, Passengers, Verdict, Rule, Passengers concerned.
    Counts of passengers are read from the protected table set (:func:`protected_tables`);
    the verdict is a decision and is always shown. Only the first row of a flight names
    it."""
    flights = review.flights
    passengers = published.table("passengers").iloc[:, 0]
    head = pd.DataFrame(
        {
            "manifest_id": flights["manifest_id"].to_numpy(),
            "Flight date": pd.to_datetime(flights["flight_date"]).dt.strftime("%d %b %Y"),
            "Manifest": flights["manifest_id"].to_numpy(),
            "Flight": flight_label(flights).to_numpy(),
            "Passengers": passengers.reindex(flights["manifest_id"]).fillna("0").to_numpy(),
            "Verdict": flights["verdict"].to_numpy(),
        }
    )
    issues = review.issues
    cells = published.table("issues")
    cells.columns = [str(c) for c in cells.columns]
    rules = pd.DataFrame(
        {
            "manifest_id": issues["manifest_id"],
            "Rule": issues["rule"] + " " + issues["title"] + " (" + issues["severity"] + ")",
            "Passengers concerned": cells.stack()
            .reindex(pd.MultiIndex.from_frame(issues[["manifest_id", "rule"]]))
            .to_numpy(),
        }
    )
    out = head.merge(rules, on="manifest_id", how="left", sort=False)
    out["Rule"] = out["Rule"].fillna(NO_ISSUE)
    out["Passengers concerned"] = out["Passengers concerned"].fillna("–")
    repeat = out["manifest_id"].duplicated()
    for column in ("Flight date", "Manifest", "Flight", "Passengers", "Verdict"):
        out[column] = out[column].mask(repeat, "")
    return out.drop(columns="manifest_id").reset_index(drop=True)
