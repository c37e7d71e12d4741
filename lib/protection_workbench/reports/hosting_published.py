"""The community hosting figures as published (strings such as "<5", "1,234").

Occupied places come from the published table of active placements, so that both agree;
parts of a total hidden elsewhere are hidden too; amounts of money are shown only for
months with enough hosts. :mod:`.community_hosting` puts the whole report together.
"""

from __future__ import annotations

import pandas as pd

from ..config import Config
from ..publish import disclosure
from ..publish.tables import TOTAL


def _is_shown(text: object) -> bool:
    """True for a published number ("0", "1,234"); False for "<5", "[c]", "–" or missing."""
    return isinstance(text, str) and text.replace(",", "").isdigit()


def published_breakdown(
    counts: pd.Series, total_shown: str | None = None, cfg: Config | None = None
) -> pd.Series:
    """Parts of a whole, as published, with the whole appended as "Total".

    The total is protected with the parts (:func:`disclosure.safe_series`). When the same
    total is published elsewhere as ``total_shown`` and hidden there, every non-zero part
    is hidden too, so that the parts cannot give it away.
    """
    m = disclosure.min_cell(cfg)
    counts = counts.astype(int)
    full = pd.concat([counts, pd.Series({TOTAL: int(counts.sum())})])
    full.index.name = counts.index.name
    if total_shown is not None and not _is_shown(total_shown):
        hidden = full.map(
            lambda v: "0" if v == 0 else disclosure.marker(m) if v < m else disclosure.SECONDARY
        )
        return hidden.astype(object).rename(counts.name)
    return disclosure.safe_series(full.rename(counts.name), m, total=TOTAL)


def published_occupancy(
    occ: pd.DataFrame, active_shown: pd.DataFrame, cfg: Config | None = None
) -> pd.DataFrame:
    """:func:`occupancy` as published, occupied places taken from the published table of
    active placements (host types × mantikas with totals) so that both agree.

    Columns: host_type, mantika, capacity, occupied, occupancy; a last "Total" row.
    """
    m = disclosure.min_cell(cfg)

    def cell(row: str, col: str) -> str:
        if row in active_shown.index and col in active_shown.columns:
            return str(active_shown.loc[row, col])
        return "0"

    occupied = [cell(r, c) for r, c in zip(occ["host_type"], occ["mantika"], strict=True)]
    out = pd.DataFrame(
        {
            "host_type": occ["host_type"].to_numpy(),
            "mantika": occ["mantika"].to_numpy(),
            "capacity": occ["capacity"].astype(int).to_numpy(),
            "occupied": occupied,
        }
    )
    total = pd.DataFrame(
        {
            "host_type": [TOTAL],
            "mantika": [""],
            "capacity": [int(occ["capacity"].sum())],
            "occupied": [cell(TOTAL, TOTAL)],
        }
    )
    out = pd.concat([out, total], ignore_index=True)
    out["occupancy"] = [
        disclosure.show_percent(o, c, m)
        for o, c in zip(out["occupied"], out["capacity"], strict=True)
    ]
    return out


def published_stay_summary(stays_summary: pd.DataFrame, totals_shown: pd.Series) -> pd.DataFrame:
    """:func:`summary` as published: placements from the published distribution totals
    (``totals_shown``: "ended"/"ongoing" -> text); days only when that count is shown."""
    out = pd.DataFrame(index=stays_summary.index)
    out["placements"] = [str(totals_shown.get(k, "0")) for k in stays_summary.index]
    for col in ("median", "p25", "p75"):
        values = stays_summary[col]
        out[col + "_days"] = [
            f"{v:,.0f}" if _is_shown(n) and n != "0" and pd.notna(v) else "–"
            for v, n in zip(values, out["placements"], strict=True)
        ]
    return out.reset_index()


def published_payments(table: pd.DataFrame, cfg: Config | None = None) -> pd.DataFrame:
    """:func:`payments_reconciliation` as published: host counts through ``show_count``,
    amounts in whole LYD only for months with enough hosts expected and paid (an amount
    for one or two hosts would disclose what a host is paid), H004 findings protected
    together with their total (last row "Total")."""
    m = disclosure.min_cell(cfg)
    enough = ~(
        disclosure.is_small(table["hosts_expected"], m)
        | disclosure.is_small(table["hosts_paid"], m)
    ).to_numpy()

    def amount(values: pd.Series) -> list[str]:
        whole = values.astype(float).round(0) + 0.0  # no "-0"
        return [f"{v:,.0f}" if ok else "–" for v, ok in zip(whole, enough, strict=True)]

    out = pd.DataFrame(
        {
            "period": table["period"].astype("str"),
            "hosts_expected": [disclosure.show_count(v, m) for v in table["hosts_expected"]],
            "hosts_paid": [disclosure.show_count(v, m) for v in table["hosts_paid"]],
            "expected_lyd": amount(table["expected_lyd"]),
            "paid_lyd": amount(table["paid_lyd"]),
            "difference_lyd": amount(table["difference_lyd"]),
        }
    )
    findings = published_breakdown(
        table.set_index("period")["h004_findings"].rename("h004_findings"), cfg=cfg
    )
    total = pd.DataFrame({"period": [TOTAL]}).reindex(columns=out.columns, fill_value="")
    out = pd.concat([out, total], ignore_index=True)
    out["h004_findings"] = findings.to_numpy()
    return out
