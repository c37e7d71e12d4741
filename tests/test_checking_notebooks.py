"""The checking notebooks run top to bottom with papermill on generated exports, and show
what an independent `run_check` says.

The reviewer version (``restricted=False``, published as HTML) holds aggregates only: no
per-record table (neither real ids nor pseudonyms), counts from 1 to 4 as "<5". The case
workers' copy (``restricted=True``) lists the records with real ids and exact counts."""

from __future__ import annotations

import html
import json
import re
from datetime import date

import notebook_runs
import pandas as pd
import pytest
from notebook_runs import output_text, outputs, start_papermill

from protection_workbench.publish.disclosure import marker_note, safe_series, show_count
from protection_workbench.run.check import run_check
from protection_workbench.synth.generate import generate_demo_exports

pytestmark = pytest.mark.slow

AS_OF = "2026-11-24"
NAMES = ("case_integrity", "manifest_review", "referrals_followup")
RUNS = [(name, False) for name in (*NAMES, "data_quality")] + [(name, True) for name in NAMES]
VERSIONS = {False: "reviewer", True: "restricted"}

# A record named in a table: a raw id (IND-00000001, LY-VHR-0000001, REF-...) or a
# pseudonym (16 hex digits of a keyed hash). Manifest ids (MNF-20261125-SEB-NGA) name a
# flight: they go on with a dash and are not matched.
RAW_ID = re.compile(r"(?<![\w-])[A-Z]{2,}(?:-[A-Z]{2,})*-\d{3,}(?![\w-])")
PSEUDONYM = re.compile(r"(?<![0-9a-fA-F])[0-9a-f]{16}(?![0-9a-fA-F])")
PER_RECORD_COLUMNS = ("record_id", "individual_id", "referral_id", "case_id")
SMALL = re.compile(r"[1-4]")


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """Generate exports, check them independently, execute every notebook in both versions
    in parallel."""
    tmp = tmp_path_factory.mktemp("checking")
    data = tmp / "demo"
    generate_demo_exports(data, 3000, 11, date(2026, 11, 24), 0.02)
    check = run_check(data, AS_OF, gate=False)
    current = check.findings
    # The previous run: one current finding was not there yet (new), one is gone (fixed).
    extra = pd.DataFrame(
        [["cases", "IND-99990001", "LY-VHR-9999001", "C004", "error", "dates out of order"]],
        columns=current.columns,
    )
    previous = pd.concat([current.iloc[1:], extra], ignore_index=True)
    previous_path = tmp / "previous_findings.csv"
    previous.to_csv(previous_path, index=False)

    # as in the weekly run, both versions get the tables folder; only reviewers' write to it
    base = {
        "data_dir": str(data),
        "as_of": AS_OF,
        "run_id": "test-run",
        "tables_dir": str(tmp / "tables"),
    }
    extra_params = {"case_integrity": {"previous_findings": str(previous_path)}}
    target = {key: tmp / f"{key[0]}_{VERSIONS[key[1]]}.ipynb" for key in RUNS}
    procs = {
        key: start_papermill(
            key[0], target[key], base | extra_params.get(key[0], {}) | {"restricted": key[1]}
        )
        for key in RUNS
    }
    logs = {key: proc.communicate(timeout=240)[0] for key, proc in procs.items()}
    for key, proc in procs.items():
        assert proc.returncode == 0, f"{key} failed:\n{logs[key][-3000:]}"
    executed = {key: json.loads(target[key].read_text("utf-8")) for key in RUNS}
    return {"check": check, "previous": previous, "executed": executed, "tables": tmp / "tables"}


def markdown(nb: dict) -> str:
    """The Markdown the notebook displayed, character references decoded (values from the
    exports are escaped for Markdown, e.g. a manifest id MNF&#45;20261125…)."""
    return html.unescape(notebook_runs.markdown(nb))


def tables(nb: dict) -> dict[str, pd.DataFrame]:
    """The HTML tables of the outputs by caption ("" when none), cells as shown (text)."""
    found = {}
    for o in outputs(nb):
        page = o.get("data", {}).get("text/html")
        if page is None:
            continue
        page = "".join(page) if isinstance(page, list) else page
        for table in re.findall(r"<table.*?</table>", page, flags=re.S):
            caption = re.search(r"<caption>(.*?)</caption>", table, flags=re.S)
            rows = []
            for row in re.findall(r"<tr.*?</tr>", table, flags=re.S):
                cells = re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
                rows.append([html.unescape(c).strip() for c in cells])
            name = html.unescape(caption.group(1)).strip() if caption else ""
            found[name] = pd.DataFrame(rows[1:], columns=rows[0])
    return found


def exact_or_hidden(shown: str, n: int) -> bool:
    """A published count, honestly: show_count(n) ("<5" only for 1 to 4), or "[c]" where
    the cell is hidden to protect another (a marker that claims nothing)."""
    return shown == show_count(n) or shown == "[c]"


def quoted_count(text: str, what: str) -> str | None:
    """The count quoted in a sentence as published ("<5" for "fewer than 5", "[c]" for
    "not shown"): "**12 new**", "**fewer than 5 new**" or "new: not shown"."""
    found = re.search(rf"\*\*(fewer than 5|[\d,]+) {re.escape(what)}\*\*", text)
    if found:
        return "<5" if found.group(1) == "fewer than 5" else found.group(1)
    return "[c]" if f"{what}: not shown" in text else None


@pytest.mark.parametrize("key", RUNS, ids=lambda k: f"{k[0]}-{VERSIONS[k[1]]}")
def test_notebook_runs_without_errors(run, key):
    nb = run["executed"][key]
    errors = [o for o in outputs(nb) if o["output_type"] == "error"]
    assert errors == [], errors[:1]
    # one header block: in a run the page's banner names the run, the as-of date and the
    # sources, so the notebook does not repeat them (nor its title)
    text = markdown(nb)
    assert "test-run" not in text and "**Data sources**" not in text
    assert "\n# " not in "\n" + text  # the title is the notebook's own, once
    if not key[1]:  # reviewer versions explain the markers once
        assert text.count(marker_note()) == 1


# --------------------------------------------------------------------------- reviewer version


@pytest.mark.parametrize("name", (*NAMES, "data_quality"))
def test_reviewer_version_lists_no_record(run, name):
    nb = run["executed"][(name, False)]
    text = output_text(nb)
    assert not RAW_ID.search(text), RAW_ID.search(text)
    assert not PSEUDONYM.search(text), PSEUDONYM.search(text)
    for caption, table in tables(nb).items():
        assert not set(PER_RECORD_COLUMNS) & set(table.columns), caption
    if name != "data_quality":
        assert "restricted outputs" in markdown(nb)  # says where the per-record lists are


@pytest.mark.parametrize("name", NAMES)
def test_reviewer_version_shows_no_real_name(run, name):
    text = output_text(run["executed"][(name, False)])
    cases = run["check"].export.frames["cases"]
    for place in cases["location"].dropna().astype(str).unique():  # "Ain Zara DC" is no name
        text = text.replace(place, " ")
    first_names = set(cases["first_name"].dropna().astype(str))
    shown = [n for n in first_names if re.search(rf"(?<!\w){re.escape(n)}(?!\w)", text)]
    assert shown == [], shown[:5]


def test_reviewer_findings_by_rule_hide_small_counts(run):
    found = tables(run["executed"][("case_integrity", False)])
    findings = run["check"].findings
    for caption in ("Findings by rule", "Findings by dataset", "Changes by rule", "By mantika"):
        table = found[caption]
        counts = table.drop(columns=[c for c in ("Rule", "Dataset", "Mantika") if c in table])
        bare = counts.map(lambda v: bool(SMALL.fullmatch(v.replace(",", ""))))
        assert not bare.to_numpy().any(), f"{caption}: a count 1-4 is shown"
    by_rule = found["Findings by rule"].set_index("Rule")
    by_rule.index = [r.split(" ")[0] for r in by_rule.index]  # "C004 Dates out of order"
    exact = findings.groupby("rule").size()
    assert set(exact.index) == set(by_rule.index) - {"Total"}
    for rule, n in exact.items():
        assert exact_or_hidden(by_rule.loc[rule, "Total"], n), rule
    small = exact[(exact >= 1) & (exact < 5)]
    # a small count is "<5", or "[c]" where even that bound would give it away
    assert all(by_rule.loc[rule, "Total"] in ("<5", "[c]") for rule in small.index)


def test_reviewer_records_to_fix_are_counted_not_listed(run):
    nb = run["executed"][("case_integrity", False)]
    text = markdown(nb)
    assert re.search(r"\*\*Quality gate: (passed|failed)\*\*", text)
    findings = run["check"].findings
    errors = int((findings["severity"] == "error").sum())
    shown = re.search(r"\*\*(\S+) records to fix\*\* \((\S+) errors, (\S+) warnings\)", text)
    assert shown, "records-to-fix count missing"
    assert shown.groups() == (
        show_count(len(findings)),
        show_count(errors),
        show_count(len(findings) - errors),
    )
    assert "findings workbook" in text


def test_reviewer_changes_since_previous_run_hide_small_counts(run):
    text = markdown(run["executed"][("case_integrity", False)])
    summary = re.search(r"Since the previous run: ([^\n]+)\.", text)
    assert summary, "change summary missing"
    new, fixed, still_open = (
        quoted_count(summary.group(1), what) for what in ("new", "fixed", "still open")
    )
    assert (new, fixed) == ("<5", "<5")  # one each: small
    assert "[c]" not in summary.group(1)
    assert exact_or_hidden(still_open, len(run["check"].findings) - 1)


def manifest_expected(run, chosen: str) -> dict[str, int]:
    """GO / GO with warnings / NO-GO of the chosen flight, computed from run_check's findings."""
    manifest = run["check"].export.frames["manifest"]
    passengers = set(manifest.loc[manifest["manifest_id"] == chosen, "individual_id"].astype(str))
    findings = run["check"].findings
    ours = findings[(findings["dataset"] == "manifest") & findings["record_id"].isin(passengers)]
    errors = set(ours.loc[ours["severity"] == "error", "record_id"])
    warned = set(ours.loc[ours["severity"] == "warning", "record_id"]) - errors
    return {  # in the order the report publishes them (suppression picks by position)
        "NO-GO": len(errors),
        "GO with warnings": len(warned),
        "GO": len(passengers) - len(errors) - len(warned),
        "Total": len(passengers),
    }


def chosen_manifest(run, text: str) -> str:
    chosen = re.search(r"\*\*Manifest\*\* (\S+):", text).group(1)
    manifest = run["check"].export.frames["manifest"]
    flights = manifest.groupby("manifest_id")["flight_date"].min().sort_index(kind="stable")
    upcoming = flights[flights > pd.Timestamp(AS_OF)].sort_values(kind="stable")
    kinds = manifest.groupby("manifest_id")["flight_type"].first().astype("string")
    charters = upcoming[kinds.reindex(upcoming.index).eq("charter").fillna(False).to_numpy()]
    # the next charter flight after the report date, else the next flight (issue 22)
    assert chosen == (charters if len(charters) else upcoming).index[0]
    return chosen


DECISION = re.compile(
    r"\*\*Verdict: (NO-GO|GO with warnings|GO)\.\*\* Passengers: (.+) NO-GO, (.+) GO with warnings, "
    r"(.+) GO \(of (.+) on the manifest\)"
)
IN_WORDS = {"fewer than 5": "<5", "not shown": "[c]"}


def decision_shown(text: str) -> tuple[str, dict[str, str]]:
    """The verdict of the next flight and its passengers per decision, as published."""
    found = DECISION.search(text)
    assert found, "decision summary missing"
    counts = [IN_WORDS.get(g, g) for g in found.groups()[1:]]
    return found.group(1), dict(
        zip(("NO-GO", "GO with warnings", "GO", "Total"), counts, strict=True)
    )


def test_reviewer_manifest_decisions_are_counts_only(run):
    nb = run["executed"][("manifest_review", False)]
    text = markdown(nb)
    expected = manifest_expected(run, chosen_manifest(run, text))
    verdict, shown = decision_shown(text)
    # the verdict is a decision: never suppressed
    assert verdict == next((d for d in ("NO-GO", "GO with warnings") if expected[d]), "GO")
    # the three decisions add up to the total: they are suppressed together
    assert shown == safe_series(pd.Series(expected), total="Total").to_dict()
    assert all(exact_or_hidden(shown[k], n) for k, n in expected.items())
    found = tables(nb)
    assert "Go / no-go" not in found and "To send back to Operations" not in found
    if expected["NO-GO"] + expected["GO with warnings"] == 0:  # a flight with no issue: GO
        assert "No passenger of this flight breaks a rule: **GO**." in text
        assert "Passengers by rule (NO-GO reasons first)" not in found
    else:
        reasons = found["Passengers by rule (NO-GO reasons first)"]
        assert not reasons["Passengers"].map(lambda v: bool(SMALL.fullmatch(v))).any()


def test_reviewer_referrals_show_no_overdue_list(run):
    nb = run["executed"][("referrals_followup", False)]
    referrals = run["check"].export.frames["referrals"]
    open_ = referrals[referrals["follow_up_date"].isna()]
    overdue = int((pd.to_datetime(open_["follow_up_due"]) < pd.Timestamp(AS_OF)).sum())
    sentence = re.search(r"[^\n]*open referrals[^\n]*, of which [^\n]*", markdown(nb), re.I)
    assert sentence and "[c]" not in sentence.group(0)
    said = sentence.group(0).lower()  # the sentence starts with a capital
    assert exact_or_hidden(quoted_count(said, "open referrals"), len(open_))
    assert exact_or_hidden(quoted_count(said, "overdue"), overdue)
    by_service = tables(nb)["By service"]
    for column in ("Overdue", "Not yet due", "Open"):
        assert not by_service[column].map(lambda v: bool(SMALL.fullmatch(v))).any()


# --------------------------------------------------------------------------- case workers' copy


def test_restricted_records_to_fix_list_real_ids_and_exact_counts(run):
    nb = run["executed"][("case_integrity", True)]
    text = markdown(nb)
    findings = run["check"].findings
    shown = re.search(r"\*\*([\d,]+) records to fix\*\*", text)
    assert shown and int(shown.group(1).replace(",", "")) == len(findings)
    listed = tables(nb)[""]  # the records to fix (no caption)
    assert len(listed) == min(200, len(findings))
    assert set(listed["record_id"]) <= set(findings["record_id"].astype(str))
    assert listed["record_id"].str.match(r"IND-\d{8}$").any()
    changes = re.search(
        r"\*\*([\d,]+) new\*\*, \*\*([\d,]+) fixed\*\*, \*\*([\d,]+) still open\*\*", text
    )
    assert changes, "change summary missing"
    counted = tuple(int(g.replace(",", "")) for g in changes.groups())
    assert counted == (1, 1, len(findings) - 1)
    moved = tables(nb)["New and fixed"]
    assert "IND-99990001" in set(moved["record_id"])  # the fixed one, by its real id


def test_restricted_manifest_review_lists_passengers(run):
    nb = run["executed"][("manifest_review", True)]
    text = markdown(nb)
    chosen = chosen_manifest(run, text)
    expected = manifest_expected(run, chosen)
    _, shown = decision_shown(text)
    assert {k: int(v) for k, v in shown.items()} == expected
    listed = tables(nb)["Go / no-go"]
    manifest = run["check"].export.frames["manifest"]
    passengers = set(manifest.loc[manifest["manifest_id"] == chosen, "individual_id"].astype(str))
    assert set(listed["record_id"]) == passengers
    assert listed["decision"].value_counts().to_dict() == {
        k: n for k, n in expected.items() if k != "Total" and n
    }


def test_restricted_referrals_list_overdue_with_real_ids(run):
    nb = run["executed"][("referrals_followup", True)]
    referrals = run["check"].export.frames["referrals"]
    open_ = referrals[referrals["follow_up_date"].isna()]
    overdue = open_[pd.to_datetime(open_["follow_up_due"]) < pd.Timestamp(AS_OF)]
    listed = tables(nb)[""]
    assert set(listed["referral_id"]) == set(overdue["referral_id"].astype(str))
    assert set(listed["individual_id"]) == set(overdue["individual_id"].astype(str))
    shown = re.search(r"of which \*\*([\d,]+) overdue\*\*", markdown(nb))
    assert shown and int(shown.group(1).replace(",", "")) == len(overdue)


# --------------------------------------------------------------------------- every upcoming flight


def test_manifest_review_covers_every_flight_of_the_window(run):
    nb = run["executed"][("manifest_review", False)]
    manifest = run["check"].export.frames["manifest"]
    dates = manifest.groupby("manifest_id")["flight_date"].min()
    start = pd.Timestamp(AS_OF)
    window = dates[(dates > start) & (dates <= start + pd.Timedelta(days=14))]
    summary = tables(nb)["Verdict of every upcoming flight and the rules behind it"]
    reviewed = summary.loc[summary["Manifest"] != "", "Manifest"]
    assert sorted(reviewed) == sorted(window.index) and len(window)
    sentence = re.search(r"(\d+) flights? from .*?: (.*)", markdown(nb))
    assert sentence and int(sentence.group(1)) == len(window)
    # the restricted copy lists the passengers to fix of exactly those manifests
    fix = tables(run["executed"][("manifest_review", True)])["Passengers to fix, per manifest"]
    assert set(fix["manifest_id"]) <= set(window.index)


# --------------------------------------------------------------------------- plain English

SNAKE = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b")
JARGON = (
    "restricted = ",
    "previous_findings",
    "tables_dir",
    "manifest_id",
    "docs/",
    "demo/",
    "config/",
    "outputs-restricted",
    ".xlsx",
    "expect_",
    "parameter",
)
CODES = re.compile(r"\b(uasc|vot|gbv|mhpss|nfi)\b")  # codes that are no English word


def jargon(text: str) -> list[str]:
    """Tokens a reviewer should not read: snake_case names, codes, parameter names, paths,
    file names and GX identifiers."""
    found = SNAKE.findall(text) + CODES.findall(text)
    return found + [j for j in JARGON if j in text]


@pytest.mark.parametrize("name", (*NAMES, "data_quality"))
def test_reviewer_pages_are_in_plain_english(run, name):
    text = output_text(run["executed"][(name, False)])
    text = re.sub(r"<style.*?</style>", " ", text, flags=re.S)
    text = html.unescape(re.sub(r"<[^>]+>", " ", text))  # what a reader sees
    assert jargon(text) == []
    assert "No description has been provided" not in text


@pytest.mark.parametrize("name", (*NAMES, "data_quality"))
def test_each_report_records_the_share_it_hides(run, name):
    """The weekly run copies each report's disclosure record into run.json: the reviewer
    version writes it (cells and people hidden), the case workers' copy does not."""
    record = json.loads((run["tables"] / f"{name}_disclosure.json").read_text("utf-8"))
    assert record["cells"] > 0 and 0 <= record["cells_hidden"] <= record["cells"]
    if name != "data_quality":  # no row set aside there: nothing to hide
        assert record["cells_hidden"] > 0  # 3 000 individuals: some counts are small
    assert sorted(p.name for p in run["tables"].iterdir()) == sorted(
        f"{n}_disclosure.json" for n in (*NAMES, "data_quality")
    )
