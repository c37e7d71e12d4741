"""The tables behind the community hosting summary, on small hand-made frames.

As-of 2026-11-24. Hosts H1 (family, Tripoli, 2 places), H2 (safe shelter, Tripoli, 10)
and H3 (family, Misrata, 3, no longer marked active); placement P7 is at an unknown host.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from protection_workbench.config import get_config
from protection_workbench.publish.charts import shown_numbers
from protection_workbench.publish.tables import with_totals
from protection_workbench.reports import hosting as H  # noqa: N812
from protection_workbench.reports import hosting_monitoring as HM  # noqa: N812
from protection_workbench.reports import hosting_published as HP  # noqa: N812
from protection_workbench.rules import run_rules

AS_OF = "2026-11-24"
NaT = pd.NaT


def ts(value):
    return pd.Timestamp(value) if value else NaT


@pytest.fixture
def cfg():
    base = get_config()
    thresholds = base.thresholds.model_copy(
        update={
            "visit_interval_days": 14,
            "first_visit_days": 7,
            "major_issue_follow_up_days": 7,
            "payment_tolerance": 0.05,
        }
    )
    return dataclasses.replace(base, thresholds=thresholds)


@pytest.fixture
def hosts() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "host_id": ["H1", "H2", "H3"],
            "host_type": ["family", "safe_shelter", "family"],
            "mantika": ["Tripoli", "Tripoli", "Misrata"],
            "capacity": pd.array([2, 10, 3], dtype="Int64"),
            "monthly_rate_lyd": [300.0, 1000.0, 600.0],
            "active": pd.array([True, True, False], dtype="boolean"),
        }
    )


@pytest.fixture
def placements() -> pd.DataFrame:
    rows = [
        ("P1", "I1", "H1", "2026-11-01", None, None),  # active
        ("P2", "I2", "H1", "2026-11-10", "2026-11-24", "self_exit"),  # exit day = as-of
        ("P3", "I3", "H2", "2026-10-01", "2026-11-25", "relocated"),  # ends after as-of
        ("P4", "I4", "H2", "2026-11-25", None, None),  # starts after as-of
        ("P5", "I5", "H3", "2026-09-01", None, None),  # active at an inactive host
        ("P6", "I6", "H2", "2026-06-01", "2026-10-31", "vhr_departure"),
        ("P7", "I7", "H9", "2026-11-20", None, None),  # unknown host
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "placement_id",
            "individual_id",
            "host_id",
            "start_date",
            "end_date",
            "exit_reason",
        ],
    )
    frame["start_date"] = frame["start_date"].map(ts).astype("datetime64[ns]")
    frame["end_date"] = frame["end_date"].map(ts).astype("datetime64[ns]")
    return frame


@pytest.fixture
def visits() -> pd.DataFrame:
    rows = [
        ("V1", "P1", "2026-11-03", "routine", "compliant", None),
        ("V2", "P3", "2026-10-05", "routine", "compliant", None),
        ("V3", "P3", "2026-11-15", "routine", "major_issue", False),  # followed up in 5 days
        ("V4", "P3", "2026-11-20", "follow_up", "compliant", None),
        ("V5", "P5", "2026-09-03", "routine", "compliant", None),
        ("V6", "P5", "2026-11-12", "routine", "compliant", None),
        ("V7", "P1", "2026-11-30", "routine", "compliant", None),  # after as-of
        ("V8", "P5", "2026-11-01", "routine", "major_issue", False),  # followed up after 9 days
        ("V9", "P5", "2026-11-10", "follow_up", "minor_issue", None),
        ("V10", "P3", "2026-11-22", "spot", "major_issue", False),  # 7 days not yet passed
        ("V11", "P1", "2026-11-05", "spot", "major_issue", True),  # marked followed up
        ("V12", "P6", "2026-10-29", "routine", "major_issue", False),  # never followed up
    ]
    frame = pd.DataFrame(
        rows,
        columns=[
            "visit_id",
            "placement_id",
            "visit_date",
            "visit_type",
            "compliance",
            "issue_followed_up",
        ],
    )
    frame["visit_date"] = pd.to_datetime(frame["visit_date"])
    frame["issue_followed_up"] = frame["issue_followed_up"].astype("boolean")
    frame["notes"] = "private note"
    return frame


@pytest.fixture
def payments() -> pd.DataFrame:
    rows = [
        ("PAY1", "H2", "2026-09", 1000.0),
        ("PAY2", "H3", "2026-09", 600.0),
        ("PAY3", "H2", "2026-10", 1967.74),
        ("PAY4", "H3", "2026-10", 700.0),  # 16.7 % above the expected 600
        ("PAY5", "H1", "2026-10", 300.0),  # nobody hosted at H1 in October
        ("PAY6", "H1", "2026-08", 300.0),  # outside the months asked for
    ]
    frame = pd.DataFrame(rows, columns=["payment_id", "host_id", "period", "amount_lyd"])
    frame["paid_date"] = pd.Timestamp("2026-11-05")
    return frame


def test_active_on_excludes_exit_day_and_future_starts(placements):
    mask = H.active_on(placements, AS_OF)
    assert mask.tolist() == [True, False, True, False, True, False, True]


def test_active_placements_by_host_type_and_mantika(hosts, placements):
    table = H.active_placements(hosts, placements, AS_OF)
    assert table.loc["family", "Tripoli"] == 1
    assert table.loc["family", "Misrata"] == 1
    assert table.loc["safe_shelter", "Tripoli"] == 1
    assert table.loc["safe_shelter", "Misrata"] == 0
    assert table.loc[H.MISSING, H.MISSING] == 1
    assert int(table.to_numpy().sum()) == 4


def test_occupancy_against_capacity_of_active_hosts(hosts, placements):
    occ = H.occupancy(hosts, placements, AS_OF).set_index(["host_type", "mantika"])
    assert occ.loc[("family", "Tripoli"), ["hosts", "capacity", "occupied"]].tolist() == [1, 2, 1]
    assert occ.loc[("family", "Tripoli"), "occupancy_pct"] == 50.0
    assert occ.loc[("safe_shelter", "Tripoli"), ["capacity", "occupied"]].tolist() == [10, 1]
    assert occ.loc[("safe_shelter", "Tripoli"), "occupancy_pct"] == 10.0
    # H3 is not marked active: no capacity, but its guest still occupies a place
    assert occ.loc[("family", "Misrata"), ["hosts", "capacity", "occupied"]].tolist() == [0, 0, 1]
    assert np.isnan(occ.loc[("family", "Misrata"), "occupancy_pct"])
    assert occ.loc[(H.MISSING, H.MISSING), "occupied"] == 1
    assert occ["occupied"].sum() == 4


def test_daily_occupied_matches_active_on_every_day(placements):
    daily = H.daily_occupied(placements, "2026-05-25", "2026-12-05")
    expected = [int(H.active_on(placements, d).sum()) for d in daily.index]
    assert daily.tolist() == expected
    assert daily["2026-10-30":"2026-11-02"].tolist() == [3, 2, 3, 3]


def test_daily_occupied_ignores_placements_ending_before_they_start(placements):
    bad = placements.iloc[[0]].assign(start_date=pd.Timestamp("2026-11-10"))
    bad["end_date"] = pd.Timestamp("2026-11-05")
    assert H.daily_occupied(bad, "2026-11-01", "2026-11-12").sum() == 0


def test_occupancy_over_time_by_week(hosts, placements):
    weeks = H.occupancy_over_time(hosts, placements, "2026-11-16", "2026-11-25")
    assert weeks["period_end"].dt.strftime("%Y-%m-%d").tolist() == ["2026-11-22", "2026-11-25"]
    assert weeks["occupied"].tolist() == [5, 4]
    assert weeks["mean_occupied"].tolist() == [4.4, 4.3]  # 31/7 and 13/3
    assert weeks["capacity"].tolist() == [12, 12]


def test_movements_in_the_period(placements):
    moved = H.movements(
        placements, "2026-10-28", AS_OF, reasons=("vhr_departure", "self_exit", "other")
    )
    assert (moved.new, moved.exits) == (3, 2)
    assert moved.by_reason.set_index("exit_reason")["exits"].to_dict() == {
        "vhr_departure": 1,
        "self_exit": 1,
        "other": 0,
    }


def test_movements_count_exits_without_reason_as_missing(placements):
    pl = placements.assign(exit_reason=None)
    moved = H.movements(pl, "2026-10-28", AS_OF)
    assert moved.by_reason.set_index("exit_reason")["exits"].to_dict() == {H.MISSING: 2}


def test_length_of_stay_ended_and_ongoing(placements):
    stays = H.length_of_stay(placements, AS_OF)
    by_id = stays.join(placements["placement_id"]).set_index("placement_id")
    assert by_id["days"].to_dict() == {"P1": 23, "P2": 14, "P3": 54, "P5": 84, "P6": 152, "P7": 4}
    assert by_id["ongoing"].to_dict() == {
        "P1": True,
        "P2": False,
        "P3": True,
        "P5": True,
        "P6": False,
        "P7": True,
    }


def test_length_of_stay_summary(placements):
    table = H.summary(H.length_of_stay(placements, AS_OF))
    assert table.loc["ended"].tolist() == [2, 83.0, 48.5, 117.5]
    assert table.loc["ongoing"].tolist() == [4, 38.5, 18.25, 61.5]


def test_stay_distribution_bands(placements):
    table = H.stay_distribution(H.length_of_stay(placements, AS_OF))
    assert list(table.index) == list(H.STAY_LABELS)
    assert table["ended"].to_dict() == {
        label: int(label in ("2 weeks – 1 month", "3–6 months")) for label in H.STAY_LABELS
    }
    assert table.loc[
        ["under 1 week", "2 weeks – 1 month", "1–2 months", "2–3 months"], "ongoing"
    ].tolist() == [1, 1, 1, 1]
    assert table["ongoing"].sum() == 4


def test_visits_status_by_mantika(hosts, placements, visits, cfg):
    status = HM.visits_status(placements, visits, AS_OF, cfg, hosts=hosts, by="mantika")
    got = status.set_index("mantika")[["active", "visited", "due", "overdue"]]
    assert got.loc["Misrata"].tolist() == [1, 1, 1, 0]  # P5: visited 12 Nov, due 26 Nov
    assert got.loc["Tripoli"].tolist() == [2, 1, 0, 1]  # P1 overdue, P3 visited 22 Nov
    assert got.loc[H.MISSING].tolist() == [1, 0, 1, 0]  # P7: first visit due 27 Nov


def test_visits_status_overall_and_overdue_is_h001(hosts, placements, visits, cfg):
    status = HM.visits_status(placements, visits, AS_OF, cfg)
    assert status[["active", "visited", "due", "overdue"]].iloc[0].tolist() == [4, 2, 2, 1]
    frames = {"hosts": hosts, "placements": placements, "visits": visits}
    h001 = set(run_rules(frames, AS_OF, cfg, codes=["H001"])["record_id"])
    active = placements.loc[H.active_on(placements, AS_OF), "placement_id"]
    assert int(active.isin(h001).sum()) == status["overdue"].sum()


def test_overdue_placements_are_the_h001_findings_of_active_placements(
    hosts, placements, visits, cfg
):
    """One definition of "overdue": per placement, the report's flag is H001's finding."""
    no_first_visit = pd.DataFrame(
        {
            "placement_id": ["P8"],
            "individual_id": ["I8"],
            "host_id": ["H2"],
            "start_date": pd.to_datetime(["2026-11-10"]),
            "end_date": pd.to_datetime([None]),
            "exit_reason": [None],
        }
    )
    pl = pd.concat([placements, no_first_visit], ignore_index=True)
    flags = HM.visit_flags(pl, visits, AS_OF, cfg)
    flagged = set(pl.loc[flags.index[flags["overdue"]], "placement_id"])
    frames = {"hosts": hosts, "placements": pl, "visits": visits}
    h001 = set(run_rules(frames, AS_OF, cfg, codes=["H001"])["record_id"])
    active = set(pl.loc[H.active_on(pl, AS_OF), "placement_id"])
    assert flagged == h001 & active == {"P1", "P8"}
    assert set(pl.loc[flags.index, "placement_id"]) == active


def test_compliance_followup(placements, visits, cfg):
    result = HM.compliance_followup(visits, placements, AS_OF, cfg, period_start="2026-10-28")
    table = result.by_compliance
    assert list(table.columns) == ["compliant", "minor_issue", "major_issue"]
    assert table.loc["routine"].tolist() == [2, 0, 3]
    assert table.loc["follow_up"].tolist() == [1, 1, 0]
    assert table.loc["spot"].tolist() == [0, 0, 2]
    assert result.follow_up.set_index("state")["major_issues"].to_dict() == {
        "followed up in time": 2,
        "not yet due": 1,
        "followed up late": 1,
        "open": 1,
    }
    assert result.placements_visited == 4
    h005 = run_rules({"visits": visits}, AS_OF, cfg, codes=["H005"])
    assert result.not_followed_up == len(h005) == 2


def test_last_full_months():
    assert HM.last_full_months("2026-01-15", 3) == ["2025-10", "2025-11", "2025-12"]


def run_findings(hosts, placements, visits, payments, cfg):
    """The run's findings on the fixture frames (the notebook passes run_check's)."""
    frames = {"hosts": hosts, "placements": placements, "visits": visits, "payments": payments}
    return run_rules(frames, AS_OF, cfg)


def test_payments_reconciliation(hosts, placements, visits, payments, cfg):
    findings = run_findings(hosts, placements, visits, payments, cfg)
    table = HM.payments_reconciliation(hosts, placements, payments, findings, AS_OF, months=2)
    table = table.set_index("period")
    assert list(table.index) == ["2026-09", "2026-10"]
    sep, oct_ = table.loc["2026-09"], table.loc["2026-10"]
    assert sep[["hosts_expected", "hosts_paid", "h004_findings"]].tolist() == [2, 2, 0]
    assert sep[["expected_lyd", "paid_lyd", "difference_lyd"]].tolist() == [1600.0, 1600.0, 0.0]
    # October: H2 hosts P6 30 of 31 days and P3 all month, H3 hosts P5
    assert oct_["expected_lyd"] == pytest.approx(2567.74)
    assert oct_["paid_lyd"] == pytest.approx(2967.74)
    assert oct_["difference_lyd"] == pytest.approx(400.0)
    assert oct_[["hosts_expected", "hosts_paid", "h004_findings"]].tolist() == [2, 3, 2]


def test_alerts_count_rules_with_zeros():
    findings = pd.DataFrame({"rule": ["H002", "H002", "C001"], "record_id": ["a", "b", "c"]})
    assert HM.alerts(findings).set_index("rule")["records"].to_dict() == {"H002": 2, "H003": 0}


def test_no_function_returns_ids_or_notes(hosts, placements, visits, payments, cfg):
    shown = [
        H.active_placements(hosts, placements, AS_OF),
        H.occupancy(hosts, placements, AS_OF),
        HM.visits_status(placements, visits, AS_OF, cfg, hosts=hosts, by=["host_type", "mantika"]),
        HM.compliance_followup(visits, placements, AS_OF, cfg).by_compliance,
        HM.payments_reconciliation(
            hosts,
            placements,
            payments,
            run_findings(hosts, placements, visits, payments, cfg),
            AS_OF,
        ),
    ]
    text = " ".join(t.reset_index().to_string() for t in shown)
    for value in ["P1", "H1", "I1", "V1", "PAY", "private note"]:
        assert value not in text


def test_with_totals():
    table = pd.DataFrame({"a": [1, 3], "b": [2, 4]}, index=["x", "y"])
    out = with_totals(table)
    assert out["Total"].tolist() == [3, 7, 10]
    assert out.loc["Total"].tolist() == [4, 6, 10]


def test_shown_numbers_hide_suppressed_cells():
    values = shown_numbers(pd.Series(["1,234", "<5", "0", "–"]))
    assert values.iloc[0] == 1234.0 and values.iloc[2] == 0.0
    assert values.iloc[[1, 3]].isna().all()


def test_published_breakdown_protects_the_total(cfg):
    counts = pd.Series({"a": 2, "b": 10, "c": 0}, name="n")
    shown = HP.published_breakdown(counts, cfg=cfg)
    assert shown.to_dict() == {"a": "<5", "b": "[c]", "c": "0", "Total": "12"}


def test_published_breakdown_hides_parts_of_a_total_hidden_elsewhere(cfg):
    counts = pd.Series({"a": 6, "b": 10, "c": 0}, name="n")
    assert HP.published_breakdown(counts, "16", cfg=cfg).to_dict() == {
        "a": "6",
        "b": "10",
        "c": "0",
        "Total": "16",
    }
    assert HP.published_breakdown(counts, "[c]", cfg=cfg).to_dict() == {
        "a": "[c]",
        "b": "[c]",
        "c": "0",
        "Total": "[c]",
    }
    small = pd.Series({"a": 1, "b": 2}, name="n")
    assert HP.published_breakdown(small, "<5", cfg=cfg).to_dict() == {
        "a": "<5",
        "b": "<5",
        "Total": "<5",
    }


def test_published_occupancy_takes_occupied_from_the_published_table(cfg):
    occ = pd.DataFrame(
        {
            "host_type": ["family", "family", "safe_shelter"],
            "mantika": ["Tripoli", "Sebha", "Sebha"],
            "hosts": [10, 2, 1],
            "capacity": [40, 8, 10],
            "occupied": [30, 3, 0],
            "occupancy_pct": [75.0, 37.5, 0.0],
        }
    )
    shown = pd.DataFrame(
        {"Sebha": ["<5", "<5"], "Tripoli": ["30", "30"], "Total": ["33", "33"]},
        index=["family", "Total"],
    )
    out = HP.published_occupancy(occ, shown, cfg)
    assert out["occupied"].tolist() == ["30", "<5", "0", "33"]
    assert out["occupancy"].tolist() == ["75 %", "–", "0 %", "57 %"]  # 33 of 58
    assert out["capacity"].tolist() == [40, 8, 10, 58]
    assert out["host_type"].iloc[-1] == "Total"


def test_published_stay_summary_hides_days_of_small_groups(placements):
    table = H.summary(H.length_of_stay(placements, AS_OF))
    out = HP.published_stay_summary(table, pd.Series({"ended": "<5", "ongoing": "12"}))
    out = out.set_index("stay")
    assert out.loc["ended"].tolist() == ["<5", "–", "–", "–"]
    assert out.loc["ongoing"].tolist() == ["12", "38", "18", "62"]  # 38.5, 18.25, 61.5


def test_published_payments(cfg):
    table = pd.DataFrame(
        {
            "period": ["2026-09", "2026-10"],
            "hosts_expected": [10, 3],
            "hosts_paid": [10, 3],
            "expected_lyd": [12345.6, 900.0],
            "paid_lyd": [12000.0, 950.0],
            "difference_lyd": [-345.6, -0.004],
            "h004_findings": [0, 6],
        }
    )
    out = HP.published_payments(table, cfg).set_index("period")
    assert out.loc["2026-09"].tolist() == ["10", "10", "12,346", "12,000", "-346", "0"]
    assert out.loc["2026-10"].tolist() == ["<5", "<5", "–", "–", "–", "6"]
    table["hosts_expected"] = table["hosts_paid"] = 10
    assert HP.published_payments(table, cfg)["difference_lyd"].tolist()[:2] == ["-346", "0"]
    assert out.loc["Total", "h004_findings"] == "6"


# --------------------------------------------------------------- labels known to config/

FREE_TEXT = "Home of Amina Yusuf +218 91 234 5678"


def test_unknown_host_types_and_mantikas_are_grouped_not_shown(hosts, placements, visits):
    from protection_workbench.publish.labels import OTHER

    odd = hosts.copy()
    odd.loc[0, "mantika"] = FREE_TEXT  # H1: two placements, one active
    odd.loc[1, "host_type"] = "<img src=x onerror=alert(1)>"
    table = H.active_placements(odd, placements, AS_OF)
    labels = {*table.index, *table.columns}
    assert FREE_TEXT not in labels and "<img src=x onerror=alert(1)>" not in labels
    assert OTHER in table.index and OTHER in table.columns
    occ = H.occupancy(odd, placements, AS_OF)
    assert set(occ["mantika"]) <= {OTHER, "Tripoli", "Misrata", H.MISSING}
    status = HM.visits_status(placements, visits, AS_OF, hosts=odd, by=["host_type", "mantika"])
    assert FREE_TEXT not in set(status["mantika"])
    assert int(table.to_numpy().sum()) == int(
        H.active_placements(hosts, placements, AS_OF).to_numpy().sum()
    )  # grouped, not dropped


def test_unknown_exit_reasons_are_one_group_before_missing(placements):
    from protection_workbench.publish.labels import OTHER

    pl = placements.copy()
    pl.loc[pl["placement_id"] == "P2", "exit_reason"] = FREE_TEXT
    pl.loc[pl["placement_id"] == "P6", "exit_reason"] = None
    reasons = get_config().codes("exit_reason")
    moved = H.movements(pl, "2026-10-28", AS_OF, reasons=reasons)
    shown = moved.by_reason.set_index("exit_reason")["exits"]
    assert FREE_TEXT not in shown.index
    assert list(shown.index) == [*reasons, OTHER, H.MISSING]
    assert shown[OTHER] == 1 and shown[H.MISSING] == 1


def test_unknown_visit_types_and_compliance_are_grouped(placements, visits, cfg):
    from protection_workbench.publish.labels import OTHER

    odd = visits.copy()
    odd["visit_type"] = odd["visit_type"].astype(object)
    odd["compliance"] = odd["compliance"].astype(object)
    odd.iloc[0, odd.columns.get_loc("visit_type")] = FREE_TEXT
    odd.iloc[1, odd.columns.get_loc("compliance")] = FREE_TEXT
    table = HM.compliance_followup(odd, placements, AS_OF, cfg).by_compliance
    assert FREE_TEXT not in {*table.index, *table.columns}
    assert OTHER in {*table.index, *table.columns}


def test_hosting_report_computes_and_publishes_every_table(
    hosts, placements, visits, payments, cfg, tmp_path
):
    from protection_workbench.publish.hxl import read_hxl_csv
    from protection_workbench.reports.community_hosting import TABLE_TAGS, hosting_report
    from protection_workbench.rules import catalogue

    frames = {"hosts": hosts, "placements": placements, "visits": visits, "payments": payments}
    findings = run_findings(hosts, placements, visits, payments, cfg)
    report = hosting_report(frames, findings, AS_OF, 28, catalogue(), cfg)
    # every active placement count is tiny: "<5" on each would give the total away, so the
    # cells are "[c]", which a sentence reads "not shown"
    assert "Active placements on 24 November 2026: **not shown**" in report.headline()
    assert "[c]" not in report.headline() and "<5" not in report.headline()
    assert report.visits.loc["Total", "overdue"] == "<5"  # P1 (H001)
    assert report.payments.set_index("period").loc["Total", "h004_findings"] == "<5"
    written = report.write_tables(tmp_path)
    tables = [p.name for p in written if not p.stem.endswith("_totals")]  # totals: own files
    assert sorted(tables) == sorted(f"community_hosting_{name}.csv" for name in TABLE_TAGS)
    alerts, tags = read_hxl_csv(tmp_path / "community_hosting_alerts.csv")
    # headers in words, the HXL row unchanged
    assert tags["Rule"] == "#indicator+code" and alerts["Rule"].tolist() == ["H002", "H003"]
    payments_csv, tags = read_hxl_csv(tmp_path / "community_hosting_payments.csv")
    assert tags["Expected, not yet paid (LYD)"] == "#value+budget"
    with pytest.raises(FileNotFoundError, match="payments"):
        hosting_report({k: v for k, v in frames.items() if k != "payments"}, findings, AS_OF)


def test_hosting_report_speaks_plain_english_and_names_what_to_act_on(
    hosts, placements, visits, payments, cfg
):
    from protection_workbench.reports.community_hosting import hosting_report
    from protection_workbench.rules import catalogue

    frames = {"hosts": hosts, "placements": placements, "visits": visits, "payments": payments}
    findings = run_findings(hosts, placements, visits, payments, cfg)
    report = hosting_report(frames, findings, AS_OF, 28, catalogue(), cfg)
    # codes read as labels, before counting (so the published tables carry them too)
    assert set(report.active.index) <= {"Host family", "Safe shelter", "(missing)", "Total"}
    assert "Host family" in report.active.index
    assert "Major issue" in report.compliance.columns
    assert "Routine visit" in report.compliance.index
    assert "Returned home (VHR)" in report.exits.index
    # the mantika with an overdue visit (P1, H001) is named, its small count is not given
    h001 = findings[findings["rule"] == "H001"]
    assert len(h001) and report.overdue_mantikas == ["Tripoli"]
    assert "fewer than 5**, in Tripoli" in report.headline()
    # H004: the month of the payments out of line is named
    h004 = findings.loc[findings["rule"] == "H004", "record_id"].astype(str)
    period = payments.set_index(payments["payment_id"].astype(str))["period"].astype(str)
    months = sorted(set(period[period.index.isin(h004)]) & set(HM.last_full_months(AS_OF)))
    assert report.payment_months == months and "2026-10" in months
    assert "October 2026" in report.headline()
    # past weeks get no capacity line (today's capacity is not theirs)
    trend = report.occupancy_trend
    assert trend["Capacity today"].iloc[:-1].isna().all()
    assert trend["Capacity today"].iloc[-1] == 12
    shown = report.display(report.payments)
    assert "Payments out of line" in shown.columns and "h004_findings" not in shown.columns
    assert report.alerts_shown["Rule"].tolist() == [
        "H002 Host over capacity",
        "H003 Overlapping placements of one person",
    ]


# --------------------------------------------------------------------------- issue 22


@pytest.fixture(scope="module")
def monday_run(tmp_path_factory):
    """Generated exports and their checks on a Monday, 7 December: November's host
    payments are still being made (hosts are paid in the first days of the next month)."""
    from datetime import date

    from protection_workbench.run.check import run_check
    from protection_workbench.synth.generate import generate_demo_exports

    data = tmp_path_factory.mktemp("hosting-monday") / "demo"
    generate_demo_exports(data, 6000, 7, date(2026, 12, 7), 0.01)
    return run_check(data, date(2026, 12, 7), gate=False)


def test_the_payments_difference_is_explained_by_hosts_not_yet_paid(monday_run):
    """Issue 22: "Difference −46,440" beside "out of line 0" is explained: the amount
    expected for the hosts with no payment yet for the month, plus the difference on the
    payments made; both add up to the difference, and the page says it in words."""
    from protection_workbench.reports.community_hosting import hosting_report
    from protection_workbench.rules import catalogue
    from protection_workbench.rules.hosting import expected_amounts

    frames, day = monday_run.export.frames, pd.Timestamp("2026-12-07")
    report = hosting_report(frames, monday_run.findings, day, catalogue=catalogue())
    table = report.payments.set_index("period")
    november = table.loc["2026-11"]
    number = lambda text: float(text.replace(",", ""))  # noqa: E731
    # the truth: hosts expected for November with no November payment in the exports
    exp = expected_amounts(frames["placements"], frames["hosts"], day)
    exp = exp[(exp["period"] == "2026-11") & (exp["expected"] > 0)]
    paid = set(frames["payments"].loc[frames["payments"]["period"] == "2026-11", "host_id"])
    owed = exp[~exp["host_id"].isin(paid)]
    assert len(owed) >= 5, "the demo pays November in the first days of December"
    assert november["hosts_not_yet_paid"] == f"{len(owed):,}"
    assert number(november["not_yet_paid_lyd"]) == pytest.approx(owed["expected"].sum(), abs=1)
    assert number(november["difference_lyd"]) < 0
    assert number(november["difference_lyd"]) == pytest.approx(
        number(november["payments_difference_lyd"]) - number(november["not_yet_paid_lyd"]),
        abs=1,
    )
    for month, row in table.drop(index=["2026-11", "Total"]).iterrows():  # paid in full
        assert row["hosts_not_yet_paid"] == "0", month
    sentence = report.difference_sentence()
    assert f"November 2026: difference {november['difference_lyd']} LYD" in sentence
    assert f"{november['not_yet_paid_lyd']} LYD not yet paid to {len(owed):,} hosts" in sentence
    shown = report.display(report.payments)
    assert "Expected, not yet paid (LYD)" in shown.columns
    assert list(shown.columns)[-1] == "Payments out of line"
