"""The tables behind the checking notebooks (case integrity, manifest review, referrals
follow-up, data quality), on small hand-made frames."""

from __future__ import annotations

import pandas as pd
import pytest

from protection_workbench.publish import tables as T  # noqa: N812
from protection_workbench.publish.disclosure import SECONDARY, suppress_table
from protection_workbench.publish.pseudonyms import pseudonymise
from protection_workbench.reports import case_integrity as CI  # noqa: N812
from protection_workbench.reports import common as C  # noqa: N812
from protection_workbench.reports import data_quality as Q  # noqa: N812
from protection_workbench.reports import manifest_review as M  # noqa: N812
from protection_workbench.reports import referrals as R  # noqa: N812
from protection_workbench.rules import catalogue

KEY = b"k" * 32
AS_OF = "2026-11-24"


def findings_frame(rows: list[tuple]) -> pd.DataFrame:
    return pd.DataFrame(
        rows, columns=["dataset", "record_id", "case_id", "rule", "severity", "message"]
    )


@pytest.fixture
def findings() -> pd.DataFrame:
    return findings_frame(
        [
            ("cases", "IND-1", "C-1", "C001", "error", "required: location"),
            ("cases", "IND-1", "C-1", "C015", "warning", "stalled"),
            ("cases", "IND-2", "C-1", "C015", "warning", "stalled"),
            ("cases", "IND-3", "C-2", "C015", "warning", "stalled"),
            ("cases", "IND-9", None, "C001", "error", "required: location"),
            ("referrals", "REF-1", None, "R002", "error", "individual_id IND-00000042 unknown"),
            ("manifest", "IND-1", "C-1", "M004", "error", "fit-to-travel 'pending'"),
        ]
    )


@pytest.fixture
def cases() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "individual_id": ["IND-1", "IND-2", "IND-3", "IND-4"],
            "case_id": ["C-1", "C-1", "C-2", "C-3"],
            "location": ["Tripoli", "Tripoli", "Sebha DC", None],
            "mantika": pd.Categorical(["Tripoli", "Tripoli", "Sebha", "Sebha"]),
            "registration_date": pd.to_datetime(
                ["2026-11-16", "2026-11-22", "2026-11-23", "2026-01-01"]
            ),
        }
    )


def test_counts_by_rule_sorted_by_severity_then_count(findings):
    out = CI.counts_by_rule(findings, catalogue())
    assert out.columns.tolist() == ["rule", "severity", "title", "records"]
    assert out[["rule", "records"]].values.tolist() == [
        ["C001", 2],
        ["M004", 1],
        ["R002", 1],
        ["C015", 3],
    ]
    assert out.loc[0, "title"] == "Required field missing at the case's stage"
    assert out["records"].dtype.kind == "i"


def test_counts_by_rule_of_no_findings_is_empty():
    out = CI.counts_by_rule(findings_frame([]), catalogue())
    assert out.empty and out.columns.tolist() == ["rule", "severity", "title", "records"]


def test_counts_by_severity(findings):
    out = CI.counts_by_severity(findings)
    assert out.set_index("dataset").to_dict("index") == {
        "cases": {"error": 2, "warning": 3, "total": 5},
        "manifest": {"error": 1, "warning": 0, "total": 1},
        "referrals": {"error": 1, "warning": 0, "total": 1},
    }


def test_counts_by_location_counts_case_findings_only(findings, cases):
    out = CI.counts_by(findings, cases, "location")
    assert out.values.tolist() == [
        ["Tripoli", 1, 2, 3, 2],
        ["(missing)", 1, 0, 1, 1],  # IND-9 is not in cases
        ["Sebha DC", 0, 1, 1, 1],
    ]
    assert out.columns.tolist() == ["location", "errors", "warnings", "findings", "records"]


def test_counts_by_mantika(findings, cases):
    out = CI.counts_by(findings, cases, "mantika").set_index("mantika")
    assert out["findings"].to_dict() == {"Tripoli": 3, "(missing)": 1, "Sebha": 1}


def test_counts_by_registration_week_in_time_order(findings, cases):
    out = CI.counts_by(findings, cases, "registration_week")
    assert out[["registration_week", "findings"]].values.tolist() == [
        ["2026-W47", 3],  # IND-1 (2) and IND-2 registered on Mon 16 and Sun 22 November
        ["2026-W48", 1],
        ["(missing)", 1],
    ]


def test_counts_by_rejects_unknown_grouping(findings, cases):
    with pytest.raises(ValueError, match="by must be one of"):
        CI.counts_by(findings, cases, "nationality")


def test_iso_week_crosses_the_year():
    weeks = CI.iso_week(pd.Series(pd.to_datetime(["2026-01-01", "2027-01-04", None])))
    assert weeks.iloc[:2].tolist() == ["2026-W01", "2027-W01"]
    assert pd.isna(weeks.iloc[2])


def test_compare_runs_marks_new_fixed_and_still_open(findings):
    previous = pd.concat(
        [
            findings.iloc[1:],  # IND-1 C001 is new this run
            findings_frame([("cases", "IND-7", "C-5", "C004", "error", "dates")]),  # fixed
        ],
        ignore_index=True,
    )
    out = CI.compare_runs(findings, previous)
    assert out.columns.tolist()[-1] == "change"
    assert len(out) == len(findings) + 1
    changes = out.set_index(["record_id", "rule"])["change"].astype(str)
    assert changes[("IND-1", "C001")] == "new"
    assert changes[("IND-7", "C004")] == "fixed"
    assert changes[("IND-1", "C015")] == "still open"
    assert CI.change_summary(out).values.tolist() == [["new", 1], ["fixed", 1], ["still open", 6]]
    by_rule = CI.change_summary(out, by="rule").set_index("rule")
    assert by_rule.loc["C001"].tolist() == [1, 0, 1]
    assert by_rule.loc["C004"].tolist() == [0, 1, 0]


def test_compare_runs_with_a_previous_file_read_as_text(findings, tmp_path):
    """read_findings gives text columns with <NA>; keys still match."""
    path = tmp_path / "findings.csv"
    findings.to_csv(path, index=False)
    previous = pd.read_csv(path, dtype="str", keep_default_na=False).replace("", pd.NA)
    summary = CI.change_summary(CI.compare_runs(findings, previous))
    assert summary["records"].tolist() == [0, 0, len(findings)]


def test_change_summary_keeps_zero_rows():
    empty = CI.compare_runs(findings_frame([]), findings_frame([]))
    assert CI.change_summary(empty)["records"].tolist() == [0, 0, 0]


@pytest.fixture
def manifest() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "manifest_id": ["MNF-A", "MNF-A", "MNF-A", "MNF-A", "MNF-B", "MNF-C"],
            "flight_date": pd.to_datetime(
                ["2026-11-26", "2026-11-26", "2026-11-26", "2026-11-26", "2026-11-25", "2026-11-20"]
            ),
            "flight_type": ["charter"] * 4 + ["commercial", "charter"],
            "destination_country": ["NGA"] * 4 + ["GHA", "MLI"],
            "individual_id": ["IND-1", "IND-2", "IND-3", "IND-4", "IND-1", "IND-5"],
        }
    )


def test_manifest_decisions(manifest):
    found = findings_frame(
        [
            ("manifest", "IND-1", "C-1", "M004", "error", "fit-to-travel 'pending'"),
            ("manifest", "IND-1", "C-1", "M006", "warning", "1 member(s) not on manifest"),
            ("manifest", "IND-2", "C-1", "M006", "warning", "1 member(s) not on manifest"),
            ("manifest", "IND-5", "C-4", "M003", "error", "case status 'on_hold'"),
            ("cases", "IND-3", "C-2", "C015", "warning", "stalled"),  # not a manifest finding
        ]
    )
    out = M.manifest_decisions(found, manifest, "MNF-A")
    assert out.columns.tolist() == ["record_id", "decision", "errors", "warnings", "reasons"]
    assert out[["record_id", "decision", "errors", "warnings"]].values.tolist() == [
        ["IND-1", "NO-GO", 1, 1],
        ["IND-2", "GO with warnings", 0, 1],
        ["IND-3", "GO", 0, 0],
        ["IND-4", "GO", 0, 0],
    ]
    assert out.loc[0, "reasons"] == (
        "M004 fit-to-travel 'pending'; M006 1 member(s) not on manifest"
    )
    assert out.loc[2, "reasons"] == ""
    assert M.decision_summary(out).values.tolist() == [
        ["NO-GO", 1],
        ["GO with warnings", 1],
        ["GO", 2],
    ]
    ops = M.operations_list(out)
    assert ops.columns.tolist() == ["record_id", "to fix"]
    assert ops["record_id"].tolist() == ["IND-1"]


def test_manifest_decisions_hide_birth_dates(manifest):
    found = findings_frame(
        [("manifest", "IND-5", None, "M002", "error", "date_of_birth 1990-01-02 differs")]
    )
    out = M.manifest_decisions(found, manifest, "MNF-C")
    assert out.loc[0, "reasons"] == "M002 date_of_birth (hidden) differs"


def test_manifests_and_pick_manifest(manifest):
    table = M.manifests(manifest)
    assert table["manifest_id"].tolist() == ["MNF-C", "MNF-B", "MNF-A"]
    assert table.set_index("manifest_id")["passengers"].to_dict() == {
        "MNF-C": 1,
        "MNF-B": 1,
        "MNF-A": 4,
    }
    # the next charter after the as-of date, before the commercial booking that leaves first
    assert M.pick_manifest(manifest, AS_OF) == "MNF-A"
    commercial_only = manifest[manifest["manifest_id"] != "MNF-A"]
    assert M.pick_manifest(commercial_only, AS_OF) == "MNF-B"  # no charter: the first flight
    assert M.pick_manifest(manifest, "2026-12-31") == "MNF-A"  # none upcoming: the latest
    assert M.pick_manifest(manifest, AS_OF, "MNF-C") == "MNF-C"
    assert M.pick_manifest(manifest.iloc[:0], AS_OF) is None
    with pytest.raises(ValueError, match="MNF-X"):
        M.pick_manifest(manifest, AS_OF, "MNF-X")


def test_referral_followups():
    referrals = pd.DataFrame(
        {
            "referral_id": ["R1", "R2", "R3", "R4", "R5"],
            "individual_id": ["IND-1", "IND-2", "IND-3", "IND-4", "IND-5"],
            "service": pd.Categorical(["medical", "medical", "legal", "medical", "legal"]),
            "referred_to": ["IRC", "IRC", "UNHCR", "UNHCR", "UNHCR"],
            "referral_date": pd.to_datetime(["2026-10-01"] * 5),
            "follow_up_due": pd.to_datetime(
                ["2026-11-14", "2026-11-20", "2026-11-30", "2026-11-04", "2026-11-24"]
            ),
            "follow_up_date": pd.to_datetime([None, None, None, "2026-11-05", None]),
        }
    )
    out = R.referral_followups(referrals, AS_OF)
    assert out.open["referral_id"].tolist() == ["R1", "R2", "R3", "R5"]
    days = out.open.set_index("referral_id")["days_overdue"]
    assert days["R1"] == 10 and days["R2"] == 4
    assert pd.isna(days["R3"]) and pd.isna(days["R5"])  # due today is not overdue (R001)
    assert out.overdue["referral_id"].tolist() == ["R1", "R2"]
    assert out.by_service.iloc[:, :3].values.tolist() == [["medical", 2, 2], ["legal", 2, 0]]
    assert out.by_service.loc[0, "median_days_overdue"] == 7
    assert pd.isna(out.by_service.loc[1, "median_days_overdue"])
    assert out.by_partner.iloc[:, :3].values.tolist() == [["IRC", 2, 2], ["UNHCR", 2, 0]]


def test_overdue_referrals_are_the_r001_findings():
    """One definition of "overdue": the report's overdue referrals are R001's findings."""
    from protection_workbench.rules import run_rules

    referrals = pd.DataFrame(
        {
            "referral_id": ["R1", "R2", "R3", "R4", "R5", "R6"],
            "individual_id": ["IND-1", "IND-2", "IND-3", "IND-4", "IND-5", "IND-6"],
            "service": ["medical", "medical", "legal", "medical", "legal", "legal"],
            "referred_to": ["IRC", "IRC", "UNHCR", "UNHCR", "UNHCR", "IRC"],
            "referral_date": pd.to_datetime(["2026-10-01"] * 6),
            # overdue, due today (not overdue), followed up, no due date, overdue, future
            "follow_up_due": pd.to_datetime(
                ["2026-11-14", "2026-11-24", "2026-11-04", None, "2026-11-23", "2026-12-01"]
            ),
            "follow_up_date": pd.to_datetime([None, None, "2026-11-05", None, None, None]),
        }
    )
    r001 = run_rules({"referrals": referrals}, AS_OF, codes=["R001"])
    followups = R.referral_followups(referrals, AS_OF)
    assert set(followups.overdue["referral_id"]) == set(r001["record_id"]) == {"R1", "R5"}
    assert followups.by_service["overdue"].sum() == len(r001)
    exact = R.followup_table(
        followups, R.protected_tables(followups, referrals, True), "service", True
    ).set_index("Service")
    assert exact.loc[T.TOTAL, "Overdue"] == str(len(r001))


def test_reviewer_ids_pseudonymise_columns_and_ids_in_messages(findings):
    out = C.reviewer_ids(findings, KEY)
    assert out["record_id"].tolist() == pseudonymise(findings["record_id"], KEY).tolist()
    assert out["case_id"].isna().tolist() == findings["case_id"].isna().tolist()
    assert not out["record_id"].str.startswith("IND-").any()
    message = out.loc[5, "message"]
    assert "IND-00000042" not in message
    assert message == "individual_id {} unknown".format(
        pseudonymise(pd.Series(["IND-00000042"]), KEY).iloc[0]
    )
    assert findings.loc[0, "record_id"] == "IND-1"  # the input is left alone


def test_reviewer_ids_keep_manifest_ids():
    frame = pd.DataFrame(
        {"referral_id": ["R1"], "message": ["listed twice on MNF-20261125-SEB-NGA"]}
    )
    out = C.reviewer_ids(frame, KEY, columns=("referral_id",))
    assert out.loc[0, "message"] == "listed twice on MNF-20261125-SEB-NGA"
    assert out.loc[0, "referral_id"] != "R1"


def test_records_to_fix_puts_errors_first(findings):
    out = C.records_to_fix(findings)
    assert out["severity"].tolist() == ["error"] * 4 + ["warning"] * 3
    assert out[["dataset", "record_id", "rule"]].iloc[0].tolist() == ["cases", "IND-1", "C001"]


def test_for_display_hides_birth_dates_and_ids_unless_restricted():
    frame = findings_frame(
        [("cases", "IND-00000001", "C-1", "C004", "error", "date_of_birth 2030-01-01 is after x")]
    )
    restricted = C.for_display(frame, restricted=True)
    assert restricted.loc[0, "record_id"] == "IND-00000001"
    assert restricted.loc[0, "message"] == "date_of_birth (hidden) is after x"
    shared = C.for_display(frame, restricted=False, key=KEY)
    assert shared.loc[0, "record_id"] != "IND-00000001"
    assert "2030-01-01" not in shared.loc[0, "message"]
    with pytest.raises(ValueError, match="key"):
        C.for_display(frame, restricted=False)


# --------------------------------------------------------------------------- published tables


@pytest.fixture
def many() -> pd.DataFrame:
    """12 C001 errors and 7 C015 warnings on cases, 2 M004 errors on the manifest."""
    rows = [("cases", f"IND-{i}", None, "C001", "error", "required") for i in range(12)]
    rows += [("cases", f"IND-{i}", None, "C015", "warning", "stalled") for i in range(7)]
    rows += [("manifest", f"IND-{i}", None, "M004", "error", "pending") for i in range(2)]
    return findings_frame(rows)


def is_bare_small(value: str) -> bool:
    return value.replace(",", "") in {"1", "2", "3", "4"}


def test_count_text_and_publish():
    assert [C.count_text(n, False) for n in (0, 3, 1234)] == ["0", "<5", "1,234"]
    assert [C.count_text(n, True) for n in (0, 3, 1234)] == ["0", "3", "1,234"]
    table = T.with_totals(pd.DataFrame({"a": [3, 10], "b": [6, 8]}, index=["x", "y"]))
    assert table.loc[T.TOTAL].tolist() == [13, 14, 27] and table[T.TOTAL].tolist() == [9, 18, 27]
    exact = C.publish(table, True, T.TOTAL, T.TOTAL)
    assert exact.loc["x"].tolist() == ["3", "6", "9"]
    shown = C.publish(table, False, T.TOTAL, T.TOTAL)
    pd.testing.assert_frame_equal(
        shown, suppress_table(table, row_total=T.TOTAL, col_total=T.TOTAL)
    )
    assert shown.loc["x", "a"] == "<5"
    # the 3, and a cycle of three cells around it, hidden only to protect it: "[c]"
    assert (shown == "<5").sum().sum() == 1 and (shown == SECONDARY).sum().sum() == 3


def test_rule_table_totals_and_suppression(many):
    exact = CI.rule_table(CI.protected_tables(many, catalogue(), restricted=True))
    assert exact.columns.tolist() == ["Rule", "Errors", "Warnings", "Total"]
    assert exact.values.tolist()[-1] == ["Total", "14", "7", "21"]
    m004 = "M004 Fit-to-travel not valid for this flight"  # a code never without its title
    assert exact.set_index("Rule").loc[m004, "Errors"] == "2"
    shown = CI.rule_table(CI.protected_tables(many, catalogue())).set_index("Rule")
    assert shown.loc[m004, "Errors"] == "<5"
    counts = shown
    assert not counts.map(is_bare_small).to_numpy().any()
    # M004 cannot be worked back from its row or column: each has a second hidden cell
    assert shown.loc[m004, "Total"] == "<5"
    assert counts["Errors"].isin(["<5", SECONDARY]).sum() >= 2


def test_severity_table(many):
    exact = CI.severity_table(CI.protected_tables(many, catalogue(), restricted=True)).set_index(
        "Dataset"
    )
    assert exact.loc["Flight manifests"].tolist() == ["2", "0", "2"]
    assert exact.loc[T.TOTAL].tolist() == ["14", "7", "21"]
    shown = CI.severity_table(CI.protected_tables(many, catalogue())).set_index("Dataset")
    assert shown.loc["Flight manifests", "Errors"] == "<5"
    assert not shown.map(is_bare_small).to_numpy().any()


def test_where_table_protects_findings_and_records(many):
    cases = pd.DataFrame(
        {
            "individual_id": [f"IND-{i}" for i in range(12)],
            "location": ["Tripoli"] * 10 + ["Sebha DC"] * 2,
            "mantika": ["M"] * 12,
            "registration_date": pd.to_datetime(["2026-11-16"] * 12),
        }
    )
    exact = CI.where_table(
        CI.protected_tables(many, catalogue(), cases, restricted=True), "location"
    ).set_index("Location")
    assert exact.loc["Sebha DC"].tolist() == ["2", "0", "2", "2"]
    assert exact.loc[T.TOTAL].tolist() == ["12", "7", "19", "12"]
    shown = CI.where_table(CI.protected_tables(many, catalogue(), cases), "location").set_index(
        "Location"
    )
    assert shown.columns.tolist() == ["Errors", "Warnings", "Findings", "Individuals"]
    # Sebha DC's 2 is hidden, and Tripoli's records too (else 12 - 10 gives Sebha DC's count)
    assert shown.loc["Sebha DC", "Individuals"] == "<5"
    assert shown.loc["Tripoli", "Individuals"] == SECONDARY  # 10: hidden, not "<5"
    assert shown.loc[T.TOTAL, "Individuals"] == "12"
    assert not shown.map(is_bare_small).to_numpy().any()


def test_change_table_and_its_total_row(many):
    changes = CI.compare_runs(many, many.iloc[2:])  # two C001 findings are new
    exact = CI.change_table(
        CI.protected_tables(many, catalogue(), changes=changes, restricted=True)
    ).set_index("Rule")
    assert exact.loc[T.TOTAL].tolist() == ["2", "0", "19", "21"]
    shown = CI.change_table(CI.protected_tables(many, catalogue(), changes=changes)).set_index(
        "Rule"
    )
    assert "C001 Required field missing at the case's stage" in shown.index
    assert shown.loc[T.TOTAL, "New"] == "<5"
    # still open = 21 - new: hidden too, though it is large: "[c]", not "<5"
    assert shown.loc[T.TOTAL, "Still open"] == SECONDARY
    assert CI.change_sentence(shown.reset_index()) == (
        "Since the previous run: **fewer than 5 new**, **0 fixed**, still open: not shown."
    )
    assert not shown.map(is_bare_small).to_numpy().any()


def manifest_tables(found, manifest, chosen, restricted=False):
    """The manifest review's protected table set, the flight ``chosen`` reviewed in detail."""
    review = M.review_flights(found, manifest, AS_OF, catalogue())
    return M.protected_tables(review, found, manifest, chosen, catalogue(), restricted)


def test_decision_counts_are_suppressed_with_their_total(manifest):
    found = findings_frame([("manifest", "IND-1", "C-1", "M004", "error", "pending")])
    exact = M.decision_counts(manifest_tables(found, manifest, "MNF-A", True))
    assert exact.to_dict() == {"NO-GO": "1", "GO with warnings": "0", "GO": "3", "Total": "4"}
    shown = M.decision_counts(manifest_tables(found, manifest, "MNF-A"))
    assert shown["NO-GO"] in ("<5", SECONDARY) and shown["GO with warnings"] == "0"
    assert not shown.map(is_bare_small).any()
    big = pd.DataFrame(
        {
            "manifest_id": ["MNF-X"] * 22,
            "flight_date": pd.to_datetime(["2026-11-27"] * 22),
            "flight_type": ["charter"] * 22,
            "destination_country": ["NGA"] * 22,
            "individual_id": [f"IND-{i}" for i in range(22)],
        }
    )
    two = findings_frame([("manifest", f"IND-{i}", "C", "M004", "error", "x") for i in (0, 1)])
    published = manifest_tables(two, big, "MNF-X")
    shown = M.decision_counts(published)
    # the 2 NO-GO would follow from 22 - 20: GO (or the total) is hidden as well
    assert shown["NO-GO"] == "<5" and SECONDARY in (shown["GO"], shown[T.TOTAL])
    # the flight's passengers elsewhere in the report are the same published cell
    assert published.cell("passengers", "MNF-X") == shown[T.TOTAL]
    assert M.decision_sentence(M.manifest_decisions(two, big, "MNF-X"), published).startswith(
        "**Verdict: NO-GO.** Passengers: fewer than 5 NO-GO, 0 GO with warnings, "
    )


def test_reasons_by_rule_counts_passengers(manifest):
    found = findings_frame(
        [
            ("manifest", "IND-1", "C-1", "M004", "error", "pending"),
            ("manifest", "IND-1", "C-1", "M004", "error", "expired"),
            ("manifest", "IND-2", "C-1", "M006", "warning", "family"),
            ("manifest", "IND-5", "C-4", "M003", "error", "on hold"),  # another flight
        ]
    )
    exact = M.reasons_by_rule(manifest_tables(found, manifest, "MNF-A", True), catalogue())
    assert exact.values.tolist() == [
        ["M004 Fit-to-travel not valid for this flight", "Error", "1"],
        ["M006 Family split across flights", "Warning", "1"],
    ]
    shown = M.reasons_by_rule(manifest_tables(found, manifest, "MNF-A"), catalogue())
    assert set(shown["Passengers"]) <= {"<5", SECONDARY}


def test_followup_table_hides_small_counts_and_their_median():
    n = 14
    referrals = pd.DataFrame(
        {
            "referral_id": [f"R{i}" for i in range(n)],
            "individual_id": [f"IND-{i}" for i in range(n)],
            "service": ["medical"] * 8 + ["legal"] * 6,
            "referred_to": ["IRC"] * n,
            "referral_date": pd.to_datetime(["2026-10-01"] * n),
            # medical: 6 overdue, 2 not yet due; legal: 1 overdue, 5 not yet due
            "follow_up_due": pd.to_datetime(
                ["2026-11-14"] * 6 + ["2026-12-01"] * 2 + ["2026-11-20"] + ["2026-12-01"] * 5
            ),
            "follow_up_date": pd.to_datetime([None] * n),
        }
    )
    followups = R.referral_followups(referrals, AS_OF)
    counts = R.followup_counts(followups, "service")
    assert counts.to_dict("index") == {
        "medical": {"overdue": 6, "not yet due": 2, "open": 8},
        "legal": {"overdue": 1, "not yet due": 5, "open": 6},
    }
    exact = R.followup_table(
        followups, R.protected_tables(followups, referrals, True), "service", True
    ).set_index("Service")
    assert exact.loc["Legal aid"].tolist() == ["1", "5", "6", "4"]  # codes as labels
    assert exact.loc[T.TOTAL].tolist() == ["7", "7", "14", "10"]
    shown = R.followup_table(
        followups, R.protected_tables(followups, referrals, False), "service", False
    ).set_index("Service")
    assert shown.columns.tolist() == ["Overdue", "Not yet due", "Open", "Median days overdue"]
    legal, medical = shown.loc["Legal aid"], shown.loc["Medical care"]
    assert legal["Overdue"] == "<5" and medical["Not yet due"] == "<5"
    assert legal["Median days overdue"] == "–"  # of a hidden count
    assert not shown.drop(columns="Median days overdue").map(is_bare_small).to_numpy().any()
    # what a manager acts on: the services concerned, without their small counts ...
    assert R.concerned(followups, "service", False) == (
        "Services with overdue follow-ups, most overdue first: Medical care, Legal aid."
    )
    # ... and with exact counts in the case workers' copy
    assert R.concerned(followups, "service", True) == (
        "Services with overdue follow-ups, most overdue first: Medical care (6), Legal aid (1)."
    )


def test_data_quality_tables():
    summary = pd.DataFrame(
        {
            "rows_in": [100, 50],
            "rows_clean": [97, 50],
            "rows_quarantined": [3, 0],
            "values_repaired": [40, 2],
            "unknown_values": [0, 6],
            "unknown_columns": [1, 0],
        },
        index=pd.Index(["cases", "referrals"], name="dataset"),
    )
    aside = pd.DataFrame({"dataset": ["cases"] * 3, "reason": ["missing individual_id"] * 3})
    published = Q.protected_tables(summary, aside)
    shown = Q.quality_summary(summary, published).set_index("Dataset")
    assert shown.columns.tolist() == [
        "Rows in", "Clean", "Set aside", "Values repaired", "Values not recognised",
        "Extra columns",
    ]  # fmt: skip
    assert shown.loc["Case records", "Set aside"] == "<5"
    assert shown.loc["Case records", "Clean"] == SECONDARY  # else 100 - 97 gives it
    # values repaired and not recognised are counts of values, not of people: exact
    assert shown.loc["Referrals", "Values repaired"] == "2"
    assert shown["Values not recognised"].tolist() == ["0", "6", "6"]
    assert shown.loc[T.TOTAL, "Extra columns"] == "1"  # columns, not records
    exact = Q.quality_summary(summary, Q.protected_tables(summary, aside, True))
    exact = exact.set_index("Dataset")
    assert exact.loc["Case records"].tolist() == ["100", "97", "3", "40", "0", "1"]
    repairs = pd.DataFrame(
        {
            "dataset": ["cases", "cases", "referrals", "visits"],
            "repair": ["date_format", "whitespace", "date_format", "country_fuzzy"],
            "values": [40, 2, 9, 1],
        }
    )
    tables = Q.repairs_published(repairs, False)
    assert list(tables) == ["Case work", "Community hosting"]  # two parts: each fits A4
    table = tables["Case work"].set_index("Repair")
    assert table.columns.tolist() == ["Case records", "Referrals", T.TOTAL]
    assert table.loc["Stray spaces", "Case records"] == "2"  # repairs of values: exact
    assert table.loc["Dates written another way", T.TOTAL] == "49"
    hosting = tables["Community hosting"].set_index("Repair")
    assert hosting.loc["Country names with a typo", "Monitoring visits"] == "1"  # not "<5"
    pd.testing.assert_frame_equal(
        table, Q.repairs_published(repairs, True)["Case work"].set_index("Repair")
    )
    quarantine = pd.DataFrame(
        {"dataset": ["cases"] * 3 + ["visits"] * 6, "reason": ["missing individual_id"] * 9}
    )
    rows = pd.DataFrame(
        {"rows_in": [100, 60], "rows_clean": [97, 54], "rows_quarantined": [3, 6]},
        index=pd.Index(["cases", "visits"], name="dataset"),
    )
    grouped = Q.set_aside_table(Q.protected_tables(rows, quarantine))
    assert grouped.values.tolist() == [
        ["Case records", "missing individual", "<5"],
        ["Monitoring visits", "missing individual", SECONDARY],  # 9 - 6 would give the 3
        [T.TOTAL, "", "9"],
    ]
    assert grouped.columns.tolist() == ["Dataset", "Reason", "Rows"]
    issues = pd.DataFrame({"dataset": ["cases"] * 3, "column": ["sex"] * 3})
    unknown = Q.grouped_counts(issues, ["dataset", "column"], "values")
    assert unknown["Values"].tolist() == ["3", "3"]  # values, not records: exact
    assert unknown["Column"].tolist() == ["Sex", ""]


def test_failed_expectations_and_notes():
    failed = pd.DataFrame(
        {
            "dataset": ["cases"],
            "expectation": ["unique"],
            "column": ["individual_id"],
            "unexpected_count": [2],
            "success": [False],
        }
    )
    shown = CI.failed_expectations(failed, False)
    assert shown.values.tolist() == [
        ["Case records", "Another check of the column Individual", "<5"]
    ]
    assert CI.failed_expectations(failed, True)["Records affected"].tolist() == ["2"]
    failed["expectation"] = "expect_column_values_to_be_unique"  # described, never named
    assert CI.failed_expectations(failed, False)["Check"].tolist() == [
        "No two records share the same Individual"
    ]
    note = C.restricted_note("list of records to fix")
    assert "restricted outputs" in note and "findings workbook" in note and "/" not in note
    assert "real ids" in C.version_note(True) and "<5" in C.version_note(False)
    html = T.styled(pd.DataFrame({"n": ["<5"]})).to_html()
    assert "&lt;5" in html and "<5<" not in html


# --------------------------------------------------------------- labels known to config/

FREE_TEXT = "Home of Amina Yusuf +218 91 234 5678"


def test_where_table_shows_only_known_locations_to_reviewers(findings, cases):
    from protection_workbench.publish.labels import OTHER

    odd = cases.assign(location=["Tripoli", FREE_TEXT, "Sebha DC", None])
    odd["mantika"] = ["Tripoli", "<img src=x onerror=alert(1)>", "Sebha", "Sebha"]
    shown = CI.where_table(CI.protected_tables(findings, catalogue(), odd), "location")
    assert FREE_TEXT not in set(shown["Location"]) and OTHER in set(shown["Location"])
    assert "<img" not in "".join(
        CI.where_table(CI.protected_tables(findings, catalogue(), odd), "mantika")["Mantika"]
    )
    exact = CI.where_table(
        CI.protected_tables(findings, catalogue(), odd, restricted=True), "location"
    )  # case workers see the value
    assert FREE_TEXT in set(exact["Location"])
    grouped = CI.counts_by(findings, odd, "location", known_only=True).set_index("location")
    assert grouped.loc[OTHER, "findings"] == 1  # IND-2's warning


def test_followups_by_partner_group_unknown_partners_for_reviewers():
    from protection_workbench.publish.labels import OTHER

    referrals = pd.DataFrame(
        {
            "referral_id": ["R1", "R2", "R3"],
            "individual_id": ["IND-1", "IND-2", "IND-3"],
            "service": ["medical", "medical", "<b>x</b>"],
            "referred_to": ["IRC", FREE_TEXT, None],
            "referral_date": pd.to_datetime(["2026-10-01"] * 3),
            "follow_up_due": pd.to_datetime(["2026-11-14"] * 3),
            "follow_up_date": pd.to_datetime([None] * 3),
        }
    )
    followups = R.referral_followups(referrals, AS_OF)
    shown = R.followup_table(
        followups, R.protected_tables(followups, referrals, False), "referred_to", False
    )
    assert set(shown["Partner"]) == {"IRC", OTHER, C.MISSING, T.TOTAL}
    assert FREE_TEXT not in R.concerned(followups, "referred_to", False)
    assert OTHER in R.followup_counts(followups, "service").index
    assert FREE_TEXT in R.followup_counts(followups, "referred_to", restricted=True).index


def test_manifest_labels_and_sentence_are_safe(manifest):
    from protection_workbench.publish.labels import OTHER

    flights = M.manifests(manifest)
    flights.loc[0, "destination_country"] = FREE_TEXT
    flights.loc[0, "flight_type"] = "<img src=x onerror=alert(1)>"
    assert M.flight_label(flights).iloc[0] == f"{OTHER} to {OTHER}"
    chosen = flights.loc[0, "manifest_id"]
    published = manifest_tables(findings_frame([]), manifest, chosen)
    sentence = M.flight_sentence(flights, chosen, published, False)
    assert "Amina" not in sentence and "<img" not in sentence
    assert "**fewer than 5 passengers**" in sentence  # never "fewer than 5 passenger"
    restricted = M.flight_sentence(flights, chosen, published, True)
    assert "Amina" in restricted and "<img" not in restricted  # shown, escaped


def test_extra_columns_are_counted_for_reviewers_and_escaped_for_case_workers():
    unknown = {"cases": ["cases.csv: <img src=x onerror=alert(1)>", "cases.csv: Notes"]}
    reviewer = Q.extra_columns(unknown, False)
    assert "2 columns not in the data contract" in reviewer and "config/" not in reviewer
    assert "img" not in reviewer and "Notes" not in reviewer
    restricted = Q.extra_columns(unknown, True)
    assert "<img" not in restricted
    assert "&#60;img" in restricted  # the header, escaped for Markdown
    assert Q.extra_columns({"cases": []}, False) == "No extra columns."


def test_styled_escapes_labels_and_caption():
    page = T.styled(pd.DataFrame({"<b>x</b>": ["<img src=x>"]}), "<i>c</i>").to_html()
    assert "<b>" not in page and "<img" not in page and "<i>" not in page


# --------------------------------------------------------------------------- honest markers


def assert_honest(exact: pd.DataFrame, shown: pd.DataFrame, what: str) -> None:
    """Every published cell is the true count (the case workers' copy), "<5" only where
    the truth is 1 to 4, or "[c]" (a marker that claims nothing about the value)."""
    assert exact.shape == shown.shape, what
    for (r, c), true in exact.stack().items():
        text = shown.loc[r, c]
        if str(true).replace(",", "").isdigit():
            n = int(str(true).replace(",", ""))
            ok = text in (true, SECONDARY) or (text == "<5" and 1 <= n <= 4)
            assert ok, (what, r, c, true, text)
        else:  # a label, a title, a median
            assert text in (true, "–"), (what, r, c, true, text)


def test_every_published_cell_is_true_or_an_honest_marker(many, manifest, cases):
    changes = CI.compare_runs(many, many.iloc[2:])
    cases_many = pd.DataFrame(
        {
            "individual_id": [f"IND-{i}" for i in range(12)],
            "location": ["Tripoli"] * 10 + ["Sebha DC"] * 2,
            "mantika": ["M"] * 12,
            "registration_date": pd.to_datetime(["2026-11-16"] * 12),
        }
    )
    found = findings_frame(
        [("manifest", "IND-1", "C-1", "M004", "error", "pending")]
        + [("manifest", f"IND-{i}", "C-1", "M006", "warning", "x") for i in range(2, 9)]
    )
    summary = pd.DataFrame(
        {"rows_in": [100, 50, 7], "rows_clean": [97, 44, 7], "rows_quarantined": [3, 6, 0]},
        index=pd.Index(["cases", "referrals", "visits"], name="dataset"),
    )
    aside = pd.DataFrame({"dataset": ["cases"] * 3 + ["referrals"] * 6, "reason": ["x"] * 9})
    pairs = {
        "rules": lambda r: CI.rule_table(CI.protected_tables(many, catalogue(), restricted=r)),
        "severity": lambda r: CI.severity_table(
            CI.protected_tables(many, catalogue(), restricted=r)
        ),
        "where": lambda r: CI.where_table(
            CI.protected_tables(many, catalogue(), cases_many, restricted=r), "location"
        ),
        "changes": lambda r: CI.change_table(
            CI.protected_tables(many, catalogue(), changes=changes, restricted=r)
        ),
        "decisions": lambda r: M.decision_counts(
            manifest_tables(found, manifest, "MNF-A", r)
        ).to_frame("n"),
        "quality": lambda r: Q.quality_summary(summary, Q.protected_tables(summary, aside, r)),
        "quarantine": lambda r: Q.set_aside_table(Q.protected_tables(summary, aside, r)),
    }
    for what, build in pairs.items():
        exact, shown = build(True), build(False)
        assert_honest(exact, shown, what)
    markers = pd.concat([build(False).stack() for build in pairs.values()])
    assert (markers == SECONDARY).any() and (markers == "<5").any()  # both markers seen


def test_referral_figures_come_from_one_protected_set():
    """The tables, the chart and the sentence of the referrals report read one table set:
    a count hidden in a table is hidden in the chart and never quoted."""
    n = 14
    referrals = pd.DataFrame(
        {
            "referral_id": [f"R{i}" for i in range(n)],
            "individual_id": [f"IND-{i}" for i in range(n)],
            "service": ["medical"] * 8 + ["legal"] * 6,
            "referred_to": ["IRC"] * 8 + ["UNHCR"] * 6,
            "referral_date": pd.to_datetime(["2026-10-01"] * n),
            "follow_up_due": pd.to_datetime(
                ["2026-11-14"] * 6 + ["2026-12-01"] * 2 + ["2026-11-20"] + ["2026-12-01"] * 5
            ),
            "follow_up_date": pd.to_datetime([None] * n),
        }
    )
    followups = R.referral_followups(referrals, AS_OF)
    published = R.protected_tables(followups, referrals)
    table = R.followup_table(followups, published, "service").set_index("Service")
    chart = R.followup_chart(published).get("Open follow-ups by service", pd.DataFrame())
    for label in ("Medical care", "Legal aid"):
        for column in ("Overdue", "Not yet due"):
            if label in chart.index:  # a drawn row shows the table's cells
                assert chart.loc[label, column] == table.loc[label, column]
            else:  # a row with no bar to draw holds only hidden cells and zeros
                assert table.loc[label, column] in ("<5", SECONDARY, "0")
    assert table.loc["Legal aid", "Overdue"] in ("<5", SECONDARY)
    sentence = R.followup_sentence(table.reset_index(), published.total("referrals"))
    assert sentence.endswith("(of 14 in all).") and "**14 open referrals**" in sentence
    assert published.summary()["cells_hidden"] > 0
